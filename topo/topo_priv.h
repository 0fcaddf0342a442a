/*
 * topo_priv.h: what the files of the topology library share and callers
 * do not need.  Prototypes are grouped under the file that defines them.
 */
#ifndef LGR_TOPO_PRIV_H
#define LGR_TOPO_PRIV_H

#include <stdarg.h>

#include "topo.h"

#define TOPO_COST_MAX		65535
#define TOPO_PRIORITY_MAX	255
#define TOPO_DEFAULT_COST_MAX	16777215
#define TOPO_TIMER_S_MAX	65535
#define TOPO_MULTIPLIER_MAX	10
#define TOPO_SPF_MAX		600000
#define TOPO_LSA_THROTTLE_MAX	5000
#define TOPO_MIN_ARRIVAL_MAX	600000
#define TOPO_VIPA_IF		"dummy0"

/* model.c */
int		 topo_diag_add(struct topo_diags *, const struct topo_pos *,
		    const char *, ...)
		    __attribute__((format(printf, 3, 4)));
int		 topo_diag_vadd(struct topo_diags *, const struct topo_pos *,
		    const char *, va_list)
		    __attribute__((format(printf, 3, 0)));
void		 topo_diags_sort(struct topo_diags *, size_t);
in_addr_t	 topo_mask(uint8_t);
in_addr_t	 topo_host_part(struct in_addr, uint8_t);
void		 topo_timers_default(struct topo_timers *);
const char	*topo_ntoa(struct in_addr, char *, size_t);

#endif
