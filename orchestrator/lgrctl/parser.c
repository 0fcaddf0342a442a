/*
 * parser.c: lgrctl's command words.  Each command maps to one request;
 * words may be abbreviated to an unambiguous prefix, and a word that
 * does not match lists the choices (ospfctl's parser.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lgrctl.h"

typedef int (*parse_fn)(int argc, char **argv, struct parse_result *res);

struct parse_cmd {
	const char	*word;
	enum lgr_req	 req;
	parse_fn	 fn;
	const char	*synopsis;
};

static int	parse_evacuate(int, char **, struct parse_result *);
static int	parse_relocate(int, char **, struct parse_result *);
static int	parse_check(int, char **, struct parse_result *);
static int	parse_cancel(int, char **, struct parse_result *);
static int	parse_status(int, char **, struct parse_result *);
static int	parse_history(int, char **, struct parse_result *);
static int	parse_events(int, char **, struct parse_result *);
static int	parse_report(int, char **, struct parse_result *);
static int	parse_verbose(int, char **, struct parse_result *);

static const struct parse_cmd parse_cmds[] = {
	{ "evacuate", LGR_REQ_EVACUATE, parse_evacuate, "evacuate WORKLOAD "
	    "[--from MEMBER] [--to MEMBER] [--parallel N]\n"
	    "                 [--max-blackhole MS] [--dry-run] [--no-wait]" },
	{ "relocate", LGR_REQ_RELOCATE, parse_relocate, "relocate GUEST MEMBER "
	    "[--max-blackhole MS] [--no-wait]" },
	{ "check", LGR_REQ_CHECK, parse_check, "check GUEST MEMBER" },
	{ "cancel", LGR_REQ_CANCEL, parse_cancel, "cancel GUEST|JOB" },
	{ "status", LGR_REQ_STATUS, parse_status, "status [JOB]" },
	{ "history", LGR_REQ_HISTORY, parse_history, "history [GUEST]" },
	{ "events", LGR_REQ_EVENTS, parse_events, "events [-f] [JOB]" },
	{ "report", LGR_REQ_REPORT, parse_report, "report [JOB]" },
	{ "verbose", LGR_REQ_VERBOSE, parse_verbose, "verbose 0-3" },
};

#define PARSE_NCMDS	(sizeof(parse_cmds) / sizeof(parse_cmds[0]))

void
parse_usage(FILE *f)
{
	fprintf(f, "usage: lgrctl [-jq] [-D labdir | -l lab] [-k role | -K "
	    "keyfile] [-t ms] command\n");
	for (size_t i = 0; i < PARSE_NCMDS; i++)
		fprintf(f, "       %s\n", parse_cmds[i].synopsis);
}

static const struct parse_cmd *
parse_find(const char *word)
{
	const struct parse_cmd	*hit = NULL;
	size_t			 len = strlen(word), n = 0;

	for (size_t i = 0; i < PARSE_NCMDS; i++) {
		if (strcmp(parse_cmds[i].word, word) == 0)
			return &parse_cmds[i];
		if (strncmp(parse_cmds[i].word, word, len) == 0) {
			hit = &parse_cmds[i];
			n++;
		}
	}
	if (n == 1)
		return hit;
	fprintf(stderr, "lgrctl: %s command \"%s\"; valid: ", n > 1 ?
	    "ambiguous" : "unknown", word);
	for (size_t i = 0; i < PARSE_NCMDS; i++)
		fprintf(stderr, "%s%s", i ? ", " : "", parse_cmds[i].word);
	fprintf(stderr, "\n");
	return NULL;
}

static int
parse_name(const char *what, const char *s, char *out)
{
	if (!msg_name_valid(s)) {
		fprintf(stderr, "lgrctl: %s \"%s\": expected 1-%d characters of "
		    "A-Z, a-z, 0-9, _ and -\n", what, s, MSG_NAME_MAX - 1);
		return -1;
	}
	snprintf(out, MSG_NAME_MAX, "%s", s);
	return 0;
}

static int
parse_u64(const char *what, const char *s, uint64_t min, uint64_t max,
    uint64_t *out)
{
	char			*end;
	unsigned long long	 v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s || v < min || v > max) {
		fprintf(stderr, "lgrctl: %s \"%s\": expected a number "
		    "(%ju-%ju)\n", what, s, (uintmax_t)min, (uintmax_t)max);
		return -1;
	}
	*out = v;
	return 0;
}

/* The options of evacuate and relocate; returns the next index. */
static int
parse_run_opt(int argc, char **argv, int i, struct parse_result *res)
{
	struct lgr_request	*rq = &res->rq;
	const char		*o = argv[i];

	if (strcmp(o, "--dry-run") == 0 && rq->type == LGR_REQ_EVACUATE) {
		res->flags |= PARSE_DRY_RUN;
		return i + 1;
	}
	if (strcmp(o, "--no-wait") == 0) {
		res->flags |= PARSE_NO_WAIT;
		return i + 1;
	}
	if (i + 1 >= argc) {
		fprintf(stderr, "lgrctl: %s needs a value\n", o);
		return -1;
	}
	if (strcmp(o, "--max-blackhole") == 0)
		return parse_u64(o, argv[i + 1], 0, 600000,
		    &rq->max_blackhole_ms) == -1 ? -1 : i + 2;
	if (rq->type != LGR_REQ_EVACUATE)
		goto bad;
	if (strcmp(o, "--from") == 0)
		return parse_name("--from", argv[i + 1], rq->from) == -1 ? -1 :
		    i + 2;
	if (strcmp(o, "--to") == 0)
		return parse_name("--to", argv[i + 1], rq->to) == -1 ? -1 :
		    i + 2;
	if (strcmp(o, "--parallel") == 0)
		return parse_u64(o, argv[i + 1], 1, 64, &rq->parallel) == -1 ?
		    -1 : i + 2;
bad:
	fprintf(stderr, "lgrctl: unknown option %s of %s\n", o,
	    lgr_req_name(rq->type));
	return -1;
}

