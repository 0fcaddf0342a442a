/*
 * cli_fuzz.c: libFuzzer target for the command-line front end.  The
 * input is argv, words separated by NUL bytes.  Beyond not crashing: a
 * refused command line always says why; an accepted one names a command
 * whose argument count is within its range and whose options it takes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli_spec_test.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

#define FUZZ_WORDS	24

static void
fuzz_check(const struct cli_spec *sp, int argc, char **argv)
{
	struct cli_result	r;
	char			err[CLI_ERRLEN];
	int			min, max;

	if (cli_parse(sp, argc, argv, &r, err, sizeof(err)) == -1) {
		if (err[0] == '\0' || strchr(err, '\n') != NULL)
			abort();
		return;
	}
	if (r.help || r.version)
		return;
	if (sp->commands != NULL && r.cmd == NULL)
		abort();
	min = r.cmd != NULL ? r.cmd->min_args : sp->min_args;
	max = r.cmd != NULL ? r.cmd->max_args : sp->max_args;
	if (r.nargs < min || r.nargs > max || r.nvalues > CLI_VALUES)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char	*buf, *argv[FUZZ_WORDS + 1], *p;
	int	 argc = 1;

	if ((buf = malloc(len + 1)) == NULL)
		return 0;
	memcpy(buf, data, len);
	buf[len] = '\0';
	argv[0] = (char *)(uintptr_t)"prog";
	for (p = buf; p < buf + len && argc < FUZZ_WORDS; p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;
	fuzz_check(&spec, argc, argv);
	fuzz_check(&daemon_spec, argc, argv);
	free(buf);
	return 0;
}
