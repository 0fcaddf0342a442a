/*
 * digest.c: memory digests.  A page's digest is a 64-bit hash of its
 * 4 KiB, four independent lanes so the CPU keeps them all busy; a
 * memory's digest is the hash of its pages' digests in page order.
 */
#include <string.h>
#if defined(__x86_64__) && defined(__SSE2__)
#include <immintrin.h>
#define DIGEST_STREAM	1	/* stores that bypass the cache */
#endif

#include "hvd.h"

#define DIGEST_M1	0x9e3779b97f4a7c15ULL
#define DIGEST_M2	0xc2b2ae3d27d4eb4fULL

static uint64_t
digest_mix(uint64_t h)
{
	h ^= h >> 33;
	h *= DIGEST_M2;
	h ^= h >> 29;
	return h;
}

/* A word wherever it lies (received pages need not be aligned). */
static inline uint64_t
digest_word(const uint8_t *p)
{
	uint64_t	w;

	memcpy(&w, p, sizeof(w));
	return w;
}

static inline void
digest_store(uint8_t *p, uint64_t w)
{
#ifdef DIGEST_STREAM
	_mm_stream_si64((long long *)(void *)p, (long long)w);
#else
	memcpy(p, &w, sizeof(w));
#endif
}

static uint64_t
digest_fold(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
	return digest_mix(a ^ (b << 1) ^ (c << 2) ^ (d << 3) ^ (b >> 63) ^
	    (c >> 62) ^ (d >> 61));
}

uint64_t
digest_page(const void *page)
{
	const uint8_t	*p = page;
	uint64_t	 a = 1, b = 2, c = 3, d = 4;
	size_t		 i;

	for (i = 0; i < HV_PAGE; i += 32) {
		a = (a ^ digest_word(p + i)) * DIGEST_M1;
		b = (b ^ digest_word(p + i + 8)) * DIGEST_M1;
		c = (c ^ digest_word(p + i + 16)) * DIGEST_M1;
		d = (d ^ digest_word(p + i + 24)) * DIGEST_M1;
	}
	return digest_fold(a, b, c, d);
}

/*
 * Copy a page to dst (8-byte aligned) and return its digest_page, in
 * one read of src.  The stores bypass the cache where the CPU allows:
 * dst is a guest image nobody reads soon.  digest_copy_end makes the
 * copies visible in order before anyone else reads them.
 */
uint64_t
digest_copy(void *dst, const void *src)
{
	const uint8_t	*p = src;
	uint8_t		*q = dst;
	uint64_t	 a = 1, b = 2, c = 3, d = 4, w[4];
	size_t		 i;

	for (i = 0; i < HV_PAGE; i += 32) {
		w[0] = digest_word(p + i);
		w[1] = digest_word(p + i + 8);
		w[2] = digest_word(p + i + 16);
		w[3] = digest_word(p + i + 24);
		a = (a ^ w[0]) * DIGEST_M1;
		b = (b ^ w[1]) * DIGEST_M1;
		c = (c ^ w[2]) * DIGEST_M1;
		d = (d ^ w[3]) * DIGEST_M1;
		digest_store(q + i, w[0]);
		digest_store(q + i + 8, w[1]);
		digest_store(q + i + 16, w[2]);
		digest_store(q + i + 24, w[3]);
	}
	return digest_fold(a, b, c, d);
}

void
digest_copy_end(void)
{
#ifdef DIGEST_STREAM
	_mm_sfence();
#endif
}

uint64_t
digest_pages(const uint64_t *hashes, size_t n)
{
	uint64_t	h = DIGEST_M2 ^ n;
	size_t		i;

	for (i = 0; i < n; i++)
		h = digest_mix(h ^ hashes[i]) * DIGEST_M1 + i;
	return h;
}

/* The digest of the whole memory, recomputed from its content. */
uint64_t
digest_memory(const uint8_t *mem, size_t npages)
{
	uint64_t	h = DIGEST_M2 ^ npages;
	size_t		i;

	for (i = 0; i < npages; i++)
		h = digest_mix(h ^ digest_page(mem + i * HV_PAGE)) * DIGEST_M1 +
		    i;
	return h;
}

bool
digest_zero(const void *p)
{
	const uint64_t	*w = p;
	size_t		 i;

	for (i = 0; i < HV_PAGE / 8; i += 4)
		if ((w[i] | w[i + 1] | w[i + 2] | w[i + 3]) != 0)
			return false;
	return true;
}
