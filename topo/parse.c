/*
 * parse.c: the topology file's schema, written for the key-table walker
 * (walk.c): the keys of every mapping, where each value and its position
 * go, the defaults, and the checks that need the document itself (a
 * NIC's kind and what it names).  Names of members, LANs and groups are
 * resolved to indexes here; everything semantic is left to validate.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "topo.h"
#include "topo_priv.h"

static void	parse_timers(struct walk *, yaml_node_t *, void *);
static void	parse_spf(struct walk *, yaml_node_t *, void *);
static void	parse_abr_ifs(struct walk *, yaml_node_t *, void *);
static void	parse_backbone(struct walk *, yaml_node_t *, void *);
static void	parse_group_members(struct walk *, yaml_node_t *, void *);
static void	parse_nics(struct walk *, yaml_node_t *, void *);
static void	parse_nic_kind(struct walk *, yaml_node_t *, void *);
static int	parse_member_ref(struct walk *, yaml_node_t *, const char *);
static int	parse_lan_ref(struct walk *, yaml_node_t *, const char *);
static int	parse_group_ref(struct walk *, yaml_node_t *, const char *);
static int	parse_host_ref(struct walk *, yaml_node_t *, const char *);
static void	parse_underlay(struct walk *, yaml_node_t *, void *);
static void	parse_group_ha(struct walk *, yaml_node_t *, void *);
static void	parse_guest_ha(struct walk *, yaml_node_t *, void *);
static void	parse_directory_kind(struct walk *, yaml_node_t *, void *);
static void	parse_directory_nodes(struct walk *, yaml_node_t *, void *);

static const struct walk_key top_keys[] = {
	WALK_KEY("lab", WALK_STR, true, struct topo, name, name_pos),
	WALK_KEY_LATER("area", true),
	WALK_KEY_LATER("members", true),
	WALK_KEY_LATER("lans", true),
	WALK_KEY_LATER("abr", true),
	WALK_KEY_LATER("groups", true),
	WALK_KEY_LATER("guests", true),
	WALK_KEY_LATER("hosts", false),
	WALK_KEY_LATER("directory", false),
};

static const struct walk_key host_keys[] = {
	WALK_KEY("name", WALK_STR, true, struct topo_host, name, name_pos),
	WALK_KEY_FNPOS("underlay", false, struct topo_host, underlay_pos,
	    parse_underlay),
};

static const struct walk_key directory_keys[] = {
	WALK_KEY_FNPOS("kind", false, struct topo_directory, kind_pos,
	    parse_directory_kind),
	WALK_KEY_FNPOS("nodes", false, struct topo_directory, nodes_pos,
	    parse_directory_nodes),
	WALK_KEY("lease-ttl", WALK_UINT, false, struct topo_directory,
	    lease_ttl, lease_ttl_pos),
};

static const struct walk_key area_keys[] = {
	WALK_KEY("id", WALK_ADDR, true, struct topo_area, id, id_pos),
	WALK_KEY("stub", WALK_BOOL, false, struct topo_area, stub, stub_pos),
	WALK_KEY("no-summary", WALK_BOOL, false, struct topo_area, no_summary,
	    no_summary_pos),
	WALK_KEY("default-cost", WALK_UINT, false, struct topo_area,
	    default_cost, default_cost_pos),
	WALK_KEY("proactive-arp", WALK_BOOL, false, struct topo_area,
	    proactive_arp, proactive_arp_pos),
	WALK_KEY_FN("timers", false, parse_timers),
};

static const struct walk_key timer_keys[] = {
	WALK_KEY("hello", WALK_UINT, false, struct topo_timers, hello,
	    hello_pos),
	WALK_KEY("dead", WALK_UINT, false, struct topo_timers, dead, dead_pos),
	WALK_KEY("hello-multiplier", WALK_UINT, false, struct topo_timers,
	    hello_multiplier, hello_multiplier_pos),
	WALK_KEY_FN("spf", false, parse_spf),
	WALK_KEY("lsa-throttle", WALK_UINT, false, struct topo_timers,
	    lsa_throttle, lsa_throttle_pos),
	WALK_KEY("lsa-min-arrival", WALK_UINT, false, struct topo_timers,
	    lsa_min_arrival, lsa_min_arrival_pos),
	WALK_KEY("retransmit", WALK_UINT, false, struct topo_timers,
	    retransmit, retransmit_pos),
};

static const struct walk_key member_keys[] = {
	WALK_KEY("name", WALK_STR, true, struct topo_member, name, name_pos),
	WALK_KEY("cpc", WALK_STR, true, struct topo_member, cpc, cpc_pos),
	WALK_KEY("hipersockets", WALK_PREFIX, true, struct topo_member,
	    hsi_lan, hsi_lan_pos),
	WALK_KEY("memory", WALK_MEMORY, true, struct topo_member, memory_mib,
	    memory_pos),
	WALK_KEY_REF("host", false, struct topo_member, host, host_pos,
	    parse_host_ref),
};

static const struct walk_key lan_keys[] = {
	WALK_KEY("name", WALK_STR, true, struct topo_lan, name, name_pos),
	WALK_KEY("subnet", WALK_PREFIX, true, struct topo_lan, subnet,
	    subnet_pos),
};

static const struct walk_key abr_keys[] = {
	WALK_KEY("name", WALK_STR, true, struct topo_abr, name, name_pos),
	WALK_KEY("router-id", WALK_ADDR, true, struct topo_abr, router_id,
	    router_id_pos),
	WALK_KEY_FN("interfaces", true, parse_abr_ifs),
	WALK_KEY_FN("backbone", true, parse_backbone),
	WALK_KEY_REF("host", false, struct topo_abr, host, host_pos,
	    parse_host_ref),
};

static const struct walk_key backbone_keys[] = {
	WALK_KEY("name", WALK_STR, true, struct topo_abr, backbone_if,
	    backbone_if_pos),
	WALK_KEY("address", WALK_PREFIX, true, struct topo_abr, backbone,
	    backbone_pos),
};

static const struct walk_key abr_if_keys[] = {
	WALK_KEY("name", WALK_STR, true, struct topo_abr_if, name, name_pos),
	WALK_KEY_REF("lan", true, struct topo_abr_if, lan, lan_pos,
	    parse_lan_ref),
	WALK_KEY("address", WALK_PREFIX, true, struct topo_abr_if, addr,
	    addr_pos),
	WALK_KEY("cost", WALK_UINT, true, struct topo_abr_if, cost, cost_pos),
	WALK_KEY("priority", WALK_UINT, true, struct topo_abr_if, priority,
	    priority_pos),
};

static const struct walk_key group_keys[] = {
	WALK_KEY("name", WALK_STR, true, struct topo_group, name, name_pos),
	WALK_KEY("pattern", WALK_STR, true, struct topo_group, pattern,
	    pattern_pos),
	WALK_KEY_FN("members", true, parse_group_members),
	WALK_KEY_FNPOS("ha", false, struct topo_group, ha_pos, parse_group_ha),
};

static const struct walk_key guest_keys[] = {
	WALK_KEY("name", WALK_STR, true, struct topo_guest, name, name_pos),
	WALK_KEY("vipa", WALK_HOST32, true, struct topo_guest, vipa, vipa_pos),
	WALK_KEY("vipa-cost", WALK_UINT, false, struct topo_guest, vipa_cost,
	    vipa_cost_pos),
	WALK_KEY_REF("group", true, struct topo_guest, group, group_pos,
	    parse_group_ref),
	WALK_KEY("memory", WALK_MEMORY, true, struct topo_guest, memory_mib,
	    memory_pos),
	WALK_KEY_REF("member", true, struct topo_guest, member, member_pos,
	    parse_member_ref),
	WALK_KEY_FNPOS("nics", true, struct topo_guest, nics_pos, parse_nics),
	WALK_KEY_FNPOS("ha", false, struct topo_guest, ha_pos, parse_guest_ha),
};

static const struct walk_key nic_keys[] = {
	WALK_KEY("name", WALK_STR, true, struct topo_nic, name, name_pos),
	WALK_KEY_FN("kind", true, parse_nic_kind),
	WALK_KEY_REF("lan", false, struct topo_nic, lan, ref_pos,
	    parse_lan_ref),
	WALK_KEY_REF("member", false, struct topo_nic, member, ref_pos,
	    parse_member_ref),
	WALK_KEY("address", WALK_PREFIX, true, struct topo_nic, addr,
	    addr_pos),
	WALK_KEY("cost", WALK_UINT, true, struct topo_nic, cost, cost_pos),
	WALK_KEY("priority", WALK_UINT, true, struct topo_nic, priority,
	    priority_pos),
};

static void	parse_guest_init(void *);
static void	parse_member_init(void *);
static void	parse_abr_if_init(void *);
static void	parse_nic_init(void *);

#define PARSE_LIST(w, u, st, keys, init)				\
	{ w, u, sizeof(st), offsetof(st, pos), keys, WALK_NKEYS(keys),	\
	    init, NULL }

static const struct walk_list host_list = PARSE_LIST("host", "",
    struct topo_host, host_keys, NULL);
static const struct walk_list member_list = PARSE_LIST("member", "",
    struct topo_member, member_keys, parse_member_init);
static const struct walk_list lan_list = PARSE_LIST("lan", "",
    struct topo_lan, lan_keys, NULL);
static const struct walk_list group_list = PARSE_LIST("group", "",
    struct topo_group, group_keys, NULL);
static const struct walk_list guest_list = PARSE_LIST("guest", "",
    struct topo_guest, guest_keys, parse_guest_init);
static const struct walk_list abr_if_list = PARSE_LIST("", "interface",
    struct topo_abr_if, abr_if_keys, parse_abr_if_init);
static void	parse_nic_ref(struct walk *, yaml_node_t *, void *);
static const struct walk_list nic_list = {
	"", "nic", sizeof(struct topo_nic), offsetof(struct topo_nic, pos),
	nic_keys, WALK_NKEYS(nic_keys), parse_nic_init, parse_nic_ref
};
static const struct walk_list abr_list = PARSE_LIST("abr", "",
    struct topo_abr, abr_keys, NULL);

/* Defaults of list items */

