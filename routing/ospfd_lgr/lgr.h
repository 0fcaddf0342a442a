/*
 * lgr.h: private header of ospfd_lgr.so, the ospfd module that drains
 * interfaces on request and publishes routing events.
 *
 * Everything runs in ospfd's main thread (FRR's event loop); no locking.
 * Prototypes are grouped under the file that defines them.
 */
#ifndef LGR_H
#define LGR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

struct ospf;
struct ospf_area;
struct ospf_interface;
struct ospf_lsa;
struct ospf_neighbor;
struct thread_master;
struct vty;

#define LGR_NAME	"ospfd_lgr"

/* Stable message ids in ospfd's log. */
#define LGR_MSG_INERT	"[LGR-INERT]"
#define LGR_MSG_START	"[LGR-START]"
#define LGR_MSG_SOCK	"[LGR-SOCKET]"
#define LGR_MSG_DRAIN	"[LGR-DRAIN]"
#define LGR_MSG_UNDRAIN	"[LGR-UNDRAIN]"
#define LGR_MSG_HANDOVER "[LGR-DR-HANDOVER]"
#define LGR_MSG_REWRITE	"[LGR-RTRLSA]"
#define LGR_MSG_AUTH	"[LGR-AUTH]"
#define LGR_MSG_AUDIT	"[LGR-AUDIT]"
#define LGR_MSG_RESEND	"[LGR-RESEND]"

/* module.c */
struct thread_master	*lgr_master(void);
struct ospf		*lgr_ospf(void);
double			 lgr_now(void);
int			 lgr_dir_split(const char *dir, char *labdir,
			    size_t size, const char **node);

/* zmqio.c: ZeroMQ sockets inside FRR's event loop */
typedef void	(*zio_read_cb)(void *sock, void *arg);
void		*zio_context(void);
void		*zio_attach(void *sock, zio_read_cb cb, void *arg);
void		 zio_detach(void *zio);
/* Prepares a new socket before it binds; -1 on failure. */
typedef int	(*zio_setup_cb)(void *sock);
/*
 * A socket of type bound at ipc://path (an old socket file removed),
 * set up by setup when not NULL; NULL after logging what failed.
 */
void		*zio_bind(int type, const char *path, const char *what,
		    zio_setup_cb setup);
void		 zio_shutdown(void);

/* control.c: the request socket */
void		 control_keys_load(const char *labdir);
int		 control_open(const char *path);
void		 control_close(void);

/* events.c: the event socket and the recent-event ring */
int		 events_open(const char *path);
void		 events_close(void);
void		 events_publish(const char *topic, struct json_object *ev);
struct json_object *events_recent(void);
int		 events_lsa_installed(struct ospf_lsa *lsa);
int		 events_ism_change(struct ospf_interface *oi, int state,
		    int oldstate);
int		 events_nsm_change(struct ospf_neighbor *nbr, int state,
		    int oldstate);

/* drain.c: drain and undrain interfaces */
enum drain_phase {
	DRAIN_NONE = 0,
	DRAIN_ACTIVE,		/* out of the router-LSA / cost raised */
};
int		 drain_request(struct ospf *ospf, const char *ifname,
		    struct json_object *result);
int		 drain_undrain(struct ospf *ospf, const char *ifname,
		    struct json_object *result);
enum drain_phase drain_phase(const char *ifname);
bool		 drain_is_lan(struct ospf_interface *oi);
const char	*drain_phase_name(enum drain_phase phase);
int		 drain_ism_change(struct ospf_interface *oi, int state,
		    int oldstate);
void		 drain_lsa_installed(struct ospf_lsa *lsa);
bool		 drain_rtrlsa_pending(struct in_addr area_id);
void		 drain_shutdown(void);

/* hello.c: hellos at once on an interface up, a new DR or BDR, and to a
 * new neighbour */
int		 hello_ism_change(struct ospf_interface *oi, int state,
		    int oldstate);
int		 hello_nsm_change(struct ospf_neighbor *nbr, int state,
		    int oldstate);
void		 hello_shutdown(void);

/* adjacency.c: what a new neighbour on a LAN dropped, again soon */
int		 adjacency_nsm_change(struct ospf_neighbor *nbr, int state,
		    int oldstate);
int		 adjacency_ism_change(struct ospf_interface *oi, int state,
		    int oldstate);
void		 adjacency_shutdown(void);

/* rtrlsa.c: keep drained links out of our own router-LSAs */
int		 rtrlsa_rewrite(struct ospf_lsa *lsa);
void		 rtrlsa_shutdown(void);

/* routes.c: route table snapshots, diffs after SPF */
void		 routes_init(void);
void		 routes_watch_spf(void);
void		 routes_shutdown(void);
struct json_object *routes_table_json(struct ospf *ospf);

/* report.c: JSON views shared by the control socket and the vty */
struct json_object *report_state(struct ospf *ospf);
struct json_object *report_routes(struct ospf *ospf);
struct json_object *report_lsdb(struct ospf *ospf);
struct json_object *report_oi(struct ospf_interface *oi);
struct json_object *report_lsa(struct ospf_lsa *lsa);

/* vty.c: "show lgr" on ospfd's own vty */
void		 lgr_vty_init(void);

#endif
