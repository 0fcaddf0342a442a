/*
 * fuzz_decoders.h: one entry for every decoder of untrusted input in
 * hypervisor/ (hvd's control requests, the relocation channel's
 * frames), driven by fuzz_main.c (libFuzzer) and fuzz_test.c (random
 * and mutated input under cmocka).
 *
 * What a decoder accepts must hold what its callers rely on: a request
 * has a known type, valid names and survives encode and decode
 * unchanged; a frame has a known type, PAGES a count within the batch
 * and exactly its page numbers, which chan_pages_valid judges right.
 */
#ifndef LGR_HV_FUZZ_DECODERS_H
#define LGR_HV_FUZZ_DECODERS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <json-c/json.h>

#include "hv_ctl.h"
#include "hvd.h"

#define FUZZ_NPAGES	1024	/* the image size pages are checked against */

/* An accepted request: 0 when it is what its callers may rely on. */
static inline int
fuzz_check_request(const struct hv_request *rq)
{
	struct hv_request	 again;
	struct json_object	*o;
	const char		*s;
	int			 rc = -1;

	if ((unsigned)rq->type >= HV_REQ_MAX ||
	    (rq->guest[0] != '\0' && !msg_name_valid(rq->guest)) ||
	    (rq->member[0] != '\0' && !msg_name_valid(rq->member)) ||
	    (unsigned)rq->verify > HV_VERIFY_FULL)
		return -1;
	if ((o = hv_request_encode(rq)) == NULL)
		return -1;
	s = json_object_to_json_string(o);
	if (hv_request_decode(s, strlen(s), &again) == 0 &&
	    memcmp(&again, rq, sizeof(again)) == 0)
		rc = 0;
	json_object_put(o);
	return rc;
}

/* An accepted frame: 0 when it is what the relocation code relies on. */
static inline int
fuzz_check_frame(const struct chan_hdr *h, const void *pl, size_t plen)
{
	const uint8_t	*p = pl;
	uint32_t	 i, page;
	bool		 valid = true;

	if (h->magic != CHAN_MAGIC || h->type == 0 || h->type >= CHAN_MAX)
		return -1;
	if (h->type != CHAN_PAGES)
		return 0;
	if (h->count == 0 || h->count > CHAN_BATCH ||
	    plen != h->count * sizeof(uint32_t))
		return -1;
	for (i = 0; i < h->count; i++) {
		memcpy(&page, p + i * sizeof(page), sizeof(page));
		valid = valid && page < FUZZ_NPAGES;
	}
	return chan_pages_valid(pl, h->count, FUZZ_NPAGES) == valid ? 0 : -1;
}

/*
 * Feed data to the decoder chosen by its first byte.  Returns 1 when it
 * accepted the input, 0 when it refused it, -1 when what it accepted
 * breaks an invariant above (a bug).
 */
static inline int
fuzz_decoders(const uint8_t *data, size_t len)
{
	struct hv_request	 rq;
	struct chan_hdr		 h;
	const void		*pl;
	size_t			 plen;

	if (len == 0)
		return 0;
	if (data[0] & 1) {
		if (hv_request_decode(data + 1, len - 1, &rq) == -1)
			return 0;
		return fuzz_check_request(&rq) == 0 ? 1 : -1;
	}
	if (chan_decode(data + 1, len - 1, &h, &pl, &plen) == -1)
		return 0;
	if (fuzz_check_frame(&h, pl, plen) == -1)
		return -1;
	/* Bit 1 of the first byte: a data part of count pages. */
	if (h.type == CHAN_PAGES && chan_decode_data(&h, (data[0] & 2) != 0,
	    plen / sizeof(uint32_t) * HV_PAGE) == -1)
		return 0;
	return 1;
}

#endif