static void
parse_guest_init(void *obj)
{
	struct topo_guest	*g = obj;

	g->vipa_cost = 1;
	g->group = g->member = -1;
}

static void
parse_member_init(void *obj)
{
	struct topo_member	*m = obj;

	m->host = -1;
}

static void
parse_abr_if_init(void *obj)
{
	struct topo_abr_if	*a = obj;

	a->lan = -1;
}

static void
parse_nic_init(void *obj)
{
	struct topo_nic	*nic = obj;

	nic->lan = nic->member = -1;
}

/* Name look-ups, with the valid names in the message on failure */

static void
parse_names(const char *first, size_t stride, size_t n, char *buf,
    size_t len)
{
	size_t	i, used = 0;
	int	w;

	buf[0] = '\0';
	for (i = 0; i < n && used < len; i++) {
		w = snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
		    first + i * stride);
		if (w < 0)
			break;
		used += (size_t)w;
	}
	if (n == 0)
		snprintf(buf, len, "none");
}

/*
 * An unknown name: "what 'name' is_not (plural: A, B)", the valid names
 * being the first field of n objects stride bytes apart.
 */
static int
parse_ref_unknown(struct walk *w, yaml_node_t *n, const char *s,
    const char *what, const char *is_not, const char *plural,
    const char *first, size_t stride, size_t count)
{
	char	names[256];

	parse_names(first, stride, count, names, sizeof(names));
	walk_error(w, n, "%s '%s' %s (%s: %s)", what, s, is_not, plural,
	    names);
	return -1;
}

