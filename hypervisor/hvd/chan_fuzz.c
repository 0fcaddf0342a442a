/*
 * chan_fuzz.c: libFuzzer target for the relocation channel's frames
 * (chan.c), as a target member reads them from a source.  The first
 * byte says whether a data part follows (bit 0) and how long it is
 * relative to the header's count (bits 1-2: exact, one byte short, one
 * byte over, none); the rest is the frame.
 *
 * Beyond not crashing: an accepted frame has the magic, a known type and
 * exactly its type's payload size; a SETUP's names are valid and
 * terminated, its memory and verify in range; a PAGES frame carries 1 to
 * CHAN_BATCH page numbers, chan_pages_valid() agrees with a plain check
 * of them, and its data part is accepted only when it is exactly count
 * pages; a READY is empty or names a terminated tcp:// endpoint.
 *
 * Every input is also offered as a sealed frame to a target's seal
 * (seal.c), in one or two parts: none may open (it would take the
 * key), and a refused one keeps its lengths.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "hvd.h"

#define FUZZ_NPAGES	1024	/* the image size pages are checked against */

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

static size_t
fuzz_payload_size(const struct chan_hdr *h, size_t plen)
{
	switch (h->type) {
	case CHAN_SETUP:
		return sizeof(struct chan_setup);
	case CHAN_PAGES:
		return (size_t)h->count * sizeof(uint32_t);
	case CHAN_STATE:
		return sizeof(struct chan_state);
	case CHAN_DIGEST:
		return sizeof(uint64_t);
	case CHAN_READY:
		return plen != 0 ? sizeof(struct chan_ready) : 0;
	default:
		return 0;
	}
}

static void
fuzz_setup(const void *pl)
{
	struct chan_setup	s;

	memcpy(&s, pl, sizeof(s));
	if (memchr(s.guest, '\0', sizeof(s.guest)) == NULL ||
	    memchr(s.src, '\0', sizeof(s.src)) == NULL ||
	    !msg_name_valid(s.guest) || !msg_name_valid(s.src) ||
	    s.memory_mib == 0 || s.verify > HV_VERIFY_FULL)
		abort();
}

static void
fuzz_ready(const void *pl)
{
	struct chan_ready	r;

	memcpy(&r, pl, sizeof(r));
	if (memchr(r.bulk, '\0', sizeof(r.bulk)) == NULL ||
	    (r.bulk[0] != '\0' && strncmp(r.bulk, "tcp://", 6) != 0))
		abort();
}

/* The input as a sealed frame: split at its first byte if bit 3 set. */
static void
fuzz_sealed(const uint8_t *data, size_t len)
{
	static struct seal	 s;
	static bool		 keyed;
	static const uint8_t	 key[SEAL_KEY] = { 0x4c, 0x47, 0x52 };
	uint8_t			*buf;
	size_t			 alen, blen, cut;

	if (!keyed && seal_init(&s, key, false) == -1)
		abort();
	keyed = true;
	if ((buf = malloc(len + 1)) == NULL)
		return;
	memcpy(buf, data, len);
	cut = (data[0] & 8) != 0 && len > 1 ? data[1] % len : len;
	alen = cut;
	blen = len - cut;
	if (seal_open(&s, sizeof(struct chan_hdr), buf, &alen,
	    cut < len ? buf + cut : NULL, &blen) != -1 || s.rx != 0 ||
	    alen != cut || blen != len - cut)
		abort();
	free(buf);
}

static void
fuzz_pages(const struct chan_hdr *h, const void *pl, uint8_t how)
{
	const uint8_t	*p = pl;
	size_t		 data = (size_t)h->count * HV_PAGE;
	uint32_t	 i, page;
	bool		 valid = true;

	if (h->count == 0 || h->count > CHAN_BATCH)
		abort();
	for (i = 0; i < h->count; i++) {
		memcpy(&page, p + i * sizeof(page), sizeof(page));
		valid = valid && page < FUZZ_NPAGES;
	}
	if (chan_pages_valid(pl, h->count, FUZZ_NPAGES) != valid)
		abort();
	if (chan_decode_data(h, true, data) != 0 ||
	    chan_decode_data(h, false, 0) != -1)
		abort();
	if (how == 1 && chan_decode_data(h, true, data - 1) != -1)
		abort();
	if (how == 2 && chan_decode_data(h, true, data + 1) != -1)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct chan_hdr	 h;
	const void	*pl;
	size_t		 plen;

	if (len == 0)
		return 0;
	fuzz_sealed(data, len);
	if (chan_decode(data + 1, len - 1, &h, &pl, &plen) == -1)
		return 0;
	if (h.magic != CHAN_MAGIC || h.type < CHAN_SETUP ||
	    h.type >= CHAN_MAX || pl != data + 1 + sizeof(h) ||
	    plen != len - 1 - sizeof(h))
		abort();
	if (h.type == CHAN_ERROR ? plen > CHAN_ERROR_MAX :
	    plen != fuzz_payload_size(&h, plen))
		abort();
	if (h.type == CHAN_SETUP)
		fuzz_setup(pl);
	if (h.type == CHAN_READY && plen != 0)
		fuzz_ready(pl);
	if (h.type == CHAN_PAGES)
		fuzz_pages(&h, pl, (data[0] >> 1) & 3);
	else if (chan_decode_data(&h, (data[0] & 1) != 0, 0) !=
	    ((data[0] & 1) != 0 ? -1 : 0))
		abort();
	return 0;
}
