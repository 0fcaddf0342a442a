/*
 * topo.h: the topology model, the library's one public header.
 *
 * A topology file (YAML, see docs/topology.5) describes one lab: the OSPF
 * area, the hypervisor members and their HiperSockets LANs, the VSWITCH
 * LANs, the data-center ABR, the guests and the workload groups.  The
 * library parses and validates it, keeps the file position of every node
 * so that later checks still point at the right place, and derives
 * everything else from the model: per-router FRR configuration, the lab's
 * links, and the invariants that checks expect.
 *
 * The library never prints and never exits.  Functions return 0 or a
 * pointer on success, -1 or NULL on failure with errno set as documented.
 * Parse and validation errors are collected, every one of them, in a
 * struct topo_diags.
 *
 * Sections follow the source files: parse.c, validate.c, model.c,
 * frrconf.c, links.c, expect.c, gen.c.
 */
#ifndef LGR_TOPO_H
#define LGR_TOPO_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define TOPO_NAME_MAX	32	/* names of labs, members, LANs, guests */
#define TOPO_IFNAME_MAX	16	/* IFNAMSIZ */
#define TOPO_MAX_NICS	16	/* NICs per guest */
#define TOPO_MAX_HOSTS	64	/* hosts of a lab */
#define TOPO_UNDERLAY_BASE	"10.255.0.0"	/* derived underlay addresses */
#define TOPO_ETCD_CLIENT_PORT	2379	/* an etcd node's clients, on its host */
#define TOPO_ETCD_PEER_PORT	2380	/* and its peers */
#define TOPO_LEASE_TTL_DEFAULT	5	/* s */
#define TOPO_LEASE_TTL_MIN	2	/* s, etcd's minimum */
#define TOPO_LEASE_TTL_MAX	3600	/* s */

/*
 * Position of a parsed node; file points into the owning struct topo.
 * Every object keeps its own position (pos) and one per checked field
 * (*_pos; the object's position when the key was absent).  invalid is
 * set on a field whose value the parser already rejected, so that
 * topo_validate() does not report it a second time.
 */
struct topo_pos {
	const char	*file;
	unsigned	 line;		/* 1-based */
	unsigned	 col;		/* 1-based */
	bool		 invalid;	/* value rejected by the parser */
};

struct topo_prefix {
	struct in_addr	 addr;		/* host address (or network) */
	uint8_t		 len;		/* prefix length 0-32 */
};

/*
 * OSPF timers applied to every router of the lab.  A dead interval of 1
 * with hello_multiplier > 0 means "dead-interval minimal": hellos every
 * 1000 / hello_multiplier ms.
 */
struct topo_timers {
	unsigned	 hello;			/* s, 1-65535 */
	unsigned	 dead;			/* s, 1-65535, > hello */
	unsigned	 hello_multiplier;	/* 0, or 1-10 with dead == 1 */
	unsigned	 spf_delay;		/* ms, 0-600000 */
	unsigned	 spf_hold;		/* ms, 0-600000 */
	unsigned	 spf_max_hold;		/* ms, 0-600000, >= spf_hold */
	unsigned	 lsa_throttle;		/* ms, 0-5000 */
	unsigned	 lsa_min_arrival;	/* ms, 0-600000 */
	unsigned	 retransmit;		/* s, 1-65535 */
	struct topo_pos	 hello_pos;
	struct topo_pos	 retransmit_pos;
	struct topo_pos	 dead_pos;
	struct topo_pos	 hello_multiplier_pos;
	struct topo_pos	 spf_pos;
	struct topo_pos	 lsa_throttle_pos;
	struct topo_pos	 lsa_min_arrival_pos;
};

struct topo_area {
	struct in_addr		 id;
	bool			 stub;
	bool			 no_summary;	/* totally stubby; needs stub */
	unsigned		 default_cost;	/* 0-16777215 */
	bool			 proactive_arp;	/* ospfd's, default true */
	struct topo_timers	 timers;
	struct topo_pos		 pos;
	struct topo_pos		 id_pos;
	struct topo_pos		 stub_pos;
	struct topo_pos		 no_summary_pos;
	struct topo_pos		 default_cost_pos;
	struct topo_pos		 proactive_arp_pos;
};

