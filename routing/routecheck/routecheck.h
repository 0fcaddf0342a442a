/*
 * routecheck.h: the routing checker's library, its one public header.
 *
 * A snapshot (struct rc_snap) holds what a lab's routers say: per router
 * the OSPF routing table (from ospfd_lgr.so's "routes" or ospfd's vty),
 * zebra's OSPF routes (zebra's vty), the kernel FIB and the links (one
 * netlink dump in the router's namespace), the drained interfaces, and
 * where each guest lives (the hypervisor's directory).  rc_collect()
 * takes one from a running lab, every router at once; a snapshot can be
 * saved to a file and read back.  rc_check() holds a snapshot against
 * the invariants the topology implies; rc_diff() against a saved one.
 *
 * The library never prints and never exits.  Functions return 0 or a
 * pointer, or -1/NULL with errno set as documented.  It keeps no global
 * state.
 *
 * Sections follow the source files: snap.c, snapjson.c, frrjson.c,
 * kernel.c, vty.c, plugin.c, residency.c, collect.c, report.c, check.c,
 * diff.c.
 */
#ifndef LGR_ROUTECHECK_H
#define LGR_ROUTECHECK_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <json-c/json.h>

struct topo;

#define RC_NAME_MAX	32	/* routers, guests, members (TOPO_NAME_MAX) */
#define RC_IFNAME_MAX	16	/* IFNAMSIZ */
#define RC_KIND_MAX	16
#define RC_PREFIX_MAX	20	/* "255.255.255.255/32" */
#define RC_SNAP_VERSION	1

/*
 * snap.c: the model.
 *
 * Only what stays the same between two looks at a converged lab is kept
 * (no ages, uptimes, ifindexes or nexthop ids), so that two snapshots
 * compare exactly.
 */
enum rc_table_kind {
	RC_TABLE_OSPF,		/* ospfd's network routing table */
	RC_TABLE_ZEBRA,		/* zebra's routes from OSPF */
	RC_TABLE_KERNEL,	/* the kernel's main table, IPv4 */
	RC_NTABLES,
};

struct rc_nexthop {
	struct in_addr	 gw;		/* INADDR_ANY: directly attached */
	char		 ifname[RC_IFNAME_MAX];
};

struct rc_route {
	struct in_addr	 dst;		/* network address */
	uint8_t		 len;
	uint32_t	 metric;	/* OSPF cost, zebra metric, kernel
					   priority */
	char		 kind[RC_KIND_MAX];	/* OSPF path type
					   ("intra-area", "inter-area",
					   "external-1", "external-2"); zebra
					   and kernel: protocol ("ospf",
					   "kernel", ...) */
	bool		 installed;	/* zebra: selected and in the FIB */
	struct rc_nexthop *nh;		/* sorted by rc_table_sort() */
	size_t		 nnh;
};

struct rc_table {
	bool		 present;	/* collected (zebra may be skipped) */
	struct rc_route	*v;		/* sorted by prefix */
	size_t		 n;
	size_t		 cap;
};

struct rc_link {
	char		 name[RC_IFNAME_MAX];
	bool		 up;		/* administratively (IFF_UP) */
	bool		 running;	/* carrier */
};

/* An OSPF interface as ospfd_lgr.so's "state" shows it. */
struct rc_ospf_if {
	char		 name[RC_IFNAME_MAX];
	char		 state[RC_KIND_MAX];	/* ISM: "DR", "Down", ... */
	bool		 drained;
};

struct rc_router {
	char		 name[RC_NAME_MAX];
	char		 source[RC_KIND_MAX];	/* OSPF table from "plugin" or
					   "vty" */
	bool		 collected;
	char		*error;		/* why not collected, or NULL */
	struct rc_table	 tables[RC_NTABLES];
	struct rc_link	*links;
	size_t		 nlinks;
	struct rc_ospf_if *oifs;
	size_t		 noifs;
};

struct rc_residency {
	char		 guest[RC_NAME_MAX];
	char		 member[RC_NAME_MAX];
};

struct rc_snap {
	char		 lab[RC_NAME_MAX];
	char		 residency_from[RC_KIND_MAX];	/* "hypervisor",
					   "network", "topology" */
	struct rc_residency *res;
	size_t		 nres;
	struct rc_router *routers;
	size_t		 nrouters;
};

