/*
 * config.c: the agent's view of the topology: this guest, its VIPA and,
 * for each HSI interface, the member whose HiperSockets LAN it joins;
 * the other guests' names, router ids and HSI interfaces (peers).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "log.h"

static void
config_diags(struct topo_diags *d)
{
	char	buf[1024];
	size_t	i;

	for (i = 0; i < d->n; i++) {
		topo_diag_format(&d->v[i], buf, sizeof(buf));
		log_warnx("%s %s", GA_MSG_CONFIG, buf);
	}
}

/* Logs what is wrong; returns 0 or -1. */
int
config_load(const char *path, const char *guest, struct agent_conf *c)
{
	struct topo_diags	 d = { NULL, 0 };
	const struct topo_guest	*g;
	char			 a[INET_ADDRSTRLEN];
	size_t			 i;

	memset(c, 0, sizeof(*c));
	if ((c->topo = topo_load(path, &d)) == NULL) {
		config_diags(&d);
		topo_diags_free(&d);
		return -1;
	}
	topo_diags_free(&d);
	if ((c->guest = topo_guest_find(c->topo, guest)) == -1) {
		log_warnx("%s %s: no guest %s in the topology", GA_MSG_CONFIG,
		    path, guest);
		goto fail;
	}
	g = &c->topo->guests[c->guest];
	inet_ntop(AF_INET, &g->vipa, a, sizeof(a));
	snprintf(c->vipa, sizeof(c->vipa), "%s/32", a);
	for (i = 0; i < g->nnics; i++) {
		if (g->nics[i].kind != TOPO_NIC_HIPERSOCKETS)
			continue;
		snprintf(c->hsi[c->nhsi].name, sizeof(c->hsi[0].name), "%s",
		    g->nics[i].name);
		c->hsi[c->nhsi].member = g->nics[i].member;
		c->nhsi++;
	}
	if (c->nhsi == 0) {
		log_warnx("%s %s: guest %s has no HiperSockets NIC: nothing "
		    "for an agent to do", GA_MSG_CONFIG, path, guest);
		goto fail;
	}
	return 0;
fail:
	config_free(c);
	return -1;
}

void
config_free(struct agent_conf *c)
{
	topo_free(c->topo);
	c->topo = NULL;
}

const char *
config_guest_name(const struct agent_conf *c)
{
	return c->topo->guests[c->guest].name;
}

const char *
config_member_name(const struct agent_conf *c, int member)
{
	if (member < 0 || (size_t)member >= c->topo->nmembers)
		return NULL;
	return c->topo->members[member].name;
}

int
config_member_find(const struct agent_conf *c, const char *name)
{
	return topo_member_find(c->topo, name);
}

int
config_guest_by_router_id(const struct agent_conf *c, const char *rid)
{
	struct in_addr	a;
	size_t		i;

	if (inet_pton(AF_INET, rid, &a) != 1)
		return -1;
	for (i = 0; i < c->topo->nguests; i++)
		if (c->topo->guests[i].vipa.s_addr == a.s_addr)
			return (int)i;
	return -1;
}

size_t
config_guest_hsi(const struct agent_conf *c, int g, const char **names,
    size_t max)
{
	const struct topo_guest	*tg;
	size_t			 i, n = 0;

	if (g < 0 || (size_t)g >= c->topo->nguests)
		return 0;
	tg = &c->topo->guests[g];
	for (i = 0; i < tg->nnics && n < max; i++)
		if (tg->nics[i].kind == TOPO_NIC_HIPERSOCKETS)
			names[n++] = tg->nics[i].name;
	return n;
}

/* guestagentd -n: what was understood. */
void
config_print(const struct agent_conf *c, FILE *out)
{
	size_t	i;

	fprintf(out, "guest %s vipa %s\n", config_guest_name(c), c->vipa);
	for (i = 0; i < c->nhsi; i++)
		fprintf(out, "  hsi %s member %s\n", c->hsi[i].name,
		    config_member_name(c, c->hsi[i].member));
}
