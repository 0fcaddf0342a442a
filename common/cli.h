/*
 * cli.h: the command-line front end of every program (CLIs and daemons),
 * in the shape of ospfctl's parser.c: a table of commands, each one to
 * three words, matched by unambiguous prefixes; a table of options, each
 * global (every command takes it) or listed by the commands that take
 * it; options accepted before, between and after the words, so that
 * `hvctl -l ref history -j` and `hvctl history -l ref -j` are the same.
 *
 * Errors come back as one line of text, without the program's name and
 * without a newline, so that tests can compare them exactly:
 *	missing command; valid: members, guests, ...
 *	unknown command "x"; valid: members, guests, ...
 *	ambiguous command "s"; valid: status, set-limits
 *	member: unknown word "x"; valid: set-down, set-limits
 *	relocate: missing argument MEMBER
 *	status: unexpected argument "x"
 *	relocate: unknown option "--dry-run"; valid: -j, --json, ...
 *	--max-total "x": expected a number (1-86400)
 *	--max-total: missing value S
 *	--verify "x": valid: pages, full
 *	--member "a b": expected 1-31 characters of A-Z, a-z, 0-9, _ and -
 * -h/--help and --version are built in: cli_main_parse() prints the
 * usage to stdout or "PROG VERSION" and exits 0.
 *
 * Numbers take an optional unit suffix only where the option says so;
 * ranges are part of the table and of every message.
 */
#ifndef LGR_CLI_H
#define LGR_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CLI_WORDS	3	/* words of a command at most */
#define CLI_ARGS	64	/* positional arguments at most */
#define CLI_VALUES	32	/* options given at most */
#define CLI_ERRLEN	512

enum cli_type {
	CLI_FLAG,		/* no value */
	CLI_STR,		/* any text */
	CLI_NAME,		/* [A-Za-z0-9_-], 1-31 characters */
	CLI_U64,		/* a decimal number in [min, max] */
	CLI_CHOICE,		/* one word of choices; num is its index */
};

struct cli_option {
	int			 id;		/* > 0, unique; 0 ends */
	char			 short_name;	/* 0: none */
	const char		*long_name;	/* NULL: none */
	enum cli_type		 type;
	const char		*metavar;	/* "MS", for usage and errors */
	uint64_t		 min, max;	/* CLI_U64 */
	const char *const	*choices;	/* CLI_CHOICE, NULL-terminated */
};

struct cli_command {
	const char	*words[CLI_WORDS];	/* unused ones NULL */
	int		 id;
	int		 min_args, max_args;	/* positional after the words */
	const char	*args;			/* "GUEST MEMBER", for usage */
	const int	*options;		/* ids, 0-terminated; NULL */
};

struct cli_spec {
	const char		*prog;
	const char		*synopsis;	/* the global part, for usage */
	const struct cli_option	*options;	/* ends with id 0 */
	const int		*global;	/* ids, 0-terminated; NULL */
	const struct cli_command *commands;	/* NULL: no command words */
	size_t			 ncommands;
	int			 min_args, max_args;	/* without commands */
	const char		*args;		/* without commands, usage */
};

/* A program with command words: its spec from its tables. */
#define CLI_SPEC(p, syn, opts, glob, cmds) {				\
	.prog = (p), .synopsis = (syn), .options = (opts),		\
	.global = (glob), .commands = (cmds),				\
	.ncommands = sizeof(cmds) / sizeof((cmds)[0]) }

struct cli_value {
	int		 id;
	const char	*str;		/* the value as given (not CLI_FLAG) */
	uint64_t	 num;		/* CLI_U64; CLI_CHOICE: index */
};

struct cli_result {
	const struct cli_command *cmd;		/* NULL without commands */
	int			 nargs;
	char			*args[CLI_ARGS];
	int			 nvalues;
	struct cli_value	 values[CLI_VALUES];	/* in command-line order */
	bool			 help;
	bool			 version;
};

/*
 * Parse argv[1..argc-1].  Returns 0, or -1 with the message in err.
 * With --help or --version the rest is not checked.
 */
int	cli_parse(const struct cli_spec *spec, int argc, char **argv,
	    struct cli_result *res, char *err, size_t errlen);
/*
 * cli_parse() for main(): on --help the usage to stdout and exit 0; on
 * --version "PROG VERSION" and exit 0; on an error "PROG: message" and
 * "try 'PROG --help'" to stderr and exit usage_exit.
 */
void	cli_main_parse(const struct cli_spec *spec, int argc, char **argv,
	    struct cli_result *res, int usage_exit);
void	cli_usage(const struct cli_spec *spec, FILE *f);

/* The last value of option id, NULL when not given. */
const struct cli_value *cli_get(const struct cli_result *res, int id);
bool	cli_has(const struct cli_result *res, int id);

/*
 * Typed values outside the option table (positional arguments).  0, or
 * -1 with the message in err ("what \"s\": expected ...").
 */
int	cli_u64(const char *what, const char *s, uint64_t min, uint64_t max,
	    uint64_t *out, char *err, size_t errlen);
int	cli_name(const char *what, const char *s, char *err, size_t errlen);

#endif
