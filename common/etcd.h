/*
 * etcd.h: a small etcd v3 client over the JSON gateway of etcd 3.4
 * (POST /v3/kv/..., /v3/lease/..., /v3/watch), for the cluster directory
 * (DESIGN.md §8).  Library lgretcd: libcurl and json-c.
 *
 * A client (struct etcd) knows every node of one cluster.  Each call has
 * a deadline on the monotonic clock (the client's timeout, from the start
 * of the call).  A node that cannot be reached, or that answers it has no
 * leader, is skipped for the next one; the call goes round the nodes
 * until the deadline.  A request that reached a node is never sent again
 * unless it only reads: a read gets its share of the deadline on each
 * node, so a node that hangs does not take all of it; when a write times
 * out its outcome is unknown, the caller reads back, and the next call
 * starts with the next node.  Every request asks the node to refuse it
 * when it has no leader (gRPC metadata "hasleader"), so a node cut off
 * from its quorum says so at once instead of hanging.
 *
 * A client is used by one thread at a time; a program with a lease
 * renewal thread gives it its own client.  A watch is independent of the
 * client it was opened from (it copies the node list).
 *
 * Errors: functions return -1 (or NULL) and set errno; etcd_errtext()
 * names the node and says what went wrong.  errno values:
 *   EINVAL        a bad argument, or etcd refused the request as invalid
 *   ENOENT        no such lease (etcd_lease_*)
 *   ERANGE        the revision asked for is compacted
 *   ECONNREFUSED  no node could be reached before the deadline
 *   EAGAIN        nodes answered but none had a leader (quorum lost);
 *                 the request was not applied
 *   ETIMEDOUT     the deadline passed while a node held the request: a
 *                 write may or may not have been applied; the text says
 *                 when the node has no leader (quorum lost)
 *   EPROTO        an answer that is not what the protocol says
 *   EIO           the connection broke after a write was sent (outcome
 *                 unknown), or another etcd error (the text is etcd's)
 *   ENOMEM        out of memory
 *
 * A write sent while the leader dies is lost with it and times out
 * (ETIMEDOUT) until the election is over (1-2 s with etcd's defaults);
 * a node learns that its quorum is lost after its election timeout, and
 * refuses at once from then on (EAGAIN).
 *
 * The key layout of the cluster directory under /lgr/LAB/ (members,
 * leases, residency with its revision as fencing token, journal,
 * history, events, audit, guests) is in docs/lgr-etcd.7.
 */
#ifndef LGR_ETCD_H
#define LGR_ETCD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ETCD_ERRTEXT_MAX	512
#define ETCD_TIMEOUT_MS		5000	/* default deadline of a call */

struct etcd;
struct etcd_watch;

/* One key as etcd holds it.  value is NUL-terminated after valuelen. */
struct etcd_kv {
	char		*key;
	char		*value;
	size_t		 valuelen;
	int64_t		 create_revision;
	int64_t		 mod_revision;
	int64_t		 version;
	int64_t		 lease;
};

/* A prefix read: kvs sorted by key, at store revision revision. */
struct etcd_kvs {
	struct etcd_kv	*kv;
	size_t		 n;
	int64_t		 revision;
};

/* Client (etcd.c; the JSON encoding in etcdjson.c) */

/*
 * Initialise libcurl once per process (thread-safe, idempotent; etcd_open
 * calls it too).  Returns 0, or -1 with errno ENOMEM.
 */
int		 etcd_init(void);
/*
 * A client of the nodes in endpoints, separated by commas:
 * "http://127.0.0.1:2379,127.0.0.2:2379" (http:// is added when missing),
 * at most 16.  timeout_ms is the deadline of every call (0: the default).
 * Returns NULL with errno EINVAL (empty or bad list) or ENOMEM.
 */
struct etcd	*etcd_open(const char *endpoints, unsigned timeout_ms);
void		 etcd_close(struct etcd *e);
void		 etcd_set_timeout(struct etcd *e, unsigned timeout_ms);
unsigned	 etcd_timeout(const struct etcd *e);
/* What the last failed call of e did wrong. */
const char	*etcd_errtext(const struct etcd *e);
/* The node that answered the last successful call. */
const char	*etcd_node(const struct etcd *e);

/* Keys and values (etcdkv.c) */

/*
 * Read key into kv (freed with etcd_kv_free).  Returns 1 found, 0 no such
 * key (kv zeroed), -1 on error.
 */
int		 etcd_get(struct etcd *e, const char *key, struct etcd_kv *kv);
/*
 * Every key starting with prefix, sorted by key, into kvs (freed with
 * etcd_kvs_free), and the store revision of the read.  "" reads all.
 */
int		 etcd_get_prefix(struct etcd *e, const char *prefix,
		    struct etcd_kvs *kvs);
void		 etcd_kv_free(struct etcd_kv *kv);
void		 etcd_kvs_free(struct etcd_kvs *kvs);
/*
 * Put key = value (len bytes), attached to lease unless 0.  *revision
 * (may be NULL) gets the revision of the write.  Returns 0 or -1.
 */
int		 etcd_put(struct etcd *e, const char *key, const void *value,
		    size_t len, int64_t lease, int64_t *revision);
