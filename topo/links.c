/*
 * links.c: the veth pairs of a lab, guests on their initial members.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "topo.h"
#include "topo_priv.h"

static struct topo_link *
link_add(struct topo_link *v, size_t *n, const char *node, int guest,
    const char *ifname, enum topo_link_kind kind)
{
	struct topo_link	*l = &v[(*n)++];

	memset(l, 0, sizeof(*l));
	l->node = node;
	l->guest = guest;
	snprintf(l->ifname, sizeof(l->ifname), "%s", ifname);
	l->kind = kind;
	l->bridge = -1;
	l->up = true;
	return l;
}

static void
links_guest(const struct topo *t, int gi, struct topo_link *v, size_t *n)
{
	const struct topo_guest	*g = &t->guests[gi];
	const struct topo_nic	*nic;
	struct topo_link	*l;
	size_t			 i;

	l = link_add(v, n, g->name, gi, TOPO_VIPA_IF, TOPO_LINK_STANDIN);
	l->addr.addr = g->vipa;
	l->addr.len = 32;
	for (i = 0; i < g->nnics; i++) {
		nic = &g->nics[i];
		if (nic->kind == TOPO_NIC_VSWITCH) {
			l = link_add(v, n, g->name, gi, nic->name,
			    TOPO_LINK_LAN);
			l->bridge = nic->lan;
		} else {
			l = link_add(v, n, g->name, gi, nic->name,
			    TOPO_LINK_HSI);
			l->bridge = nic->member;
			l->up = nic->member == g->member;
		}
		l->addr = nic->addr;
	}
}

static void
links_abr(const struct topo *t, struct topo_link *v, size_t *n)
{
	const struct topo_abr	*a = &t->abr;
	struct topo_link	*l;
	size_t			 i;

	for (i = 0; i < a->nifs; i++) {
		l = link_add(v, n, a->name, -1, a->ifs[i].name, TOPO_LINK_LAN);
		l->bridge = a->ifs[i].lan;
		l->addr = a->ifs[i].addr;
	}
	l = link_add(v, n, a->name, -1, a->backbone_if, TOPO_LINK_STANDIN);
	l->addr = a->backbone;
}

ssize_t
topo_links(const struct topo *t, struct topo_link **links)
{
	struct topo_link	*v;
	size_t			 i, n = 0, max = t->abr.nifs + 1;

	for (i = 0; i < t->nguests; i++)
		max += t->guests[i].nnics + 1;
	if ((v = calloc(max, sizeof(*v))) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	links_abr(t, v, &n);
	for (i = 0; i < t->nguests; i++)
		links_guest(t, (int)i, v, &n);
	*links = v;
	return (ssize_t)n;
}
