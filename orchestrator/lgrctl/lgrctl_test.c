/*
 * lgrctl_test.c: the lgrctl program against a stand-in lgrd (the
 * control socket core of common/ctlsrv.h with lgrd's codec, in a
 * thread): an error comes alone, without a table header before it (text
 * and JSON), with its exit code; tables when there are rows; and no lgrd
 * at all, or a socket nobody answers, is known within 2 s with the
 * socket named.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "clock.h"
#include "ctlsrv.h"
#include "ctlstandin.h"
#include "labname.h"
#include "lgrctl.h"

static struct ctlstandin	fx;

/* One row {k1:v1, k2:v2, k3:v3}. */
static struct json_object *
row3(const char *k1, const char *v1, const char *k2, const char *v2,
    const char *k3, const char *v3)
{
	struct json_object	*o = json_object_new_object();

	json_object_object_add(o, k1, json_object_new_string(v1));
	json_object_object_add(o, k2, json_object_new_string(v2));
	json_object_object_add(o, k3, json_object_new_string(v3));
	return o;
}

/* What the stand-in answers: lgrd's texts and codes for these cases. */
static void
serve(struct ctlsrv_conn *c, const struct lgrd_request *rq)
{
	struct json_object	*o;

	switch (rq->type) {
	case LGRD_REQ_CHECK:
		if (strcmp(rq->to, "NOSUCH") == 0) {
			ctlsrv_error(c, REPLY_E_NOTFOUND, "unknown member %s",
			    rq->to);
			return;
		}
		o = row3("check", "hypervisor", "text", "eligible", "guest",
		    rq->guest);
		json_object_object_add(o, "ok", json_object_new_boolean(1));
		ctlsrv_data(c, o);
		break;
	case LGRD_REQ_PLAN:
		if (strcmp(rq->workload, "TIV") == 0) {
			ctlsrv_error(c, REPLY_E_EMPTY, "no guest of workload "
			    "TIV runs on the source members");
			return;
		}
		ctlsrv_error(c, REPLY_E_NOTFOUND, "unknown workload %s (known: "
		    "ALL, ECM, LIT, TIV)", rq->workload);
		return;
	case LGRD_REQ_AUDIT:
		ctlsrv_data(c, row3("who", "viewer", "what", "evacuate",
		    "result", "role viewer may not evacuate"));
		break;
	default:
		break;
	}
	ctlsrv_end(c);
}

static void
serve_all(struct ctlsrv *s, void *arg)
{
	struct ctlsrv_conn	c;
	struct lgrd_request	rq;

	(void)arg;
	while (ctlsrv_recv(s, &c, &rq) != -1)
		if (c.valid)
			serve(&c, &rq);
}

static int
setup(void **state)
{
	char	path[PATH_MAX];

	(void)state;
	fx.conf = (struct ctlsrv_conf){ .codec = &lgrd_codec, .msgid = "LGR" };
	fx.serve = serve_all;
	if (ctlstandin_init(&fx, "lgrctl_test") == -1)
		return -1;
	labname_lgrd_sock(fx.dir, path, sizeof(path));
	return ctlstandin_start(&fx, path);
}

static int
teardown(void **state)
{
	(void)state;
	return ctlstandin_stop(&fx);
}

struct run {
	int	 status;
	char	 out[2048];
	char	 err[2048];
	uint64_t ms;
};

