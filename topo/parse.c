/*
 * parse.c: the topology file (YAML) to the model.
 *
 * libyaml's document API loads the file into a node tree that keeps
 * the start position of every node.  Each kind of mapping is described
 * by a table of its keys (the type of each value, where it goes, where
 * its position goes), so that unknown, repeated and missing keys are
 * found in one place.  Names of members, LANs and groups are resolved
 * to indexes here; everything semantic is left to validate.c.  Every
 * error is reported, not just the first.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "topo.h"
#include "topo_priv.h"

#define PARSE_MSG_MAX	512
#define PARSE_CTX_MAX	128
#define NOPOS		SIZE_MAX

struct parser {
	struct topo		*t;
	struct topo_diags	*diags;
	yaml_document_t		 doc;
	const char		*ctx;		/* "guest LITDCON1" */
	const char		*key;		/* key being parsed */
	bool			 nomem;
};

typedef void (*parse_fn)(struct parser *, yaml_node_t *, void *);
typedef void (*parse_section_fn)(struct parser *, yaml_node_t *);

enum parse_type {
	PT_STR,		/* char[size] */
	PT_UINT,	/* unsigned */
	PT_BOOL,	/* bool */
	PT_ADDR,	/* struct in_addr */
	PT_HOST32,	/* struct in_addr, written a.b.c.d or a.b.c.d/32 */
	PT_PREFIX,	/* struct topo_prefix */
	PT_MEMORY,	/* uint64_t MiB, written 256M, 8G, 1T */
	PT_MEMBER,	/* int, index in topo->members */
	PT_LAN,		/* int, index in topo->lans */
	PT_GROUP,	/* int, index in topo->groups */
	PT_FN,		/* fn(parser, value, object) */
	PT_LATER,	/* known key, read by the caller */
};

struct parse_key {
	const char	*name;
	enum parse_type	 type;
	bool		 required;
	size_t		 off;		/* value in the object */
	size_t		 size;		/* PT_STR: buffer size */
	size_t		 pos;		/* its struct topo_pos, or NOPOS */
	parse_fn	 fn;
};

#define KEY(n, ty, req, st, f, fpos)					\
	{ n, ty, req, offsetof(st, f), sizeof(((st *)0)->f),		\
	    offsetof(st, fpos), NULL }
#define KEY_NOPOS(n, ty, req, st, f)					\
	{ n, ty, req, offsetof(st, f), sizeof(((st *)0)->f), NOPOS, NULL }
#define KEY_FN(n, req, fn)	{ n, PT_FN, req, 0, 0, NOPOS, fn }
#define KEY_FNPOS(n, req, st, fpos, fn)					\
	{ n, PT_FN, req, 0, 0, offsetof(st, fpos), fn }
#define KEY_LATER(n, req)	{ n, PT_LATER, req, 0, 0, NOPOS, NULL }
#define NKEYS(a)		(sizeof(a) / sizeof((a)[0]))

static void	parse_timers(struct parser *, yaml_node_t *, void *);
static void	parse_spf(struct parser *, yaml_node_t *, void *);
static void	parse_abr_ifs(struct parser *, yaml_node_t *, void *);
static void	parse_backbone(struct parser *, yaml_node_t *, void *);
static void	parse_group_members(struct parser *, yaml_node_t *, void *);
static void	parse_nics(struct parser *, yaml_node_t *, void *);
static void	parse_nic_kind(struct parser *, yaml_node_t *, void *);

static const struct parse_key top_keys[] = {
	KEY("lab", PT_STR, true, struct topo, name, name_pos),
	KEY_LATER("area", true),
	KEY_LATER("members", true),
	KEY_LATER("lans", true),
	KEY_LATER("abr", true),
	KEY_LATER("groups", true),
	KEY_LATER("guests", true),
};

static const struct parse_key area_keys[] = {
	KEY("id", PT_ADDR, true, struct topo_area, id, id_pos),
	KEY("stub", PT_BOOL, false, struct topo_area, stub, stub_pos),
	KEY("no-summary", PT_BOOL, false, struct topo_area, no_summary,
	    no_summary_pos),
	KEY("default-cost", PT_UINT, false, struct topo_area, default_cost,
	    default_cost_pos),
	KEY("proactive-arp", PT_BOOL, false, struct topo_area, proactive_arp,
	    proactive_arp_pos),
	KEY_FN("timers", false, parse_timers),
};

static const struct parse_key timer_keys[] = {
	KEY("hello", PT_UINT, false, struct topo_timers, hello, hello_pos),
	KEY("dead", PT_UINT, false, struct topo_timers, dead, dead_pos),
	KEY("hello-multiplier", PT_UINT, false, struct topo_timers,
	    hello_multiplier, hello_multiplier_pos),
	KEY_FN("spf", false, parse_spf),
	KEY("lsa-throttle", PT_UINT, false, struct topo_timers, lsa_throttle,
	    lsa_throttle_pos),
	KEY("lsa-min-arrival", PT_UINT, false, struct topo_timers,
	    lsa_min_arrival, lsa_min_arrival_pos),
	KEY("retransmit", PT_UINT, false, struct topo_timers, retransmit,
	    retransmit_pos),
};