/*
 * A host: a machine of the cluster (a network namespace in the lab),
 * reached by the others at its underlay address.  An underlay address
 * that the file does not give is derived: host i (0-based) of the list
 * gets TOPO_UNDERLAY_BASE + i + 1 (10.255.0.1, ...).  A topology without
 * hosts has nhosts 0: everything on one host, as before hosts existed.
 */
struct topo_host {
	char			 name[TOPO_NAME_MAX];
	struct in_addr		 underlay;
	bool			 underlay_given;	/* false: derived */
	struct topo_pos		 pos;
	struct topo_pos		 name_pos;
	struct topo_pos		 underlay_pos;
};

/* A hypervisor member and the HiperSockets LAN that lives in its CPC. */
struct topo_member {
	char			 name[TOPO_NAME_MAX];
	char			 cpc[TOPO_NAME_MAX];
	struct topo_prefix	 hsi_lan;	/* network, e.g. 172.0.9.0/24 */
	uint64_t		 memory_mib;	/* guest storage it can host */
	int			 host;		/* topo->hosts, -1: no hosts */
	struct topo_pos		 pos;
	struct topo_pos		 name_pos;
	struct topo_pos		 cpc_pos;
	struct topo_pos		 hsi_lan_pos;
	struct topo_pos		 memory_pos;
	struct topo_pos		 host_pos;
};

/* A VSWITCH LAN shared by every member. */
struct topo_lan {
	char			 name[TOPO_NAME_MAX];
	struct topo_prefix	 subnet;
	struct topo_pos		 pos;
	struct topo_pos		 name_pos;
	struct topo_pos		 subnet_pos;
};

enum topo_nic_kind {
	TOPO_NIC_VSWITCH,
	TOPO_NIC_HIPERSOCKETS,
};

struct topo_nic {
	char			 name[TOPO_IFNAME_MAX];
	enum topo_nic_kind	 kind;
	int			 lan;		/* VSWITCH: index in topo->lans */
	int			 member;	/* HIPERSOCKETS: topo->members */
	struct topo_prefix	 addr;		/* host address / LAN length */
	unsigned		 cost;		/* 1-65535 */
	unsigned		 priority;	/* 0-255 */
	struct topo_pos		 pos;
	struct topo_pos		 name_pos;
	struct topo_pos		 ref_pos;	/* its lan or member */
	struct topo_pos		 addr_pos;
	struct topo_pos		 cost_pos;
	struct topo_pos		 priority_pos;
};

/* An ABR interface on a VSWITCH LAN. */
struct topo_abr_if {
	char			 name[TOPO_IFNAME_MAX];
	int			 lan;
	struct topo_prefix	 addr;
	unsigned		 cost;
	unsigned		 priority;	/* > 0: the ABR is the LAN's DR */
	struct topo_pos		 pos;
	struct topo_pos		 name_pos;
	struct topo_pos		 lan_pos;
	struct topo_pos		 addr_pos;
	struct topo_pos		 cost_pos;
	struct topo_pos		 priority_pos;
};

struct topo_abr {
	char			 name[TOPO_NAME_MAX];	/* lab node name */
	struct in_addr		 router_id;
	struct topo_abr_if	*ifs;
	size_t			 nifs;
	char			 backbone_if[TOPO_IFNAME_MAX];
	struct topo_prefix	 backbone;	/* area 0 side */
	int			 host;		/* topo->hosts, -1: no hosts */
	struct topo_pos		 pos;
	struct topo_pos		 name_pos;
	struct topo_pos		 router_id_pos;
	struct topo_pos		 backbone_if_pos;
	struct topo_pos		 backbone_pos;
	struct topo_pos		 host_pos;
};

/*
 * What the surviving members do with the guests of a member that died:
 * wait for the operator (hvctl recover), or restart them by themselves.
 */
