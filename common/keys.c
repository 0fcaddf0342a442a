/*
 * keys.c: per-lab CURVE keys, roles and the ZAP handler (see keys.h).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "keys.h"

#define KEYS_ZAP_ENDPOINT	"inproc://zeromq.zap.01"
#define KEYS_ZAP_DOMAIN		"lgr"
#define KEYS_ZAP_FRAMES		7	/* version..mechanism, 1 credential */

static const char *const keys_names[] = { "server", "operator", "viewer",
    "orchestrator" };

static int
keys_path(const char *labdir, const char *name, const char *ext, char *buf,
    size_t len)
{
	int	n;

	n = snprintf(buf, len, "%s/%s/%s.%s", labdir, KEYS_DIR, name, ext);
	if (n < 0 || (size_t)n >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

static int
keys_write(const char *path, const char *key, bool force)
{
	int	fd, flags = O_WRONLY | O_CREAT | O_CLOEXEC;
	ssize_t	n;
	char	line[KEYS_Z85_LEN + 2];

	flags |= force ? O_TRUNC : O_EXCL;
	if ((fd = open(path, flags, 0600)) == -1)
		return -1;
	snprintf(line, sizeof(line), "%s\n", key);
	n = write(fd, line, strlen(line));
	if (n != (ssize_t)strlen(line) || fchmod(fd, 0600) == -1) {
		if (n >= 0)
			errno = EIO;
		close(fd);
		return -1;
	}
	return close(fd);
}

static int
keys_generate_one(const char *labdir, const char *name, bool force)
{
	char	pub[KEYS_Z85_LEN + 1], sec[KEYS_Z85_LEN + 1];
	char	ppath[PATH_MAX], spath[PATH_MAX];

	if (keys_path(labdir, name, "pub", ppath, sizeof(ppath)) == -1 ||
	    keys_path(labdir, name, "key", spath, sizeof(spath)) == -1)
		return -1;
	if (!force && access(spath, F_OK) == 0 && access(ppath, F_OK) == 0)
		return 0;
	if (zmq_curve_keypair(pub, sec) == -1)
		return -1;
	if (keys_write(spath, sec, true) == -1 ||
	    keys_write(ppath, pub, true) == -1)
		return -1;
	return 0;
}

int
keys_generate(const char *labdir, bool force)
{
	char	dir[PATH_MAX];
	size_t	i;
	int	n;

	if (!zmq_has("curve")) {
		errno = ENOTSUP;
		return -1;
	}
	n = snprintf(dir, sizeof(dir), "%s/%s", labdir, KEYS_DIR);
	if (n < 0 || (size_t)n >= sizeof(dir)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (mkdir(dir, 0700) == -1 && errno != EEXIST)
		return -1;
	if (chmod(dir, 0700) == -1)
		return -1;
	for (i = 0; i < sizeof(keys_names) / sizeof(keys_names[0]); i++)
		if (keys_generate_one(labdir, keys_names[i], force) == -1)
			return -1;
	return 0;
}

static bool
keys_z85_valid(const char *s)
{
	static const char	z85[] = "0123456789abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
	size_t			i;

	for (i = 0; i < KEYS_Z85_LEN; i++)
		if (s[i] == '\0' || strchr(z85, s[i]) == NULL)
			return false;
	return s[KEYS_Z85_LEN] == '\0';
}

int
keys_read(const char *path, char *out)
{
	struct stat	st;
	char		buf[KEYS_Z85_LEN + 8];
	ssize_t		n;
	int		fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, &st) == -1 || (st.st_mode & 077) != 0) {
		if ((st.st_mode & 077) != 0)
			errno = EPERM;
		close(fd);
		return -1;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (!keys_z85_valid(buf)) {
		errno = EINVAL;
		return -1;
	}
	memcpy(out, buf, KEYS_Z85_LEN + 1);
	return 0;
}

static int
keys_read_named(const char *labdir, const char *name, const char *ext,
    char *out)
{
	char	path[PATH_MAX];

	if (keys_path(labdir, name, ext, path, sizeof(path)) == -1)
		return -1;
	return keys_read(path, out);
}

int
keys_load_server(const char *labdir, struct keys_set *ks)
{
	memset(ks, 0, sizeof(*ks));
	if (keys_read_named(labdir, "server", "pub", ks->server_public) == -1 ||
	    keys_read_named(labdir, "server", "key", ks->server_secret) == -1 ||
	    keys_read_named(labdir, "operator", "pub",
	    ks->operator_public) == -1 ||
	    keys_read_named(labdir, "viewer", "pub", ks->viewer_public) == -1 ||
	    keys_read_named(labdir, "orchestrator", "pub",
	    ks->orchestrator_public) == -1)
		return -1;
	return 0;
}

int
keys_load_client(const char *labdir, const char *role, const char *secret_path,
    struct keys_client *kc)
{
	memset(kc, 0, sizeof(*kc));
	if (keys_read_named(labdir, "server", "pub", kc->server_public) == -1)
		return -1;
	if (secret_path != NULL) {
		if (keys_read(secret_path, kc->secret) == -1)
			return -1;
	} else {
		if (role == NULL || (strcmp(role, "operator") != 0 &&
		    strcmp(role, "viewer") != 0 &&
		    strcmp(role, "orchestrator") != 0 &&
		    strcmp(role, "server") != 0)) {
			errno = EINVAL;
			return -1;
		}
		if (keys_read_named(labdir, role, "key", kc->secret) == -1)
			return -1;
	}
	if (zmq_curve_public(kc->public, kc->secret) == -1)
		return -1;
	return 0;
}

enum keys_role
keys_role_of(const struct keys_set *ks, const char *public)
{
	if (strcmp(public, ks->operator_public) == 0)
		return KEYS_ROLE_OPERATOR;
	if (strcmp(public, ks->viewer_public) == 0)
		return KEYS_ROLE_VIEWER;
	if (strcmp(public, ks->server_public) == 0)
		return KEYS_ROLE_SERVER;
	if (strcmp(public, ks->orchestrator_public) == 0)
		return KEYS_ROLE_ORCHESTRATOR;
	return KEYS_ROLE_NONE;
}

const char *
keys_role_name(enum keys_role role)
{
	switch (role) {
	case KEYS_ROLE_VIEWER:
		return "viewer";
	case KEYS_ROLE_OPERATOR:
		return "operator";
	case KEYS_ROLE_SERVER:
		return "server";
	case KEYS_ROLE_ORCHESTRATOR:
		return "orchestrator";
	default:
		return "none";
	}
}

int
keys_server_setup(void *sock, const struct keys_set *ks)
{
	int	one = 1;

	if (zmq_setsockopt(sock, ZMQ_CURVE_SERVER, &one, sizeof(one)) == -1 ||
	    zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, ks->server_secret,
	    KEYS_Z85_LEN) == -1 ||
	    zmq_setsockopt(sock, ZMQ_ZAP_DOMAIN, KEYS_ZAP_DOMAIN,
	    strlen(KEYS_ZAP_DOMAIN)) == -1)
		return -1;
	return 0;
}

int
keys_client_setup(void *sock, const struct keys_client *kc)
{
	if (zmq_setsockopt(sock, ZMQ_CURVE_SERVERKEY, kc->server_public,
	    KEYS_Z85_LEN) == -1 ||
	    zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, kc->public,
	    KEYS_Z85_LEN) == -1 ||
	    zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, kc->secret,
	    KEYS_Z85_LEN) == -1)
		return -1;
	return 0;
}

