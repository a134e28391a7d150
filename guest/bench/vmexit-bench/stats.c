// SPDX-License-Identifier: GPL-2.0-only
/* See bench.h: the arithmetic of the figures (pure, unit-tested on the host). */
#include "bench.h"

uint64_t bench_per_op(uint64_t ticks, uint64_t ops)
{
	return ops ? (ticks + ops / 2) / ops : 0;
}

uint64_t bench_median(uint64_t *v, unsigned int n)
{
	unsigned int i, j;
	uint64_t x;

	if (!n)
		return 0;
	for (i = 1; i < n; i++)		/* insertion sort: n is at most 16 */
		for (j = i, x = v[i]; j > 0 && v[j - 1] > x; j--) {
			v[j] = v[j - 1];
			v[j - 1] = x;
		}
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}
