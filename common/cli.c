/*
 * cli.c: the command-line front end (cli.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "msg.h"

#define CLI_HELP	(-1)	/* built-in option ids */
#define CLI_VERSION	(-2)

static const struct cli_option cli_builtin[] = {
	{ .id = CLI_HELP, .short_name = 'h', .long_name = "help" },
	{ .id = CLI_VERSION, .long_name = "version" },
	{ .id = 0 },
};

static int
cli_fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
cli_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * A word as an error message shows it: control and non-ASCII bytes as
 * \n, \t or \xHH, cut after CLI_QUOTE_MAX bytes with "...", so that a
 * message is always one printable line.
 */
#define CLI_QUOTE_MAX	48
#define CLI_QUOTE_LEN	(CLI_QUOTE_MAX * 4 + 4)

static const char *
cli_quote(const char *s, size_t n, char *buf)
{
	size_t	i, o = 0;

	for (i = 0; i < n && s[i] != '\0' && i < CLI_QUOTE_MAX; i++) {
		unsigned char	c = (unsigned char)s[i];

		if (c == '\n' || c == '\t') {
			buf[o++] = '\\';
			buf[o++] = c == '\n' ? 'n' : 't';
		} else if (c < 0x20 || c >= 0x7f || c == '\\')
			o += (size_t)snprintf(buf + o, 5, "\\x%02x", c);
		else
			buf[o++] = (char)c;
	}
	if (i < n && s[i] != '\0')
		o += (size_t)snprintf(buf + o, 4, "...");
	buf[o] = '\0';
	return buf;
}

int
cli_u64(const char *what, const char *s, uint64_t min, uint64_t max,
    uint64_t *out, char *err, size_t errlen)
{
	unsigned long long	 v;
	char			*end, q[CLI_QUOTE_LEN];

	errno = 0;
	v = strtoull(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || errno != 0 || *end != '\0' ||
	    v < min || v > max)
		return cli_fail(err, errlen, "%s \"%s\": expected a number "
		    "(%" PRIu64 "-%" PRIu64 ")", what, cli_quote(s, SIZE_MAX, q),
		    min, max);
	*out = v;
	return 0;
}

int
cli_name(const char *what, const char *s, char *err, size_t errlen)
{
	char	q[CLI_QUOTE_LEN];

	if (!msg_name_valid(s))
		return cli_fail(err, errlen, "%s \"%s\": expected 1-%d "
		    "characters of A-Z, a-z, 0-9, _ and -", what,
		    cli_quote(s, SIZE_MAX, q), MSG_NAME_MAX - 1);
	return 0;
}

/* "--long" or "-s", the name an error shows. */
static const char *
cli_optname(const struct cli_option *o, char *buf, size_t len)
{
	if (o->long_name != NULL)
		snprintf(buf, len, "--%s", o->long_name);
	else
		snprintf(buf, len, "-%c", o->short_name);
	return buf;
}

/* Append ", word" (or "word" first) to a list in buf. */
static void
cli_list_add(char *buf, size_t len, const char *word)
{
	size_t	n = strlen(buf);

	if (n < len)
		snprintf(buf + n, len - n, "%s%s", n > 0 ? ", " : "", word);
}

static bool
cli_in(const int *ids, int id)
{
	for (; ids != NULL && *ids != 0; ids++)
		if (*ids == id)
			return true;
	return false;
}

static const struct cli_option *
cli_find_short(const struct cli_spec *spec, char c)
{
	const struct cli_option	*o;

	for (o = cli_builtin; o->id != 0; o++)
		if (o->short_name == c)
			return o;
	for (o = spec->options; o != NULL && o->id != 0; o++)
		if (o->short_name == c)
			return o;
	return NULL;
}

static const struct cli_option *
cli_find_long(const struct cli_spec *spec, const char *name, size_t len)
{
	const struct cli_option	*o;

	for (o = cli_builtin; o->id != 0; o++)
		if (strlen(o->long_name) == len &&
		    strncmp(o->long_name, name, len) == 0)
			return o;
	for (o = spec->options; o != NULL && o->id != 0; o++)
		if (o->long_name != NULL && strlen(o->long_name) == len &&
		    strncmp(o->long_name, name, len) == 0)
			return o;
	return NULL;
}

