/*
 * guest.c: a guest as its member runs it: a memory image and a vCPU
 * thread running the guest's workload profile (idle, or dirtying
 * rate_mib MiB/s spread over a working set of wss_mib MiB), plus its
 * freezer cgroup, which holds every process of the guest.
 *
 * The vCPU thread owns st while it runs; others read or change it only
 * under mtx (guest_get_state, guest_set_workload) or while paused.  A
 * halted vCPU (a fence) stays paused whatever resumes it, until freed.
 */
#include <sys/mman.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hvd.h"
#include "labname.h"
#include "log.h"

#define GUEST_TICK_NS	1000000L	/* the vCPU works in 1 ms slices */
#define GUEST_FILL_SLICE 256		/* pages filled between pause checks */

uint8_t *
guest_image_new(size_t len)
{
	void	*p;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS |
	    MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	/* Dirty pages are tracked per 4 KiB page: no transparent huge pages. */
	madvise(p, len, MADV_NOHUGEPAGE);
	return p;
}

void
guest_image_free(uint8_t *mem, size_t len)
{
	if (mem != NULL)
		munmap(mem, len);
}

struct guest *
guest_new(const struct hv_guestdef *def, uint8_t *mem,
    const struct vcpu_state *st)
{
	struct guest	*g;

	if ((g = calloc(1, sizeof(*g))) == NULL)
		return NULL;
	g->def = def;
	g->len = (size_t)def->memory_mib << 20;
	g->npages = g->len / HV_PAGE;
	g->uffd = -1;
	g->pagemap = -1;
	g->mem = mem != NULL ? mem : guest_image_new(g->len);
	if (g->mem == NULL) {
		free(g);
		return NULL;
	}
	pthread_mutex_init(&g->mtx, NULL);
	pthread_cond_init(&g->cv, NULL);
	if (st != NULL)
		g->st = *st;
	else
		g->st.rng = 0x9e3779b97f4a7c15ULL ^ (uint64_t)def->idx;
	return g;
}

static size_t
guest_fill_pages(const struct guest *g, unsigned pct)
{
	return g->npages * (pct > 100 ? 100 : pct) / 100;
}

static void
guest_fill_range(struct guest *g, size_t from, size_t to, uint64_t seed)
{
	size_t		 i;
	uint64_t	*w;

	for (i = from; i < to; i++) {
		memset(g->mem + i * HV_PAGE, (int)(0x11 + (i & 0x7f)), HV_PAGE);
		w = (uint64_t *)(void *)(g->mem + i * HV_PAGE);
		w[0] = seed ^ i;
	}
}

/* Make the first pct% of the image non-zero, as a booted guest's. */
void
guest_fill(struct guest *g, unsigned pct, uint64_t seed)
{
	guest_fill_range(g, 0, guest_fill_pages(g, pct), seed);
}

/*
 * The same, done by the vCPU once started, a slice at a time, as a
 * booting system touches its memory: the guest runs at once (a first
 * touch of a page costs a fault and a zeroed page, ~0.8 s for 256 MiB
 * here).  Before guest_start.
 */
void
guest_fill_boot(struct guest *g, unsigned pct, uint64_t seed)
{
	g->fill_next = 0;
	g->fill_end = guest_fill_pages(g, pct);
	g->fill_seed = seed;
}

