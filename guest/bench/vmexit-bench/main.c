// SPDX-License-Identifier: GPL-2.0-only
/*
 * Image "vmexit-bench": every selected case (cases.c) runs on every vCPU at
 * once, R repetitions, each until a budget of TSC ticks is spent; vCPU 0
 * prints one line per case (and one per vCPU with more than one):
 *   vmexit-bench: NAME per_op=MEDIAN min=MIN max=MAX iterations=N reps=R cpus=C running=K
 *   vmexit-bench: NAME vcpu=I per_op=MEDIAN min=MIN max=MAX iterations=N
 *   vmexit-bench: NAME skipped (WHY)
 *   vmexit-bench: NAME failed (WHY)
 * in TSC ticks per operation (docs/benchmarks.md has the details).
 */
#include "bench.h"

/* One repetition of one case on one vCPU. */
struct rep {
	uint64_t ticks, ops;
	const char *failed;
};

/* Written by vCPU 0 before the vCPUs meet, read by all after. */
static struct {
	struct bench_args args;
	char skip[BENCH_MAX_CASES][128];	/* why valid() said no, or "" */
	int verdict;			/* non-zero: nobody runs anything */
} plan;
static struct rep reps[RT_MAX_CPUS][BENCH_MAX_REPS];

/* The vCPUs that run the cases: all, or vCPU 0 alone (solo). */
static unsigned int running(void)
{
	return plan.args.solo ? 1 : rt_nr_cpus;
}

static void meet(void)
{
	if (running() > 1)
		rt_barrier();
}

/*
 * Ops until the budget is spent, in batches that grow while they are
 * short; or exactly @ops of them, in one batch, where @ops is not 0.
 */
static void measure(const struct bench_case *bc, uint64_t budget, uint64_t ops, struct rep *r)
{
	uint64_t batch = 1, start, now;

	r->ops = 0;
	r->failed = NULL;
	start = rt_rdtsc();
	if (ops) {
		r->failed = bc->run(ops);
		r->ops = ops;
		r->ticks = rt_rdtsc() - start;
		return;
	}
	do {
		r->failed = bc->run(batch);
		r->ops += batch;
		now = rt_rdtsc();
		if (r->failed)
			break;
		/* A batch takes at most about a quarter of the budget. */
		if ((now - start) < budget / 8 && batch < (1u << 20))
			batch *= 2;
	} while (now - start < budget);
	r->ticks = now - start;
}

/* Run on vCPU 0 once every vCPU is done with the case: its lines, and whether it failed. */
static bool report(const struct bench_case *bc, unsigned int nr_reps)
{
	uint64_t vals[BENCH_MAX_REPS], medians[RT_MAX_CPUS], min = UINT64_MAX, max = 0, ops = 0;
	uint64_t cmin, cmax, cops;
	unsigned int c, r;

	for (c = 0; c < running(); c++)
		for (r = 0; r < nr_reps; r++)
			if (reps[c][r].failed) {
				rt_printf("vmexit-bench: %s failed (vCPU %u: %s)\n", bc->name, c,
					  reps[c][r].failed);
				return false;
			}
	for (c = 0; c < running(); c++) {
		cmin = UINT64_MAX;
		cmax = cops = 0;
		for (r = 0; r < nr_reps; r++) {
			vals[r] = bench_per_op(reps[c][r].ticks, reps[c][r].ops);
			cmin = vals[r] < cmin ? vals[r] : cmin;
			cmax = vals[r] > cmax ? vals[r] : cmax;
			cops += reps[c][r].ops;
		}
		medians[c] = bench_median(vals, nr_reps);
		if (running() > 1)
			rt_printf("vmexit-bench: %s vcpu=%u per_op=%llu min=%llu max=%llu iterations=%llu\n",
				  bc->name, c, (unsigned long long)medians[c], (unsigned long long)cmin,
				  (unsigned long long)cmax, (unsigned long long)cops);
		min = cmin < min ? cmin : min;
		max = cmax > max ? cmax : max;
		ops += cops;
	}
	rt_printf("vmexit-bench: %s per_op=%llu min=%llu max=%llu iterations=%llu reps=%u cpus=%u running=%u\n",
		  bc->name, (unsigned long long)bench_median(medians, running()), (unsigned long long)min,
		  (unsigned long long)max, (unsigned long long)ops, nr_reps, rt_nr_cpus, running());
	return true;
}

/* vCPU 0, before anyone runs: the command line, the environment, valid(). */
static void prepare(void)
{
	static char names[BENCH_MAX_CASES * 16];
	size_t pos = 0;
	unsigned int i;

	if (bench_nr_cases > BENCH_MAX_CASES) {
		rt_printf("vmexit-bench: %u cases, room for %d\n", bench_nr_cases, BENCH_MAX_CASES);
		plan.verdict = BENCH_BAD_ARGS;
		return;
	}
	plan.verdict = bench_args_parse((const char *)ES_VMM_FLAT_CMDLINE_ADDR, &plan.args);
	if (plan.verdict)
		return;
	bench_env.timer_count = plan.args.timer;
	bench_cases_init();
	for (i = 0; i < bench_nr_cases; i++) {
		if (!plan.args.selected[i])
			continue;
		pos += rt_snprintf(names + pos, pos < sizeof(names) ? sizeof(names) - pos : 0, "%s%s",
				   pos ? "," : "", bench_cases[i].name);
	}
	rt_printf("vmexit-bench: start vendor=%s cpus=%u running=%u budget=%llu reps=%u timer=%u cases=%s\n",
		  bench_env.intel ? "intel" : bench_env.amd ? "amd" : "other", rt_nr_cpus, running(),
		  (unsigned long long)plan.args.budget, plan.args.reps, plan.args.timer, names);
	/* Copied: valid() may say why in a buffer the next one reuses. */
	for (i = 0; i < bench_nr_cases; i++) {
		const char *no = plan.args.selected[i] && bench_cases[i].valid ?
				 bench_cases[i].valid() : NULL;

		if (no)
			rt_snprintf(plan.skip[i], sizeof(plan.skip[i]), "%s", no);
	}
}

int image_main(struct rt_cpu *cpu)
{
	unsigned int i, r, ran = 0, skipped = 0, failed = 0;
	const struct bench_case *bc;

	bench_env.x2apic[cpu->index] = cpu->x2apic;
	rt_barrier();
	if (cpu->index == 0)
		prepare();
	rt_barrier();
	if (plan.verdict)
		return plan.verdict;
	if (cpu->index >= running())
		rt_halt_forever();	/* interrupts off: no exit until the VM ends */
	for (i = 0; i < bench_nr_cases; i++) {
		bc = &bench_cases[i];
		if (!plan.args.selected[i])
			continue;
		if (plan.skip[i][0]) {
			if (cpu->index == 0)
				rt_printf("vmexit-bench: %s skipped (%s)\n", bc->name, plan.skip[i]);
			skipped++;
			continue;
		}
		/* All start each repetition together: the exits are simultaneous. */
		for (r = 0; r < plan.args.reps; r++) {
			meet();
			measure(bc, plan.args.budget, plan.args.ops, &reps[cpu->index][r]);
		}
		meet();
		if (cpu->index == 0) {
			if (report(bc, plan.args.reps))
				ran++;
			else
				failed++;
		}
		/* The reasons of a failure live in each vCPU's buffer: kept till printed. */
		meet();
	}
	if (cpu->index != 0)
		return 0;
	rt_printf("vmexit-bench: end ran=%u skipped=%u failed=%u\n", ran, skipped, failed);
	return failed ? BENCH_CASE_FAILED : BENCH_OK;
}
