/*
 * control.c: the control socket (ZeroMQ REP, labname_plugin_sock).
 *
 * One request per message; the reply is zero or more LGR_DATA frames and
 * one LGR_END, or a single LGR_ERROR with a code of reply.h (lgr_ctl.h).
 * Requests are validated completely before anything changes.
 *
 * What common/ctlsrv.c does for the daemons does not fit here: this is
 * a REP socket driven by FRR's event loop (zmqio.c), and the module logs
 * through zlog.  It shares the keys (ZAP, roles) and the reply codes.
 */
#include "frr.h"

#include <zmq.h>

#include "common/keys.h"

#include "lgr_ctl.h"
#include "lgr.h"

/*
 * The control socket, its event-loop glue, the lab's keys and the ZAP
 * handler; main thread only (the keys are read once at load time).
 */
static void		*control_sock;
static void		*control_zio;
static void		*control_zap;
static void		*control_zap_zio;
static char		 control_path[PATH_MAX];
static struct keys_set	 control_keys;
static char		 control_keydir[PATH_MAX + 8];
static bool		 control_keys_present;	/* LABDIR/keys exists */
static int		 control_keys_errno;	/* 0: loaded */

struct control_reply {
	void		*sock;
	int		 ndata;
	const char	*who;		/* role of the client, for the log */
};

/*
 * Called from the module's init, while ospfd still runs as root (the key
 * files are root's, mode 0600): the lab's keys are in LABDIR/keys, the
 * parent of the router's directory.  No keys there: the socket runs
 * without authentication (logged when it opens).
 */
void
control_keys_load(const char *labdir)
{
	snprintf(control_keydir, sizeof(control_keydir), "%s/%s", labdir,
	    KEYS_DIR);
	if (access(control_keydir, F_OK) == -1)
		return;
	control_keys_present = true;
	control_keys_errno = keys_load_server(labdir, &control_keys) == -1 ?
	    errno : 0;
}

static void
control_zap_audit(const struct keys_zap_result *r, void *arg)
{
	(void)arg;
	if (!r->accepted)
		zlog_warn("%s %s: refused a %s client %s (key %s)",
		    LGR_MSG_AUTH, LGR_NAME, r->mechanism, r->address,
		    r->public[0] ? r->public : "none");
}

static void
control_zap_read(void *sock, void *arg)
{
	(void)arg;
	keys_zap_handle(sock, &control_keys, control_zap_audit, NULL);
}

/*
 * Frames over the largest message are refused (the connection dropped)
 * before ospfd allocates them; CURVE server with the lab's keys; the ZAP
 * handler admits the lab's operator and viewer keys and names the role
 * in each message's User-Id.
 */
static int
control_secure(void *sock)
{
	/* A frame over the largest message: ZeroMQ drops the connection. */
	int64_t	max = LGR_HDR_LEN + LGR_MAX_PAYLOAD;

	if (zmq_setsockopt(sock, ZMQ_MAXMSGSIZE, &max, sizeof(max)) == -1)
		return -1;
	if (!control_keys_present) {
		zlog_warn("%s %s: no lab keys (%s): control socket is not "
		    "authenticated", LGR_MSG_AUTH, LGR_NAME,
		    control_keydir[0] ? control_keydir : "no lab directory");
		return 0;
	}
	if (control_keys_errno != 0) {
		zlog_warn("%s %s: lab keys in %s: %s; control socket not "
		    "opened", LGR_MSG_AUTH, LGR_NAME, control_keydir,
		    strerror(control_keys_errno));
		errno = control_keys_errno;
		return -1;
	}
	if ((control_zap = keys_zap_open(zio_context())) == NULL ||
	    (control_zap_zio = zio_attach(control_zap, control_zap_read,
	    NULL)) == NULL || keys_server_setup(sock, &control_keys) == -1)
		return -1;
	return 0;
}

/* NULL when the client may not send this request. */
static const char *
control_role(zmq_msg_t *zm, int type)
{
	const char	*user;

	if (control_zap == NULL)
		return "unauthenticated";
	user = zmq_msg_gets(zm, "User-Id");
	if (user == NULL)
		return NULL;
	if (type != LGR_DRAIN && type != LGR_UNDRAIN)
		return user;
	if (strcmp(user, "operator") == 0 || strcmp(user, "server") == 0 ||
	    strcmp(user, "orchestrator") == 0)
		return user;
	return NULL;
}

static int
control_send(struct control_reply *r, uint16_t type, const void *payload,
    size_t len, int more)
{
	uint8_t	*buf;
	ssize_t	 n;
	int	 rc;

	if ((buf = malloc(LGR_HDR_LEN + len)) == NULL)
		return -1;
	n = lgr_msg_encode(buf, LGR_HDR_LEN + len, type, payload, len);
	rc = n == -1 ? -1 : zmq_send(r->sock, buf, (size_t)n,
	    more ? ZMQ_SNDMORE : 0);
	free(buf);
	if (rc == -1)
		zlog_warn("%s %s: reply not sent: %s", LGR_MSG_SOCK, LGR_NAME,
		    zmq_strerror(zmq_errno()));
	return rc == -1 ? -1 : 0;
}