static uint64_t
guest_rand(uint64_t *s)
{
	uint64_t	x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

/* Dirty the pages of one tick; called with mtx held. */
static void
guest_work(struct guest *g, double *carry)
{
	size_t		 wss, page, n;
	uint64_t	*w;

	wss = (size_t)(g->st.wss_mib << 20) / HV_PAGE;
	if (wss == 0 || wss > g->npages)
		wss = g->npages;
	*carry += (double)g->st.rate_mib * (1 << 20) / HV_PAGE *
	    GUEST_TICK_NS / 1e9;
	for (n = (size_t)*carry; n > 0; n--) {
		page = guest_rand(&g->st.rng) % wss;
		w = (uint64_t *)(void *)(g->mem + page * HV_PAGE);
		w[guest_rand(&g->st.rng) % (HV_PAGE / 8)] = ++g->st.writes;
	}
	*carry -= (size_t)*carry;
}

static void
guest_next_tick(struct timespec *ts, long ns)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_nsec += ns;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/*
 * The vCPU thread's name: g:GUEST while it runs, p:GUEST while paused,
 * so that which member runs a guest can be read from /proc (the fault
 * tests sample it); the kernel keeps 15 characters.
 */
static void
guest_vcpu_name(const struct guest *g, pthread_t t, char state)
{
	char	name[16];

	snprintf(name, sizeof(name), "%c:%.13s", state, g->def->name);
	pthread_setname_np(t, name);
}

static void *
guest_vcpu(void *arg)
{
	struct guest	*g = arg;
	struct timespec	 ts;
	double		 carry = 0;
	size_t		 n;

	pthread_mutex_lock(&g->mtx);
	while (!g->stop) {
		if (g->pause_req || g->halted) {
			guest_vcpu_name(g, pthread_self(), 'p');
			g->paused = true;
			pthread_cond_broadcast(&g->cv);
			while ((g->pause_req || g->halted) && !g->stop)
				pthread_cond_wait(&g->cv, &g->mtx);
			g->paused = false;
			guest_vcpu_name(g, pthread_self(), 'g');
			continue;
		}
		if (g->fill_next < g->fill_end) {
			n = g->fill_end - g->fill_next < GUEST_FILL_SLICE ?
			    g->fill_end - g->fill_next : GUEST_FILL_SLICE;
			guest_fill_range(g, g->fill_next, g->fill_next + n,
			    g->fill_seed);
			g->fill_next += n;
			continue;
		}
		if (g->st.rate_mib > 0)
			guest_work(g, &carry);
		guest_next_tick(&ts, g->st.rate_mib > 0 ? GUEST_TICK_NS :
		    100 * GUEST_TICK_NS);
		pthread_cond_timedwait(&g->cv, &g->mtx, &ts);
	}
	pthread_mutex_unlock(&g->mtx);
	return NULL;
}

int
guest_start(struct guest *g)
{
	pthread_condattr_t	ca;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_destroy(&g->cv);
	pthread_cond_init(&g->cv, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_lock(&g->mtx);	/* named before it may pause */
	if ((errno = pthread_create(&g->vcpu, NULL, guest_vcpu, g)) != 0) {
		pthread_mutex_unlock(&g->mtx);
		return -1;
	}
	guest_vcpu_name(g, g->vcpu, 'g');
	g->running = true;
	pthread_mutex_unlock(&g->mtx);
	return 0;
}

/* Set *flag (g's pause_req or halted); wait until the vCPU stopped. */
static void
guest_stop_vcpu(struct guest *g, bool *flag)
{
	pthread_mutex_lock(&g->mtx);
	*flag = true;
	pthread_cond_broadcast(&g->cv);
	while (g->running && !g->paused)
		pthread_cond_wait(&g->cv, &g->mtx);
	pthread_mutex_unlock(&g->mtx);
}

/* Returns once the vCPU has stopped between two writes. */
void
guest_pause(struct guest *g)
{
	guest_stop_vcpu(g, &g->pause_req);
}

/*
 * Pause the vCPU for good (a fence): no resume lets it run again, only
 * guest_free ends it.  Returns once it has stopped between two writes.
 */
void
guest_halt(struct guest *g)
{
	guest_stop_vcpu(g, &g->halted);
}

void
guest_resume(struct guest *g)
{
	pthread_mutex_lock(&g->mtx);
	g->pause_req = false;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mtx);
}

void
guest_get_state(struct guest *g, struct vcpu_state *st)
{
	pthread_mutex_lock(&g->mtx);
	*st = g->st;
	pthread_mutex_unlock(&g->mtx);
}

void
guest_set_workload(struct guest *g, uint64_t rate, uint64_t wss)
{
	pthread_mutex_lock(&g->mtx);
	if (rate != HV_UNSET)
		g->st.rate_mib = rate;
	if (wss != HV_UNSET)
		g->st.wss_mib = wss;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mtx);
}

uint8_t *
guest_free(struct guest *g, bool keep_mem)
{
	uint8_t	*mem;

	if (g == NULL)
		return NULL;
	if (g->running) {
		pthread_mutex_lock(&g->mtx);
		g->stop = true;
		pthread_cond_broadcast(&g->cv);
		pthread_mutex_unlock(&g->mtx);
		pthread_join(g->vcpu, NULL);
	}
	dirty_stop(g);
	mem = g->mem;
	if (!keep_mem) {
		guest_image_free(g->mem, g->len);
		mem = NULL;
	}
	pthread_mutex_destroy(&g->mtx);
	pthread_cond_destroy(&g->cv);
	free(g);
	return mem;
}

static int
guest_freezer_read(const char *path, char *buf, size_t len)
{
	ssize_t	n;
	int	fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/*
 * Freeze or thaw the guest's cgroup.  Returns 0, 1 when the guest has
 * no cgroup (a guest without processes), -1 on failure.
 */
int
guest_freeze(const char *lab, const char *name, bool frozen)
{
	char		 dir[PATH_MAX], path[PATH_MAX + 16], st[16];
	const char	*want = frozen ? "FROZEN" : "THAWED";
	int		 fd, i;

	if (labname_cgroup(lab, name, dir, sizeof(dir)) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/freezer.state", dir);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1)
		return errno == ENOENT ? 1 : -1;
	if (write(fd, want, strlen(want)) == -1) {
		close(fd);
		return -1;
	}
	close(fd);
	for (i = 0; i < 20000; i++) {
		if (guest_freezer_read(path, st, sizeof(st)) == -1)
			return -1;
		if (strcmp(st, want) == 0)
			return 0;
		usleep(50);
	}
	errno = ETIMEDOUT;
	return -1;
}
