/*
 * sig.c: signal set-up (sig.h).
 */
#include <signal.h>
#include <string.h>

#include "sig.h"

void
sig_setup(sig_handler handler, bool hup)
{
	struct sigaction	sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (hup)
		sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}
