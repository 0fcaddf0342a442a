/*
 * verify.c: the routing checker's verdict on a moved guest, from
 * routecheck(8) run as a subprocess: routecheck LAB --guest GUEST -j
 * (or on the whole lab, routecheck LAB -j, for the console).
 * Exit 0: every invariant holds; 1: violations (listed in the JSON);
 * 3: it could not collect.  Violations that concern another guest of
 * the job still moving are not this guest's (verify_summary).
 */
#include <sys/wait.h>

#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "lgrd.h"
#include "log.h"

#define VERIFY_TRIES		3	/* routecheck runs at most */
#define VERIFY_SETTLE_MS	300	/* between two runs */
#define VERIFY_TIMEOUT_S	60
#define VERIFY_OUT_MAX		(1 << 20)

extern char	**environ;

static pid_t
verify_spawn(struct lgrd *d, const char *guest, int *out)
{
	posix_spawn_file_actions_t	 fa;
	char				*argv[] = { d->opts.routecheck, d->lab,
					    "-j", "--guest",
					    (char *)(uintptr_t)guest, NULL };
	pid_t				 pid;
	int				 p[2];

	if (guest == NULL)
		argv[3] = NULL;			/* the whole lab */
	if (pipe2(p, O_CLOEXEC) == -1)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], STDOUT_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null",
	    O_RDONLY, 0);
	errno = posix_spawn(&pid, d->opts.routecheck, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	if (errno != 0) {
		close(p[0]);
		return -1;
	}
	*out = p[0];
	return pid;
}