static int
parse_member_ref(struct walk *w, yaml_node_t *n, const char *s)
{
	const struct topo	*t = w->arg;
	int			 i;

	if ((i = topo_member_find(t, s)) >= 0)
		return i;
	return parse_ref_unknown(w, n, s, "member", "is not a member of this "
	    "lab", "members", t->members ? t->members[0].name : "",
	    sizeof(t->members[0]), t->nmembers);
}

static int
parse_lan_ref(struct walk *w, yaml_node_t *n, const char *s)
{
	const struct topo	*t = w->arg;
	int			 i;

	if ((i = topo_lan_find(t, s)) >= 0)
		return i;
	return parse_ref_unknown(w, n, s, "lan", "is not a VSWITCH LAN of "
	    "this lab", "lans", t->lans ? t->lans[0].name : "",
	    sizeof(t->lans[0]), t->nlans);
}

static int
parse_group_ref(struct walk *w, yaml_node_t *n, const char *s)
{
	const struct topo	*t = w->arg;
	int			 i;

	if ((i = topo_group_find(t, s)) >= 0)
		return i;
	return parse_ref_unknown(w, n, s, "group", "is not defined", "groups",
	    t->groups ? t->groups[0].name : "", sizeof(t->groups[0]),
	    t->ngroups);
}

