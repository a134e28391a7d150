// SPDX-License-Identifier: GPL-2.0-only
/* See record.h: snapshots into records and back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/record.h"

bool es_label_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		      s[i] == '_' || s[i] == '-'))
			return false;
	return i > 0 && i < ES_LABEL_MAX;
}

static const char *name_of(enum es_vendor v, uint32_t code)
{
	const char *n = es_reason_name(v, code);

	return n ? n : "unnamed";
}

static bool add_sat(uint64_t *a, uint64_t b)
{
	if (b > ES_FIG_MAX - *a) {
		*a = ES_FIG_MAX;
		return false;
	}
	*a += b;
	return true;
}

/* Add snapshot row @s into @run's row of its code, and into the total. */
static int add_row(struct es_run *run, enum es_vendor v, const struct es_snap_row *s)
{
	struct es_row *row = es_run_row(run, s->code, name_of(v, s->code));

	if (!row)
		return -1;
	add_sat(&row->f.count, s->count);
	add_sat(&row->f.t[ES_CYCLES], s->cycles);
	add_sat(&row->f.ns, s->time_ns);
	es_hist_add(row->hist, s->hist);
	add_sat(&run->total.count, s->count);
	add_sat(&run->total.t[ES_CYCLES], s->cycles);
	add_sat(&run->total.ns, s->time_ns);
	return 0;
}

/*
 * The snapshot's drill-down into its VMs' runs (sorted by pid, as the
 * snapshot's rows made them). A key of a VM with no exits in the span
 * cannot be (the key's exits are the VM's): it is left out.
 */
static int add_details(struct es_record *r, struct es_snap *s)
{
	size_t i, j = 0, k;

	es_detail_sort(s->details, s->ndetails);
	for (i = 0; i < s->ndetails; i = k) {
		struct es_run *run;

		for (k = i + 1; k < s->ndetails && s->details[k].tgid == s->details[i].tgid; k++)
			;
		while (j < r->nruns && r->runs[j].pid < s->details[i].tgid)
			j++;
		if (j == r->nruns || r->runs[j].pid != s->details[i].tgid)
			continue;
		run = &r->runs[j];
		run->details = malloc((k - i) * sizeof(*run->details));
		if (!run->details)
			return -1;
		memcpy(run->details, &s->details[i], (k - i) * sizeof(*run->details));
		run->ndetails = k - i;
	}
	return 0;
}

static int by_memslot(const void *a, const void *b)
{
	return es_memslot_cmp(a, b);
}

/* The snapshot's memslots into their VMs' runs; a VM without a run has none. */
static int add_memslots(struct es_record *r, const struct es_snap *s)
{
	struct es_memslot *m;
	size_t i, j;

	for (i = 0; i < s->nmemslots; i++) {
		for (j = 0; j < r->nruns && r->runs[j].pid != s->memslots[i].tgid; j++)
			;
		if (j == r->nruns)
			continue;
		m = realloc(r->runs[j].memslots, (r->runs[j].nmemslots + 1) * sizeof(*m));
		if (!m)
			return -1;
		m[r->runs[j].nmemslots++] = s->memslots[i];
		r->runs[j].memslots = m;
	}
	for (j = 0; j < r->nruns; j++)
		if (r->runs[j].nmemslots)
			qsort(r->runs[j].memslots, r->runs[j].nmemslots,
			      sizeof(*r->runs[j].memslots), by_memslot);
	return 0;
}

int es_record_from_snap(const struct es_snap *d, const struct es_record_info *info,
			struct es_record *r, struct es_err *e)
{
	struct es_snap s;
	unsigned int sources = 0;
	struct es_run *run = NULL, *vcpu = NULL;
	size_t i;