static int
parse_evacuate(int argc, char **argv, struct parse_result *res)
{
	int	i = 1;

	if (argc < 2 || parse_name("workload", argv[1], res->rq.workload) ==
	    -1)
		return -1;
	for (i = 2; i < argc && i != -1;)
		i = parse_run_opt(argc, argv, i, res);
	if (i == -1)
		return -1;
	if (res->flags & PARSE_DRY_RUN)
		res->rq.type = LGR_REQ_PLAN;
	return 0;
}

static int
parse_relocate(int argc, char **argv, struct parse_result *res)
{
	int	i;

	if (argc < 3 || parse_name("guest", argv[1], res->rq.guest) == -1 ||
	    parse_name("member", argv[2], res->rq.to) == -1)
		return -1;
	for (i = 3; i < argc && i != -1;)
		i = parse_run_opt(argc, argv, i, res);
	return i == -1 ? -1 : 0;
}

static int
parse_check(int argc, char **argv, struct parse_result *res)
{
	if (argc != 3 || parse_name("guest", argv[1], res->rq.guest) == -1 ||
	    parse_name("member", argv[2], res->rq.to) == -1)
		return -1;
	return 0;
}

static int
parse_cancel(int argc, char **argv, struct parse_result *res)
{
	if (argc != 2)
		return -1;
	if (argv[1][0] >= '0' && argv[1][0] <= '9')
		return parse_u64("job", argv[1], 1, INT64_MAX, &res->rq.id);
	return parse_name("guest", argv[1], res->rq.guest);
}

static int
parse_job_opt(int argc, char **argv, struct parse_result *res)
{
	if (argc > 2)
		return -1;
	if (argc == 2)
		return parse_u64("job", argv[1], 1, INT64_MAX, &res->rq.id);
	return 0;
}

static int
parse_status(int argc, char **argv, struct parse_result *res)
{
	return parse_job_opt(argc, argv, res);
}

static int
parse_report(int argc, char **argv, struct parse_result *res)
{
	return parse_job_opt(argc, argv, res);
}

static int
parse_history(int argc, char **argv, struct parse_result *res)
{
	if (argc > 2)
		return -1;
	return argc == 2 ? parse_name("guest", argv[1], res->rq.guest) : 0;
}

static int
parse_events(int argc, char **argv, struct parse_result *res)
{
	if (argc > 1 && strcmp(argv[1], "-f") == 0) {
		res->flags |= PARSE_FOLLOW;
		argc--;
		argv++;
	}
	return parse_job_opt(argc, argv, res);
}

static int
parse_verbose(int argc, char **argv, struct parse_result *res)
{
	if (argc != 2)
		return -1;
	return parse_u64("level", argv[1], 0, 3, &res->rq.verbose);
}

int
parse(int argc, char **argv, struct parse_result *res)
{
	const struct parse_cmd	*cmd;

	memset(res, 0, sizeof(*res));
	if (argc < 1) {
		parse_usage(stderr);
		return -1;
	}
	if ((cmd = parse_find(argv[0])) == NULL)
		return -1;
	lgr_request_init(&res->rq, cmd->req);
	if (cmd->fn(argc, argv, res) == -1) {
		fprintf(stderr, "usage: lgrctl %s\n", cmd->synopsis);
		return -1;
	}
	return 0;
}
