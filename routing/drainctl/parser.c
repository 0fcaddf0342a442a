/*
 * parser.c: drainctl's command words -> one request, through a token
 * table (ospfctl's parser.c shape).  Keywords accept unambiguous prefixes;
 * a word that matches nothing gets the list of valid choices.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "drainctl.h"

#define IFNAME_MAX	15	/* IFNAMSIZ - 1 */

enum token_type {
	NOTOKEN,	/* the words may end here */
	ENDTOKEN,	/* end of a table */
	KEYWORD,
	FLAG,		/* exact match only */
	IFNAME,
};

enum {
	OPT_JSON = 1,
	OPT_FOLLOW,
};

struct token {
	enum token_type		 type;
	const char		*keyword;
	int			 value;
	const struct token	*next;
};

static const struct token t_main[];
static const struct token t_ifname[];
static const struct token t_ifmore[];
static const struct token t_read[];
static const struct token t_events[];

static const struct token t_main[] = {
	{ KEYWORD, "drain", LGR_DRAIN, t_ifname },
	{ KEYWORD, "undrain", LGR_UNDRAIN, t_ifname },
	{ KEYWORD, "state", LGR_STATE, t_read },
	{ KEYWORD, "routes", LGR_ROUTES, t_read },
	{ KEYWORD, "lsdb", LGR_LSDB, t_read },
	{ KEYWORD, "events", LGR_EVENTS, t_events },
	{ ENDTOKEN, "", 0, NULL },
};

static const struct token t_ifname[] = {
	{ FLAG, "-j", OPT_JSON, t_ifname },
	{ FLAG, "--json", OPT_JSON, t_ifname },
	{ IFNAME, "IFNAME", 0, t_ifmore },
	{ ENDTOKEN, "", 0, NULL },
};

static const struct token t_ifmore[] = {
	{ NOTOKEN, "", 0, NULL },
	{ FLAG, "-j", OPT_JSON, t_ifmore },
	{ FLAG, "--json", OPT_JSON, t_ifmore },
	{ IFNAME, "IFNAME", 0, t_ifmore },
	{ ENDTOKEN, "", 0, NULL },
};

static const struct token t_read[] = {
	{ NOTOKEN, "", 0, NULL },
	{ FLAG, "-j", OPT_JSON, t_read },
	{ FLAG, "--json", OPT_JSON, t_read },
	{ ENDTOKEN, "", 0, NULL },
};

static const struct token t_events[] = {
	{ NOTOKEN, "", 0, NULL },
	{ FLAG, "-f", OPT_FOLLOW, t_events },
	{ FLAG, "--follow", OPT_FOLLOW, t_events },
	{ FLAG, "-j", OPT_JSON, t_events },
	{ FLAG, "--json", OPT_JSON, t_events },
	{ ENDTOKEN, "", 0, NULL },
};

const char *
parse_synopsis(void)
{
	return "drain IFNAME... | undrain IFNAME... | state | routes | lsdb | "
	    "events [-f]";
}

/* "a, b, c": the choices of a table, for error messages. */
static void
parse_choices(const struct token *table, char *buf, size_t size)
{
	size_t	off = 0;
	int	i;

	buf[0] = '\0';
	for (i = 0; table[i].type != ENDTOKEN && off < size; i++) {
		if (table[i].type == NOTOKEN)
			continue;
		off += (size_t)snprintf(buf + off, size - off, "%s%s",
		    off > 0 ? ", " : "", table[i].keyword);
	}
}

static int
parse_ifname_ok(const char *w)
{
	size_t	n = strlen(w);

	if (n == 0 || n > IFNAME_MAX || w[0] == '-')
		return 0;
	for (; *w != '\0'; w++)
		if (*w == '/' || *w == ':' || isspace((unsigned char)*w))
			return 0;
	return 1;
}