	es_record_init(r);
	if (!es_label_ok(info->label))
		return es_errf(e, "label '%s': 1 to %d of a-z, 0-9, _ and -", info->label,
			       ES_LABEL_MAX - 1);
	if (es_snap_copy(&s, d))
		return es_errf(e, "out of memory");
	es_snap_sort(&s);
	snprintf(r->meta.source, sizeof(r->meta.source), "%s", d->source);
	snprintf(r->meta.attach, sizeof(r->meta.attach), "%s", d->attach);
	snprintf(r->meta.label, sizeof(r->meta.label), "%s", info->label);
	r->meta.vendor = d->vendor;
	snprintf(r->meta.host_kernel, sizeof(r->meta.host_kernel), "%s",
		 info->host_kernel ? info->host_kernel : "");
	r->meta.duration_ns = info->duration_ns;
	memcpy(r->meta.health, d->health, sizeof(r->meta.health));
	if (d->has & ES_SNAP_CYCLES)
		sources |= ES_SRC_STATS;
	if (d->has & ES_SNAP_NS)
		sources |= ES_SRC_NS;
	if (d->has & ES_SNAP_DETAIL)
		sources |= ES_SRC_DETAIL;
	r->meta.sources = sources;
	for (i = 0; i < s.n; i++) {
		const struct es_snap_row *sr = &s.rows[i];

		if (!run || run->pid != sr->tgid) {
			run = es_record_add_run(r);
			if (!run) {
				es_errf(e, "more than %d VMs, or out of memory (record one with --pid)",
					ES_MAX_RUNS);
				goto fail;
			}
			snprintf(run->mode, sizeof(run->mode), "%s", info->label);
			run->index = (unsigned int)r->nruns;
			run->pid = sr->tgid;
			run->sources = sources;
			if (es_snap_comm(d, sr->tgid))
				snprintf(run->comm, sizeof(run->comm), "%s", es_snap_comm(d, sr->tgid));
			if (es_snap_vm(d, sr->tgid))
				snprintf(run->vm, sizeof(run->vm), "%s", es_snap_vm(d, sr->tgid));
			vcpu = NULL;
		}
		if (add_row(run, d->vendor, sr))
			goto oom;
		if (sr->vcpu == ES_VCPU_ALL)
			continue;
		if (!vcpu || vcpu->index != sr->vcpu) {
			vcpu = es_run_add_vcpu(run, sr->vcpu);
			if (!vcpu) {
				es_errf(e, "VM %u: more than %d vCPUs, or out of memory", run->pid,
					ES_MAX_VCPUS);
				goto fail;
			}
		}
		if (add_row(vcpu, d->vendor, sr))
			goto oom;
	}
	for (i = 0; i < r->nruns; i++)
		es_run_sort(&r->runs[i]);
	if (add_details(r, &s) || add_memslots(r, &s))
		goto oom;
	es_snap_free(&s);
	return 0;
oom:
	es_errf(e, "more than %d reasons in a VM, or out of memory", ES_MAX_ROWS);
fail:
	es_snap_free(&s);
	es_record_free(r);
	return -1;
}

static int put_rows(struct es_snap *out, const struct es_run *run, uint32_t vcpu)
{
	size_t i;

	for (i = 0; i < run->nrows; i++) {
		const struct es_row *row = &run->rows[i];
		struct es_snap_row sr;

		memset(&sr, 0, sizeof(sr));
		sr.tgid = run->pid;
		sr.vcpu = vcpu;
		sr.code = row->code;
		sr.count = row->f.count;
		sr.cycles = row->f.t[ES_CYCLES];
		sr.time_ns = row->f.ns;
		memcpy(sr.hist, row->hist, sizeof(sr.hist));
		if (es_snap_add(out, &sr))
			return -1;
	}
	return 0;
}

int es_record_to_snap(const struct es_record *r, struct es_snap *out, struct es_err *e)
{
	size_t i, j;

	es_snap_init(out);
	snprintf(out->source, sizeof(out->source), "%s", r->meta.source);
	snprintf(out->attach, sizeof(out->attach), "%s", r->meta.attach);
	snprintf(out->host_kernel, sizeof(out->host_kernel), "%s", r->meta.host_kernel);
	out->vendor = r->meta.vendor;
	out->vendor_known = true;
	out->at_ns = r->meta.duration_ns;
	memcpy(out->health, r->meta.health, sizeof(out->health));
	if (r->meta.sources & ES_SRC_STATS)
		out->has |= ES_SNAP_CYCLES;
	if (r->meta.sources & ES_SRC_NS)
		out->has |= ES_SNAP_NS;
	if (r->meta.sources & ES_SRC_DETAIL)
		out->has |= ES_SNAP_DETAIL;
	for (i = 0; i < r->nruns; i++) {
		const struct es_run *run = &r->runs[i];

		for (j = 0; j < run->ndetails; j++)
			if (es_snap_add_detail(out, &run->details[j]))
				goto oom;
		for (j = 0; j < run->nmemslots; j++)
			if (es_snap_set_memslot(out, &run->memslots[j]))
				goto oom;
		if (run->comm[0] && es_snap_set_comm(out, run->pid, run->comm))
			goto oom;
		if (run->vm[0] && es_snap_set_vm(out, run->pid, run->vm))
			goto oom;
		if (run->nvcpus)
			out->has |= ES_SNAP_VCPUS;
		if (!run->nvcpus && put_rows(out, run, ES_VCPU_ALL))
			goto oom;
		for (j = 0; j < run->nvcpus; j++)
			if (put_rows(out, &run->vcpus[j], run->vcpus[j].index))
				goto oom;
	}
	return 0;
oom:
	es_snap_free(out);
	return es_errf(e, "out of memory");
}