/* rc_snap_new: an empty snapshot of lab; NULL with ENOMEM. */
struct rc_snap	*rc_snap_new(const char *lab);
void		 rc_snap_free(struct rc_snap *s);
/* Adds a router (names are unique); NULL with ENOMEM or EEXIST. */
struct rc_router *rc_snap_router_add(struct rc_snap *s, const char *name);
/* The router named so, or NULL (errno ENOENT). */
const struct rc_router *rc_snap_router(const struct rc_snap *s,
		    const char *name);
/* Records (or replaces) where guest lives; -1 with ENOMEM. */
int		 rc_snap_residency_set(struct rc_snap *s, const char *guest,
		    const char *member);
/* The member guest lives on, or NULL (errno ENOENT). */
const char	*rc_snap_residency(const struct rc_snap *s, const char *guest);
/* Sets r->error (formatted); the router counts as not collected. */
void		 rc_router_fail(struct rc_router *r, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
int		 rc_router_link_add(struct rc_router *r, const char *name,
		    bool up, bool running);
const struct rc_link *rc_router_link(const struct rc_router *r,
		    const char *name);
int		 rc_router_ospf_if_add(struct rc_router *r,
		    const struct rc_ospf_if *oif);
const struct rc_ospf_if *rc_router_ospf_if(const struct rc_router *r,
		    const char *name);
/* A new zeroed route at the end of t; NULL with ENOMEM. */
struct rc_route	*rc_table_add(struct rc_table *t, struct in_addr dst,
		    uint8_t len);
/* Sorts the routes by prefix and each route's next hops. */
void		 rc_table_sort(struct rc_table *t);
/* Exact-prefix look-up in a sorted table; NULL when absent. */
const struct rc_route *rc_table_find(const struct rc_table *t,
		    struct in_addr dst, uint8_t len);
void		 rc_table_clear(struct rc_table *t);
int		 rc_route_nexthop_add(struct rc_route *r, struct in_addr gw,
		    const char *ifname);
/* Same next-hop set (both sorted)? */
bool		 rc_route_same_nexthops(const struct rc_route *a,
		    const struct rc_route *b);
/* Only directly attached next hops (at least one)? */
bool		 rc_route_attached(const struct rc_route *r);
/*
 * "a.b.c.d/len" into buf (RC_PREFIX_MAX bytes); rc_prefix_parse()
 * accepts it, and a bare address as /32.  Parse returns 0, or -1 with
 * EINVAL; the address is masked to the prefix length.
 */
char		*rc_prefix_str(struct in_addr dst, uint8_t len, char *buf,
		    size_t size);
int		 rc_prefix_parse(const char *s, struct in_addr *dst,
		    uint8_t *len);
/* The next hops as "172.0.9.100 hsi0, attached trk1" (truncated). */
char		*rc_nexthops_str(const struct rc_nexthop *nh, size_t n,
		    char *buf, size_t size);
const char	*rc_table_name(enum rc_table_kind k);

/*
 * snapjson.c: the snapshot file (JSON; routecheck(8) describes it).
 * rc_snap_from_json() and rc_snap_load() name the first bad field in
 * err ("routers.LITDCON1.ospf[3].prefix: not a prefix") and fail with
 * EINVAL; load fails with the errno of the file otherwise.
 */
json_object	*rc_snap_to_json(const struct rc_snap *s);
struct rc_snap	*rc_snap_from_json(json_object *j, char *err, size_t errlen);
int		 rc_snap_save(const struct rc_snap *s, const char *path);
struct rc_snap	*rc_snap_load(const char *path, char *err, size_t errlen);

/*
 * frrjson.c: FRR's and ospfd_lgr.so's JSON into tables.  Unknown fields
 * are ignored; entries without a usable prefix are skipped.  Return 0,
 * or -1 with EBADMSG when the value has the wrong shape, ENOMEM.
 */
/* One route object of ospfd_lgr.so's "routes" reply. */
int		 rc_ospf_from_plugin(struct rc_table *t, json_object *route);
/* "show ip ospf route json" (network routes; router routes skipped). */
int		 rc_ospf_from_vty(struct rc_table *t, json_object *all);
/* "show ip route ospf json" of zebra. */
int		 rc_zebra_from_vty(struct rc_table *t, json_object *all);
/* One interface object of ospfd_lgr.so's "state" reply. */
int		 rc_ospf_if_from_plugin(struct rc_router *r, json_object *oif);

/*
 * kernel.c: one netlink socket per namespace.  rc_kernel_open() enters
 * the namespace /run/netns/NAME just long enough to open the socket
 * (needs CAP_SYS_ADMIN); rc_kernel_links() and rc_kernel_routes() dump
 * links and the main IPv4 table.  Return 0 / a pointer, or -1/NULL with
 * errno.
 */
struct rc_kernel;
struct rc_kernel *rc_kernel_open(const char *netns);
void		 rc_kernel_close(struct rc_kernel *k);
int		 rc_kernel_links(struct rc_kernel *k, struct rc_router *r);
int		 rc_kernel_routes(struct rc_kernel *k, struct rc_table *t);
/* Every link of the namespace with its bridge: name and master name. */
struct rc_port {
	char	name[RC_IFNAME_MAX];
	char	master[RC_IFNAME_MAX];	/* "" when none */
};
ssize_t		 rc_kernel_ports(struct rc_kernel *k, struct rc_port **ports);
/*
 * The same readers over netlink messages already received (tests and
 * fuzzing): rc_kernel_new() makes a reader without a socket;
 * rc_kernel_parse() reads buf as the answer to a dump of type
 * RTM_GETLINK (into k's links), RTM_GETNEXTHOP (into k's nexthop
 * objects) or RTM_GETROUTE (into t, nexthop ids resolved with the
 * objects k holds).  0, or -1 with errno (EINVAL: another type).
 */
struct rc_kernel *rc_kernel_new(void);
int		 rc_kernel_parse(struct rc_kernel *k, uint16_t type,
		    const void *buf, size_t len, struct rc_table *t);

/*
 * vty.c: a non-blocking client of an FRR daemon's vty socket (what
 * vtysh speaks): a command goes out NUL-terminated, the answer ends in
 * three NULs and a status byte.
 */
struct rc_vty;
/* Connects; NULL with the errno of socket/connect, ENAMETOOLONG. */
struct rc_vty	*rc_vty_open(const char *path);
void		 rc_vty_close(struct rc_vty *v);
int		 rc_vty_fd(const struct rc_vty *v);
/* Queues a command (one at a time); -1 with EBUSY or ENOMEM. */
int		 rc_vty_send(struct rc_vty *v, const char *cmd);
/* Wants POLLOUT (a command not yet sent)? */
bool		 rc_vty_want_write(const struct rc_vty *v);
/*
 * Call when the fd is ready.  Returns 1 when the answer is complete
 * (*out: malloc'ed text, *status: the daemon's status byte), 0 when
 * more is to come, -1 on error (ECONNRESET: closed, EMSGSIZE: over the
 * limit).
 */
int		 rc_vty_io(struct rc_vty *v, char **out, int *status);

/*
 * plugin.c: requests to ospfd_lgr.so's control socket (lgr_ctl.h) over a
 * ZeroMQ DEALER socket, several in flight, each answered in order as a
 * series of LGR_DATA frames and one LGR_END.  rc_plugin_open() connects
 * to the socket at path (labname_plugin_sock) with the lab's key when the
 * lab has keys (keys NULL: none).
 */
struct keys_client;
struct rc_plugin;
struct rc_plugin *rc_plugin_open(void *zctx, const char *path,
		    const struct keys_client *keys);
void		 rc_plugin_close(struct rc_plugin *p);
void		*rc_plugin_socket(const struct rc_plugin *p);
/* Queues one request (enum lgr_type); -1 with zmq's errno. */
int		 rc_plugin_send(struct rc_plugin *p, int type);
/*
 * Reads what has arrived of the oldest unanswered request's reply,
 * without blocking.  Each LGR_DATA frame is parsed and handed to cb.
 * Returns 1 when that reply is complete (call again for the next one),
 * 0 when more is to come, -1 with errno EPROTO (the module answered an
 * error; its text in errbuf), EBADMSG (malformed) or zmq's.
 */
typedef int (*rc_plugin_cb)(json_object *item, void *arg);
int		 rc_plugin_read(struct rc_plugin *p, rc_plugin_cb cb,
		    void *arg, char *errbuf, size_t errlen);

/*
 * residency.c: where each guest lives.  In order: the hypervisor's
 * directory (LABDIR/cluster.db, read-only), the HiperSockets bridge that
 * holds each HSI guest's host ends in the switch namespace, the
 * topology's initial members.  Fills s->res and s->residency_from.
 * Returns 0, or -1 with ENOMEM.
 */
int		 rc_residency_collect(const struct topo *t, const char *lab,
		    const char *labdir, struct rc_snap *s);

/*
 * collect.c: a snapshot of a running lab.  Every router's requests go
 * out at once (ZeroMQ and vty sockets), the netlink dumps run while the
 * daemons answer, then one poll loop gathers the answers.  A router that
 * cannot be read has collected false and an error; the snapshot is
 * returned anyway.  NULL with errno ENOENT (a named router not in the
 * topology), ENOMEM.
 */
enum rc_source {
	RC_SOURCE_AUTO,		/* plugin when its socket exists, else vty */
	RC_SOURCE_PLUGIN,
	RC_SOURCE_VTY,
};

struct rc_collect_opts {
	const char	*lab;
	const char	*labdir;	/* NULL: /run/nslab/LAB */
	const char	*const *routers;	/* NULL: every router */
	size_t		 nrouters;
	enum rc_source	 source;
	bool		 zebra;		/* also zebra's table */
	int		 timeout_ms;	/* for every answer, all together */
	const char	*role;		/* key role, NULL: "viewer" */
};

struct rc_snap	*rc_collect(const struct topo *t,
		    const struct rc_collect_opts *o);

/*
 * report.c: violations found by rc_check() and rc_diff().
 */
enum rc_invariant {
	RC_INV_VIPA = 1,	/* every VIPA in every OSPF table and FIB */
	RC_INV_PATHS,		/* HSI on one member, else trk1+trk2 ECMP */
	RC_INV_HSI_SUBNET,	/* HSI subnet attached only on its member */
	RC_INV_HSI_UP,		/* at most one HSI up, the member's */
	RC_INV_DEFAULT,		/* default inter-area via the ABR, both LANs */
	RC_INV_AGREE,		/* OSPF table, zebra and kernel agree */
	RC_INV_EXPECT,		/* tables equal a saved snapshot */
	RC_NINV = RC_INV_EXPECT,
};

struct rc_violation {
	int		 inv;
	char		 router[RC_NAME_MAX];
	char		 prefix[RC_PREFIX_MAX];	/* "" when none applies */
	char		 table[RC_KIND_MAX];	/* "ospf", "zebra", "kernel",
					   "link", "" */
	char		*expected;
	char		*found;
};

/* Per router, the invariants checked (bit 1 << inv). */
struct rc_checked {
	char		 router[RC_NAME_MAX];
	unsigned	 mask;
};

struct rc_report {
	struct rc_violation *v;
	size_t		 n;
	struct rc_checked *checked;
	size_t		 nchecked;
	unsigned long	 checks[RC_NINV + 1];	/* items checked per
					   invariant */
	bool		 nomem;		/* a violation could not be kept */
};

void		 rc_report_init(struct rc_report *r);
void		 rc_report_free(struct rc_report *r);
/* Adds a violation; on ENOMEM sets r->nomem and returns -1. */
int		 rc_report_add(struct rc_report *r, int inv, const char *router,
		    const char *prefix, const char *table, const char *expected,
		    const char *found);
/* Notes that inv was checked on router (n items). */
void		 rc_report_checked(struct rc_report *r, const char *router,
		    int inv, unsigned long n);
/* Violations of inv on router (router NULL: any). */
size_t		 rc_report_count(const struct rc_report *r, int inv,
		    const char *router);
/* Short name ("vipa") and title of an invariant; NULL when out of range. */
const char	*rc_inv_name(int inv);
const char	*rc_inv_title(int inv);

/*
 * check.c: the invariants of the issue, numbered as enum rc_invariant
 * (RC_INV_VIPA .. RC_INV_AGREE), derived from the topology and where
 * the snapshot says each guest lives.  Routers the snapshot lacks or
 * could not collect are skipped (the caller reports them).
 */
struct rc_check_opts {
	int		 guest;		/* index in t->guests: only what concerns
					   that guest; -1: everything */
	unsigned	 invariants;	/* bit 1 << inv; 0: all */
};

/*
 * Member index per guest of t (t->nguests entries): from the snapshot,
 * -1 for a member the topology does not know, the initial member for a
 * guest the snapshot does not mention.
 */
void		 rc_residency_index(const struct topo *t,
		    const struct rc_snap *s, int *res);
/*
 * Returns the number of violations added, or -1 with ENOMEM, EINVAL (the
 * guest index is out of range).
 */
int		 rc_check(const struct topo *t, const struct rc_snap *s,
		    const struct rc_check_opts *o, struct rc_report *r);

/*
 * diff.c: every table of every router collected in got against the
 * same router in want, exactly (RC_INV_EXPECT).  A router that want
 * lacks is a violation; routers of want that got lacks are not compared
 * (a subset was collected).  A table that one side did not collect is
 * not compared.  Returns the number of violations added, or -1 with
 * ENOMEM.
 */
int		 rc_diff(const struct rc_snap *want, const struct rc_snap *got,
		    struct rc_report *r);

#endif
