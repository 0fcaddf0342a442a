/*
 * fuzz_main.c: libFuzzer entry for the decoders (build/hypervisor/hv_fuzz
 * -max_total_time=60); an accepted input that breaks an invariant
 * aborts.
 */
#include <stdlib.h>

#include "fuzz_decoders.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	if (fuzz_decoders(data, len) == -1)
		abort();
	return 0;
}
