// SPDX-License-Identifier: GPL-2.0-only
/* See openmetrics.h. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "export/openmetrics.h"
#include "model/hist.h"
#include "model/model.h"
#include "util/text.h"

const char *es_prom_seconds(char buf[32], uint64_t ns)
{
	int n = snprintf(buf, 32, "%" PRIu64 ".%09" PRIu64, ns / 1000000000u, ns % 1000000000u);

	/* Trailing zeros of the fraction, and a bare point, go. */
	while (n > 0 && buf[n - 1] == '0')
		buf[--n] = '\0';
	if (n > 0 && buf[n - 1] == '.')
		buf[--n] = '\0';
	return buf;
}

void es_prom_label_value(FILE *out, const char *s)
{
	size_t n = strlen(s), i = 0, ok, run;

	while (i < n) {
		ok = es_utf8_valid(s + i, n - i);
		/* Runs without a character to escape go out whole (a scrape writes many). */
		while (ok) {
			run = strcspn(s + i, "\\\"\n");
			if (run > ok)
				run = ok;
			fwrite(s + i, 1, run, out);
			i += run;
			ok -= run;
			if (!ok)
				break;
			fputs(s[i] == '\n' ? "\\n" : s[i] == '"' ? "\\\"" : "\\\\", out);
			i++;
			ok--;
		}
		if (i < n) {
			fputc('?', out);
			i++;
		}
	}
}

/* The VM labels of the VM written last: formatted once per VM, not per line. */
struct vm_prefix {
	bool valid;
	uint32_t tgid;
	char text[320];
};

struct ctx {
	FILE *out;
	const struct es_snap *s;
	es_comm_fn comm;
	void *cctx;
	bool pid_label;
	struct vm_prefix *vp;
};

/* Whether a VM of @s other than @tgid has the name @vm. */
static bool name_shared(const struct es_snap *s, uint32_t tgid, const char *vm)
{
	size_t i;

	for (i = 0; i < s->ncomms; i++)
		if (s->comms[i].tgid != tgid && !strcmp(s->comms[i].vm, vm))
			return true;
	return false;
}

/*
 * vm="..",comm="..",[pid="..",] of @tgid. The VM's name where it has one
 * of its own; two VMs of one name, or a VM without one, get "NAME:PID" or
 * "COMM:PID", so that no two VMs share a series.
 */
static void format_vm(const struct ctx *c, uint32_t tgid, char *buf, size_t len)
{
	const char *vm = es_snap_vm(c->s, tgid), *comm = es_snap_comm(c->s, tgid);
	char fallback[ES_VM_NAME_MAX + 32];
	FILE *f = fmemopen(buf, len, "w");

	buf[0] = '\0';
	if (!f)
		return;
	if (!comm)
		comm = c->comm ? c->comm(tgid, c->cctx) : "";
	if (vm && !name_shared(c->s, tgid, vm))
		snprintf(fallback, sizeof(fallback), "%s", vm);
	else if (vm || comm[0])
		snprintf(fallback, sizeof(fallback), "%s:%u", vm ? vm : comm, tgid);
	else
		snprintf(fallback, sizeof(fallback), "%u", tgid);
	fputs("vm=\"", f);
	es_prom_label_value(f, fallback);
	fputs("\",comm=\"", f);
	es_prom_label_value(f, comm);
	fputc('"', f);
	if (c->pid_label)
		fprintf(f, ",pid=\"%u\"", tgid);
	fputc(',', f);
	fclose(f);
}

/* isa="..",reason="..",name=".." */
static void reason_labels(const struct ctx *c, uint32_t code)
{
	char cs[ES_CODE_STR_LEN];
	const char *name = es_reason_name(c->s->vendor, code);

	fprintf(c->out, "isa=\"%s\",reason=\"%s\",name=\"", es_isa_name(c->s->vendor),
		es_code_str(cs, c->s->vendor, code));
	es_prom_label_value(c->out, name ? name : "unnamed");
	fputc('"', c->out);
}

/* vm="..",comm="..",[pid="..",]isa="..",reason="..",name=".." */
static void vm_labels(const struct ctx *c, uint32_t tgid, uint32_t code)
{
	if (!c->vp->valid || c->vp->tgid != tgid) {
		format_vm(c, tgid, c->vp->text, sizeof(c->vp->text));
		c->vp->tgid = tgid;
		c->vp->valid = true;
	}
	fputs(c->vp->text, c->out);
	reason_labels(c, code);
}

/* A row's labels: the VM's, or with @host only the reason's (tgid 0). */
static void row_labels(const struct ctx *c, const struct es_snap_row *r, bool host)
{
	if (host)
		reason_labels(c, r->code);
	else
		vm_labels(c, r->tgid, r->code);
}