static int
parse_host_ref(struct walk *w, yaml_node_t *n, const char *s)
{
	const struct topo	*t = w->arg;
	int			 i;

	if ((i = topo_host_find(t, s)) >= 0)
		return i;
	return parse_ref_unknown(w, n, s, "host", "is not a host of this lab",
	    "hosts", t->hosts ? t->hosts[0].name : "", sizeof(t->hosts[0]),
	    t->nhosts);
}

/*
 * A keyword among words[] (n of them, "a, b or c" in the message) into
 * *out; false, reported and *pos invalid, when it is none of them.
 */
static bool
parse_word(struct walk *w, yaml_node_t *n, const char *const *words,
    size_t count, int *out, struct topo_pos *pos)
{
	const char	*s;
	size_t		 i;

	if ((s = walk_scalar(w, n)) != NULL) {
		for (i = 0; i < count; i++) {
			if (strcmp(s, words[i]) == 0) {
				*out = (int)i;
				return true;
			}
		}
		walk_error(w, n, "%s '%s' is not %s or %s", w->key, s,
		    words[0], words[1]);
	}
	pos->invalid = true;
	return false;
}

static bool
parse_ha(struct walk *w, yaml_node_t *n, enum topo_ha *ha,
    struct topo_pos *pos)
{
	static const char *const	 words[] = { "manual", "restart" };
	int				 v;

	if (!parse_word(w, n, words, 2, &v, pos))
		return false;
	*ha = v == 1 ? TOPO_HA_RESTART : TOPO_HA_MANUAL;
	return true;
}

static void
parse_group_ha(struct walk *w, yaml_node_t *n, void *obj)
{
	struct topo_group	*gr = obj;

	parse_ha(w, n, &gr->ha, &gr->ha_pos);
}

static void
parse_guest_ha(struct walk *w, yaml_node_t *n, void *obj)
{
	struct topo_guest	*g = obj;

	g->ha_given = parse_ha(w, n, &g->ha, &g->ha_pos);
}

/* Hosts and the directory */

static void
parse_underlay(struct walk *w, yaml_node_t *n, void *obj)
{
	struct topo_host	*h = obj;
	const char		*s;

	if ((s = walk_scalar(w, n)) == NULL) {
		h->underlay_pos.invalid = true;
	} else if (inet_pton(AF_INET, s, &h->underlay) != 1) {
		walk_error(w, n, "underlay '%s' is not an IPv4 address "
		    "(a.b.c.d)", s);
		h->underlay_pos.invalid = true;
	} else {
		h->underlay_given = true;
	}
}

