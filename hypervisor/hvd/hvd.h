/*
 * hvd.h: the hypervisor member daemon's private header, prototypes
 * grouped by the file that defines them.
 *
 * Threads: the main thread runs the control socket and the ZAP handler
 * (hvd.c, control.c); the monitor thread the membership tick (member.c:
 * DOWN members, HA restarts, fencing, the cluster mode); one vCPU
 * thread per guest (guest.c); one inbound thread receiving relocations
 * (inbound.c);
 * one thread per outbound relocation (relocate.c, running outbound.c,
 * precopy.c and quiesce.c); the renew thread keeping the member's lease
 * (member.c).  Every thread opens its own directory (directory.h); the
 * shared struct hvd is read-only after start-up except the guest and
 * relocation lists, guarded by hvd->lock, and the liveness fields
 * (atomics: the renew or the monitor thread sets fenced, the monitor
 * fence_done).
 */
#ifndef LGR_HVD_H
#define LGR_HVD_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hv_ctl.h"
#include "keys.h"
#include "msg.h"

#define HV_PAGE		4096u
#define HV_NAME		MSG_NAME_MAX
#define HV_MAX_MEMBERS	16
#define HV_MAX_NICS	16

struct ctlsrv;
struct json_object;
struct sqlite3;

/* Member states and cluster modes, as stored in the directory. */
enum member_state {
	MEMBER_DOWN,
	MEMBER_JOINING,
	MEMBER_JOINED,
	MEMBER_LEAVING,
};

enum cluster_mode {
	CLUSTER_STABLE,
	CLUSTER_INFLUX,
	CLUSTER_SAFE,
};

/* Where the cluster directory is (directory.h; hvd's --directory). */
enum dir_kind {
	DIR_SQLITE,
	DIR_ETCD,
};

#define DIR_TTL_S	5	/* member lease TTL by default */
#define DIR_TTL_MIN_S	2	/* etcd's minimum */
/*
 * The main thread's directory calls end within this (etcd): long enough
 * for an etcd leader election, short enough that the control socket
 * keeps answering when etcd has no quorum.
 */
#define DIR_MAIN_MS	2000

struct dir_conf {
	enum dir_kind	 kind;
	char		 path[512];	/* SQLite: the database file */
	char		 endpoints[512];/* etcd: HOST:PORT,... */
	char		 lab[HV_NAME];	/* etcd: keys under /lgr/LAB/ */
	unsigned	 ttl_s;		/* member lease */
	unsigned	 timeout_ms;	/* etcd: deadline of a call, 0 default */
};

/* A guest definition as hvd keeps it (imported from the topology). */
struct hv_nic {
	char		 name[16];
	bool		 hsi;
	int		 lan;		/* VSWITCH LAN index */
	int		 member;	/* HSI: member index of its LAN */
};

struct hv_guestdef {
	char		 name[HV_NAME];
	int		 idx;			/* topology index */
	uint64_t	 memory_mib;
	char		 group[HV_NAME];
	char		 domain[HV_MAX_MEMBERS][HV_NAME];
	size_t		 ndomain;
	int		 initial;		/* member index */
	struct hv_nic	 nics[HV_MAX_NICS];
	size_t		 nnics;
	bool		 multi;			/* multi-member identity */
	bool		 ha_restart;		/* ha: restart (own or group's) */
};

struct hv_memberdef {
	char		 name[HV_NAME];
	int		 idx;
	uint64_t	 memory_mib;
};

/* What hvd learnt from the topology file. */
struct hv_config {
	char			 lab[HV_NAME];
	struct hv_memberdef	*members;
	size_t			 nmembers;
	struct hv_guestdef	*guests;
	size_t			 nguests;
	size_t			 nlans;
};

struct hvd_opts {
	const char	*topology;
	const char	*member;
	const char	*labdir;
	bool		 foreground;
	int		 verbose;
	unsigned	 heartbeat_ms;	/* -H */
	unsigned	 down_ms;	/* -T */
	unsigned	 fill_pct;	/* -F: non-zero share of a new image */
	unsigned	 max_out;	/* -o */
	unsigned	 max_in;	/* -i */
	uint64_t	 max_total_s;	/* default --max-total */
	uint64_t	 max_quiesce_ms;/* default --max-quiesce */
	unsigned	 dir_kind;	/* --directory: enum dir_kind */
	const char	*etcd;		/* --etcd */
	unsigned	 lease_ttl_s;	/* --lease-ttl */
	int		 ha;		/* --ha: HVD_HA_* */
	const char	*listen;	/* --listen: tcp on this address */
};

