/*
 * proc.c: processes the lab starts, known by pid and start time so that
 * a recycled pid is never signalled.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nslab.h"

/*
 * Niceness of the process and of its session's scheduling group: with
 * autogroup on, setsid() makes a group of its own and CPU time is shared
 * between groups first, so the process's own niceness alone would not
 * count against the lab's hundreds of other sessions.
 */
static int
proc_nice(int nice)
{
	char	buf[16];
	int	fd;

	if (setpriority(PRIO_PROCESS, 0, nice) == -1)
		return -1;
	if ((fd = open("/proc/self/autogroup", O_WRONLY)) == -1)
		return 0;		/* kernel without autogroup */
	snprintf(buf, sizeof(buf), "%d", nice);
	if (write(fd, buf, strlen(buf)) == -1 && errno != EINVAL) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static void
proc_child(const struct proc_spec *ps)
{
	int	fd;

	setsid();
	signal(SIGPIPE, SIG_DFL);	/* nslab ignores it (sig.h) */
	if (ps->nice != 0 && proc_nice(ps->nice) == -1)
		_exit(126);
	if (ps->nsfd != -1 && netns_enter(ps->nsfd) == -1)
		_exit(126);
	if (ps->cgroup != NULL) {
		char	path[512], pid[32];

		snprintf(path, sizeof(path), "%s/cgroup.procs", ps->cgroup);
		snprintf(pid, sizeof(pid), "%d", (int)getpid());
		if ((fd = open(path, O_WRONLY)) == -1 ||
		    write(fd, pid, strlen(pid)) == -1)
			_exit(126);
		close(fd);
	}
	if ((fd = open("/dev/null", O_RDONLY)) != -1) {
		dup2(fd, 0);
		close(fd);
	}
	if (ps->log != NULL &&
	    (fd = open(ps->log, O_WRONLY | O_CREAT | O_APPEND, 0640)) != -1) {
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
	}
	execv(ps->argv[0], ps->argv);
	_exit(127);
}

/* Start argv[0] in the given namespace and cgroup; returns its pid. */
pid_t
proc_spawn(const struct proc_spec *ps)
{
	pid_t	pid;

	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0)
		proc_child(ps);
	return pid;
}

/* Field 22 of /proc/PID/stat, and the state letter in *state. */
static int
proc_stat(pid_t pid, unsigned long long *st, char *state)
{
	char	path[64], buf[1024], *p;
	FILE	*f;
	int	i;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	if (fgets(buf, sizeof(buf), f) == NULL) {
		fclose(f);
		errno = EIO;
		return -1;
	}
	fclose(f);
	if ((p = strrchr(buf, ')')) == NULL || p[1] == '\0') {
		errno = EINVAL;
		return -1;
	}
	p += 2;
	*state = *p;
	for (i = 3; i < 22 && p != NULL; i++)
		if ((p = strchr(p, ' ')) != NULL)
			p++;
	if (p == NULL) {
		errno = EINVAL;
		return -1;
	}
	*st = strtoull(p, NULL, 10);
	return 0;
}

int
proc_starttime(pid_t pid, unsigned long long *st)
{
	char	state;

	return proc_stat(pid, st, &state);
}

/* The process exists, is not a zombie, and started at st. */
bool
proc_alive(pid_t pid, unsigned long long st)
{
	unsigned long long	now;
	char			state;

	if (proc_stat(pid, &now, &state) == -1)
		return false;
	return now == st && state != 'Z';
}

/* The process started at st is stopped (SIGSTOP: state T). */
bool
proc_stopped(pid_t pid, unsigned long long st)
{
	unsigned long long	now;
	char			state;

	return proc_stat(pid, &now, &state) == 0 && now == st &&
	    (state == 'T' || state == 't');
}

void
proc_sleep_ms(int ms)
{
	struct timespec	ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/*
 * SIGTERM, then SIGKILL after timeout_ms; reaps it when it is our
 * child.  Returns 0 when the process is gone (or was already).
 */
int
proc_stop(pid_t pid, unsigned long long st, int timeout_ms)
{
	int	waited;

	if (!proc_alive(pid, st))
		return 0;
	kill(pid, SIGTERM);
	for (waited = 0; waited < timeout_ms; waited += 10) {
		waitpid(pid, NULL, WNOHANG);
		if (!proc_alive(pid, st))
			return 0;
		proc_sleep_ms(10);
	}
	kill(pid, SIGKILL);
	for (waited = 0; waited < 2000; waited += 10) {
		waitpid(pid, NULL, WNOHANG);
		if (!proc_alive(pid, st))
			return 0;
		proc_sleep_ms(10);
	}
	errno = ETIMEDOUT;
	return -1;
}

/* Proportional set size of a process in KiB, or -1. */
long
proc_pss_kib(pid_t pid)
{
	char	path[64], line[256];
	FILE	*f;
	long	kib = -1;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "Pss: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}
