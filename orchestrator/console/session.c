/*
 * session.c: one-time tokens, sessions, CSRF tokens and request rates.
 *
 * A token (128 random bits) is made for a role by console_url and lives
 * token_ttl seconds; the first login with it removes it and opens a
 * session: a secret cookie (128 bits), a CSRF token (128 bits) and a
 * public id for the audit log (64 bits), all from getrandom.  A session
 * idle longer than idle_max is gone; when the table is full the least
 * recently used one makes room.  Each session has a token bucket of
 * `burst` requests refilled at `rate` per second.  Failed logins share
 * one bucket (LOGIN_FAIL_BURST, refilled at LOGIN_FAIL_RATE a second);
 * while it is empty every login is refused, so tokens cannot be guessed
 * at speed.  One mutex guards the tables; callers get copies.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "console_impl.h"

#define LOGIN_FAIL_BURST	10
#define LOGIN_FAIL_RATE		1.0

struct token {
	char			 value[SECRET_HEX];
	enum console_role	 role;
	double			 expires;
	bool			 used;
};

struct session {
	struct session_info	 info;
	double			 last;		/* monotonic seconds */
	double			 bucket;	/* requests left */
	bool			 used;
};

struct sessions {
	pthread_mutex_t		 lock;
	struct token		 tokens[TOKENS_MAX];
	struct session		*s;
	unsigned		 max;
	double			 ttl, idle, rate, burst;
	double			 fail_bucket, fail_last;
};

static double
sessions_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
sessions_random(char *out, size_t bytes)
{
	unsigned char	raw[32];
	size_t		got = 0;

	if (bytes > sizeof(raw)) {
		errno = EINVAL;
		return -1;
	}
	while (got < bytes) {
		ssize_t	n = getrandom(raw + got, bytes - got, 0);

		if (n < 0 && errno != EINTR)
			return -1;
		if (n > 0)
			got += n;
	}
	for (size_t i = 0; i < bytes; i++)
		sprintf(out + 2 * i, "%02x", raw[i]);
	return 0;
}

bool
sessions_equal(const char *a, const char *b)
{
	size_t		la = strlen(a), lb = strlen(b);
	unsigned char	diff = la != lb;

	for (size_t i = 0; i < la && i < lb; i++)
		diff |= (unsigned char)a[i] ^ (unsigned char)b[i];
	return diff == 0;
}

struct sessions *
sessions_new(const struct console_options *o)
{
	struct sessions	*ss;

	if ((ss = calloc(1, sizeof(*ss))) == NULL)
		return NULL;
	if ((ss->s = calloc(o->sessions_max, sizeof(*ss->s))) == NULL) {
		free(ss);
		return NULL;
	}
	pthread_mutex_init(&ss->lock, NULL);
	ss->max = o->sessions_max;
	ss->ttl = o->token_ttl;
	ss->idle = o->idle_max;
	ss->rate = o->rate;
	ss->burst = o->burst;
	ss->fail_bucket = LOGIN_FAIL_BURST;
	ss->fail_last = sessions_now();
	return ss;
}

void
sessions_free(struct sessions *ss)
{
	if (ss == NULL)
		return;
	explicit_bzero(ss->tokens, sizeof(ss->tokens));
	explicit_bzero(ss->s, ss->max * sizeof(*ss->s));
	pthread_mutex_destroy(&ss->lock);
	free(ss->s);
	free(ss);
}

/* Forget expired tokens and idle sessions; lock held. */
static void
sessions_expire(struct sessions *ss, double now)
{
	for (size_t i = 0; i < TOKENS_MAX; i++)
		if (ss->tokens[i].used && ss->tokens[i].expires < now)
			explicit_bzero(&ss->tokens[i], sizeof(ss->tokens[i]));
	for (unsigned i = 0; i < ss->max; i++)
		if (ss->s[i].used && now - ss->s[i].last > ss->idle)
			explicit_bzero(&ss->s[i], sizeof(ss->s[i]));
}

int
sessions_token(struct sessions *ss, enum console_role role,
    char out[SECRET_HEX])
{
	struct token	*t = NULL;
	double		 now = sessions_now();

	pthread_mutex_lock(&ss->lock);
	sessions_expire(ss, now);
	for (size_t i = 0; i < TOKENS_MAX && t == NULL; i++)
		if (!ss->tokens[i].used)
			t = &ss->tokens[i];
	if (t == NULL || sessions_random(t->value, 16) == -1) {
		pthread_mutex_unlock(&ss->lock);
		errno = ENOSPC;
		return -1;
	}
	t->used = true;
	t->role = role;
	t->expires = now + ss->ttl;
	memcpy(out, t->value, SECRET_HEX);
	pthread_mutex_unlock(&ss->lock);
	return 0;
}

