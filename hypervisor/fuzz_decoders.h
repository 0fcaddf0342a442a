/*
 * fuzz_decoders.h: one entry for every decoder of untrusted input in
 * hypervisor/, driven by fuzz_main.c (libFuzzer) and fuzz_test.c
 * (random and mutated input under cmocka).
 */
#ifndef LGR_HV_FUZZ_DECODERS_H
#define LGR_HV_FUZZ_DECODERS_H

#include <stddef.h>
#include <stdint.h>

#include "ctl.h"
#include "hvd.h"

/* Feeds data to the decoder chosen by its first byte; always returns 0. */
static inline int
fuzz_decoders(const uint8_t *data, size_t len)
{
	struct ctl_request	 rq;
	struct chan_hdr		 h;
	const void		*pl;
	size_t			 plen;

	if (len == 0)
		return 0;
	if (data[0] & 1) {
		ctl_request_decode(data + 1, len - 1, &rq);
		return 0;
	}
	if (chan_decode(data + 1, len - 1, &h, &pl, &plen) == 0 &&
	    h.type == CHAN_PAGES) {
		chan_pages_valid(pl, h.count, 1024);
		/* Bit 1 of the first byte: a data part of count pages. */
		chan_decode_data(&h, (data[0] & 2) != 0, plen /
		    sizeof(uint32_t) * HV_PAGE);
	}
	return 0;
}

#endif
