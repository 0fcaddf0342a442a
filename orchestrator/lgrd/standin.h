/*
 * standin.h: stand-ins for the clients lgrd's pipeline talks through
 * (hv.c, agent.c, converge.c), for the unit tests of move.c and evac.c.
 * They act on one made-up world: where each guest runs, what each
 * member allows, what the hypervisor and the agents answer, and what
 * was asked of them, in order.
 */
#ifndef LGR_STANDIN_H
#define LGR_STANDIN_H

#include "lgrd.h"

#define STANDIN_GUESTS	16
#define STANDIN_MEMBERS	4
#define STANDIN_LOG	4096

struct standin {
	const struct topo *t;
	int		 where[STANDIN_GUESTS];		/* member per guest */
	int		 max_out[STANDIN_MEMBERS];	/* 0: no limit */
	bool		 hv_down;		/* hvd does not answer */
	const char	*conflict_guest;	/* hv_check refuses this one */
	const char	*conflict;		/* "STORAGE: ..." */
	const char	*prepare_error;		/* agent_prepare fails */
	const char	*reloc_end;		/* "OK" unless set */
	const char	*reloc_fail_guest;	/* this one ends MAXQUIESCE */
	int		 converge_ms;		/* -1: times out */
	const char	*inflight_dst;		/* a relocation running before
						   lgrd started goes there */
	char		 log[STANDIN_LOG];	/* "prepare LITDCON1; ..." */
};

/* The world the stand-ins act on (one test at a time). */
extern struct standin	standin;

/* Everyone where the topology starts them, nothing refused. */
void	standin_reset(const struct topo *t);
/* Is what in the log of calls? */
bool	standin_called(const char *what);
/*
 * A daemon on the reference topology (run from orchestrator/) with its
 * journal in a new directory under /tmp, no probes, and a routecheck
 * that prints what standin_routecheck() last said.  0 or -1.
 */
int	standin_lgrd_open(struct lgrd *d);
int	standin_lgrd_close(struct lgrd *d);
/* cmocka's group set-up and tear-down of standin_lgrd. */
extern struct lgrd	standin_lgrd;
int	standin_setup(void **state);
int	standin_teardown(void **state);
void	standin_routecheck(struct lgrd *d, int code, const char *json);

#endif