/* One counter or gauge per row of @rows: a vcpu label where a row has one. */
static void counters(const struct ctx *c, const struct es_snap *rows, const char *metric,
		     bool cycles)
{
	size_t i;

	for (i = 0; i < rows->n; i++) {
		const struct es_snap_row *r = &rows->rows[i];

		fprintf(c->out, "%s{", metric);
		vm_labels(c, r->tgid, r->code);
		if (r->vcpu != ES_VCPU_ALL)
			fprintf(c->out, ",vcpu=\"%u\"", r->vcpu);
		fprintf(c->out, "} %" PRIu64 "\n", cycles ? r->cycles : r->count);
	}
}

/*
 * A histogram per row of @rows (VMs, or the host's reasons with @host):
 * every log2 bucket with @buckets, else only +Inf, which with _sum and
 * _count still gives the mean at 3 series instead of 34.
 */
static void histograms(const struct ctx *c, const struct es_snap *rows, const char *m,
		       bool host, bool buckets)
{
	char le[32], sum[32];
	size_t i;
	unsigned int b;

	for (i = 0; i < rows->n; i++) {
		const struct es_snap_row *r = &rows->rows[i];
		uint64_t cum = 0;

		for (b = 0; b < ES_HIST_BUCKETS; b++) {
			cum += r->hist[b];
			if (!buckets && b < ES_HIST_BUCKETS - 1)
				continue;
			fprintf(c->out, "%s_bucket{", m);
			row_labels(c, r, host);
			fprintf(c->out, ",le=\"%s\"} %" PRIu64 "\n", b == ES_HIST_BUCKETS - 1 ? "+Inf" :
				es_prom_seconds(le, es_hist_upper(b)), cum);
		}
		fprintf(c->out, "%s_sum{", m);
		row_labels(c, r, host);
		fprintf(c->out, "} %s\n%s_count{", es_prom_seconds(sum, r->time_ns), m);
		row_labels(c, r, host);
		fprintf(c->out, "} %" PRIu64 "\n", cum);
	}
}

/* Percentiles of a record's span, per VM and reason: gauges, not a histogram. */
static void percentiles(const struct ctx *c, const struct es_snap *vm)
{
	static const unsigned int pct[] = { 50, 90, 99 };
	const char *m = "exitscope_record_exit_duration_seconds";
	char v[32];
	uint64_t ns;
	size_t i, k;

	for (i = 0; i < vm->n; i++)
		for (k = 0; k < sizeof(pct) / sizeof(pct[0]); k++) {
			if (!es_hist_percentile(vm->rows[i].hist, pct[k], &ns))
				continue;
			fprintf(c->out, "%s{", m);
			vm_labels(c, vm->rows[i].tgid, vm->rows[i].code);
			fprintf(c->out, ",percentile=\"%u\"} %s\n", pct[k], es_prom_seconds(v, ns));
		}
}

/* ,kind="..",key="..",[dir="..",][key_name=".."] of a key of the drill-down. */
static void key_labels(const struct ctx *c, const struct es_detail *d)
{
	const char *dir = es_detail_dir_str(d->kind, d->flags);
	char key[24], nbuf[64];
	const char *name = es_detail_name(nbuf, d, c->s->memslots, c->s->nmemslots);

	fprintf(c->out, ",kind=\"%s\",key=\"%s\"", es_detail_kind_str(d->kind),
		es_detail_key_str(key, d->kind, d->value));
	if (dir[0])
		fprintf(c->out, ",dir=\"%s\"", dir);
	if (name[0]) {
		fputs(",key_name=\"", c->out);
		es_prom_label_value(c->out, name);
		fputc('"', c->out);
	}
}

/* The three metrics of the drill-down, each a family of its own. */
enum key_metric { KEY_EXITS, KEY_OTHER, KEY_COUNT };

/* One family of the drill-down, @g's groups of @ng (keys labelled: @top). */
static void key_family(const struct ctx *c, const struct es_detail_group *g, size_t ng,
		       unsigned int top, enum key_metric which, const char *m)
{
	size_t i, j;

	for (i = 0; i < ng; i++) {
		for (j = 0; which == KEY_EXITS && top && j < g[i].ntop; j++) {
			fprintf(c->out, "%s{", m);
			vm_labels(c, g[i].tgid, g[i].code);
			key_labels(c, &g[i].top[j]);
			fprintf(c->out, "} %" PRIu64 "\n", g[i].top[j].count);
		}
		if (which == KEY_EXITS)
			continue;
		fprintf(c->out, "%s{", m);
		vm_labels(c, g[i].tgid, g[i].code);
		fprintf(c->out, ",kind=\"%s\"} ", es_detail_kind_str(g[i].kind));
		if (which == KEY_OTHER)
			fprintf(c->out, "%" PRIu64 "\n", top ? g[i].other : g[i].keyed);
		else
			fprintf(c->out, "%zu\n", g[i].ntop + g[i].other_keys);
	}
}

