/*
 * probe.c: the lifetime of a probe set (probe.h): flows and targets,
 * start and stop.  probe_priv.h says which file does what.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probe_priv.h"

int
probe_fail(struct probe *p, int err, const char *fmt, ...)
{
	va_list	ap;
	size_t	n;

	va_start(ap, fmt);
	vsnprintf(p->err, sizeof(p->err), fmt, ap);
	va_end(ap);
	n = strlen(p->err);
	if (err != 0)
		snprintf(p->err + n, sizeof(p->err) - n, ": %s", strerror(err));
	errno = err != 0 ? err : EINVAL;
	return -1;
}

struct probe *
probe_new(const struct probe_opts *o)
{
	struct probe	*p;

	if (o->lab == NULL || strlen(o->lab) >= PROBE_NAME_MAX ||
	    o->interval_ms == 0 || o->interval_ms > 10000 || o->port == 0) {
		errno = EINVAL;
		return NULL;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->o = *o;
	snprintf(p->lab, sizeof(p->lab), "%s", o->lab);
	p->o.lab = p->lab;
	p->ep = -1;
	pthread_mutex_init(&p->lock, NULL);
	return p;
}

const char *
probe_error(const struct probe *p)
{
	return p->err;
}

static struct probe_target *
probe_target_find(struct probe *p, const char *guest)
{
	for (size_t i = 0; i < p->ntargets; i++)
		if (strcmp(p->targets[i].ep.guest, guest) == 0)
			return &p->targets[i];
	return NULL;
}

static int
probe_target_add(struct probe *p, const struct probe_endpoint *ep)
{
	struct probe_target	*t;

	if (probe_target_find(p, ep->guest) != NULL)
		return 0;
	t = realloc(p->targets, (p->ntargets + 1) * sizeof(*t));
	if (t == NULL)
		return -1;
	p->targets = t;
	t = &p->targets[p->ntargets++];
	memset(t, 0, sizeof(*t));
	t->p = p;
	t->ep = *ep;
	t->fd = t->lfd = -1;
	return 0;
}

static int
probe_flow_add(struct probe *p, const struct probe_endpoint *from,
    const struct probe_endpoint *to, bool tcp)
{
	struct probe_flow	*f;

	if (p->running) {
		errno = EBUSY;
		return -1;
	}
	if (strcmp(from->guest, to->guest) == 0) {
		errno = EINVAL;
		return -1;
	}
	if (probe_target_add(p, to) == -1)
		return -1;
	if (tcp)
		probe_target_find(p, to->guest)->tcp = true;
	f = realloc(p->flows, (p->nflows + 1) * sizeof(*f));
	if (f == NULL)
		return -1;
	p->flows = f;
	f = &p->flows[p->nflows++];
	memset(f, 0, sizeof(*f));
	f->from = *from;
	f->to = *to;
	f->fd = -1;
	f->tcp = tcp;
	return 0;
}

int
probe_add(struct probe *p, const struct probe_endpoint *from,
    const struct probe_endpoint *to)
{
	return probe_flow_add(p, from, to, false);
}

int
probe_add_tcp(struct probe *p, const struct probe_endpoint *from,
    const struct probe_endpoint *to)
{
	return probe_flow_add(p, from, to, true);
}

static int
probe_open_all(struct probe *p)
{
	for (size_t i = 0; i < p->ntargets; i++)
		if (probe_open_target(p, &p->targets[i]) == -1)
			return -1;
	for (size_t i = 0; i < p->nflows; i++)
		if (probe_open_flow(p, &p->flows[i]) == -1)
			return -1;
	return 0;
}

static void
probe_close_all(struct probe *p)
{
	for (size_t i = 0; i < p->ntargets; i++) {
		if (p->targets[i].fd != -1)
			close(p->targets[i].fd);
		p->targets[i].fd = -1;
		probe_tcp_close_target(&p->targets[i]);
	}
	for (size_t i = 0; i < p->nflows; i++) {
		if (p->flows[i].fd != -1)
			close(p->flows[i].fd);
		p->flows[i].fd = -1;
	}
}

/*
 * A responder in its guest's cgroup is taken out of it until it ends: a
 * guest whose member fenced stays frozen for good, and a responder that
 * joined it late would stay with it.
 */
static void
probe_join(struct probe *p)
{
	struct probe_target	*t;
	struct timespec		 ts;
	pid_t			 tid;

	for (size_t i = 0; i < p->ntargets; i++) {
		if (!(t = &p->targets[i])->started)
			continue;
		for (;;) {
			if ((tid = atomic_load(&t->tid)) != 0)
				probe_leave_cgroup(tid);
			clock_gettime(CLOCK_MONOTONIC, &ts);
			ts.tv_nsec += PROBE_POLL_MS * 1000000L;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			if (pthread_clockjoin_np(t->thread, NULL,
			    CLOCK_MONOTONIC, &ts) != ETIMEDOUT)
				break;
		}
		t->started = false;
	}
}

int
probe_start(struct probe *p)
{
	int	err;

	if (p->running || p->nflows == 0) {
		errno = p->running ? EBUSY : EINVAL;
		return probe_fail(p, errno, "nothing to probe");
	}
	atomic_store(&p->stopping, false);
	atomic_store(&p->done, false);
	if (probe_open_all(p) == -1)
		goto fail;
	for (size_t i = 0; i < p->ntargets; i++) {
		atomic_store(&p->targets[i].tid, 0);
		if ((err = pthread_create(&p->targets[i].thread, NULL,
		    probe_responder, &p->targets[i])) != 0) {
			probe_fail(p, err, "responder thread");
			goto fail;
		}
		p->targets[i].started = true;
	}
	p->t0 = probe_now();
	if ((err = pthread_create(&p->sender, NULL, probe_sender, p)) != 0) {
		probe_fail(p, err, "sender thread");
		goto fail;
	}
	p->running = true;
	return 0;
fail:
	err = errno;
	atomic_store(&p->done, true);
	probe_join(p);
	probe_close_all(p);
	errno = err;
	return -1;
}

void
probe_stop(struct probe *p)
{
	if (!p->running)
		return;
	atomic_store(&p->stopping, true);
	pthread_join(p->sender, NULL);
	atomic_store(&p->done, true);
	probe_join(p);
	probe_close_all(p);
	p->running = false;
}

void
probe_free(struct probe *p)
{
	if (p == NULL)
		return;
	probe_stop(p);
	for (size_t i = 0; i < p->nflows; i++) {
		free(p->flows[i].sent_ms);
		free(p->flows[i].ok);
	}
	free(p->flows);
	free(p->targets);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

size_t
probe_count(const struct probe *p)
{
	return p->nflows;
}