/* --ha: the topology's policy per guest, or one for all. */
enum {
	HVD_HA_MANUAL,
	HVD_HA_RESTART,
	HVD_HA_TOPOLOGY,
};

struct guest;
struct reloc;

/* A spare guest image (pool.c). */
#define POOL_MAX	4
struct pool_image {
	uint8_t		*mem;
	size_t		 len;
	uint64_t	 since_ms;	/* clock_ms() */
};

/*
 * hvd's ZeroMQ context has two I/O threads, ZeroMQ's numbers 0 and 1 (as
 * ZMQ_AFFINITY bits): the control socket's, at hvd's priority, and the
 * relocation channel's, which carries the pre-copy in the background
 * (prio.c).
 */
#define HVD_IO_THREADS		2
#define HVD_IO_CONTROL		1u
#define HVD_IO_CHANNEL		2u

/* The daemon, one per process (hvd.c owns it). */
struct hvd {
	struct hvd_opts		 opts;
	struct hv_config	*conf;
	int			 self;		/* member index */
	const char		*name;		/* member name */
	struct keys_set		 keys;
	struct keys_client	 chan_kc;	/* --listen: the channel's CURVE client */
	struct dir_conf		 dirconf;
	char			 ctl_ep[600];	/* as bound, published */
	char			 chan_ep[600];
	char			 chandir[512];
	void			*zctx;
	struct ctlsrv		*ctl;		/* control.c, main thread */
	struct dir		*dir;		/* main thread's connection */
	pthread_mutex_t		 lock;		/* guests, relocs, spare */
	struct guest		*guests[256];	/* by guest index, here */
	struct reloc		*relocs[256];	/* outbound, by guest index */
	struct pool_image	 spare[POOL_MAX];	/* pool.c */
	size_t			 nspare;
	pthread_t		 inbound;
	atomic_bool		 quit;
	/* prio.c: hvd's nice and the pre-copy's, per thread */
	int			 nice, nice_bg;
	bool			 prio_ok;	/* can go back up */

	/* Liveness (member.c): the renew thread and fencing. */
	struct dir		*live;		/* the renew thread's */
	pthread_t		 renew;
	bool			 renewing;	/* the thread runs */
	unsigned		 ttl_ms;	/* lease, or -T on SQLite */
	_Atomic uint64_t	 deadline_ms;	/* clock_ms(): renew by then */
	atomic_bool		 fencing;	/* one thread sets fence_why */
	atomic_bool		 fenced;	/* stop it all (fence_why set) */
	atomic_bool		 fence_done;	/* main thread: guests stopped */
	atomic_bool		 rejoined;	/* renew thread: a new life */
	/* The monitor thread: member_tick, with a directory of its own. */
	struct dir		*mdir;
	pthread_t		 monitor;
	atomic_bool		 monitoring;	/* the thread runs */
	pthread_mutex_t		 boot_lock;	/* hvd_guest_boot */
	char			 fence_why[128];/* set before fenced */
	/* control.c: etcd found unhealthy; requests answered from this
	 * until then, not each held a directory time-out. */
	uint64_t		 dir_down_until;	/* clock_ms() */
	char			 dir_down_why[160];
};

/* config.c: the topology file. */
struct hv_config	*config_load(const char *path);
void			 config_free(struct hv_config *c);
int			 config_member_find(const struct hv_config *c,
			    const char *name);
int			 config_guest_find(const struct hv_config *c,
			    const char *name);

/* The words the directory stores for states and modes (directory.c). */
const char		*member_state_name(enum member_state s);
int			 member_state_find(const char *name);
const char		*cluster_mode_name(enum cluster_mode m);

