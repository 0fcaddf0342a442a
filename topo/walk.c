/*
 * walk.c: a YAML key-table walker, knowing nothing of what the keys
 * mean (parse.c holds the topology's schema).
 *
 * libyaml's document API loads the file into a node tree that keeps
 * the start position of every node.  Each kind of mapping is described
 * by a table of its keys (the type of each value, where it goes, where
 * its position goes), so that unknown, repeated and missing keys are
 * found in one place; lists of such mappings are described by a
 * struct walk_list.  Every error is positioned file:line:column,
 * prefixed with the context ("guest LITDCON1: hsi1"), and every one is
 * reported, not just the first.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "topo_priv.h"

#define WALK_MSG_MAX	512

/* Positions and messages */

struct topo_pos
walk_pos(const struct walk *w, const yaml_node_t *n)
{
	struct topo_pos	pos;

	pos.file = w->file;
	pos.line = (unsigned)n->start_mark.line + 1;
	pos.col = (unsigned)n->start_mark.column + 1;
	pos.invalid = false;
	return pos;
}

void
walk_error(struct walk *w, const yaml_node_t *n, const char *fmt, ...)
{
	struct topo_pos	pos = walk_pos(w, n);
	char		msg[WALK_MSG_MAX];
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (topo_diag_add(w->diags, &pos, "%s: %s", w->ctx, msg) == -1)
		w->nomem = true;
}

