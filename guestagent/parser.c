/*
 * parser.c: agentctl's commands, one request each, through a token
 * table; any unambiguous prefix of a word is accepted, and a word that
 * matches nothing gets the list of valid choices.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agentctl.h"

enum parse_arg {
	ARG_PEERS,	/* --peers A,B */
	ARG_TIMEOUT,	/* --timeout MS */
	ARG_JSON,	/* -j, --json */
	ARG_LEVEL,	/* LEVEL */
};

#define ARGF(a)		(1u << (a))

static const struct parse_cmd {
	const char	*word;
	enum agent_req	 req;
	unsigned	 args;
	const char	*synopsis;
} parse_cmds[] = {
	{ "prepare", AGENT_REQ_PREPARE, ARGF(ARG_PEERS) | ARGF(ARG_TIMEOUT) |
	    ARGF(ARG_JSON), "prepare [--peers A,B] [--timeout MS] [-j]" },
	{ "complete", AGENT_REQ_COMPLETE, ARGF(ARG_TIMEOUT) | ARGF(ARG_JSON),
	    "complete [--timeout MS] [-j]" },
	{ "status", AGENT_REQ_STATUS, ARGF(ARG_JSON), "status [-j]" },
	{ "verbose", AGENT_REQ_VERBOSE, ARGF(ARG_LEVEL), "verbose 0|1|2" },
};

#define NCMDS	(sizeof(parse_cmds) / sizeof(parse_cmds[0]))

static const struct {
	const char	*word;
	enum parse_arg	 arg;
} parse_opts[] = {
	{ "--peers", ARG_PEERS },
	{ "-p", ARG_PEERS },
	{ "--timeout", ARG_TIMEOUT },
	{ "-t", ARG_TIMEOUT },
	{ "--json", ARG_JSON },
	{ "-j", ARG_JSON },
};

#define NOPTS	(sizeof(parse_opts) / sizeof(parse_opts[0]))

const char *
parse_synopsis(void)
{
	static char	buf[256];
	size_t		i, off = 0;

	if (buf[0] != '\0')
		return buf;
	for (i = 0; i < NCMDS; i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s",
		    i ? " | " : "", parse_cmds[i].synopsis);
	return buf;
}

static const struct parse_cmd *
parse_find(const char *word, char *err, size_t errlen)
{
	const struct parse_cmd	*found = NULL;
	size_t			 i, n = strlen(word), matches = 0;

	for (i = 0; i < NCMDS; i++) {
		if (strcmp(parse_cmds[i].word, word) == 0)
			return &parse_cmds[i];
		if (n > 0 && strncmp(parse_cmds[i].word, word, n) == 0) {
			found = &parse_cmds[i];
			matches++;
		}
	}
	if (matches == 1)
		return found;
	snprintf(err, errlen, "%s command \"%s\"; valid commands: prepare, "
	    "complete, status, verbose", matches > 1 ? "ambiguous" :
	    "unknown", word);
	return NULL;
}

static int
parse_peers(const char *s, struct agent_request *rq, char *err,
    size_t errlen)
{
	char	buf[AGENT_PEERS_MAX * MSG_NAME_MAX], *tok, *save = NULL;
	size_t	j;

	rq->peers_given = true;
	rq->npeers = 0;
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if (!msg_name_valid(tok)) {
			snprintf(err, errlen, "peer \"%s\" is not a guest name "
			    "([A-Za-z0-9_-], 1-%d characters)", tok,
			    MSG_NAME_MAX - 1);
			return -1;
		}
		for (j = 0; j < rq->npeers; j++)
			if (strcmp(rq->peers[j], tok) == 0) {
				snprintf(err, errlen, "peer %s given twice", tok);
				return -1;
			}
		if (rq->npeers == AGENT_PEERS_MAX) {
			snprintf(err, errlen, "too many peers (at most %d)",
			    AGENT_PEERS_MAX);
			return -1;
		}
		snprintf(rq->peers[rq->npeers++], MSG_NAME_MAX, "%s", tok);
	}
	return 0;
}

static int
parse_number(const char *s, unsigned long min, unsigned long max,
    const char *what, uint64_t *out, char *err, size_t errlen)
{
	char		*end;
	unsigned long	 v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < min || v > max) {
		snprintf(err, errlen, "%s \"%s\" out of range (%lu-%lu)", what,
		    s, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

static int
parse_option(const struct parse_cmd *c, int argc, char **argv, int *i,
    struct parse_result *pr, char *err, size_t errlen)
{
	size_t	k;

	for (k = 0; k < NOPTS; k++)
		if (strcmp(argv[*i], parse_opts[k].word) == 0)
			break;
	if (k == NOPTS || !(c->args & ARGF(parse_opts[k].arg))) {
		snprintf(err, errlen, "%s: unexpected \"%s\"; usage: %s",
		    c->word, argv[*i], c->synopsis);
		return -1;
	}
	if (parse_opts[k].arg == ARG_JSON) {
		pr->json = true;
		return 0;
	}
	if (*i + 1 >= argc) {
		snprintf(err, errlen, "%s: %s needs a value; usage: %s",
		    c->word, argv[*i], c->synopsis);
		return -1;
	}
	(*i)++;
	if (parse_opts[k].arg == ARG_PEERS)
		return parse_peers(argv[*i], &pr->rq, err, errlen);
	return parse_number(argv[*i], 1, AGENT_TIMEOUT_MAX_MS, "timeout",
	    &pr->rq.timeout_ms, err, errlen);
}

int
parse_command(int argc, char **argv, struct parse_result *pr, char *err,
    size_t errlen)
{
	const struct parse_cmd	*c;
	int			 i;

	memset(pr, 0, sizeof(*pr));
	if (argc < 1) {
		snprintf(err, errlen, "no command; valid commands: prepare, "
		    "complete, status, verbose");
		return -1;
	}
	if ((c = parse_find(argv[0], err, errlen)) == NULL)
		return -1;
	agent_request_init(&pr->rq, c->req);
	for (i = 1; i < argc; i++) {
		if ((c->args & ARGF(ARG_LEVEL)) && pr->rq.level == AGENT_UNSET &&
		    argv[i][0] != '-') {
			if (parse_number(argv[i], 0, 2, "level", &pr->rq.level,
			    err, errlen) == -1)
				return -1;
			continue;
		}
		if (parse_option(c, argc, argv, &i, pr, err, errlen) == -1)
			return -1;
	}
	if ((c->args & ARGF(ARG_LEVEL)) && pr->rq.level == AGENT_UNSET) {
		snprintf(err, errlen, "%s: which level? usage: %s", c->word,
		    c->synopsis);
		return -1;
	}
	return 0;
}
