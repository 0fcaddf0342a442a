/*
 * walk_test.c: the YAML key-table walker on a small schema of its own
 * (a shelf of boxes), good and bad documents, with the exact messages
 * and positions.
 */
#include "topo_test.h"
#include "topo_priv.h"

struct box {
	char			 name[8];
	unsigned		 count;
	bool			 open;
	struct in_addr		 addr;
	struct in_addr		 host;
	struct topo_prefix	 net;
	uint64_t		 size_mib;
	int			 color;
	struct topo_pos		 pos, name_pos, count_pos, open_pos, addr_pos;
	struct topo_pos		 host_pos, net_pos, size_pos, color_pos;
	bool			 checked;
};

struct shelf {
	struct box	*boxes;
	size_t		 nboxes;
	char		 label[8];
	struct topo_pos	 label_pos;
};

static int
color_ref(struct walk *w, yaml_node_t *n, const char *s)
{
	if (strcmp(s, "red") == 0)
		return 0;
	if (strcmp(s, "blue") == 0)
		return 1;
	walk_error(w, n, "color '%s' is not red or blue", s);
	return -1;
}

static void
box_init(void *obj)
{
	struct box	*b = obj;

	b->count = 1;
	b->color = -1;
}

static void
box_check(struct walk *w, yaml_node_t *n, void *obj)
{
	struct box	*b = obj;

	b->checked = true;
	if (b->count == 0 && walk_get(w, n, "count") != NULL)
		walk_error(w, walk_get(w, n, "count"), "an empty box");
}

static const struct walk_key box_keys[] = {
	WALK_KEY("name", WALK_STR, true, struct box, name, name_pos),
	WALK_KEY("count", WALK_UINT, false, struct box, count, count_pos),
	WALK_KEY("open", WALK_BOOL, false, struct box, open, open_pos),
	WALK_KEY("addr", WALK_ADDR, false, struct box, addr, addr_pos),
	WALK_KEY("host", WALK_HOST32, false, struct box, host, host_pos),
	WALK_KEY("net", WALK_PREFIX, false, struct box, net, net_pos),
	WALK_KEY("size", WALK_MEMORY, false, struct box, size_mib, size_pos),
	WALK_KEY_REF("color", false, struct box, color, color_pos, color_ref),
};

static const struct walk_list box_list = {
	"box", "", sizeof(struct box), offsetof(struct box, pos), box_keys,
	WALK_NKEYS(box_keys), box_init, box_check
};

static void
shelf_boxes(struct walk *w, yaml_node_t *n, void *obj)
{
	struct shelf	*s = obj;

	s->boxes = walk_list(w, n, "", &box_list, &s->nboxes);
}

static const struct walk_key shelf_keys[] = {
	WALK_KEY("label", WALK_STR, true, struct shelf, label, label_pos),
	WALK_KEY_FN("boxes", true, shelf_boxes),
};

static bool
shelf_root(struct walk *w, yaml_node_t *root)
{
	walk_mapping_in(w, "shelf", root, shelf_keys, WALK_NKEYS(shelf_keys),
	    w->arg);
	return root->type == YAML_MAPPING_NODE;
}

/* Walk text into s; the messages, formatted, into msgs (n at most). */
static size_t
shelf_walk(const char *text, struct shelf *s, char msgs[][256], size_t n)
{
	struct topo_diags	d = { NULL, 0 };
	struct walk		w;
	size_t			i, count;

	memset(s, 0, sizeof(*s));
	memset(&w, 0, sizeof(w));
	w.file = "shelf.yaml";
	w.diags = &d;
	w.ctx = "shelf";
	w.arg = s;
	walk_document(&w, text, strlen(text), shelf_root, "empty shelf");
	assert_false(w.nomem);
	topo_diags_sort(&d, 0);
	for (i = 0; i < d.n && i < n; i++)
		topo_diag_format(&d.v[i], msgs[i], sizeof(msgs[i]));
	count = d.n;
	topo_diags_free(&d);
	return count;
}

