/*
 * state.c: a lab's state directory and the manifest of what it created.
 *
 * Every object is written to the manifest before it is created, so that
 * `nslab down` can remove exactly what the lab made, also after a
 * crashed or interrupted `up`, and nothing else.  Lines:
 *
 *	netns NAME
 *	bridge NAMESPACE NAME	(removed with its namespace)
 *	cgroup PATH
 *	proc NODE WHAT PID STARTTIME
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "labname.h"
#include "log.h"
#include "nslab.h"

#define STATE_CGROUP_TRIES	40	/* of 50 ms, for a busy leaf cgroup */

struct lab_state {
	char	lab[TOPO_NAME_MAX];
	char	dir[512];
	int	fd;		/* manifest, O_APPEND */
};

static struct lab_state *
state_new(const char *lab)
{
	struct lab_state	*st;

	if ((st = calloc(1, sizeof(*st))) == NULL)
		return NULL;
	snprintf(st->lab, sizeof(st->lab), "%s", lab);
	st->fd = -1;
	if (labname_labdir(lab, st->dir, sizeof(st->dir)) == NULL) {
		free(st);
		return NULL;
	}
	return st;
}

static int
state_open_manifest(struct lab_state *st, int flags)
{
	char	path[600];

	snprintf(path, sizeof(path), "%s/manifest", st->dir);
	st->fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC | flags, 0600);
	return st->fd == -1 ? -1 : 0;
}

/* A new lab: fails with EEXIST when its state directory exists. */
struct lab_state *
state_create(const char *lab)
{
	struct lab_state	*st;
	int			 saved;

	if ((st = state_new(lab)) == NULL)
		return NULL;
	if (mkdir(labname_rundir(), 0755) == -1 && errno != EEXIST)
		goto fail;
	if (mkdir(st->dir, 0755) == -1)
		goto fail;
	if (state_open_manifest(st, O_CREAT | O_EXCL) == -1)
		goto fail;
	return st;
fail:
	saved = errno;
	free(st);
	errno = saved;
	return NULL;
}

/* An existing lab: fails with ENOENT when there is none of that name. */
struct lab_state *
state_open(const char *lab)
{
	struct lab_state	*st;
	int			 saved;

	if ((st = state_new(lab)) == NULL)
		return NULL;
	if (state_open_manifest(st, 0) == -1) {
		saved = errno;
		free(st);
		errno = saved;
		return NULL;
	}
	return st;
}

void
state_close(struct lab_state *st)
{
	if (st == NULL)
		return;
	if (st->fd != -1)
		close(st->fd);
	free(st);
}

const char *
state_dir(const struct lab_state *st)
{
	return st->dir;
}

int
state_event(const struct lab_state *st, const char *fmt, ...)
{
	char		 path[600], when[32];
	struct tm	 tm;
	time_t		 now = time(NULL);
	va_list		 ap;
	FILE		*fp;
	int		 rc;

	snprintf(path, sizeof(path), "%s/events.log", st->dir);
	if ((fp = fopen(path, "a")) == NULL)
		return -1;
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(fp, "%s ", when);
	va_start(ap, fmt);
	vfprintf(fp, fmt, ap);
	va_end(ap);
	fputc('\n', fp);
	rc = ferror(fp) ? -1 : 0;
	if (fclose(fp) == EOF)
		rc = -1;
	return rc;
}

int
state_note(struct lab_state *st, const char *kind, const char *fmt, ...)
{
	char	line[700];
	int	n, m;
	va_list	ap;

	n = snprintf(line, sizeof(line), "%s ", kind);
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (m < 0 || (size_t)(n + m) >= sizeof(line) - 1) {
		errno = ENAMETOOLONG;
		return -1;
	}
	n += m;
	line[n++] = '\n';
	if (write(st->fd, line, (size_t)n) != n)
		return -1;
	return fdatasync(st->fd);
}

int
state_note_proc(struct lab_state *st, const char *node, const char *what,
    pid_t pid)
{
	unsigned long long	start;

	if (proc_starttime(pid, &start) == -1)
		return -1;
	return state_note(st, "proc", "%s %s %d %llu", node, what, (int)pid,
	    start);
}

