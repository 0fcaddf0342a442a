/*
 * web_log.c: the console's Events and Audit pages: lgrd's journal rows
 * renamed for the pages, and the console's own audit records (who is
 * "console ROLE SESSION").
 */
#include <stdio.h>

#include <json-c/json.h>

#include "web.h"

/* An event: time in seconds, its message id as type. */
static const struct web_field web_event_fields[] = {
	{ "time", "ts_ms", WEB_SEC },
	{ "type", "msgid", WEB_STR },
	{ NULL, NULL, WEB_STR },
};

/* An audit record: time in seconds, what as action. */
static const struct web_field web_audit_fields[] = {
	{ "time", "ts_ms", WEB_SEC },
	{ "action", "what", WEB_STR },
	{ NULL, NULL, WEB_STR },
};

/* The console's records name role and session; others only who. */
static void
web_audit_who(struct json_object *r)
{
	const char	*who = lgrd_row_str(r, "who", "");
	char		 role[24], session[24];

	if (sscanf(who, "console %23s %23s", role, session) == 2) {
		web_add_str(r, "role", role);
		web_add_str(r, "session", session);
	} else
		web_add_str(r, "role", who);
}

/* Each row gets the fields of the table, in place. */
static struct json_object *
web_log_rows(struct json_object *rows, const struct web_field *f,
    bool audit)
{
	struct json_object	*r;

	for (size_t i = 0; rows != NULL && i < json_object_array_length(rows);
	    i++) {
		r = json_object_array_get_idx(rows, i);
		web_fields(r, r, f);
		if (audit)
			web_audit_who(r);
	}
	return rows;
}

struct json_object *
web_log_events(struct lgrd *d, int64_t since)
{
	return web_log_rows(journal_events(d->db, since, 0), web_event_fields,
	    false);
}

struct json_object *
web_log_audit(struct lgrd *d, int64_t since)
{
	return web_log_rows(journal_audit_rows(d->db, since), web_audit_fields,
	    true);
}

struct json_object *
web_events(void *arg, uint64_t since, struct console_err *err)
{
	(void)err;
	return web_wrap("events", web_log_events(arg, (int64_t)since));
}

struct json_object *
web_audit_read(void *arg, uint64_t since, struct console_err *err)
{
	(void)err;
	return web_wrap("audit", web_log_audit(arg, (int64_t)since));
}

void
web_audit(void *arg, const struct console_actor *who, const char *action,
    const char *args, int status, const char *text)
{
	struct lgrd	*d = arg;
	char		 by[64], result[CONSOLE_TEXT_MAX + 16];

	snprintf(by, sizeof(by), "console %s %s", who->role ==
	    CONSOLE_OPERATOR ? "operator" : "viewer", who->session);
	snprintf(result, sizeof(result), "%d %s", status, text);
	journal_audit(d->db, by, action, args, result);
}
