/*
 * hvask.c: ask the lab's hypervisor and guest agents over their control
 * sockets, as a viewer (the lab's viewer key).
 *
 * The hypervisor's directory is one for the whole cluster, whichever
 * backend holds it (SQLite or etcd): any member's hvd answers for every
 * member and every guest.  hvask_rows() asks the members in order until
 * one answers, so a member killed or stopped by `nslab fault` costs one
 * connect time-out and nothing else.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "agent_client.h"
#include "ctlclient.h"
#include "hv_ctl.h"
#include "keys.h"
#include "labname.h"
#include "nslab.h"

#define HVASK_CONNECT_MS	500
#define HVASK_ANSWER_MS		3000

static void
hvask_row(struct json_object *row, void *arg)
{
	json_object_array_add(arg, json_object_get(row));
}

/* One member's answer to type, or NULL with the reason in why. */
static json_object *
hvask_member(const char *labdir, const struct keys_client *kc,
    const char *member, enum hv_req type, char *why, size_t len)
{
	struct ctlclient	*c;
	struct hv_request	 r;
	json_object		*req, *rows;
	char			 path[600], ep[640], text[256];
	int			 code = 0, rc;

	if (labname_hvd_sock(labdir, member, path, sizeof(path)) == NULL ||
	    labname_ipc(path, ep, sizeof(ep)) == NULL) {
		snprintf(why, len, "socket path of %s too long", member);
		return NULL;
	}
	if ((c = ctlclient_open(NULL, ep, kc, HVASK_CONNECT_MS)) == NULL) {
		snprintf(why, len, "%s", ctlclient_errtext());
		return NULL;
	}
	hv_request_init(&r, type);
	rows = json_object_new_array();
	if ((req = hv_request_encode(&r)) == NULL || rows == NULL) {
		snprintf(why, len, "out of memory");
		rc = -1;
	} else if ((rc = ctlclient_request(c, req, HVASK_ANSWER_MS, hvask_row,
	    rows, &code, text, sizeof(text))) == -1)
		snprintf(why, len, "%s", ctlclient_errtext());
	else if (rc == 1)
		snprintf(why, len, "error %d: %s", code, text);
	json_object_put(req);
	ctlclient_close(c);
	if (rc != 0) {
		json_object_put(rows);
		return NULL;
	}
	return rows;
}

json_object *
hvask_rows_of(const struct topo *t, const char *labdir, int m, int type,
    char *why, size_t len)
{
	struct keys_client	 kc;
	json_object		*rows;

	snprintf(why, len, "the lab has no members");
	if (keys_load_client(labdir, "viewer", NULL, &kc) == -1) {
		snprintf(why, len, "the lab's viewer key in %s/%s: %s", labdir,
		    KEYS_DIR, strerror(errno));
		return NULL;
	}
	for (size_t i = 0; i < t->nmembers; i++)
		if ((m < 0 || (size_t)m == i) && (rows = hvask_member(labdir,
		    &kc, t->members[i].name, (enum hv_req)type, why,
		    len)) != NULL)
			return rows;
	return NULL;
}

json_object *
hvask_rows(const struct topo *t, const char *labdir, int type,
    char *why, size_t len)
{
	return hvask_rows_of(t, labdir, -1, type, why, len);
}

int
hvask_residency(const struct topo *t, const char *labdir, int *res,
    char *why, size_t len)
{
	json_object	*rows, *row, *g, *m;
	int		 gi, mi, n = 0;

	if ((rows = hvask_rows(t, labdir, HV_REQ_GUESTS, why, len)) == NULL)
		return -1;
	for (size_t i = 0; i < json_object_array_length(rows); i++) {
		row = json_object_array_get_idx(rows, i);
		if (!json_object_object_get_ex(row, "name", &g) ||
		    !json_object_object_get_ex(row, "member", &m) ||
		    (gi = topo_guest_find(t, json_object_get_string(g))) < 0 ||
		    (mi = topo_member_find(t, json_object_get_string(m))) < 0)
			continue;
		res[gi] = mi;
		n++;
	}
	json_object_put(rows);
	return n;
}

const char *
hvask_field(json_object *row, const char *key)
{
	json_object	*v;

	if (!json_object_object_get_ex(row, key, &v))
		return "";
	return json_object_get_string(v);
}

int
hvask_member_states(const struct topo *t, const char *labdir,
    char (*state)[HVASK_STATE_MAX], char *why, size_t len)
{
	json_object	*rows, *row;
	int		 mi;

	for (size_t m = 0; m < t->nmembers; m++)
		snprintf(state[m], HVASK_STATE_MAX, "?");
	if ((rows = hvask_rows(t, labdir, HV_REQ_MEMBERS, why, len)) == NULL)
		return -1;
	for (size_t i = 0; i < json_object_array_length(rows); i++) {
		row = json_object_array_get_idx(rows, i);
		if ((mi = topo_member_find(t, hvask_field(row, "name"))) >= 0)
			snprintf(state[mi], HVASK_STATE_MAX, "%s",
			    hvask_field(row, "state"));
	}
	json_object_put(rows);
	return 0;
}

int
hvask_agent(const char *labdir, const char *guest, char *why, size_t len)
{
	struct keys_client	 kc;
	struct agent_client	*c;
	struct agent_request	 rq;
	json_object		*data = NULL;
	char			 path[600];
	int			 rc;

	if (keys_load_client(labdir, "viewer", NULL, &kc) == -1) {
		snprintf(why, len, "the lab's viewer key: %s",
		    strerror(errno));
		return -1;
	}
	if (labname_agent_sock(labdir, guest, path, sizeof(path)) == NULL ||
	    (c = agent_client_open(NULL, path, &kc, 0)) == NULL) {
		snprintf(why, len, "%s", ctlclient_errtext());
		return -1;
	}
	agent_request_init(&rq, AGENT_REQ_STATUS);
	if ((rc = agent_client_request(c, &rq, HVASK_ANSWER_MS, &data)) == -1)
		snprintf(why, len, "status: %s", strerror(errno));
	json_object_put(data);
	agent_client_close(c);
	return rc;
}
