// SPDX-License-Identifier: GPL-2.0-only
/* See openmetrics.h. */
#include <inttypes.h>
#include <string.h>

#include "hist.h"
#include "model.h"
#include "openmetrics.h"
#include "text.h"

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
	size_t n = strlen(s), i = 0, ok;

	while (i < n) {
		ok = es_utf8_valid(s + i, n - i);
		for (; ok; ok--, i++) {
			if (s[i] == '\\' || s[i] == '"')
				fputc('\\', out);
			if (s[i] == '\n')
				fputs("\\n", out);
			else
				fputc(s[i], out);
		}
		if (i < n) {
			fputc('?', out);
			i++;
		}
	}
}

struct ctx {
	FILE *out;
	const struct es_snap *s;
	es_comm_fn comm;
	void *cctx;
};

/* pid="..",comm="..",isa="..",reason="..",name=".." */
static void vm_labels(const struct ctx *c, uint32_t tgid, uint32_t code)
{
	char cs[ES_CODE_STR_LEN];
	const char *name = es_reason_name(c->s->vendor, code);

	const char *comm = es_snap_comm(c->s, tgid);

	fprintf(c->out, "pid=\"%u\",comm=\"", tgid);
	es_prom_label_value(c->out, comm ? comm : c->comm ? c->comm(tgid, c->cctx) : "");
	fprintf(c->out, "\",isa=\"%s\",reason=\"%s\",name=\"", es_isa_name(c->s->vendor),
		es_code_str(cs, c->s->vendor, code));
	es_prom_label_value(c->out, name ? name : "unnamed");
	fputc('"', c->out);
}

static void counters(const struct ctx *c, const char *metric, bool cycles)
{
	size_t i;

	for (i = 0; i < c->s->n; i++) {
		const struct es_snap_row *r = &c->s->rows[i];

		fprintf(c->out, "%s{", metric);
		vm_labels(c, r->tgid, r->code);
		if (r->vcpu != ES_VCPU_ALL)
			fprintf(c->out, ",vcpu=\"%u\"", r->vcpu);
		fprintf(c->out, "} %" PRIu64 "\n", cycles ? r->cycles : r->count);
	}
}