/* member.c: membership, heartbeats, cluster mode, guest import. */
int			 member_join(struct hvd *h);
/*
 * The monitor thread runs member_tick every heartbeat, off the main
 * thread: a directory that does not answer (etcd without quorum) never
 * stops the control socket.  member_dir: the calling thread's directory
 * (the monitor's own, or the main thread's).
 */
int			 member_monitor_start(struct hvd *h);
void			 member_monitor_stop(struct hvd *h);
struct dir		*member_dir(struct hvd *h);
int			 member_leave(struct hvd *h);
int			 member_boot(struct hvd *h);
int			 member_renew_start(struct hvd *h);
int			 member_tick(struct hvd *h);
bool			 member_fenced(const struct hvd *h);

/* eligibility.c: every condition of a relocation, pure. */
struct elig_member {
	char		 name[HV_NAME];
	bool		 known;
	enum member_state state;
	uint64_t	 memory_mib;	/* capacity */
	uint64_t	 used_mib;	/* resident + reserved */
	unsigned	 active_out, active_in;
	unsigned	 max_out, max_in;
};

struct elig_input {
	const struct hv_guestdef	*guest;
	const char			*guest_state;	/* residency state */
	struct elig_member		 src, dst;
	bool				 relocating;
	int				 dst_idx;	/* -1 unknown */
	unsigned			 force;		/* HV_FORCE_* */
};

struct elig_conflict {
	enum hv_conflict	 code;
	char			 text[160];
};

/* Is member in g's relocation domain? */
bool			 elig_in_domain(const struct hv_guestdef *g,
			    const char *member);
size_t			 elig_check(const struct elig_input *in,
			    struct elig_conflict *out, size_t max);
struct json_object	*elig_conflict_json(const struct elig_conflict *c);

/* control.c: the requests of the control socket (h->ctl). */
int			 control_open(struct hvd *h);
void			 control_close(struct hvd *h);
void			 control_dispatch(struct hvd *h);

/* guest.c: a guest's memory image and vCPU. */
struct vcpu_state {
	uint64_t	 rng;		/* xorshift state */
	uint64_t	 writes;	/* words written so far */
	uint64_t	 rate_mib;	/* MiB/s dirtied */
	uint64_t	 wss_mib;	/* working set */
};

struct guest {
	const struct hv_guestdef *def;
	uint8_t			*mem;
	size_t			 len;
	size_t			 npages;
	pthread_t		 vcpu;
	bool			 running;
	pthread_mutex_t		 mtx;
	pthread_cond_t		 cv;
	bool			 pause_req, paused, stop;
	bool			 halted;	/* guest_halt: paused for good */
	struct vcpu_state	 st;	/* under mtx while running */
	/* guest_fill_boot: pages the vCPU has still to fill, under mtx */
	size_t			 fill_next, fill_end;
	uint64_t		 fill_seed;
	int			 uffd;	/* dirty tracking, -1 when off */
	int			 pagemap;
};

uint8_t			*guest_image_new(size_t len);
void			 guest_image_free(uint8_t *mem, size_t len);
struct guest		*guest_new(const struct hv_guestdef *def, uint8_t *mem,
			    const struct vcpu_state *st);
void			 guest_fill(struct guest *g, unsigned pct,
			    uint64_t seed);
void			 guest_fill_boot(struct guest *g, unsigned pct,
			    uint64_t seed);
int			 guest_start(struct guest *g);
void			 guest_pause(struct guest *g);
void			 guest_resume(struct guest *g);
void			 guest_halt(struct guest *g);
void			 guest_get_state(struct guest *g,
			    struct vcpu_state *st);
void			 guest_set_workload(struct guest *g, uint64_t rate,
			    uint64_t wss);
/* Stops the vCPU; frees the image unless keep_mem (returns it). */
uint8_t			*guest_free(struct guest *g, bool keep_mem);
int			 guest_freeze(const char *lab, const char *name,
			    bool frozen);

/*
 * pool.c: spare images.  pool_keep takes over (and frees) a guest that
 * runs elsewhere now, keeping its image scrubbed if there is room;
 * pool_take returns a scrubbed, populated image of len bytes or NULL.
 */
void			 pool_keep(struct hvd *h, struct guest *g);
uint8_t			*pool_take(struct hvd *h, size_t len);
void			 pool_expire(struct hvd *h, bool all);

