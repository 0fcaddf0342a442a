/*
 * metrics.c: a registry of counters, gauges and histograms printed in
 * the Prometheus text exposition format 0.0.4.
 *
 * A family has a name, a help text, at most one label and, for a
 * histogram, its bucket bounds.  Its series (one per label value) are
 * created on first use and kept in the order they appeared.  One mutex
 * per registry guards every family and series.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"

struct series {
	struct series	*next;
	char		*label;		/* NULL in a family without label */
	double		 value;		/* counter, gauge */
	double		 sum;		/* histogram */
	uint64_t	 count;
	uint64_t	*buckets;	/* nbounds, not cumulative; +Inf: count */
};

struct metric {
	struct metric	*next;
	struct metrics	*reg;
	enum metric_type type;
	char		*name;
	char		*help;
	char		*label;
	double		*bounds;
	size_t		 nbounds;
	struct series	*series;
};

struct metrics {
	pthread_mutex_t	 lock;
	struct metric	*head;
	struct metric	**tail;
};

static const char *const metrics_type_name[] = {
	[METRIC_COUNTER] = "counter",
	[METRIC_GAUGE] = "gauge",
	[METRIC_HISTOGRAM] = "histogram",
};

struct metrics *
metrics_new(void)
{
	struct metrics	*m;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	pthread_mutex_init(&m->lock, NULL);
	m->tail = &m->head;
	return m;
}

static void
series_free(struct series *s)
{
	free(s->label);
	free(s->buckets);
	free(s);
}

void
metric_clear(struct metric *f)
{
	struct series	*s, *next;

	pthread_mutex_lock(&f->reg->lock);
	for (s = f->series; s != NULL; s = next) {
		next = s->next;
		series_free(s);
	}
	f->series = NULL;
	pthread_mutex_unlock(&f->reg->lock);
}

static void
metric_free(struct metric *f)
{
	metric_clear(f);
	free(f->name);
	free(f->help);
	free(f->label);
	free(f->bounds);
	free(f);
}

void
metrics_free(struct metrics *m)
{
	struct metric	*f, *next;

	if (m == NULL)
		return;
	for (f = m->head; f != NULL; f = next) {
		next = f->next;
		metric_free(f);
	}
	pthread_mutex_destroy(&m->lock);
	free(m);
}

/* [a-zA-Z_:][a-zA-Z0-9_:]* for names, without ':' for labels. */
static bool
metrics_name_valid(const char *s, bool label)
{
	if (s == NULL || *s == '\0' || (*s >= '0' && *s <= '9'))
		return false;
	if (label && strncmp(s, "__", 2) == 0)
		return false;
	for (; *s != '\0'; s++) {
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '_' ||
		    (*s == ':' && !label))
			continue;
		return false;
	}
	return true;
}

static bool
metrics_bounds_valid(enum metric_type type, const char *label,
    const double *bounds, size_t n)
{
	if (type != METRIC_HISTOGRAM)
		return n == 0;
	if (n == 0 || (label != NULL && strcmp(label, "le") == 0))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isfinite(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1]))
			return false;
	return true;
}

