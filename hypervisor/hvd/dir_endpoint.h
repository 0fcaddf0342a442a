/*
 * dir_endpoint.h: where a client (hvctl, lgrd) reaches a member's hvd;
 * apart from directory.h, which is hvd's own.
 */
#ifndef DIR_ENDPOINT_H
#define DIR_ENDPOINT_H

#include <stddef.h>

/*
 * The endpoint of member's hvd control socket: its IPC socket in labdir
 * when it is on this host, else the tcp:// endpoint it published in the
 * cluster directory, else the IPC path all the same (the connect's
 * error then names it).  0, or -1 when the path is too long.
 */
int	dir_hvd_endpoint(const char *labdir, const char *member, char *ep,
	    size_t len);

#endif
