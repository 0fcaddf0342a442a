/*
 * probe_priv.h: what the files of the probe engine share (probe.h is
 * its public header).
 *
 *   probe.c	lifetime: flows, targets, start and stop
 *   netns.c	sockets in the guests' namespaces, responders in cgroups
 *   echo.c	the sender and responder threads
 *   stream.c	TCP streams: connect, send, reassemble, echo, reset
 *   stats.c	per-flow statistics: loss, runs, gaps, round trips
 *
 * Threads: the sender thread owns the timer and the flows' sockets; one
 * responder thread per target guest echoes.  Flow statistics are shared
 * with readers under p->lock; everything else belongs to the thread
 * that made it.
 */
#ifndef LGR_PROBE_PRIV_H
#define LGR_PROBE_PRIV_H

#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "clock.h"
#include "probe.h"

#define PROBE_MAGIC	0x4c475250u	/* "LGRP" */
#define PROBE_POLL_MS	10
#define PROBE_CONNS_MAX	32	/* TCP streams a responder echoes */

struct probe_pkt {
	uint32_t	 magic;
	uint32_t	 flow;
	uint32_t	 seq;
	uint32_t	 pad;
};

struct probe_flow {
	struct probe_endpoint	 from;
	struct probe_endpoint	 to;
	int			 fd;
	uint32_t		 sent;
	uint32_t		 answered;
	uint32_t		 next;		/* lowest unanswered seq */
	uint32_t		 cap;
	double			*sent_ms;	/* send time per seq */
	uint8_t			*ok;		/* answered per seq */
	uint64_t		 lost_run;
	double			 gap_ms;
	double			 gap_at;	/* when it began (probe_now) */
	double			 rtt_ms;
	bool			 tcp;
	uint64_t		 resets;
	uint8_t			 rbuf[sizeof(struct probe_pkt)];
	size_t			 rlen;		/* TCP: bytes of rbuf held */
};

struct probe_target {
	struct probe		*p;
	struct probe_endpoint	 ep;
	int			 fd;
	int			 lfd;		/* TCP listener, or -1 */
	int			 conns[PROBE_CONNS_MAX];
	size_t			 nconns;
	bool			 tcp;		/* a stream ends here */
	pthread_t		 thread;
	bool			 started;
	_Atomic pid_t		 tid;		/* the responder, in a cgroup */
};

struct probe {
	struct probe_opts	 o;
	char			 lab[PROBE_NAME_MAX];
	struct probe_flow	*flows;
	size_t			 nflows;
	struct probe_target	*targets;
	size_t			 ntargets;
	pthread_t		 sender;
	int			 ep;		/* the sender's epoll */
	pthread_mutex_t		 lock;
	atomic_bool		 stopping;
	atomic_bool		 done;
	bool			 running;
	double			 t0;
	double			 t_end;
	char			 err[256];
};

/* Monotonic milliseconds with a fraction. */
static inline double
probe_now(void)
{
	return (double)clock_us() / 1000.0;
}

/* probe.c */
int	probe_fail(struct probe *p, int err, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* netns.c */
int	probe_socket(struct probe *p, const char *guest, int type,
	    struct in_addr addr, uint16_t port);
int	probe_socket_in(struct probe *p, const char *guest, int type,
	    struct in_addr addr, uint16_t port);
int	probe_open_target(struct probe *p, struct probe_target *t);
int	probe_open_flow(struct probe *p, struct probe_flow *f);
void	probe_join_cgroup(struct probe_target *t);
void	probe_leave_cgroup(pid_t tid);

/* echo.c: the threads' bodies. */
void	 probe_udp_echo(int fd);
void	*probe_responder(void *arg);
void	*probe_sender(void *arg);

/* stream.c: TCP.  The listener and the connections (responder thread);
 * the streams' connect, send, receive (sender thread, p->ep). */
int	probe_tcp_listen(struct probe *p, struct probe_target *t);
int	probe_tcp_connect(struct probe *p, struct probe_flow *f);
void	probe_tcp_echo_poll(struct probe_target *t);
void	probe_tcp_close_target(struct probe_target *t);
void	probe_tcp_send(struct probe *p, size_t i);
void	probe_tcp_receive(struct probe *p, size_t i);

/* stats.c (p->lock held, except probe_all_answered, probe_flow_next and
 * probe_flow_sent, which take it).  probe_flow_next: the next probe of
 * flow i (-1: no room to record it); probe_flow_sent: it went out now. */
int	probe_flow_next(struct probe *p, size_t i, struct probe_pkt *pkt);
void	probe_flow_sent(struct probe *p, struct probe_flow *f);
int	probe_flow_grow(struct probe_flow *f);
void	probe_flow_answer(struct probe_flow *f, uint32_t seq, double now);
void	probe_flow_run_end(struct probe_flow *f, uint32_t upto, double now);
void	probe_finish(struct probe *p);
bool	probe_all_answered(struct probe *p);

#endif