static const struct parse_key member_keys[] = {
	KEY("name", PT_STR, true, struct topo_member, name, name_pos),
	KEY("cpc", PT_STR, true, struct topo_member, cpc, cpc_pos),
	KEY("hipersockets", PT_PREFIX, true, struct topo_member, hsi_lan,
	    hsi_lan_pos),
	KEY("memory", PT_MEMORY, true, struct topo_member, memory_mib,
	    memory_pos),
};

static const struct parse_key lan_keys[] = {
	KEY("name", PT_STR, true, struct topo_lan, name, name_pos),
	KEY("subnet", PT_PREFIX, true, struct topo_lan, subnet, subnet_pos),
};

static const struct parse_key abr_keys[] = {
	KEY("name", PT_STR, true, struct topo_abr, name, name_pos),
	KEY("router-id", PT_ADDR, true, struct topo_abr, router_id,
	    router_id_pos),
	KEY_FN("interfaces", true, parse_abr_ifs),
	KEY_FN("backbone", true, parse_backbone),
};

static const struct parse_key backbone_keys[] = {
	KEY("name", PT_STR, true, struct topo_abr, backbone_if,
	    backbone_if_pos),
	KEY("address", PT_PREFIX, true, struct topo_abr, backbone,
	    backbone_pos),
};

static const struct parse_key abr_if_keys[] = {
	KEY("name", PT_STR, true, struct topo_abr_if, name, name_pos),
	KEY("lan", PT_LAN, true, struct topo_abr_if, lan, lan_pos),
	KEY("address", PT_PREFIX, true, struct topo_abr_if, addr, addr_pos),
	KEY("cost", PT_UINT, true, struct topo_abr_if, cost, cost_pos),
	KEY("priority", PT_UINT, true, struct topo_abr_if, priority,
	    priority_pos),
};

static const struct parse_key group_keys[] = {
	KEY("name", PT_STR, true, struct topo_group, name, name_pos),
	KEY("pattern", PT_STR, true, struct topo_group, pattern, pattern_pos),
	KEY_FN("members", true, parse_group_members),
};

static const struct parse_key guest_keys[] = {
	KEY("name", PT_STR, true, struct topo_guest, name, name_pos),
	KEY("vipa", PT_HOST32, true, struct topo_guest, vipa, vipa_pos),
	KEY("vipa-cost", PT_UINT, false, struct topo_guest, vipa_cost,
	    vipa_cost_pos),
	KEY("group", PT_GROUP, true, struct topo_guest, group, group_pos),
	KEY("memory", PT_MEMORY, true, struct topo_guest, memory_mib,
	    memory_pos),
	KEY("member", PT_MEMBER, true, struct topo_guest, member, member_pos),
	KEY_FNPOS("nics", true, struct topo_guest, nics_pos, parse_nics),
};

static const struct parse_key nic_keys[] = {
	KEY("name", PT_STR, true, struct topo_nic, name, name_pos),
	KEY_FN("kind", true, parse_nic_kind),
	KEY("lan", PT_LAN, false, struct topo_nic, lan, ref_pos),
	KEY("member", PT_MEMBER, false, struct topo_nic, member, ref_pos),
	KEY("address", PT_PREFIX, true, struct topo_nic, addr, addr_pos),
	KEY("cost", PT_UINT, true, struct topo_nic, cost, cost_pos),
	KEY("priority", PT_UINT, true, struct topo_nic, priority,
	    priority_pos),
};

/* Positions and messages */

static struct topo_pos
parse_pos(const struct parser *p, const yaml_node_t *n)
{
	struct topo_pos	pos;

	pos.file = p->t->file;
	pos.line = (unsigned)n->start_mark.line + 1;
	pos.col = (unsigned)n->start_mark.column + 1;
	pos.invalid = false;
	return pos;
}

static void
parse_error(struct parser *p, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
parse_error(struct parser *p, const yaml_node_t *n, const char *fmt, ...)
{
	struct topo_pos	pos = parse_pos(p, n);
	char		msg[PARSE_MSG_MAX];
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (topo_diag_add(p->diags, &pos, "%s: %s", p->ctx, msg) == -1)
		p->nomem = true;
}

static const char *
node_kind(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_MAPPING_NODE:
		return "a mapping";
	case YAML_SEQUENCE_NODE:
		return "a list";
	default:
		return "a single value";
	}
}

/* The node's text, or NULL (reported) when it is not a single value. */
static const char *
parse_scalar(struct parser *p, yaml_node_t *n)
{
	if (n->type != YAML_SCALAR_NODE) {
		parse_error(p, n, "%s must be a single value, not %s", p->key,
		    node_kind(n));
		return NULL;
	}
	return (const char *)n->data.scalar.value;
}

