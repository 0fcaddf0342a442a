/*
 * log.c: the program's log.  The destination and verbosity are a
 * per-process singleton, set by log_init() in main() and changed only
 * through log_setverbose().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "log.h"

static const char	*log_ident = "lgr";
static enum log_dest	 log_dest = LOG_TO_STDERR;
static int		 log_verbose;

static void
log_vwrite(int pri, const char *fmt, va_list ap)
{
	if (log_dest == LOG_TO_SYSLOG) {
		vsyslog(pri, fmt, ap);
		return;
	}
	fprintf(stderr, "%s: ", log_ident);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

static void
log_vwrite_errno(int pri, int saved, const char *fmt, va_list ap)
{
	char	buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (log_dest == LOG_TO_SYSLOG)
		syslog(pri, "%s: %s", buf, strerror(saved));
	else
		fprintf(stderr, "%s: %s: %s\n", log_ident, buf, strerror(saved));
}

void
log_init(const char *ident, enum log_dest dest, int verbose)
{
	log_ident = ident;
	log_dest = dest;
	log_verbose = verbose;
	if (dest == LOG_TO_SYSLOG)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_setverbose(int verbose)
{
	log_verbose = verbose;
}

int
log_getverbose(void)
{
	return log_verbose;
}

void
log_warn(const char *fmt, ...)
{
	int	saved = errno;
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite_errno(LOG_ERR, saved, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_ERR, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	ap;

	if (log_verbose < 1 && log_dest == LOG_TO_STDERR)
		return;
	va_start(ap, fmt);
	log_vwrite(LOG_INFO, fmt, ap);
	va_end(ap);
}

void
log_vevent(char *buf, size_t len, const char *msgid, const char *guest,
    const char *fmt, va_list ap)
{
	vsnprintf(buf, len, fmt, ap);
	log_info("[%s] %s%s%s", msgid, guest ? guest : "", guest ? ": " : "",
	    buf);
}

void
log_debug(const char *fmt, ...)
{
	va_list	ap;

	if (log_verbose < 2)
		return;
	va_start(ap, fmt);
	log_vwrite(LOG_DEBUG, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	int	saved = errno;
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite_errno(LOG_CRIT, saved, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(1);
}