enum topo_ha {
	TOPO_HA_MANUAL,		/* the default */
	TOPO_HA_RESTART,
};

/*
 * Where the cluster directory lives: an SQLite file in the lab's state
 * directory (one host), or an etcd cluster of one node per host in
 * nodes[] (indexes in topo->hosts), each listening on its host's
 * underlay address, ports TOPO_ETCD_CLIENT_PORT and TOPO_ETCD_PEER_PORT.
 * lease_ttl is a member's liveness lease, in seconds.
 */
enum topo_directory_kind {
	TOPO_DIRECTORY_SQLITE,	/* the default */
	TOPO_DIRECTORY_ETCD,
};

struct topo_directory {
	enum topo_directory_kind kind;
	int			*nodes;		/* etcd: host indexes */
	size_t			 nnodes;
	unsigned		 lease_ttl;	/* s, TOPO_LEASE_TTL_MIN-MAX */
	struct topo_pos		 pos;
	struct topo_pos		 kind_pos;
	struct topo_pos		 nodes_pos;
	struct topo_pos		*node_pos;	/* one per nodes[] */
	struct topo_pos		 lease_ttl_pos;
};

struct topo_guest {
	char			 name[TOPO_NAME_MAX];
	struct in_addr		 vipa;		/* router id, /32 on dummy0 */
	unsigned		 vipa_cost;	/* dummy0 cost, default 1 */
	int			 group;		/* index in topo->groups */
	uint64_t		 memory_mib;
	int			 member;	/* initial member */
	struct topo_nic		 nics[TOPO_MAX_NICS];
	size_t			 nnics;
	enum topo_ha		 ha;		/* its own, or its group's */
	bool			 ha_given;	/* false: inherited */
	struct topo_pos		 pos;
	struct topo_pos		 name_pos;
	struct topo_pos		 vipa_pos;
	struct topo_pos		 vipa_cost_pos;
	struct topo_pos		 group_pos;
	struct topo_pos		 memory_pos;
	struct topo_pos		 member_pos;
	struct topo_pos		 nics_pos;
	struct topo_pos		 ha_pos;
};

/*
 * A workload group.  Allowed members may name members that are not in
 * this lab (the cluster is larger than the lab); member_idx[i] is -1 for
 * those.
 */
struct topo_group {
	char			 name[TOPO_NAME_MAX];
	char			 pattern[TOPO_NAME_MAX];	/* fnmatch(3) */
	char			 (*members)[TOPO_NAME_MAX];
	int			*member_idx;
	size_t			 nmembers;
	enum topo_ha		 ha;
	struct topo_pos		 pos;
	struct topo_pos		 name_pos;
	struct topo_pos		 pattern_pos;
	struct topo_pos		*member_pos;	/* one per members[] */
	struct topo_pos		 ha_pos;
};

struct topo {
	char			 name[TOPO_NAME_MAX];	/* lab name */
	char			*file;			/* path as given */
	struct topo_area	 area;
	struct topo_member	*members;
	size_t			 nmembers;
	struct topo_lan		*lans;
	size_t			 nlans;
	struct topo_abr		 abr;
	struct topo_guest	*guests;
	size_t			 nguests;
	struct topo_group	*groups;
	size_t			 ngroups;
	struct topo_host	*hosts;		/* NULL, 0: one host */
	size_t			 nhosts;
	struct topo_directory	 directory;
	struct topo_pos		 name_pos;
};

/* One error or note, positioned. */
struct topo_diag {
	char		*file;
	unsigned	 line;
	unsigned	 col;
	char		*msg;
};

struct topo_diags {
	struct topo_diag	*v;
	size_t			 n;
};

/*
 * parse.c: YAML to model.
 *
 * topo_load() reads and validates a file (parse + topo_validate()).
 * On any error it returns NULL with errno EINVAL and every error in
 * *diags; on an unreadable file, NULL with the errno of the failure and
 * one diagnostic.  topo_load_buf() does the same for a buffer, "name"
 * being the file name used in positions.
 */
