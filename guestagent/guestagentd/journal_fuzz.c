/*
 * journal_fuzz.c: libFuzzer target for the agent's journal reader
 * (journal_read(): what the agent trusts at start-up, after a crash or a
 * power cut, from LABDIR/GUEST/agent.journal).  The input is the file.
 * Beyond not crashing: a refusal is EBADMSG; an accepted journal has a
 * known state, a valid member name or none, times not negative, at most
 * FSM_MAX_IFS drained interfaces with names that fit; and written back
 * with journal_write() it reads back the same.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "agent.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

static char	fuzz_in[64];		/* the input, a memfd */
static char	fuzz_back[64];		/* written back, in a temp dir */
static int	fuzz_fd = -1;

static char	fuzz_dir[] = "/tmp/journal_fuzz.XXXXXX";

/* At exit: the written-back journal and its directory go. */
static void
fuzz_clean(void)
{
	unlink(fuzz_back);
	rmdir(fuzz_dir);
}

static void
fuzz_open(void)
{
	if ((fuzz_fd = memfd_create("journal", 0)) == -1 ||
	    mkdtemp(fuzz_dir) == NULL)
		abort();
	atexit(fuzz_clean);
	snprintf(fuzz_in, sizeof(fuzz_in), "/proc/self/fd/%d", fuzz_fd);
	snprintf(fuzz_back, sizeof(fuzz_back), "%s/agent.journal", fuzz_dir);
}

static void
fuzz_valid(const struct journal *j)
{
	size_t	i;

	if ((unsigned)j->state >= FSM_NSTATES ||
	    memchr(j->member, '\0', sizeof(j->member)) == NULL ||
	    (j->member[0] != '\0' && !msg_name_valid(j->member)) ||
	    j->since_ms < 0 || j->prepared_ms < 0 ||
	    j->ndrained > FSM_MAX_IFS)
		abort();
	for (i = 0; i < j->ndrained; i++)
		if (memchr(j->drained[i], '\0', sizeof(j->drained[i])) ==
		    NULL)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct journal	j, back;

	if (fuzz_fd == -1)
		fuzz_open();
	if (ftruncate(fuzz_fd, 0) == -1 ||
	    pwrite(fuzz_fd, data, len, 0) != (ssize_t)len)
		abort();
	if (journal_read(fuzz_in, &j) == -1) {
		if (errno != EBADMSG)
			abort();
		return 0;
	}
	fuzz_valid(&j);
	if (journal_write(fuzz_back, &j) == -1 ||
	    journal_read(fuzz_back, &back) == -1 ||
	    memcmp(&j, &back, sizeof(j)) != 0)
		abort();
	return 0;
}
