// SPDX-License-Identifier: GPL-2.0-only
/* See summary.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/summary.h"

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Median of @n values (sorted here); the mean of the middle two if even. */
static uint64_t median(uint64_t *v, size_t n)
{
	qsort(v, n, sizeof(v[0]), cmp_u64);
	return n % 2 ? v[n / 2] : v[n / 2 - 1] / 2 + v[n / 2] / 2 +
				  (v[n / 2 - 1] % 2 + v[n / 2] % 2) / 2;
}

static int col_of(const struct es_summary *s, const char *mode)
{
	size_t i;

	for (i = 0; i < s->ncols; i++)
		if (!strcmp(s->col[i], mode))
			return (int)i;
	return -1;
}

/* A record's cell: sums over the column's VMs, min and max per VM. */
static void fill_record_cell(const struct es_record *r, const struct es_summary *s,
			     size_t col, uint32_t code, struct es_cell *c)
{
	bool first = true;
	size_t i, k;

	for (i = 0; i < r->nruns; i++) {
		const struct es_row *row;
		uint64_t n;

		if (col_of(s, r->runs[i].mode) != (int)col)
			continue;
		row = es_run_find(&r->runs[i], code);
		n = row ? row->f.count : 0;
		c->min = first || n < c->min ? n : c->min;
		c->max = first || n > c->max ? n : c->max;
		first = false;
		if (!row)
			continue;
		c->median = c->median + n < c->median ? ES_FIG_MAX : c->median + n;
		for (k = 0; k < ES_NR_TIMES; k++)
			c->t[k] += row->f.t[k];
		c->ns += row->f.ns;
		es_hist_add(c->hist, row->hist);
	}
}

static void fill_cell(const struct es_record *r, const struct es_summary *s,
		      size_t col, uint32_t code, struct es_cell *c, uint64_t *v)
{
	size_t i, n, k;

	if (s->record) {
		fill_record_cell(r, s, col, code, c);
		return;
	}
	for (k = 0; k <= ES_NR_TIMES; k++) {
		for (i = n = 0; i < r->nruns; i++) {
			const struct es_row *row;

			if (col_of(s, r->runs[i].mode) != (int)col)
				continue;
			row = es_run_find(&r->runs[i], code);
			v[n++] = !row ? 0 : k ? row->f.t[k - 1] : row->f.count;
		}
		if (!n)
			return;
		if (k) {
			c->t[k - 1] = median(v, n);
		} else {
			c->median = median(v, n);
			c->min = v[0];
			c->max = v[n - 1];
		}
	}
}

static int by_code(const void *a, const void *b)
{
	const struct es_sum_row *x = a, *y = b;

	return x->code < y->code ? -1 : x->code > y->code;
}

int es_summary_build(const struct es_record *r, struct es_summary *s)
{
	uint64_t *v = NULL;
	size_t i, j, k;

	memset(s, 0, sizeof(*s));
	s->vendor = r->meta.vendor;
	for (i = 0; i < r->meta.nmodes && s->ncols < ES_MAX_COLS; i++)
		snprintf(s->col[s->ncols++], ES_LABEL_MAX, "%s", r->meta.modes[i].name);
	s->times = r->nruns > 0;
	s->record = es_meta_is_record(&r->meta);
	s->ns = s->cycles = r->nruns > 0;
	for (i = 0; i < r->nruns; i++) {
		int c = col_of(s, r->runs[i].mode);

		if (c < 0 && s->ncols < ES_MAX_COLS) {
			c = (int)s->ncols;
			snprintf(s->col[s->ncols++], ES_LABEL_MAX, "%s", r->runs[i].mode);
		}
		if (c >= 0)
			s->runs[c]++;
		s->times &= !!(r->runs[i].sources & ES_SRC_TIMES);
		s->ns &= !!(r->runs[i].sources & ES_SRC_NS);
		s->cycles &= !!(r->runs[i].sources & ES_SRC_STATS);
	}
	if (!s->record)
		s->cycles = true;
	/* Every code any run has a row for: at most all rows of all runs. */
	for (i = k = 0; i < r->nruns; i++)
		k += r->runs[i].nrows;
	s->rows = calloc(k ? k : 1, sizeof(*s->rows));
	v = calloc(r->nruns ? r->nruns : 1, sizeof(*v));
	if (!s->rows || !v)
		goto fail;
	for (i = 0; i < r->nruns; i++)
		for (j = 0; j < r->runs[i].nrows; j++) {
			const struct es_row *row = &r->runs[i].rows[j];

			for (k = 0; k < s->n && s->rows[k].code != row->code; k++)
				;
			if (k == s->n) {
				s->rows[s->n].code = row->code;
				snprintf(s->rows[s->n++].name, ES_NAME_MAX + 1, "%s", row->name);
			}
		}
	qsort(s->rows, s->n, sizeof(s->rows[0]), by_code);
	for (k = 0; k < s->n; k++) {
		for (i = 0; i < s->ncols; i++)
			fill_cell(r, s, i, s->rows[k].code, &s->rows[k].c[i], v);
		s->rows[k].strong = s->ncols == 2 &&
			es_strong_change(s->rows[k].c[0].median, s->rows[k].c[1].median);
	}
	free(v);
	return 0;
fail:
	free(v);
	es_summary_free(s);
	return -1;
}

