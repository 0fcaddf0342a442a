/*
 * standin.h: the console's stand-in provider (standin.c), for its HTTP
 * tests and fuzz target.
 */
#ifndef LGR_CONSOLE_STANDIN_H
#define LGR_CONSOLE_STANDIN_H

#include <pthread.h>

#include "console.h"

/* What the stand-in was asked; lock it to read. */
struct standin {
	pthread_mutex_t		 lock;
	int			 evacuations;
	struct console_evac	 evac;
	char			 workload[32], to[32];
	int			 cancels;
	uint64_t		 cancel_job;
	int			 audits;
	char			 audit_action[64];
	char			 audit_session[32];
	char			 audit_args[128];
	enum console_role	 audit_role;
	int			 audit_status;
	int			 collects;
	int			 runs;
	char			 history_guest[32];
};

extern struct standin			 standin;
extern const struct console_provider	 standin_provider;

#endif
