// SPDX-License-Identifier: GPL-2.0-only
/* See hist.h. */
#include <math.h>

#include "model/hist.h"
#include "model/model.h"

uint64_t es_hist_lower(unsigned int b)
{
	return b == 0 ? 0 : (uint64_t)1 << b;
}

uint64_t es_hist_upper(unsigned int b)
{
	if (b >= ES_HIST_BUCKETS - 1)
		return UINT64_MAX;
	return ((uint64_t)1 << (b + 1)) - 1;
}

unsigned int es_hist_bucket(uint64_t ns)
{
	return es_bpf_bucket(ns);
}

bool es_hist_total(const uint64_t h[ES_HIST_BUCKETS], uint64_t *total)
{
	uint64_t t = 0;
	unsigned int b;

	for (b = 0; b < ES_HIST_BUCKETS; b++) {
		if (h[b] > ES_FIG_MAX - t)
			return false;
		t += h[b];
	}
	*total = t;
	return true;
}

bool es_hist_add(uint64_t dst[ES_HIST_BUCKETS], const uint64_t src[ES_HIST_BUCKETS])
{
	unsigned int b;
	bool ok = true;

	for (b = 0; b < ES_HIST_BUCKETS; b++) {
		if (src[b] > ES_FIG_MAX - dst[b]) {
			dst[b] = ES_FIG_MAX;
			ok = false;
		} else {
			dst[b] += src[b];
		}
	}
	return ok;
}

bool es_hist_percentile(const uint64_t h[ES_HIST_BUCKETS], double p, uint64_t *ns)
{
	uint64_t total, rank, below = 0, lo, hi;
	unsigned int b;
	double frac;

	if (!es_hist_total(h, &total) || !total || !(p > 0 && p <= 100))
		return false;
	/* The rank of the percentile: 1 for the smallest, total for p = 100. */
	rank = (uint64_t)ceil((double)total * p / 100.0);
	if (rank < 1)
		rank = 1;
	if (rank > total)
		rank = total;
	for (b = 0; b < ES_HIST_BUCKETS; b++) {
		if (below + h[b] >= rank)
			break;
		below += h[b];
	}
	lo = es_hist_lower(b);
	if (b == ES_HIST_BUCKETS - 1) {
		*ns = lo;
		return true;
	}
	hi = es_hist_upper(b);
	/* The rank-th of this bucket's h[b] intervals, spread evenly over it. */
	frac = (double)(rank - below) / (double)h[b];
	*ns = lo + (uint64_t)llround(frac * (double)(hi - lo));
	return true;
}
