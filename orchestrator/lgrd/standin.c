/*
 * standin.c: the stand-in hypervisor, agents and routing of the unit
 * tests (standin.h), with the prototypes of lgrd.h.  A relocation
 * reports one pass of progress, then its end; a guest that moved runs
 * on its target from then on.
 */
#include <sys/stat.h>

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "log.h"
#include "standin.h"

#define REFERENCE	"../netns-lab/topologies/reference.yaml"

struct standin	standin;
static pthread_mutex_t	standin_lock = PTHREAD_MUTEX_INITIALIZER;	/* log */

struct hv {
	int	 polls;		/* hv_status calls of the running relocation */
	int64_t	 id;
	int	 guest;
	int	 dst;
};

static void
standin_log(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static void
standin_log(const char *fmt, ...)
{
	size_t	n;
	va_list	ap;

	pthread_mutex_lock(&standin_lock);	/* move threads run at once */
	n = strlen(standin.log);
	if (n > 0 && n + 2 < sizeof(standin.log)) {
		memcpy(standin.log + n, "; ", 3);
		n += 2;
	}
	va_start(ap, fmt);
	vsnprintf(standin.log + n, sizeof(standin.log) - n, fmt, ap);
	va_end(ap);
	pthread_mutex_unlock(&standin_lock);
}

void
standin_reset(const struct topo *t)
{
	memset(&standin, 0, sizeof(standin));
	standin.t = t;
	for (size_t i = 0; i < t->nguests && i < STANDIN_GUESTS; i++)
		standin.where[i] = t->guests[i].member;
	standin.converge_ms = 12;
}

bool
standin_called(const char *what)
{
	return strstr(standin.log, what) != NULL;
}

/* --- the daemon: a journal in a new directory ------------------------- */

/* routecheck's stand-in: prints rc.json, exits with rc.exit. */
void
standin_routecheck(struct lgrd *d, int code, const char *json)
{
	char	path[PATH_MAX + 16];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/rc.json", d->opts.labdir);
	if ((f = fopen(path, "w")) == NULL)
		return;
	fprintf(f, "%s\n", json);
	fclose(f);
	snprintf(path, sizeof(path), "%s/rc.exit", d->opts.labdir);
	if ((f = fopen(path, "w")) == NULL)
		return;
	fprintf(f, "%d\n", code);
	fclose(f);
}

int
standin_lgrd_open(struct lgrd *d)
{
	struct topo_diags	 diags = { 0 };
	char			 path[PATH_MAX + 16];
	FILE			*f;

	memset(d, 0, sizeof(*d));
	log_init("lgrd_test", LOG_TO_STDERR, 0);
	snprintf(d->opts.labdir, sizeof(d->opts.labdir),
	    "/tmp/lgrd_test.XXXXXX");
	if (mkdtemp(d->opts.labdir) == NULL)
		return -1;
	snprintf(d->lab, sizeof(d->lab), "t");
	if ((d->topo = topo_load(REFERENCE, &diags)) == NULL)
		return -1;
	topo_diags_free(&diags);
	snprintf(path, sizeof(path), "%s/lgr.db", d->opts.labdir);
	if ((d->db = journal_open(path)) == NULL)
		return -1;
	snprintf(d->opts.routecheck, sizeof(d->opts.routecheck),
	    "%.64s/routecheck", d->opts.labdir);
	if ((f = fopen(d->opts.routecheck, "w")) == NULL)
		return -1;
	fprintf(f, "#!/bin/sh\nd=$(dirname \"$0\")\ncat \"$d/rc.json\"\n"
	    "exit $(cat \"$d/rc.exit\")\n");
	fclose(f);
	chmod(d->opts.routecheck, 0755);
	d->opts.prepare_timeout_ms = 1000;
	d->opts.converge_timeout_ms = 20000;
	d->opts.reloc_timeout_s = 10;
	d->opts.probe = false;
	pthread_mutex_init(&d->lock, NULL);
	return 0;
}

int
standin_lgrd_close(struct lgrd *d)
{
	char	cmd[PATH_MAX + 16];

	journal_close(d->db);
	topo_free(d->topo);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", d->opts.labdir);
	return system(cmd) == 0 ? 0 : -1;
}

struct lgrd	standin_lgrd;

int
standin_setup(void **state)
{
	(void)state;
	return standin_lgrd_open(&standin_lgrd);
}

int
standin_teardown(void **state)
{
	(void)state;
	return standin_lgrd_close(&standin_lgrd);
}

/* --- hv.c -------------------------------------------------------------- */

struct hv *
hv_open(struct lgrd *d)
{
	(void)d;
	return calloc(1, sizeof(struct hv));
}

void
hv_close(struct hv *h)
{
	free(h);
}

static struct json_object *
standin_row(const char *k1, const char *v1, const char *k2, const char *v2)
{
	struct json_object	*o = json_object_new_object();

	json_object_object_add(o, k1, json_object_new_string(v1));
	json_object_object_add(o, k2, json_object_new_string(v2));
	return o;
}

struct json_object *
hv_guests(struct hv *h)
{
	const struct topo	*t = standin.t;
	struct json_object	*arr;

	(void)h;
	if (standin.hv_down)
		return NULL;
	arr = json_object_new_array();
	for (size_t i = 0; i < t->nguests; i++)
		json_object_array_add(arr, standin_row("name",
		    t->guests[i].name, "member",
		    t->members[standin.where[i]].name));
	return arr;
}

struct json_object *
hv_members(struct hv *h)
{
	const struct topo	*t = standin.t;
	struct json_object	*arr, *o;

	(void)h;
	if (standin.hv_down)
		return NULL;
	arr = json_object_new_array();
	for (size_t i = 0; i < t->nmembers; i++) {
		o = standin_row("name", t->members[i].name, "state", "JOINED");
		json_object_object_add(o, "memory_mib",
		    json_object_new_int64(8192));
		json_object_object_add(o, "used_mib", json_object_new_int64(0));
		json_object_object_add(o, "max_out",
		    json_object_new_int(standin.max_out[i]));
		json_object_array_add(arr, o);
	}
	return arr;
}

struct json_object *
hv_check(struct hv *h, const char *guest, const char *member)
{
	struct json_object	*arr;
	char			 name[32], text[128];

	(void)h;
	standin_log("check %s %s", guest, member);
	if (standin.hv_down)
		return NULL;
	arr = json_object_new_array();
	if (standin.conflict_guest != NULL &&
	    strcmp(standin.conflict_guest, guest) == 0) {
		sscanf(standin.conflict, "%31[^:]: %127[^\n]", name, text);
		json_object_array_add(arr, standin_row("name", name, "text",
		    text));
	}
	return arr;
}

int64_t
hv_relocate(struct hv *h, const char *guest, const char *src,
    const char *dst, int64_t max_quiesce_ms, char *reason, size_t len)
{
	(void)max_quiesce_ms;
	standin_log("relocate %s %s %s", guest, src, dst);
	if (standin.hv_down) {
		snprintf(reason, len, "hvd of %s does not answer", src);
		return -1;
	}
	h->guest = topo_guest_find(standin.t, guest);
	h->dst = topo_member_find(standin.t, dst);
	h->polls = 0;
	return h->id = 100 + h->guest;
}

/* How guest's relocation ends. */
static const char *
standin_end(const char *guest)
{
	if (standin.reloc_fail_guest != NULL &&
	    strcmp(standin.reloc_fail_guest, guest) == 0)
		return "MAXQUIESCE";
	return standin.reloc_end ? standin.reloc_end : "OK";
}

int
hv_status(struct hv *h, const char *member, const char *guest, int64_t *id,
    struct hv_progress *p)
{
	const char	*end = standin_end(guest);

	(void)member;
	memset(p, 0, sizeof(*p));
	if (h->id == 0 && standin.inflight_dst != NULL) {
		h->guest = topo_guest_find(standin.t, guest);
		h->dst = topo_member_find(standin.t, standin.inflight_dst);
		h->id = 100 + h->guest;
	}
	*id = h->id;
	snprintf(p->phase, sizeof(p->phase), "precopy");
	p->pass = 1;
	if (h->polls++ == 0)
		return 1;
	snprintf(p->end_code, sizeof(p->end_code), "%s", end);
	if (strcmp(end, "OK") == 0 && h->guest >= 0)
		standin.where[h->guest] = h->dst;
	return 1;
}

int
hv_result(struct hv *h, const char *member, const char *guest, int64_t id,
    double *total_ms, double *quiesce_ms, char *end_code, size_t len,
    char *text, size_t tlen)
{
	const char	*end = standin_end(guest);

	(void)h;
	(void)member;
	(void)id;
	*total_ms = 420.0;
	*quiesce_ms = 21.0;
	snprintf(end_code, len, "%s", end);
	snprintf(text, tlen, "%s", strcmp(end, "OK") == 0 ? "" :
	    "quiesce over budget");
	return 1;
}

int
hv_cancel(struct hv *h, const char *member, const char *guest)
{
	(void)h;
	(void)member;
	standin_log("cancel %s", guest);
	return 0;
}

const char *
hv_error(struct hv *h)
{
	(void)h;
	return standin.hv_down ? "hvd down" : "";
}

int
hv_where(struct hv *h, const char *guest, char *member, size_t len)
{
	int	g = topo_guest_find(standin.t, guest);

	(void)h;
	if (standin.hv_down || g < 0)
		return -1;
	snprintf(member, len, "%s", standin.t->members[standin.where[g]].name);
	return 0;
}

/* --- agent.c ------------------------------------------------------------- */

int
agent_prepare(struct lgrd *d, const char *guest, const char *const *peers,
    size_t npeers, unsigned timeout_ms, struct agent_result *r)
{
	(void)d;
	(void)peers;
	(void)timeout_ms;
	memset(r, 0, sizeof(*r));
	standin_log("prepare %s (%zu peers)", guest, npeers);
	if (standin.prepare_error != NULL) {
		snprintf(r->error, sizeof(r->error), "%s",
		    standin.prepare_error);
		return -1;
	}
	r->ok = true;
	r->ms = 3.0;
	return 0;
}

int
agent_complete(struct lgrd *d, const char *guest, const char *const *arriving,
    size_t narriving, struct agent_result *r)
{
	(void)d;
	memset(r, 0, sizeof(*r));
	if (narriving > 0)
		standin_log("complete %s (with %s%s)", guest, arriving[0],
		    narriving > 1 ? ", ..." : "");
	else
		standin_log("complete %s", guest);
	r->ok = true;
	r->ms = 2.0;
	snprintf(r->up, sizeof(r->up), "hsi1");
	r->full = true;
	return 0;
}

int
agent_ping(struct lgrd *d, const char *guest, char *err, size_t len)
{
	(void)d;
	(void)guest;
	(void)err;
	(void)len;
	return 0;
}

/* No agent answers its status (the console draws unknown links). */
int
agent_status(struct lgrd *d, const char *guest, int timeout_ms,
    struct json_object **status)
{
	(void)d;
	(void)guest;
	(void)timeout_ms;
	*status = NULL;
	return -1;
}

/* --- converge.c ------------------------------------------------------------ */

struct converge {
	int	guest;
};

struct converge *
converge_open(struct lgrd *d, int guest, const int *residency)
{
	struct converge	*c = malloc(sizeof(*c));

	(void)d;
	(void)residency;
	if (c != NULL)
		c->guest = guest;
	return c;
}

double
converge_wait(struct converge *c, unsigned timeout_ms, char *reason,
    size_t len)
{
	(void)c;
	if (standin.converge_ms < 0) {
		snprintf(reason, len, "ABR has no route to the VIPA");
		return -1;
	}
	(void)timeout_ms;
	return standin.converge_ms;
}

void
converge_close(struct converge *c)
{
	free(c);
}

int
converge_ping(struct lgrd *d, const char *router)
{
	(void)d;
	(void)router;
	return 0;
}
