/*
 * web_hsi.c: the guests' HiperSockets links on the cluster page, as
 * their agents report them (agent_status: the state of each HSI
 * interface, guestagent/agent_client.h).  A link is up when its
 * interface is operationally up, and foreign when it is up on the LAN
 * of another member than the one hvd says the guest runs on (a move
 * the agent has not completed, or a hand-made change it has not
 * corrected); unknown while the agent does not answer.
 *
 * The agents' thread asks every agent once a WEB_HSI_MS, keeps the
 * answers in w->status (under w->lock) and publishes "cluster" when a
 * link changed; the pages' requests read only what it keeps.  It asks
 * only while someone looks: a page's event stream is open, or the
 * cluster view was read within WEB_HSI_WANT_MS.  Every question is a
 * CURVE connection to an agent: in a lab of 50 guests, asking nobody's
 * question took a tenth of a core from the agents and lgrd.  A read
 * after a pause waits for one fresh round (web_hsi_fresh).
 */
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "web.h"

#define WEB_HSI_MS		1000	/* how often the agents are asked */
#define WEB_HSI_TIMEOUT_MS	1000	/* one agent's answer */
#define WEB_HSI_WANT_MS		30000	/* asked while read this lately */
#define WEB_HSI_IDLE_MS		100	/* nobody looks: check this often */
#define WEB_HSI_FRESH_MS	3000	/* the longest wait for a round */

static bool
web_hsi_bool(struct json_object *o, const char *key)
{
	struct json_object	*v;

	return json_object_object_get_ex(o, key, &v) &&
	    json_object_get_boolean(v);
}

static struct json_object *
web_hsi_link(const char *ifname, const char *lan, const char *state,
    bool foreign)
{
	struct json_object	*l = json_object_new_object();

	web_add_str(l, "ifname", ifname);
	web_add_str(l, "lan", lan);
	web_add_str(l, "state", state);
	json_object_object_add(l, "foreign", json_object_new_boolean(foreign));
	return l;
}

struct json_object *
web_hsi_links(struct json_object *status, const char *member)
{
	struct json_object	*a = json_object_new_array(), *ifs, *i;
	const char		*lan;
	bool			 up;

	if (!json_object_object_get_ex(status, "interfaces", &ifs) ||
	    !json_object_is_type(ifs, json_type_array))
		return a;
	for (size_t k = 0; k < json_object_array_length(ifs); k++) {
		i = json_object_array_get_idx(ifs, k);
		lan = lgrd_row_str(i, "member", "");
		up = web_hsi_bool(i, "oper_up");
		json_object_array_add(a, web_hsi_link(lgrd_row_str(i, "name",
		    "?"), lan, up ? "up" : "down", up && lan[0] != '\0' &&
		    strcmp(lan, member) != 0));
	}
	return a;
}

/* Without the agent: the guest's HSI NICs of the topology, unknown. */
static struct json_object *
web_hsi_unknown(struct topo *t, int g)
{
	const struct topo_guest	*gu = &t->guests[g];
	struct json_object	*a = json_object_new_array();

	for (size_t k = 0; k < gu->nnics; k++)
		if (gu->nics[k].kind == TOPO_NIC_HIPERSOCKETS)
			json_object_array_add(a, web_hsi_link(gu->nics[k].name,
			    t->members[gu->nics[k].member].name, "unknown",
			    false));
	return a;
}

struct json_object *
web_hsi(struct web *w, int g, const char *member)
{
	struct json_object	*status, *a;

	pthread_mutex_lock(&w->lock);
	status = json_object_get(w->status[g]);
	pthread_mutex_unlock(&w->lock);
	if (status == NULL)
		return web_hsi_unknown(w->d->topo, g);
	a = web_hsi_links(status, member);
	json_object_put(status);
	return a;
}

static bool
web_hsi_has(const struct topo_guest *g)
{
	for (size_t k = 0; k < g->nnics; k++)
		if (g->nics[k].kind == TOPO_NIC_HIPERSOCKETS)
			return true;
	return false;
}

/* "IF:LAN:up ..." of an agent's status, "?" without one. */
static void
web_hsi_sig(struct json_object *status, char *buf, size_t len)
{
	struct json_object	*a = web_hsi_links(status, "");
	const char		*s = status != NULL ?
				    json_object_to_json_string(a) : "?";

	snprintf(buf, len, "%s", s);
	json_object_put(a);
}

/* Ask guest g's agent; 1 when its links changed, else 0. */
static int
web_hsi_poll(struct web *w, size_t g)
{
	struct json_object	*status = NULL, *old;
	char			 was[512], now[512];
	int			 changed;

	agent_status(w->d, w->d->topo->guests[g].name, WEB_HSI_TIMEOUT_MS,
	    &status);
	web_hsi_sig(status, now, sizeof(now));
	pthread_mutex_lock(&w->lock);
	old = w->status[g];
	web_hsi_sig(old, was, sizeof(was));
	w->status[g] = status;
	pthread_mutex_unlock(&w->lock);
	changed = strcmp(was, now) != 0;
	json_object_put(old);
	return changed;
}

static bool
web_hsi_wanted(struct web *w)
{
	return console_watchers(w->c) > 0 || (long long)lgrd_now_ms() -
	    atomic_load(&w->hsi_asked) < WEB_HSI_WANT_MS;
}

void
web_hsi_fresh(struct web *w)
{
	long long		 now = (long long)lgrd_now_ms();
	unsigned long long	 r = atomic_load(&w->hsi_rounds);
	struct timespec		 ts = { 0, 20 * 1000000L };

	atomic_store(&w->hsi_asked, now);
	if (!w->polling || now - atomic_load(&w->hsi_round_ms) <=
	    2 * WEB_HSI_MS)
		return;
	while (atomic_load(&w->hsi_rounds) == r && !atomic_load(&w->quit) &&
	    (long long)lgrd_now_ms() - now < WEB_HSI_FRESH_MS)
		nanosleep(&ts, NULL);
}

static void *
web_hsi_thread(void *arg)
{
	struct web		*w = arg;
	struct topo		*t = w->d->topo;
	struct json_object	*o;
	int			 changed;

	while (!atomic_load(&w->quit)) {
		if (!web_hsi_wanted(w)) {
			web_sleep(w, WEB_HSI_IDLE_MS);
			continue;
		}
		changed = 0;
		for (size_t g = 0; g < t->nguests && !atomic_load(&w->quit);
		    g++)
			if (web_hsi_has(&t->guests[g]))
				changed |= web_hsi_poll(w, g);
		atomic_store(&w->hsi_round_ms, (long long)lgrd_now_ms());
		atomic_fetch_add(&w->hsi_rounds, 1);
		if (changed) {
			o = json_object_new_object();
			console_publish(w->c, "cluster", o);
			json_object_put(o);
		}
		web_sleep(w, WEB_HSI_MS);
	}
	return NULL;
}

int
web_hsi_start(struct web *w)
{
	w->polling = pthread_create(&w->agents, NULL, web_hsi_thread, w) == 0;
	return w->polling ? 0 : -1;
}

void
web_hsi_stop(struct web *w)
{
	atomic_store(&w->quit, true);
	if (w->polling)
		pthread_join(w->agents, NULL);
	w->polling = false;
}
