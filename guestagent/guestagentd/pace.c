/*
 * pace.c: when the agent asks a router again while it waits for
 * evidence (pure).
 *
 * A router is asked when it published an event since it was last asked
 * (watch.c), or else after a back-off: PACE_FIRST_MS, doubling up to
 * PACE_MAX_MS, which bounds what a lost event can cost.  Asking every
 * router on every 10 ms tick, as the agent once did, had a prepare read
 * every peer's whole table a hundred times a second.
 */
#include "agent.h"

#define PACE_FIRST_MS	10
#define PACE_MAX_MS	80	/* PACE_FIRST_MS times a power of 2 */

/* Due at once: nothing asked yet. */
void
pace_init(struct pace *p, int watch)
{
	p->watch = watch;
	p->next = 0;
	p->step = PACE_FIRST_MS;
}

/* Ask now?  Its router published an event since (fired), or its time
 * came. */
bool
pace_due(const struct pace *p, bool fired, int64_t now)
{
	return fired || now >= p->next;
}

/* Asked, and not there yet: the next ask without an event backs off. */
void
pace_wait(struct pace *p, int64_t now)
{
	p->next = now + p->step;
	if (p->step < PACE_MAX_MS)
		p->step *= 2;
}