/* Check and keep one option's value. */
static int
cli_value(const struct cli_option *o, const char *s, struct cli_result *res,
    char *err, size_t errlen)
{
	struct cli_value	*v;
	char			 name[64], list[256] = "", q[CLI_QUOTE_LEN];
	size_t			 i;

	if (o->id == CLI_HELP || o->id == CLI_VERSION) {
		res->help |= o->id == CLI_HELP;
		res->version |= o->id == CLI_VERSION;
		return 0;
	}
	if (res->nvalues >= CLI_VALUES)
		return cli_fail(err, errlen, "too many options (at most %d)",
		    CLI_VALUES);
	v = &res->values[res->nvalues];
	v->id = o->id;
	v->str = s;
	v->num = 0;
	cli_optname(o, name, sizeof(name));
	switch (o->type) {
	case CLI_U64:
		if (cli_u64(name, s, o->min, o->max, &v->num, err, errlen) ==
		    -1)
			return -1;
		break;
	case CLI_NAME:
		if (cli_name(name, s, err, errlen) == -1)
			return -1;
		break;
	case CLI_CHOICE:
		for (i = 0; o->choices[i] != NULL; i++) {
			if (strcmp(o->choices[i], s) == 0)
				break;
			cli_list_add(list, sizeof(list), o->choices[i]);
		}
		if (o->choices[i] == NULL) {
			for (; o->choices[i] != NULL; i++)
				cli_list_add(list, sizeof(list), o->choices[i]);
			return cli_fail(err, errlen, "%s \"%s\": valid: %s",
			    name, cli_quote(s, SIZE_MAX, q), list);
		}
		v->num = i;
		break;
	default:
		break;
	}
	res->nvalues++;
	return 0;
}

/* A word starting with '-' that is an option (not "-" or a number). */
static bool
cli_is_option(const char *s)
{
	return s[0] == '-' && s[1] != '\0' && !(s[1] >= '0' && s[1] <= '9');
}

/* "--name", "--name=value", "--name value"; returns words used. */
static int
cli_long(const struct cli_spec *spec, int argc, char **argv, int i,
    struct cli_result *res, char *err, size_t errlen)
{
	const char		*name = argv[i] + 2, *eq = strchr(name, '=');
	const struct cli_option	*o;
	size_t			 len = eq != NULL ? (size_t)(eq - name) :
				    strlen(name);
	char			 q[CLI_QUOTE_LEN];

	if ((o = cli_find_long(spec, name, len)) == NULL)
		return cli_fail(err, errlen, "unknown option \"%s\"",
		    cli_quote(argv[i], len + 2, q));
	if (o->type == CLI_FLAG) {
		if (eq != NULL)
			return cli_fail(err, errlen, "--%s takes no value",
			    o->long_name);
		return cli_value(o, NULL, res, err, errlen) == -1 ? -1 : 1;
	}
	if (eq != NULL)
		return cli_value(o, eq + 1, res, err, errlen) == -1 ? -1 : 1;
	if (i + 1 >= argc)
		return cli_fail(err, errlen, "--%s: missing value %s",
		    o->long_name, o->metavar != NULL ? o->metavar : "");
	return cli_value(o, argv[i + 1], res, err, errlen) == -1 ? -1 : 2;
}

/* "-j", "-jq", "-lref", "-l ref"; returns words used. */
static int
cli_short(const struct cli_spec *spec, int argc, char **argv, int i,
    struct cli_result *res, char *err, size_t errlen)
{
	const struct cli_option	*o;
	const char		*p;
	char			 q[CLI_QUOTE_LEN];

	for (p = argv[i] + 1; *p != '\0'; p++) {
		if ((o = cli_find_short(spec, *p)) == NULL)
			return cli_fail(err, errlen, "unknown option \"-%s\"",
			    cli_quote(p, 1, q));
		if (o->type == CLI_FLAG) {
			if (cli_value(o, NULL, res, err, errlen) == -1)
				return -1;
			continue;
		}
		if (p[1] != '\0')
			return cli_value(o, p + 1, res, err, errlen) == -1 ?
			    -1 : 1;
		if (i + 1 >= argc)
			return cli_fail(err, errlen, "-%c: missing value %s",
			    *p, o->metavar != NULL ? o->metavar : "");
		return cli_value(o, argv[i + 1], res, err, errlen) == -1 ?
		    -1 : 2;
	}
	return 1;
}