static void
slurp(const char *path, char *buf, size_t len)
{
	FILE	*f = fopen(path, "r");
	size_t	 n = 0;

	if (f != NULL) {
		n = fread(buf, 1, len - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
}

/* lgrctl -D dir ARGS, its exit status, output and time. */
static void
lgrctl(struct run *r, const char *dir, const char *args)
{
	char		cmd[1024], out[128], err[128];
	uint64_t	t0 = clock_ms();
	int		st;

	snprintf(out, sizeof(out), "%s/out", fx.dir);
	snprintf(err, sizeof(err), "%s/err", fx.dir);
	snprintf(cmd, sizeof(cmd), "%s -D %s %s >%s 2>%s", LGRCTL_BIN, dir,
	    args, out, err);
	st = system(cmd);
	r->ms = clock_ms() - t0;
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	slurp(out, r->out, sizeof(r->out));
	slurp(err, r->err, sizeof(r->err));
}

static void
test_an_error_comes_alone(void **state)
{
	static const struct {
		const char	*args;
		int		 status;
		const char	*err;
	} cases[] = {
		{ "check LITDCON1 NOSUCH", LGRCTL_UNKNOWN,
		    "lgrctl: unknown member NOSUCH\n" },
		{ "-j check LITDCON1 NOSUCH", LGRCTL_UNKNOWN,
		    "lgrctl: unknown member NOSUCH\n" },
		{ "evacuate FOO --dry-run", LGRCTL_UNKNOWN,
		    "lgrctl: unknown workload FOO (known: ALL, ECM, LIT, "
		    "TIV)\n" },
		{ "evacuate TIV --dry-run", LGRCTL_EMPTY,
		    "lgrctl: no guest of workload TIV runs on the source "
		    "members\n" },
		{ "evacuate TIV --dry-run -j", LGRCTL_EMPTY,
		    "lgrctl: no guest of workload TIV runs on the source "
		    "members\n" },
	};
	struct run	r;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("lgrctl %s\n", cases[i].args);
		lgrctl(&r, fx.dir, cases[i].args);
		assert_int_equal(r.status, cases[i].status);
		assert_string_equal(r.out, "");
		assert_string_equal(r.err, cases[i].err);
	}
}

static void
test_rows_make_a_table(void **state)
{
	struct run	r;

	(void)state;
	lgrctl(&r, fx.dir, "check LITDCON1 VM2");
	assert_int_equal(r.status, LGRCTL_OK);
	assert_string_equal(r.out, "CHECK                  OK   TEXT\n"
	    "hypervisor             yes  eligible\n");
	lgrctl(&r, fx.dir, "audit");
	assert_int_equal(r.status, LGRCTL_OK);
	assert_non_null(strstr(r.out, "TIME                WHO          WHAT"));
	assert_non_null(strstr(r.out, " viewer       evacuate  -"));
	/* No rows, no error: the empty table. */
	lgrctl(&r, fx.dir, "-j history");
	assert_int_equal(r.status, LGRCTL_OK);
	assert_string_equal(r.out, "[\n]\n");
}

static void
test_no_lgrd_known_within_2s(void **state)
{
	struct sockaddr_un	 sun = { .sun_family = AF_UNIX };
	struct run		 r;
	char			 dir[80], cmd[256];
	int			 fd;

	(void)state;
	/* The lab's keys, no socket: lgrd is not running. */
	snprintf(dir, sizeof(dir), "%s/lab2", fx.dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(cmd, sizeof(cmd), "cp -a %s/keys %s/", fx.dir, dir);
	assert_int_equal(system(cmd), 0);
	lgrctl(&r, dir, "status");
	assert_int_equal(r.status, LGRCTL_UNREACHABLE);
	assert_non_null(strstr(r.err, "/lab2/lgrd.ctl"));
	assert_true(r.ms < 3000);
	/* A socket file nobody answers on (lgrd killed). */
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/lgrd.ctl", dir);
	assert_true((fd = socket(AF_UNIX, SOCK_STREAM, 0)) != -1);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);
	lgrctl(&r, dir, "status");
	assert_int_equal(r.status, LGRCTL_UNREACHABLE);
	assert_non_null(strstr(r.err, "/lab2/lgrd.ctl"));
	print_message("%s", r.err);
	assert_true(r.ms < 3000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_an_error_comes_alone),
		cmocka_unit_test(test_rows_make_a_table),
		cmocka_unit_test(test_no_lgrd_known_within_2s),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
