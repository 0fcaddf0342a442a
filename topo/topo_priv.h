/*
 * topo_priv.h: what the files of the topology library share and callers
 * do not need.  Prototypes are grouped under the file that defines them.
 */
#ifndef LGR_TOPO_PRIV_H
#define LGR_TOPO_PRIV_H

#include <stdarg.h>

#include <yaml.h>

#include "topo.h"

#define TOPO_COST_MAX		65535
#define TOPO_PRIORITY_MAX	255
#define TOPO_DEFAULT_COST_MAX	16777215
#define TOPO_TIMER_S_MAX	65535
#define TOPO_MULTIPLIER_MAX	10
#define TOPO_SPF_MAX		600000
#define TOPO_LSA_THROTTLE_MAX	5000
#define TOPO_MIN_ARRIVAL_MAX	600000
#define TOPO_VIPA_IF		"dummy0"

/* model.c */
int		 topo_diag_add(struct topo_diags *, const struct topo_pos *,
		    const char *, ...)
		    __attribute__((format(printf, 3, 4)));
int		 topo_diag_vadd(struct topo_diags *, const struct topo_pos *,
		    const char *, va_list)
		    __attribute__((format(printf, 3, 0)));
void		 topo_diags_sort(struct topo_diags *, size_t);
in_addr_t	 topo_mask(uint8_t);
in_addr_t	 topo_host_part(struct in_addr, uint8_t);
void		 topo_timers_default(struct topo_timers *);
const char	*topo_ntoa(struct in_addr, char *, size_t);

/*
 * walk.c: the YAML key-table walker the schema (parse.c) is written in.
 * A walk holds the loaded document, the file name for positions, the
 * context of messages ("guest LITDCON1: hsi1") and the key being read;
 * arg is the schema's (the struct topo being built).  Errors go to
 * diags with the node's file:line:column; nomem is set when memory ran
 * out (the result is then unusable).
 */
#define WALK_CTX_MAX	128
#define WALK_NOPOS	SIZE_MAX

struct walk {
	const char		*file;
	struct topo_diags	*diags;
	yaml_document_t		 doc;
	const char		*ctx;
	const char		*key;
	void			*arg;
	bool			 nomem;
};

typedef void (*walk_fn)(struct walk *, yaml_node_t *, void *);
/* A name to an index, or -1 with the error reported. */
typedef int (*walk_ref_fn)(struct walk *, yaml_node_t *, const char *);
typedef bool (*walk_root_fn)(struct walk *, yaml_node_t *);
typedef void (*walk_init_fn)(void *);

enum walk_type {
	WALK_STR,	/* char[size] */
	WALK_UINT,	/* unsigned */
	WALK_BOOL,	/* bool */
	WALK_ADDR,	/* struct in_addr */
	WALK_HOST32,	/* struct in_addr, written a.b.c.d or a.b.c.d/32 */
	WALK_PREFIX,	/* struct topo_prefix */
	WALK_MEMORY,	/* uint64_t MiB, written 256M, 8G, 1T */
	WALK_REF,	/* int, ref(walk, value node, text) */
	WALK_FN,	/* fn(walk, value node, object) */
	WALK_LATER,	/* known key, read by the caller */
};

/* One key of a mapping (at most 32 keys in a table). */
struct walk_key {
	const char	*name;
	enum walk_type	 type;
	bool		 required;
	size_t		 off;		/* value in the object */
	size_t		 size;		/* WALK_STR: buffer size */
	size_t		 pos;		/* its struct topo_pos, or WALK_NOPOS */
	walk_fn		 fn;
	walk_ref_fn	 ref;
};

#define WALK_KEY(n, ty, req, st, f, fpos)				\
	{ n, ty, req, offsetof(st, f), sizeof(((st *)0)->f),		\
	    offsetof(st, fpos), NULL, NULL }
