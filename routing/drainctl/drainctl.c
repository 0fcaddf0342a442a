/*
 * drainctl: control ospfd_lgr.so, the drain plugin of an ospfd.
 *
 *   drainctl [-j] [--lab LAB --router NODE | -s DIR] COMMAND
 *
 * One request per run over the module's control socket (DIR/lgr.ctl);
 * "events -f" then follows the event socket (DIR/lgr.ev).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <zmq.h>

#include "common/keys.h"
#include "drainctl.h"

#define NSLAB_RUN_DIR	"/run/nslab"
#define REPLY_TIMEOUT_MS 5000

struct options {
	const char	*lab;
	const char	*router;
	const char	*sockdir;
	const char	*role;		/* operator, viewer */
	const char	*keyfile;	/* secret key instead of a role */
	int		 json;
	int		 timeout_ms;
};

/* The client's CURVE identity when the lab has keys. */
struct client_keys {
	int			 enabled;
	struct keys_client	 kc;
};

static volatile sig_atomic_t	 stop;

static void
usage(FILE *f)
{
	fprintf(f, "usage: drainctl [-j] [--lab LAB --router NODE | -s DIR] "
	    "COMMAND\n"
	    "  COMMAND: %s\n"
	    "  -s, --socket-dir DIR  directory of the module's sockets "
	    "(lgr.ctl, lgr.ev)\n"
	    "  --lab LAB --router NODE  same as -s %s/LAB/NODE\n"
	    "  -j, --json            JSON output\n"
	    "  -r, --role ROLE       lab key to use: operator (default) or "
	    "viewer\n"
	    "  -k, --key FILE        secret key file instead of a role\n"
	    "  -t, --timeout MS      reply timeout (default %d)\n"
	    "  -h, --help            this text\n"
	    "  -V, --version         version\n", parse_synopsis(),
	    NSLAB_RUN_DIR, REPLY_TIMEOUT_MS);
}

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int
options_parse(int argc, char *argv[], struct options *o)
{
	static const struct option longopts[] = {
		{ "lab", required_argument, NULL, 'L' },
		{ "router", required_argument, NULL, 'R' },
		{ "socket-dir", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "role", required_argument, NULL, 'r' },
		{ "key", required_argument, NULL, 'k' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	char	*end;
	int	 c;

	/* "+": stop at the command; "events -f" belongs to the parser. */
	while ((c = getopt_long(argc, argv, "+s:jr:k:t:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'L':
			o->lab = optarg;
			break;
		case 'R':
			o->router = optarg;
			break;
		case 's':
			o->sockdir = optarg;
			break;
		case 'j':
			o->json = 1;
			break;
		case 'r':
			o->role = optarg;
			break;
		case 'k':
			o->keyfile = optarg;
			break;
		case 't':
			o->timeout_ms = (int)strtol(optarg, &end, 10);
			if (*end != '\0' || o->timeout_ms <= 0) {
				fprintf(stderr, "drainctl: timeout \"%s\" is "
				    "not a positive number of ms\n", optarg);
				return -1;
			}
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("drainctl %s (control protocol %d)\n",
			    LGR_VERSION, LGR_CTL_VERSION);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	return 0;
}

static int
sockdir_resolve(const struct options *o, char *dir, size_t size)
{
	if (o->sockdir != NULL && (o->lab != NULL || o->router != NULL)) {
		fprintf(stderr, "drainctl: give either -s DIR or --lab and "
		    "--router, not both\n");
		return -1;
	}
	if (o->sockdir != NULL) {
		snprintf(dir, size, "%s", o->sockdir);
		return 0;
	}
	if (o->lab == NULL || o->router == NULL) {
		fprintf(stderr, "drainctl: which router? give --lab LAB "
		    "--router NODE or -s DIR\n");
		return -1;
	}
	if (strchr(o->lab, '/') != NULL || strchr(o->router, '/') != NULL) {
		fprintf(stderr, "drainctl: lab and router names contain no "
		    "'/'\n");
		return -1;
	}
	snprintf(dir, size, "%s/%s/%s", NSLAB_RUN_DIR, o->lab, o->router);
	return 0;
}

/*
 * The lab's keys are in the parent of the router's directory; a lab
 * without keys runs its control sockets without authentication.
 */
static int
client_keys_load(const struct options *o, const char *dir,
    struct client_keys *ck)
{
	char	labdir[PATH_MAX], keydir[PATH_MAX + 8], *slash;
	struct stat st;

	ck->enabled = 0;
	snprintf(labdir, sizeof(labdir), "%s", dir);
	if ((slash = strrchr(labdir, '/')) != NULL && slash != labdir)
		*slash = '\0';
	else
		snprintf(labdir, sizeof(labdir), "%s", ".");
	snprintf(keydir, sizeof(keydir), "%s/%s", labdir, KEYS_DIR);
	if (stat(keydir, &st) == -1 && o->keyfile == NULL)
		return 0;
	if (keys_load_client(labdir, o->role, o->keyfile, &ck->kc) == -1) {
		fprintf(stderr, "drainctl: key %s in %s: %s\n", o->keyfile ?
		    o->keyfile : o->role, keydir, strerror(errno));
		return -1;
	}
	ck->enabled = 1;
	return 0;
}

static void *
sock_open(void *ctx, int type, const char *dir, const char *name,
    int timeout_ms, const struct client_keys *ck)
{
	char		 path[PATH_MAX], ep[PATH_MAX + 8];
	struct stat	 st;
	void		*s;
	int		 zero = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (stat(path, &st) == -1) {
		fprintf(stderr, "drainctl: %s: %s (is ospfd running with "
		    "-M ospfd_lgr.so:%s?)\n", path, strerror(errno), dir);
		return NULL;
	}
	snprintf(ep, sizeof(ep), "ipc://%s", path);
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
reply_read(void *s, const struct output *out, const char *dir,
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
			fprintf(stderr, "drainctl: no reply from %s/%s: %s\n",
			    dir, LABNAME_PLUGIN_SOCK, zmq_strerror(zmq_errno()));
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
run(const struct options *o, const struct parse_result *pr, const char *dir,
    const struct client_keys *ck)
{
	const struct output	*out;
	struct json_object	*last = NULL;
	void			*ctx = zmq_ctx_new(), *req, *sub = NULL;
	int			 rc, json = o->json || pr->json;

	if ((req = sock_open(ctx, ZMQ_REQ, dir, LABNAME_PLUGIN_SOCK,
	    o->timeout_ms, ck)) == NULL) {
		zmq_ctx_term(ctx);
		return EXIT_NOREPLY;
	}
	/* Subscribe before asking for the history: no gap between them. */
	if (pr->follow && (sub = sock_open(ctx, ZMQ_SUB, dir,
	    LABNAME_PLUGIN_EVENTS, 500, NULL)) == NULL)
		rc = EXIT_NOREPLY;
	else if (request_send(req, pr) == -1) {
		fprintf(stderr, "drainctl: request not sent: %s\n",
		    zmq_strerror(zmq_errno()));
		rc = EXIT_NOREPLY;
	} else {
		out = pr->follow ? output_stream(json) :
		    output_get(pr->action, json);
		rc = reply_read(req, out, dir, &last);
		if (rc == 0 && sub != NULL)
			rc = events_follow(sub, json, event_seq(last));
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
	struct options		 o = { .timeout_ms = REPLY_TIMEOUT_MS,
				    .role = "operator" };
	struct client_keys	 ck;
	struct parse_result	 pr;
	char			 dir[PATH_MAX], err[512];

	if (options_parse(argc, argv, &o) == -1)
		return EXIT_USAGE;
	if (parse(argc - optind, argv + optind, &pr, err, sizeof(err)) == -1) {
		fprintf(stderr, "drainctl: %s\n", err);
		fprintf(stderr, "usage: drainctl [options] %s\n",
		    parse_synopsis());
		return EXIT_USAGE;
	}
	if (sockdir_resolve(&o, dir, sizeof(dir)) == -1)
		return EXIT_USAGE;
	if (client_keys_load(&o, dir, &ck) == -1)
		return EXIT_USAGE;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	return run(&o, &pr, dir, &ck);
}