void es_summary_free(struct es_summary *s)
{
	free(s->rows);
	memset(s, 0, sizeof(*s));
}

bool es_strong_change(uint64_t a, uint64_t b)
{
	uint64_t lo = a < b ? a : b, hi = a < b ? b : a;

	return hi >= 100 && lo <= hi / 4;	/* 4 * lo <= hi, without overflow */
}

const char *es_ratio_str(char *buf, size_t len, uint64_t before, uint64_t after)
{
	if (!before && !after)
		snprintf(buf, len, "-");
	else if (!before)
		snprintf(buf, len, "new");
	else if (!after)
		snprintf(buf, len, "gone");
	else
		snprintf(buf, len, "%.2fx", (double)after / (double)before);
	return buf;
}

static const struct { const char *name, *why; } notes[] = {
	{ "EXCEPTION_NMI", "#PF: KVM must intercept guest page faults to build its shadow page tables" },
	{ "PF excp", "#PF intercepts: KVM must see guest page faults to build its shadow page tables" },
	{ "CR_ACCESS", "CR3 writes (each process switch and, with PTI, each kernel entry and exit) switch shadow roots" },
	{ "write_cr3", "CR3 writes (each process switch and, with PTI, each kernel entry and exit) switch shadow roots" },
	{ "read_cr3", "CR3 reads must return the guest's value, not the shadow root" },
	{ "INVLPG", "single-page TLB flushes must drop the shadow entry too" },
	{ "invlpg", "single-page TLB flushes must drop the shadow entry too" },
	{ "INVPCID", "PCID-tagged flushes (PTI with PCID) must reach the shadow tables" },
	{ "invpcid", "PCID-tagged flushes (PTI with PCID) must reach the shadow tables" },
	{ "EPT_VIOLATION", "only with EPT: first touches of guest memory fault in the second-level tables" },
	{ "EPT_MISCONFIG", "only with EPT: MMIO is marked by misconfigured EPT entries" },
	{ "npf", "only with NPT: first touches of guest memory fault in the nested page tables" },
	/* Not paging itself: the same work takes longer under shadow paging. */
	{ "INTERRUPT_WINDOW", "a slower guest (shadow paging) spends more time per run, so more interrupts wait for a window" },
	{ "vintr", "a slower guest (shadow paging) spends more time per run, so more interrupts wait for a window" },
	{ "PREEMPTION_TIMER", "the guest's timer (emulated with the preemption timer) fires more often in a longer run" },
	{ "EXTERNAL_INTERRUPT", "a longer run takes more of the host's interrupts" },
	{ "interrupt", "a longer run takes more of the host's interrupts" },
	{ "HLT", "the guest idles (halts) a different amount when its work takes longer" },
	{ "hlt", "the guest idles (halts) a different amount when its work takes longer" },
};

const char *es_note_for(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(notes) / sizeof(notes[0]); i++)
		if (!strcmp(notes[i].name, name))
			return notes[i].why;
	return NULL;
}
