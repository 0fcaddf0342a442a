/*
 * fuzz_main.c: libFuzzer entry for the decoders (build/hypervisor/hv_fuzz
 * -max_total_time=60).
 */
#include "fuzz_decoders.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	return fuzz_decoders(data, len);
}
