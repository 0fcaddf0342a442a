/*
 * dir_bench.c: latency of the directory's operations on one backend
 * (bench/dir_bench.sh runs it on SQLite and etcd).  Prints one JSON
 * object: the medians, in microseconds, of a residency compare-and-swap
 * (read then claim), an event append and a history read (a guest with
 * 20 finished relocations).
 *
 *	hv_dir_bench sqlite FILE [N]
 *	hv_dir_bench etcd HOST:PORT,... [N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "clock.h"
#include "directory.h"
#include "log.h"

#define BENCH_HISTORY	20

static int
bench_cmp(const void *a, const void *b)
{
	const uint64_t	*x = a, *y = b;

	return (*x > *y) - (*x < *y);
}

static double
bench_median(uint64_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), bench_cmp);
	return n % 2 ? (double)v[n / 2] / 1e3 :
	    (double)(v[n / 2 - 1] + v[n / 2]) / 2e3;
}

static void
bench_conf(struct hv_config *c, struct hv_memberdef *m,
    struct hv_guestdef *g)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->lab, sizeof(c->lab), "dirbench%d", (int)(clock_ms() %
	    100000));
	snprintf(m[0].name, sizeof(m[0].name), "VM9");
	snprintf(m[1].name, sizeof(m[1].name), "VM2");
	m[1].idx = 1;
	m[0].memory_mib = m[1].memory_mib = 4096;
	snprintf(g->name, sizeof(g->name), "BENCH1");
	g->memory_mib = 64;
	snprintf(g->group, sizeof(g->group), "G");
	snprintf(g->domain[0], sizeof(g->domain[0]), "VM9");
	snprintf(g->domain[1], sizeof(g->domain[1]), "VM2");
	g->ndomain = 2;
	c->members = m;
	c->nmembers = 2;
	c->guests = g;
	c->nguests = 1;
}

/* BENCH_HISTORY finished relocations of the guest. */
static int
bench_history(struct dir *d, const struct hv_config *c)
{
	struct elig_conflict	cf[HV_CONFLICT_MAX];
	struct dir_journal	j;
	struct dir_history	h;
	struct dir_residency	r;
	int64_t			id, token;
	size_t			n;
	int			i;

	memset(&h, 0, sizeof(h));
	h.end_code = "OK";
	h.text = "";
	for (i = 0; i < BENCH_HISTORY; i++) {
		memset(&j, 0, sizeof(j));
		j.guest = "BENCH1";
		j.src = i % 2 ? "VM2" : "VM9";
		j.dst = i % 2 ? "VM9" : "VM2";
		j.who = "bench";
		j.reserved_mib = 64;
		if (dir_residency(d, "BENCH1", &r) != 1 ||
		    dir_residency_claim(d, "BENCH1", j.src, r.rev) != 1 ||
		    dir_journal_open(d, c, &c->guests[0], &j, 0, cf, &n, &id,
		    &token) == -1 ||
		    dir_reloc_commit(d, "BENCH1", id, j.src, j.dst, token) != 1 ||
		    dir_reloc_done(d, "BENCH1", id, &h) == -1)
			return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct hv_memberdef	 m[2];
	struct hv_guestdef	 g;
	struct hv_config	 c;
	struct dir_conf		 dc;
	struct dir_residency	 r;
	struct json_object	*rows;
	struct dir		*d;
	uint64_t		*t[3], t0;
	size_t			 i, n = argc > 3 ? strtoul(argv[3], NULL, 10) :
	    200;

	if (argc < 3 || n == 0) {
		fprintf(stderr, "usage: hv_dir_bench sqlite|etcd WHERE [N]\n");
		return 2;
	}
	log_init("hv_dir_bench", LOG_TO_STDERR, 0);
	memset(&g, 0, sizeof(g));
	memset(m, 0, sizeof(m));
	bench_conf(&c, m, &g);
	memset(&dc, 0, sizeof(dc));
	dc.kind = strcmp(argv[1], "etcd") == 0 ? DIR_ETCD : DIR_SQLITE;
	dc.ttl_s = DIR_TTL_S;
	snprintf(dc.lab, sizeof(dc.lab), "%s", c.lab);
	snprintf(dc.kind == DIR_ETCD ? dc.endpoints : dc.path,
	    sizeof(dc.path), "%s", argv[2]);
	if ((d = dir_open(&dc)) == NULL || dir_import(d, &c) == -1 ||
	    dir_member_join(d, "VM9", MEMBER_JOINED, "bench") == -1 ||
	    dir_member_state(d, "VM2", MEMBER_JOINED, "bench") == -1 ||
	    bench_history(d, &c) == -1) {
		fprintf(stderr, "hv_dir_bench: directory %s not usable\n",
		    argv[2]);
		return 1;
	}
	for (i = 0; i < 3; i++)
		if ((t[i] = calloc(n, sizeof(uint64_t))) == NULL)
			return 1;
	for (i = 0; i < n; i++) {
		t0 = clock_ns();
		if (dir_residency(d, "BENCH1", &r) != 1 ||
		    dir_residency_claim(d, "BENCH1", i % 2 ? "VM2" : "VM9",
		    r.rev) != 1)
			return 1;
		t[0][i] = clock_ns() - t0;
		t0 = clock_ns();
		if (dir_event(d, "HV-BENCH", "VM9", "BENCH1", "event %zu", i) ==
		    -1)
			return 1;
		t[1][i] = clock_ns() - t0;
		t0 = clock_ns();
		if ((rows = dir_history_json(d, "BENCH1")) == NULL ||
		    json_object_array_length(rows) != BENCH_HISTORY)
			return 1;
		json_object_put(rows);
		t[2][i] = clock_ns() - t0;
	}
	printf("{\"backend\": \"%s\", \"n\": %zu, \"cas_us\": %.1f, "
	    "\"event_us\": %.1f, \"history_us\": %.1f}\n", argv[1], n,
	    bench_median(t[0], n), bench_median(t[1], n),
	    bench_median(t[2], n));
	dir_member_leave(d, "VM9");
	dir_close(d);
	return 0;
}