static yaml_node_t *
mapping_get(struct parser *p, yaml_node_t *map, const char *key)
{
	yaml_node_pair_t	*pair;
	yaml_node_t		*k;

	if (map->type != YAML_MAPPING_NODE)
		return NULL;
	for (pair = map->data.mapping.pairs.start;
	    pair < map->data.mapping.pairs.top; pair++) {
		k = yaml_document_get_node(&p->doc, pair->key);
		if (k != NULL && k->type == YAML_SCALAR_NODE &&
		    strcmp((char *)k->data.scalar.value, key) == 0)
			return yaml_document_get_node(&p->doc, pair->value);
	}
	return NULL;
}

/*
 * "parent: what NAME", or "parent: what #i" when the mapping has no
 * usable name; with what "", "parent: NAME" or "parent: unnamed #i".
 */
static void
parse_ctx(struct parser *p, const char *parent, yaml_node_t *map,
    const char *what, const char *unnamed, size_t i, char *buf, size_t len)
{
	yaml_node_t	*n = mapping_get(p, map, "name");
	const char	*sep = parent[0] != '\0' ? ": " : "";

	if (n != NULL && n->type == YAML_SCALAR_NODE &&
	    n->data.scalar.length > 0)
		snprintf(buf, len, "%s%s%s%s%s", parent, sep, what,
		    what[0] != '\0' ? " " : "", n->data.scalar.value);
	else
		snprintf(buf, len, "%s%s%s #%zu", parent, sep,
		    what[0] != '\0' ? what : unnamed, i + 1);
}

/* Scalar converters */

static int
conv_uint(const char *s, unsigned *out)
{
	unsigned long long	v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned)(*s - '0');
		if (v > UINT_MAX)
			return -1;
	}
	*out = (unsigned)v;
	return 0;
}

static int
conv_bool(const char *s, bool *out)
{
	if (strcmp(s, "true") == 0)
		*out = true;
	else if (strcmp(s, "false") == 0)
		*out = false;
	else
		return -1;
	return 0;
}

static int
conv_addr(const char *s, struct in_addr *out)
{
	return inet_pton(AF_INET, s, out) == 1 ? 0 : -1;
}

static int
conv_prefix(const char *s, struct topo_prefix *out)
{
	char		 buf[INET_ADDRSTRLEN];
	const char	*slash = strchr(s, '/');
	unsigned	 len;

	if (slash == NULL || (size_t)(slash - s) >= sizeof(buf))
		return -1;
	memcpy(buf, s, (size_t)(slash - s));
	buf[slash - s] = '\0';
	if (conv_addr(buf, &out->addr) == -1 ||
	    strlen(slash + 1) > 2 || conv_uint(slash + 1, &len) == -1 ||
	    len > 32)
		return -1;
	out->len = (uint8_t)len;
	return 0;
}

static int
conv_memory(const char *s, uint64_t *mib)
{
	uint64_t	v = 0, unit;
	const char	*p;

	for (p = s; *p >= '0' && *p <= '9'; p++) {
		if (v > UINT64_MAX / 10 - 9)
			return -1;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (p == s || p[0] == '\0' || p[1] != '\0')
		return -1;
	switch (*p) {
	case 'M':
		unit = 1;
		break;
	case 'G':
		unit = 1024;
		break;
	case 'T':
		unit = 1024 * 1024;
		break;
	default:
		return -1;
	}
	if (v > UINT64_MAX / unit)
		return -1;
	*mib = v * unit;
	return 0;
}

/* Name look-ups, with the valid names in the message on failure */

static void
names_list(const char *first, size_t stride, size_t n, char *buf,
    size_t len)
{
	size_t	i, used = 0;
	int	w;

	buf[0] = '\0';
	for (i = 0; i < n && used < len; i++) {
		w = snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
		    first + i * stride);
		if (w < 0)
			break;
		used += (size_t)w;
	}
	if (n == 0)
		snprintf(buf, len, "none");
}

static int
parse_ref(struct parser *p, yaml_node_t *n, const char *s,
    enum parse_type type)
{
	const struct topo	*t = p->t;
	char			 names[256];
	int			 i;

	switch (type) {
	case PT_MEMBER:
		if ((i = topo_member_find(t, s)) >= 0)
			return i;
		names_list(t->members ? t->members[0].name : "",
		    sizeof(t->members[0]), t->nmembers, names, sizeof(names));
		parse_error(p, n, "member '%s' is not a member of this lab "
		    "(members: %s)", s, names);
		break;
	case PT_LAN:
		if ((i = topo_lan_find(t, s)) >= 0)
			return i;
		names_list(t->lans ? t->lans[0].name : "", sizeof(t->lans[0]),
		    t->nlans, names, sizeof(names));
		parse_error(p, n, "lan '%s' is not a VSWITCH LAN of this lab "
		    "(lans: %s)", s, names);
		break;
	default:
		if ((i = topo_group_find(t, s)) >= 0)
			return i;
		names_list(t->groups ? t->groups[0].name : "",
		    sizeof(t->groups[0]), t->ngroups, names, sizeof(names));
		parse_error(p, n, "group '%s' is not defined (groups: %s)", s,
		    names);
		break;
	}
	return -1;
}