static void
control_data(struct control_reply *r, struct json_object *obj)
{
	const char	*s;

	s = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN);
	if (control_send(r, LGR_DATA, s, strlen(s), 1) == 0)
		r->ndata++;
}

static void
control_end(struct control_reply *r, struct json_object *obj)
{
	const char	*s = "";

	if (obj != NULL)
		s = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN);
	control_send(r, LGR_END, s, strlen(s), 0);
	json_object_put(obj);
}

static void
control_error(struct control_reply *r, uint32_t code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
control_error(struct control_reply *r, uint32_t code, const char *fmt, ...)
{
	char	text[512];
	uint8_t	payload[sizeof(text) + 8];
	ssize_t	n;
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	n = lgr_error_encode(payload, sizeof(payload), code, text);
	if (n != -1)
		control_send(r, LGR_ERROR, payload, (size_t)n, 0);
}

/* Every element of arr as LGR_DATA, then LGR_END with the count. */
static void
control_array(struct control_reply *r, struct json_object *arr)
{
	struct json_object	*end;
	size_t			 i, n = json_object_array_length(arr);

	for (i = 0; i < n; i++)
		control_data(r, json_object_array_get_idx(arr, i));
	json_object_put(arr);
	end = json_object_new_object();
	json_object_object_add(end, "count", json_object_new_int64((int64_t)n));
	control_end(r, end);
}

/* The OSPF instance, or NULL after answering that there is none. */
static struct ospf *
control_ospf(struct control_reply *r)
{
	struct ospf	*ospf;

	if ((ospf = lgr_ospf()) == NULL)
		control_error(r, REPLY_E_UNAVAILABLE, "no OSPF instance; "
		    "configure 'router ospf' first");
	return ospf;
}

typedef int (*control_ifop_fn)(struct ospf *, const char *,
    struct json_object *);

/* "a, b, c": the interfaces OSPF runs on, for error messages. */
static void
control_ospf_ifnames(struct ospf *ospf, char *buf, size_t size)
{
	struct listnode		*node;
	struct ospf_interface	*oi;
	size_t			 off = 0;

	buf[0] = '\0';
	for (ALL_LIST_ELEMENTS_RO(ospf->oiflist, node, oi)) {
		if (oi->ifp == NULL || strstr(buf, oi->ifp->name) != NULL)
			continue;
		off += snprintf(buf + off, size - off, "%s%s",
		    off > 0 ? ", " : "", oi->ifp->name);
		if (off >= size)
			break;
	}
}

static int
control_check_ifnames(struct control_reply *r, struct ospf *ospf,
    const char **argv, int argc)
{
	struct interface	*ifp;
	char			 names[256];
	int			 i;

	for (i = 0; i < argc; i++) {
		ifp = if_lookup_by_name(argv[i], ospf->vrf_id);
		if (ifp != NULL && ospf_oi_count(ifp) > 0)
			continue;
		control_ospf_ifnames(ospf, names, sizeof(names));
		control_error(r, REPLY_E_NOTFOUND, "interface %s: %s; OSPF "
		    "runs on: %s", argv[i], ifp == NULL ? "no such interface" :
		    "OSPF is not enabled on it", names);
		return -1;
	}
	return 0;
}

/* Why lgr_args_decode refused a payload. */
static const char *
control_args_error(int err)
{
	switch (err) {
	case EBADMSG:
		return "the last argument is not NUL-terminated";
	case EINVAL:
		return "an empty argument";
	case ENAMETOOLONG:
		return "an argument is too long";
	case E2BIG:
		return "too many arguments";
	default:
		return strerror(err);
	}
}

static void
control_ifreq(struct control_reply *r, const struct lgr_msg *msg,
    control_ifop_fn op)
{
	const char		*argv[LGR_MAX_ARGS];
	struct json_object	*res;
	struct ospf		*ospf;
	int			 argc, i;

	argc = lgr_args_decode(msg->payload, msg->len, argv, LGR_MAX_ARGS);
	if (argc <= 0) {
		control_error(r, REPLY_E_BADARG, "%s needs 1 to %d interface "
		    "names, each NUL-terminated, 1 to %d characters%s%s",
		    lgr_type_name(msg->type), LGR_MAX_ARGS, LGR_MAX_ARGLEN,
		    argc == 0 ? "" : ": ", argc == 0 ? "" :
		    control_args_error(errno));
		return;
	}
	if ((ospf = control_ospf(r)) == NULL)
		return;
	if (control_check_ifnames(r, ospf, argv, argc) == -1)
		return;
	for (i = 0; i < argc; i++) {
		zlog_notice("%s %s %s by %s", LGR_MSG_AUDIT,
		    lgr_type_name(msg->type), argv[i], r->who);
		res = json_object_new_object();
		op(ospf, argv[i], res);
		control_data(r, res);
		json_object_put(res);
	}
	res = json_object_new_object();
	json_object_object_add(res, "count", json_object_new_int(argc));
	control_end(r, res);
}

static void
control_view(struct control_reply *r,
    struct json_object *(*view)(struct ospf *))
{
	struct ospf	*ospf;

	if ((ospf = control_ospf(r)) == NULL)
		return;
	control_array(r, view(ospf));
}

static void
control_dispatch(struct control_reply *r, const struct lgr_msg *msg)
{
	switch (msg->type) {
	case LGR_DRAIN:
		control_ifreq(r, msg, drain_request);
		break;
	case LGR_UNDRAIN:
		control_ifreq(r, msg, drain_undrain);
		break;
	case LGR_STATE:
		control_view(r, report_state);
		break;
	case LGR_ROUTES:
		control_view(r, report_routes);
		break;
	case LGR_LSDB:
		control_view(r, report_lsdb);
		break;
	case LGR_EVENTS:
		control_array(r, events_recent());
		break;
	default:
		control_error(r, REPLY_E_BADREQ, "request type %u is not a "
		    "request", msg->type);
		break;
	}
}

/*
 * A frame lgr_msg_decode refused: an unknown type is an unknown request,
 * anything else (short, length not the frame's, other version) is not a
 * message of this protocol.
 */
static void
control_bad_frame(struct control_reply *r, zmq_msg_t *zm, int err)
{
	const uint8_t	*p = zmq_msg_data(zm);
	size_t		 len = zmq_msg_size(zm);

	if (len < LGR_HDR_LEN)
		control_error(r, REPLY_E_BADMSG, "bad request: %zu bytes, a "
		    "message starts with an %d-byte header", len, LGR_HDR_LEN);
	else if (err == EPROTO)
		control_error(r, REPLY_E_BADMSG, "bad request: protocol "
		    "version %u, this is version %d", (unsigned)(p[0] << 8 |
		    p[1]), LGR_CTL_VERSION);
	else if (err == EPROTOTYPE)
		control_error(r, REPLY_E_BADREQ, "bad request: unknown "
		    "message type %u", (unsigned)(p[2] << 8 | p[3]));
	else
		control_error(r, REPLY_E_BADMSG, "bad request: the header "
		    "says %u payload bytes (at most %u), the frame has %zu",
		    (unsigned)p[4] << 24 | (unsigned)p[5] << 16 |
		    (unsigned)p[6] << 8 | p[7], LGR_MAX_PAYLOAD,
		    len - LGR_HDR_LEN);
}

/* zio callback: one request, one reply. */
static void
control_read(void *sock, void *arg)
{
	struct control_reply	 r = { .sock = sock };
	struct lgr_msg		 msg;
	zmq_msg_t		 zm;
	int			 more = 0, bad;
	size_t			 len = sizeof(more);

	(void)arg;
	zmq_msg_init(&zm);
	if (zmq_msg_recv(&zm, sock, ZMQ_DONTWAIT) == -1) {
		zmq_msg_close(&zm);
		return;
	}
	zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &len);
	bad = lgr_msg_decode(zmq_msg_data(&zm), zmq_msg_size(&zm), &msg);
	if (more) {
		/* Swallow the rest; a request is one frame. */
		while (more && zmq_msg_recv(&zm, sock, 0) != -1)
			zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &len);
		control_error(&r, REPLY_E_BADMSG, "a request is one frame");
	} else if (bad == -1)
		control_bad_frame(&r, &zm, errno);
	else if (!lgr_type_is_request(msg.type))
		control_error(&r, REPLY_E_BADREQ, "message type %s is not a "
		    "request", lgr_type_name(msg.type));
	else if ((r.who = control_role(&zm, msg.type)) == NULL) {
		zlog_warn("%s %s: %s refused for role %s", LGR_MSG_AUTH,
		    LGR_NAME, lgr_type_name(msg.type),
		    zmq_msg_gets(&zm, "User-Id") ?: "none");
		control_error(&r, REPLY_E_DENIED, "%s needs the operator role",
		    lgr_type_name(msg.type));
	} else
		control_dispatch(&r, &msg);
	zmq_msg_close(&zm);
}

int
control_open(const char *path)
{
	snprintf(control_path, sizeof(control_path), "%s", path);
	if ((control_sock = zio_bind(ZMQ_REP, control_path, "control socket",
	    control_secure)) == NULL ||
	    (control_zio = zio_attach(control_sock, control_read, NULL)) ==
	    NULL) {
		control_close();
		return -1;
	}
	return 0;
}

void
control_close(void)
{
	zio_detach(control_zio);
	control_zio = NULL;
	zio_detach(control_zap_zio);
	control_zap_zio = NULL;
	if (control_zap != NULL)
		zmq_close(control_zap);
	control_zap = NULL;
	if (control_sock != NULL) {
		zmq_close(control_sock);
		unlink(control_path);
	}
	control_sock = NULL;
}