/* Call fn for every manifest line of that kind, in order. */
typedef int (*state_line_fn)(void *arg, const char *rest);

static int
state_each(const struct lab_state *st, const char *kind, state_line_fn fn,
    void *arg)
{
	char	path[600], line[700];
	size_t	klen = strlen(kind);
	FILE	*f;
	int	rc = 0;

	snprintf(path, sizeof(path), "%s/manifest", st->dir);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, kind, klen) == 0 && line[klen] == ' ' &&
		    fn(arg, line + klen + 1) == -1)
			rc = -1;
	}
	fclose(f);
	return rc;
}

struct proc_list {
	struct lab_proc	*v;
	size_t		 n;
};

static int
state_add_proc(void *arg, const char *rest)
{
	struct proc_list	*pl = arg;
	struct lab_proc		 p, *nv;
	int			 pid;

	memset(&p, 0, sizeof(p));
	if (sscanf(rest, "%31s %15s %d %llu", p.node, p.what, &pid,
	    &p.start) != 4)
		return 0;
	p.pid = pid;
	if ((nv = reallocarray(pl->v, pl->n + 1, sizeof(*nv))) == NULL)
		return -1;
	pl->v = nv;
	pl->v[pl->n++] = p;
	return 0;
}

int
state_procs(const struct lab_state *st, struct lab_proc **procs, size_t *n)
{
	struct proc_list	pl = { NULL, 0 };

	if (state_each(st, "proc", state_add_proc, &pl) == -1) {
		free(pl.v);
		return -1;
	}
	*procs = pl.v;
	*n = pl.n;
	return 0;
}

struct state_last {
	char	*buf;
	size_t	 len;
	bool	 found;
};

static int
state_keep_last(void *arg, const char *rest)
{
	struct state_last	*l = arg;

	snprintf(l->buf, l->len, "%s", rest);
	l->found = true;
	return 0;
}

int
state_value(const struct lab_state *st, const char *kind, char *buf,
    size_t len)
{
	struct state_last	l = { buf, len, false };

	if (state_each(st, kind, state_keep_last, &l) == -1 || !l.found)
		return -1;
	return 0;
}

struct str_list {
	char	**v;
	size_t	  n;
};

static int
state_add_str(void *arg, const char *s)
{
	struct str_list	*sl = arg;
	char		**nv;

	if ((nv = reallocarray(sl->v, sl->n + 1, sizeof(*nv))) == NULL)
		return -1;
	sl->v = nv;
	if ((sl->v[sl->n] = strdup(s)) == NULL)
		return -1;
	sl->n++;
	return 0;
}

/*
 * What state_undo() removed, for `nslab down -v`: one line per object
 * on f (NULL: none), counted for the summary; the namespaces deleted
 * (their bridges went with them).
 */
struct state_report {
	FILE		*f;
	bool		 verbose;
	size_t		 procs, netns, bridges, cgroups;
	struct str_list	 gone;
};

