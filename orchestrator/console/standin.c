/*
 * standin.c: a stand-in provider of the console (console.h) for the
 * HTTP tests (console_test.c) and the HTTP fuzz target (http_fuzz.c):
 * fixed answers shaped as lgrd's, a few refusals (workload NOPE, job 99
 * to cancel, a report of another job than 7), no routecheck results
 * (501: not provided), and a record of what it was asked (struct
 * standin, under its lock) for the tests to assert.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "standin.h"

struct standin	standin = { .lock = PTHREAD_MUTEX_INITIALIZER };

static struct json_object *
standin_json(const char *text)
{
	return json_tokener_parse(text);
}

static struct json_object *
standin_cluster(void *arg, struct console_err *err)
{
	(void)arg;
	(void)err;
	return standin_json("{\"members\":[{\"name\":\"VM9\",\"state\":"
	    "\"joined\",\"lease_age_ms\":120,\"mem_used_mib\":1280,"
	    "\"mem_total_mib\":4096,\"moves_in\":0,\"moves_out\":0,\"lan\":"
	    "\"172.0.9.0/24\"},{\"name\":\"VM2\",\"state\":\"joined\"}],"
	    "\"guests\":[{\"name\":\"LITDCON1\",\"member\":\"VM9\","
	    "\"workload\":\"LIT\",\"moving\":false,\"hsi\":[{\"ifname\":"
	    "\"hsi0\",\"lan\":\"VM9\",\"state\":\"up\",\"foreign\":false},"
	    "{\"ifname\":\"hsi1\",\"lan\":\"VM2\",\"state\":\"down\","
	    "\"foreign\":false}]}]}");
}

static struct json_object *
standin_plan(void *arg, const struct console_evac *ev, struct console_err *err)
{
	(void)arg;
	if (strcmp(ev->workload, "NOPE") == 0) {
		err->status = 404;
		snprintf(err->text, sizeof(err->text), "workload NOPE: no such "
		    "group (ECM, LIT, TIV, ALL)");
		return NULL;
	}
	return standin_json("{\"waves\":[[\"LITDCON1\"]],\"guests\":[{"
	    "\"name\":\"LITDCON1\",\"from\":\"VM9\",\"to\":\"VM2\","
	    "\"eligible\":true,\"conflicts\":[]}],\"predicted_ms\":900}");
}

static int
standin_evacuate(void *arg, const struct console_evac *ev,
    const struct console_actor *who, uint64_t *job, struct console_err *err)
{
	(void)arg;
	(void)who;
	(void)err;
	pthread_mutex_lock(&standin.lock);
	standin.evacuations++;
	snprintf(standin.workload, sizeof(standin.workload), "%s",
	    ev->workload);
	snprintf(standin.to, sizeof(standin.to), "%s", ev->to ? ev->to : "");
	standin.evac.parallel = ev->parallel;
	pthread_mutex_unlock(&standin.lock);
	*job = 7;
	return 0;
}

static int
standin_cancel(void *arg, const struct console_cancel *what,
    const struct console_actor *who, struct console_err *err)
{
	(void)arg;
	(void)who;
	if (what->job == 99) {
		err->status = 404;
		snprintf(err->text, sizeof(err->text), "job 99: no such job");
		return -1;
	}
	pthread_mutex_lock(&standin.lock);
	standin.cancels++;
	standin.cancel_job = what->job;
	pthread_mutex_unlock(&standin.lock);
	return 0;
}

static struct json_object *
standin_jobs(void *arg, struct console_err *err)
{
	(void)arg;
	(void)err;
	return standin_json("{\"jobs\":[{\"id\":7,\"workload\":\"LIT\","
	    "\"state\":\"running\"}]}");
}

static struct json_object *
standin_report(void *arg, uint64_t job, struct console_err *err)
{
	(void)arg;
	if (job != 7) {
		err->status = 404;
		snprintf(err->text, sizeof(err->text), "job %llu: no such job",
		    (unsigned long long)job);
		return NULL;
	}
	return standin_json("{\"job\":{\"id\":7},\"moves\":[{\"guest\":"
	    "\"LITDCON1\",\"step\":\"relocate\"}],\"text\":\"job 7\"}");
}

static struct json_object *
standin_since(void *arg, uint64_t since, struct console_err *err)
{
	(void)arg;
	(void)since;
	(void)err;
	return standin_json("{\"events\":[],\"audit\":[]}");
}

static struct json_object *
standin_history(void *arg, const char *guest, struct console_err *err)
{
	(void)arg;
	(void)err;
	pthread_mutex_lock(&standin.lock);
	snprintf(standin.history_guest, sizeof(standin.history_guest), "%s",
	    guest != NULL ? guest : "(all)");
	pthread_mutex_unlock(&standin.lock);
	return standin_json("{\"moves\":[]}");
}

static int
standin_routecheck_run(void *arg, const struct console_actor *who,
    struct console_err *err)
{
	(void)arg;
	(void)who;
	(void)err;
	pthread_mutex_lock(&standin.lock);
	standin.runs++;
	pthread_mutex_unlock(&standin.lock);
	return 0;
}

static void
standin_audit(void *arg, const struct console_actor *who, const char *action,
    const char *args, int status, const char *text)
{
	(void)arg;
	(void)text;
	pthread_mutex_lock(&standin.lock);
	standin.audits++;
	snprintf(standin.audit_args, sizeof(standin.audit_args), "%s", args);
	snprintf(standin.audit_action, sizeof(standin.audit_action), "%s",
	    action);
	snprintf(standin.audit_session, sizeof(standin.audit_session), "%s",
	    who->session);
	standin.audit_role = who->role;
	standin.audit_status = status;
	pthread_mutex_unlock(&standin.lock);
}

static void
standin_collect(void *arg, struct console *c)
{
	const struct console_stdmetrics *m = console_stdmetrics(c);

	(void)arg;
	pthread_mutex_lock(&standin.lock);
	standin.collects++;
	pthread_mutex_unlock(&standin.lock);
	metric_set(m->member_up, "VM9", 1);
	metric_set(m->member_up, "VM2", 0);
	metric_set(m->guests, "VM9", 5);
	metric_set(m->evacuation_running, NULL, 1);
	metric_set(m->guests_moving, NULL, 2);
	metric_set(m->routecheck_violations, "LITDCON1", 0);
	metric_set(m->directory_up, "sqlite", 1);
	metric_set(m->directory_latency, "sqlite", 0.0004);
}

const struct console_provider standin_provider = {
	.cluster = standin_cluster,
	.plan = standin_plan,
	.evacuate = standin_evacuate,
	.cancel = standin_cancel,
	.jobs = standin_jobs,
	.report = standin_report,
	.history = standin_history,
	.events = standin_since,
	.audit_read = standin_since,
	.routecheck_run = standin_routecheck_run,
	.audit = standin_audit,
	.collect = standin_collect,
};
