/*
 * topo_fuzz.c: libFuzzer target for the topology parser and validator.
 * Beyond not crashing or leaking: a file that loads has no diagnostics;
 * a file that does not has at least one, and every diagnostic names the
 * file, carries a message and points inside the input (or at line 0).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "topo.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

static unsigned
fuzz_lines(const uint8_t *data, size_t len)
{
	unsigned	n = 1;
	size_t		i;

	for (i = 0; i < len; i++)	/* YAML breaks lines at LF, CR, CRLF */
		n += data[i] == '\n' || (data[i] == '\r' &&
		    (i + 1 == len || data[i + 1] != '\n'));
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct topo_diags	 d = { NULL, 0 };
	struct topo		*t;
	unsigned		 lines = fuzz_lines(data, len);
	size_t			 i;

	t = topo_load_buf("fuzz.yaml", (const char *)data, len, &d);
	if ((t != NULL) != (d.n == 0))
		abort();
	for (i = 0; i < d.n; i++)
		if (d.v[i].file == NULL || strcmp(d.v[i].file, "fuzz.yaml") !=
		    0 || d.v[i].msg == NULL || d.v[i].msg[0] == '\0' ||
		    d.v[i].line > lines + 1)
			abort();
	topo_free(t);
	topo_diags_free(&d);
	return 0;
}
