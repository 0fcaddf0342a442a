/*
 * reply.h: the reply codes of every control protocol of the project
 * (hvd, lgrd, guestagentd, ospfd_lgr), one table as BIRD's
 * doc/reply_codes is.  docs/lgr-reply.7 is their page.
 *
 * An answer is zero or more data frames and one terminator: an end, or
 * one error with a code below and a text.  The first digit says who is
 * at fault:
 *   8xxx  the request is well formed but cannot be carried out now
 *   9xxx  the request itself is wrong; sending it again will not help
 * The numbers are part of every protocol: never renumber, only add.
 */
#ifndef LGR_REPLY_H
#define LGR_REPLY_H

enum reply_code {
	REPLY_OK = 0,
	REPLY_E_INTERNAL = 8000,	/* the daemon failed; see its log */
	REPLY_E_UNAVAILABLE = 8001,	/* a part it needs is not there now */
	REPLY_E_NOTFOUND = 8002,	/* no such guest, member, job, ... */
	REPLY_E_DENIED = 8003,		/* the client's role may not do this */
	REPLY_E_CONFLICT = 8004,	/* not eligible: data rows precede */
	REPLY_E_REFUSED = 8005,		/* the current state forbids it */
	REPLY_E_NOTHERE = 8006,		/* ask another daemon: a row names it */
	REPLY_E_BUSY = 8007,		/* another operation holds the object */
	REPLY_E_ABORTED = 8008,		/* overtaken by a later request */
	REPLY_E_EMPTY = 8009,		/* nothing to do */
	REPLY_E_BADMSG = 9000,		/* not a message of this protocol */
	REPLY_E_BADREQ = 9001,		/* unknown request */
	REPLY_E_BADARG = 9002,		/* an argument missing, mistyped or
					   out of range */
};

/* The code's short name ("NOTFOUND"), "?" when it has none. */
const char	*reply_name(int code);

#endif