/*
 * dirty.c: pages written since the last look (userfaultfd WP).
 * dirty_start protects the whole image at once; dirty_register and
 * dirty_protect let a caller protect it piece by piece, each piece
 * before it reads it.  Until the whole image is protected, a page not
 * protected yet counts as written if it holds something (and may if it
 * is empty).
 */
int			 dirty_start(struct guest *g);
int			 dirty_register(struct guest *g);
int			 dirty_protect(struct guest *g, size_t first, size_t n);
void			 dirty_stop(struct guest *g);
/* Append written pages to list (capacity npages); returns count, -1. */
ssize_t			 dirty_collect(struct guest *g, uint32_t *list);
/* Present (ever touched) pages; returns count, -1. */
ssize_t			 dirty_present(struct guest *g, uint32_t *list);

/*
 * store.c: a target's image filling up as pages arrive (userfaultfd
 * missing mode: pages are allocated and filled in one step).  Close the
 * store before anything else touches the image.
 */
int			 store_open(uint8_t *mem, size_t len);
void			 store_close(int fd, uint8_t *mem, size_t len);
/* Stores the pages, and with hashes their digests (hashes[list[i]]). */
int			 store_pages(int fd, uint8_t *mem,
			    const uint32_t *list, uint32_t n,
			    const uint8_t *data, uint64_t *hashes);

/* digest.c: memory digests. */
uint64_t		 digest_page(const void *p);
uint64_t		 digest_copy(void *dst, const void *src);
void			 digest_copy_end(void);
uint64_t		 digest_pages(const uint64_t *hashes, size_t n);
uint64_t		 digest_memory(const uint8_t *mem, size_t npages);
bool			 digest_zero(const void *p);

/*
 * chan.c: the member-to-member relocation channel.  The source's DEALER
 * talks to the target's ROUTER at ipc: LABDIR/chan/MEMBER (a 0700
 * directory: only the lab's root processes reach it, the same trust as
 * the key files).  Every frame starts with a struct chan_hdr; numbers are
 * in host order (members share one kernel).  A target accepts a SETUP
 * only for a relocation the directory's journal holds for it.
 *
 * PAGES is a message of two parts: the header with count page numbers,
 * then the count pages themselves, so that a run of consecutive pages
 * goes out straight from the guest's image.
 *
 * Over the underlay (hvd --listen) the channel is tcp:// and CURVE, and
 * READY carries a struct chan_ready: the rest of the relocation goes to
 * the target's bulk endpoint, every frame sealed (seal.c).
 */
#define CHAN_MAGIC	0x32435648u	/* "HVC2" */
#define CHAN_BATCH	256		/* pages per PAGES frame (1 MiB) */
#define CHAN_WINDOW	8		/* PAGES frames not yet acked */
#define CHAN_F_QUIESCE	0x0001		/* sent with the guest stunned */

enum chan_type {
	CHAN_SETUP = 1,		/* src -> dst: struct chan_setup */
	CHAN_READY,		/* dst -> src: image reserved */
	CHAN_PAGES,		/* src -> dst: page numbers; part 2: pages */
	CHAN_ACK,		/* dst -> src: PAGES seq received */
	CHAN_STATE,		/* src -> dst: struct chan_state */
	CHAN_DIGEST,		/* dst -> src: uint64_t digest */
	CHAN_RESUME,		/* src -> dst: commit and run */
	CHAN_RESUMED,		/* dst -> src: running on dst */
	CHAN_ABORT,		/* src -> dst: drop everything */
	CHAN_ERROR,		/* dst -> src: text */
	CHAN_MAX,
};

struct chan_hdr {
	uint32_t	 magic;
	uint16_t	 type;
	uint16_t	 flags;
	uint64_t	 rid;		/* journal id */
	uint32_t	 count;		/* pages in a PAGES frame */
	uint32_t	 seq;		/* PAGES/ACK sequence */
};

struct chan_setup {
	char		 guest[HV_NAME];
	char		 src[HV_NAME];
	uint64_t	 memory_mib;
	uint32_t	 verify;	/* enum hv_verify */
	uint32_t	 pad;
	int64_t		 token;		/* residency revision */
};

