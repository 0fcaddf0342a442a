/*
 * pool.c: spare guest images.  When a guest has relocated away, its
 * image is scrubbed and kept, populated, for the next guest of the same
 * size that arrives: faulting in fresh pages (the kernel zeroes and
 * charges every one) costs a receiving member more than copying the
 * pages into them.  The pool keeps at most POOL_MAX images, no more
 * storage than the member's topology memory less the guests running
 * here, and none unused for longer than POOL_IDLE_MS.
 *
 * The pool is struct hvd's, under hvd->lock: relocation threads keep
 * images, the inbound thread takes them, the main thread expires them.
 */
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "hvd.h"

#define POOL_IDLE_MS	60000

/* Storage the member may still give the pool; under hvd->lock. */
static size_t
pool_room(struct hvd *h)
{
	size_t	i, used = 0, cap;

	cap = (size_t)h->conf->members[h->self].memory_mib << 20;
	for (i = 0; i < h->conf->nguests; i++)
		if (h->guests[i] != NULL)
			used += h->guests[i]->len;
	for (i = 0; i < h->nspare; i++)
		used += h->spare[i].len;
	if (h->nspare >= POOL_MAX || used >= cap)
		return 0;
	return cap - used;
}

/* Zero the pages that hold something; the others read as zero anyway. */
static void
pool_scrub(uint8_t *mem, const uint32_t *list, size_t n)
{
	size_t	i, k;

	for (i = 0; i < n; i += k) {
		k = 1;
		while (i + k < n && list[i + k] == list[i + k - 1] + 1)
			k++;
		memset(mem + (size_t)list[i] * HV_PAGE, 0, k * HV_PAGE);
	}
}

/*
 * Take over the image of a guest that runs elsewhere now (paused here),
 * and free the guest.  The image is kept scrubbed if the pool has room,
 * else released.
 */
void
pool_keep(struct hvd *h, struct guest *g)
{
	uint32_t	*list;
	uint8_t		*mem;
	size_t		 len;
	ssize_t		 n = -1;
	bool		 room;

	if (g == NULL)
		return;
	len = g->len;
	pthread_mutex_lock(&h->lock);
	room = pool_room(h) >= len;
	pthread_mutex_unlock(&h->lock);
	if (room && (list = malloc(g->npages * sizeof(*list))) != NULL) {
		n = dirty_present(g, list);
		mem = guest_free(g, true);	/* stops tracking too */
		if (n != -1)
			pool_scrub(mem, list, (size_t)n);
		free(list);
	} else
		mem = guest_free(g, true);
	pthread_mutex_lock(&h->lock);
	if (n != -1 && pool_room(h) >= len) {
		h->spare[h->nspare].mem = mem;
		h->spare[h->nspare].len = len;
		h->spare[h->nspare].since_ms = clock_ms();
		h->nspare++;
		mem = NULL;
	}
	pthread_mutex_unlock(&h->lock);
	guest_image_free(mem, len);
}

/* A scrubbed image of len bytes, or NULL when the pool has none. */
uint8_t *
pool_take(struct hvd *h, size_t len)
{
	uint8_t	*mem = NULL;
	size_t	 i;

	pthread_mutex_lock(&h->lock);
	for (i = 0; i < h->nspare; i++)
		if (h->spare[i].len == len) {
			mem = h->spare[i].mem;
			h->spare[i] = h->spare[--h->nspare];
			break;
		}
	pthread_mutex_unlock(&h->lock);
	return mem;
}

/* Release the images unused for long (all of them with all). */
void
pool_expire(struct hvd *h, bool all)
{
	struct pool_image	old[POOL_MAX];
	uint64_t		now = clock_ms();
	size_t			i, n = 0;

	pthread_mutex_lock(&h->lock);
	for (i = 0; i < h->nspare;)
		if (all || now - h->spare[i].since_ms > POOL_IDLE_MS) {
			old[n++] = h->spare[i];
			h->spare[i] = h->spare[--h->nspare];
		} else
			i++;
	pthread_mutex_unlock(&h->lock);
	for (i = 0; i < n; i++)
		guest_image_free(old[i].mem, old[i].len);
}
