/*
 * keygen.c: lgr_keygen LABDIR -- the lab's CURVE keys (common/keys.c) for
 * the routing lab tests.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "keys.h"

int
main(int argc, char *argv[])
{
	if (argc != 2) {
		fprintf(stderr, "usage: lgr_keygen LABDIR\n");
		return 2;
	}
	if (keys_generate(argv[1], false) == -1) {
		fprintf(stderr, "lgr_keygen: %s/%s: %s\n", argv[1], KEYS_DIR,
		    strerror(errno));
		return 1;
	}
	return 0;
}