struct chan_state {
	struct vcpu_state st;
	uint64_t	 digest;	/* source's */
};

/* READY over the underlay: where the rest goes, and its key (seal.c). */
#define SEAL_KEY	32
#define SEAL_TAG	16
#define SEAL_TO_TARGET	1u
#define SEAL_TO_SOURCE	2u
#define CHAN_EP_MAX	128
struct chan_ready {
	char		 bulk[CHAN_EP_MAX];	/* tcp://ADDR:PORT */
	uint8_t		 key[SEAL_KEY];
};

#define CHAN_ERROR_MAX	256

/*
 * Validate a frame: magic, type, payload size exact for its type, page
 * count 1-CHAN_BATCH.  Returns 0 with *payload and *plen set, or -1 with
 * errno EBADMSG.
 */
int			 chan_decode(const void *buf, size_t len,
			    struct chan_hdr *h, const void **payload,
			    size_t *plen);
/*
 * Validate the part that follows a decoded frame: PAGES needs one of
 * exactly count pages (len), every other type none (more false).
 * Returns 0, or -1 with errno EBADMSG.
 */
int			 chan_decode_data(const struct chan_hdr *h, bool more,
			    size_t len);
/* Every page number below npages? */
bool			 chan_pages_valid(const void *payload, uint32_t count,
			    size_t npages);
struct seal;
/* Send a frame of one part, sealed when seal is not NULL (seal.c). */
int			 chan_send(void *sock, struct seal *seal,
			    enum chan_type type, uint64_t rid, uint32_t count,
			    uint32_t seq, const void *payload, size_t plen);

/*
 * seal.c: over the underlay, every frame after READY goes sealed to
 * the target's bulk endpoint (AES-256-GCM, a one-time key from READY,
 * the nonce the direction and the frame's count; the header clear and
 * authenticated, the tag at the end of the last part).  One thread
 * uses a seal.  seal_key_new: SEAL_KEY random bytes.  seal_begin,
 * seal_data, seal_end: seal the next frame, its header as aad, its
 * parts' bytes in order through seal_data, the tag last.  seal_open:
 * see seal.c.
 */
struct seal {
	void		*enc, *dec;	/* EVP_CIPHER_CTX */
	uint64_t	 tx, rx;	/* frames sealed, opened */
	uint32_t	 txdir, rxdir;
};

int			 seal_key_new(uint8_t key[SEAL_KEY]);
int			 seal_init(struct seal *s, const uint8_t key[SEAL_KEY],
			    bool source);
void			 seal_free(struct seal *s);
int			 seal_begin(struct seal *s, const void *aad,
			    size_t alen);
int			 seal_data(struct seal *s, void *out, const void *in,
			    size_t n);
int			 seal_end(struct seal *s, uint8_t tag[SEAL_TAG]);
int			 seal_open(struct seal *s, size_t alen, uint8_t *a,
			    size_t *alenp, uint8_t *b, size_t *blenp);

/* replug.c: HiperSockets NIC host ends in the switch namespace. */
struct replug {
	int		 ifindex[HV_MAX_NICS];
	int		 old_master[HV_MAX_NICS];
	size_t		 n;
	int		 dst_bridge;
	unsigned	 seq;
	void		*nl;		/* mnl socket in the switch netns */
};
/*
 * Find the guest's HiperSockets host ends and the target's bridge in the
 * switch namespace.  Returns 1 when the lab has no switch namespace or
 * the guest no HiperSockets NIC (nothing to re-plug), 0, or -1.
 */
int			 replug_open(struct replug *r, const char *lab,
			    const struct hv_guestdef *g, int dst_member);
int			 replug_move(struct replug *r);
int			 replug_restore(struct replug *r);
void			 replug_close(struct replug *r);
int			 replug_master_of(struct replug *r, int ifindex);
/*
 * A guest started again on member self (HA restart, recover) in a lab
 * with hosts: every NIC host end moved from the host it was on into this
 * hvd's host and onto its bridges (the VSWITCH LANs, self's HiperSockets
 * LAN).  Returns 0 (also when there is nothing to move) or -1 (logged).
 */
