/*
 * journal.c: the agent's journal, one small JSON object in
 * LABDIR/GUEST/agent.journal:
 *
 *   {"version":1,"state":"PREPARED","member":"VM9","since_ms":...,
 *    "prepared_ms":...,"drained":["hsi0"]}
 *
 * Written to a temporary file beside it, synced, renamed over it, and
 * the directory synced: a reader (the agent after a SIGKILL or a power
 * cut) sees the old journal or the new one, never a mix.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"
#include "msg.h"

#define JOURNAL_VERSION	1
#define JOURNAL_MAX	4096

static struct json_object *
journal_json(const struct journal *j)
{
	struct json_object	*o, *arr;
	size_t			 i;

	o = json_object_new_object();
	msg_put_i64(o, "version", JOURNAL_VERSION);
	msg_put_str(o, "state", fsm_state_name(j->state));
	msg_put_str(o, "member", j->member);
	msg_put_i64(o, "since_ms", j->since_ms);
	msg_put_i64(o, "prepared_ms", j->prepared_ms);
	arr = json_object_new_array();
	for (i = 0; i < j->ndrained; i++)
		json_object_array_add(arr, json_object_new_string(
		    j->drained[i]));
	json_object_object_add(o, "drained", arr);
	return o;
}

static int
journal_write_fd(int fd, const char *text, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		if ((n = write(fd, text, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		text += n;
		len -= (size_t)n;
	}
	return fsync(fd);
}

static int
journal_sync_dir(const char *path)
{
	char	dir[PATH_MAX], *slash;
	int	fd, rc;

	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

int
journal_write(const char *path, const struct journal *j)
{
	struct json_object	*o;
	const char		*text;
	char			 tmp[PATH_MAX];
	size_t			 len;
	int			 fd, saved;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >=
	    sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((o = journal_json(j)) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	text = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN,
	    &len);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd == -1 || journal_write_fd(fd, text, len) == -1 ||
	    journal_write_fd(fd, "\n", 1) == -1 || close(fd) == -1) {
		saved = errno;
		if (fd != -1)
			close(fd);
		unlink(tmp);
		json_object_put(o);
		errno = saved;
		return -1;
	}
	json_object_put(o);
	if (rename(tmp, path) == -1) {
		saved = errno;
		unlink(tmp);
		errno = saved;
		return -1;
	}
	return journal_sync_dir(path);
}

static int
journal_bad(struct json_object *o)
{
	json_object_put(o);
	errno = EBADMSG;
	return -1;
}

static int
journal_parse_drained(struct json_object *o, struct journal *j)
{
	struct json_object	*arr, *v;
	size_t			 i, n;

	if (!json_object_object_get_ex(o, "drained", &arr))
		return 0;
	if (!json_object_is_type(arr, json_type_array) ||
	    (n = json_object_array_length(arr)) > FSM_MAX_IFS)
		return -1;
	for (i = 0; i < n; i++) {
		v = json_object_array_get_idx(arr, i);
		if (!json_object_is_type(v, json_type_string) ||
		    json_object_get_string_len(v) <= 0 ||
		    (size_t)json_object_get_string_len(v) >=
		    sizeof(j->drained[0]))
			return -1;
		snprintf(j->drained[i], sizeof(j->drained[0]), "%s",
		    json_object_get_string(v));
	}
	j->ndrained = n;
	return 0;
}

static int
journal_parse(struct json_object *o, struct journal *j)
{
	char		state[16];
	uint64_t	version, since, prepared = 0;
	int		s;

	memset(j, 0, sizeof(*j));
	if (msg_get_u64(o, "version", true, JOURNAL_VERSION,
	    JOURNAL_VERSION, &version) != 0 ||
	    msg_get_str(o, "state", true, state, sizeof(state)) != 0 ||
	    (s = fsm_state_find(state)) == -1 ||
	    msg_get_str(o, "member", true, j->member,
	    sizeof(j->member)) != 0 ||
	    (j->member[0] != '\0' && !msg_name_valid(j->member)) ||
	    msg_get_u64(o, "since_ms", true, 0, INT64_MAX, &since) != 0 ||
	    msg_get_u64(o, "prepared_ms", false, 0, INT64_MAX,
	    &prepared) == -1 || journal_parse_drained(o, j) == -1)
		return -1;
	j->state = (enum fsm_state)s;
	j->since_ms = (int64_t)since;
	j->prepared_ms = (int64_t)prepared;
	return 0;
}

int
journal_read(const char *path, struct journal *j)
{
	struct json_object	*o;
	char			 buf[JOURNAL_MAX];
	ssize_t			 n;
	size_t			 len = 0;
	int			 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	while (len < sizeof(buf) &&
	    (n = read(fd, buf + len, sizeof(buf) - len)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			close(fd);
			return -1;
		}
		len += (size_t)n;
	}
	close(fd);
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		len--;
	if (len == 0 || len == sizeof(buf) ||
	    (o = msg_parse(buf, len)) == NULL) {
		errno = EBADMSG;
		return -1;
	}
	if (journal_parse(o, j) == -1)
		return journal_bad(o);
	json_object_put(o);
	return 0;
}