/* The entry of table that word selects; NULL with err set if none. */
static const struct token *
parse_match(const char *word, const struct token *table, const char *ctx,
    char *err, size_t errlen)
{
	const struct token	*match = NULL, *ifname = NULL;
	char			 choices[256];
	size_t			 n = strlen(word);
	int			 i, nmatch = 0;

	for (i = 0; table[i].type != ENDTOKEN; i++) {
		if (table[i].type == IFNAME)
			ifname = &table[i];
		if (table[i].type == FLAG && strcmp(word, table[i].keyword) == 0)
			return &table[i];
		if (table[i].type != KEYWORD || n == 0 ||
		    strncmp(word, table[i].keyword, n) != 0)
			continue;
		if (strcmp(word, table[i].keyword) == 0)
			return &table[i];
		match = &table[i];
		nmatch++;
	}
	if (nmatch == 1)
		return match;
	parse_choices(table, choices, sizeof(choices));
	if (nmatch > 1) {
		snprintf(err, errlen, "%s: \"%s\" is ambiguous; valid: %s",
		    ctx, word, choices);
		return NULL;
	}
	if (ifname != NULL) {
		if (parse_ifname_ok(word))
			return ifname;
		if (word[0] != '-') {
			snprintf(err, errlen, "%s: interface name \"%s\" is "
			    "not valid (1-%d characters, no '/', ':' or "
			    "spaces)", ctx, word, IFNAME_MAX);
			return NULL;
		}
	}
	snprintf(err, errlen, "%s: unknown %s \"%s\"; valid: %s", ctx,
	    table == t_main ? "command" : "argument", word, choices);
	return NULL;
}

static int
parse_ifname_add(struct parse_result *res, const char *word, const char *ctx,
    char *err, size_t errlen)
{
	int	i;

	for (i = 0; i < res->nifs; i++)
		if (strcmp(res->ifs[i], word) == 0) {
			snprintf(err, errlen, "%s: interface \"%s\" is given "
			    "twice", ctx, word);
			return -1;
		}
	if (res->nifs == LGR_MAX_ARGS) {
		snprintf(err, errlen, "%s: too many interfaces (at most %d)",
		    ctx, LGR_MAX_ARGS);
		return -1;
	}
	res->ifs[res->nifs++] = word;
	return 0;
}

static int
parse_apply(const struct token *t, const char *word, struct parse_result *res,
    const char **ctx, char *err, size_t errlen)
{
	switch (t->type) {
	case KEYWORD:
		res->action = t->value;
		*ctx = t->keyword;
		return 0;
	case FLAG:
		if (t->value == OPT_JSON)
			res->json = 1;
		else if (t->value == OPT_FOLLOW)
			res->follow = 1;
		return 0;
	case IFNAME:
		return parse_ifname_add(res, word, *ctx, err, errlen);
	case NOTOKEN:
	case ENDTOKEN:
		break;
	}
	return -1;
}

/* The words may end at table: it holds a NOTOKEN. */
static int
parse_may_end(const struct token *table, const char *ctx, char *err,
    size_t errlen)
{
	char	choices[256];
	int	i;

	if (table == NULL)
		return 0;
	for (i = 0; table[i].type != ENDTOKEN; i++)
		if (table[i].type == NOTOKEN)
			return 0;
	parse_choices(table, choices, sizeof(choices));
	if (table == t_main)
		snprintf(err, errlen, "missing command; valid: %s", choices);
	else
		snprintf(err, errlen, "%s: missing argument; valid: %s", ctx,
		    choices);
	return -1;
}

int
parse(int argc, char *const argv[], struct parse_result *res, char *err,
    size_t errlen)
{
	const struct token	*table = t_main, *t;
	const char		*ctx = "drainctl";
	int			 i;

	memset(res, 0, sizeof(*res));
	for (i = 0; i < argc; i++) {
		if (table == NULL) {
			snprintf(err, errlen, "%s: unexpected argument \"%s\"",
			    ctx, argv[i]);
			return -1;
		}
		if ((t = parse_match(argv[i], table, ctx, err, errlen)) ==
		    NULL)
			return -1;
		if (parse_apply(t, argv[i], res, &ctx, err, errlen) == -1)
			return -1;
		table = t->next;
	}
	return parse_may_end(table, ctx, err, errlen);
}
