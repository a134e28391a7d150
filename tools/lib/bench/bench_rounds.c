// SPDX-License-Identifier: GPL-2.0-only
/*
 * See bench.h: a configuration's figures over the rounds of a sitting
 * (lab/bench.sh --rounds, make bench-host), and what it adds over stock as
 * paired differences: each round against stock's run of the same round and
 * vCPU count, so that a drift over the sitting (a host warming up, another
 * load coming and going) cancels out instead of landing on one side.
 */
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"

static unsigned int round_of(const struct es_bench_run *r)
{
	return r->round ? r->round : 1;
}

static bool same_group(const struct es_bench_run *a, const struct es_bench_run *b)
{
	return !strcmp(a->config, b->config) && a->vcpus == b->vcpus;
}

static const struct es_bench_case *case_of(const struct es_bench_run *run, const char *name)
{
	size_t i;

	for (i = 0; i < run->ncases; i++)
		if (!strcmp(run->cases[i].name, name) && !run->cases[i].skipped &&
		    !run->cases[i].failed)
			return &run->cases[i];
	return NULL;
}

/* Stock's run of the same vCPU count and round, or NULL. */
static const struct es_bench_run *stock_pair(const struct es_bench *b, const struct es_bench_run *run)
{
	size_t i;

	for (i = 0; i < b->nruns; i++)
		if (!strcmp(b->runs[i].config, "stock") && b->runs[i].vcpus == run->vcpus &&
		    round_of(&b->runs[i]) == round_of(run) && !b->runs[i].failed[0])
			return &b->runs[i];
	return NULL;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

int64_t es_bench_median(int64_t *v, size_t n)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_i64);
	if (n % 2)
		return v[n / 2];
	/* The mean of the middle two, rounded down (figures are far below 2^62). */
	return v[n / 2 - 1] + (v[n / 2] - v[n / 2 - 1]) / 2;
}

int64_t es_bench_round_spread(int64_t v, uint64_t spread)
{
	int64_t step = 1, r;

	while (step <= INT64_MAX / 10 && (uint64_t)step * 10 <= spread)
		step *= 10;
	if (step == 1)
		return v;
	r = v % step;
	v -= r;
	if (2 * (r < 0 ? -r : r) >= step)
		v += r < 0 ? -step : step;
	return v;
}

bool es_bench_agg_case(const struct es_bench *b, const struct es_bench_run *run,
		       const char *name, struct es_bench_agg *a)
{
	int64_t *meds = calloc(b->nruns + 1, sizeof(*meds));
	int64_t *diffs = calloc(b->nruns + 1, sizeof(*diffs));
	const struct es_bench_case *c, *s;
	const struct es_bench_run *base;
	size_t i;

	memset(a, 0, sizeof(*a));
	if (!meds || !diffs) {
		free(meds);
		free(diffs);
		return false;
	}
	for (i = 0; i < b->nruns; i++) {
		if (!same_group(&b->runs[i], run) || !(c = case_of(&b->runs[i], name)))
			continue;
		if (!a->rounds || c->min < a->min)
			a->min = c->min;
		if (c->max > a->max)
			a->max = c->max;
		a->iterations += c->iterations;
		meds[a->rounds++] = (int64_t)c->per_op;
		base = stock_pair(b, &b->runs[i]);
		if (base && (s = case_of(base, name)))
			diffs[a->pairs++] = (int64_t)c->per_op - (int64_t)s->per_op;
	}
	if (a->rounds)
		a->per_op = (uint64_t)es_bench_median(meds, a->rounds);
	if (a->pairs) {
		a->added = es_bench_median(diffs, a->pairs);	/* sorted now */
		a->added_lo = diffs[0];
		a->added_hi = diffs[a->pairs - 1];
	}
	free(meds);
	free(diffs);
	return a->rounds > 0;
}

static bool per_exit(const struct es_bench_run *r, bool instructions, double *v)
{
	if (!r->kvm_exits || (instructions ? !r->perf.has_instructions : !r->perf.has_cycles))
		return false;
	*v = (double)(instructions ? r->perf.instructions : r->perf.cycles) / (double)r->kvm_exits;
	return true;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median_double(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

bool es_bench_agg_perf(const struct es_bench *b, const struct es_bench_run *run,
		       bool instructions, struct es_bench_perf_agg *a)
{
	double *vals = calloc(b->nruns + 1, sizeof(*vals));
	double *diffs = calloc(b->nruns + 1, sizeof(*diffs));
	const struct es_bench_run *base;
	double v, s;
	size_t i;

	memset(a, 0, sizeof(*a));
	if (!vals || !diffs) {
		free(vals);
		free(diffs);
		return false;
	}
	for (i = 0; i < b->nruns; i++) {
		if (!same_group(&b->runs[i], run) || !per_exit(&b->runs[i], instructions, &v))
			continue;
		vals[a->rounds++] = v;
		base = stock_pair(b, &b->runs[i]);
		if (base && per_exit(base, instructions, &s))
			diffs[a->pairs++] = v - s;
	}
	if (a->rounds)
		a->per_exit = median_double(vals, a->rounds);
	if (a->pairs) {
		a->added = median_double(diffs, a->pairs);
		a->added_lo = diffs[0];
		a->added_hi = diffs[a->pairs - 1];
	}
	free(vals);
	free(diffs);
	return a->rounds > 0;
}

bool es_bench_agg_peer(const struct es_bench *b, const struct es_bench_run *run,
		       struct es_bench_peer_agg *a)
{
	int64_t *ns = calloc(b->nruns + 1, sizeof(*ns));
	double *per = calloc(b->nruns + 1, sizeof(*per));
	unsigned int nper = 0;
	uint64_t exits;
	size_t i, j;

	memset(a, 0, sizeof(*a));
	if (!ns || !per) {
		free(ns);
		free(per);
		return false;
	}
	for (i = 0; i < b->nruns; i++) {
		const struct es_bench_run *r = &b->runs[i];

		if (!same_group(r, run) || !r->has_peer_cpu)
			continue;
		ns[a->rounds++] = (int64_t)r->peer_cpu_ns;
		/* The peer ran across every VM of its configuration in the round. */
		for (j = 0, exits = 0; j < b->nruns; j++)
			if (!strcmp(b->runs[j].config, r->config) &&
			    round_of(&b->runs[j]) == round_of(r))
				exits += b->runs[j].kvm_exits;
		if (exits)
			per[nper++] = (double)r->peer_cpu_ns / (double)exits;
	}
	if (a->rounds)
		a->cpu_ns = (uint64_t)es_bench_median(ns, a->rounds);
	if (nper) {
		a->has_per_exit = true;
		a->per_exit_ns = median_double(per, nper);
	}
	free(ns);
	free(per);
	return a->rounds > 0;
}
