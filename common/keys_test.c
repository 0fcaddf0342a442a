/*
 * keys_test.c: the lab's key files.  Generated files are 0600 in a 0700
 * directory; a key file with any permission bit for group or others is
 * refused with EPERM, whichever bit it is (0640 and 0604 as well as
 * 0644); malformed files are refused with EINVAL; each key maps to its
 * role and an unknown key to none.
 */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "keys.h"

struct lab {
	char	dir[64];
	char	path[PATH_MAX];
};

static const char *const key_names[] = { "server", "operator", "viewer",
    "orchestrator" };

#define NNAMES	(sizeof(key_names) / sizeof(key_names[0]))

static const char *
lab_file(struct lab *l, const char *name, const char *ext)
{
	snprintf(l->path, sizeof(l->path), "%s/%s/%s.%s", l->dir, KEYS_DIR,
	    name, ext);
	return l->path;
}

static int
lab_setup(void **state)
{
	struct lab	*l = calloc(1, sizeof(*l));

	if (l == NULL)
		return -1;
	snprintf(l->dir, sizeof(l->dir), "/tmp/keys_test.XXXXXX");
	if (mkdtemp(l->dir) == NULL || keys_generate(l->dir, false) == -1) {
		free(l);
		return -1;
	}
	*state = l;
	return 0;
}

static int
lab_teardown(void **state)
{
	struct lab	*l = *state;
	size_t		 i;

	for (i = 0; i < NNAMES; i++) {
		unlink(lab_file(l, key_names[i], "key"));
		unlink(lab_file(l, key_names[i], "pub"));
	}
	unlink(lab_file(l, "extra", "key"));
	snprintf(l->path, sizeof(l->path), "%s/%s", l->dir, KEYS_DIR);
	rmdir(l->path);
	rmdir(l->dir);
	free(l);
	return 0;
}