void *
keys_zap_open(void *ctx)
{
	void	*zap;

	if ((zap = zmq_socket(ctx, ZMQ_REP)) == NULL)
		return NULL;
	if (zmq_bind(zap, KEYS_ZAP_ENDPOINT) == -1) {
		zmq_close(zap);
		return NULL;
	}
	return zap;
}

/* Receive one ZAP request, frame by frame, bounded. */
static int
keys_zap_recv(void *zap, zmq_msg_t *f, int *nf)
{
	int	more = 1, n = 0;
	size_t	len = sizeof(more);

	while (more) {
		if (n >= KEYS_ZAP_FRAMES) {
			zmq_msg_t	drop;

			zmq_msg_init(&drop);
			if (zmq_msg_recv(&drop, zap, 0) == -1)
				return -1;
			more = zmq_msg_more(&drop);
			zmq_msg_close(&drop);
			*nf = KEYS_ZAP_FRAMES + 1;
			continue;
		}
		zmq_msg_init(&f[n]);
		*nf = ++n;
		if (zmq_msg_recv(&f[n - 1], zap, 0) == -1)
			return -1;
		zmq_getsockopt(zap, ZMQ_RCVMORE, &more, &len);
	}
	return 0;
}

static void
keys_zap_str(zmq_msg_t *f, char *buf, size_t len)
{
	size_t	n = zmq_msg_size(f);

	if (n >= len)
		n = len - 1;
	memcpy(buf, zmq_msg_data(f), n);
	buf[n] = '\0';
}