int			 replug_rehome(const char *lab,
			    const struct hv_guestdef *g, int self);

/*
 * The source side of a relocation, one thread per relocation: batch.c
 * (which pages make a frame, the rate limit), limits.c (pass decisions
 * and limits), outbound.c (the channel to the target), precopy.c,
 * quiesce.c, relocate.c (thread life: start, post, rollback).
 *
 * A struct reloc belongs to its thread; the main thread only sets the
 * atomics (cancel, limits) through reloc_cancel and reloc_set_limits,
 * under hvd->lock.
 */
#define RELOC_UNJOURNAL_TRIES	50	/* a rollback's directory write */
#define RELOC_UNJOURNAL_WAIT_US	100000
#define RELOC_LINK_MS		3000	/* no answer: the link is lost */
#define RELOC_MAX_PASSES	32
#define RELOC_SMALL_PAGES	64	/* a remainder this small: quiesce */
#define RELOC_TARGET_MS		2.0	/* aimed-at quiesce estimate */
#define RELOC_RUN_MIN		16	/* consecutive pages sent as they lie */
#define RELOC_SNDBUF		(4 << 20)	/* socket buffer, if allowed */
#define RELOC_PROTECT		8192	/* pass 1 protects this far ahead */
#define RELOC_PROGRESS_MS	100	/* journaled progress within a pass */

/* The rate cap's account of a pass (batch.c). */
struct batch_rate {
	uint64_t	 rate_mib;	/* the cap in force */
	double		 t0;		/* since when */
	uint64_t	 bytes0;	/* bytes of the pass sent by then */
};

struct reloc {
	struct hvd			*h;
	int				 gidx;
	const struct hv_guestdef	*def;
	int64_t				 id;
	int64_t				 token;	/* residency revision */
	char				 dst[HV_NAME];
	int				 dst_idx;
	atomic_bool			 cancel;
	_Atomic uint64_t		 max_total_ms;
	_Atomic uint64_t		 max_quiesce_ms; /* UNSET: none */
	_Atomic uint64_t		 max_rate_mib;		/* 0: none */
	bool				 immediate;
	enum hv_verify			 verify;
	pthread_t			 thread;

	struct dir			*dir;
	void				*zctx;	/* the relocation's own */
	void				*sock;
	struct seal			 bulk;
	struct seal			*seal;	/* &bulk after a sealed READY */
	struct guest			*g;
	uint64_t			*hashes;
	uint32_t			*list;
	uint32_t			 seq, acked;
	size_t				 carry;
	double				 t0;
	double				 pass_t0;
	double				 progress_t;	/* last journaled */
	double				 dirty_mib_s;	/* last pass's rate */
	uint64_t			 pass_bytes;
	double				 copy_ms;	/* the passes' sending */
	uint64_t			 copy_bytes;
	struct batch_rate		 rate;	/* the cap's own account */
	uint64_t			 pages_sent;
	int				 passes;
	double				 bw;	/* bytes per ms */
	struct replug			 rp;
	bool				 has_rp, replugged, frozen, paused;
	bool				 resumed;
	enum hv_end			 end;
	char				 text[256];
	double				 quiesce_ms, total_ms;
	double				 stun_t0;	/* quiesce_stun */
	uint64_t			 digest_src, digest_dst;
	int				 verified;	/* -1 not checked */
};

/*
 * batch.c: wire batching, pure.  batch_len: how many pages of list[0, n)
 * the next PAGES frame takes: a run of at least RELOC_RUN_MIN
 * consecutive pages (*run, sent from the image as it lies), else
 * scattered pages up to where such a run starts; at most CHAN_BATCH.
 * batch_throttle_ms: how long to wait still, after bytes sent in
 * elapsed_ms, to keep to rate_mib MiB/s (0: no limit); <= 0: none.
 * batch_rate_start: a pass starts at now_ms under rate_mib.
 * batch_rate_wait_ms: batch_throttle_ms over the bytes of the pass (a
 * running count) sent since the cap last changed: a cap set or changed
 * during a pass limits the rate from then on, rather than holding the
 * pass until what went out before fits the new rate.
 */
size_t			 batch_len(const uint32_t *list, size_t n, bool *run);
double			 batch_throttle_ms(uint64_t bytes, uint64_t rate_mib,
			    double elapsed_ms);
