/*
 * probe.h: reachability probes between guests' VIPAs, the library behind
 * lgrprobe(8) and lgrd's per-move downtime measurement.
 *
 * A flow sends a small UDP datagram every interval from a socket in the
 * source guest's network namespace, bound to the source's VIPA, to the
 * target's VIPA; a responder in the target's namespace echoes it back to
 * the source's VIPA.  So one answered probe proves both directions of
 * VIPA routing.  One process holds sockets in several namespaces
 * (setns(2) on /run/netns/LAB.GUEST while each socket is made).
 *
 * Each responder runs in its own thread, which joins the target guest's
 * freezer cgroup (unless stun is false), so that it is stunned with the
 * guest during a relocation's quiesce, as a real service would be.
 *
 * A TCP stream (probe_add_tcp) sends the same probe every interval over
 * one connection from the source's VIPA to the target's, which the
 * target's responder thread (the same one, in the guest's cgroup) echoes
 * back: it counts resets (the connection broke and was made again: the
 * probes in flight then are lost) and its longest gap is the longest
 * stall a TCP client of the VIPA saw.
 *
 * Per flow the library counts sent, answered and lost probes, the longest
 * run of lost probes, the largest round trip, and the longest gap: the
 * longest time any probe waited for its answer, a lost probe waiting
 * until the next answer of its flow arrived (or until the end).  A flow
 * without loss has a gap of its largest round trip.
 *
 * The library never prints and never exits: functions return 0 or a
 * pointer, or -1/NULL with errno set; probe_error() has the text.
 * Statistics may be read while the probes run (a mutex guards them).
 */
#ifndef LGR_PROBE_H
#define LGR_PROBE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROBE_NAME_MAX		32
#define PROBE_PORT		7447	/* lgrprobe's default */
#define PROBE_INTERVAL_MS	10

struct probe;
struct json_object;

struct probe_opts {
	const char	*lab;		/* lab name: namespaces LAB.GUEST */
	unsigned	 interval_ms;	/* 1-10000 */
	uint16_t	 port;		/* responders' UDP port */
	unsigned	 grace_ms;	/* answers awaited after the last probe */
	bool		 stun;		/* responders join the guest's cgroup */
};

struct probe_endpoint {
	char		 guest[PROBE_NAME_MAX];
	struct in_addr	 vipa;
};

struct probe_stats {
	char		 from[PROBE_NAME_MAX];
	char		 to[PROBE_NAME_MAX];
	struct in_addr	 vipa;		/* the target's */
	uint64_t	 sent;
	uint64_t	 answered;
	uint64_t	 lost;
	uint64_t	 lost_run;	/* longest run of lost probes */
	double		 longest_gap_ms;	/* TCP: the longest stall */
	double		 longest_gap_at;	/* its start, monotonic ms (clock_us) */
	double		 max_rtt_ms;
	bool		 tcp;
	uint64_t	 resets;		/* TCP: connections broken */
};

/* Returns a new probe set, or NULL (EINVAL: bad options, ENOMEM). */
struct probe	*probe_new(const struct probe_opts *o);
void		 probe_free(struct probe *p);
/* Last error of p as text ("" when none). */
const char	*probe_error(const struct probe *p);

/*
 * Add a flow from -> to (one direction; add the reverse for both).
 * Only before probe_start().  Returns 0, or -1 with errno EBUSY
 * (running), EINVAL (same guest) or ENOMEM.
 */
int		 probe_add(struct probe *p, const struct probe_endpoint *from,
		    const struct probe_endpoint *to);

/* The same for a TCP stream from -> to (one connection, both ways). */
int		 probe_add_tcp(struct probe *p,
		    const struct probe_endpoint *from,
		    const struct probe_endpoint *to);

/*
 * Open every socket (responders bound, senders bound to the source VIPA
 * and connected) and start sending.  Returns 0, or -1 with the errno of
 * the failing setns/socket/bind (ENOENT: the lab or guest does not
 * exist) and the guest named in probe_error().
 */
int		 probe_start(struct probe *p);

/*
 * Stop sending, wait for the answers still out (at most grace_ms), stop
 * the responders.
 * The statistics stay readable.  Idempotent.
 */
void		 probe_stop(struct probe *p);

/* Flows, UDP and TCP (st.tcp says which). */
size_t		 probe_count(const struct probe *p);
/* Statistics of flow i (0-based); -1 (EINVAL) when i is out of range. */
int		 probe_stats_get(struct probe *p, size_t i,
		    struct probe_stats *st);
/* Sum over the UDP flows (from/to empty; gap, run and rtt are maxima). */
void		 probe_total(struct probe *p, struct probe_stats *st);
/* The same over the TCP streams, resets summed. */
void		 probe_total_tcp(struct probe *p, struct probe_stats *st);
/* JSON: {"interval_ms","duration_ms","pairs":[...],"total":{...}}, and
 * with TCP streams "tcp":[...] and "tcp_total":{...}, each with
 * "resets" and "longest_stall_ms". */
struct json_object *probe_json(struct probe *p);

#endif