static int
parse_host32(struct parser *p, const struct parse_key *k, yaml_node_t *n,
    const char *s, void *field)
{
	struct topo_prefix	pfx;

	if (conv_addr(s, field) == 0)
		return 0;
	if (conv_prefix(s, &pfx) == 0 && pfx.len == 32) {
		memcpy(field, &pfx.addr, sizeof(pfx.addr));
		return 0;
	}
	if (conv_prefix(s, &pfx) == 0)
		parse_error(p, n, "%s '%s' must be a host address "
		    "(a.b.c.d/32)", k->name, s);
	else
		parse_error(p, n, "%s '%s' is not an IPv4 address "
		    "(a.b.c.d/32)", k->name, s);
	return -1;
}

/* One value of a key table into its object; -1 when rejected. */
static int
parse_value(struct parser *p, const struct parse_key *k, yaml_node_t *n,
    void *obj)
{
	char		*field = (char *)obj + k->off;
	const char	*s;

	if (k->type == PT_FN) {
		k->fn(p, n, obj);
		return 0;
	}
	if ((s = parse_scalar(p, n)) == NULL)
		return -1;
	switch (k->type) {
	case PT_STR:
		if (strlen(s) >= k->size) {
			parse_error(p, n, "%s '%s' is too long (at most %zu "
			    "characters)", k->name, s, k->size - 1);
			return -1;
		}
		memcpy(field, s, strlen(s) + 1);
		return 0;
	case PT_UINT:
		if (conv_uint(s, (unsigned *)(void *)field) == 0)
			return 0;
		parse_error(p, n, "%s '%s' is not a non-negative integer",
		    k->name, s);
		return -1;
	case PT_BOOL:
		if (conv_bool(s, (bool *)(void *)field) == 0)
			return 0;
		parse_error(p, n, "%s '%s' is not true or false", k->name, s);
		return -1;
	case PT_ADDR:
		if (conv_addr(s, (struct in_addr *)(void *)field) == 0)
			return 0;
		parse_error(p, n, "%s '%s' is not an IPv4 address (a.b.c.d)",
		    k->name, s);
		return -1;
	case PT_HOST32:
		return parse_host32(p, k, n, s, field);
	case PT_PREFIX:
		if (conv_prefix(s, (struct topo_prefix *)(void *)field) == 0)
			return 0;
		parse_error(p, n, "%s '%s' is not an IPv4 prefix "
		    "(a.b.c.d/0-32)", k->name, s);
		return -1;
	case PT_MEMORY:
		if (conv_memory(s, (uint64_t *)(void *)field) == 0)
			return 0;
		parse_error(p, n, "%s '%s' is not a size (a number and M, G "
		    "or T, e.g. 256M or 8G)", k->name, s);
		return -1;
	default:
		*(int *)(void *)field = parse_ref(p, n, s, k->type);
		return *(int *)(void *)field >= 0 ? 0 : -1;
	}
}

static const struct parse_key *
key_find(const struct parse_key *keys, size_t nkeys, const char *name)
{
	size_t	i;

	for (i = 0; i < nkeys; i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

static void
keys_list(const struct parse_key *keys, size_t nkeys, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < nkeys; i++)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
		    i ? ", " : "", keys[i].name);
}

static struct topo_pos *
key_pos(const struct parse_key *k, void *obj)
{
	if (k->pos == NOPOS)
		return NULL;
	return (struct topo_pos *)(void *)((char *)obj + k->pos);
}

static void
parse_pair(struct parser *p, yaml_node_t *kn, yaml_node_t *vn,
    const struct parse_key *keys, size_t nkeys, uint32_t *seen, void *obj)
{
	const struct parse_key	*k;
	struct topo_pos		*pos;
	const char		*oldkey = p->key;
	char			 allowed[PARSE_MSG_MAX / 2];

	if (kn->type != YAML_SCALAR_NODE) {
		parse_error(p, kn, "a key must be a single word, not %s",
		    node_kind(kn));
		return;
	}
	if ((k = key_find(keys, nkeys, (char *)kn->data.scalar.value)) ==
	    NULL) {
		keys_list(keys, nkeys, allowed, sizeof(allowed));
		parse_error(p, kn, "unknown key '%s' (allowed: %s)",
		    kn->data.scalar.value, allowed);
		return;
	}
	if (*seen & (1U << (k - keys))) {
		parse_error(p, kn, "key '%s' given twice", k->name);
		return;
	}
	*seen |= 1U << (k - keys);
	if (k->type == PT_LATER)
		return;
	if ((pos = key_pos(k, obj)) != NULL)
		*pos = parse_pos(p, vn);
	p->key = k->name;
	if (parse_value(p, k, vn, obj) == -1 && pos != NULL)
		pos->invalid = true;
	p->key = oldkey;
}

