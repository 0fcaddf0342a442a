/*
 * verify.c: the routing checker's verdict on a moved guest, from
 * routecheck(8) run as a subprocess: routecheck LAB --guest GUEST -j
 * (or on the whole lab, routecheck LAB -j, for the console).
 * Exit 0: every invariant holds; 1: violations (listed in the JSON);
 * 3: it could not collect.
 */
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "lgrd.h"
#include "log.h"

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
	time_t	end = time(NULL) + VERIFY_TIMEOUT_S;
	size_t	off = 0;
	ssize_t	n;
	int	st;

	while (off + 1 < len && (n = read(fd, buf + off, len - off - 1)) > 0)
		off += (size_t)n;
	buf[off] = '\0';
	close(fd);
	while (waitpid(pid, &st, WNOHANG) == 0) {
		if (time(NULL) > end) {
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

/* "2 violations, first: NAME at ROUTER: PREFIX in TABLE expected X, found
 * Y", text for the REASON column (routecheck -j's violations). */
void
verify_summary(const char *out, char *summary, size_t len)
{
	struct json_object	*o = json_tokener_parse(out), *v, *f;
	size_t			 n = 0;

	snprintf(summary, len, "violations");
	if (o != NULL && json_object_object_get_ex(o, "violations", &v) &&
	    json_object_is_type(v, json_type_array) &&
	    (n = json_object_array_length(v)) > 0) {
		f = json_object_array_get_idx(v, 0);
		snprintf(summary, len, "%zu violation%s, first: %s at %s: %s in "
		    "table %s expected %s, found %s", n, n == 1 ? "" : "s",
		    verify_str(f, "name"), verify_str(f, "router"),
		    verify_str(f, "prefix"), verify_str(f, "table"),
		    verify_str(f, "expected"), verify_str(f, "found"));
	}
	json_object_put(o);
}

int
verify_guest(struct lgrd *d, const char *guest, char *summary, size_t len)
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
	else if (rc == 1)
		verify_summary(out, summary, len);
	else
		snprintf(summary, len, "routecheck could not collect (exit %d)",
		    rc);
	free(out);
	return rc == 0 ? 0 : rc == 1 ? 1 : -1;
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