static void histograms(const struct ctx *c, const struct es_snap *vm)
{
	const char *m = "exitscope_vm_exit_duration_seconds";
	char le[32], sum[32];
	size_t i;
	unsigned int b;

	for (i = 0; i < vm->n; i++) {
		const struct es_snap_row *r = &vm->rows[i];
		uint64_t cum = 0;

		for (b = 0; b < ES_HIST_BUCKETS; b++) {
			cum += r->hist[b];
			fprintf(c->out, "%s_bucket{", m);
			vm_labels(c, r->tgid, r->code);
			fprintf(c->out, ",le=\"%s\"} %" PRIu64 "\n", b == ES_HIST_BUCKETS - 1 ? "+Inf" :
				es_prom_seconds(le, es_hist_upper(b)), cum);
		}
		fprintf(c->out, "%s_sum{", m);
		vm_labels(c, r->tgid, r->code);
		fprintf(c->out, "} %s\n%s_count{", es_prom_seconds(sum, r->time_ns), m);
		vm_labels(c, r->tgid, r->code);
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

/*
 * A record's span as gauges: each figure is what happened within the span
 * (exitscope_record_span_seconds long), replaced by the next record's, so
 * none of it is a counter (a counter must only grow for its series).
 */
int es_write_prometheus_span(FILE *out, const struct es_snap *s, uint64_t span_ns,
			     es_comm_fn comm, void *cctx)
{
	struct ctx c = { out, s, comm, cctx };
	struct es_snap sorted, vm;
	char secs[32];
	size_t k;

	if (es_snap_copy(&sorted, s))
		return -1;
	es_snap_sort(&sorted);
	c.s = &sorted;
	fprintf(out, "# HELP exitscope_record_info Where a record's figures come from (value 1).\n"
		"# TYPE exitscope_record_info gauge\n"
		"exitscope_record_info{source=\"%s\",isa=\"%s\"} 1\n", s->source,
		es_isa_name(s->vendor));
	fprintf(out, "# HELP exitscope_record_span_seconds How long the span was that the exitscope_record_* figures cover.\n"
		"# TYPE exitscope_record_span_seconds gauge\n"
		"exitscope_record_span_seconds %s\n", es_prom_seconds(secs, span_ns));
	fprintf(out, "# HELP exitscope_record_exits VM exits within the recorded span, per VM (the VMM's pid), vCPU and exit reason.\n"
		"# TYPE exitscope_record_exits gauge\n");
	counters(&c, "exitscope_record_exits", false);
	if (s->has & ES_SNAP_CYCLES) {
		fprintf(out, "# HELP exitscope_record_exit_cycles Host TSC cycles KVM spent handling the exits within the span (exitscope's module).\n"
			"# TYPE exitscope_record_exit_cycles gauge\n");
		counters(&c, "exitscope_record_exit_cycles", true);
	}
	if (s->has & ES_SNAP_NS) {
		if (es_snap_fold(&sorted, 0, false, false, &vm)) {
			es_snap_free(&sorted);
			return -1;
		}
		fprintf(out, "# HELP exitscope_record_exit_duration_seconds Percentiles of the time from a VM exit to the vCPU's next entry within the span, per VM and exit reason (from log2 buckets: within a factor of 2).\n"
			"# TYPE exitscope_record_exit_duration_seconds gauge\n");
		c.s = &vm;
		percentiles(&c, &vm);
		c.s = &sorted;
		es_snap_free(&vm);
	}
	if (!strcmp(s->source, "bpf") || !strcmp(s->source, "tracefs")) {
		fprintf(out, "# HELP exitscope_record_collector_problems What the collector could not do within the span, by kind: stats_full exits not counted, pending_failed exits not timed, stale and row_gone intervals dropped, untimed exits followed by another exit before an entry.\n"
			"# TYPE exitscope_record_collector_problems gauge\n");
		for (k = 0; k < ES_BPF_NR_HEALTH; k++)
			fprintf(out, "exitscope_record_collector_problems{kind=\"%s\"} %" PRIu64 "\n",
				es_health_names[k], s->health[k]);
	}
	es_snap_free(&sorted);
	return ferror(out) ? -1 : 0;
}

int es_write_prometheus(FILE *out, const struct es_snap *s, es_comm_fn comm, void *cctx)
{
	struct ctx c = { out, s, comm, cctx };
	struct es_snap sorted, vm;
	size_t k;

	if (es_snap_copy(&sorted, s))
		return -1;
	es_snap_sort(&sorted);
	c.s = &sorted;
	fprintf(out, "# HELP exitscope_source_info Where the figures come from (value 1).\n"
		"# TYPE exitscope_source_info gauge\n"
		"exitscope_source_info{source=\"%s\",isa=\"%s\"} 1\n", s->source,
		es_isa_name(s->vendor));
	fprintf(out, "# HELP exitscope_vm_exits_total VM exits, per VM (the VMM's pid), vCPU and exit reason.\n"
		"# TYPE exitscope_vm_exits_total counter\n");
	counters(&c, "exitscope_vm_exits_total", false);
	if (s->has & ES_SNAP_CYCLES) {
		fprintf(out, "# HELP exitscope_vm_exit_cycles_total Host TSC cycles KVM spent handling the exits (exitscope's module).\n"
			"# TYPE exitscope_vm_exit_cycles_total counter\n");
		counters(&c, "exitscope_vm_exit_cycles_total", true);
	}
	if (s->has & ES_SNAP_NS) {
		if (es_snap_fold(&sorted, 0, false, false, &vm)) {
			es_snap_free(&sorted);
			return -1;
		}
		fprintf(out, "# HELP exitscope_vm_exit_duration_seconds Time from a VM exit to the vCPU's next entry, per VM and exit reason.\n"
			"# TYPE exitscope_vm_exit_duration_seconds histogram\n");
		c.s = &vm;
		histograms(&c, &vm);
		c.s = &sorted;
		es_snap_free(&vm);
	}
	if (!strcmp(s->source, "bpf") || !strcmp(s->source, "tracefs")) {
		fprintf(out, "# HELP exitscope_collector_problems_total What the collector could not do, by kind: stats_full exits not counted, pending_failed exits not timed, stale and row_gone intervals dropped, untimed exits followed by another exit before an entry.\n"
			"# TYPE exitscope_collector_problems_total counter\n");
		for (k = 0; k < ES_BPF_NR_HEALTH; k++)
			fprintf(out, "exitscope_collector_problems_total{kind=\"%s\"} %" PRIu64 "\n",
				es_health_names[k], s->health[k]);
	}
	es_snap_free(&sorted);
	return ferror(out) ? -1 : 0;
}