/* A free slot, or the least recently used session's; lock held. */
static struct session *
sessions_slot(struct sessions *ss)
{
	struct session	*lru = &ss->s[0];

	for (unsigned i = 0; i < ss->max; i++) {
		if (!ss->s[i].used)
			return &ss->s[i];
		if (ss->s[i].last < lru->last)
			lru = &ss->s[i];
	}
	explicit_bzero(lru, sizeof(*lru));
	return lru;
}

static struct token *
sessions_token_find(struct sessions *ss, const char *value)
{
	for (size_t i = 0; i < TOKENS_MAX; i++)
		if (ss->tokens[i].used &&
		    sessions_equal(ss->tokens[i].value, value))
			return &ss->tokens[i];
	return NULL;
}

/* Refill the failed logins' bucket; false while it is empty. */
static bool
sessions_login_allowed(struct sessions *ss, double now)
{
	ss->fail_bucket += (now - ss->fail_last) * LOGIN_FAIL_RATE;
	if (ss->fail_bucket > LOGIN_FAIL_BURST)
		ss->fail_bucket = LOGIN_FAIL_BURST;
	ss->fail_last = now;
	return ss->fail_bucket >= 1;
}

int
sessions_login(struct sessions *ss, const char *token,
    struct session_info *out)
{
	struct token	*t;
	struct session	*s;
	double		 now = sessions_now();

	pthread_mutex_lock(&ss->lock);
	sessions_expire(ss, now);
	if (!sessions_login_allowed(ss, now)) {
		pthread_mutex_unlock(&ss->lock);
		errno = EBUSY;
		return -1;
	}
	if ((t = sessions_token_find(ss, token)) == NULL) {
		ss->fail_bucket -= 1;
		pthread_mutex_unlock(&ss->lock);
		errno = ENOENT;
		return -1;
	}
	s = sessions_slot(ss);
	if (sessions_random(s->info.cookie, 16) == -1 ||
	    sessions_random(s->info.csrf, 16) == -1 ||
	    sessions_random(s->info.id, 8) == -1) {
		explicit_bzero(s, sizeof(*s));
		pthread_mutex_unlock(&ss->lock);
		return -1;
	}
	s->info.role = t->role;
	s->used = true;
	s->last = now;
	s->bucket = ss->burst;
	explicit_bzero(t, sizeof(*t));
	*out = s->info;
	pthread_mutex_unlock(&ss->lock);
	return 0;
}

static struct session *
sessions_find(struct sessions *ss, const char *cookie)
{
	if (cookie == NULL)
		return NULL;
	for (unsigned i = 0; i < ss->max; i++)
		if (ss->s[i].used && sessions_equal(ss->s[i].info.cookie, cookie))
			return &ss->s[i];
	return NULL;
}

/* Refill the bucket for the time since the last request, take one. */
static bool
sessions_take(struct sessions *ss, struct session *s, double now)
{
	s->bucket += (now - s->last) * ss->rate;
	if (s->bucket > ss->burst)
		s->bucket = ss->burst;
	s->last = now;
	if (s->bucket < 1)
		return false;
	s->bucket -= 1;
	return true;
}

int
sessions_enter(struct sessions *ss, const char *cookie,
    struct session_info *out)
{
	struct session	*s;
	double		 now = sessions_now();
	int		 rc = 0;

	pthread_mutex_lock(&ss->lock);
	sessions_expire(ss, now);
	if ((s = sessions_find(ss, cookie)) == NULL) {
		errno = ENOENT;
		rc = -1;
	} else if (!sessions_take(ss, s, now)) {
		errno = EBUSY;
		rc = -1;
	}
	if (s != NULL)
		*out = s->info;
	pthread_mutex_unlock(&ss->lock);
	return rc;
}

bool
sessions_alive(struct sessions *ss, const char *cookie)
{
	bool	alive;

	pthread_mutex_lock(&ss->lock);
	sessions_expire(ss, sessions_now());
	alive = sessions_find(ss, cookie) != NULL;
	pthread_mutex_unlock(&ss->lock);
	return alive;
}