/* Move @from's runs (VMs) to the end of @to, their mode @label. */
static int move_runs(struct es_record *to, struct es_record *from, const char *label,
		     struct es_err *e)
{
	size_t i, j;

	for (i = 0; i < from->nruns; i++) {
		struct es_run *run = es_record_add_run(to);

		if (!run)
			return es_errf(e, "more than %d VMs in the two records", ES_MAX_RUNS);
		*run = from->runs[i];
		snprintf(run->mode, sizeof(run->mode), "%s", label);
		for (j = 0; j < run->nvcpus; j++)
			snprintf(run->vcpus[j].mode, sizeof(run->vcpus[j].mode), "%s", label);
	}
	/* The runs belong to @to now. */
	from->nruns = 0;
	return 0;
}

int es_record_compare(struct es_record *a, struct es_record *b, struct es_record *out,
		      struct es_err *e)
{
	char la[ES_LABEL_MAX], lb[ES_LABEL_MAX];
	struct es_record *in[2] = { a, b };
	size_t i, k;

	es_record_init(out);
	if (!es_meta_is_record(&a->meta) || !es_meta_is_record(&b->meta))
		return es_errf(e, "report A B compares two records of `exitscope record --json`, not lab results");
	if (a->meta.vendor != b->meta.vendor)
		return es_errf(e, "the records are of %s and %s: no reason compares", es_isa_name(a->meta.vendor),
			       es_isa_name(b->meta.vendor));
	/*
	 * Counts compare only over spans of one length (2 s against 60 s
	 * would read as a 30x change): within 2%, or not at all.
	 */
	if (a->meta.duration_ns != b->meta.duration_ns &&
	    (a->meta.duration_ns > b->meta.duration_ns ? a->meta.duration_ns - b->meta.duration_ns :
	     b->meta.duration_ns - a->meta.duration_ns) * 50 >
	    (a->meta.duration_ns > b->meta.duration_ns ? a->meta.duration_ns : b->meta.duration_ns))
		return es_errf(e, "the records span %.3f s and %.3f s: their counts do not compare (record both with the same --duration)",
			       (double)a->meta.duration_ns / 1e9, (double)b->meta.duration_ns / 1e9);
	snprintf(la, sizeof(la), "%s", a->meta.label);
	snprintf(lb, sizeof(lb), "%s", b->meta.label);
	if (!strcmp(la, lb)) {
		snprintf(la, sizeof(la), "a");
		snprintf(lb, sizeof(lb), "b");
	}
	out->meta = a->meta;
	snprintf(out->meta.label, sizeof(out->meta.label), "%s", la);
	/* Only what both have is compared. */
	out->meta.sources = a->meta.sources & b->meta.sources;
	for (k = 0; k < ES_BPF_NR_HEALTH; k++)
		out->meta.health[k] = a->meta.health[k] + b->meta.health[k];
	out->meta.nmodes = 2;
	snprintf(out->meta.modes[0].name, sizeof(out->meta.modes[0].name), "%s", la);
	snprintf(out->meta.modes[1].name, sizeof(out->meta.modes[1].name), "%s", lb);
	for (k = 0; k < 2; k++) {
		if (move_runs(out, in[k], k ? lb : la, e))
			goto fail;
		for (i = 0; i < in[k]->verdict.n; i++)
			if (!es_verdict_add(&out->verdict, "%s: %s", k ? lb : la, in[k]->verdict.why[i])) {
				es_errf(e, "out of memory");
				goto fail;
			}
	}
	for (i = 0; i < out->nruns; i++)
		out->runs[i].sources &= out->meta.sources;
	return 0;
fail:
	es_record_free(out);
	return -1;
}
