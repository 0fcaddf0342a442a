/*
 * adjacency.c: a new adjacency on a LAN, without the waits of lost
 * packets.  ospfd resends what a neighbour dropped only on its
 * retransmission timer (lab: 1 s; FRR's defaults: 5 s); two drops are
 * routine when guests arrive on a LAN, and each cost a whole interval in
 * the lab (three guests arriving together on an empty HiperSockets LAN:
 * the two non-DRs Full 1 s after the DR elected itself, then routing to
 * each other over the trunks for another 1.0-1.7 s).
 *
 * ExStart.  The DR goes ExStart with a newcomer, and sends its first,
 * empty Database Description, the moment it hears the newcomer list it
 * in a hello.  The newcomer may not have learnt yet that this router is
 * the DR: it is in Init or 2-Way and drops the packet.  It goes ExStart
 * itself a moment later, but when the DR has the higher router ID the
 * DR is master, ignores the newcomer's packet and waits for its own
 * retransmission.  So while a neighbour is in ExStart our last Database
 * Description goes out again after EXSTART_FIRST_MS, then after twice
 * that, and so on below the retransmission interval.  A copy arriving
 * after the neighbour left ExStart is a duplicate, which RFC 2328 10.6
 * has it discard or answer with its last packet, never restart over.
 *
 * After Full.  A router discards, without acknowledging it, a new
 * instance of an LSA that arrives within MinLSArrival of the copy it
 * installed (RFC 2328 13 (5a)).  A neighbour that has just loaded our
 * database holds copies installed a moment ago, and the changes its own
 * arrival causes come right after (the DR's network-LSA that now lists
 * it, router-LSAs that now link to the LAN): it drops them, and ospfd
 * resends an LSA only once it has been installed a whole retransmission
 * interval, at its next timer (1-2 intervals).  So from the moment the
 * neighbour is Full until a retransmission interval has passed, each
 * LSA on its retransmission list goes to it directly once, MinLSArrival
 * plus FULL_MARGIN_MS after it was installed here; by then the
 * neighbour's own copy is older than MinLSArrival.  One it had taken is
 * a duplicate: an implied acknowledgement.  Not our router-LSA when
 * drain.c has a newer one on its way: the neighbour would install the
 * resent one anew and drop the newer (measured: a guest joining a LAN
 * with a DR and a BDR converged 120 ms later).
 *
 * Both are kept by interface and neighbour address, never by neighbour
 * pointer (ospfd frees neighbours without telling us), and dropped with
 * the interface; ospfd's own timers go on as before.
 */
#include "frr.h"

#include "lgr.h"

#define EXSTART_FIRST_MS	10
#define FULL_MARGIN_MS		20

enum adj_kind { ADJ_EXSTART, ADJ_FULL };

struct adj {
	struct adj		*next;
	enum adj_kind		 kind;
	struct ospf_interface	*oi;
	struct in_addr		 src;		/* the neighbour's address */
	long			 delay_ms;	/* ExStart: the next wait */
	int64_t			 since_us;	/* Full: when, monotonic */
	int64_t			 done_us;	/* Full: installed up to: sent */
	struct thread		*t_next;
};

/* Pending; main thread only. */
static struct adj	*adj_list;

static void
adj_unlink(struct adj *a)
{
	struct adj	**pp;

	for (pp = &adj_list; *pp != NULL; pp = &(*pp)->next)
		if (*pp == a) {
			*pp = a->next;
			break;
		}
	THREAD_OFF(a->t_next);
	free(a);
}

static int64_t
adj_us(const struct timeval *tv)
{
	return (int64_t)tv->tv_sec * 1000000 + tv->tv_usec;
}

static int64_t
adj_now_us(void)
{
	struct timeval	tv;

	monotime(&tv);
	return adj_us(&tv);
}

static long
adj_rxmt_ms(const struct adj *a)
{
	return (long)OSPF_IF_PARAM(a->oi, retransmit_interval) * 1000;
}

static long
adj_full_step_ms(const struct adj *a)
{
	return (long)a->oi->ospf->min_ls_arrival + FULL_MARGIN_MS;
}

/* The neighbour still in the state a is for, else NULL (a is freed). */
static struct ospf_neighbor *
adj_neighbour(struct adj *a)
{
	struct ospf_neighbor	*nbr;

	nbr = ospf_nbr_lookup_by_addr(a->oi->nbrs, &a->src);
	if (nbr == NULL || nbr->state != (a->kind == ADJ_EXSTART ?
	    NSM_ExStart : NSM_Full)) {
		adj_unlink(a);
		return NULL;
	}
	return nbr;
}

static void
adj_exstart(struct thread *t)
{
	struct adj		*a = THREAD_ARG(t);
	struct ospf_neighbor	*nbr;

	if ((nbr = adj_neighbour(a)) == NULL)
		return;
	if (nbr->last_send != NULL) {
		zlog_debug("%s %s: Database Description again to %pI4 "
		    "(ExStart)", LGR_MSG_RESEND, a->oi->ifp->name,
		    &nbr->router_id);
		ospf_db_desc_resend(nbr);
	}
	a->delay_ms *= 2;
	if (a->delay_ms >= adj_rxmt_ms(a)) {
		adj_unlink(a);
		return;
	}
	thread_add_timer_msec(lgr_master(), adj_exstart, a, a->delay_ms,
	    &a->t_next);
}

