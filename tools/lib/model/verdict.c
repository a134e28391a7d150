// SPDX-License-Identifier: GPL-2.0-only
/* See verdict.h. */
#include <asm/svm.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "abi/vmm_abi.h"
#include "model/verdict.h"

/* Add a failure unless it is there already. */
static void fail(struct es_verdict *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void fail(struct es_verdict *v, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	size_t i;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (i = 0; i < v->n; i++)
		if (!strcmp(v->why[i], msg))
			return;
	es_verdict_add(v, "%s", msg);
}

/*
 * Does the kvm_exit tracepoint fire on every exit? On VMX, yes. On SVM
 * 6.1 fires it in svm_handle_exit(), which exits the fastpath re-enters
 * (MSR writes: the TSC deadline) skip; 6.12 fires it in svm_vcpu_run(),
 * after every exit. Unknown kernel: the lenient 6.1 rule.
 */
bool es_tracepoint_sees_every_exit(const struct es_meta *m)
{
	unsigned int major, minor;

	if (m->vendor != ES_AMD)
		return true;
	if (sscanf(m->kver, "%u.%u", &major, &minor) != 2)
		return false;
	return major > 6 || (major == 6 && minor >= 12);
}

static void check_sums(struct es_run *run)
{
	uint64_t sum[1 + ES_NR_TIMES] = { 0 }, want;
	size_t i, k, nk = run->sources & ES_SRC_TIMES ? ES_NR_TIMES : 1;
	bool over = false;

	for (i = 0; i < run->nrows; i++) {
		over |= __builtin_add_overflow(sum[0], run->rows[i].f.count, &sum[0]);
		for (k = 0; k < nk; k++)
			over |= __builtin_add_overflow(sum[k + 1], run->rows[i].f.t[k], &sum[k + 1]);
	}
	if (over) {
		fail(&run->verdict, "the rows' figures overflow 64 bits when added up");
		return;
	}
	if (sum[0] != run->total.count)
		fail(&run->verdict, "the rows add up to %" PRIu64 " exits, the total says %" PRIu64,
		     sum[0], run->total.count);
	for (k = 0; k < nk; k++) {
		want = run->total.t[k];
		if (sum[k + 1] != want)
			fail(&run->verdict, "the rows add up to %" PRIu64 " %s cycles, the total says %" PRIu64,
			     sum[k + 1], es_time_names[k], want);
	}
}

static void check_tracepoint(struct es_run *run, enum es_vendor vendor, bool every)
{
	uint64_t msr_count = 0, msr_tp = 0;
	char code[ES_CODE_STR_LEN];
	size_t i;

	for (i = 0; i < run->nrows; i++) {
		const struct es_row *r = &run->rows[i];

		if (!every && r->code == SVM_EXIT_MSR) {
			msr_count = r->f.count;
			msr_tp = r->tracepoint_count;
			continue;
		}
		if (r->f.count != r->tracepoint_count)
			fail(&run->verdict, "reason %s (%s): exitscope %" PRIu64 ", tracepoint %" PRIu64,
			     es_code_str(code, vendor, r->code), r->name, r->f.count,
			     r->tracepoint_count);
	}
	if (every || run->total.count < run->total_tracepoint) {
		if (run->total.count != run->total_tracepoint)
			fail(&run->verdict, "all exits: exitscope %" PRIu64 ", tracepoint %" PRIu64,
			     run->total.count, run->total_tracepoint);
		return;
	}
	/*
	 * SVM on 6.1: exits re-entered from the fastpath (MSR writes: the
	 * TSC deadline) skip the tracepoint. exitscope counts them, so msr
	 * alone may be higher, by exactly the difference of the totals.
	 */
	if (msr_count < msr_tp ||
	    msr_count - msr_tp != run->total.count - run->total_tracepoint)
		fail(&run->verdict, "reason %s (msr): exitscope %" PRIu64 ", tracepoint %" PRIu64
		     "; only fastpath MSR exits may be missing from the tracepoint, and all exits differ by %" PRIu64,
		     es_code_str(code, vendor, SVM_EXIT_MSR), msr_count, msr_tp,
		     run->total.count - run->total_tracepoint);
}

static void check_query(struct es_run *run, enum es_vendor vendor)
{
	char code[ES_CODE_STR_LEN];
	size_t i;

	/* The query runs before the guest's last exits: never more, maybe less. */
	if (run->total_query > run->total.count)
		fail(&run->verdict, "the guest's query saw %" PRIu64 " exits, more than the %" PRIu64 " the VM had in the end",
		     run->total_query, run->total.count);
	for (i = 0; i < run->nrows; i++)
		if (run->rows[i].query_count > run->rows[i].f.count)
			fail(&run->verdict, "reason %s (%s): the guest's query saw %" PRIu64 " exits, the VM had %" PRIu64 " in the end",
			     es_code_str(code, vendor, run->rows[i].code), run->rows[i].name,
			     run->rows[i].query_count, run->rows[i].f.count);
}

/*
 * The BPF collector counts the kvm_exit tracepoint's events: per reason it
 * must equal the hist trigger's exactly; without one, exitscope's count on
 * VMX (on SVM the fastpath exits make exitscope's msr row higher).
 */
static void check_collector(struct es_run *run, enum es_vendor vendor, bool every)
{
	bool tp = run->sources & ES_SRC_TRACEPOINT;
	char code[ES_CODE_STR_LEN];
	size_t i;

	if (!tp && !every)
		return;
	for (i = 0; i < run->nrows; i++) {
		const struct es_row *r = &run->rows[i];
		uint64_t want = tp ? r->tracepoint_count : r->f.count;

		if (r->collector_count != want)
			fail(&run->verdict, "reason %s (%s): collector %" PRIu64 ", %s %" PRIu64,
			     es_code_str(code, vendor, r->code), r->name, r->collector_count,
			     tp ? "tracepoint" : "exitscope", want);
	}
	if (run->total_collector != (tp ? run->total_tracepoint : run->total.count))
		fail(&run->verdict, "all exits: collector %" PRIu64 ", %s %" PRIu64,
		     run->total_collector, tp ? "tracepoint" : "exitscope",
		     tp ? run->total_tracepoint : run->total.count);
}

/*
 * A run of stock KVM: its counts are the tracepoint's. KVM's own exits
 * statistic counts every exit: on VMX the same, on SVM (6.1) also the
 * exits the fastpath re-enters, which the tracepoint misses. A collector
 * must agree with the tracepoint.
 */
static void check_stock(struct es_run *run, enum es_vendor vendor, bool every)
{
	if (!(run->sources & ES_SRC_TRACEPOINT)) {
		fail(&run->verdict, "no figures: a run of stock KVM needs the tracepoint's");
		return;
	}
	if ((run->sources & ES_SRC_KVM) &&
	    (every ? run->kvm_exits != run->total_tracepoint :
				  run->kvm_exits < run->total_tracepoint))
		fail(&run->verdict, "all exits: tracepoint %" PRIu64 ", KVM's exits statistic %" PRIu64,
		     run->total_tracepoint, run->kvm_exits);
	if (run->sources & ES_SRC_COLLECTOR)
		check_collector(run, vendor, every);
}

static void check_run(struct es_run *run, enum es_vendor vendor, bool every)
{
	if (run->vmm_status != 0)
		fail(&run->verdict, "exitscope-vmm exited with status %d: %s (see l2-%s-%u.log)",
		     run->vmm_status, es_vmm_status_str(run->vmm_status), run->mode, run->index);
	if (!(run->sources & ES_SRC_STATS) && !strcmp(run->accounting, "stock")) {
		check_stock(run, vendor, every);
		return;
	}
	if (!(run->sources & ES_SRC_STATS)) {
		fail(&run->verdict, "no figures from exitscope's accounting");
		return;
	}
	check_sums(run);
	if (run->sources & ES_SRC_TRACEPOINT)
		check_tracepoint(run, vendor, every);
	if ((run->sources & ES_SRC_KVM) && run->total.count != run->kvm_exits)
		fail(&run->verdict, "all exits: exitscope %" PRIu64 ", KVM's exits statistic %" PRIu64,
		     run->total.count, run->kvm_exits);
	if (run->sources & ES_SRC_QUERY)
		check_query(run, vendor);
	if (run->sources & ES_SRC_COLLECTOR)
		check_collector(run, vendor, every);
}

/* A record's VM or vCPU: the rows add up to its total, in every figure. */
static void record_sums(struct es_verdict *v, const struct es_run *run, const char *what)
{
	uint64_t count = 0, cycles = 0, ns = 0;
	bool over = false;
	size_t i;

	for (i = 0; i < run->nrows; i++) {
		over |= __builtin_add_overflow(count, run->rows[i].f.count, &count);
		over |= __builtin_add_overflow(cycles, run->rows[i].f.t[ES_CYCLES], &cycles);
		over |= __builtin_add_overflow(ns, run->rows[i].f.ns, &ns);
	}
	if (over)
		fail(v, "%s: the rows' figures overflow 64 bits when added up", what);
	else if (count != run->total.count || cycles != run->total.t[ES_CYCLES] ||
		 ns != run->total.ns)
		fail(v, "%s: the rows add up to %" PRIu64 " exits, %" PRIu64 " cycles, %" PRIu64
		     " ns; the total says %" PRIu64 ", %" PRIu64 ", %" PRIu64, what, count, cycles, ns,
		     run->total.count, run->total.t[ES_CYCLES], run->total.ns);
}

/* The vCPUs of a record's VM add up to the VM, reason by reason. */
static void record_vcpus(struct es_run *run, enum es_vendor vendor)
{
	char what[64], code[ES_CODE_STR_LEN];
	size_t i, j;

	for (i = 0; i < run->nvcpus; i++) {
		snprintf(what, sizeof(what), "vCPU %u", run->vcpus[i].index);
		record_sums(&run->verdict, &run->vcpus[i], what);
	}
	if (!run->nvcpus)
		return;
	for (j = 0; j < run->nrows; j++) {
		const struct es_row *row = &run->rows[j];
		uint64_t sum = 0;

		for (i = 0; i < run->nvcpus; i++) {
			const struct es_row *r = es_run_find(&run->vcpus[i], row->code);

			sum += r ? r->f.count : 0;
		}
		if (sum != row->f.count)
			fail(&run->verdict, "reason %s (%s): the vCPUs add up to %" PRIu64 " exits, the VM has %" PRIu64,
			     es_code_str(code, vendor, row->code), row->name, sum, row->f.count);
	}
}

/*
 * A record of `exitscope record`: its figures are the collector's (or the
 * module's, or a trigger's) alone, so the checks are that they add up and
 * that the collector lost nothing it should have counted.
 */
static void check_record(struct es_record *r)
{
	const uint64_t *h = r->meta.health;
	size_t i, k;

	if (h[ES_BPF_STATS_FULL])
		fail(&r->verdict, "%" PRIu64 " exits were not counted: the in-kernel table was full (raise --max-rows, or record one VM with --pid)",
		     h[ES_BPF_STATS_FULL]);
	if (h[ES_BPF_REASON_UNREAD])
		fail(&r->verdict, "%" PRIu64 " exits were not counted: the collector could not read their reason from the vendor's vCPU (tp_btf; --source bpf:tp reads the tracepoint's record)",
		     h[ES_BPF_REASON_UNREAD]);
	if (h[ES_BPF_PENDING_FAILED])
		fail(&r->verdict, "%" PRIu64 " exits were not timed: their thread's state could not be made at its entry (out of memory, or the storage busy)",
		     h[ES_BPF_PENDING_FAILED]);
	for (i = 0; i < r->nruns; i++) {
		struct es_run *run = &r->runs[i];

		record_sums(&run->verdict, run, "all reasons");
		record_vcpus(run, r->meta.vendor);
		for (k = 0; k < run->verdict.n; k++)
			fail(&r->verdict, "VM %u: %s", run->pid, run->verdict.why[k]);
	}
}

static bool param_on(const char *v)
{
	return !strcmp(v, "1") || !strcmp(v, "Y");
}

void es_verdict_check(struct es_record *r)
{
	const struct es_meta *m = &r->meta;
	size_t i, k;

	if (es_meta_is_record(m)) {
		check_record(r);
		return;
	}
	for (i = 0; i < m->nmodes; i++)
		if (m->modes[i].param[0] && param_on(m->modes[i].param) != m->modes[i].nested)
			fail(&r->verdict, "mode %s: %s was %s while it ran, not %s", m->modes[i].name,
			     m->knob, m->modes[i].param, m->modes[i].nested ? "on" : "off");
	for (i = 0; i < r->nruns; i++) {
		struct es_run *run = &r->runs[i];

		if (m->nmodes && !es_meta_mode(m, run->mode))
			fail(&r->verdict, "run %s %u: a mode the record does not list", run->mode,
			     run->index);
		check_run(run, m->vendor, es_tracepoint_sees_every_exit(m));
		for (k = 0; k < run->verdict.n; k++)
			fail(&r->verdict, "run %s %u: %s", run->mode, run->index, run->verdict.why[k]);
	}
	if (!r->nruns)
		fail(&r->verdict, "no runs");
	if (m->l1_extra && m->l1_extra_status)
		fail(&r->verdict, "the --l1-extra script in L1 exited with status %u (its output: l1-extra.log)",
		     m->l1_extra_status);
}

/* Sources every run of @r has. */
static unsigned int common_sources(const struct es_record *r)
{
	unsigned int s = r->nruns ? ~0u : 0;
	size_t i;

	for (i = 0; i < r->nruns; i++)
		s &= r->runs[i].sources;
	return s;
}

const char *es_checks_passed(const struct es_record *r)
{
	static char buf[512];
	unsigned int s = common_sources(r);

	if (es_meta_is_record(&r->meta))
		return "the rows add up to the totals, the vCPUs to their VM, and the collector lost no exit";
	snprintf(buf, sizeof(buf), "%s%s%s%s",
		 s & ES_SRC_TRACEPOINT ?
		 (!es_tracepoint_sees_every_exit(&r->meta) ?
		  "every count equals the `kvm:kvm_exit` tracepoint's (MSR exits re-entered from the fastpath, which 6.1's SVM tracepoint misses, aside)" :
		  "every count equals the `kvm:kvm_exit` tracepoint's") :
		 "no tracepoint figures to check against",
		 s & ES_SRC_KVM ? "; all exits equal KVM's own `exits` statistic" :
		 "; KVM's `exits` statistic was not recorded (no kvmstat files)",
		 "; the rows add up to the totals",
		 s & ES_SRC_QUERY ? "; the guest's own query saw no more than that" : "");
	return buf;
}
