// SPDX-License-Identifier: GPL-2.0-only
/* See model.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"

const char *const es_time_names[ES_NR_TIMES] = {
	[ES_CYCLES] = "cycles",
	[ES_HALTED] = "halted",
	[ES_VMM] = "vmm",
	[ES_PREEMPTED] = "preempted",
	[ES_SLEEP] = "sleep",
};

const char *const es_health_names[ES_BPF_NR_HEALTH] = {
	[ES_BPF_STATS_FULL] = "stats_full",
	[ES_BPF_PENDING_FAILED] = "pending_failed",
	[ES_BPF_STALE] = "stale",
	[ES_BPF_ROW_GONE] = "row_gone",
	[ES_BPF_UNTIMED] = "untimed",
	[ES_BPF_REASON_UNREAD] = "reason_unread",
	[ES_BPF_NO_STATE] = "no_state",
	[ES_BPF_DETAIL_FULL] = "detail_full",
	[ES_BPF_MEMSLOTS_FULL] = "memslots_full",
};

bool es_meta_is_record(const struct es_meta *m)
{
	return !strcmp(m->source, "bpf") || !strcmp(m->source, "module") ||
	       !strcmp(m->source, "tracefs");
}

void es_record_init(struct es_record *r)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->meta.modules, sizeof(r->meta.modules), "exitscope");
}

static void run_free(struct es_run *run)
{
	size_t i;

	for (i = 0; i < run->nvcpus; i++)
		run_free(&run->vcpus[i]);
	free(run->vcpus);
	free(run->rows);
	free(run->details);
	free(run->memslots);
	free(run->kvm);
	es_verdict_free(&run->verdict);
}

void es_record_free(struct es_record *r)
{
	size_t i;

	for (i = 0; i < r->nruns; i++)
		run_free(&r->runs[i]);
	free(r->runs);
	es_verdict_free(&r->verdict);
	memset(r, 0, sizeof(*r));
}

struct es_run *es_record_add_run(struct es_record *r)
{
	struct es_run *runs;

	if (r->nruns >= ES_MAX_RUNS)
		return NULL;
	runs = realloc(r->runs, (r->nruns + 1) * sizeof(*runs));
	if (!runs)
		return NULL;
	r->runs = runs;
	memset(&runs[r->nruns], 0, sizeof(runs[0]));
	runs[r->nruns].vmm_status = -1;
	return &runs[r->nruns++];
}

struct es_run *es_run_add_vcpu(struct es_run *run, uint32_t vcpu)
{
	struct es_run *v;

	if (run->nvcpus >= ES_MAX_VCPUS)
		return NULL;
	v = realloc(run->vcpus, (run->nvcpus + 1) * sizeof(*v));
	if (!v)
		return NULL;
	run->vcpus = v;
	v = &v[run->nvcpus++];
	memset(v, 0, sizeof(*v));
	v->vmm_status = -1;
	v->index = vcpu;
	v->pid = run->pid;
	memcpy(v->mode, run->mode, sizeof(v->mode));
	v->sources = run->sources;
	return v;
}

const struct es_row *es_run_find(const struct es_run *run, uint32_t code)
{
	size_t i;

	for (i = 0; i < run->nrows; i++)
		if (run->rows[i].code == code)
			return &run->rows[i];
	return NULL;
}

struct es_row *es_run_row(struct es_run *run, uint32_t code, const char *name)
{
	struct es_row *rows, *row = (struct es_row *)es_run_find(run, code);

	if (row)
		return row;
	if (run->nrows >= ES_MAX_ROWS)
		return NULL;
	/* Room for 8, then doubled at each power of two past it. */
	if (!run->nrows || (run->nrows >= 8 && !(run->nrows & (run->nrows - 1)))) {
		rows = realloc(run->rows, (run->nrows ? 2 * run->nrows : 8) * sizeof(*rows));
		if (!rows)
			return NULL;
		run->rows = rows;
	}
	row = &run->rows[run->nrows++];
	memset(row, 0, sizeof(*row));
	row->code = code;
	snprintf(row->name, sizeof(row->name), "%s", name ? name : "unnamed");
	return row;
}

static int by_code(const void *a, const void *b)
{
	const struct es_row *x = a, *y = b;

	return x->code < y->code ? -1 : x->code > y->code;
}

void es_run_sort(struct es_run *run)
{
	if (run->nrows)
		qsort(run->rows, run->nrows, sizeof(run->rows[0]), by_code);
}

const struct es_stat *es_run_kvm_stat(const struct es_run *run, const char *name)
{
	size_t i;

	for (i = 0; i < run->nkvm; i++)
		if (!strcmp(run->kvm[i].name, name))
			return &run->kvm[i];
	return NULL;
}

const struct es_mode *es_meta_mode(const struct es_meta *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->nmodes; i++)
		if (!strcmp(m->modes[i].name, name))
			return &m->modes[i];
	return NULL;
}

bool es_verdict_add(struct es_verdict *v, const char *fmt, ...)
{
	char **why, *s;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return false;
	why = realloc(v->why, (v->n + 1) * sizeof(*why));
	if (!why) {
		free(s);
		return false;
	}
	v->why = why;
	v->why[v->n++] = s;
	return true;
}

void es_verdict_free(struct es_verdict *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		free(v->why[i]);
	free(v->why);
	v->why = NULL;
	v->n = 0;
}