/* An error at a position of its own, without context. */
static void
walk_error_at(struct walk *w, unsigned line, unsigned col, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

static void
walk_error_at(struct walk *w, unsigned line, unsigned col, const char *fmt,
    ...)
{
	struct topo_pos	pos = { w->file, line, col, false };
	va_list		ap;

	va_start(ap, fmt);
	if (topo_diag_vadd(w->diags, &pos, fmt, ap) == -1)
		w->nomem = true;
	va_end(ap);
}

const char *
walk_kind(const yaml_node_t *n)
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

const char *
walk_scalar(struct walk *w, yaml_node_t *n)
{
	if (n->type != YAML_SCALAR_NODE) {
		walk_error(w, n, "%s must be a single value, not %s", w->key,
		    walk_kind(n));
		return NULL;
	}
	return (const char *)n->data.scalar.value;
}

yaml_node_t *
walk_get(struct walk *w, yaml_node_t *map, const char *key)
{
	yaml_node_pair_t	*pair;
	yaml_node_t		*k;

	if (map->type != YAML_MAPPING_NODE)
		return NULL;
	for (pair = map->data.mapping.pairs.start;
	    pair < map->data.mapping.pairs.top; pair++) {
		k = yaml_document_get_node(&w->doc, pair->key);
		if (k != NULL && k->type == YAML_SCALAR_NODE &&
		    strcmp((char *)k->data.scalar.value, key) == 0)
			return yaml_document_get_node(&w->doc, pair->value);
	}
	return NULL;
}

size_t
walk_count(const yaml_node_t *n)
{
	if (n->type != YAML_SEQUENCE_NODE)
		return 0;
	return (size_t)(n->data.sequence.items.top -
	    n->data.sequence.items.start);
}

yaml_node_t *
walk_item(struct walk *w, yaml_node_t *n, size_t i)
{
	return yaml_document_get_node(&w->doc, n->data.sequence.items.start[i]);
}

void
walk_ctx(struct walk *w, const char *parent, yaml_node_t *map,
    const char *what, const char *unnamed, size_t i, char *buf, size_t len)
{
	yaml_node_t	*n = walk_get(w, map, "name");
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

int
walk_uint(const char *s, unsigned *out)
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
walk_bool(const char *s, void *out)
{
	if (strcmp(s, "true") == 0)
		*(bool *)out = true;
	else if (strcmp(s, "false") == 0)
		*(bool *)out = false;
	else
		return -1;
	return 0;
}

static int
walk_addr(const char *s, void *out)
{
	return inet_pton(AF_INET, s, out) == 1 ? 0 : -1;
}

static int
walk_prefix(const char *s, void *out)
{
	struct topo_prefix	*p = out;
	char			 buf[INET_ADDRSTRLEN];
	const char		*slash = strchr(s, '/');
	unsigned		 len;

	if (slash == NULL || (size_t)(slash - s) >= sizeof(buf))
		return -1;
	memcpy(buf, s, (size_t)(slash - s));
	buf[slash - s] = '\0';
	if (walk_addr(buf, &p->addr) == -1 ||
	    strlen(slash + 1) > 2 || walk_uint(slash + 1, &len) == -1 ||
	    len > 32)
		return -1;
	p->len = (uint8_t)len;
	return 0;
}

static int
walk_memory(const char *s, void *out)
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
	*(uint64_t *)out = v * unit;
	return 0;
}

static int
walk_unsigned(const char *s, void *out)
{
	return walk_uint(s, out);
}

static int
walk_host32(struct walk *w, const struct walk_key *k, yaml_node_t *n,
    const char *s, void *field)
{
	struct topo_prefix	pfx;

	if (walk_addr(s, field) == 0)
		return 0;
	if (walk_prefix(s, &pfx) == 0 && pfx.len == 32) {
		memcpy(field, &pfx.addr, sizeof(pfx.addr));
		return 0;
	}
	if (walk_prefix(s, &pfx) == 0)
		walk_error(w, n, "%s '%s' must be a host address "
		    "(a.b.c.d/32)", k->name, s);
	else
		walk_error(w, n, "%s '%s' is not an IPv4 address "
		    "(a.b.c.d/32)", k->name, s);
	return -1;
}

static int
walk_str(struct walk *w, const struct walk_key *k, yaml_node_t *n,
    const char *s, char *field)
{
	if (strlen(s) >= k->size) {
		walk_error(w, n, "%s '%s' is too long (at most %zu "
		    "characters)", k->name, s, k->size - 1);
		return -1;
	}
	memcpy(field, s, strlen(s) + 1);
	return 0;
}

/* The converters of the simple types and what their errors say. */
typedef int (*walk_conv_fn)(const char *, void *);

static const struct {
	enum walk_type	 type;
	walk_conv_fn	 conv;
	const char	*expect;
} walk_types[] = {
	{ WALK_UINT, walk_unsigned, "is not a non-negative integer" },
	{ WALK_BOOL, walk_bool, "is not true or false" },
	{ WALK_ADDR, walk_addr, "is not an IPv4 address (a.b.c.d)" },
	{ WALK_PREFIX, walk_prefix, "is not an IPv4 prefix (a.b.c.d/0-32)" },
	{ WALK_MEMORY, walk_memory, "is not a size (a number and M, G or T, "
	    "e.g. 256M or 8G)" },
};

static int
walk_typed(struct walk *w, const struct walk_key *k, yaml_node_t *n,
    const char *s, void *field)
{
	size_t	i;

	for (i = 0; i < sizeof(walk_types) / sizeof(walk_types[0]); i++) {
		if (walk_types[i].type != k->type)
			continue;
		if (walk_types[i].conv(s, field) == 0)
			return 0;
		walk_error(w, n, "%s '%s' %s", k->name, s,
		    walk_types[i].expect);
		return -1;
	}
	walk_error(w, n, "%s: a key of type %d, which this walker cannot "
	    "read", k->name, (int)k->type);	/* a bug in a key table */
	return -1;
}

/* One value of a key table into its object; -1 when rejected. */
static int
walk_value(struct walk *w, const struct walk_key *k, yaml_node_t *n,
    void *obj)
{
	char		*field = (char *)obj + k->off;
	const char	*s;

	if (k->type == WALK_FN) {
		k->fn(w, n, obj);
		return 0;
	}
	if ((s = walk_scalar(w, n)) == NULL)
		return -1;
	switch (k->type) {
	case WALK_STR:
		return walk_str(w, k, n, s, field);
	case WALK_HOST32:
		return walk_host32(w, k, n, s, field);
	case WALK_REF:
		*(int *)(void *)field = k->ref(w, n, s);
		return *(int *)(void *)field >= 0 ? 0 : -1;
	default:
		return walk_typed(w, k, n, s, field);
	}
}

/* Key tables */

static const struct walk_key *
walk_key_find(const struct walk_key *keys, size_t nkeys, const char *name)
{
	size_t	i;

	for (i = 0; i < nkeys; i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

static void
walk_keys_list(const struct walk_key *keys, size_t nkeys, char *buf,
    size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < nkeys; i++)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
		    i ? ", " : "", keys[i].name);
}

static struct topo_pos *
walk_key_pos(const struct walk_key *k, void *obj)
{
	if (k->pos == WALK_NOPOS)
		return NULL;
	return (struct topo_pos *)(void *)((char *)obj + k->pos);
}

static void
walk_pair(struct walk *w, yaml_node_t *kn, yaml_node_t *vn,
    const struct walk_key *keys, size_t nkeys, uint32_t *seen, void *obj)
{
	const struct walk_key	*k;
	struct topo_pos		*pos;
	const char		*oldkey = w->key;
	char			 allowed[WALK_MSG_MAX / 2];

	if (kn->type != YAML_SCALAR_NODE) {
		walk_error(w, kn, "a key must be a single word, not %s",
		    walk_kind(kn));
		return;
	}
	if ((k = walk_key_find(keys, nkeys, (char *)kn->data.scalar.value)) ==
	    NULL) {
		walk_keys_list(keys, nkeys, allowed, sizeof(allowed));
		walk_error(w, kn, "unknown key '%s' (allowed: %s)",
		    kn->data.scalar.value, allowed);
		return;
	}
	if (*seen & (1U << (k - keys))) {
		walk_error(w, kn, "key '%s' given twice", k->name);
		return;
	}
	*seen |= 1U << (k - keys);
	if (k->type == WALK_LATER)
		return;
	if ((pos = walk_key_pos(k, obj)) != NULL)
		*pos = walk_pos(w, vn);
	w->key = k->name;
	if (walk_value(w, k, vn, obj) == -1 && pos != NULL)
		pos->invalid = true;
	w->key = oldkey;
}

void
walk_mapping(struct walk *w, yaml_node_t *map, const struct walk_key *keys,
    size_t nkeys, void *obj)
{
	struct topo_pos		 mpos = walk_pos(w, map), *pos;
	yaml_node_pair_t	*pair;
	uint32_t		 seen = 0;
	char			 allowed[WALK_MSG_MAX / 2];
	size_t			 i;

	for (i = 0; i < nkeys; i++)
		if ((pos = walk_key_pos(&keys[i], obj)) != NULL)
			*pos = mpos;
	if (map->type != YAML_MAPPING_NODE) {
		walk_keys_list(keys, nkeys, allowed, sizeof(allowed));
		walk_error(w, map, "expected a mapping with keys %s, not %s",
		    allowed, walk_kind(map));
	} else {
		for (pair = map->data.mapping.pairs.start;
		    pair < map->data.mapping.pairs.top; pair++)
			walk_pair(w, yaml_document_get_node(&w->doc,
			    pair->key), yaml_document_get_node(&w->doc,
			    pair->value), keys, nkeys, &seen, obj);
	}
	for (i = 0; i < nkeys; i++) {
		if (!keys[i].required || (seen & (1U << i)))
			continue;
		if ((pos = walk_key_pos(&keys[i], obj)) != NULL)
			pos->invalid = true;
		if (map->type == YAML_MAPPING_NODE)
			walk_error(w, map, "missing key '%s'", keys[i].name);
	}
}

void
walk_mapping_in(struct walk *w, const char *ctx, yaml_node_t *map,
    const struct walk_key *keys, size_t nkeys, void *obj)
{
	const char	*oldctx = w->ctx;

	w->ctx = ctx;
	walk_mapping(w, map, keys, nkeys, obj);
	w->ctx = oldctx;
}

/* fn(w, n, obj) with ctx as the context of its messages. */
static void
walk_in(struct walk *w, const char *ctx, walk_fn fn, yaml_node_t *n,
    void *obj)
{
	const char	*oldctx = w->ctx;

	w->ctx = ctx;
	fn(w, n, obj);
	w->ctx = oldctx;
}

/* Lists of mappings */

bool
walk_is_list(struct walk *w, yaml_node_t *n)
{
	if (n->type == YAML_SEQUENCE_NODE)
		return true;
	walk_error(w, n, "%s must be a list, not %s", w->key, walk_kind(n));
	return false;
}

void *
walk_alloc(struct walk *w, size_t count, size_t size)
{
	void	*v;

	if (count == 0)
		return NULL;
	if ((v = calloc(count, size)) == NULL)
		w->nomem = true;
	return v;
}

void
walk_list_item(struct walk *w, const char *parent, const struct walk_list *l,
    yaml_node_t *item, size_t i, void *obj)
{
	char	ctx[WALK_CTX_MAX];

	*(struct topo_pos *)(void *)((char *)obj + l->pos) = walk_pos(w, item);
	if (l->init != NULL)
		l->init(obj);
	walk_ctx(w, parent, item, l->what, l->unnamed, i, ctx, sizeof(ctx));
	walk_mapping_in(w, ctx, item, l->keys, l->nkeys, obj);
	if (l->check != NULL)
		walk_in(w, ctx, l->check, item, obj);
}

void *
walk_list(struct walk *w, yaml_node_t *n, const char *parent,
    const struct walk_list *l, size_t *count)
{
	char	*v;
	size_t	 i, len;

	*count = 0;
	if (!walk_is_list(w, n))
		return NULL;
	len = walk_count(n);
	if ((v = walk_alloc(w, len, l->size)) == NULL)
		return NULL;
	*count = len;
	for (i = 0; i < len; i++)
		walk_list_item(w, parent, l, walk_item(w, n, i),
		    i, v + i * l->size);
	return v;
}

/* The document */

static void
walk_syntax_error(struct walk *w, const yaml_parser_t *yp)
{
	unsigned	line = (unsigned)yp->problem_mark.line + 1;
	unsigned	col = (unsigned)yp->problem_mark.column + 1;

	if (yp->context != NULL)
		walk_error_at(w, line, col, "YAML syntax error: %s (%s at "
		    "line %zu, column %zu)", yp->problem, yp->context,
		    yp->context_mark.line + 1, yp->context_mark.column + 1);
	else
		walk_error_at(w, line, col, "YAML syntax error: %s",
		    yp->problem ? yp->problem : "unreadable input");
}

bool
walk_document(struct walk *w, const char *buf, size_t len,
    walk_root_fn root_fn, const char *empty)
{
	yaml_parser_t	 yp;
	yaml_node_t	*root;
	bool		 ok = false;

	if (!yaml_parser_initialize(&yp)) {
		w->nomem = true;
		return false;
	}
	yaml_parser_set_input_string(&yp, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&yp, &w->doc)) {
		walk_syntax_error(w, &yp);
	} else {
		if ((root = yaml_document_get_root_node(&w->doc)) == NULL)
			walk_error_at(w, 1, 1, "%s", empty);
		else
			ok = root_fn(w, root);
		yaml_document_delete(&w->doc);
	}
	yaml_parser_delete(&yp);
	return ok;
}

int
walk_read(FILE *f, char **buf, size_t *len)
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