static void
test_good(void **state)
{
	static const char	 text[] =
	    "label: top\n"
	    "boxes:\n"
	    "  - { name: a, count: 3, open: true, addr: 10.0.0.1,\n"
	    "      host: 10.0.0.2/32, net: 10.1.0.0/16, size: 2G,\n"
	    "      color: blue }\n"
	    "  - name: b\n";
	struct shelf		 s;
	char			 msgs[4][256];

	(void)state;
	assert_int_equal(shelf_walk(text, &s, msgs, 4), 0);
	assert_string_equal(s.label, "top");
	assert_int_equal(s.nboxes, 2);
	assert_string_equal(s.boxes[0].name, "a");
	assert_int_equal(s.boxes[0].count, 3);
	assert_true(s.boxes[0].open);
	assert_int_equal(ntohl(s.boxes[0].addr.s_addr), 0x0a000001);
	assert_int_equal(ntohl(s.boxes[0].host.s_addr), 0x0a000002);
	assert_int_equal(ntohl(s.boxes[0].net.addr.s_addr), 0x0a010000);
	assert_int_equal(s.boxes[0].net.len, 16);
	assert_int_equal(s.boxes[0].size_mib, 2048);
	assert_int_equal(s.boxes[0].color, 1);
	assert_true(s.boxes[0].checked);
	/* positions: the item's, the value's, the item's for absent keys */
	assert_int_equal(s.boxes[0].pos.line, 3);
	assert_int_equal(s.boxes[0].pos.col, 5);
	assert_int_equal(s.boxes[0].size_pos.line, 4);
	assert_int_equal(s.boxes[0].size_pos.col, 50);
	assert_int_equal(s.boxes[1].count, 1);		/* box_init */
	assert_int_equal(s.boxes[1].color, -1);
	assert_int_equal(s.boxes[1].count_pos.line, 6);
	assert_int_equal(s.boxes[1].count_pos.col, 5);
	free(s.boxes);
}

static void
test_bad(void **state)
{
	static const struct {
		const char	*text;
		const char	*want[4];
	} cases[] = {
		{ "", { "shelf.yaml:1:1: empty shelf" } },
		{ "label: [x\n", { "shelf.yaml:2:1: YAML syntax error: did "
		    "not find expected ',' or ']' (while parsing a flow "
		    "sequence at line 1, column 8)" } },
		{ "- x\n", { "shelf.yaml:1:1: shelf: expected a mapping with "
		    "keys label, boxes, not a list" } },
		{ "label: x\nboxes: []\nlabel: y\nshape: round\n", {
		    "shelf.yaml:3:1: shelf: key 'label' given twice",
		    "shelf.yaml:4:1: shelf: unknown key 'shape' (allowed: "
		    "label, boxes)" } },
		{ "label: toolongname\nboxes: 1\n", {
		    "shelf.yaml:1:8: shelf: label 'toolongname' is too long "
		    "(at most 7 characters)",
		    "shelf.yaml:2:8: shelf: boxes must be a list, not a "
		    "single value" } },
		{ "label: x\nboxes:\n - { count: -1, open: yes, addr: 1.2.3 }"
		    "\n", {
		    "shelf.yaml:3:4: box #1: missing key 'name'",
		    "shelf.yaml:3:13: box #1: count '-1' is not a non-negative "
		    "integer",
		    "shelf.yaml:3:23: box #1: open 'yes' is not true or false",
		    "shelf.yaml:3:34: box #1: addr '1.2.3' is not an IPv4 "
		    "address (a.b.c.d)" } },
		{ "label: x\nboxes:\n - { name: a, host: 1.2.3.0/24, net: "
		    "1/8, size: 3K }\n", {
		    "shelf.yaml:3:21: box a: host '1.2.3.0/24' must be a host "
		    "address (a.b.c.d/32)",
		    "shelf.yaml:3:38: box a: net '1/8' is not an IPv4 prefix "
		    "(a.b.c.d/0-32)",
		    "shelf.yaml:3:49: box a: size '3K' is not a size (a number "
		    "and M, G or T, e.g. 256M or 8G)" } },
		{ "label: x\nboxes:\n - { name: a, color: [red], count: 0 }\n",
		    {
		    "shelf.yaml:3:22: box a: color must be a single value, not "
		    "a list",
		    "shelf.yaml:3:36: box a: an empty box" } },
		{ "label: x\nboxes:\n - { name: a, color: green }\n", {
		    "shelf.yaml:3:22: box a: color 'green' is not red or "
		    "blue" } },
	};
	struct shelf	s;
	char		msgs[4][256];
	size_t		i, j, n, want;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = shelf_walk(cases[i].text, &s, msgs, 4);
		for (want = 0; want < 4 && cases[i].want[want] != NULL; want++)
			;
		for (j = 0; j < n && j < 4; j++)
			if (j >= want || strcmp(msgs[j], cases[i].want[j]) != 0)
				print_error("case %zu: got  %s\n", i, msgs[j]);
		assert_int_equal(n, want);
		for (j = 0; j < want; j++)
			assert_string_equal(msgs[j], cases[i].want[j]);
		free(s.boxes);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