/* Host i's underlay address when the file gives none. */
static void
parse_underlay_derive(struct topo *t)
{
	struct in_addr	net;
	size_t		i;

	inet_pton(AF_INET, TOPO_UNDERLAY_BASE, &net);
	for (i = 0; i < t->nhosts && i < TOPO_MAX_HOSTS; i++)
		if (!t->hosts[i].underlay_given &&
		    !t->hosts[i].underlay_pos.invalid)
			t->hosts[i].underlay.s_addr = htonl(ntohl(net.s_addr) +
			    (uint32_t)i + 1);
}

static void
parse_hosts(struct walk *w, yaml_node_t *n)
{
	struct topo	*t = w->arg;

	t->hosts = walk_list(w, n, "", &host_list, &t->nhosts);
	if (t->nhosts > TOPO_MAX_HOSTS)
		walk_error(w, n, "%zu hosts, at most %d are allowed",
		    t->nhosts, TOPO_MAX_HOSTS);
	parse_underlay_derive(t);
}

static void
parse_directory_kind(struct walk *w, yaml_node_t *n, void *obj)
{
	static const char *const	 words[] = { "sqlite", "etcd" };
	struct topo_directory		*d = obj;
	int				 v;

	if (parse_word(w, n, words, 2, &v, &d->kind_pos))
		d->kind = v == 1 ? TOPO_DIRECTORY_ETCD : TOPO_DIRECTORY_SQLITE;
}

static void
parse_directory_nodes(struct walk *w, yaml_node_t *n, void *obj)
{
	struct topo_directory	*d = obj;
	yaml_node_t		*item;
	const char		*s;
	size_t			 i, count;

	if (!walk_is_list(w, n)) {
		d->nodes_pos.invalid = true;
		return;
	}
	if ((count = walk_count(n)) == 0)
		return;
	d->nodes = walk_alloc(w, count, sizeof(*d->nodes));
	d->node_pos = walk_alloc(w, count, sizeof(*d->node_pos));
	if (d->nodes == NULL || d->node_pos == NULL)
		return;
	d->nnodes = count;
	for (i = 0; i < count; i++) {
		item = walk_item(w, n, i);
		d->node_pos[i] = walk_pos(w, item);
		d->nodes[i] = -1;
		if ((s = walk_scalar(w, item)) == NULL ||
		    (d->nodes[i] = parse_host_ref(w, item, s)) < 0)
			d->node_pos[i].invalid = true;
	}
}

static void
parse_directory(struct walk *w, yaml_node_t *n)
{
	struct topo	*t = w->arg;

	walk_mapping_in(w, "directory", n, directory_keys,
	    WALK_NKEYS(directory_keys), &t->directory);
}

/* Area and timers */

static void
parse_spf(struct walk *w, yaml_node_t *n, void *obj)
{
	struct topo_timers	*tm = obj;
	unsigned		*v[3] = { &tm->spf_delay, &tm->spf_hold,
				    &tm->spf_max_hold };
	yaml_node_t		*item;
	size_t			 i;

	tm->spf_pos = walk_pos(w, n);
	if (n->type != YAML_SEQUENCE_NODE || walk_count(n) != 3) {
		walk_error(w, n, "spf must be a list of three numbers of ms: "
		    "[delay, initial hold, maximum hold]");
		tm->spf_pos.invalid = true;
		return;
	}
	for (i = 0; i < 3; i++) {
		item = walk_item(w, n, i);
		if (item->type == YAML_SCALAR_NODE &&
		    walk_uint((char *)item->data.scalar.value, v[i]) == 0)
			continue;
		walk_error(w, item, "spf value '%s' is not a non-negative "
		    "integer", item->type == YAML_SCALAR_NODE ?
		    (char *)item->data.scalar.value : "");
		tm->spf_pos.invalid = true;
	}
}

