/*
 * hv_memcpy.c: the baseline of hv_bench.sh: a plain memcpy of SIZE MiB
 * between two touched buffers, median MiB/s over RUNS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
cmp(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
	size_t	mib, len;
	int	runs, i;
	double	t, rate[64];
	char	*a, *b;

	if (argc != 3 || (mib = strtoul(argv[1], NULL, 10)) == 0 ||
	    (runs = atoi(argv[2])) < 1 || runs > 64) {
		fprintf(stderr, "usage: hv_memcpy SIZE-MIB RUNS(1-64)\n");
		return 1;
	}
	len = mib << 20;
	if ((a = malloc(len)) == NULL || (b = malloc(len)) == NULL)
		return 1;
	memset(a, 1, len);
	memset(b, 2, len);
	for (i = 0; i < runs; i++) {
		t = now_ms();
		memcpy(b, a, len);
		rate[i] = (double)mib / ((now_ms() - t) / 1e3);
		a[i] = b[len - 1 - (size_t)i];
	}
	qsort(rate, (size_t)runs, sizeof(rate[0]), cmp);
	printf("%.0f\n", rate[runs / 2]);
	free(a);
	free(b);
	return 0;
}
