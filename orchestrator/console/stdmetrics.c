/*
 * stdmetrics.c: the metric families every lgrd exports (issue 14), one
 * table, created in each console's registry by console_new.  Times are
 * in seconds, bucket bounds chosen around the project's figures
 * (quiesce <= 10 ms, a move of about a second, OSPF in tens of ms).
 */
#include <errno.h>
#include <stddef.h>

#include "console_impl.h"

static const double stdmetrics_duration[] = { 0.1, 0.25, 0.5, 1, 2.5, 5,
	10, 30, 60, 120, 300 };
static const double stdmetrics_quiesce[] = { 0.001, 0.0025, 0.005, 0.01,
	0.025, 0.05, 0.1, 0.25, 1 };
static const double stdmetrics_downtime[] = { 0.001, 0.005, 0.01, 0.025,
	0.05, 0.1, 0.25, 0.5, 1, 5 };
static const double stdmetrics_convergence[] = { 0.01, 0.025, 0.05, 0.1,
	0.25, 0.5, 1, 2.5, 5, 10, 30 };

#define STD(field, type, name, help, label)				\
	{ offsetof(struct console_stdmetrics, field), type, name, help,	\
	    label, NULL, 0 }
#define STD_HIST(field, name, help, bounds)				\
	{ offsetof(struct console_stdmetrics, field), METRIC_HISTOGRAM,	\
	    name, help, NULL, bounds, sizeof(bounds) / sizeof(bounds[0]) }

static const struct stdmetric {
	size_t			 off;
	enum metric_type	 type;
	const char		*name;
	const char		*help;
	const char		*label;
	const double		*bounds;
	size_t			 nbounds;
} stdmetrics[] = {
	STD(relocations, METRIC_COUNTER, "lgr_relocations_total",
	    "Relocations ended, by end code.", "end_code"),
	STD_HIST(duration, "lgr_relocation_duration_seconds",
	    "Time of a relocation from check to verified routing.",
	    stdmetrics_duration),
	STD_HIST(quiesce, "lgr_relocation_quiesce_seconds",
	    "Time a relocating guest was stopped.", stdmetrics_quiesce),
	STD_HIST(downtime, "lgr_relocation_network_downtime_seconds",
	    "Longest gap in VIPA probes during a relocation.",
	    stdmetrics_downtime),
	STD_HIST(convergence, "lgr_relocation_convergence_seconds",
	    "Time OSPF took to converge after a relocation.",
	    stdmetrics_convergence),
	STD(member_up, METRIC_GAUGE, "lgr_member_up",
	    "1 when the member is joined, 0 otherwise.", "member"),
	STD(guests, METRIC_GAUGE, "lgr_guests",
	    "Guests running on the member.", "member"),
	STD(evacuation_running, METRIC_GAUGE, "lgr_evacuation_running",
	    "Evacuation jobs running.", NULL),
	STD(guests_moving, METRIC_GAUGE, "lgr_guests_moving",
	    "Guests relocating now.", NULL),
	STD(routecheck_violations, METRIC_GAUGE, "lgr_routecheck_violations",
	    "Invariant violations in the router's last routecheck.", "router"),
	STD(directory_up, METRIC_GAUGE, "lgr_directory_up",
	    "1 when the cluster directory answers, 0 otherwise.", "backend"),
	STD(directory_latency, METRIC_GAUGE, "lgr_directory_latency_seconds",
	    "Time of the last directory health check.", "backend"),
};

int
stdmetrics_init(struct console *c)
{
	for (size_t i = 0; i < sizeof(stdmetrics) / sizeof(stdmetrics[0]); i++) {
		const struct stdmetric	*t = &stdmetrics[i];
		struct metric		**f;

		f = (struct metric **)((char *)&c->std + t->off);
		*f = metrics_add(c->metrics, t->type, t->name, t->help,
		    t->label, t->bounds, t->nbounds);
		if (*f == NULL)
			return -1;
	}
	c->requests = metrics_add(c->metrics, METRIC_COUNTER,
	    "lgr_console_requests_total",
	    "Console HTTP requests answered, by status code.", "code", NULL, 0);
	return c->requests != NULL ? 0 : -1;
}

struct metrics *
console_metrics(struct console *c)
{
	return c->metrics;
}

const struct console_stdmetrics *
console_stdmetrics(struct console *c)
{
	return &c->std;
}