static void
state_report(struct state_report *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
state_report(struct state_report *r, const char *fmt, ...)
{
	va_list	ap;

	if (r->f == NULL)
		return;
	va_start(ap, fmt);
	vfprintf(r->f, fmt, ap);
	va_end(ap);
	fputc('\n', r->f);
}

#define STATE_TERM_MS	3000	/* SIGTERM's grace, then SIGKILL */

/*
 * SIGTERM to the selected processes that are alive (true in alive[] for
 * those), then wait for them, at most STATE_TERM_MS.
 */
static void
state_term_wait(const struct lab_proc *p, size_t n, const bool *sel,
    bool *alive)
{
	size_t	i, left;
	int	waited;

	for (i = 0; i < n; i++)
		if (sel[i] && (alive[i] = proc_alive(p[i].pid, p[i].start)))
			kill(p[i].pid, SIGTERM);
	for (waited = 0; waited < STATE_TERM_MS; waited += 10) {
		for (i = 0, left = 0; i < n; i++)
			if (sel[i]) {
				waitpid(p[i].pid, NULL, WNOHANG);
				left += proc_alive(p[i].pid, p[i].start);
			}
		if (left == 0)
			break;
		proc_sleep_ms(10);
	}
}

/*
 * Stop every process: SIGTERM to all but the etcd nodes at once, then
 * to the etcd nodes one at a time, SIGKILL to what remains.  The etcd
 * nodes last: hvd may still write to the directory on its way out.  One
 * at a time: an etcd leader that stops hands its role to a member still
 * running, and waits for it up to its request time-out (seconds) when
 * that member is stopping too; the last one has nobody to hand it to.
 */
static int
state_stop_procs(const struct lab_state *st, struct state_report *r)
{
	struct lab_proc	*p;
	size_t		 n, i;
	bool		*alive, *sel;
	int		 rc = 0;

	if (state_procs(st, &p, &n) == -1)
		return -1;
	alive = calloc(n + 1, sizeof(*alive));
	sel = calloc(n + 1, sizeof(*sel));
	if (alive == NULL || sel == NULL) {
		free(alive);
		free(sel);
		free(p);
		return -1;
	}
	for (i = 0; i < n; i++)
		sel[i] = strcmp(p[i].what, "etcd") != 0;
	state_term_wait(p, n, sel, alive);
	for (i = 0; i < n; i++) {
		if (strcmp(p[i].what, "etcd") != 0)
			continue;
		memset(sel, 0, n * sizeof(*sel));
		sel[i] = true;
		state_term_wait(p, n, sel, alive);
	}
	free(sel);
	for (i = 0; i < n; i++) {
		if (proc_alive(p[i].pid, p[i].start)) {
			if (r->verbose)
				log_warnx("%s %s (pid %d) ignored SIGTERM, "
				    "killing it", p[i].node, p[i].what,
				    (int)p[i].pid);
			if (proc_stop(p[i].pid, p[i].start, 0) == -1) {
				rc = -1;
				continue;
			}
		}
		if (!alive[i])
			continue;
		r->procs++;
		if (strcmp(p[i].node, "-") == 0)	/* the lab's own */
			state_report(r, "stopped %s (pid %d)", p[i].what,
			    (int)p[i].pid);
		else
			state_report(r, "stopped %s of %s (pid %d)",
			    p[i].what, p[i].node, (int)p[i].pid);
	}
	free(alive);
	free(p);
	return rc;
}

static int
state_del_netns(void *arg, const char *name)
{
	struct state_report	*r = arg;
	bool			 existed = netns_exists(name);

	if (netns_delete(name) == -1) {
		log_warn("namespace %s", name);
		return -1;
	}
	if (!existed)
		return 0;
	r->netns++;
	state_report(r, "deleted namespace %s", name);
	return state_add_str(&r->gone, name);
}

/* "bridge NAMESPACE NAME": gone with its namespace. */
static int
state_bridge_gone(void *arg, const char *line)
{
	struct state_report	*r = arg;
	char			 ns[128], name[32];

	if (sscanf(line, "%127s %31s", ns, name) != 2)
		return 0;
	for (size_t i = 0; i < r->gone.n; i++) {
		if (strcmp(r->gone.v[i], ns) != 0)
			continue;
		r->bridges++;
		state_report(r, "removed bridge %s (namespace %s)", name, ns);
		break;
	}
	return 0;
}

/* Does the cgroup directory have child cgroups? */
static bool
state_cgroup_has_children(const char *path)
{
	struct dirent	*de;
	DIR		*d;
	bool		 kids = false;

	if ((d = opendir(path)) == NULL)
		return false;
	while (!kids && (de = readdir(d)) != NULL)
		kids = de->d_type == DT_DIR && strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0;
	closedir(d);
	return kids;
}

/*
 * rmdir a cgroup; a leaf still busy holds a process that was just
 * stopped and is not yet reaped: wait for it a little.
 */
static int
state_rmdir_cgroup(const char *path)
{
	for (int tries = 0; ; tries++) {
		if (rmdir(path) == 0)
			return 0;
		if (errno != EBUSY || tries == STATE_CGROUP_TRIES ||
		    state_cgroup_has_children(path))
			return -1;
		proc_sleep_ms(50);
	}
}

/* Remove cgroups deepest first; a shared parent still in use stays. */
static int
state_del_cgroups(const struct lab_state *st, struct state_report *r)
{
	struct str_list	sl = { NULL, 0 };
	int		rc = 0;

	if (state_each(st, "cgroup", state_add_str, &sl) == -1)
		rc = -1;
	while (sl.n > 0) {
		char	*path = sl.v[--sl.n];

		if (state_rmdir_cgroup(path) == 0) {
			r->cgroups++;
			state_report(r, "removed cgroup %s", path);
		} else if (errno != ENOENT && errno != EBUSY &&
		    errno != ENOTEMPTY) {
			log_warn("cgroup %s", path);
			rc = -1;
		}
		free(path);
	}
	free(sl.v);
	return rc;
}

static int
state_rm_entry(const char *path, const struct stat *sb, int flag,
    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path) == -1 && errno != ENOENT ? -1 : 0;
}