/*
 * Our router-LSA with a newer one on its way (drain.c spaces it from
 * this one by MinLSArrival): sent again now, it would be installed anew
 * by the neighbour and make it drop the newer one.
 */
static bool
adj_replaced(struct ospf_lsa *lsa)
{
	return IS_LSA_SELF(lsa) && lsa->data->type == OSPF_ROUTER_LSA &&
	    lsa->area != NULL && drain_rtrlsa_pending(lsa->area->area_id);
}

/*
 * Send nbr the LSAs on its retransmission list installed in (after,
 * upto]; returns the earliest install time after upto (INT64_MAX: none).
 */
static int64_t
adj_resend(struct ospf_neighbor *nbr, int64_t after, int64_t upto)
{
	struct list	*update = list_new();
	int64_t		 t, next = INT64_MAX;

	for (int i = OSPF_MIN_LSA; i < OSPF_MAX_LSA; i++) {
		struct route_table	*table = nbr->ls_rxmt.type[i].db;

		for (struct route_node *rn = route_top(table); rn != NULL;
		    rn = route_next(rn)) {
			struct ospf_lsa	*lsa = rn->info;

			if (lsa == NULL)
				continue;
			if (adj_replaced(lsa))
				continue;
			t = adj_us(&lsa->tv_recv);
			if (t > after && t <= upto) {
				zlog_debug("%s %s: %s again to %pI4 (Full)",
				    LGR_MSG_RESEND, nbr->oi->ifp->name,
				    dump_lsa_key(lsa), &nbr->router_id);
				listnode_add(update, lsa);
			}
			else if (t > upto && t < next)
				next = t;
		}
	}
	if (listcount(update) > 0)
		ospf_ls_upd_send(nbr, update, OSPF_SEND_PACKET_DIRECT, 0);
	list_delete(&update);
	return next;
}

/* A round: what has been installed long enough, then wait for the next. */
static void
adj_full(struct thread *t)
{
	struct adj		*a = THREAD_ARG(t);
	struct ospf_neighbor	*nbr;
	long			 step = adj_full_step_ms(a), wait_ms;
	int64_t			 now = adj_now_us(), upto = now - step * 1000;
	int64_t			 next = INT64_MAX;

	if ((nbr = adj_neighbour(a)) == NULL)
		return;
	if (ospf_ls_retransmit_count(nbr) > 0)
		next = adj_resend(nbr, a->done_us, upto);
	a->done_us = upto;
	/* The oldest LSA still to go, else one installed from now on. */
	wait_ms = next == INT64_MAX ? step : (long)((next - upto) / 1000) + 1;
	if ((now - a->since_us) / 1000 + wait_ms >= adj_rxmt_ms(a)) {
		adj_unlink(a);		/* ospfd's own timer from here */
		return;
	}
	thread_add_timer_msec(lgr_master(), adj_full, a, wait_ms,
	    &a->t_next);
}

int
adjacency_nsm_change(struct ospf_neighbor *nbr, int state, int oldstate)
{
	struct adj	*a, *next;

	(void)oldstate;
	if (nbr->oi == NULL || !drain_is_lan(nbr->oi))
		return 0;
	for (a = adj_list; a != NULL; a = next) {
		next = a->next;
		if (a->oi == nbr->oi && a->src.s_addr == nbr->src.s_addr)
			adj_unlink(a);	/* a state it was for has ended */
	}
	if (state != NSM_ExStart && state != NSM_Full)
		return 0;
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return 0;
	a->oi = nbr->oi;
	a->src = nbr->src;
	a->next = adj_list;
	adj_list = a;
	if (state == NSM_ExStart) {
		a->kind = ADJ_EXSTART;
		a->delay_ms = EXSTART_FIRST_MS;
		thread_add_timer_msec(lgr_master(), adj_exstart, a,
		    a->delay_ms, &a->t_next);
	} else {
		a->kind = ADJ_FULL;
		a->since_us = adj_now_us();
		a->done_us = INT64_MIN;
		thread_add_timer_msec(lgr_master(), adj_full, a,
		    adj_full_step_ms(a), &a->t_next);
	}
	return 0;
}

int
adjacency_ism_change(struct ospf_interface *oi, int state, int oldstate)
{
	struct adj	*a, *next;

	(void)oldstate;
	if (state > ISM_Loopback)
		return 0;
	/* Going down: ospfd may free the interface; drop its timers. */
	for (a = adj_list; a != NULL; a = next) {
		next = a->next;
		if (a->oi == oi)
			adj_unlink(a);
	}
	return 0;
}

void
adjacency_shutdown(void)
{
	while (adj_list != NULL)
		adj_unlink(adj_list);
}