/*
 * A mapping described by keys into obj.  Positions of absent keys are
 * the mapping's own; a missing required key marks its position invalid.
 */
static void
parse_mapping(struct parser *p, yaml_node_t *map,
    const struct parse_key *keys, size_t nkeys, void *obj)
{
	struct topo_pos		 mpos = parse_pos(p, map), *pos;
	yaml_node_pair_t	*pair;
	uint32_t		 seen = 0;
	char			 allowed[PARSE_MSG_MAX / 2];
	size_t			 i;

	for (i = 0; i < nkeys; i++)
		if ((pos = key_pos(&keys[i], obj)) != NULL)
			*pos = mpos;
	if (map->type != YAML_MAPPING_NODE) {
		keys_list(keys, nkeys, allowed, sizeof(allowed));
		parse_error(p, map, "expected a mapping with keys %s, not %s",
		    allowed, node_kind(map));
		seen = 0;
	} else {
		for (pair = map->data.mapping.pairs.start;
		    pair < map->data.mapping.pairs.top; pair++)
			parse_pair(p, yaml_document_get_node(&p->doc,
			    pair->key), yaml_document_get_node(&p->doc,
			    pair->value), keys, nkeys, &seen, obj);
	}
	for (i = 0; i < nkeys; i++) {
		if (!keys[i].required || (seen & (1U << i)))
			continue;
		if ((pos = key_pos(&keys[i], obj)) != NULL)
			pos->invalid = true;
		if (map->type == YAML_MAPPING_NODE)
			parse_error(p, map, "missing key '%s'", keys[i].name);
	}
}

/* A list's items; NULL and *count 0 when empty or not a list. */
static void *
parse_list(struct parser *p, yaml_node_t *n, size_t size, size_t *count)
{
	size_t	 len;
	void	*v;

	*count = 0;
	if (n->type != YAML_SEQUENCE_NODE) {
		parse_error(p, n, "%s must be a list, not %s", p->key,
		    node_kind(n));
		return NULL;
	}
	len = (size_t)(n->data.sequence.items.top -
	    n->data.sequence.items.start);
	if (len == 0)
		return NULL;
	if ((v = calloc(len, size)) == NULL) {
		p->nomem = true;
		return NULL;
	}
	*count = len;
	return v;
}

static yaml_node_t *
list_item(struct parser *p, yaml_node_t *n, size_t i)
{
	return yaml_document_get_node(&p->doc, n->data.sequence.items.start[i]);
}

/* One list item that is a mapping, with "parent: what NAME" as context. */
static void
parse_item(struct parser *p, const char *parent, yaml_node_t *item,
    const char *what, size_t i, const struct parse_key *keys, size_t nkeys,
    void *obj)
{
	const char	*oldctx = p->ctx;
	char		 ctx[PARSE_CTX_MAX];

	parse_ctx(p, parent, item, what, "interface", i, ctx, sizeof(ctx));
	p->ctx = ctx;
	parse_mapping(p, item, keys, nkeys, obj);
	p->ctx = oldctx;
}

/* Area and timers */

static void
parse_spf(struct parser *p, yaml_node_t *n, void *obj)
{
	struct topo_timers	*tm = obj;
	unsigned		*v[3] = { &tm->spf_delay, &tm->spf_hold,
				    &tm->spf_max_hold };
	yaml_node_t		*item;
	size_t			 i;

	tm->spf_pos = parse_pos(p, n);
	if (n->type != YAML_SEQUENCE_NODE ||
	    n->data.sequence.items.top - n->data.sequence.items.start != 3) {
		parse_error(p, n, "spf must be a list of three numbers of ms: "
		    "[delay, initial hold, maximum hold]");
		tm->spf_pos.invalid = true;
		return;
	}
	for (i = 0; i < 3; i++) {
		item = list_item(p, n, i);
		if (item->type == YAML_SCALAR_NODE &&
		    conv_uint((char *)item->data.scalar.value, v[i]) == 0)
			continue;
		parse_error(p, item, "spf value '%s' is not a non-negative "
		    "integer", item->type == YAML_SCALAR_NODE ?
		    (char *)item->data.scalar.value : "");
		tm->spf_pos.invalid = true;
	}
}

static void
parse_timers(struct parser *p, yaml_node_t *n, void *obj)
{
	struct topo_area	*a = obj;
	const char		*oldctx = p->ctx;

	p->ctx = "area: timers";
	parse_mapping(p, n, timer_keys, NKEYS(timer_keys), &a->timers);
	p->ctx = oldctx;
}