static mode_t
file_mode(const char *path)
{
	struct stat	st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_mode & 07777;
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
	FILE	*f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

/* Every file 0600, the directory 0700; a second run keeps the keys. */
static void
test_generate_modes(void **state)
{
	struct lab	*l = *state;
	char		 before[KEYS_Z85_LEN + 1], after[KEYS_Z85_LEN + 1];
	size_t		 i;

	snprintf(l->path, sizeof(l->path), "%s/%s", l->dir, KEYS_DIR);
	assert_int_equal(file_mode(l->path), 0700);
	for (i = 0; i < NNAMES; i++) {
		assert_int_equal(file_mode(lab_file(l, key_names[i], "key")),
		    0600);
		assert_int_equal(file_mode(lab_file(l, key_names[i], "pub")),
		    0600);
	}
	assert_int_equal(keys_read(lab_file(l, "operator", "key"), before), 0);
	assert_int_equal(keys_generate(l->dir, false), 0);
	assert_int_equal(keys_read(lab_file(l, "operator", "key"), after), 0);
	assert_string_equal(before, after);
	assert_int_equal(keys_generate(l->dir, true), 0);
	assert_int_equal(keys_read(lab_file(l, "operator", "key"), after), 0);
	assert_string_not_equal(before, after);
	assert_int_equal(file_mode(lab_file(l, "operator", "key")), 0600);
}

/*
 * Each mode on the operator's secret key: through keys_read and through
 * keys_load_client, the path every CLI takes.
 */
static const struct {
	mode_t	mode;
	int	err;		/* 0: accepted */
} mode_cases[] = {
	{ 0600, 0 },
	{ 0400, 0 },
	{ 0640, EPERM },	/* group may read */
	{ 0604, EPERM },	/* others may read */
	{ 0644, EPERM },
	{ 0660, EPERM },
	{ 0620, EPERM },
	{ 0610, EPERM },
	{ 0602, EPERM },
	{ 0601, EPERM },
};

static void
test_key_file_modes(void **state)
{
	struct lab		*l = *state;
	struct keys_client	 kc;
	char			 key[KEYS_Z85_LEN + 1];
	const char		*path = lab_file(l, "operator", "key");
	size_t			 i;
	int			 rc;

	for (i = 0; i < sizeof(mode_cases) / sizeof(mode_cases[0]); i++) {
		print_message("mode %04o\n", (unsigned)mode_cases[i].mode);
		assert_int_equal(chmod(path, mode_cases[i].mode), 0);
		errno = 0;
		rc = keys_read(path, key);
		if (mode_cases[i].err == 0) {
			assert_int_equal(rc, 0);
			assert_int_equal(strlen(key), KEYS_Z85_LEN);
		} else {
			assert_int_equal(rc, -1);
			assert_int_equal(errno, mode_cases[i].err);
		}
		errno = 0;
		rc = keys_load_client(l->dir, "operator", NULL, &kc);
		assert_int_equal(rc, mode_cases[i].err == 0 ? 0 : -1);
		if (rc == -1)
			assert_int_equal(errno, mode_cases[i].err);
	}
	assert_int_equal(chmod(path, 0600), 0);
}

/* A daemon refuses to start on a public key others may write. */
static void
test_server_modes(void **state)
{
	struct lab	*l = *state;
	struct keys_set	 ks;
	const char	*path = lab_file(l, "viewer", "pub");

	assert_int_equal(keys_load_server(l->dir, &ks), 0);
	assert_int_equal(chmod(path, 0602), 0);
	errno = 0;
	assert_int_equal(keys_load_server(l->dir, &ks), -1);
	assert_int_equal(errno, EPERM);
	assert_int_equal(chmod(path, 0600), 0);
}

static const struct {
	const char	*text;
	int		 err;
} content_cases[] = {
	{ "0123456789abcdefghij0123456789abcdefghij\n", 0 },
	{ "0123456789abcdefghij0123456789abcdefghij\r\n", 0 },
	{ "0123456789abcdefghij0123456789abcdefghij", 0 },
	{ "0123456789abcdefghij0123456789abcdefghi\n", EINVAL },	/* 39 */
	{ "0123456789abcdefghij0123456789abcdefghijk\n", EINVAL },	/* 41 */
	{ "0123456789abcdefghij0123456789abcdefgh\"j\n", EINVAL },
	{ "", EINVAL },
};

static void
test_key_file_content(void **state)
{
	struct lab	*l = *state;
	char		 key[KEYS_Z85_LEN + 1];
	const char	*path = lab_file(l, "extra", "key");
	size_t		 i;
	int		 rc;

	for (i = 0; i < sizeof(content_cases) / sizeof(content_cases[0]);
	    i++) {
		print_message("content case %zu\n", i);
		write_file(path, content_cases[i].text, 0600);
		errno = 0;
		rc = keys_read(path, key);
		if (content_cases[i].err == 0) {
			assert_int_equal(rc, 0);
			assert_memory_equal(key, content_cases[i].text,
			    KEYS_Z85_LEN);
			assert_int_equal(key[KEYS_Z85_LEN], '\0');
		} else {
			assert_int_equal(rc, -1);
			assert_int_equal(errno, content_cases[i].err);
		}
	}
	errno = 0;
	assert_int_equal(keys_read("/nonexistent/keys/x.key", key), -1);
	assert_int_equal(errno, ENOENT);
}

/* Each client's key has its own role; a stranger's none. */
static void
test_roles(void **state)
{
	struct lab		*l = *state;
	struct keys_set		 ks;
	struct keys_client	 kc;
	static const struct {
		const char	*role;
		enum keys_role	 want;
	} roles[] = {
		{ "operator", KEYS_ROLE_OPERATOR },
		{ "viewer", KEYS_ROLE_VIEWER },
		{ "orchestrator", KEYS_ROLE_ORCHESTRATOR },
		{ "server", KEYS_ROLE_SERVER },
	};
	size_t			 i;

	assert_int_equal(keys_load_server(l->dir, &ks), 0);
	for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
		assert_int_equal(keys_load_client(l->dir, roles[i].role, NULL,
		    &kc), 0);
		assert_string_equal(kc.server_public, ks.server_public);
		assert_int_equal(keys_role_of(&ks, kc.public), roles[i].want);
		assert_string_equal(keys_role_name(roles[i].want),
		    roles[i].role);
	}
	/* The secret key of a client given as a file: the same identity. */
	assert_int_equal(keys_load_client(l->dir, NULL,
	    lab_file(l, "viewer", "key"), &kc), 0);
	assert_int_equal(keys_role_of(&ks, kc.public), KEYS_ROLE_VIEWER);
	assert_int_equal(keys_role_of(&ks,
	    "0123456789abcdefghij0123456789abcdefghij"), KEYS_ROLE_NONE);
	assert_string_equal(keys_role_name(KEYS_ROLE_NONE), "none");
	errno = 0;
	assert_int_equal(keys_load_client(l->dir, "admin", NULL, &kc), -1);
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_int_equal(keys_load_client(l->dir, NULL, NULL, &kc), -1);
	assert_int_equal(errno, EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_generate_modes,
		    lab_setup, lab_teardown),
		cmocka_unit_test_setup_teardown(test_key_file_modes,
		    lab_setup, lab_teardown),
		cmocka_unit_test_setup_teardown(test_server_modes,
		    lab_setup, lab_teardown),
		cmocka_unit_test_setup_teardown(test_key_file_content,
		    lab_setup, lab_teardown),
		cmocka_unit_test_setup_teardown(test_roles,
		    lab_setup, lab_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
