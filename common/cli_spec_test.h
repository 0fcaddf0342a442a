/*
 * cli_spec_test.h: a command line with options of every type, commands
 * of one and two words and a daemon's, for cli_test.c and cli_fuzz.c.
 */
#ifndef LGR_CLI_SPEC_TEST_H
#define LGR_CLI_SPEC_TEST_H

#include "cli.h"

enum { O_JSON = 1, O_LAB, O_TIMEOUT, O_DRY, O_TOTAL, O_VERIFY, O_MEMBER,
    O_FOLLOW };
enum { C_MEMBERS, C_STATUS, C_SETLIM, C_RELOCATE, C_HISTORY, C_MDOWN,
    C_MLIM, C_EVACUATE };

static const char *const verify_words[] = { "pages", "full", NULL };

static const struct cli_option opts[] = {
	{ O_JSON, 'j', "json", CLI_FLAG, NULL, 0, 0, NULL },
	{ O_LAB, 'l', "lab", CLI_NAME, "LAB", 0, 0, NULL },
	{ O_TIMEOUT, 't', NULL, CLI_U64, "MS", 1, 600000, NULL },
	{ O_DRY, 0, "dry-run", CLI_FLAG, NULL, 0, 0, NULL },
	{ O_TOTAL, 0, "max-total", CLI_U64, "S", 1, 86400, NULL },
	{ O_VERIFY, 0, "verify", CLI_CHOICE, "HOW", 0, 0, verify_words },
	{ O_MEMBER, 'm', "member", CLI_NAME, "MEMBER", 0, 0, NULL },
	{ O_FOLLOW, 'f', "follow", CLI_FLAG, NULL, 0, 0, NULL },
	{ 0 },
};
static const int global[] = { O_JSON, O_LAB, O_TIMEOUT, 0 };
static const int reloc_opts[] = { O_TOTAL, O_VERIFY, 0 };
static const int evac_opts[] = { O_DRY, O_MEMBER, 0 };
static const int hist_opts[] = { O_FOLLOW, 0 };

static const struct cli_command cmds[] = {
	{ { "members" }, C_MEMBERS, 0, 0, NULL, NULL },
	{ { "status" }, C_STATUS, 0, 1, "[GUEST]", NULL },
	{ { "set-limits" }, C_SETLIM, 1, 1, "GUEST", reloc_opts },
	{ { "relocate" }, C_RELOCATE, 2, 2, "GUEST MEMBER", reloc_opts },
	{ { "history" }, C_HISTORY, 0, 1, "[GUEST]", hist_opts },
	{ { "member", "set-down" }, C_MDOWN, 1, 1, "MEMBER", NULL },
	{ { "member", "set-limits" }, C_MLIM, 1, 1, "MEMBER", NULL },
	{ { "evacuate" }, C_EVACUATE, 1, 1, "WORKLOAD", evac_opts },
};

static const struct cli_spec spec = {
	.prog = "tctl",
	.synopsis = "[-j] [-l lab] [-t ms] command [argument ...]",
	.options = opts,
	.global = global,
	.commands = cmds,
	.ncommands = sizeof(cmds) / sizeof(cmds[0]),
};

static const struct cli_spec daemon_spec = {
	.prog = "tstd",
	.synopsis = "[-l lab] MEMBER",
	.options = opts,
	.global = global,
	.min_args = 1,
	.max_args = 1,
	.args = "MEMBER",
};

#endif
