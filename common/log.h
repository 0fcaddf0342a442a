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
void	fatal(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
