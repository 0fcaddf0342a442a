/*
 * sig.h: the signal set-up of every program.
 *
 * SIGTERM and SIGINT (and SIGHUP when asked) call handler without
 * SA_RESTART, so a blocking poll returns EINTR and the main loop sees
 * its stop flag; SIGPIPE is ignored (a peer that goes away is an error
 * return, not a death).
 */
#ifndef LGR_SIG_H
#define LGR_SIG_H

#include <stdbool.h>

typedef void (*sig_handler)(int signo);

void	sig_setup(sig_handler handler, bool hup);

#endif