/* Split argv into option values and positional words. */
static int
cli_scan(const struct cli_spec *spec, int argc, char **argv,
    struct cli_result *res, char **words, int *nwords, char *err,
    size_t errlen)
{
	int	i = 1, used;
	bool	rest = false;

	*nwords = 0;
	while (i < argc) {
		if (!rest && strcmp(argv[i], "--") == 0) {
			rest = true;
			i++;
			continue;
		}
		if (rest || !cli_is_option(argv[i])) {
			if (*nwords >= CLI_ARGS + CLI_WORDS)
				return cli_fail(err, errlen, "too many "
				    "arguments (at most %d)", CLI_ARGS);
			words[(*nwords)++] = argv[i++];
			continue;
		}
		used = argv[i][1] == '-' ? cli_long(spec, argc, argv, i, res,
		    err, errlen) : cli_short(spec, argc, argv, i, res, err,
		    errlen);
		if (used == -1)
			return -1;
		i += used;
	}
	return 0;
}

/* The distinct words at pos of the commands still alive, as a list. */
static void
cli_choices(const struct cli_spec *spec, const bool *alive, int pos,
    char *buf, size_t len)
{
	size_t	i, j;

	buf[0] = '\0';
	for (i = 0; i < spec->ncommands; i++) {
		const char	*w = spec->commands[i].words[pos];

		if (!alive[i] || w == NULL)
			continue;
		for (j = 0; j < i; j++)
			if (alive[j] && spec->commands[j].words[pos] != NULL &&
			    strcmp(spec->commands[j].words[pos], w) == 0)
				break;
		if (j == i)
			cli_list_add(buf, len, w);
	}
}

/* "member set-down": the words matched before pos, for messages. */
static void
cli_prefix(char **words, int pos, char *buf, size_t len)
{
	int	i;

	buf[0] = '\0';
	for (i = 0; i < pos; i++)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
		    i > 0 ? " " : "", words[i]);
}

/* Keep the commands whose word at pos is word (or starts with it). */
static int
cli_filter(const struct cli_spec *spec, bool *alive, int pos,
    const char *word)
{
	size_t	i, len = strlen(word);
	bool	exact = false;
	int	n = 0;

	for (i = 0; i < spec->ncommands; i++)
		if (alive[i] && spec->commands[i].words[pos] != NULL &&
		    strcmp(spec->commands[i].words[pos], word) == 0)
			exact = true;
	for (i = 0; i < spec->ncommands; i++) {
		const char	*w = spec->commands[i].words[pos];

		if (!alive[i])
			continue;
		alive[i] = w != NULL && (exact ? strcmp(w, word) == 0 :
		    strncmp(w, word, len) == 0);
		n += alive[i];
	}
	return n;
}

static bool
cli_same_word(const struct cli_spec *spec, const bool *alive, int pos)
{
	const char	*first = NULL;
	size_t		 i;

	for (i = 0; i < spec->ncommands; i++) {
		if (!alive[i])
			continue;
		if (first == NULL)
			first = spec->commands[i].words[pos];
		else if (strcmp(first, spec->commands[i].words[pos]) != 0)
			return false;
	}
	return true;
}

/* The alive command whose words end at pos, or NULL. */
static const struct cli_command *
cli_complete(const struct cli_spec *spec, const bool *alive, int pos)
{
	size_t	i;

	for (i = 0; i < spec->ncommands; i++)
		if (alive[i] && (pos >= CLI_WORDS ||
		    spec->commands[i].words[pos] == NULL))
			return &spec->commands[i];
	return NULL;
}