#define WALK_KEY_REF(n, req, st, f, fpos, ref)				\
	{ n, WALK_REF, req, offsetof(st, f), sizeof(((st *)0)->f),	\
	    offsetof(st, fpos), NULL, ref }
#define WALK_KEY_FN(n, req, fn)	{ n, WALK_FN, req, 0, 0, WALK_NOPOS, fn, NULL }
#define WALK_KEY_FNPOS(n, req, st, fpos, fn)				\
	{ n, WALK_FN, req, 0, 0, offsetof(st, fpos), fn, NULL }
#define WALK_KEY_LATER(n, req)						\
	{ n, WALK_LATER, req, 0, 0, WALK_NOPOS, NULL, NULL }
#define WALK_NKEYS(a)		(sizeof(a) / sizeof((a)[0]))

/*
 * A list of mappings of one kind: each item is an object of size bytes
 * whose own position is at pos; init (or NULL) sets its defaults before
 * its keys are read, check (or NULL) looks at the whole item after
 * them, in the item's context.  Its context is "parent: what NAME", or "parent:
 * what #i" without a usable name; with what "", "parent: NAME" or
 * "parent: unnamed #i".
 */
struct walk_list {
	const char		*what;
	const char		*unnamed;
	size_t			 size;
	size_t			 pos;
	const struct walk_key	*keys;
	size_t			 nkeys;
	walk_init_fn		 init;
	walk_fn			 check;
};

struct topo_pos	 walk_pos(const struct walk *, const yaml_node_t *);
void		 walk_error(struct walk *, const yaml_node_t *,
		    const char *, ...) __attribute__((format(printf, 3, 4)));
/* "a mapping", "a list", "a single value": for messages. */
const char	*walk_kind(const yaml_node_t *);
/* The node's text, or NULL (reported) when it is not a single value. */
const char	*walk_scalar(struct walk *, yaml_node_t *);
/* The value of key in a mapping, or NULL. */
yaml_node_t	*walk_get(struct walk *, yaml_node_t *, const char *);
/* Items of a list (0 when not a list), and item i. */
size_t		 walk_count(const yaml_node_t *);
yaml_node_t	*walk_item(struct walk *, yaml_node_t *, size_t);
/* The context of a list item (struct walk_list) into buf. */
void		 walk_ctx(struct walk *, const char *, yaml_node_t *,
		    const char *, const char *, size_t, char *, size_t);
/* A decimal unsigned, 0 or -1. */
int		 walk_uint(const char *, unsigned *);
/*
 * A mapping described by keys into obj.  Positions of absent keys are
 * the mapping's own; a missing required key marks its position invalid.
 * _in: with ctx as the context of its messages.
 */
void		 walk_mapping(struct walk *, yaml_node_t *,
		    const struct walk_key *, size_t, void *);
void		 walk_mapping_in(struct walk *, const char *, yaml_node_t *,
		    const struct walk_key *, size_t, void *);
/* True for a list; else reported ("KEY must be a list, not ..."). */
bool		 walk_is_list(struct walk *, yaml_node_t *);
/* calloc, NULL for 0 items; sets nomem when it fails. */
void		*walk_alloc(struct walk *, size_t, size_t);
/* One item of a list of mappings into obj. */
void		 walk_list_item(struct walk *, const char *,
		    const struct walk_list *, yaml_node_t *, size_t, void *);
/*
 * Every item of a list into a new array (NULL and *count 0 when empty,
 * not a list or out of memory).
 */
void		*walk_list(struct walk *, yaml_node_t *, const char *,
		    const struct walk_list *, size_t *);
/*
 * Load the document and hand its root to root_fn; a syntax error or an
 * empty document (message empty) is reported at its position.  Returns
 * root_fn's result, false on a syntax error or an empty document.
 */
bool		 walk_document(struct walk *, const char *, size_t,
		    walk_root_fn, const char *);
/* The whole of f into a malloc'ed buffer; 0, or -1 with errno. */
int		 walk_read(FILE *, char **, size_t *);

#endif
