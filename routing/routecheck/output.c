/*
 * output.c: what routecheck prints: text for people, JSON for scripts,
 * JUnit XML for CI.  Only these formatters know the formats.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "command.h"

/* Text. */

static void
text_violation(FILE *f, const struct rc_violation *v)
{
	fprintf(f, "%s%s%s [%d %s%s%s]\n", v->router, v->prefix[0] ? " " : "",
	    v->prefix, v->inv, rc_inv_name(v->inv), v->table[0] ? ", " : "",
	    v->table);
	fprintf(f, "  expected: %s\n", v->expected);
	fprintf(f, "  found:    %s\n", v->found);
}

static void
text_counts(FILE *f, const struct rc_report *r)
{
	const char	*sep = "";

	fputs(" (", f);
	for (int inv = 1; inv <= RC_NINV; inv++) {
		size_t	n = rc_report_count(r, inv, NULL);

		if (n == 0)
			continue;
		fprintf(f, "%s%d %s: %zu", sep, inv, rc_inv_name(inv), n);
		sep = ", ";
	}
	fputs(")", f);
}

static void
text_print(FILE *f, const struct result *res, bool quiet)
{
	const struct rc_report	*r = res->report;
	unsigned long		 checks = 0;

	for (size_t i = 0; i < res->snap->nrouters; i++) {
		const struct rc_router *rt = &res->snap->routers[i];

		if (rt->error != NULL)
			fprintf(f, "routecheck: cannot collect from %s: %s\n",
			    rt->name, rt->error);
	}
	for (size_t i = 0; i < r->n; i++)
		text_violation(f, &r->v[i]);
	if (quiet)
		return;
	for (int inv = 1; inv <= RC_NINV; inv++)
		checks += r->checks[inv];
	fprintf(f, "routecheck: lab %s%s%s: %zu router%s, residency from %s: ",
	    res->lab, res->guest ? ", guest " : "", res->guest ? res->guest :
	    "", res->snap->nrouters, res->snap->nrouters == 1 ? "" : "s",
	    res->snap->residency_from[0] ? res->snap->residency_from :
	    "nowhere");
	if (r->n > 0) {
		fprintf(f, "%zu violation%s", r->n, r->n == 1 ? "" : "s");
		text_counts(f, r);
	} else if (res->nfailed > 0)
		fprintf(f, "%zu router%s not collected", res->nfailed,
		    res->nfailed == 1 ? "" : "s");
	else
		fprintf(f, "every invariant holds");
	fprintf(f, "; %lu checks", checks);
	if (!res->from_file)
		fprintf(f, ", collected in %.0f ms", res->collect_ms);
	fputc('\n', f);
}

/* JSON. */

static json_object *
json_violation(const struct rc_violation *v)
{
	json_object	*o = json_object_new_object();

	json_object_object_add(o, "invariant", json_object_new_int(v->inv));
	json_object_object_add(o, "name",
	    json_object_new_string(rc_inv_name(v->inv)));
	json_object_object_add(o, "router", json_object_new_string(v->router));
	json_object_object_add(o, "prefix", json_object_new_string(v->prefix));
	json_object_object_add(o, "table", json_object_new_string(v->table));
	json_object_object_add(o, "expected",
	    json_object_new_string(v->expected));
	json_object_object_add(o, "found", json_object_new_string(v->found));
	return o;
}

static json_object *
json_errors(const struct rc_snap *s)
{
	json_object	*arr = json_object_new_array(), *o;

	for (size_t i = 0; i < s->nrouters; i++) {
		if (s->routers[i].error == NULL)
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "router",
		    json_object_new_string(s->routers[i].name));
		json_object_object_add(o, "error",
		    json_object_new_string(s->routers[i].error));
		json_object_array_add(arr, o);
	}
	return arr;
}

static json_object *
json_residency(const struct rc_snap *s)
{
	json_object	*o = json_object_new_object();

	for (size_t i = 0; i < s->nres; i++)
		json_object_object_add(o, s->res[i].guest,
		    json_object_new_string(s->res[i].member));
	return o;
}

/* Milliseconds to the microsecond. */
static json_object *
json_ms(double ms)
{
	char	buf[32];

	snprintf(buf, sizeof(buf), "%.3f", ms);
	return json_object_new_double_s(ms, buf);
}