static void
parse_area(struct parser *p, yaml_node_t *n)
{
	struct topo_area	*a = &p->t->area;
	struct topo_timers	*tm = &a->timers;

	tm->hello_pos = tm->dead_pos = tm->hello_multiplier_pos =
	    tm->spf_pos = tm->lsa_throttle_pos = tm->lsa_min_arrival_pos =
	    tm->retransmit_pos = a->pos = parse_pos(p, n);
	p->ctx = "area";
	parse_mapping(p, n, area_keys, NKEYS(area_keys), a);
}

/* Members, LANs, groups */

static void
parse_members(struct parser *p, yaml_node_t *n)
{
	struct topo	*t = p->t;
	size_t		 i;

	p->key = "members";
	t->members = parse_list(p, n, sizeof(*t->members), &t->nmembers);
	for (i = 0; i < t->nmembers; i++) {
		t->members[i].pos = parse_pos(p, list_item(p, n, i));
		parse_item(p, "", list_item(p, n, i),
		    "member", i, member_keys,
		    NKEYS(member_keys), &t->members[i]);
	}
}

static void
parse_lans(struct parser *p, yaml_node_t *n)
{
	struct topo	*t = p->t;
	size_t		 i;

	p->key = "lans";
	t->lans = parse_list(p, n, sizeof(*t->lans), &t->nlans);
	for (i = 0; i < t->nlans; i++) {
		t->lans[i].pos = parse_pos(p, list_item(p, n, i));
		parse_item(p, "", list_item(p, n, i),
		    "lan", i, lan_keys,
		    NKEYS(lan_keys), &t->lans[i]);
	}
}

static void
parse_group_members(struct parser *p, yaml_node_t *n, void *obj)
{
	struct topo_group	*gr = obj;
	yaml_node_t		*item;
	const char		*s;
	size_t			 i, count;

	if ((gr->members = parse_list(p, n, sizeof(*gr->members), &count)) ==
	    NULL)
		return;
	gr->member_idx = calloc(count, sizeof(*gr->member_idx));
	gr->member_pos = calloc(count, sizeof(*gr->member_pos));
	if (gr->member_idx == NULL || gr->member_pos == NULL) {
		p->nomem = true;
		return;
	}
	gr->nmembers = count;
	for (i = 0; i < count; i++) {
		item = list_item(p, n, i);
		gr->member_pos[i] = parse_pos(p, item);
		gr->member_idx[i] = -1;
		if ((s = parse_scalar(p, item)) == NULL) {
			gr->member_pos[i].invalid = true;
		} else if (strlen(s) >= TOPO_NAME_MAX) {
			parse_error(p, item, "member '%s' is too long (at most "
			    "%d characters)", s, TOPO_NAME_MAX - 1);
			gr->member_pos[i].invalid = true;
		} else {
			memcpy(gr->members[i], s, strlen(s) + 1);
			gr->member_idx[i] = topo_member_find(p->t, s);
		}
	}
}

static void
parse_groups(struct parser *p, yaml_node_t *n)
{
	struct topo	*t = p->t;
	size_t		 i;

	p->key = "groups";
	t->groups = parse_list(p, n, sizeof(*t->groups), &t->ngroups);
	for (i = 0; i < t->ngroups; i++) {
		t->groups[i].pos = parse_pos(p, list_item(p, n, i));
		parse_item(p, "", list_item(p, n, i),
		    "group", i, group_keys,
		    NKEYS(group_keys), &t->groups[i]);
	}
}

/* The ABR */

static void
parse_abr_ifs(struct parser *p, yaml_node_t *n, void *obj)
{
	struct topo_abr	*a = obj;
	yaml_node_t	*item;
	size_t		 i;

	a->ifs = parse_list(p, n, sizeof(*a->ifs), &a->nifs);
	for (i = 0; i < a->nifs; i++) {
		item = list_item(p, n, i);
		a->ifs[i].pos = parse_pos(p, item);
		a->ifs[i].lan = -1;
		parse_item(p, p->ctx, item, "", i, abr_if_keys,
		    NKEYS(abr_if_keys), &a->ifs[i]);
	}
}

static void
parse_backbone(struct parser *p, yaml_node_t *n, void *obj)
{
	const char	*oldctx = p->ctx;
	char		 ctx[PARSE_CTX_MAX];

	snprintf(ctx, sizeof(ctx), "%s: backbone", oldctx);
	p->ctx = ctx;
	parse_mapping(p, n, backbone_keys, NKEYS(backbone_keys), obj);
	p->ctx = oldctx;
}

static void
parse_abr(struct parser *p, yaml_node_t *n)
{
	struct topo_abr	*a = &p->t->abr;

	a->pos = parse_pos(p, n);
	parse_item(p, "", n, "abr", 0, abr_keys, NKEYS(abr_keys), a);
}

/* Guests and their NICs */

