/*
 * reply.c: names of the reply codes (reply.h).
 */
#include <stddef.h>

#include "reply.h"

static const struct {
	int		 code;
	const char	*name;
} reply_names[] = {
	{ REPLY_OK, "OK" },
	{ REPLY_E_INTERNAL, "INTERNAL" },
	{ REPLY_E_UNAVAILABLE, "UNAVAILABLE" },
	{ REPLY_E_NOTFOUND, "NOTFOUND" },
	{ REPLY_E_DENIED, "DENIED" },
	{ REPLY_E_CONFLICT, "CONFLICT" },
	{ REPLY_E_REFUSED, "REFUSED" },
	{ REPLY_E_NOTHERE, "NOTHERE" },
	{ REPLY_E_BUSY, "BUSY" },
	{ REPLY_E_ABORTED, "ABORTED" },
	{ REPLY_E_EMPTY, "EMPTY" },
	{ REPLY_E_BADMSG, "BADMSG" },
	{ REPLY_E_BADREQ, "BADREQ" },
	{ REPLY_E_BADARG, "BADARG" },
};

const char *
reply_name(int code)
{
	size_t	i;

	for (i = 0; i < sizeof(reply_names) / sizeof(reply_names[0]); i++)
		if (reply_names[i].code == code)
			return reply_names[i].name;
	return "?";
}
