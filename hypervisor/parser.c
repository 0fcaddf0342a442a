/*
 * parser.c: hvctl's command line, a token table in ospfctl's shape.
 * Every word may be abbreviated to an unambiguous prefix; a word that
 * does not match lists the valid choices.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hvctl.h"

/* Positional arguments and options a command takes. */
#define P_GUEST		0x01
#define P_MEMBER	0x02
#define P_GUEST_OPT	0x04
#define O_RELOC		0x10	/* --max-total --max-quiesce ... */
#define O_LIMITS	0x20	/* --out --in */
#define O_WORKLOAD	0x40	/* --rate --wss */
#define O_FOLLOW	0x80	/* -f */
#define P_LEVEL		0x100	/* verbosity */

static const struct token {
	const char	*words[2];
	enum ctl_req	 req;
	unsigned	 args;
	const char	*synopsis;
} tokens[] = {
	{ { "members" }, CTL_MEMBERS, 0, "members" },
	{ { "guests" }, CTL_GUESTS, 0, "guests" },
	{ { "status" }, CTL_STATUS, P_GUEST_OPT, "status [GUEST]" },
	{ { "check" }, CTL_CHECK, P_GUEST | P_MEMBER | O_RELOC,
	    "check GUEST MEMBER [--force domain|storage]" },
	{ { "relocate" }, CTL_RELOCATE, P_GUEST | P_MEMBER | O_RELOC,
	    "relocate GUEST MEMBER [--async] [--max-total S] "
	    "[--max-quiesce MS]\n\t    [--max-rate MIB] [--immediate] "
	    "[--force domain|storage] [--verify pages|full]" },
	{ { "cancel" }, CTL_CANCEL, P_GUEST, "cancel GUEST" },
	{ { "set-limits" }, CTL_SET_LIMITS, P_GUEST | O_RELOC,
	    "set-limits GUEST [--max-total S] [--max-quiesce MS] "
	    "[--max-rate MIB]" },
	{ { "history" }, CTL_HISTORY, P_GUEST_OPT, "history [GUEST]" },
	{ { "events" }, CTL_EVENTS, P_GUEST_OPT | O_FOLLOW,
	    "events [-f] [GUEST]" },
	{ { "where" }, CTL_WHERE, P_GUEST, "where GUEST" },
	{ { "audit" }, CTL_AUDIT, 0, "audit" },
	{ { "recover" }, CTL_RECOVER, P_GUEST | P_MEMBER,
	    "recover GUEST MEMBER" },
	{ { "member", "set-down" }, CTL_MEMBER_DOWN, P_MEMBER,
	    "member set-down MEMBER" },
	{ { "member", "set-limits" }, CTL_MEMBER_LIMITS, P_MEMBER | O_LIMITS,
	    "member set-limits MEMBER [--out N] [--in N]" },
	{ { "workload" }, CTL_WORKLOAD, P_GUEST | O_WORKLOAD,
	    "workload GUEST [--rate MIB/S] [--wss MIB]" },
	{ { "log", "verbose" }, CTL_VERBOSE, P_LEVEL, "log verbose 0-3" },
};

#define NTOKENS	(sizeof(tokens) / sizeof(tokens[0]))

void
parse_usage(FILE *f)
{
	size_t	i;

	fprintf(f, "usage: hvctl [-j] [-D labdir | -l lab] [-m member] "
	    "[-k operator|viewer | -K keyfile]\n\t     [-t timeout-ms] "
	    "command [argument ...]\ncommands:\n");
	for (i = 0; i < NTOKENS; i++)
		fprintf(f, "\t%s\n", tokens[i].synopsis);
}

static bool
parse_prefix(const char *word, const char *tok)
{
	return tok != NULL && strncmp(tok, word, strlen(word)) == 0;
}

/* Candidates still matching after word at position pos. */
static int
parse_filter(bool *alive, size_t pos, const char *word)
{
	size_t	i;
	int	n = 0, exact = -1;

	for (i = 0; i < NTOKENS; i++) {
		if (!alive[i])
			continue;
		if (tokens[i].words[pos] != NULL &&
		    strcmp(tokens[i].words[pos], word) == 0)
			exact = (int)i;
	}
	for (i = 0; i < NTOKENS; i++) {
		if (!alive[i])
			continue;
		if (exact != -1)
			alive[i] = strcmp(tokens[i].words[pos] ?
			    tokens[i].words[pos] : "", word) == 0;
		else
			alive[i] = parse_prefix(word, tokens[i].words[pos]);
		n += alive[i];
	}
	return n;
}