/*
 * The drill-down of @vm (per VM): per VM, reason and kind the @top
 * busiest keys, each a series; the rest's exits summed; how many keys
 * there are. Which keys are the busiest can change from one scrape to the
 * next, so the rest's sum can shrink: a gauge, never a counter. A key's
 * own exits only grow (exporter: a counter), though its series is absent
 * while it is not among the busiest. -1 out of memory.
 */
static int drill_down(const struct ctx *c, const struct es_snap *vm, unsigned int top,
		      bool cumulative)
{
	const char *m = cumulative ? "exitscope_vm_exits_by_key_total" : "exitscope_record_exits_by_key";
	const char *mo = cumulative ? "exitscope_vm_exits_by_key_other" : "exitscope_record_exits_by_key_other";
	const char *mk = cumulative ? "exitscope_vm_exit_keys" : "exitscope_record_exit_keys";
	const char *when = cumulative ? "" : " within the span";
	struct es_detail_group *g;
	struct es_detail *d;
	size_t ng;
	int rc;

	if (!(c->s->has & ES_SNAP_DETAIL))
		return 0;
	/* es_detail_groups() sorts what it is given: a copy, @vm stays as it is. */
	d = malloc((vm->ndetails ? vm->ndetails : 1) * sizeof(*d));
	if (!d)
		return -1;
	memcpy(d, vm->details, vm->ndetails * sizeof(*d));
	rc = es_detail_groups(d, vm->ndetails, top ? top : 1, &g, &ng);
	if (rc) {
		free(d);
		return -1;
	}
	fprintf(c->out, "# HELP %s VM exits%s per VM, exit reason and key below it (a port, MSR, page, address or hypercall): the busiest keys of each VM, reason and kind.\n"
		"# TYPE %s %s\n", m, when, m, cumulative ? "counter" : "gauge");
	key_family(c, g, ng, top, KEY_EXITS, m);
	fprintf(c->out, "# HELP %s VM exits%s of the keys beyond the busiest, per VM, reason and kind (a gauge: keys move in and out of the busiest).\n"
		"# TYPE %s gauge\n", mo, when, mo);
	key_family(c, g, ng, top, KEY_OTHER, mo);
	fprintf(c->out, "# HELP %s Keys a VM's exits of a reason had%s, per kind.\n"
		"# TYPE %s gauge\n", mk, when, mk);
	key_family(c, g, ng, top, KEY_COUNT, mk);
	es_detail_groups_free(g, ng);
	free(d);
	return 0;
}

/*
 * What the two exports name and type differently: the exporter's figures
 * are cumulative (counters), a record's are one span's, replaced by the
 * next record's, so none of them is a counter (a counter must only grow
 * for its series): gauges named exitscope_record_*.
 */
struct kind {
	const char *info, *exits, *cycles, *problems;	/* metric names */
	const char *type;		/* of the exits, cycles and problems */
	const char *whose;		/* "the" or "a record's" figures */
	const char *when;		/* "" or " within the span" */
};

static const struct kind cumulative = {
	"exitscope_source_info", "exitscope_vm_exits_total", "exitscope_vm_exit_cycles_total",
	"exitscope_collector_problems_total", "counter", "the", "",
};

static const struct kind span = {
	"exitscope_record_info", "exitscope_record_exits", "exitscope_record_exit_cycles",
	"exitscope_record_collector_problems", "gauge", "a record's", " within the span",
};

/* What both exports begin with: where from, then exits and cycles per row of @rows. */
static void head(const struct ctx *c, const struct kind *k, const struct es_snap *rows)
{
	FILE *out = c->out;

	fprintf(out, "# HELP %s Where %s figures come from (value 1); attach: the BPF collector's mode.\n"
		"# TYPE %s gauge\n%s{source=\"%s\",isa=\"%s\"", k->info, k->whose,
		k->info, k->info, c->s->source, es_isa_name(c->s->vendor));
	if (c->s->attach[0])
		fprintf(out, ",attach=\"%s\"", c->s->attach);
	fputs("} 1\n", out);
	fprintf(out, "# HELP %s VM exits%s, per VM (the VMM's pid), exit reason and, if asked, vCPU.\n"
		"# TYPE %s %s\n", k->exits, k->when, k->exits, k->type);
	counters(c, rows, k->exits, false);
	if (c->s->has & ES_SNAP_CYCLES) {
		fprintf(out, "# HELP %s Host TSC cycles KVM spent handling the exits%s (exitscope's module).\n"
			"# TYPE %s %s\n", k->cycles, k->when, k->cycles, k->type);
		counters(c, rows, k->cycles, true);
	}
}

