/*
 * nsswitch.h: moving the calling thread into a named network namespace
 * (/run/netns/NAME, as `ip netns` makes them) and back.
 *
 *	int self = nsswitch_enter("ref.LITDCON1");
 *	if (self == -1) ... errno from open or setns
 *	... sockets opened here belong to that namespace ...
 *	nsswitch_leave(self);
 *
 * Only the calling thread moves.  nsswitch_leave() aborts when it cannot
 * go back: a thread left in a guest's namespace would act on the wrong
 * network, which is never recoverable.
 */
#ifndef LGR_NSSWITCH_H
#define LGR_NSSWITCH_H

#define NSSWITCH_DIR	"/run/netns"

/*
 * Enter namespace name.  Returns a descriptor of the thread's previous
 * namespace for nsswitch_leave(), or -1 with errno (ENAMETOOLONG, or
 * that of open/setns: ENOENT when there is no such namespace).
 */
int	nsswitch_enter(const char *name);
/* Return to the namespace self refers to and close self. */
void	nsswitch_leave(int self);

#endif
