/*
 * drainctl: control ospfd_lgr.so, the drain plugin of an ospfd.
 *
 *   drainctl [-j] [-s DIR | --lab LAB --router NODE] COMMAND
 *
 * One request per run over the module's control socket
 * (labname_plugin_sock); "events -f" then follows its event socket
 * (labname_plugin_events).  The options go before or after the command.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <zmq.h>

#include "drainctl.h"
#include "keys.h"
#include "sig.h"

/* The router asked: its lab's directory and its node name. */
struct target {
	char		 labdir[PATH_MAX];
	const char	*node;
	char		 ctl[PATH_MAX];		/* control socket */
	char		 ev[PATH_MAX];		/* event socket */
};

/* The client's CURVE identity when the lab has keys. */
struct client_keys {
	int			 enabled;
	struct keys_client	 kc;
};

static volatile sig_atomic_t	 stop;

static void
usage(void)
{
	cli_usage(&parse_spec, stdout);
	printf("options:\n"
	    "  -s, --socket-dir DIR  the router's directory, where the "
	    "module's sockets are\n"
	    "                        (%s, %s)\n"
	    "  --lab LAB --router NODE  same as -s %s/LAB/NODE\n"
	    "  -j, --json            JSON output\n"
	    "  -r, --role ROLE       lab key to use: operator (default) or "
	    "viewer\n"
	    "  -k, --key FILE        secret key file instead of a role\n"
	    "  -t, --timeout MS      reply timeout (default %d)\n"
	    "  -h, --help            this text\n"
	    "  --version             version\n", LABNAME_PLUGIN_SOCK,
	    LABNAME_PLUGIN_EVENTS, labname_rundir(), PARSE_TIMEOUT_MS);
}

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* DIR (-s) or the lab's directory and the node, then the socket paths. */
static int
target_resolve(const struct parse_result *pr, struct target *t)
{
	const char	*slash;

	if (pr->sockdir != NULL && (pr->lab != NULL || pr->router != NULL)) {
		fprintf(stderr, "drainctl: give either -s DIR or --lab and "
		    "--router, not both\n");
		return -1;
	}
	if (pr->sockdir == NULL && (pr->lab == NULL || pr->router == NULL)) {
		fprintf(stderr, "drainctl: which router? give --lab LAB "
		    "--router NODE or -s DIR\n");
		return -1;
	}
	if (pr->sockdir == NULL) {
		labname_labdir(pr->lab, t->labdir, sizeof(t->labdir));
		t->node = pr->router;
	} else if ((slash = strrchr(pr->sockdir, '/')) == NULL) {
		snprintf(t->labdir, sizeof(t->labdir), ".");
		t->node = pr->sockdir;
	} else {
		snprintf(t->labdir, sizeof(t->labdir), "%.*s",
		    (int)(slash - pr->sockdir), pr->sockdir);
		t->node = slash + 1;
	}
	if (labname_plugin_sock(t->labdir, t->node, t->ctl, sizeof(t->ctl)) ==
	    NULL || labname_plugin_events(t->labdir, t->node, t->ev,
	    sizeof(t->ev)) == NULL) {
		fprintf(stderr, "drainctl: %s/%s: path too long\n",
		    t->labdir, t->node);
		return -1;
	}
	return 0;
}

/*
 * The lab's keys are in the parent of the router's directory; a lab
 * without keys runs its control sockets without authentication.
 */
static int
client_keys_load(const struct parse_result *pr, const struct target *t,
    struct client_keys *ck)
{
	char		keydir[PATH_MAX + 8];
	struct stat	st;

	ck->enabled = 0;
	snprintf(keydir, sizeof(keydir), "%s/%s", t->labdir, KEYS_DIR);
	if (stat(keydir, &st) == -1 && pr->keyfile == NULL)
		return 0;
	if (keys_load_client(t->labdir, pr->role, pr->keyfile, &ck->kc) ==
	    -1) {
		fprintf(stderr, "drainctl: key %s in %s: %s\n", pr->keyfile ?
		    pr->keyfile : pr->role, keydir, strerror(errno));
		return -1;
	}
	ck->enabled = 1;
	return 0;
}