/* The collector's losses, from the sources that have a collector. */
static void problems(const struct ctx *c, const struct kind *k)
{
	size_t i;

	if (strcmp(c->s->source, "bpf") && strcmp(c->s->source, "tracefs"))
		return;
	fprintf(c->out, "# HELP %s What the collector could not do%s, by kind: stats_full exits not counted, pending_failed exits not timed, stale and row_gone intervals dropped, untimed exits followed by another exit before an entry.\n"
		"# TYPE %s %s\n", k->problems, k->when, k->problems, k->type);
	for (i = 0; i < ES_BPF_NR_HEALTH; i++)
		fprintf(c->out, "%s{kind=\"%s\"} %" PRIu64 "\n", k->problems, es_health_names[i],
			c->s->health[i]);
}

/*
 * @s sorted into @sorted, folded per VM into @vm (vCPUs summed) and per
 * reason into @host (VMs summed too); -1 out of memory, nothing to free.
 */
static int views(const struct es_snap *s, struct es_snap *sorted, struct es_snap *vm,
		 struct es_snap *host)
{
	if (es_snap_copy(sorted, s))
		return -1;
	es_snap_sort(sorted);
	if (es_snap_fold(sorted, 0, false, false, vm)) {
		es_snap_free(sorted);
		return -1;
	}
	if (es_snap_fold(sorted, 0, false, true, host)) {
		es_snap_free(vm);
		es_snap_free(sorted);
		return -1;
	}
	return 0;
}

int es_write_prometheus_span(FILE *out, const struct es_snap *s, uint64_t span_ns,
			     const struct es_prom_opts *o, es_comm_fn comm, void *cctx)
{
	struct vm_prefix vp = { 0 };
	struct ctx c = { out, s, comm, cctx, o->pid_label, &vp };
	struct es_snap sorted, vm, host;
	char secs[32];
	int rc;

	if (views(s, &sorted, &vm, &host))
		return -1;
	c.s = &sorted;
	fprintf(out, "# HELP exitscope_record_span_seconds How long the span was that the exitscope_record_* figures cover.\n"
		"# TYPE exitscope_record_span_seconds gauge\n"
		"exitscope_record_span_seconds %s\n", es_prom_seconds(secs, span_ns));
	head(&c, &span, o->per_vcpu ? &sorted : &vm);
	if (s->has & ES_SNAP_NS) {
		fprintf(out, "# HELP exitscope_record_exit_duration_seconds Percentiles of the time from a VM exit to the vCPU's next entry within the span, per VM and exit reason (from log2 buckets: within a factor of 2).\n"
			"# TYPE exitscope_record_exit_duration_seconds gauge\n");
		percentiles(&c, &vm);
	}
	rc = drill_down(&c, &vm, o->detail_top, false);
	problems(&c, &span);
	es_snap_free(&host);
	es_snap_free(&vm);
	es_snap_free(&sorted);
	return rc || ferror(out) ? -1 : 0;
}

int es_write_prometheus(FILE *out, const struct es_snap *s, const struct es_prom_opts *o,
			es_comm_fn comm, void *cctx)
{
	struct vm_prefix vp = { 0 };
	struct ctx c = { out, s, comm, cctx, o->pid_label, &vp };
	struct es_snap sorted, vm, host;
	int rc;

	if (views(s, &sorted, &vm, &host))
		return -1;
	c.s = &sorted;
	head(&c, &cumulative, o->per_vcpu ? &sorted : &vm);
	if (s->has & ES_SNAP_NS) {
		fprintf(out, "# HELP exitscope_vm_exit_duration_seconds Time from a VM exit to the vCPU's next entry, per VM and exit reason (buckets only if asked: _sum / _count is the mean).\n"
			"# TYPE exitscope_vm_exit_duration_seconds histogram\n");
		histograms(&c, &vm, "exitscope_vm_exit_duration_seconds", false, o->vm_histograms);
		fprintf(out, "# HELP exitscope_exit_duration_seconds Time from a VM exit to the vCPU's next entry, per exit reason, all VMs.\n"
			"# TYPE exitscope_exit_duration_seconds histogram\n");
		histograms(&c, &host, "exitscope_exit_duration_seconds", true, true);
	}
	rc = drill_down(&c, &vm, o->detail_top, true);
	problems(&c, &cumulative);
	es_snap_free(&host);
	es_snap_free(&vm);
	es_snap_free(&sorted);
	return rc || ferror(out) ? -1 : 0;
}
