/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The collector's log2 histograms of exit -> entry time (bucket layout in
 * tools/bpf/exitscope.h): each bucket's bounds, and percentiles estimated
 * from the buckets. An estimate lies in the bucket that holds the true
 * percentile, so it is off by less than that bucket's width: at most a
 * factor of two (docs/collector.md).
 */
#ifndef EXITSCOPE_HIST_H
#define EXITSCOPE_HIST_H

#include <stdbool.h>
#include <stdint.h>

#include "../../bpf/exitscope.h"

#define ES_HIST_BUCKETS	ES_BPF_HIST_BUCKETS

/* Smallest value of bucket @b, in ns. */
uint64_t es_hist_lower(unsigned int b);
/* Largest value of bucket @b, in ns (inclusive); UINT64_MAX for the last. */
uint64_t es_hist_upper(unsigned int b);
/* The bucket of @ns (the BPF side's function). */
unsigned int es_hist_bucket(uint64_t ns);
/* Intervals in @h; false when the sum overflows 2^63. */
bool es_hist_total(const uint64_t h[ES_HIST_BUCKETS], uint64_t *total);
/*
 * The @p-th percentile (0 < p <= 100) of @h in ns: the bucket where the
 * ceil(p% of all)-th interval lies, interpolated linearly inside it; in
 * the open last bucket its lower bound. false when @h is empty.
 */
bool es_hist_percentile(const uint64_t h[ES_HIST_BUCKETS], double p, uint64_t *ns);
/* @dst += @src, bucket by bucket; false on overflow past 2^63. */
bool es_hist_add(uint64_t dst[ES_HIST_BUCKETS], const uint64_t src[ES_HIST_BUCKETS]);

#endif
