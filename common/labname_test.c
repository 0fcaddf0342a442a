/*
 * labname_test.c: where a lab keeps things: names, socket paths, the
 * run directory override, buffers too small, and picking the lab.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "labname.h"

static void
test_names(void **state)
{
	char	buf[128];

	(void)state;
	unsetenv("NSLAB_RUNDIR");
	assert_string_equal(labname_rundir(), "/run/nslab");
	assert_string_equal(labname_labdir("ref", buf, sizeof(buf)),
	    "/run/nslab/ref");
	assert_string_equal(labname_nodedir("ref", "VM9", buf, sizeof(buf)),
	    "/run/nslab/ref/VM9");
	assert_string_equal(labname_netns("ref", "LITDCON1", buf,
	    sizeof(buf)), "ref.LITDCON1");
	assert_string_equal(labname_switch_netns("ref", buf, sizeof(buf)),
	    "ref:sw");
	assert_string_equal(labname_lan_bridge(1, buf, sizeof(buf)), "vs1");
	assert_string_equal(labname_hsi_bridge(0, buf, sizeof(buf)), "hs0");
	assert_string_equal(labname_guest_hostif(3, 2, buf, sizeof(buf)),
	    "g3n2");
	assert_string_equal(labname_abr_hostif(1, buf, sizeof(buf)), "a1");
	assert_string_equal(labname_cgroup("ref", "LITDCON1", buf,
	    sizeof(buf)), "/sys/fs/cgroup/freezer/nslab/ref/LITDCON1");
	assert_string_equal(labname_host_netns("refh", "CPC9", buf,
	    sizeof(buf)), "refh:CPC9");
	assert_string_equal(labname_underlay_netns("refh", buf, sizeof(buf)),
	    "refh:ul");
	assert_string_equal(labname_underlay_hostif(2, buf, sizeof(buf)),
	    "u2");
	assert_string_equal(labname_vxlan(1, buf, sizeof(buf)), "vx1");
	assert_string_equal(labname_hsi_uplink_bridge(1, buf, sizeof(buf)),
	    "hp1");
	assert_string_equal(labname_host_cgroup("refh", "DC", buf,
	    sizeof(buf)), "/sys/fs/cgroup/freezer/nslab/refh/host.DC");
}

static void
test_sockets(void **state)
{
	char	buf[128], ep[160];

	(void)state;
	assert_string_equal(labname_hvd_sock("/run/nslab/ref", "VM9", buf,
	    sizeof(buf)), "/run/nslab/ref/hvd-VM9.ctl");
	assert_string_equal(labname_lgrd_sock("/run/nslab/ref", buf,
	    sizeof(buf)), "/run/nslab/ref/lgrd.ctl");
	assert_string_equal(labname_agent_sock("/run/nslab/ref", "LITDCON1",
	    buf, sizeof(buf)), "/run/nslab/ref/LITDCON1/agent.ctl");
	assert_string_equal(labname_plugin_sock("/run/nslab/ref", "LITDCON1",
	    buf, sizeof(buf)), "/run/nslab/ref/LITDCON1/lgr.ctl");
	assert_string_equal(labname_plugin_events("/run/nslab/ref", "ABR",
	    buf, sizeof(buf)), "/run/nslab/ref/ABR/lgr.ev");
	assert_string_equal(labname_ipc(buf, ep, sizeof(ep)),
	    "ipc:///run/nslab/ref/ABR/lgr.ev");
}

static void
test_too_long(void **state)
{
	char	buf[16];

	(void)state;
	errno = 0;
	assert_null(labname_hvd_sock("/run/nslab/ref", "VM9", buf,
	    sizeof(buf)));
	assert_int_equal(errno, ENAMETOOLONG);
	errno = 0;
	assert_null(labname_labdir("a-rather-long-lab-name", buf,
	    sizeof(buf)));
	assert_int_equal(errno, ENAMETOOLONG);
	assert_null(labname_ipc("/run/nslab/ref/x", buf, sizeof(buf)));
}

/* -D wins, then -l, then the only lab under the run directory. */
static void
test_pick(void **state)
{
	char	dir[] = "/tmp/labname_test.XXXXXX", buf[256], path[300];

	(void)state;
	assert_non_null(mkdtemp(dir));
	setenv("NSLAB_RUNDIR", dir, 1);
	assert_string_equal(labname_rundir(), dir);
	assert_string_equal(labname_pick("/x/y", "ref", buf, sizeof(buf)),
	    "/x/y");
	snprintf(path, sizeof(path), "%s/ref", dir);
	assert_string_equal(labname_pick(NULL, "ref", buf, sizeof(buf)),
	    path);
	assert_null(labname_pick(NULL, NULL, buf, sizeof(buf)));  /* none */
	assert_int_equal(mkdir(path, 0700), 0);
	assert_string_equal(labname_pick(NULL, NULL, buf, sizeof(buf)),
	    path);
	snprintf(path, sizeof(path), "%s/other", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_null(labname_pick(NULL, NULL, buf, sizeof(buf)));  /* two */
	rmdir(path);
	snprintf(path, sizeof(path), "%s/ref", dir);
	rmdir(path);
	rmdir(dir);
	unsetenv("NSLAB_RUNDIR");
}

/* A pid file names a live process, a dead one, or nothing usable. */
static void
test_pid_alive(void **state)
{
	char	path[] = "/tmp/labname_pid.XXXXXX", buf[64];
	FILE	*f;
	pid_t	child;
	int	fd;

	(void)state;
	assert_string_equal(labname_hvd_pidfile("/run/nslab/ref", "VM2", buf,
	    sizeof(buf)), "/run/nslab/ref/hvd-VM2.pid");
	assert_int_not_equal(fd = mkstemp(path), -1);
	close(fd);
	f = fopen(path, "w");
	fprintf(f, "%d\n", (int)getpid());
	fclose(f);
	assert_int_equal(labname_pid_alive(path), 1);
	if ((child = fork()) == 0)
		_exit(0);
	waitpid(child, NULL, 0);
	f = fopen(path, "w");
	fprintf(f, "%d\n", (int)child);
	fclose(f);
	assert_int_equal(labname_pid_alive(path), 0);
	f = fopen(path, "w");
	fprintf(f, "garbage\n");
	fclose(f);
	assert_int_equal(labname_pid_alive(path), 0);
	unlink(path);
	errno = 0;
	assert_int_equal(labname_pid_alive(path), -1);
	assert_int_equal(errno, ENOENT);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_sockets),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_pick),
		cmocka_unit_test(test_pid_alive),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