static void
json_print(FILE *f, const struct result *res, bool quiet)
{
	const struct rc_report	*r = res->report;
	json_object		*o = json_object_new_object(), *v, *c, *t;

	(void)quiet;
	json_object_object_add(o, "lab", json_object_new_string(res->lab));
	if (res->guest != NULL)
		json_object_object_add(o, "guest",
		    json_object_new_string(res->guest));
	json_object_object_add(o, "ok", json_object_new_boolean(r->n == 0 &&
	    res->nfailed == 0));
	json_object_object_add(o, "routers",
	    json_object_new_int64((int64_t)res->snap->nrouters));
	json_object_object_add(o, "not_collected",
	    json_object_new_int64((int64_t)res->nfailed));
	json_object_object_add(o, "errors", json_errors(res->snap));
	json_object_object_add(o, "residency_from",
	    json_object_new_string(res->snap->residency_from));
	json_object_object_add(o, "residency", json_residency(res->snap));
	c = json_object_new_object();
	for (int inv = 1; inv <= RC_NINV; inv++)
		json_object_object_add(c, rc_inv_name(inv),
		    json_object_new_int64((int64_t)r->checks[inv]));
	json_object_object_add(o, "checks", c);
	v = json_object_new_array();
	for (size_t i = 0; i < r->n; i++)
		json_object_array_add(v, json_violation(&r->v[i]));
	json_object_object_add(o, "violations", v);
	t = json_object_new_object();
	if (!res->from_file)
		json_object_object_add(t, "collect",
		    json_ms(res->collect_ms));
	json_object_object_add(t, "check", json_ms(res->check_ms));
	json_object_object_add(o, "timing_ms", t);
	fprintf(f, "%s\n", json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

static const struct output outputs[] = {
	{ "text", text_print },
	{ "json", json_print },
};

const struct output *
output_get(bool json)
{
	return &outputs[json ? 1 : 0];
}

/* JUnit: one test case per router and invariant checked there. */

static void
xml_text(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '&':
			fputs("&amp;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\n')
				fputc(*s, f);
		}
	}
}

/* "<testcase classname=... name=\"", the name and the rest to follow. */
static void
junit_testcase(FILE *f, const struct result *res, const char *router)
{
	fputs("    <testcase classname=\"routecheck.", f);
	xml_text(f, res->lab);
	fputc('.', f);
	xml_text(f, router);
	fputs("\" name=\"", f);
}

static void
junit_case(FILE *f, const struct result *res, const char *router, int inv)
{
	const struct rc_report	*r = res->report;
	size_t			 n = rc_report_count(r, inv, router);

	junit_testcase(f, res, router);
	fprintf(f, "%d %s: ", inv, rc_inv_name(inv));
	xml_text(f, rc_inv_title(inv));
	fputs("\"", f);
	if (n == 0) {
		fputs("/>\n", f);
		return;
	}
	fprintf(f, ">\n      <failure type=\"invariant %d\" message=\"%zu "
	    "violation%s\">", inv, n, n == 1 ? "" : "s");
	for (size_t i = 0; i < r->n; i++) {
		const struct rc_violation *v = &r->v[i];

		if (v->inv != inv || strcmp(v->router, router) != 0)
			continue;
		xml_text(f, v->prefix);
		fputs(" (", f);
		xml_text(f, v->table);
		fputs("): expected ", f);
		xml_text(f, v->expected);
		fputs("; found ", f);
		xml_text(f, v->found);
		fputc('\n', f);
	}
	fputs("</failure>\n    </testcase>\n", f);
}

static void
junit_error(FILE *f, const struct result *res, const struct rc_router *rt)
{
	junit_testcase(f, res, rt->name);
	fputs("collect\">\n      <error message=\"", f);
	xml_text(f, rt->error);
	fputs("\"/>\n    </testcase>\n", f);
}

static void
junit_counts(const struct result *res, size_t *tests, size_t *failures)
{
	const struct rc_report	*r = res->report;

	*tests = res->nfailed;
	*failures = 0;
	for (size_t i = 0; i < r->nchecked; i++)
		for (int inv = 1; inv <= RC_NINV; inv++) {
			if (!(r->checked[i].mask & (1u << inv)))
				continue;
			(*tests)++;
			if (rc_report_count(r, inv, r->checked[i].router) > 0)
				(*failures)++;
		}
}

int
output_junit(const char *path, const struct result *res)
{
	const struct rc_report	*r = res->report;
	size_t			 tests, failures;
	FILE			*f;

	if ((f = fopen(path, "w")) == NULL)
		return -1;
	junit_counts(res, &tests, &failures);
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f, "<testsuites>\n  <testsuite name=\"routecheck.");
	xml_text(f, res->lab);
	fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" "
	    "time=\"%.3f\">\n", tests, failures, res->nfailed,
	    (res->collect_ms + res->check_ms) / 1000.0);
	for (size_t i = 0; i < res->snap->nrouters; i++)
		if (res->snap->routers[i].error != NULL)
			junit_error(f, res, &res->snap->routers[i]);
	for (size_t i = 0; i < r->nchecked; i++)
		for (int inv = 1; inv <= RC_NINV; inv++)
			if (r->checked[i].mask & (1u << inv))
				junit_case(f, res, r->checked[i].router, inv);
	fprintf(f, "  </testsuite>\n</testsuites>\n");
	if (ferror(f)) {
		fclose(f);
		errno = EIO;
		return -1;
	}
	return fclose(f);
}