/*
 * A mapping of timers, or "frr-defaults": FRR's own (hello 10 s, dead
 * 40 s, SPF 0/50/5000 ms, ...), as production networks run them.
 */
static void
parse_timers(struct walk *w, yaml_node_t *n, void *obj)
{
	struct topo_area	*a = obj;
	const char		*s;

	if (n->type == YAML_SCALAR_NODE) {
		s = (const char *)n->data.scalar.value;
		if (strcmp(s, "frr-defaults") == 0)
			topo_timers_default(&a->timers);
		else
			walk_error(w, n, "timers '%s' is not a mapping of "
			    "timers or frr-defaults", s);
		return;
	}
	walk_mapping_in(w, "area: timers", n, timer_keys,
	    WALK_NKEYS(timer_keys), &a->timers);
}

/* Every position of the area and its timers. */
static void
parse_area_pos(struct topo_area *a, struct topo_pos pos)
{
	struct topo_timers	*tm = &a->timers;

	a->pos = a->stub_pos = a->no_summary_pos = a->default_cost_pos =
	    a->proactive_arp_pos = pos;
	tm->hello_pos = tm->dead_pos = tm->hello_multiplier_pos =
	    tm->spf_pos = tm->lsa_throttle_pos = tm->lsa_min_arrival_pos =
	    tm->retransmit_pos = pos;
}

static void
parse_area(struct walk *w, yaml_node_t *n)
{
	struct topo	*t = w->arg;

	parse_area_pos(&t->area, walk_pos(w, n));
	walk_mapping_in(w, "area", n, area_keys, WALK_NKEYS(area_keys),
	    &t->area);
}

/* Members, LANs, groups */

static void
parse_members(struct walk *w, yaml_node_t *n)
{
	struct topo	*t = w->arg;

	t->members = walk_list(w, n, "", &member_list, &t->nmembers);
}

static void
parse_lans(struct walk *w, yaml_node_t *n)
{
	struct topo	*t = w->arg;

	t->lans = walk_list(w, n, "", &lan_list, &t->nlans);
}

static void
parse_groups(struct walk *w, yaml_node_t *n)
{
	struct topo	*t = w->arg;

	t->groups = walk_list(w, n, "", &group_list, &t->ngroups);
}

/* One allowed member of a group: its name, its index or -1. */
static void
parse_group_member(struct walk *w, yaml_node_t *item, struct topo_group *gr,
    size_t i)
{
	const char	*s;

	gr->member_pos[i] = walk_pos(w, item);
	gr->member_idx[i] = -1;
	if ((s = walk_scalar(w, item)) == NULL) {
		gr->member_pos[i].invalid = true;
	} else if (strlen(s) >= TOPO_NAME_MAX) {
		walk_error(w, item, "member '%s' is too long (at most %d "
		    "characters)", s, TOPO_NAME_MAX - 1);
		gr->member_pos[i].invalid = true;
	} else {
		memcpy(gr->members[i], s, strlen(s) + 1);
		gr->member_idx[i] = topo_member_find(w->arg, s);
	}
}

static void
parse_group_members(struct walk *w, yaml_node_t *n, void *obj)
{
	struct topo_group	*gr = obj;
	size_t			 i, count;

	if (!walk_is_list(w, n) || (count = walk_count(n)) == 0)
		return;
	gr->members = walk_alloc(w, count, sizeof(*gr->members));
	gr->member_idx = walk_alloc(w, count, sizeof(*gr->member_idx));
	gr->member_pos = walk_alloc(w, count, sizeof(*gr->member_pos));
	if (gr->members == NULL || gr->member_idx == NULL ||
	    gr->member_pos == NULL)
		return;
	gr->nmembers = count;
	for (i = 0; i < count; i++)
		parse_group_member(w, walk_item(w, n, i), gr, i);
}

/* The ABR */

