/*
 * rtrlsa.c: keep drained links out of the router-LSAs we originate.
 *
 * Called from the LSDB install callback, after ospfd has built one of our
 * router-LSAs and before it floods it.  ospfd marks where each interface's
 * links start and end in the LSA it just built (oi->lsa_pos_beg/end); for
 * every drained interface we rewrite its links in place:
 *   - a transit link (broadcast/NBMA) becomes a stub link to the LAN's
 *     prefix at maximum cost: peers see no link back from us to the
 *     network and stop routing through it, and so do we;
 *   - a point-to-point link gets the maximum cost.
 * The LSA keeps its size and link positions (ospfd's SPF maps positions back
 * to interfaces), only the checksum is recomputed.  Every link is checked
 * against the interface before it is touched.
 *
 * ospfd decides whether an installed LSA needs an SPF run by comparing it
 * with its predecessor before the install callback runs: a router-LSA
 * that only our rewrite makes different (the first one after a drain)
 * would leave our own routes through the drained interface.  So every
 * rewrite schedules an SPF run, from an event (the LSDB must not be
 * touched from its callback).
 */
#include "frr.h"

#include "lgr.h"

#define RTRLSA_LINKS_OFF	(OSPF_LSA_HEADER_SIZE + 4)
#define RTRLSA_LINK_SIZE	12

/* The pending SPF request; main thread only. */
static struct thread	*rtrlsa_t_spf;

struct rtrlsa_link {
	struct in_addr	id;
	struct in_addr	data;
	uint8_t		type;
	uint8_t		ntos;
	uint16_t	metric;
} __attribute__((packed));

static struct rtrlsa_link *
rtrlsa_link_at(struct ospf_lsa *lsa, int pos)
{
	uint8_t		*base = (uint8_t *)lsa->data;
	unsigned	 len = ntohs(lsa->data->length);
	unsigned	 nlinks = ntohs(*(uint16_t *)(base + OSPF_LSA_HEADER_SIZE + 2));
	unsigned	 off = RTRLSA_LINKS_OFF + (unsigned)pos * RTRLSA_LINK_SIZE;

	if (pos < 0 || (unsigned)pos >= nlinks || off + RTRLSA_LINK_SIZE > len)
		return NULL;
	return (struct rtrlsa_link *)(base + off);
}

/* A transit link of a drained LAN interface becomes a stub link. */
static bool
rtrlsa_leave_lan(struct ospf_interface *oi, struct rtrlsa_link *l)
{
	struct in_addr	mask;

	if (l->type != LSA_LINK_TYPE_TRANSIT ||
	    l->data.s_addr != oi->address->u.prefix4.s_addr)
		return false;
	masklen2ip(oi->address->prefixlen, &mask);
	l->type = LSA_LINK_TYPE_STUB;
	l->id.s_addr = oi->address->u.prefix4.s_addr & mask.s_addr;
	l->data = mask;
	l->metric = htons(OSPF_OUTPUT_COST_INFINITE);
	return true;
}

/* A point-to-point link of a drained interface gets the maximum cost. */
static bool
rtrlsa_raise_ptop(struct ospf_interface *oi, struct rtrlsa_link *l)
{
	if (l->type != LSA_LINK_TYPE_POINTOPOINT ||
	    l->metric == htons(OSPF_OUTPUT_COST_INFINITE))
		return false;
	if (l->data.s_addr != oi->address->u.prefix4.s_addr &&
	    ntohl(l->data.s_addr) != (uint32_t)oi->ifp->ifindex)
		return false;
	l->metric = htons(OSPF_OUTPUT_COST_INFINITE);
	oi->output_cost = OSPF_OUTPUT_COST_INFINITE;
	return true;
}

static bool
rtrlsa_rewrite_oi(struct ospf_lsa *lsa, struct ospf_interface *oi)
{
	struct rtrlsa_link	*l;
	bool			 changed = false;
	int			 pos;

	for (pos = oi->lsa_pos_beg; pos < oi->lsa_pos_end; pos++) {
		if ((l = rtrlsa_link_at(lsa, pos)) == NULL)
			break;
		switch (oi->type) {
		case OSPF_IFTYPE_BROADCAST:
		case OSPF_IFTYPE_NBMA:
			changed |= rtrlsa_leave_lan(oi, l);
			break;
		case OSPF_IFTYPE_POINTOPOINT:
			changed |= rtrlsa_raise_ptop(oi, l);
			break;
		default:
			break;
		}
	}
	return changed;
}

static void
rtrlsa_spf(struct thread *t)
{
	struct ospf	*ospf = lgr_ospf();

	(void)t;
	if (ospf != NULL)
		ospf_spf_calculate_schedule(ospf, SPF_FLAG_ROUTER_LSA_INSTALL);
}

int
rtrlsa_rewrite(struct ospf_lsa *lsa)
{
	struct listnode		*node;
	struct ospf_interface	*oi;
	struct ospf_area	*area = lsa->area;
	bool			 changed = false;

	if (lsa->data->type != OSPF_ROUTER_LSA || area == NULL ||
	    !IS_LSA_SELF(lsa) || IS_LSA_MAXAGE(lsa) ||
	    lsa->data->adv_router.s_addr != area->ospf->router_id.s_addr)
		return 0;
	for (ALL_LIST_ELEMENTS_RO(area->oiflist, node, oi)) {
		if (oi->ifp == NULL || oi->address == NULL ||
		    drain_phase(oi->ifp->name) != DRAIN_ACTIVE)
			continue;
		if (rtrlsa_rewrite_oi(lsa, oi))
			changed = true;
	}
	if (!changed)
		return 0;
	ospf_lsa_checksum(lsa->data);
	zlog_info("%s router-LSA seq 0x%08x of area %pI4: drained links "
	    "rewritten", LGR_MSG_REWRITE, ntohl(lsa->data->ls_seqnum),
	    &area->area_id);
	thread_add_event(lgr_master(), rtrlsa_spf, NULL, 0, &rtrlsa_t_spf);
	return 1;
}

void
rtrlsa_shutdown(void)
{
	THREAD_OFF(rtrlsa_t_spf);
}