static void *
sock_open(void *ctx, int type, const struct target *t, const char *path,
    int timeout_ms, const struct client_keys *ck)
{
	char		 ep[PATH_MAX + 8];
	struct stat	 st;
	void		*s;
	int		 zero = 0;

	if (stat(path, &st) == -1) {
		fprintf(stderr, "drainctl: %s: %s (is ospfd running with "
		    "-M ospfd_lgr.so:%s/%s?)\n", path, strerror(errno),
		    t->labdir, t->node);
		return NULL;
	}
	labname_ipc(path, ep, sizeof(ep));
	if ((s = zmq_socket(ctx, type)) == NULL)
		return NULL;
	zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof(zero));
	zmq_setsockopt(s, ZMQ_RCVTIMEO, &timeout_ms, sizeof(timeout_ms));
	if (type == ZMQ_SUB)
		zmq_setsockopt(s, ZMQ_SUBSCRIBE, "", 0);
	if (ck != NULL && ck->enabled && keys_client_setup(s, &ck->kc) == -1) {
		fprintf(stderr, "drainctl: CURVE setup: %s\n",
		    zmq_strerror(zmq_errno()));
		zmq_close(s);
		return NULL;
	}
	if (zmq_connect(s, ep) == -1) {
		fprintf(stderr, "drainctl: %s: %s\n", ep,
		    zmq_strerror(zmq_errno()));
		zmq_close(s);
		return NULL;
	}
	return s;
}

static int
request_send(void *s, const struct parse_result *pr)
{
	char		args[LGR_MAX_ARGS * (LGR_MAX_ARGLEN + 1)];
	uint8_t		buf[sizeof(args) + LGR_HDR_LEN];
	ssize_t		alen, n;

	alen = lgr_args_encode(args, sizeof(args), pr->nifs,
	    pr->ifs);
	if (alen == -1)
		return -1;
	n = lgr_msg_encode(buf, sizeof(buf), (uint16_t)pr->action, args,
	    (size_t)alen);
	if (n == -1 || zmq_send(s, buf, (size_t)n, 0) == -1)
		return -1;
	return 0;
}

static int
reply_error(const struct lgr_msg *m)
{
	uint32_t	 code;
	const char	*text;

	if (lgr_error_decode(m->payload, m->len, &code, &text) == -1) {
		fprintf(stderr, "drainctl: malformed error reply\n");
		return EXIT_REFUSED;
	}
	fprintf(stderr, "drainctl: %s (%u %s)\n", text, code,
	    reply_name((int)code));
	return EXIT_REFUSED;
}

static int
reply_data(const struct lgr_msg *m, const struct output *out,
    struct json_object **last)
{
	struct json_object	*o;
	struct json_tokener	*tok = json_tokener_new();

	o = json_tokener_parse_ex(tok, (const char *)m->payload, (int)m->len);
	json_tokener_free(tok);
	if (o == NULL && m->len > 0) {
		fprintf(stderr, "drainctl: reply is not JSON\n");
		return -1;
	}
	if (m->type == LGR_DATA) {
		out->item(o);
		if (last != NULL) {
			json_object_put(*last);
			*last = json_object_get(o);
		}
	} else
		out->tail(o);
	json_object_put(o);
	return 0;
}

/* Receives one reply (all its frames).  Returns an exit code. */
static int
reply_read(void *s, const struct output *out, const char *path,
    struct json_object **last)
{
	struct lgr_msg	 m;
	zmq_msg_t	 zm;
	int		 rc = -1, more = 1;
	size_t		 len = sizeof(more);

	out->head();
	while (more) {
		zmq_msg_init(&zm);
		if (zmq_msg_recv(&zm, s, 0) == -1) {
			fprintf(stderr, "drainctl: no reply from %s: %s\n",
			    path, zmq_strerror(zmq_errno()));
			zmq_msg_close(&zm);
			return EXIT_NOREPLY;
		}
		zmq_getsockopt(s, ZMQ_RCVMORE, &more, &len);
		if (lgr_msg_decode(zmq_msg_data(&zm), zmq_msg_size(&zm),
		    &m) == -1) {
			fprintf(stderr, "drainctl: malformed reply: %s\n",
			    strerror(errno));
			rc = EXIT_REFUSED;
		} else if (m.type == LGR_ERROR)
			rc = reply_error(&m);
		else if (m.type == LGR_DATA || m.type == LGR_END) {
			if (reply_data(&m, out, last) == -1)
				rc = EXIT_REFUSED;
			else if (m.type == LGR_END && rc == -1)
				rc = 0;
		}
		zmq_msg_close(&zm);
	}
	return rc == -1 ? EXIT_REFUSED : rc;
}