static void
parse_abr_ifs(struct walk *w, yaml_node_t *n, void *obj)
{
	struct topo_abr	*a = obj;

	a->ifs = walk_list(w, n, w->ctx, &abr_if_list, &a->nifs);
}

static void
parse_backbone(struct walk *w, yaml_node_t *n, void *obj)
{
	char	ctx[WALK_CTX_MAX];

	snprintf(ctx, sizeof(ctx), "%s: backbone", w->ctx);
	walk_mapping_in(w, ctx, n, backbone_keys, WALK_NKEYS(backbone_keys),
	    obj);
}

static void
parse_abr(struct walk *w, yaml_node_t *n)
{
	struct topo	*t = w->arg;

	walk_list_item(w, "", &abr_list, n, 0, &t->abr);
}

/* Guests and their NICs */

static void
parse_nic_kind(struct walk *w, yaml_node_t *n, void *obj)
{
	struct topo_nic	*nic = obj;
	const char	*s;

	if ((s = walk_scalar(w, n)) == NULL)
		return;
	if (strcmp(s, "vswitch") == 0)
		nic->kind = TOPO_NIC_VSWITCH;
	else if (strcmp(s, "hipersockets") == 0)
		nic->kind = TOPO_NIC_HIPERSOCKETS;
	else
		walk_error(w, n, "kind '%s' is not vswitch or hipersockets",
		    s);
}

/* kind vswitch names a lan, kind hipersockets a member; not both. */
static void
parse_nic_ref(struct walk *w, yaml_node_t *map, void *obj)
{
	struct topo_nic	*nic = obj;
	yaml_node_t	*kind = walk_get(w, map, "kind");
	yaml_node_t	*lan = walk_get(w, map, "lan");
	yaml_node_t	*member = walk_get(w, map, "member");
	const char	*k;

	if (kind == NULL || kind->type != YAML_SCALAR_NODE)
		return;
	k = (char *)kind->data.scalar.value;
	if (strcmp(k, "vswitch") == 0) {
		if (member != NULL)
			walk_error(w, member, "member is for kind "
			    "hipersockets; a vswitch NIC names its lan");
		else if (lan == NULL)
			walk_error(w, map, "kind vswitch needs a lan");
		else
			return;
	} else if (strcmp(k, "hipersockets") == 0) {
		if (lan != NULL)
			walk_error(w, lan, "lan is for kind vswitch; a "
			    "hipersockets NIC names its member");
		else if (member == NULL)
			walk_error(w, map, "kind hipersockets needs a member");
		else
			return;
	} else {
		return;
	}
	nic->ref_pos.invalid = true;
}

static void
parse_nics(struct walk *w, yaml_node_t *n, void *obj)
{
	struct topo_guest	*g = obj;
	size_t			 i, count;

	if (!walk_is_list(w, n)) {
		g->nics_pos.invalid = true;
		return;
	}
	if ((count = walk_count(n)) > TOPO_MAX_NICS) {
		walk_error(w, n, "%zu NICs, at most %d are allowed", count,
		    TOPO_MAX_NICS);
		count = TOPO_MAX_NICS;
	}
	for (i = 0; i < count; i++)
		walk_list_item(w, w->ctx, &nic_list, walk_item(w, n, i), i,
		    &g->nics[i]);
	g->nnics = count;
}

static void
parse_guests(struct walk *w, yaml_node_t *n)
{
	struct topo	*t = w->arg;

	t->guests = walk_list(w, n, "", &guest_list, &t->nguests);
}

/* The document */

/*
 * Defaults, and positions for sections that may be missing: a missing
 * section has been reported, so its required fields are invalid.
 */
