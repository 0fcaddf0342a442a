/*
 * frrjson_fuzz.c: libFuzzer target for what routecheck reads from FRR
 * and ospfd_lgr.so (frrjson.c) and from snapshot files (snapjson.c).
 * The first byte chooses the reader, the rest is the JSON text.  Beyond
 * not crashing or leaking: a snapshot that is refused says why, and
 * every route a reader accepted has a prefix length of 0-32.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "routecheck.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

static void
fuzz_check_table(const struct rc_table *t)
{
	size_t	i;

	for (i = 0; i < t->n; i++)
		if (t->v[i].len > 32)
			abort();
}

static void
fuzz_readers(uint8_t which, json_object *j)
{
	struct rc_snap		*s;
	struct rc_router	*r;
	char			 err[256] = "";

	if (which % 5 == 4) {
		if ((s = rc_snap_from_json(j, err, sizeof(err))) == NULL &&
		    err[0] == '\0')
			abort();
		rc_snap_free(s);
		return;
	}
	if ((s = rc_snap_new("fuzz")) == NULL ||
	    (r = rc_snap_router_add(s, "R")) == NULL) {
		rc_snap_free(s);
		return;
	}
	switch (which % 5) {
	case 0:
		rc_ospf_from_vty(&r->tables[RC_TABLE_OSPF], j);
		break;
	case 1:
		rc_zebra_from_vty(&r->tables[RC_TABLE_ZEBRA], j);
		break;
	case 2:
		rc_ospf_from_plugin(&r->tables[RC_TABLE_OSPF], j);
		break;
	case 3:
		rc_ospf_if_from_plugin(r, j);
		break;
	}
	fuzz_check_table(&r->tables[RC_TABLE_OSPF]);
	fuzz_check_table(&r->tables[RC_TABLE_ZEBRA]);
	rc_snap_free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct json_tokener	*tok;
	json_object		*j;

	if (len < 1 || (tok = json_tokener_new_ex(32)) == NULL)
		return 0;
	j = json_tokener_parse_ex(tok, (const char *)data + 1, (int)(len - 1));
	json_tokener_free(tok);
	if (j != NULL)
		fuzz_readers(data[0], j);
	json_object_put(j);
	return 0;
}
