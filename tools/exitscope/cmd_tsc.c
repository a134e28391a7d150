// SPDX-License-Identifier: GPL-2.0-only
/*
 * exitscope tsc-khz: this machine's TSC frequency, measured against
 * CLOCK_MONOTONIC_RAW. Turns exitscope's cycles into time; the lab passes
 * it to L1 under QEMU TCG (whose TSC is the host's), sparing L1 a PIT
 * calibration that fails now and then under emulation.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"

#define SAMPLES		5
#define SAMPLE_NS	40000000L	/* 40 ms each */

void cmd_tsc_help(void)
{
	printf("usage: exitscope tsc-khz\n"
	       "\n"
	       "Print this machine's TSC frequency in kHz: the median of %d\n"
	       "measurements of %ld ms against CLOCK_MONOTONIC_RAW. Exits 1 if the\n"
	       "measurements disagree by more than 0.5%% or are implausible.\n",
	       SAMPLES, SAMPLE_NS / 1000000);
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC_RAW, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* One measurement: TSC ticks per millisecond over SAMPLE_NS. */
static uint64_t sample_khz(void)
{
	const struct timespec wait = { 0, SAMPLE_NS };
	uint64_t t0, c0, t1, c1;

	t0 = now_ns();
	c0 = rdtsc();
	nanosleep(&wait, NULL);
	t1 = now_ns();
	c1 = rdtsc();
	if (t1 <= t0 || c1 <= c0)
		return 0;
	return (c1 - c0) * 1000000u / (t1 - t0);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int cmd_tsc(int argc, char **argv)
{
	uint64_t khz[SAMPLES], mid;
	int i;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		cmd_tsc_help();
		return 0;
	}
	if (argc > 1) {
		fprintf(stderr, "exitscope tsc-khz: unexpected argument '%s'\n", argv[1]);
		return 2;
	}
	for (i = 0; i < SAMPLES; i++)
		khz[i] = sample_khz();
	qsort(khz, SAMPLES, sizeof(khz[0]), cmp_u64);
	mid = khz[SAMPLES / 2];
	/* 100 MHz to 10 GHz, and the middle three within 0.5% of each other. */
	if (mid < 100000 || mid > 10000000 ||
	    (khz[SAMPLES / 2 + 1] - khz[SAMPLES / 2 - 1]) * 200 > mid) {
		fprintf(stderr, "exitscope tsc-khz: no steady TSC (samples %llu..%llu kHz)\n",
			(unsigned long long)khz[0], (unsigned long long)khz[SAMPLES - 1]);
		return 1;
	}
	printf("%llu\n", (unsigned long long)mid);
	return 0;
}
