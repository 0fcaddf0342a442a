/*
 * labname.h: where a lab keeps things, shared by every program that
 * works on a running lab (nslab, hvd, guestagentd, routecheck, lgrd).
 *
 *   state directory	/run/nslab/LAB/              (NSLAB_RUNDIR overrides
 *   per-node directory	/run/nslab/LAB/NODE/          the /run/nslab part)
 *   node namespace	LAB.NODE     (names are [A-Za-z0-9_-], so unique)
 *   switch namespace	LAB:sw       (every bridge and host-end veth)
 *   VSWITCH bridge	vs<lan index>
 *   HiperSockets bridge	hs<member index>
 *   host end of a NIC	g<guest index>n<nic index>, ABR a<if index>
 *   guest cgroup	/sys/fs/cgroup/freezer/nslab/LAB/GUEST
 * A lab with hosts (topology key hosts:) has, instead of the switch
 * namespace, one namespace per host and an underlay namespace:
 *   host namespace	LAB:HOST     (its bridges, host ends, VXLAN devices,
 *			              its hvd and etcd; hosts are never named
 *			              sw or ul)
 *   underlay namespace	LAB:ul       (bridge ul, a veth uHOST# per host)
 *   host's underlay if	ul0          (in the host namespace)
 *   VXLAN of a LAN	vx<lan index> (VNI LABNAME_VNI_BASE + lan index)
 *   HSI uplink bridge	hp<member index> on every other host: joined to
 *			the member's bridge hs<member index> by a veth
 *			(hu<member index> here, hx<host index>m<member
 *			index> there), so that a guest's NIC host ends
 *			stay in their host when it moves and only change
 *			bridge (no link event in the guest)
 *   host cgroup	/sys/fs/cgroup/freezer/nslab/LAB/host.HOST
 *   control sockets	LABDIR/hvd-MEMBER.ctl (hvd), LABDIR/lgrd.ctl (lgrd),
 *			LABDIR/GUEST/agent.ctl (guestagentd),
 *			LABDIR/NODE/lgr.ctl and lgr.ev (ospfd_lgr)
 *
 * Every function writes into buf (len bytes) and returns buf, or NULL
 * with errno ENAMETOOLONG when it does not fit.
 */
#ifndef LGR_LABNAME_H
#define LGR_LABNAME_H

#include <stddef.h>

#define LABNAME_RUNDIR		"/run/nslab"
#define LABNAME_CGROUP		"/sys/fs/cgroup/freezer/nslab"
#define LABNAME_SWITCH		"sw"
#define LABNAME_UNDERLAY	"ul"
#define LABNAME_UNDERLAY_IF	"ul0"
#define LABNAME_VNI_BASE	4200

const char	*labname_rundir(void);
char		*labname_labdir(const char *lab, char *buf, size_t len);
char		*labname_nodedir(const char *lab, const char *node, char *buf,
		    size_t len);
char		*labname_netns(const char *lab, const char *node, char *buf,
		    size_t len);
char		*labname_host_netns(const char *lab, const char *host, char *buf,
		    size_t len);
/* The switch and underlay namespaces are host namespaces by name. */
#define labname_switch_netns(lab, buf, len)				\
	labname_host_netns((lab), LABNAME_SWITCH, (buf), (len))
#define labname_underlay_netns(lab, buf, len)				\
	labname_host_netns((lab), LABNAME_UNDERLAY, (buf), (len))
/* Interface and bridge names: a prefix, then an index. */
#define LABNAME_IF_UNDERLAY	"u"	/* uHOST#: underlay veth */
#define LABNAME_IF_VXLAN	"vx"	/* vxLAN#: a LAN's VXLAN device */
#define LABNAME_IF_HSI_UPLINK	"hp"	/* hpMEMBER#: HSI uplink */
#define LABNAME_IF_LAN		"vs"	/* vsLAN#: VSWITCH bridge */
#define LABNAME_IF_HSI		"hs"	/* hsMEMBER#: HiperSockets */
#define LABNAME_IF_ABR		"a"	/* aIF#: the ABR's host ends */
char		*labname_ifname(const char *prefix, int idx, char *buf,
		    size_t len);
#define labname_underlay_hostif(host, buf, len)				\
	labname_ifname(LABNAME_IF_UNDERLAY, (host), (buf), (len))
#define labname_vxlan(lan, buf, len)					\
	labname_ifname(LABNAME_IF_VXLAN, (lan), (buf), (len))
#define labname_hsi_uplink_bridge(member, buf, len)			\
	labname_ifname(LABNAME_IF_HSI_UPLINK, (member), (buf), (len))
#define labname_lan_bridge(lan, buf, len)				\
	labname_ifname(LABNAME_IF_LAN, (lan), (buf), (len))
#define labname_hsi_bridge(member, buf, len)				\
	labname_ifname(LABNAME_IF_HSI, (member), (buf), (len))
#define labname_abr_hostif(ifidx, buf, len)				\
	labname_ifname(LABNAME_IF_ABR, (ifidx), (buf), (len))
char		*labname_guest_hostif(int guest, int nic, char *buf,
		    size_t len);
char		*labname_host_cgroup(const char *lab, const char *host,
		    char *buf, size_t len);
char		*labname_cgroup(const char *lab, const char *guest, char *buf,
		    size_t len);
/*
 * Control socket paths (files; prefix "ipc://" for a ZeroMQ endpoint).
 * labdir is the lab's state directory.
 */
#define LABNAME_LGRD_SOCK	"lgrd.ctl"
#define LABNAME_AGENT_SOCK	"agent.ctl"
#define LABNAME_PLUGIN_SOCK	"lgr.ctl"
#define LABNAME_PLUGIN_EVENTS	"lgr.ev"
/* LABDIR/hvd-MEMBER.EXT: hvd's files (ctl: its socket, pid: its pid). */
char		*labname_hvd_file(const char *labdir, const char *member,
		    const char *ext, char *buf, size_t len);
#define labname_hvd_sock(labdir, member, buf, len)			\
	labname_hvd_file((labdir), (member), "ctl", (buf), (len))
#define labname_hvd_pidfile(labdir, member, buf, len)			\
	labname_hvd_file((labdir), (member), "pid", (buf), (len))
char		*labname_lgrd_sock(const char *labdir, char *buf, size_t len);
/* LABDIR/NODE/FILE: a guest's or router's file (one of the above). */
char		*labname_node_file(const char *labdir, const char *node,
		    const char *file, char *buf, size_t len);
#define labname_agent_sock(labdir, guest, buf, len)			\
	labname_node_file((labdir), (guest), LABNAME_AGENT_SOCK, (buf), (len))
#define labname_plugin_sock(labdir, node, buf, len)			\
	labname_node_file((labdir), (node), LABNAME_PLUGIN_SOCK, (buf), (len))
#define labname_plugin_events(labdir, node, buf, len)			\
	labname_node_file((labdir), (node), LABNAME_PLUGIN_EVENTS,	\
	    (buf), (len))
/*
 * Is the process a pid file names alive?  1 yes, 0 no (dead, or a pid
 * file without a number), -1 with errno when the file cannot be read
 * (ENOENT: none).
 */
int		 labname_pid_alive(const char *pidfile);
/* "ipc://" followed by path, into buf. */
char		*labname_ipc(const char *path, char *buf, size_t len);

/*
 * The lab directory a command works on: dir when given, else the lab's
 * directory, else the only lab under the run directory.  NULL when there
 * is none or more than one.
 */
char		*labname_pick(const char *dir, const char *lab, char *buf,
		    size_t len);

#endif
