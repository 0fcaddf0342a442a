/*
 * web_cluster.c: the console's cluster view: the members as hvd's
 * directory has them (state, lease age, memory, moves in and out), each
 * guest with the member it runs on, whether lgrd moves it now, and its
 * HSI links (web_hsi.c).
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "web.h"

/* Moves in and out per member, and which guests lgrd moves now. */
struct web_moves {
	int	*in, *out;
	bool	*moving;
};

static const struct web_field web_member_fields[] = {
	{ "name", "name", WEB_STR },
	{ "state", "state", WEB_LOWER },
	{ "lease_age_ms", "heartbeat_age_ms", WEB_NUM },
	{ "mem_used_mib", "used_mib", WEB_NUM },
	{ "mem_total_mib", "memory_mib", WEB_NUM },
	{ NULL, NULL, WEB_STR },
};

/* A guest's, as hvd has them. */
static const char *const web_guest_keys[] = { "name", "member", "state",
	"memory_mib", NULL };

static void
web_moves_add(struct lgrd *d, struct web_moves *mv, const struct move *m)
{
	int	s, t, g;

	if ((s = topo_member_find(d->topo, m->src)) >= 0)
		mv->out[s]++;
	if ((t = topo_member_find(d->topo, m->dst)) >= 0)
		mv->in[t]++;
	if ((g = topo_guest_find(d->topo, m->guest)) >= 0)
		mv->moving[g] = true;
}

static void
web_moves_count(struct lgrd *d, struct web_moves *mv)
{
	pthread_mutex_lock(&d->lock);
	for (struct job *j = d->jobs; j != NULL; j = j->nextjob) {
		pthread_mutex_lock(&j->lock);
		for (size_t i = 0; i < j->nmoves; i++)
			if (j->moves[i].active)
				web_moves_add(d, mv, &j->moves[i]);
		pthread_mutex_unlock(&j->lock);
	}
	pthread_mutex_unlock(&d->lock);
}

static struct json_object *
web_member(struct lgrd *d, struct json_object *r, const struct web_moves *mv)
{
	struct json_object	*o = json_object_new_object();
	char			 lan[64] = "";
	int			 m = topo_member_find(d->topo,
				    lgrd_row_str(r, "name", ""));

	web_fields(o, r, web_member_fields);
	json_object_object_add(o, "moves_in", json_object_new_int(m >= 0 ?
	    mv->in[m] : 0));
	json_object_object_add(o, "moves_out", json_object_new_int(m >= 0 ?
	    mv->out[m] : 0));
	if (m >= 0)
		topo_prefix_str(&d->topo->members[m].hsi_lan, lan, sizeof(lan));
	web_add_str(o, "lan", lan[0] ? lan : lgrd_row_str(r, "name", "?"));
	return o;
}

static struct json_object *
web_guest(struct web *w, struct json_object *r, const struct web_moves *mv)
{
	struct topo		*t = w->d->topo;
	struct json_object	*o = json_object_new_object();
	const char		*member = lgrd_row_str(r, "member", "");
	int			 g = topo_guest_find(t, lgrd_row_str(r, "name",
				    ""));
	bool			 moving;

	moving = strcmp(lgrd_row_str(r, "state", ""), "RELOCATING") == 0 ||
	    (g >= 0 && mv->moving[g]);
	web_copy(o, r, web_guest_keys);
	web_add_str(o, "workload", g >= 0 && t->guests[g].group >= 0 ?
	    t->groups[t->guests[g].group].name : "");
	json_object_object_add(o, "moving", json_object_new_boolean(moving));
	json_object_object_add(o, "hsi", g >= 0 ? web_hsi(w, g, member) :
	    json_object_new_array());
	return o;
}

/* Each row of rows through fn into a new array. */
typedef struct json_object *(*web_draw_fn)(struct web *w,
    struct json_object *r, const struct web_moves *mv);

static struct json_object *
web_draw(struct web *w, struct json_object *rows, const struct web_moves *mv,
    web_draw_fn fn)
{
	struct json_object	*a = json_object_new_array();

	for (size_t i = 0; i < json_object_array_length(rows); i++)
		json_object_array_add(a, fn(w, json_object_array_get_idx(rows,
		    i), mv));
	return a;
}

static struct json_object *
web_draw_member(struct web *w, struct json_object *r,
    const struct web_moves *mv)
{
	return web_member(w->d, r, mv);
}

static int
web_moves_new(struct lgrd *d, struct web_moves *mv)
{
	mv->in = calloc(d->topo->nmembers + 1, sizeof(int));
	mv->out = calloc(d->topo->nmembers + 1, sizeof(int));
	mv->moving = calloc(d->topo->nguests + 1, sizeof(bool));
	return mv->in != NULL && mv->out != NULL && mv->moving != NULL ? 0 :
	    -1;
}

static void
web_moves_free(struct web_moves *mv)
{
	free(mv->in);
	free(mv->out);
	free(mv->moving);
}

struct json_object *
web_cluster(void *arg, struct console_err *err)
{
	struct lgrd		*d = arg;
	struct json_object	*members = NULL, *guests = NULL, *o = NULL;
	struct web_moves	 mv;
	struct hv		*h;

	web_hsi_fresh(d->web);
	if ((h = hv_open(d)) != NULL) {
		members = hv_members(h);
		guests = hv_guests(h);
		hv_close(h);
	}
	if (web_moves_new(d, &mv) == -1 || members == NULL || guests == NULL)
		web_err(err, 503, "the hypervisor directory does not answer "
		    "(hvd of the lab)");
	else {
		web_moves_count(d, &mv);
		o = web_wrap("members", web_draw(d->web, members, &mv,
		    web_draw_member));
		json_object_object_add(o, "guests", web_draw(d->web, guests,
		    &mv, web_guest));
	}
	json_object_put(members);
	json_object_put(guests);
	web_moves_free(&mv);
	return o;
}

void
web_residency(struct hv *h, char *buf, size_t len)
{
	struct json_object	*rows = h != NULL ? hv_guests(h) : NULL;
	size_t			 n = 0;

	buf[0] = '\0';
	for (size_t i = 0; rows != NULL && i < json_object_array_length(rows);
	    i++) {
		struct json_object	*r = json_object_array_get_idx(rows, i);

		n += (size_t)snprintf(buf + n, n < len ? len - n : 0,
		    "%s@%s/%s ", lgrd_row_str(r, "name", ""), lgrd_row_str(r,
		    "member", ""), lgrd_row_str(r, "state", ""));
		if (n >= len)
			break;
	}
	json_object_put(rows);
}
