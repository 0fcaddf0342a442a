/*
 * prio.c: a relocation's bulk work runs in the background.
 *
 * hvd runs at its own priority (nslab starts it 10 nice levels above
 * its guests, so that a busy lab never delays its heartbeats).  The
 * pre-copy stream is not urgent: the source's relocation thread and the
 * target's inbound thread run it PRIO_BG_NICE levels below hvd, level
 * with the guests and their routers, which then come first, and so do
 * other relocations' quiesces.  A quiesce runs at hvd's priority again
 * on both ends: the guest's downtime is on its clock.  The ZeroMQ I/O
 * threads that carry the stream stay in the background throughout: the
 * source's (its relocation's own context) starts from the relocation
 * thread once it is there, the target's (the channel's own I/O thread
 * of hvd's context, HVD_IO_CHANNEL) is set there when the inbound thread
 * starts; the control socket keeps its own at hvd's priority.  In a
 * quiesce they move only the last few pages and the state.
 *
 * Nice values are per thread on Linux (setpriority(2) on a thread id).
 * Going back up needs CAP_SYS_NICE or a large enough RLIMIT_NICE; an
 * hvd that cannot do that keeps every thread at its own priority.
 */
#include <sys/resource.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <unistd.h>

#include "hvd.h"
#include "log.h"

#define PRIO_NICE_MAX	19

struct prio_probe {
	int	base, bg;
	bool	ok;
};

/* In a thread of its own: down to bg and back up to base? */
static void *
prio_try(void *arg)
{
	struct prio_probe	*p = arg;

	p->ok = setpriority(PRIO_PROCESS, (id_t)gettid(), p->bg) == 0 &&
	    setpriority(PRIO_PROCESS, (id_t)gettid(), p->base) == 0;
	return NULL;
}

void
prio_init(struct hvd *h)
{
	struct prio_probe	p;
	pthread_t		t;
	int			n;

	errno = 0;
	n = getpriority(PRIO_PROCESS, (id_t)gettid());
	h->nice = errno == 0 ? n : 0;
	h->nice_bg = h->nice + PRIO_BG_NICE > PRIO_NICE_MAX ? PRIO_NICE_MAX :
	    h->nice + PRIO_BG_NICE;
	p.base = h->nice;
	p.bg = h->nice_bg;
	p.ok = false;
	if (pthread_create(&t, NULL, prio_try, &p) == 0)
		pthread_join(t, NULL);
	h->prio_ok = p.ok && h->nice_bg > h->nice;
	if (!h->prio_ok)
		log_debug("relocations run at nice %d throughout (cannot go "
		    "back up from nice %d)", h->nice, h->nice_bg);
}

void
prio_set(const struct hvd *h, bool background)
{
	if (h->prio_ok && setpriority(PRIO_PROCESS, (id_t)gettid(),
	    background ? h->nice_bg : h->nice) == -1)
		log_warn("[HV-PRIO] thread %d to nice %d", (int)gettid(),
		    background ? h->nice_bg : h->nice);
}

/*
 * The thread of this process named comm, set to the background: for
 * ZeroMQ's I/O thread of a context, which the library starts itself.
 */
void
prio_set_named(const struct hvd *h, const char *comm)
{
	struct dirent	*e;
	char		 path[300], buf[32];
	DIR		*d;
	FILE		*f;

	if (!h->prio_ok || (d = opendir("/proc/self/task")) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm",
		    e->d_name);
		if (e->d_name[0] == '.' || (f = fopen(path, "re")) == NULL)
			continue;
		if (fgets(buf, sizeof(buf), f) != NULL &&
		    (buf[strcspn(buf, "\n")] = '\0', strcmp(buf, comm) == 0) &&
		    setpriority(PRIO_PROCESS, (id_t)atoi(e->d_name),
		    h->nice_bg) == -1)
			log_warn("[HV-PRIO] thread %s (%s) to nice %d",
			    e->d_name, comm, h->nice_bg);
		fclose(f);
	}
	closedir(d);
}

int
prio_get(void)
{
	int	n;

	errno = 0;
	n = getpriority(PRIO_PROCESS, (id_t)gettid());
	return errno == 0 ? n : 0;
}
