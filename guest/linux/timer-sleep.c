// SPDX-License-Identifier: GPL-2.0-only
/*
 * Workload "timer": sleep in short steps so the vCPU idles (HLT) and is
 * woken by its timer (external interrupts, timer MSR writes).
 * Usage: timer-sleep [STEPS] [MICROSECONDS]   (default 500 x 1000 us)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
	long steps = 500, us = 1000, i;
	struct timespec t0, t1, step;

	if (argc > 1)
		steps = strtol(argv[1], NULL, 10);
	if (argc > 2)
		us = strtol(argv[2], NULL, 10);
	if (argc > 3 || steps < 1 || steps > 1000000 || us < 1 || us > 1000000) {
		fprintf(stderr, "usage: timer-sleep [STEPS 1..1000000] [MICROSECONDS 1..1000000]\n");
		return 2;
	}
	step.tv_sec = us / 1000000;
	step.tv_nsec = us % 1000000 * 1000;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < steps; i++)
		nanosleep(&step, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("timer-sleep: %ld sleeps of %ld us in %.3f s\n", steps, us,
	       (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
}