void			 batch_rate_start(struct batch_rate *b,
			    uint64_t rate_mib, double now_ms);
double			 batch_rate_wait_ms(struct batch_rate *b,
			    uint64_t rate_mib, uint64_t bytes, double now_ms);

/*
 * limits.c: pass decisions and limits, pure.
 */
struct limits_pass {
	size_t		 prev;		/* pages left after the last pass */
	int		 grew;		/* passes that did not shrink */
};
/* The time to send pages at bw bytes/ms (a guess until measured). */
double			 limits_estimate_ms(size_t pages, double bw);
/* Stop pre-copy after a pass that left n pages (estimate est_ms)? */
bool			 limits_precopy_done(struct limits_pass *p, size_t n,
			    double est_ms, int passes);
/* HV_END_OK, HV_END_CANCELLED or HV_END_MAXTOTAL. */
enum hv_end		 limits_running(bool cancel, double elapsed_ms,
			    uint64_t max_total_ms);
/* Does a quiesce of ms fit max_quiesce_ms (HV_UNSET: no limit)? */
bool			 limits_quiesce_fits(double ms,
			    uint64_t max_quiesce_ms);

/* relocate.c: thread life, and what every part of it uses. */
/*
 * Check and start: 0 with *id, or -1 with the conflicts in cf (*n, 0
 * when it failed for another reason).
 */
int			 reloc_start(struct hvd *h, const struct hv_request *rq,
			    const char *who, struct elig_conflict *cf,
			    size_t *n, int64_t *id);
int			 reloc_cancel(struct hvd *h, int guest);
int			 reloc_set_limits(struct hvd *h, int guest,
			    const struct hv_request *rq);
void			 reloc_shutdown(struct hvd *h);
double			 reloc_now(void);
/* Record the first failure (end code and text); returns -1. */
int			 reloc_fail(struct reloc *r, enum hv_end end,
			    const char *fmt, ...)
			    __attribute__((format(printf, 3, 4)));
/* Cancel and --max-total: 0, or -1 after reloc_fail. */
int			 reloc_limits(struct reloc *r);
void			 reloc_phase(struct reloc *r, const char *phase,
			    const char *msgid);

/* outbound.c: the channel to the target. */
int			 outbound_setup(struct reloc *r);
/* Wait for a frame of type want, counting ACKs on the way. */
int			 outbound_wait(struct reloc *r, enum chan_type want,
			    void *out, size_t outlen, int timeout_ms);
/* Send the listed pages frame by frame, the guest stopped. */
int			 outbound_send_list(struct reloc *r,
			    const uint32_t *list, size_t n);
/* One frame; check: the pre-copy's limits first (the guest runs). */
int			 outbound_send_frame(struct reloc *r,
			    const uint32_t *list, size_t n, size_t *k,
			    bool check);

/* precopy.c: pre-copy passes while the guest runs. */
int			 precopy_run(struct reloc *r);

/* quiesce.c: stun, last pages and state, resume on the target. */
int			 quiesce_run(struct reloc *r);
void			 quiesce_verify(struct reloc *r);

/*
 * prio.c: the calling thread to the background (the pre-copy stream) or
 * back to hvd's priority (the quiesce); prio_init first, in main.
 */
#define PRIO_BG_NICE		10
void			 prio_init(struct hvd *h);
void			 prio_set(const struct hvd *h, bool background);
int			 prio_get(void);
void			 prio_set_named(const struct hvd *h,
			    const char *comm);

/* inbound.c: the target side. */
int			 inbound_start(struct hvd *h);
void			 inbound_stop(struct hvd *h);

/* hvd.c: guests of this member. */
int			 hvd_guest_add(struct hvd *h, struct guest *g);
struct guest		*hvd_guest_take(struct hvd *h, int idx);
/* restart: filled by its vCPU as it runs (guest_fill_boot), not before */
int			 hvd_guest_boot(struct hvd *h, int idx, int64_t rev,
			    bool restart);
void			 hvd_guest_drop(struct hvd *h, int idx);
int			 hvd_guest_replug(struct hvd *h, int idx);

#endif