static void
parse_choices(const bool *alive, size_t pos, const char *word, bool ambig)
{
	const char	*last = "";
	size_t		 i;

	fprintf(stderr, "hvctl: %s \"%s\"; valid choices:", ambig ?
	    "ambiguous word" : "unknown word", word);
	for (i = 0; i < NTOKENS; i++)
		if (alive[i] && tokens[i].words[pos] != NULL &&
		    strcmp(tokens[i].words[pos], last) != 0) {
			fprintf(stderr, " %s", tokens[i].words[pos]);
			last = tokens[i].words[pos];
		}
	fputc('\n', stderr);
}

static bool
parse_all_longer(const bool *alive, size_t pos)
{
	size_t	i;

	for (i = 0; i < NTOKENS; i++)
		if (alive[i] && (pos + 1 >= 2 || tokens[i].words[pos + 1] == NULL))
			return false;
	return true;
}

static int
parse_command(int argc, char **argv, int *used)
{
	bool	alive[NTOKENS], before[NTOKENS];
	size_t	i, pos;
	int	n;

	for (i = 0; i < NTOKENS; i++)
		alive[i] = true;
	for (pos = 0; pos < 2; pos++) {
		if ((int)pos >= argc) {
			parse_choices(alive, pos, "", false);
			return -1;
		}
		memcpy(before, alive, sizeof(alive));
		if ((n = parse_filter(alive, pos, argv[pos])) == 0) {
			parse_choices(before, pos, argv[pos], false);
			return -1;
		}
		if (n > 1) {
			if (parse_all_longer(alive, pos))
				continue;
			parse_choices(alive, pos, argv[pos], true);
			return -1;
		}
		for (i = 0; !alive[i]; i++)
			;
		if (pos == 1 || tokens[i].words[pos + 1] == NULL) {
			*used = (int)pos + 1;
			return (int)i;
		}
	}
	return -1;
}

static int
parse_u64(const char *opt, const char *s, uint64_t min, uint64_t max,
    uint64_t *out)
{
	char		*end;
	unsigned long long v;

	errno = 0;
	if (s == NULL) {
		fprintf(stderr, "hvctl: %s needs a value (%ju-%ju)\n", opt,
		    (uintmax_t)min, (uintmax_t)max);
		return -1;
	}
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || *s == '-' || v < min || v > max) {
		fprintf(stderr, "hvctl: %s \"%s\" out of range (%ju-%ju)\n",
		    opt, s, (uintmax_t)min, (uintmax_t)max);
		return -1;
	}
	*out = v;
	return 0;
}

static int
parse_force(const char *s, struct ctl_request *rq)
{
	if (s != NULL && strcmp(s, "domain") == 0)
		rq->force |= CTL_FORCE_DOMAIN;
	else if (s != NULL && strcmp(s, "storage") == 0)
		rq->force |= CTL_FORCE_STORAGE;
	else {
		fprintf(stderr, "hvctl: --force takes domain or storage\n");
		return -1;
	}
	return 0;
}

static int
parse_verify(const char *s, struct ctl_request *rq)
{
	if (s != NULL && strcmp(s, "full") == 0)
		rq->verify = CTL_VERIFY_FULL;
	else if (s != NULL && strcmp(s, "pages") == 0)
		rq->verify = CTL_VERIFY_PAGES;
	else {
		fprintf(stderr, "hvctl: --verify takes pages or full\n");
		return -1;
	}
	return 0;
}