struct topo	*topo_load(const char *path, struct topo_diags *diags);
struct topo	*topo_load_buf(const char *name, const char *buf, size_t len,
		    struct topo_diags *diags);

/*
 * validate.c: semantic checks, every error reported with its position:
 * duplicate names or addresses, an address outside its LAN, unknown
 * members and LANs, a HiperSockets guest missing a NIC for a member of
 * its workload group, router-id clashes, host numbers that differ from
 * the VIPA's, bad ranges.  Fields whose position is marked invalid and
 * references left at -1 (already reported by the parser) are skipped.
 * Returns the number of errors added (the caller sorts them if it
 * wants file order; topo_load() does).
 */
int		 topo_validate(const struct topo *t, struct topo_diags *diags);
int		 topo_warnings(const struct topo *t, struct topo_diags *warn);

/*
 * model.c: lifetime, look-ups and printing.
 */
void		 topo_free(struct topo *t);
void		 topo_diags_free(struct topo_diags *d);
/*
 * "file:line:col: message" into buf ("file: message" when line is 0, for
 * errors without a position); returns snprintf's result.
 */
int		 topo_diag_format(const struct topo_diag *d, char *buf,
		    size_t len);
/* Index of the named object, or -1 (errno ENOENT). */
int		 topo_member_find(const struct topo *t, const char *name);
int		 topo_lan_find(const struct topo *t, const char *name);
int		 topo_guest_find(const struct topo *t, const char *name);
int		 topo_group_find(const struct topo *t, const char *name);
int		 topo_host_find(const struct topo *t, const char *name);
/*
 * The host a guest runs on when it lives on member (its member's host),
 * or -1 when the topology has no hosts or member is -1.
 */
int		 topo_member_host(const struct topo *t, int member);
/* True when the guest has at least one HiperSockets NIC. */
bool		 topo_guest_has_hsi(const struct topo_guest *g);
/* The guest's HiperSockets NIC on that member's LAN, or NULL. */
const struct topo_nic *topo_guest_hsi_for(const struct topo_guest *g,
		    int member);
/* "manual", "restart"; "sqlite", "etcd". */
const char	*topo_ha_str(enum topo_ha ha);
const char	*topo_directory_kind_str(enum topo_directory_kind kind);
/* Print back what was understood (nslab check -v). */
void		 topo_print(const struct topo *t, FILE *out);
/* "a.b.c.d/len" into buf (at least 19 bytes). */
char		*topo_prefix_str(const struct topo_prefix *p, char *buf,
		    size_t len);
/* Does addr lie inside net? */
bool		 topo_prefix_contains(const struct topo_prefix *net,
		    struct in_addr addr);

/*
 * frrconf.c: FRR configuration per router.  node is a guest name or the
 * ABR's name.  Writes the zebra or ospfd configuration file text: zebra
 * only gets the hostname (the lab sets addresses); ospfd puts each OSPF
 * interface in its area with "ip ospf area" (dummy0 and the NICs of a
 * guest, the ABR's LAN interfaces in the area and its backbone stand-in
 * in 0.0.0.0), with cost, priority and the lab's hello/dead timers,
 * then "router ospf" with the router id, stub/no-summary, the ABR's
 * default-cost and the SPF and LSA throttles.
 * Returns 0, or -1 with errno ENOENT for an unknown node.
 */
enum topo_daemon {
	TOPO_ZEBRA,
	TOPO_OSPFD,
};
int		 topo_frr_conf(const struct topo *t, const char *node,
		    enum topo_daemon daemon, FILE *out);

/*
 * links.c: the lab's links.  Every router interface is one veth pair:
 * the router end in the node's namespace, the other end plugged into a
 * bridge (a VSWITCH LAN, or a member's HiperSockets LAN) or, for
 * dummy0 and the ABR's backbone stand-in, kept in the node's namespace.
 */
