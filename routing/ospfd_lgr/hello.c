/*
 * hello.c: hellos at once where ospfd would wait a hello interval.
 *
 * On a broadcast or NBMA LAN a router learns the designated routers, and
 * becomes 2-Way with its neighbours, only from their hellos.  ospfd sends
 * hellos on its timer: a router whose interface comes up with priority 0
 * (drained) sends its first one a whole hello interval later, and the
 * routers already on the LAN answer a newcomer at their next periodic
 * hello.  With the lab's timers that is up to 250 ms, with FRR's
 * defaults 10 s before the newcomer even waits out its election.  So:
 *   - an interface that comes up sends a hello at once;
 *   - so does a router that becomes DR or BDR: the routers of the LAN
 *     learn it from a hello, and only then go ExStart with it (the DR's
 *     first Database Descriptions reach them earlier and are dropped:
 *     adjacency.c sends them again);
 *   - a router that hears a new neighbour (Down -> Init) answers with a
 *     hello at once, listing it: the newcomer is 2-Way with every live
 *     router of the LAN and knows its DR and BDR within a round trip;
 *   - so does a router whose neighbour's hello stops listing it (back to
 *     Init from 2-Way or beyond): the neighbour lost its interface or
 *     restarted (a guest restarted on another host, whose NICs moved
 *     there) and starts its adjacencies over; it learns it is heard
 *     at once, not at the next periodic hello.
 * The extra hellos are one per router and newcomer, sent from an event
 * (never from inside ospfd's state machines), coalesced per interface.
 */
#include "frr.h"

#include "lgr.h"

struct hello_if {
	struct hello_if		*next;
	struct ospf_interface	*oi;
	struct thread		*t_send;
};

/* Pending hellos; main thread only. */
static struct hello_if	*hello_list;

static void
hello_unlink(struct hello_if *h)
{
	struct hello_if	**pp;

	for (pp = &hello_list; *pp != NULL; pp = &(*pp)->next)
		if (*pp == h) {
			*pp = h->next;
			break;
		}
	free(h);
}

static void
hello_send(struct thread *t)
{
	struct hello_if		*h = THREAD_ARG(t);
	struct ospf_interface	*oi = h->oi;

	hello_unlink(h);
	if (oi->state > ISM_Loopback)
		ospf_hello_send(oi);
}

static void
hello_soon(struct ospf_interface *oi)
{
	struct hello_if	*h;

	for (h = hello_list; h != NULL; h = h->next)
		if (h->oi == oi)
			return;		/* one is on its way */
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return;
	h->oi = oi;
	h->next = hello_list;
	hello_list = h;
	thread_add_event(lgr_master(), hello_send, h, 0, &h->t_send);
}

int
hello_ism_change(struct ospf_interface *oi, int state, int oldstate)
{
	struct hello_if	*h;

	if (state <= ISM_Loopback) {
		/* Going down: ospfd may free the interface; drop ours. */
		for (h = hello_list; h != NULL; h = h->next)
			if (h->oi == oi) {
				THREAD_OFF(h->t_send);
				hello_unlink(h);
				break;
			}
		return 0;
	}
	if (drain_is_lan(oi) && (oldstate <= ISM_Loopback ||
	    (state != oldstate && (state == ISM_DR || state == ISM_Backup))))
		hello_soon(oi);
	return 0;
}

int
hello_nsm_change(struct ospf_neighbor *nbr, int state, int oldstate)
{
	if (nbr->oi != NULL && drain_is_lan(nbr->oi) &&
	    state == NSM_Init && oldstate != NSM_Init)
		hello_soon(nbr->oi);
	return 0;
}

void
hello_shutdown(void)
{
	while (hello_list != NULL) {
		THREAD_OFF(hello_list->t_send);
		hello_unlink(hello_list);
	}
}