/* Thaw every guest first: a frozen process cannot act on a signal. */
static int
state_thaw(void *arg, const char *path)
{
	char	file[600];
	int	fd;

	(void)arg;
	snprintf(file, sizeof(file), "%s/freezer.state", path);
	if ((fd = open(file, O_WRONLY)) == -1)
		return 0;
	if (write(fd, "THAWED", 6) == -1)
		log_warn("thawing %s", path);
	close(fd);
	return 0;
}

static void
state_report_free(struct state_report *r)
{
	while (r->gone.n > 0)
		free(r->gone.v[--r->gone.n]);
	free(r->gone.v);
}

/*
 * Remove everything the manifest names, then the state directory.
 * Returns 0 when all of it is gone.
 */
int
state_undo(struct lab_state *st, bool verbose, FILE *report)
{
	struct state_report	r = { report, verbose, 0, 0, 0, 0,
				    { NULL, 0 } };
	int			rc = 0;

	state_each(st, "cgroup", state_thaw, NULL);
	if (state_stop_procs(st, &r) == -1)
		rc = -1;
	if (state_each(st, "netns", state_del_netns, &r) == -1)
		rc = -1;
	state_each(st, "bridge", state_bridge_gone, &r);
	if (state_del_cgroups(st, &r) == -1)
		rc = -1;
	if (rc == 0 && nftw(st->dir, state_rm_entry, 16,
	    FTW_DEPTH | FTW_PHYS) == -1) {
		log_warn("%s", st->dir);
		rc = -1;
	}
	if (rc == 0)
		state_report(&r, "removed state directory %s", st->dir);
	state_report(&r, "lab %s%s: %zu processes stopped, %zu namespaces, "
	    "%zu bridges and %zu cgroups removed%s", st->lab, rc == 0 ?
	    " removed" : " partly removed", r.procs, r.netns, r.bridges,
	    r.cgroups, rc == 0 ? ", and its state directory" : "");
	state_report_free(&r);
	return rc;
}

/* Names of every lab with a state directory, sorted. */
int
state_labs(char ***names, size_t *n)
{
	struct dirent	**ents;
	struct str_list	  sl = { NULL, 0 };
	int		  i, cnt;
	char		  path[600];

	if ((cnt = scandir(labname_rundir(), &ents, NULL, alphasort)) == -1) {
		*names = NULL;
		*n = 0;
		return errno == ENOENT ? 0 : -1;
	}
	for (i = 0; i < cnt; i++) {
		snprintf(path, sizeof(path), "%s/%s/manifest",
		    labname_rundir(), ents[i]->d_name);
		if (ents[i]->d_name[0] != '.' && access(path, F_OK) == 0)
			state_add_str(&sl, ents[i]->d_name);
		free(ents[i]);
	}
	free(ents);
	*names = sl.v;
	*n = sl.n;
	return 0;
}

/* The topology the lab was made from (a copy in its directory). */
struct topo *
state_topo(const struct lab_state *st)
{
	struct topo_diags	d = { NULL, 0 };
	struct topo		*t;
	char			 path[600];

	snprintf(path, sizeof(path), "%s/topology.yaml", st->dir);
	t = topo_load(path, &d);
	topo_diags_free(&d);
	return t;
}