enum topo_link_kind {
	TOPO_LINK_LAN,		/* VSWITCH bridge, index in topo->lans */
	TOPO_LINK_HSI,		/* HiperSockets bridge of topo->members[] */
	TOPO_LINK_STANDIN,	/* both ends in the node (dummy stand-in) */
};

struct topo_link {
	const char		*node;		/* guest or ABR name */
	int			 guest;		/* index, -1 for the ABR */
	char			 ifname[TOPO_IFNAME_MAX];
	enum topo_link_kind	 kind;
	int			 bridge;	/* lan or member index */
	struct topo_prefix	 addr;
	bool			 up;		/* admin state at start */
};

/*
 * All links of the lab, guests placed on their initial members: an HSI
 * NIC is plugged into the bridge of the member its LAN belongs to and
 * is up only when that is the guest's member.  Returns the count and a
 * malloc'ed array in *links, or -1 with errno ENOMEM.
 */
ssize_t		 topo_links(const struct topo *t, struct topo_link **links);

/*
 * expect.c: what a converged lab looks like.
 *
 * residency[g] is the member index guest g lives on (NULL: initial
 * members).  An OSPF neighbour expected on a router's interface: the
 * neighbour's router id, and whether the pair must be Full whatever the
 * DR election gives (false: Full or 2-Way, decided by the election).
 */
struct topo_adj {
	char		 ifname[TOPO_IFNAME_MAX];
	struct in_addr	 neighbor;
	bool		 must_be_full;
};

/*
 * Every neighbour of node (a guest or the ABR) on each of its OSPF
 * interfaces, guests placed by residency.  dummy0, the ABR's backbone
 * stand-in and HSI interfaces that are down have none.  On a LAN, a pair
 * of routers that both have priority 0 stays in 2-Way and is NOT listed;
 * a pair with an eligible router (priority > 0) is listed with
 * must_be_full true when at most two routers on that LAN are eligible
 * (they are DR and BDR), false when the election decides.  So on a
 * VSWITCH LAN each guest lists only the ABR, and the ABR every guest.
 * Returns the count and a malloc'ed array (NULL when 0), or -1 (ENOENT:
 * unknown node, ENOMEM).
 */
ssize_t		 topo_expect_adjacencies(const struct topo *t,
		    const int *residency, const char *node,
		    struct topo_adj **adjs);

/*
 * The route a guest must have to another guest's VIPA: the interfaces
 * of the equal-cost next hops (hsiN alone when both live on the same
 * member and have HiperSockets NICs there, else trk1 and trk2), the
 * next-hop addresses (the other guest's address on that LAN), and the
 * total cost (own interface cost + the other's vipa-cost).  Only the
 * direct paths over a shared LAN are considered, the cheapest kept; with
 * the costs of DESIGN section 5 no path through a third router is
 * cheaper.  from and to are guest indexes.  Returns 0, or -1 with errno
 * EINVAL (bad index, from == to) or ENETUNREACH (no shared LAN).
 */
struct topo_route {
	char		 ifname[TOPO_MAX_NICS][TOPO_IFNAME_MAX];
	struct in_addr	 nexthop[TOPO_MAX_NICS];
	size_t		 npaths;
	unsigned	 cost;
};

int		 topo_expect_vipa_route(const struct topo *t,
		    const int *residency, int from, int to,
		    struct topo_route *r);

/*
 * gen.c: write a valid topology of nmembers members and nguests guests,
 * a fraction hsi_fraction (0.0-1.0) of them with HiperSockets NICs,
 * with OSPF timers that let it converge on a small machine (chosen by
 * size and explained in the file's header comment).  name is the lab
 * name (NULL: "gen").  The same options give the same text.  Returns 0,
 * or -1 with errno EINVAL when the sizes are out of range (1-16
 * members, 1-250 guests, as documented in nslab(8)) or the name is too
 * long, EIO when writing failed.
 */
struct topo_gen_opts {
	const char	*name;
	unsigned	 nmembers;
	unsigned	 nguests;
	double		 hsi_fraction;
};
int		 topo_gen(const struct topo_gen_opts *o, FILE *out);

#endif
