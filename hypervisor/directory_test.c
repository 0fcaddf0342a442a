/*
 * directory_test.c: the directory's schema and the membership
 * transitions: import, JOINING -> JOINED, heartbeat loss -> DOWN with
 * the member's guests LOST, the relocations it was sending ended and the
 * cluster SAFE, leave -> DOWN; a member declared DOWN while alive learns
 * it at its next tick (it must rejoin, not heartbeat on).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "hvd.h"
#include "log.h"

static int	booted;

/* Stubs of what member.c calls in the rest of hvd. */
int
hvd_guest_boot(struct hvd *h, int idx)
{
	booted++;
	return dir_exec(h->dir, "UPDATE residency SET state = 'RUNNING' WHERE"
	    " guest = ?", "s", h->conf->guests[idx].name) == 1 ? 0 : -1;
}

void
hvd_guest_drop(struct hvd *h, int idx)
{
	(void)h;
	(void)idx;
}

void
reloc_cleanup_journal(struct dir *d, const char *me)
{
	(void)d;
	(void)me;
}

struct fixture {
	char			 path[64];
	struct hv_config	 conf;
	struct hv_memberdef	 members[2];
	struct hv_guestdef	 guests[3];
	struct hvd		 h[2];
};

static void
fixture_guest(struct hv_guestdef *g, const char *name, int idx, int member)
{
	snprintf(g->name, sizeof(g->name), "%s", name);
	g->idx = idx;
	g->memory_mib = 256;
	strcpy(g->group, "LIT");
	strcpy(g->domain[0], "VM9");
	strcpy(g->domain[1], "VM2");
	g->ndomain = 2;
	g->initial = member;
}