static int
cli_words_fail(const struct cli_spec *spec, const bool *alive, char **words,
    int pos, const char *what, char *err, size_t errlen)
{
	char	choices[512], prefix[128], q[CLI_QUOTE_LEN];

	cli_choices(spec, alive, pos, choices, sizeof(choices));
	cli_prefix(words, pos, prefix, sizeof(prefix));
	if (pos == 0 && what == NULL)
		return cli_fail(err, errlen, "missing command; valid: %s",
		    choices);
	if (pos == 0)
		return cli_fail(err, errlen, "%s command \"%s\"; valid: %s",
		    what, cli_quote(words[0], SIZE_MAX, q), choices);
	if (what == NULL)
		return cli_fail(err, errlen, "%s: missing word; valid: %s",
		    prefix, choices);
	return cli_fail(err, errlen, "%s: %s word \"%s\"; valid: %s", prefix,
	    what, cli_quote(words[pos], SIZE_MAX, q), choices);
}

/* Match the command words; returns how many words it used. */
static int
cli_match(const struct cli_spec *spec, char **words, int nwords,
    struct cli_result *res, char *err, size_t errlen)
{
	bool				 alive[64], before[64];
	const struct cli_command	*done;
	size_t				 i;
	int				 pos;

	for (i = 0; i < spec->ncommands && i < 64; i++)
		alive[i] = true;
	for (pos = 0; pos < CLI_WORDS; pos++) {
		done = cli_complete(spec, alive, pos);
		memcpy(before, alive, sizeof(alive));
		if (pos >= nwords) {
			if (done != NULL)
				break;
			return cli_words_fail(spec, alive, words, pos, NULL,
			    err, errlen);
		}
		if (cli_filter(spec, alive, pos, words[pos]) == 0) {
			memcpy(alive, before, sizeof(alive));
			if (done != NULL)
				break;
			return cli_words_fail(spec, before, words, pos,
			    "unknown", err, errlen);
		}
		if (!cli_same_word(spec, alive, pos))
			return cli_words_fail(spec, alive, words, pos,
			    "ambiguous", err, errlen);
	}
	if ((done = cli_complete(spec, alive, pos)) == NULL)
		return cli_words_fail(spec, alive, words, pos, NULL, err,
		    errlen);
	res->cmd = done;
	return pos;
}

/* Every option given is global or the command's. */
static int
cli_check_options(const struct cli_spec *spec, struct cli_result *res,
    const char *what, char *err, size_t errlen)
{
	const struct cli_option	*o;
	char			 list[512] = "", name[64];
	int			 i;

	for (i = 0; i < res->nvalues; i++) {
		if (cli_in(spec->global, res->values[i].id) ||
		    (res->cmd != NULL && cli_in(res->cmd->options,
		    res->values[i].id)))
			continue;
		for (o = spec->options; o->id != 0; o++) {
			if (!cli_in(spec->global, o->id) && (res->cmd == NULL ||
			    !cli_in(res->cmd->options, o->id)))
				continue;
			if (o->short_name != 0) {
				snprintf(name, sizeof(name), "-%c",
				    o->short_name);
				cli_list_add(list, sizeof(list), name);
			}
			if (o->long_name != NULL) {
				snprintf(name, sizeof(name), "--%s",
				    o->long_name);
				cli_list_add(list, sizeof(list), name);
			}
		}
		for (o = spec->options; o->id != res->values[i].id; o++)
			;
		return cli_fail(err, errlen, "%s: unknown option \"%s\"; "
		    "valid: %s", what, cli_optname(o, name, sizeof(name)),
		    list);
	}
	return 0;
}

static int
cli_check_args(struct cli_result *res, int min, int max, const char *args,
    const char *what, char *err, size_t errlen)
{
	const char	*p = args != NULL ? args : "";
	char		 q[CLI_QUOTE_LEN];
	int		 i;

	if (res->nargs > max)
		return cli_fail(err, errlen, "%s: unexpected argument \"%s\"",
		    what, cli_quote(res->args[max], SIZE_MAX, q));
	if (res->nargs >= min)
		return 0;
	for (i = 0; i < res->nargs && p != NULL; i++)	/* the missing one */
		if ((p = strchr(p, ' ')) != NULL)
			p++;
	return cli_fail(err, errlen, "%s: missing argument %.*s", what,
	    p != NULL ? (int)strcspn(p, " ]") : 0, p != NULL ? p : "");
}

