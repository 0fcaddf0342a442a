/*
 * keys.h: the per-lab CURVE keys and the roles they map to.
 *
 * Every ZeroMQ socket that accepts commands is CURVE-authenticated with
 * keys generated once per lab into LABDIR/keys/:
 *
 *   server.key server.pub	the lab's server keypair (every daemon)
 *   operator.key operator.pub	a client allowed to change state
 *   viewer.key viewer.pub	a client allowed only to read
 *   orchestrator.key .pub	lgrd: changes state, the only key the guest
 *				agents accept
 *
 * Each file holds one Z85 key (40 characters) and a newline, mode 0600.
 * A key file readable or writable by group or others is refused.
 *
 * The functions never print and never exit: they return 0 or a pointer,
 * or -1/NULL with errno set as documented.
 */
#ifndef LGR_KEYS_H
#define LGR_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#define KEYS_Z85_LEN	40		/* text form of a 32-byte key */
#define KEYS_DIR	"keys"

enum keys_role {
	KEYS_ROLE_NONE = 0,		/* unknown key: refused */
	KEYS_ROLE_VIEWER,		/* may read */
	KEYS_ROLE_OPERATOR,		/* may read and change state */
	KEYS_ROLE_SERVER,		/* a daemon of the lab talking to another */
	KEYS_ROLE_ORCHESTRATOR,		/* lgrd */
};

/* A lab's keys as a daemon needs them: its secret, the clients' publics. */
struct keys_set {
	char	server_public[KEYS_Z85_LEN + 1];
	char	server_secret[KEYS_Z85_LEN + 1];
	char	operator_public[KEYS_Z85_LEN + 1];
	char	viewer_public[KEYS_Z85_LEN + 1];
	char	orchestrator_public[KEYS_Z85_LEN + 1];
};

/* A client's keypair, and the server public key it must talk to. */
struct keys_client {
	char	public[KEYS_Z85_LEN + 1];
	char	secret[KEYS_Z85_LEN + 1];
	char	server_public[KEYS_Z85_LEN + 1];
};

/*
 * Generate every keypair into LABDIR/keys (created 0700).  Existing key
 * files are kept unless force is set.  Returns 0, or -1 with errno from
 * the failing system call (ENOTSUP: libzmq built without CURVE).
 */
int		 keys_generate(const char *labdir, bool force);

/*
 * Read one key file into out (KEYS_Z85_LEN + 1 bytes).  Returns 0, or -1
 * with errno EPERM when the file is accessible by group or others,
 * EINVAL when it does not hold a Z85 key, or the errno of open/read.
 */
int		 keys_read(const char *path, char *out);

/* Load the server's view of LABDIR/keys.  Returns 0 or -1 (keys_read). */
int		 keys_load_server(const char *labdir, struct keys_set *ks);

/*
 * Load a client identity: role "operator", "viewer", "orchestrator" or
 * "server" (a daemon talking to another) from LABDIR/keys,
 * or, when secret_path is not NULL, the secret key in that file (its
 * public key is derived).  Returns 0 or -1 (keys_read; EINVAL for an
 * unknown role).
 */
int		 keys_load_client(const char *labdir, const char *role,
		    const char *secret_path, struct keys_client *kc);

/* The role of a client public key (Z85), KEYS_ROLE_NONE if unknown. */
enum keys_role	 keys_role_of(const struct keys_set *ks, const char *public);
const char	*keys_role_name(enum keys_role role);

/*
 * Socket options.  keys_server_setup() makes sock a CURVE server in ZAP
 * domain "lgr"; keys_client_setup() makes it a CURVE client of the lab's
 * server.  Return 0 or -1 with zmq's errno.
 */
int		 keys_server_setup(void *sock, const struct keys_set *ks);
int		 keys_client_setup(void *sock, const struct keys_client *kc);

/*
 * ZAP (RFC 27) handler.  keys_zap_open() binds the ZAP endpoint of the
 * context (one per context) and returns the socket, or NULL.  Poll it
 * for input and call keys_zap_handle() on each request: it accepts a
 * CURVE client whose key has a role, with that role's name as User-Id
 * (read it back with zmq_msg_gets(msg, "User-Id")), and refuses every
 * other one.  The decision is reported to cb (may be NULL), so that the
 * caller can audit refusals.  Returns 0, or -1 on a malformed request or
 * a socket error (errno set).
 */
struct keys_zap_result {
	const char	*mechanism;	/* "CURVE", "NULL", ... */
	const char	*address;	/* peer address as zmq saw it */
	char		 public[KEYS_Z85_LEN + 1];	/* "" if none */
	enum keys_role	 role;
	bool		 accepted;
};
typedef void (*keys_zap_cb)(const struct keys_zap_result *r, void *arg);

void		*keys_zap_open(void *ctx);
int		 keys_zap_handle(void *zap, const struct keys_set *ks,
		    keys_zap_cb cb, void *arg);

#endif