static int
setup(void **state)
{
	struct fixture	*f = calloc(1, sizeof(*f));
	char		 dir[] = "/tmp/hvdirXXXXXX";
	int		 i;

	if (f == NULL || mkdtemp(dir) == NULL)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/cluster.db", dir);
	strcpy(f->conf.lab, "t");
	strcpy(f->members[0].name, "VM9");
	strcpy(f->members[1].name, "VM2");
	f->members[1].idx = 1;
	f->members[0].memory_mib = f->members[1].memory_mib = 1024;
	f->conf.members = f->members;
	f->conf.nmembers = 2;
	fixture_guest(&f->guests[0], "A", 0, 0);
	fixture_guest(&f->guests[1], "B", 1, 0);
	fixture_guest(&f->guests[2], "C", 2, 1);
	f->conf.guests = f->guests;
	f->conf.nguests = 3;
	for (i = 0; i < 2; i++) {
		f->h[i].conf = &f->conf;
		f->h[i].self = i;
		f->h[i].name = f->members[i].name;
		f->h[i].opts.heartbeat_ms = 100;
		f->h[i].opts.down_ms = 1000;
		f->h[i].opts.max_out = f->h[i].opts.max_in = 2;
		if ((f->h[i].dir = dir_open(f->path)) == NULL)
			return -1;
	}
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;
	char		 cmd[128];

	dir_close(f->h[0].dir);
	dir_close(f->h[1].dir);
	snprintf(cmd, sizeof(cmd), "rm -rf %.*s", (int)(strlen(f->path) -
	    strlen("/cluster.db")), f->path);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static void
expect_text(struct dir *d, const char *sql, const char *arg, const char *want)
{
	char	buf[64];

	assert_int_equal(dir_text(d, buf, sizeof(buf), sql, "s", arg), 1);
	if (strcmp(buf, want) != 0)
		fail_msg("%s [%s]: \"%s\", want \"%s\"", sql, arg, buf, want);
}

#define MEMBER_STATE	"SELECT state FROM members WHERE name = ?"
#define GUEST_STATE	"SELECT state FROM residency WHERE guest = ?"

static void
test_wal(void **state)
{
	struct fixture	*f = *state;
	char		 mode[16];

	assert_int_equal(dir_text(f->h[0].dir, mode, sizeof(mode),
	    "PRAGMA journal_mode", ""), 1);
	assert_string_equal(mode, "wal");
}

static void
test_import(void **state)
{
	struct fixture	*f = *state;
	int64_t		 n;

	assert_int_equal(member_import(f->h[0].dir, &f->conf), 0);
	/* Importing again changes nothing that exists. */
	assert_int_equal(member_import(f->h[1].dir, &f->conf), 0);
	dir_int(f->h[0].dir, &n, "SELECT count(*) FROM members", "");
	assert_int_equal(n, 2);
	expect_text(f->h[0].dir, MEMBER_STATE, "VM9", "DOWN");
	expect_text(f->h[0].dir, GUEST_STATE, "A", "STOPPED");
	expect_text(f->h[0].dir, "SELECT member FROM residency WHERE guest = ?",
	    "C", "VM2");
	expect_text(f->h[0].dir, "SELECT domain FROM guests WHERE name = ?",
	    "A", "VM9,VM2");
}

static void
test_transitions(void **state)
{
	struct fixture	*f = *state;
	struct dir	*d = f->h[0].dir;
	int64_t		 n;

	booted = 0;
	assert_int_equal(member_join(&f->h[0]), 0);
	assert_int_equal(booted, 2);			/* A and B */
	expect_text(d, MEMBER_STATE, "VM9", "JOINED");
	expect_text(d, GUEST_STATE, "A", "RUNNING");
	dir_int(d, &n, "SELECT count(*) FROM events WHERE msgid IN "
	    "('HV-MEMBER-JOINING', 'HV-MEMBER-JOINED')", "");
	assert_int_equal(n, 2);
	assert_int_equal(member_join(&f->h[1]), 0);
	assert_int_equal(booted, 3);			/* C on VM2 */
	assert_int_equal(member_cluster_mode(d), CLUSTER_STABLE);
	assert_true(member_alive(d, "VM2", 1000));

	/* Relocations in flight: one sent by VM2, one received by it. */
	assert_int_equal(dir_exec(d, "INSERT INTO journal (guest, src, dst, "
	    "phase) VALUES ('C', 'VM2', 'VM9', 'PRECOPY'), ('A', 'VM9', 'VM2', "
	    "'PRECOPY')", ""), 2);

	/* VM2 stops heartbeating: VM9 declares it DOWN, C is LOST. */
	dir_exec(d, "UPDATE members SET heartbeat_ms = ? WHERE name = 'VM2'",
	    "i", dir_now_ms() - 5000);
	assert_false(member_alive(d, "VM2", 1000));
	assert_int_equal(member_tick(&f->h[0]), 0);
	expect_text(d, MEMBER_STATE, "VM2", "DOWN");
	expect_text(d, "SELECT reason FROM members WHERE name = ?", "VM2",
	    "heartbeat lost");
	expect_text(d, GUEST_STATE, "C", "LOST");
	assert_int_equal(member_cluster_mode(d), CLUSTER_SAFE);
	expect_text(d, "SELECT value FROM cluster WHERE key = ?", "mode",
	    "SAFE");
	dir_int(d, &n, "SELECT count(*) FROM events WHERE msgid = "
	    "'HV-MEMBER-DOWN'", "");
	assert_int_equal(n, 1);
	/* What the dead member sent is over; what it received, its live
	 * source rolls back itself. */
	expect_text(d, "SELECT coalesce(end_code, 'open') FROM journal WHERE "
	    "src = ?", "VM2", "LOSTLINK");
	expect_text(d, "SELECT coalesce(end_code, 'open') FROM journal WHERE "
	    "src = ?", "VM9", "open");
	/* VM2 was only slow: its next tick says it must rejoin, and writes
	 * no heartbeat that would make it look alive. */
	assert_int_equal(member_tick(&f->h[1]), 1);
	assert_false(member_alive(d, "VM2", 1000));
	expect_text(d, MEMBER_STATE, "VM2", "DOWN");
	/* A second tick declares nothing twice. */
	assert_int_equal(member_tick(&f->h[0]), 0);
	dir_int(d, &n, "SELECT count(*) FROM events WHERE msgid = "
	    "'HV-MEMBER-DOWN'", "");
	assert_int_equal(n, 1);
	assert_int_equal(member_set_down(d, "VM2", "again"), 0);

	/* JOINING members make the cluster IN-FLUX. */
	dir_exec(d, "UPDATE residency SET state = 'STOPPED' WHERE guest = 'C'",
	    "");
	dir_exec(d, "UPDATE members SET state = 'JOINING' WHERE name = 'VM2'",
	    "");
	assert_int_equal(member_cluster_mode(d), CLUSTER_INFLUX);

	/* Leaving: DOWN, guests STOPPED. */
	assert_int_equal(member_leave(&f->h[0]), 0);
	expect_text(d, MEMBER_STATE, "VM9", "DOWN");
	expect_text(d, GUEST_STATE, "A", "STOPPED");
	assert_false(member_alive(d, "VM9", 1000));
}

static void
test_json(void **state)
{
	struct fixture		*f = *state;
	struct json_object	*a;

	member_import(f->h[0].dir, &f->conf);
	a = dir_json(f->h[0].dir, "SELECT name, idx FROM members ORDER BY idx",
	    "");
	assert_non_null(a);
	assert_int_equal(json_object_array_length(a), 2);
	assert_string_equal(json_object_get_string(json_object_object_get(
	    json_object_array_get_idx(a, 1), "name")), "VM2");
	json_object_put(a);
	assert_null(dir_json(f->h[0].dir, "SELECT nosuch FROM members", ""));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_wal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_import, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transitions, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_json, setup, teardown),
	};

	log_init("directory_test", LOG_TO_STDERR, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
