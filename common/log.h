/*
 * log.h: one logging module per program (ospfd's shape).
 *
 * Foreground programs log to stderr; daemons to syslog or to a file.
 * Messages that operators act on start with a stable id in brackets,
 * for example "[NSLAB-UP-FAIL]".
 */
#ifndef LGR_LOG_H
#define LGR_LOG_H

#include <stdarg.h>
#include <stddef.h>

enum log_dest {
	LOG_TO_STDERR,
	LOG_TO_SYSLOG,
};

void	log_init(const char *ident, enum log_dest dest, int verbose);
void	log_setverbose(int verbose);
int	log_getverbose(void);
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
/*
 * An event operators act on, "[MSGID] GUEST: text" at info level (no
 * "GUEST: " when guest is NULL).  The text from fmt and ap is left in
 * buf (len bytes, cut if longer) for the caller's record of the event.
 */
void	log_vevent(char *buf, size_t len, const char *msgid,
	    const char *guest, const char *fmt, va_list ap)
	    __attribute__((format(printf, 5, 0)));
void	fatal(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
