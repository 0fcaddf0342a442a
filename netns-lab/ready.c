/*
 * ready.c: after OSPF, wait until the lab is ready: every member JOINED
 * and every guest RUNNING in the hypervisor's directory (asked of hvd),
 * and every guest agent answering a status request.  On time-out, name
 * what is missing.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "hv_ctl.h"
#include "labname.h"
#include "nslab.h"

#define READY_POLL_MS	200
#define READY_DIAG_MAX	40

struct ready {
	const struct topo	*t;
	char			 labdir[512];
	bool			 hv, agents;
	bool			*agent_ok;	/* per guest, once answered */
	FILE			*out;		/* NULL: count only */
	int			 nsaid;
	size_t			 members, guests, nagents; /* ready */
};

static void
ready_say(struct ready *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
ready_say(struct ready *r, const char *fmt, ...)
{
	va_list	ap;

	if (r->out != NULL && r->nsaid < READY_DIAG_MAX) {
		va_start(ap, fmt);
		vfprintf(r->out, fmt, ap);
		va_end(ap);
	} else if (r->out != NULL && r->nsaid == READY_DIAG_MAX)
		fprintf(r->out, "  ... (more)\n");
	r->nsaid++;
}

/* Members and guests in the directory. */
static void
ready_directory(struct ready *r)
{
	char		 why[512];
	json_object	*rows, *row;
	bool		*seen;
	int		 i;

	r->members = r->guests = 0;
	rows = NULL;
	for (size_t m = 0; m < r->t->nmembers; m++) {
		json_object	*own;

		/* Each member's own hvd answers; the first answer is used. */
		if ((own = hvask_rows_of(r->t, r->labdir, (int)m,
		    HV_REQ_MEMBERS, why, sizeof(why))) == NULL) {
			ready_say(r, "  hvd of %s not answering (%s)\n",
			    r->t->members[m].name, why);
			continue;
		}
		if (rows == NULL)
			rows = own;
		else
			json_object_put(own);
	}
	if (rows == NULL)
		return;
	for (size_t k = 0; k < json_object_array_length(rows); k++) {
		row = json_object_array_get_idx(rows, k);
		if (strcmp(hvask_field(row, "state"), "JOINED") == 0)
			r->members++;
		else
			ready_say(r, "  member %s is %s, expected JOINED\n",
			    hvask_field(row, "name"), hvask_field(row, "state"));
	}
	json_object_put(rows);
	if ((rows = hvask_rows(r->t, r->labdir, HV_REQ_GUESTS, why,
	    sizeof(why))) == NULL) {
		ready_say(r, "  no hvd answers (%s)\n", why);
		return;
	}
	if ((seen = calloc(r->t->nguests + 1, sizeof(*seen))) == NULL) {
		json_object_put(rows);
		return;
	}
	for (size_t k = 0; k < json_object_array_length(rows); k++) {
		row = json_object_array_get_idx(rows, k);
		if ((i = topo_guest_find(r->t, hvask_field(row, "name"))) >= 0)
			seen[i] = true;
		if (strcmp(hvask_field(row, "state"), "RUNNING") == 0)
			r->guests++;
		else
			ready_say(r, "  guest %s is %s on %s, expected "
			    "RUNNING\n", hvask_field(row, "name"),
			    *hvask_field(row, "state") ? hvask_field(row,
			    "state") : "nowhere", *hvask_field(row, "member") ?
			    hvask_field(row, "member") : "no member");
	}
	for (size_t g = 0; g < r->t->nguests; g++)
		if (!seen[g])
			ready_say(r, "  guest %s is not in the directory\n",
			    r->t->guests[g].name);
	free(seen);
	json_object_put(rows);
}

static void
ready_agents(struct ready *r)
{
	char	why[512];

	r->nagents = 0;
	for (size_t g = 0; g < r->t->nguests; g++) {
		if (!topo_guest_has_hsi(&r->t->guests[g]))
			continue;
		if (!r->agent_ok[g] && hvask_agent(r->labdir,
		    r->t->guests[g].name, why, sizeof(why)) == 0)
			r->agent_ok[g] = true;
		if (r->agent_ok[g])
			r->nagents++;
		else
			ready_say(r, "  agent of %s not answering (%s)\n",
			    r->t->guests[g].name, why);
	}
}

static size_t
ready_hsi_guests(const struct topo *t)
{
	size_t	n = 0;

	for (size_t g = 0; g < t->nguests; g++)
		n += topo_guest_has_hsi(&t->guests[g]);
	return n;
}

/* One look; true when nothing is missing. */
static bool
ready_pass(struct ready *r)
{
	r->nsaid = 0;
	if (r->hv)
		ready_directory(r);
	if (r->agents)
		ready_agents(r);
	return r->nsaid == 0;
}

int
ready_wait(const struct topo *t, const char *lab, bool hv, bool agents,
    uint64_t deadline_ms, bool quiet, FILE *diag)
{
	struct ready	r;
	uint64_t	t0 = clock_ms();
	bool		tty = !quiet && isatty(fileno(diag)), ok;

	memset(&r, 0, sizeof(r));
	r.t = t;
	r.hv = hv;
	r.agents = agents;
	labname_labdir(lab, r.labdir, sizeof(r.labdir));
	if ((r.agent_ok = calloc(t->nguests + 1, sizeof(bool))) == NULL)
		return -1;
	while (!(ok = ready_pass(&r)) && !lab_was_interrupted() &&
	    clock_ms() < deadline_ms) {
		if (tty)
			fprintf(diag, "\rnslab: waiting for the lab: %zu of %zu "
			    "members JOINED, %zu of %zu guests RUNNING, %zu of "
			    "%zu agents (%.1f s) ", r.members, t->nmembers,
			    r.guests, t->nguests, r.nagents,
			    ready_hsi_guests(t), lab_secs(t0));
		proc_sleep_ms(READY_POLL_MS);
	}
	if (tty)
		fputc('\n', diag);
	if (!ok) {
		fprintf(diag, "nslab: [NSLAB-NOT-READY] lab %s not ready %.1f "
		    "s after OSPF converged; missing:\n", lab, lab_secs(t0));
		r.out = diag;
		ready_pass(&r);
	}
	free(r.agent_ok);
	return ok ? 0 : -1;
}