static int
keys_zap_reply(void *zap, zmq_msg_t *reqid, bool ok, const char *user)
{
	const char	*code = ok ? "200" : "400";
	const char	*text = ok ? "OK" : "unknown key";

	if (zmq_send(zap, "1.0", 3, ZMQ_SNDMORE) == -1 ||
	    zmq_send(zap, zmq_msg_data(reqid), zmq_msg_size(reqid),
	    ZMQ_SNDMORE) == -1 ||
	    zmq_send(zap, code, 3, ZMQ_SNDMORE) == -1 ||
	    zmq_send(zap, text, strlen(text), ZMQ_SNDMORE) == -1 ||
	    zmq_send(zap, user, strlen(user), ZMQ_SNDMORE) == -1 ||
	    zmq_send(zap, "", 0, 0) == -1)
		return -1;
	return 0;
}

static void
keys_zap_decide(zmq_msg_t *f, int nf, const struct keys_set *ks,
    struct keys_zap_result *r, char *mech, size_t mlen, char *addr,
    size_t alen)
{
	memset(r, 0, sizeof(*r));
	keys_zap_str(&f[3], addr, alen);
	keys_zap_str(&f[5], mech, mlen);
	r->mechanism = mech;
	r->address = addr;
	r->role = KEYS_ROLE_NONE;
	if (strcmp(mech, "CURVE") == 0 && nf == KEYS_ZAP_FRAMES &&
	    zmq_msg_size(&f[6]) == 32) {
		zmq_z85_encode(r->public, zmq_msg_data(&f[6]), 32);
		r->role = keys_role_of(ks, r->public);
	}
	r->accepted = r->role != KEYS_ROLE_NONE;
}

int
keys_zap_handle(void *zap, const struct keys_set *ks, keys_zap_cb cb,
    void *arg)
{
	zmq_msg_t		f[KEYS_ZAP_FRAMES];
	struct keys_zap_result	r;
	char			mech[32], addr[128];
	int			i, nf = 0, rc = -1;

	if (keys_zap_recv(zap, f, &nf) == -1)
		goto out;
	if (nf < 6 || nf > KEYS_ZAP_FRAMES) {
		/* A reply is still owed to keep the REP socket in step. */
		errno = EPROTO;
		if (nf >= 2)
			keys_zap_reply(zap, &f[1], false, "");
		goto out;
	}
	keys_zap_decide(f, nf, ks, &r, mech, sizeof(mech), addr, sizeof(addr));
	if (cb != NULL)
		cb(&r, arg);
	rc = keys_zap_reply(zap, &f[1], r.accepted,
	    r.accepted ? keys_role_name(r.role) : "");
out:
	for (i = 0; i < nf && i < KEYS_ZAP_FRAMES; i++)
		zmq_msg_close(&f[i]);
	return rc;
}