/* One option at argv[0]; returns the words used or -1. */
static int
parse_option(char **argv, unsigned args, struct parse_result *res)
{
	struct ctl_request	*rq = &res->rq;
	const char		*o = argv[0], *v = argv[1];

	if ((args & O_RELOC) && strcmp(o, "--max-total") == 0)
		return parse_u64(o, v, 1, 86400, &rq->max_total_s) ? -1 : 2;
	if ((args & O_RELOC) && strcmp(o, "--max-quiesce") == 0)
		return parse_u64(o, v, 0, 600000, &rq->max_quiesce_ms) ? -1 : 2;
	if ((args & O_RELOC) && strcmp(o, "--max-rate") == 0)
		return parse_u64(o, v, 1, 1 << 20, &rq->max_rate_mib) ? -1 : 2;
	if ((args & O_RELOC) && strcmp(o, "--immediate") == 0)
		return rq->immediate = true, 1;
	if ((args & O_RELOC) && strcmp(o, "--async") == 0)
		return res->flags |= PARSE_ASYNC, 1;
	if ((args & O_RELOC) && strcmp(o, "--force") == 0)
		return parse_force(v, rq) ? -1 : 2;
	if ((args & O_RELOC) && strcmp(o, "--verify") == 0)
		return parse_verify(v, rq) ? -1 : 2;
	if ((args & O_LIMITS) && strcmp(o, "--out") == 0)
		return parse_u64(o, v, 0, 64, &rq->limit_out) ? -1 : 2;
	if ((args & O_LIMITS) && strcmp(o, "--in") == 0)
		return parse_u64(o, v, 0, 64, &rq->limit_in) ? -1 : 2;
	if ((args & O_WORKLOAD) && strcmp(o, "--rate") == 0)
		return parse_u64(o, v, 0, 65536, &rq->rate_mib) ? -1 : 2;
	if ((args & O_WORKLOAD) && strcmp(o, "--wss") == 0)
		return parse_u64(o, v, 0, 1 << 20, &rq->wss_mib) ? -1 : 2;
	if ((args & O_FOLLOW) && strcmp(o, "-f") == 0)
		return res->flags |= PARSE_FOLLOW, 1;
	fprintf(stderr, "hvctl: unknown option %s\n", o);
	return -1;
}

static int
parse_name(const char *what, const char *s, char *out)
{
	if (!msg_name_valid(s)) {
		fprintf(stderr, "hvctl: %s \"%s\" is not a name ([A-Za-z0-9_-],"
		    " 1-%d characters)\n", what, s, MSG_NAME_MAX - 1);
		return -1;
	}
	snprintf(out, MSG_NAME_MAX, "%s", s);
	return 0;
}

static int
parse_positional(const struct token *t, const char *s, int *npos,
    struct parse_result *res)
{
	struct ctl_request	*rq = &res->rq;

	if (*npos == 0 && (t->args & (P_GUEST | P_GUEST_OPT))) {
		(*npos)++;
		return parse_name("guest", s, rq->guest);
	}
	if (((*npos == 1 && (t->args & P_GUEST)) || (*npos == 0 &&
	    !(t->args & (P_GUEST | P_GUEST_OPT)))) && (t->args & P_MEMBER)) {
		*npos = 2;
		return parse_name("member", s, rq->member);
	}
	if (*npos == 0 && (t->args & P_LEVEL)) {
		(*npos)++;
		return parse_u64("level", s, 0, 3, &rq->verbose);
	}
	fprintf(stderr, "hvctl: unexpected argument \"%s\"; usage: hvctl %s\n",
	    s, t->synopsis);
	return -1;
}

static bool
parse_complete(const struct token *t, int npos)
{
	int	want = 0;

	if (t->args & P_GUEST)
		want++;
	if (t->args & P_MEMBER)
		want++;
	if (t->args & P_LEVEL)
		want++;
	if (npos >= want)
		return true;
	fprintf(stderr, "hvctl: missing argument; usage: hvctl %s\n",
	    t->synopsis);
	return false;
}

int
parse(int argc, char **argv, struct parse_result *res)
{
	const struct token	*t;
	int			 i, k, used, npos = 0;

	if (argc < 1) {
		parse_usage(stderr);
		return -1;
	}
	if ((k = parse_command(argc, argv, &used)) == -1)
		return -1;
	t = &tokens[k];
	memset(res, 0, sizeof(*res));
	ctl_request_init(&res->rq, t->req);
	for (i = used; i < argc; ) {
		if (argv[i][0] == '-') {
			if ((k = parse_option(argv + i, t->args, res)) == -1)
				return -1;
			i += k;
			continue;
		}
		if (parse_positional(t, argv[i], &npos, res) == -1)
			return -1;
		i++;
	}
	return parse_complete(t, npos) ? 0 : -1;
}