int
cli_parse(const struct cli_spec *spec, int argc, char **argv,
    struct cli_result *res, char *err, size_t errlen)
{
	char	*words[CLI_ARGS + CLI_WORDS], what[128];
	int	 nwords, used = 0, i, min, max;

	memset(res, 0, sizeof(*res));
	err[0] = '\0';
	if (cli_scan(spec, argc, argv, res, words, &nwords, err, errlen) == -1)
		return res->help || res->version ? 0 : -1;
	if (res->help || res->version)
		return 0;
	if (spec->commands != NULL && (used = cli_match(spec, words, nwords,
	    res, err, errlen)) == -1)
		return -1;
	if (res->cmd != NULL) {
		cli_prefix(res->cmd->words[0] != NULL ?
		    (char **)(uintptr_t)res->cmd->words : words, used, what,
		    sizeof(what));
		min = res->cmd->min_args;
		max = res->cmd->max_args;
	} else {
		snprintf(what, sizeof(what), "%s", spec->prog);
		min = spec->min_args;
		max = spec->max_args;
	}
	if (nwords - used > CLI_ARGS)	/* up to CLI_WORDS more were read */
		return cli_fail(err, errlen, "%s: too many arguments (at most "
		    "%d)", what, CLI_ARGS);
	for (i = used; i < nwords; i++)
		res->args[res->nargs++] = words[i];
	if (cli_check_options(spec, res, what, err, errlen) == -1)
		return -1;
	return cli_check_args(res, min, max, res->cmd != NULL ?
	    res->cmd->args : spec->args, what, err, errlen);
}

static void
cli_usage_options(const struct cli_spec *spec, const int *ids, FILE *f)
{
	const struct cli_option	*o;

	for (o = spec->options; ids != NULL && o->id != 0; o++) {
		if (!cli_in(ids, o->id) || cli_in(spec->global, o->id))
			continue;
		fprintf(f, " [");
		if (o->long_name != NULL)
			fprintf(f, "--%s", o->long_name);
		else
			fprintf(f, "-%c", o->short_name);
		if (o->type != CLI_FLAG)
			fprintf(f, " %s", o->metavar != NULL ? o->metavar :
			    "VALUE");
		fprintf(f, "]");
	}
}

void
cli_usage(const struct cli_spec *spec, FILE *f)
{
	size_t	i;
	int	w;

	fprintf(f, "usage: %s %s\n", spec->prog, spec->synopsis != NULL ?
	    spec->synopsis : "");
	if (spec->commands == NULL)
		return;
	fprintf(f, "commands (options go before or after the command):\n");
	for (i = 0; i < spec->ncommands; i++) {
		const struct cli_command	*c = &spec->commands[i];

		fprintf(f, "\t");
		for (w = 0; w < CLI_WORDS && c->words[w] != NULL; w++)
			fprintf(f, "%s%s", w > 0 ? " " : "", c->words[w]);
		if (c->args != NULL && c->args[0] != '\0')
			fprintf(f, " %s", c->args);
		cli_usage_options(spec, c->options, f);
		fprintf(f, "\n");
	}
}

void
cli_main_parse(const struct cli_spec *spec, int argc, char **argv,
    struct cli_result *res, int usage_exit)
{
	char	err[CLI_ERRLEN];

	if (cli_parse(spec, argc, argv, res, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s: %s\ntry '%s --help'\n", spec->prog, err,
		    spec->prog);
		exit(usage_exit);
	}
	if (res->help) {
		cli_usage(spec, stdout);
		exit(0);
	}
	if (res->version) {
		printf("%s %s\n", spec->prog, LGR_VERSION);
		exit(0);
	}
}

const struct cli_value *
cli_get(const struct cli_result *res, int id)
{
	int	i;

	for (i = res->nvalues - 1; i >= 0; i--)
		if (res->values[i].id == id)
			return &res->values[i];
	return NULL;
}

bool
cli_has(const struct cli_result *res, int id)
{
	return cli_get(res, id) != NULL;
}