static void
parse_nic_kind(struct parser *p, yaml_node_t *n, void *obj)
{
	struct topo_nic	*nic = obj;
	const char	*s;

	if ((s = parse_scalar(p, n)) == NULL)
		return;
	if (strcmp(s, "vswitch") == 0)
		nic->kind = TOPO_NIC_VSWITCH;
	else if (strcmp(s, "hipersockets") == 0)
		nic->kind = TOPO_NIC_HIPERSOCKETS;
	else
		parse_error(p, n, "kind '%s' is not vswitch or hipersockets",
		    s);
}

/* kind vswitch names a lan, kind hipersockets a member; not both. */
static void
parse_nic_ref(struct parser *p, yaml_node_t *map, struct topo_nic *nic)
{
	yaml_node_t	*kind = mapping_get(p, map, "kind");
	yaml_node_t	*lan = mapping_get(p, map, "lan");
	yaml_node_t	*member = mapping_get(p, map, "member");
	const char	*k;

	if (kind == NULL || kind->type != YAML_SCALAR_NODE)
		return;
	k = (char *)kind->data.scalar.value;
	if (strcmp(k, "vswitch") == 0) {
		if (member != NULL)
			parse_error(p, member, "member is for kind "
			    "hipersockets; a vswitch NIC names its lan");
		else if (lan == NULL)
			parse_error(p, map, "kind vswitch needs a lan");
		else
			return;
	} else if (strcmp(k, "hipersockets") == 0) {
		if (lan != NULL)
			parse_error(p, lan, "lan is for kind vswitch; a "
			    "hipersockets NIC names its member");
		else if (member == NULL)
			parse_error(p, map, "kind hipersockets needs a member");
		else
			return;
	} else {
		return;
	}
	nic->ref_pos.invalid = true;
}

static void
parse_nics(struct parser *p, yaml_node_t *n, void *obj)
{
	struct topo_guest	*g = obj;
	struct topo_nic		*nic;
	yaml_node_t		*item;
	const char		*oldctx = p->ctx;
	char			 ctx[PARSE_CTX_MAX];
	size_t			 i, count;

	if (n->type != YAML_SEQUENCE_NODE) {
		parse_error(p, n, "nics must be a list, not %s", node_kind(n));
		g->nics_pos.invalid = true;
		return;
	}
	count = (size_t)(n->data.sequence.items.top -
	    n->data.sequence.items.start);
	if (count > TOPO_MAX_NICS) {
		parse_error(p, n, "%zu NICs, at most %d are allowed", count,
		    TOPO_MAX_NICS);
		count = TOPO_MAX_NICS;
	}
	for (i = 0; i < count; i++) {
		item = list_item(p, n, i);
		nic = &g->nics[i];
		nic->pos = parse_pos(p, item);
		nic->lan = nic->member = -1;
		parse_ctx(p, oldctx, item, "", "nic", i, ctx, sizeof(ctx));
		p->ctx = ctx;
		parse_mapping(p, item, nic_keys, NKEYS(nic_keys), nic);
		parse_nic_ref(p, item, nic);
		p->ctx = oldctx;
	}
	g->nnics = count;
}

static void
parse_guests(struct parser *p, yaml_node_t *n)
{
	struct topo		*t = p->t;
	struct topo_guest	*g;
	size_t			 i;

	p->key = "guests";
	t->guests = parse_list(p, n, sizeof(*t->guests), &t->nguests);
	for (i = 0; i < t->nguests; i++) {
		g = &t->guests[i];
		g->pos = parse_pos(p, list_item(p, n, i));
		g->vipa_cost = 1;
		g->group = g->member = -1;
		parse_item(p, "", list_item(p, n, i),
		    "guest", i, guest_keys,
		    NKEYS(guest_keys), g);
	}
}

/* The document */

/*
 * Defaults, and positions for sections that may be missing: a missing
 * section has been reported, so its required fields are invalid.
 */
static void
parse_defaults(struct parser *p, yaml_node_t *root)
{
	struct topo		*t = p->t;
	struct topo_timers	*tm = &t->area.timers;
	struct topo_pos		 pos = parse_pos(p, root);

	t->area.default_cost = 1;
	t->area.proactive_arp = true;
	topo_timers_default(tm);
	t->name_pos = t->area.pos = t->area.stub_pos = t->area.no_summary_pos =
	    t->area.default_cost_pos = t->area.proactive_arp_pos = pos;
	tm->hello_pos = tm->dead_pos = tm->hello_multiplier_pos =
	    tm->spf_pos = tm->lsa_throttle_pos = tm->lsa_min_arrival_pos =
	    tm->retransmit_pos = pos;
	pos.invalid = true;
	t->area.id_pos = pos;
	t->abr.pos = t->abr.name_pos = t->abr.router_id_pos =
	    t->abr.backbone_if_pos = t->abr.backbone_pos = pos;
}