static struct metric *
metrics_find(struct metrics *m, const char *name)
{
	for (struct metric *f = m->head; f != NULL; f = f->next)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

static struct metric *
metric_new(enum metric_type type, const char *name, const char *help,
    const char *label, const double *bounds, size_t n)
{
	struct metric	*f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return NULL;
	f->type = type;
	f->nbounds = n;
	f->name = strdup(name);
	f->help = strdup(help != NULL ? help : "");
	f->label = label != NULL ? strdup(label) : NULL;
	if (n > 0 && (f->bounds = calloc(n, sizeof(double))) != NULL)
		memcpy(f->bounds, bounds, n * sizeof(double));
	if (f->name == NULL || f->help == NULL ||
	    (label != NULL && f->label == NULL) ||
	    (n > 0 && f->bounds == NULL)) {
		free(f->name);
		free(f->help);
		free(f->label);
		free(f->bounds);
		free(f);
		errno = ENOMEM;
		return NULL;
	}
	return f;
}

struct metric *
metrics_add(struct metrics *m, enum metric_type type, const char *name,
    const char *help, const char *label, const double *bounds, size_t n)
{
	struct metric	*f;

	if ((unsigned)type > METRIC_HISTOGRAM ||
	    !metrics_name_valid(name, false) ||
	    (label != NULL && !metrics_name_valid(label, true)) ||
	    !metrics_bounds_valid(type, label, bounds, n)) {
		errno = EINVAL;
		return NULL;
	}
	pthread_mutex_lock(&m->lock);
	if (metrics_find(m, name) != NULL) {
		pthread_mutex_unlock(&m->lock);
		errno = EEXIST;
		return NULL;
	}
	if ((f = metric_new(type, name, help, label, bounds, n)) != NULL) {
		f->reg = m;
		*m->tail = f;
		m->tail = &f->next;
	}
	pthread_mutex_unlock(&m->lock);
	return f;
}

/* The series of that label value, created if new; lock held. */
static struct series *
metric_series(struct metric *f, const char *label)
{
	struct series	*s, **tail;

	for (tail = &f->series; (s = *tail) != NULL; tail = &s->next)
		if (label == NULL || strcmp(s->label, label) == 0)
			return s;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	if ((label != NULL && (s->label = strdup(label)) == NULL) ||
	    (f->nbounds > 0 &&
	    (s->buckets = calloc(f->nbounds, sizeof(uint64_t))) == NULL)) {
		series_free(s);
		return NULL;
	}
	*tail = s;
	return s;
}

/* One update under the lock; -1 EINVAL or ENOMEM. */
static int
metric_update(struct metric *f, enum metric_type type, const char *label,
    double v)
{
	struct series	*s;

	if (f == NULL || f->type != type || (label == NULL) != (f->label == NULL) ||
	    (type == METRIC_COUNTER && !(v >= 0))) {
		errno = EINVAL;
		return -1;
	}
	pthread_mutex_lock(&f->reg->lock);
	if ((s = metric_series(f, label)) == NULL) {
		pthread_mutex_unlock(&f->reg->lock);
		errno = ENOMEM;
		return -1;
	}
	if (type == METRIC_COUNTER)
		s->value += v;
	else if (type == METRIC_GAUGE)
		s->value = v;
	else {
		for (size_t i = 0; i < f->nbounds; i++)
			if (v <= f->bounds[i]) {
				s->buckets[i]++;
				break;
			}
		s->sum += v;
		s->count++;
	}
	pthread_mutex_unlock(&f->reg->lock);
	return 0;
}

int
metric_inc(struct metric *f, const char *label, double v)
{
	return metric_update(f, METRIC_COUNTER, label, v);
}

int
metric_set(struct metric *f, const char *label, double v)
{
	return metric_update(f, METRIC_GAUGE, label, v);
}

int
metric_observe(struct metric *f, const char *label, double v)
{
	return metric_update(f, METRIC_HISTOGRAM, label, v);
}

/*
 * -- printing ------------------------------------------------------------
 */

/* A float as Prometheus reads it: shortest exact digits, +Inf, NaN. */
static void
metrics_print_float(FILE *out, double v)
{
	char	buf[32];

	if (isnan(v)) {
		fputs("NaN", out);
		return;
	}
	if (isinf(v)) {
		fputs(v > 0 ? "+Inf" : "-Inf", out);
		return;
	}
	snprintf(buf, sizeof(buf), "%.15g", v);
	if (strtod(buf, NULL) != v)
		snprintf(buf, sizeof(buf), "%.17g", v);
	fputs(buf, out);
}

/* HELP escapes backslash and newline; label values also '"'. */
static void
metrics_print_escaped(FILE *out, const char *s, bool quote)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			fputs("\\\\", out);
		else if (*s == '\n')
			fputs("\\n", out);
		else if (*s == '"' && quote)
			fputs("\\\"", out);
		else
			fputc(*s, out);
	}
}

/* NAME{label="value",le="bound"} with whatever of the two is there. */
static void
metrics_print_name(FILE *out, const struct metric *f, const char *suffix,
    const struct series *s, const double *le)
{
	fprintf(out, "%s%s", f->name, suffix);
	if (s->label == NULL && le == NULL) {
		fputc(' ', out);
		return;
	}
	fputc('{', out);
	if (s->label != NULL) {
		fprintf(out, "%s=\"", f->label);
		metrics_print_escaped(out, s->label, true);
		fputc('"', out);
		if (le != NULL)
			fputc(',', out);
	}
	if (le != NULL) {
		fputs("le=\"", out);
		metrics_print_float(out, *le);
		fputc('"', out);
	}
	fputs("} ", out);
}

static void
metrics_print_histogram(FILE *out, const struct metric *f,
    const struct series *s)
{
	uint64_t	cum = 0;
	double		inf = INFINITY;

	for (size_t i = 0; i < f->nbounds; i++) {
		cum += s->buckets[i];
		metrics_print_name(out, f, "_bucket", s, &f->bounds[i]);
		fprintf(out, "%llu\n", (unsigned long long)cum);
	}
	metrics_print_name(out, f, "_bucket", s, &inf);
	fprintf(out, "%llu\n", (unsigned long long)s->count);
	metrics_print_name(out, f, "_sum", s, NULL);
	metrics_print_float(out, s->sum);
	fputc('\n', out);
	metrics_print_name(out, f, "_count", s, NULL);
	fprintf(out, "%llu\n", (unsigned long long)s->count);
}

static void
metrics_print_series(FILE *out, const struct metric *f,
    const struct series *s)
{
	if (f->type == METRIC_HISTOGRAM) {
		metrics_print_histogram(out, f, s);
		return;
	}
	metrics_print_name(out, f, "", s, NULL);
	metrics_print_float(out, s->value);
	fputc('\n', out);
}

/* A family without label shows its zero before the first update. */
static void
metrics_print_family(FILE *out, struct metric *f)
{
	fprintf(out, "# HELP %s ", f->name);
	metrics_print_escaped(out, f->help, false);
	fprintf(out, "\n# TYPE %s %s\n", f->name, metrics_type_name[f->type]);
	if (f->series == NULL && f->label == NULL)
		metric_series(f, NULL);
	for (struct series *s = f->series; s != NULL; s = s->next)
		metrics_print_series(out, f, s);
}

char *
metrics_print(struct metrics *m, size_t *len)
{
	char	*buf = NULL;
	size_t	 size = 0;
	FILE	*out;

	if ((out = open_memstream(&buf, &size)) == NULL)
		return NULL;
	pthread_mutex_lock(&m->lock);
	for (struct metric *f = m->head; f != NULL; f = f->next)
		metrics_print_family(out, f);
	pthread_mutex_unlock(&m->lock);
	if (fclose(out) != 0) {
		free(buf);
		errno = ENOMEM;
		return NULL;
	}
	if (len != NULL)
		*len = size;
	return buf;
}
