/*
 * events.c: the event socket (ZeroMQ PUB, labname_plugin_events) and a ring of
 * recent events for the "events" request.
 *
 * Every event is a JSON object with "seq" (increasing from 1 per ospfd
 * run), "ts" (UNIX time, microseconds) and "event" (the topic), published
 * as two frames: topic, object.  Publishing never blocks: a slow
 * subscriber loses events (see seq), ospfd never waits.
 */
#include "frr.h"

#include <zmq.h>

#include "lgr_ctl.h"
#include "lgr.h"

#define EVENTS_RING	512

/* Socket, sequence and ring; main thread only. */
static void			*events_sock;
static char			 events_path[PATH_MAX];
static uint64_t			 events_seq;
static struct json_object	*events_ring[EVENTS_RING];

static void
events_send(const char *topic, struct json_object *ev)
{
	const char	*s;

	if (events_sock == NULL)
		return;
	s = json_object_to_json_string_ext(ev, JSON_C_TO_STRING_PLAIN);
	if (zmq_send(events_sock, topic, strlen(topic),
	    ZMQ_SNDMORE | ZMQ_DONTWAIT) == -1)
		return;
	zmq_send(events_sock, s, strlen(s), ZMQ_DONTWAIT);
}

/* Takes the reference to ev. */
void
events_publish(const char *topic, struct json_object *ev)
{
	struct json_object	*head;
	char			 ts[32];
	double			 now = lgr_now();
	size_t			 slot;

	/* Put seq, ts and event first for people reading the stream. */
	head = json_object_new_object();
	json_object_object_add(head, "seq", json_object_new_int64(
	    (int64_t)++events_seq));
	snprintf(ts, sizeof(ts), "%.6f", now);
	json_object_object_add(head, "ts", json_object_new_double_s(now, ts));
	json_object_object_add(head, "event", json_object_new_string(topic));
	json_object_object_foreach(ev, key, val)
		json_object_object_add(head, key, json_object_get(val));
	json_object_put(ev);

	events_send(topic, head);
	slot = events_seq % EVENTS_RING;
	json_object_put(events_ring[slot]);
	events_ring[slot] = head;
}

struct json_object *
events_recent(void)
{
	struct json_object	*arr = json_object_new_array();
	uint64_t		 seq;

	seq = events_seq > EVENTS_RING ? events_seq - EVENTS_RING + 1 : 1;
	for (; seq <= events_seq; seq++)
		json_object_array_add(arr,
		    json_object_get(events_ring[seq % EVENTS_RING]));
	return arr;
}

static void
events_add_addr(struct json_object *obj, const char *key, struct in_addr a)
{
	char	buf[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &a, buf, sizeof(buf));
	json_object_object_add(obj, key, json_object_new_string(buf));
}

/* A state machine's change: "from" and "to" by name, then publish. */
static void
events_publish_change(const char *topic, struct json_object *ev,
    const struct message *names, int state, int oldstate)
{
	json_object_object_add(ev, "from", json_object_new_string(
	    lookup_msg(names, oldstate, NULL)));
	json_object_object_add(ev, "to", json_object_new_string(
	    lookup_msg(names, state, NULL)));
	events_publish(topic, ev);
}

int
events_lsa_installed(struct ospf_lsa *lsa)
{
	events_publish(LGR_EV_LSA, report_lsa(lsa));
	return 0;
}

int
events_ism_change(struct ospf_interface *oi, int state, int oldstate)
{
	struct json_object	*ev;

	ev = json_object_new_object();
	json_object_object_add(ev, "ifname", json_object_new_string(
	    oi->ifp->name));
	if (oi->address != NULL)
		events_add_addr(ev, "address", oi->address->u.prefix4);
	events_publish_change(LGR_EV_ISM, ev, ospf_ism_state_msg, state,
	    oldstate);
	return 0;
}

int
events_nsm_change(struct ospf_neighbor *nbr, int state, int oldstate)
{
	struct json_object	*ev;

	ev = json_object_new_object();
	if (nbr->oi != NULL && nbr->oi->ifp != NULL)
		json_object_object_add(ev, "ifname", json_object_new_string(
		    nbr->oi->ifp->name));
	events_add_addr(ev, "neighbor", nbr->router_id);
	events_add_addr(ev, "address", nbr->src);
	events_publish_change(LGR_EV_NSM, ev, ospf_nsm_state_msg, state,
	    oldstate);
	return 0;
}

/* A slow subscriber loses events rather than growing ospfd. */
static int
events_setup(void *sock)
{
	int	hwm = 100000;

	return zmq_setsockopt(sock, ZMQ_SNDHWM, &hwm, sizeof(hwm));
}

int
events_open(const char *path)
{
	snprintf(events_path, sizeof(events_path), "%s", path);
	if ((events_sock = zio_bind(ZMQ_PUB, events_path, "event socket",
	    events_setup)) == NULL)
		return -1;
	return 0;
}

void
events_close(void)
{
	size_t	i;

	if (events_sock != NULL) {
		zmq_close(events_sock);
		unlink(events_path);
	}
	events_sock = NULL;
	for (i = 0; i < EVENTS_RING; i++) {
		json_object_put(events_ring[i]);
		events_ring[i] = NULL;
	}
}