/* Read everything the child writes (bounded), then reap it. */
static int
verify_collect(pid_t pid, int fd, char *buf, size_t len)
{
	double	end = lgrd_now_ms() + VERIFY_TIMEOUT_S * 1000.0;
	size_t	off = 0;
	ssize_t	n;
	int	st;

	while (off + 1 < len && (n = read(fd, buf + off, len - off - 1)) > 0)
		off += (size_t)n;
	buf[off] = '\0';
	close(fd);
	while (waitpid(pid, &st, WNOHANG) == 0) {
		if (lgrd_now_ms() > end) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			return -1;
		}
		usleep(10000);
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static const char *
verify_str(struct json_object *o, const char *key)
{
	struct json_object	*v;

	return json_object_object_get_ex(o, key, &v) && v != NULL ?
	    json_object_get_string(v) : "?";
}

/* Does violation v concern a guest still moving: found on its router,
 * or about the route to its VIPA? */
static bool
verify_theirs(const struct topo *t, struct json_object *v,
    const char *const *movers, size_t n)
{
	const char	*router = verify_str(v, "router");
	const char	*prefix = verify_str(v, "prefix");
	char		 vipa[INET_ADDRSTRLEN + 4];
	int		 g;

	for (size_t i = 0; i < n; i++) {
		if (strcmp(router, movers[i]) == 0)
			return true;
		if ((g = topo_guest_find(t, movers[i])) == -1)
			continue;
		inet_ntop(AF_INET, &t->guests[g].vipa, vipa, sizeof(vipa));
		strcat(vipa, "/32");
		if (strcmp(prefix, vipa) == 0)
			return true;
	}
	return false;
}

static void
verify_first(struct json_object *f, size_t n, size_t aside, char *summary,
    size_t len)
{
	snprintf(summary, len, "%zu violation%s, first: %s at %s: %s in table "
	    "%s expected %s, found %s", n, n == 1 ? "" : "s",
	    verify_str(f, "name"), verify_str(f, "router"),
	    verify_str(f, "prefix"), verify_str(f, "table"),
	    verify_str(f, "expected"), verify_str(f, "found"));
	if (aside > 0)
		snprintf(summary + strlen(summary), len - strlen(summary),
		    " (%zu more concern guests still moving)", aside);
}

/*
 * routecheck -j's violations (out) less those that concern a guest of
 * movers[] (still moving: each of them verifies after its own move, when
 * this guest has settled, and finds them then if they are real).
 * Returns how many are left, -1 when out is not routecheck's JSON;
 * summary: "2 violations, first: NAME at ROUTER: PREFIX in table TABLE
 * expected X, found Y", or "ok" with how many were set aside.
 */
int
verify_summary(const struct topo *t, const char *out,
    const char *const *movers, size_t nmovers, char *summary, size_t len)
{
	return verify_summary_of(t, out, NULL, movers, nmovers, summary, len);
}

/* guest NULL: every violation. */
int
verify_summary_of(const struct topo *t, const char *out, const char *guest,
    const char *const *movers, size_t nmovers, char *summary, size_t len)
{
	struct json_object	*o = json_tokener_parse(out), *v, *f = NULL;
	size_t			 n = 0, aside = 0;
	int			 left = -1;

	snprintf(summary, len, "violations");
	if (o != NULL && json_object_object_get_ex(o, "violations", &v) &&
	    json_object_is_type(v, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			struct json_object *e = json_object_array_get_idx(v, i);

			if (guest != NULL && !verify_theirs(t, e, &guest, 1))
				continue;
			if (verify_theirs(t, e, movers, nmovers))
				aside++;
			else if (n++ == 0)
				f = e;
		}
		left = (int)n;
		if (n > 0)
			verify_first(f, n, aside, summary, len);
		else
			snprintf(summary, len, "ok (%zu violation%s set aside: "
			    "they concern guests still moving)", aside,
			    aside == 1 ? "" : "s");
	}
	json_object_put(o);
	return left;
}

/* One routecheck run: 0 clean, 1 violations left, -1 not collected. */
static int
verify_once(struct lgrd *d, const char *guest, const char *const *movers,
    size_t nmovers, char *summary, size_t len)
{
	char	*out;
	pid_t	 pid;
	int	 fd, rc;

	if (d->opts.routecheck[0] == '\0') {
		snprintf(summary, len, "routecheck not installed");
		return -1;
	}
	if ((out = malloc(VERIFY_OUT_MAX)) == NULL)
		return -1;
	if ((pid = verify_spawn(d, guest, &fd)) == -1) {
		snprintf(summary, len, "routecheck %s: %s", d->opts.routecheck,
		    strerror(errno));
		free(out);
		return -1;
	}
	rc = verify_collect(pid, fd, out, VERIFY_OUT_MAX);
	if (rc == 0)
		snprintf(summary, len, "ok");
	else if (rc == 1 && verify_summary(d->topo, out, movers, nmovers,
	    summary, len) == 0)
		rc = 0;
	else if (rc != 1)
		snprintf(summary, len, "routecheck could not collect (exit %d)",
		    rc);
	free(out);
	return rc == 0 ? 0 : rc == 1 ? 1 : -1;
}

/*
 * A violation seen right after a move can be a table still catching up
 * (zebra behind ospfd, a kernel behind zebra, a peer's SPF hold): ask
 * again a few times, VERIFY_SETTLE_MS apart.  A real violation stays and
 * is reported; one that went away was convergence, not an error.
 */
int
verify_guest(struct lgrd *d, const char *guest, const char *const *movers,
    size_t nmovers, char *summary, size_t len)
{
	int	rc, i;

	for (i = 0; (rc = verify_once(d, guest, movers, nmovers, summary,
	    len)) == 1 && i + 1 < VERIFY_TRIES; i++)
		usleep(VERIFY_SETTLE_MS * 1000);
	return rc;
}

int
verify_lab(struct lgrd *d, char **out)
{
	pid_t	pid;
	int	fd, rc;

	*out = NULL;
	if (d->opts.routecheck[0] == '\0') {
		errno = ENOENT;
		return -1;
	}
	if ((*out = malloc(VERIFY_OUT_MAX)) == NULL)
		return -1;
	if ((pid = verify_spawn(d, NULL, &fd)) == -1 ||
	    (rc = verify_collect(pid, fd, *out, VERIFY_OUT_MAX)) == -1) {
		free(*out);
		*out = NULL;
		return -1;
	}
	return rc;
}
