/*
 * ctlstandin.h: a stand-in daemon for the tests of control clients (test
 * support, never linked into a program): the control socket core of
 * ctlsrv.h in a thread, bound in a temporary directory that holds a
 * fresh set of the lab's keys, with the caller's codec, role rule and
 * answers.
 *
 *	struct ctlstandin sd = { .conf = { .codec = &x_codec, .msgid = "X" },
 *	    .serve = x_serve };
 *	ctlstandin_init(&sd, "x_test");		keys in sd.dir
 *	ctlstandin_start(&sd, path);		serving ipc://path
 *	...
 *	ctlstandin_stop(&sd);			directory removed
 */
#ifndef LGR_CTLSTANDIN_H
#define LGR_CTLSTANDIN_H

#include <limits.h>
#include <pthread.h>

#include "ctlsrv.h"

/* Called in the server thread whenever the control socket is readable. */
typedef void	(*ctlstandin_serve_fn)(struct ctlsrv *, void *);

struct ctlstandin {
	char			 dir[64];	/* temporary, with keys/ */
	char			 endpoint[PATH_MAX + 8];
	void			*ctx;
	/* The caller's: codec, msgid, may, audit (endpoint, keys: ours). */
	struct ctlsrv_conf	 conf;
	ctlstandin_serve_fn	 serve;
	void			*arg;		/* serve's */
	/* Private: the keys and the thread. */
	struct keys_set		 keys;
	pthread_t		 thread;
	volatile int		 ready;		/* 1 up, -1 failed */
	volatile int		 stop;
};

/* Make /tmp/NAME.XXXXXX with fresh keys: 0, or -1 with errno. */
int	ctlstandin_init(struct ctlstandin *sd, const char *name);
/*
 * Serve ipc://PATH in a thread (its own ZeroMQ context) until
 * ctlstandin_stop(): 0 once the socket is bound, -1 when it could not be.
 */
int	ctlstandin_start(struct ctlstandin *sd, const char *path);
/* Stop the thread and the context, as a daemon that stops; the keys
 * stay: ctlstandin_start() serves again, as a daemon restarted. */
void	ctlstandin_halt(struct ctlstandin *sd);
/* Halt and remove the directory: 0 or -1. */
int	ctlstandin_stop(struct ctlstandin *sd);

#endif