/* The whole document; false when it is not a mapping at all. */
static bool
parse_root(struct parser *p, yaml_node_t *root)
{
	static const struct {
		const char		*key;
		parse_section_fn	 fn;
	} sections[] = {
		/* in the order of their references, not of the file */
		{ "area", parse_area },
		{ "members", parse_members },
		{ "lans", parse_lans },
		{ "groups", parse_groups },
		{ "abr", parse_abr },
		{ "guests", parse_guests },
	};
	yaml_node_t	*n;
	size_t		 i;

	parse_defaults(p, root);
	p->ctx = "topology";
	parse_mapping(p, root, top_keys, NKEYS(top_keys), p->t);
	if (root->type != YAML_MAPPING_NODE)
		return false;
	for (i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		if ((n = mapping_get(p, root, sections[i].key)) == NULL)
			continue;
		p->ctx = "topology";
		p->key = sections[i].key;
		sections[i].fn(p, n);
	}
	return true;
}

static void
parse_syntax_error(struct parser *p, const yaml_parser_t *yp)
{
	struct topo_pos	pos;
	int		rv;

	pos.file = p->t->file;
	pos.line = (unsigned)yp->problem_mark.line + 1;
	pos.col = (unsigned)yp->problem_mark.column + 1;
	if (yp->context != NULL)
		rv = topo_diag_add(p->diags, &pos, "YAML syntax error: %s "
		    "(%s at line %zu, column %zu)", yp->problem, yp->context,
		    yp->context_mark.line + 1, yp->context_mark.column + 1);
	else
		rv = topo_diag_add(p->diags, &pos, "YAML syntax error: %s",
		    yp->problem ? yp->problem : "unreadable input");
	if (rv == -1)
		p->nomem = true;
}

/* Load the document and build the model; false on a syntax error. */
static bool
parse_document(struct parser *p, const char *buf, size_t len)
{
	yaml_parser_t	 yp;
	yaml_node_t	*root;
	struct topo_pos	 pos = { p->t->file, 1, 1, false };
	bool		 ok = true;

	if (!yaml_parser_initialize(&yp)) {
		p->nomem = true;
		return false;
	}
	yaml_parser_set_input_string(&yp, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&yp, &p->doc)) {
		parse_syntax_error(p, &yp);
		ok = false;
	} else {
		if ((root = yaml_document_get_root_node(&p->doc)) == NULL) {
			if (topo_diag_add(p->diags, &pos, "the file is empty; "
			    "a topology needs lab, area, members, lans, abr, "
			    "groups and guests") == -1)
				p->nomem = true;
			ok = false;
		} else {
			ok = parse_root(p, root);
		}
		yaml_document_delete(&p->doc);
	}
	yaml_parser_delete(&yp);
	return ok;
}

struct topo *
topo_load_buf(const char *name, const char *buf, size_t len,
    struct topo_diags *diags)
{
	struct parser	 p;
	struct topo	*t;
	size_t		 first = diags->n;

	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    (t->file = strdup(name)) == NULL) {
		free(t);
		errno = ENOMEM;
		return NULL;
	}
	memset(&p, 0, sizeof(p));
	p.t = t;
	p.diags = diags;
	p.ctx = "topology";
	if (parse_document(&p, buf, len) && !p.nomem)
		topo_validate(t, diags);
	topo_diags_sort(diags, first);
	if (p.nomem || diags->n > first) {
		topo_free(t);
		errno = p.nomem ? ENOMEM : EINVAL;
		return NULL;
	}
	return t;
}

static int
load_read(FILE *f, char **buf, size_t *len)
{
	char	*v;
	size_t	 size = 0, n;

	*buf = NULL;
	*len = 0;
	do {
		if (size - *len < 4096) {
			size = size ? size * 2 : 16384;
			if ((v = realloc(*buf, size)) == NULL) {
				free(*buf);
				*buf = NULL;
				return -1;
			}
			*buf = v;
		}
		n = fread(*buf + *len, 1, size - *len, f);
		*len += n;
	} while (n > 0);
	if (ferror(f)) {
		free(*buf);
		*buf = NULL;
		errno = EIO;
		return -1;
	}
	return 0;
}

static int
load_error(const char *path, struct topo_diags *diags, const char *what)
{
	struct topo_pos	pos = { path, 0, 0, false };
	int		saved = errno;

	topo_diag_add(diags, &pos, "cannot %s: %s", what, strerror(saved));
	errno = saved;
	return -1;
}

struct topo *
topo_load(const char *path, struct topo_diags *diags)
{
	struct topo	*t;
	FILE		*f;
	char		*buf = NULL;
	size_t		 len = 0;

	if ((f = fopen(path, "r")) == NULL) {
		load_error(path, diags, "open");
		return NULL;
	}
	if (load_read(f, &buf, &len) == -1) {
		load_error(path, diags, "read");
		fclose(f);
		return NULL;
	}
	fclose(f);
	t = topo_load_buf(path, buf, len, diags);
	free(buf);
	return t;
}
