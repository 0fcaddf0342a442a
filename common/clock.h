/*
 * clock.h: the monotonic clock, for every deadline and duration.
 * Wall-clock time is for timestamps shown to people only.
 */
#ifndef LGR_CLOCK_H
#define LGR_CLOCK_H

#include <stdint.h>
#include <time.h>

uint64_t	clock_ns(void);
uint64_t	clock_us(void);
uint64_t	clock_ms(void);
/*
 * Wall-clock milliseconds since the epoch: timestamps stored or shown to
 * people (history, events, audit), never a deadline or a duration.
 */
int64_t		clock_wall_ms(void);
/* A CLOCK_MONOTONIC timespec ms milliseconds from now (condvar waits). */
void		clock_deadline(struct timespec *ts, uint64_t ms);

#endif