/*
 * Delete key, or every key under a prefix.  Returns the number of keys
 * deleted, or -1.
 */
int64_t		 etcd_delete(struct etcd *e, const char *key, int64_t *revision);
int64_t		 etcd_delete_prefix(struct etcd *e, const char *prefix,
		    int64_t *revision);
/* Compact the store's history up to revision (watches older fail). */
int		 etcd_compact(struct etcd *e, int64_t revision);

/* Transactions (etcdkv.c) */

/*
 * A comparison: key's mod_revision (ETCD_CMP_MOD, the default) or
 * create_revision (ETCD_CMP_CREATE) == revision.  Revision 0 means the key
 * is absent (compared as create_revision == 0), whatever the target, so
 * the mod_revision read by etcd_get() (0 when absent) is exactly what to
 * compare against.  ETCD_CMP_CREATE with the create_revision read names
 * one incarnation of a key: deleted and put again, it no longer matches.
 */
enum etcd_cmp_target {
	ETCD_CMP_MOD,
	ETCD_CMP_CREATE,
};

struct etcd_cmp {
	const char		*key;
	int64_t			 revision;
	enum etcd_cmp_target	 target;
};

enum etcd_op_type {
	ETCD_OP_PUT,
	ETCD_OP_DELETE,
	ETCD_OP_DELETE_PREFIX,
};

struct etcd_op {
	enum etcd_op_type	 type;
	const char		*key;
	const void		*value;	/* ETCD_OP_PUT */
	size_t			 len;
	int64_t			 lease;	/* 0: none */
};

/*
 * If every comparison holds, apply every op, atomically.  Returns 1 when
 * it did (*revision: the revision of the writes), 0 when a comparison
 * failed (nothing written; *revision: the current store revision), -1 on
 * error.  At most 64 comparisons and 128 ops (etcd's own limit).
 */
int		 etcd_txn(struct etcd *e, const struct etcd_cmp *cmp,
		    size_t ncmp, const struct etcd_op *op, size_t nop,
		    int64_t *revision);

/* Leases (etcdlease.c) */

/*
 * Grant a lease of ttl_s seconds (etcd raises it to its minimum, 2 s by
 * default).  *id gets the lease, *granted (may be NULL) its TTL.
 */
int		 etcd_lease_grant(struct etcd *e, int64_t ttl_s, int64_t *id,
		    int64_t *granted);
/*
 * Renew lease id once.  Returns the TTL it has again (seconds, > 0), or
 * -1: errno ENOENT when the lease is gone (expired or revoked), otherwise
 * the call failed and the lease may still be alive.  Fencing: the time to
 * count the TTL from is the time this call was started.
 */
int64_t		 etcd_lease_keepalive(struct etcd *e, int64_t id);
/* Revoke lease id, deleting its keys.  ENOENT when it is already gone. */
int		 etcd_lease_revoke(struct etcd *e, int64_t id);

/* Watches (etcdwatch.c) */

enum etcd_event_type {
	ETCD_EVENT_PUT,
	ETCD_EVENT_DELETE,
	/*
	 * The history from the start revision is compacted away: read the
	 * prefix again (etcd_get_prefix) and watch from its revision + 1.
	 * The watch is finished; compact_revision is the oldest revision
	 * still held.
	 */
	ETCD_EVENT_COMPACTED,
};

/*
 * One event.  kv.value is empty on a delete; kv.mod_revision is the
 * revision of the change.  The strings belong to the watch and stay valid
 * until its next poll or close.
 */
struct etcd_event {
	enum etcd_event_type	 type;
	struct etcd_kv		 kv;
	int64_t			 compact_revision;
};

/*
 * Watch every key under prefix from revision start (0: from now on).  No
 * thread: the caller polls.  The watch connects to the nodes of e in turn
 * and, when its connection breaks, reconnects on the next node from the
 * revision after the last event it received, so no event is lost or
 * repeated.  A node without a leader cancels its watches (after about
 * three election timeouts), which moves the watch on too; a node that
 * hangs once the watch is established is not noticed (the gateway's
 * stream has no heartbeat).  Returns NULL with errno EINVAL or ENOMEM
 * (connecting happens in the polls).
 */
struct etcd_watch *etcd_watch_open(const struct etcd *e, const char *prefix,
		    int64_t start);
/*
 * Wait up to timeout_ms for the next event.  Returns 1 with *ev filled,
 * 0 when nothing happened, -1 with errno: ECONNREFUSED, EAGAIN or
 * ETIMEDOUT when no node could be watched during the whole timeout (the
 * watch keeps trying in the next poll), ECANCELED after the
 * ETCD_EVENT_COMPACTED event or when etcd cancelled the watch, EPROTO,
 * ENOMEM.
 */
int		 etcd_watch_poll(struct etcd_watch *w, unsigned timeout_ms,
		    struct etcd_event *ev);
/* The revision the watch resumes from (the last event's + 1). */
int64_t		 etcd_watch_revision(const struct etcd_watch *w);
const char	*etcd_watch_errtext(const struct etcd_watch *w);
void		 etcd_watch_close(struct etcd_watch *w);

#endif