static int64_t
event_seq(struct json_object *ev)
{
	struct json_object	*v;

	if (ev == NULL || !json_object_object_get_ex(ev, "seq", &v))
		return 0;
	return json_object_get_int64(v);
}

/* Events after the history: skip what the history already showed (seq up
 * to seen) until the first new one; ospfd restarts count from 1 again. */
static int
events_follow(void *sub, int json, int64_t seen)
{
	struct json_object	*ev;
	char			 buf[1 << 16];
	int			 n, more;
	size_t			 len = sizeof(more);

	while (!stop) {
		if ((n = zmq_recv(sub, buf, sizeof(buf) - 1, 0)) == -1) {
			if (zmq_errno() == EAGAIN || zmq_errno() == EINTR)
				continue;
			return EXIT_NOREPLY;
		}
		more = 0;
		zmq_getsockopt(sub, ZMQ_RCVMORE, &more, &len);
		if (!more)
			continue;	/* topic frame expected first */
		if ((n = zmq_recv(sub, buf, sizeof(buf) - 1, 0)) == -1)
			continue;
		buf[n < (int)sizeof(buf) - 1 ? n : (int)sizeof(buf) - 1] = '\0';
		if ((ev = json_tokener_parse(buf)) == NULL)
			continue;
		if (event_seq(ev) > seen) {
			output_event(ev, json);
			seen = 0;
		}
		json_object_put(ev);
	}
	return 0;
}

static int
run(const struct parse_result *pr, const struct target *t,
    const struct client_keys *ck)
{
	const struct output	*out;
	struct json_object	*last = NULL;
	void			*ctx = zmq_ctx_new(), *req, *sub = NULL;
	int			 rc;

	if ((req = sock_open(ctx, ZMQ_REQ, t, t->ctl, pr->timeout_ms,
	    ck)) == NULL) {
		zmq_ctx_term(ctx);
		return EXIT_NOREPLY;
	}
	/* Subscribe before asking for the history: no gap between them. */
	if (pr->follow && (sub = sock_open(ctx, ZMQ_SUB, t, t->ev, 500,
	    NULL)) == NULL)
		rc = EXIT_NOREPLY;
	else if (request_send(req, pr) == -1) {
		fprintf(stderr, "drainctl: request not sent: %s\n",
		    zmq_strerror(zmq_errno()));
		rc = EXIT_NOREPLY;
	} else {
		out = pr->follow ? output_stream(pr->json) :
		    output_get(pr->action, pr->json);
		rc = reply_read(req, out, t->ctl, &last);
		if (rc == 0 && sub != NULL)
			rc = events_follow(sub, pr->json, event_seq(last));
	}
	json_object_put(last);
	if (sub != NULL)
		zmq_close(sub);
	zmq_close(req);
	zmq_ctx_term(ctx);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct parse_result	 pr;
	struct client_keys	 ck;
	struct target		 t;
	char			 err[CLI_ERRLEN];

	if (parse(argc, argv, &pr, err, sizeof(err)) == -1) {
		fprintf(stderr, "drainctl: %s\ntry 'drainctl --help'\n", err);
		return EXIT_USAGE;
	}
	if (pr.help) {
		usage();
		return 0;
	}
	if (pr.version) {
		printf("drainctl %s (control protocol %d)\n", LGR_VERSION,
		    LGR_CTL_VERSION);
		return 0;
	}
	if (target_resolve(&pr, &t) == -1 || client_keys_load(&pr, &t,
	    &ck) == -1)
		return EXIT_USAGE;
	sig_setup(on_signal, false);
	return run(&pr, &t, &ck);
}