static void
parse_defaults(struct walk *w, yaml_node_t *root)
{
	struct topo	*t = w->arg;
	struct topo_pos	 pos = walk_pos(w, root);

	t->area.default_cost = 1;
	t->area.proactive_arp = true;
	topo_timers_default(&t->area.timers);
	t->name_pos = pos;
	parse_area_pos(&t->area, pos);
	pos.invalid = true;
	t->area.id_pos = pos;
	t->abr.pos = t->abr.name_pos = t->abr.router_id_pos =
	    t->abr.backbone_if_pos = t->abr.backbone_pos = pos;
	pos.invalid = false;
	t->abr.host = -1;
	t->abr.host_pos = pos;
	t->directory.kind = TOPO_DIRECTORY_SQLITE;
	t->directory.lease_ttl = TOPO_LEASE_TTL_DEFAULT;
	t->directory.pos = t->directory.kind_pos = t->directory.nodes_pos =
	    t->directory.lease_ttl_pos = pos;
}

/* A guest without ha: takes its group's. */
static void
parse_ha_inherit(struct topo *t)
{
	struct topo_guest	*g;
	size_t			 i;

	for (i = 0; i < t->nguests; i++) {
		g = &t->guests[i];
		if (!g->ha_given && g->group >= 0)
			g->ha = t->groups[g->group].ha;
	}
}

/* The whole document; false when it is not a mapping at all. */
static bool
parse_root(struct walk *w, yaml_node_t *root)
{
	static const struct {
		const char	*key;
		void		(*fn)(struct walk *, yaml_node_t *);
	} sections[] = {
		/* in the order of their references, not of the file */
		{ "area", parse_area },
		{ "hosts", parse_hosts },
		{ "members", parse_members },
		{ "lans", parse_lans },
		{ "groups", parse_groups },
		{ "abr", parse_abr },
		{ "directory", parse_directory },
		{ "guests", parse_guests },
	};
	yaml_node_t	*n;
	size_t		 i;

	parse_defaults(w, root);
	w->ctx = "topology";
	walk_mapping(w, root, top_keys, WALK_NKEYS(top_keys), w->arg);
	if (root->type != YAML_MAPPING_NODE)
		return false;
	for (i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		if ((n = walk_get(w, root, sections[i].key)) == NULL)
			continue;
		w->ctx = "topology";
		w->key = sections[i].key;
		sections[i].fn(w, n);
	}
	parse_ha_inherit(w->arg);
	return true;
}

struct topo *
topo_load_buf(const char *name, const char *buf, size_t len,
    struct topo_diags *diags)
{
	struct walk	 w;
	struct topo	*t;
	size_t		 first = diags->n;

	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    (t->file = strdup(name)) == NULL) {
		free(t);
		errno = ENOMEM;
		return NULL;
	}
	memset(&w, 0, sizeof(w));
	w.file = t->file;
	w.diags = diags;
	w.ctx = "topology";
	w.arg = t;
	if (walk_document(&w, buf, len, parse_root, "the file is empty; a "
	    "topology needs lab, area, members, lans, abr, groups and "
	    "guests") && !w.nomem)
		topo_validate(t, diags);
	topo_diags_sort(diags, first);
	if (w.nomem || diags->n > first) {
		topo_free(t);
		errno = w.nomem ? ENOMEM : EINVAL;
		return NULL;
	}
	return t;
}

static int
parse_load_error(const char *path, struct topo_diags *diags,
    const char *what)
{
	struct topo_pos	pos = { path, 0, 0, false };
	int		saved = errno;

	topo_diag_add(diags, &pos, "cannot %s: %s", what, strerror(saved));
	errno = saved;
	return -1;
}

struct topo *
topo_load(const char *path, struct topo_diags *diags)
{
	struct topo	*t;
	FILE		*f;
	char		*buf = NULL;
	size_t		 len = 0;

	if ((f = fopen(path, "r")) == NULL) {
		parse_load_error(path, diags, "open");
		return NULL;
	}
	if (walk_read(f, &buf, &len) == -1) {
		parse_load_error(path, diags, "read");
		fclose(f);
		return NULL;
	}
	fclose(f);
	t = topo_load_buf(path, buf, len, diags);
	free(buf);
	return t;
}
