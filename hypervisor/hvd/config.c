/*
 * config.c: what hvd takes from the topology file: members with their
 * memory, guests with memory, NICs, relocation domain (the members of
 * the guest's workload group) and initial member.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hvd.h"
#include "log.h"
#include "topo.h"

static void
config_report(const struct topo_diags *diags)
{
	char	line[512];
	size_t	i;

	for (i = 0; i < diags->n; i++) {
		topo_diag_format(&diags->v[i], line, sizeof(line));
		log_warnx("%s", line);
	}
}

static void
config_guest(const struct topo *t, const struct topo_guest *tg,
    struct hv_guestdef *g, int idx)
{
	const struct topo_group	*grp;
	size_t			 i;

	snprintf(g->name, sizeof(g->name), "%s", tg->name);
	g->idx = idx;
	g->memory_mib = tg->memory_mib;
	g->initial = tg->member;
	g->ha_restart = tg->ha == TOPO_HA_RESTART;
	if (tg->group >= 0 && (size_t)tg->group < t->ngroups) {
		grp = &t->groups[tg->group];
		snprintf(g->group, sizeof(g->group), "%s", grp->name);
		for (i = 0; i < grp->nmembers && i < HV_MAX_MEMBERS; i++)
			snprintf(g->domain[g->ndomain++], HV_NAME, "%s",
			    grp->members[i]);
	}
	for (i = 0; i < tg->nnics && i < HV_MAX_NICS; i++) {
		snprintf(g->nics[i].name, sizeof(g->nics[i].name), "%s",
		    tg->nics[i].name);
		g->nics[i].hsi = tg->nics[i].kind == TOPO_NIC_HIPERSOCKETS;
		g->nics[i].lan = tg->nics[i].lan;
		g->nics[i].member = tg->nics[i].member;
	}
	g->nnics = i;
}

static struct hv_config *
config_from_topo(const struct topo *t)
{
	struct hv_config	*c;
	size_t			 i;

	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->members = calloc(t->nmembers + 1, sizeof(*c->members))) ==
	    NULL || (c->guests = calloc(t->nguests + 1, sizeof(*c->guests))) ==
	    NULL) {
		config_free(c);
		return NULL;
	}
	snprintf(c->lab, sizeof(c->lab), "%s", t->name);
	for (i = 0; i < t->nmembers; i++) {
		snprintf(c->members[i].name, HV_NAME, "%s", t->members[i].name);
		c->members[i].idx = (int)i;
		c->members[i].memory_mib = t->members[i].memory_mib;
	}
	c->nmembers = t->nmembers;
	for (i = 0; i < t->nguests; i++)
		config_guest(t, &t->guests[i], &c->guests[i], (int)i);
	c->nguests = t->nguests;
	c->nlans = t->nlans;
	return c;
}

struct hv_config *
config_load(const char *path)
{
	struct topo_diags	 diags = { 0 };
	struct topo		*t;
	struct hv_config	*c;

	if ((t = topo_load(path, &diags)) == NULL) {
		config_report(&diags);
		topo_diags_free(&diags);
		return NULL;
	}
	topo_diags_free(&diags);
	if (t->nmembers > HV_MAX_MEMBERS || t->nguests > 256) {
		log_warnx("%s: too large for hvd (at most %d members, 256 "
		    "guests)", path, HV_MAX_MEMBERS);
		topo_free(t);
		errno = EINVAL;
		return NULL;
	}
	c = config_from_topo(t);
	topo_free(t);
	return c;
}

void
config_free(struct hv_config *c)
{
	if (c == NULL)
		return;
	free(c->members);
	free(c->guests);
	free(c);
}

int
config_member_find(const struct hv_config *c, const char *name)
{
	size_t	i;

	for (i = 0; i < c->nmembers; i++)
		if (strcmp(c->members[i].name, name) == 0)
			return (int)i;
	return -1;
}

int
config_guest_find(const struct hv_config *c, const char *name)
{
	size_t	i;

	for (i = 0; i < c->nguests; i++)
		if (strcmp(c->guests[i].name, name) == 0)
			return (int)i;
	return -1;
}
