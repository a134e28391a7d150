// SPDX-License-Identifier: GPL-2.0-only
/* See profile.h. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explain/profile.h"

/* The column @label's paging, where the lab's metadata says. */
static int nested_of(const struct es_record *r, const char *label)
{
	size_t i;

	for (i = 0; i < r->meta.nmodes; i++)
		if (!strcmp(r->meta.modes[i].name, label))
			return r->meta.modes[i].nested;
	return -1;
}

/*
 * Whether the column @label has the drill-down: a record's meta says; a
 * lab's runs each say (their collector recorded with --detail).
 */
static bool detail_of(const struct es_record *r, const char *label, bool record)
{
	size_t i, n = 0;

	if (record)
		return !!(r->meta.sources & ES_SRC_DETAIL);
	for (i = 0; i < r->nruns; i++) {
		if (strcmp(r->runs[i].mode, label))
			continue;
		if (!(r->runs[i].sources & ES_SRC_DETAIL))
			return false;
		n++;
	}
	return n > 0;
}

/*
 * The drill-down of the column @label's runs: a record's VMs summed; a
 * lab's runs (the same workload again) averaged, beside the counts'
 * median.
 */
static int keys_of(const struct es_record *r, const char *label, bool record,
		   struct es_profile *p)
{
	size_t i, j, n = 0, runs = 0;

	for (i = 0; i < r->nruns; i++)
		if (!strcmp(r->runs[i].mode, label)) {
			n += r->runs[i].ndetails;
			runs++;
		}
	if (!n)
		return 0;
	p->keys = malloc(n * sizeof(*p->keys));
	if (!p->keys)
		return -1;
	for (i = 0; i < r->nruns; i++) {
		if (strcmp(r->runs[i].mode, label))
			continue;
		for (j = 0; j < r->runs[i].ndetails; j++) {
			p->keys[p->nkeys] = r->runs[i].details[j];
			p->keys[p->nkeys++].tgid = 0;
		}
	}
	p->nkeys = es_detail_merge(p->keys, p->nkeys);
	for (i = 0; !record && runs > 1 && i < p->nkeys; i++)
		p->keys[i].count = (p->keys[i].count + runs / 2) / runs;
	es_detail_sort(p->keys, p->nkeys);
	return 0;
}

int es_profiles(const struct es_record *r, struct es_profile *p, size_t *n)
{
	struct es_summary s;
	size_t c, k;

	*n = 0;
	if (es_summary_build(r, &s))
		return -1;
	for (c = 0; c < s.ncols; c++) {
		struct es_profile *q = &p[c];

		memset(q, 0, sizeof(*q));
		snprintf(q->label, sizeof(q->label), "%s", s.col[c]);
		q->vendor = r->meta.vendor;
		q->nested = nested_of(r, s.col[c]);
		q->span_ns = s.record ? r->meta.duration_ns : 0;
		q->ns = s.record && s.ns;
		q->detail = detail_of(r, s.col[c], s.record);
		q->r = calloc(s.n ? s.n : 1, sizeof(*q->r));
		*n = c + 1;
		if (!q->r || (q->detail && keys_of(r, s.col[c], s.record, q)))
			goto oom;
		for (k = 0; k < s.n; k++) {
			const struct es_cell *cell = &s.rows[k].c[c];
			const char *name = es_reason_name(r->meta.vendor, s.rows[k].code);
			struct es_profile_reason *pr;

			if (!cell->median)
				continue;
			pr = &q->r[q->nr++];
			pr->code = s.rows[k].code;
			/* The kernel's name where it has one: the rules ask by it. */
			pr->name = name ? name : "";
			pr->count = cell->median;
			memcpy(pr->hist, cell->hist, sizeof(pr->hist));
			q->total += cell->median;
		}
	}
	es_summary_free(&s);
	return 0;
oom:
	es_summary_free(&s);
	es_profiles_free(p, *n);
	*n = 0;
	return -1;
}

void es_profiles_free(struct es_profile *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(p[i].r);
		free(p[i].keys);
		p[i].r = NULL;
		p[i].keys = NULL;
		p[i].nr = p[i].nkeys = 0;
	}
}

const struct es_profile_reason *es_profile_reason(const struct es_profile *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->nr; i++)
		if (!strcmp(p->r[i].name, name))
			return &p->r[i];
	return NULL;
}

uint64_t es_profile_count(const struct es_profile *p, const char *name)
{
	const struct es_profile_reason *r = es_profile_reason(p, name);

	return r ? r->count : 0;
}

/* Keys of @kind below @name: all of them (@any), or those keyed @value. */
static uint64_t keys_sum(const struct es_profile *p, const char *name, unsigned int kind,
			 bool any, uint64_t value)
{
	const struct es_profile_reason *r = es_profile_reason(p, name);
	uint64_t sum = 0;
	size_t i;

	if (!r)
		return 0;
	for (i = 0; i < p->nkeys; i++)
		if (p->keys[i].code == r->code && p->keys[i].kind == kind &&
		    (any || p->keys[i].value == value))
			sum += p->keys[i].count;
	return sum;
}

uint64_t es_profile_key(const struct es_profile *p, const char *name, unsigned int kind,
			uint64_t value)
{
	return keys_sum(p, name, kind, false, value);
}

uint64_t es_profile_keyed(const struct es_profile *p, const char *name, unsigned int kind)
{
	return keys_sum(p, name, kind, true, 0);
}

double es_profile_share(const struct es_profile *p, uint64_t part)
{
	return p->total ? 100.0 * (double)part / (double)p->total : 0.0;
}

double es_profile_rate(const struct es_profile *p, uint64_t count)
{
	return p->span_ns ? (double)count * 1e9 / (double)p->span_ns : -1.0;
}
