/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vmexit-bench: what one VM exit costs, per kind of exit, in guest TSC
 * ticks, in the manner of kvm-unit-tests' x86/vmexit.c. A case is one row
 * of cases.c; main.c runs the selected ones on every vCPU at once.
 */
#ifndef EXITSCOPE_VMEXIT_BENCH_H
#define EXITSCOPE_VMEXIT_BENCH_H

#include "../rt/rt.h"

/* Verdicts (the runtime's own are 16 and up). */
#define BENCH_OK		0
#define BENCH_CASE_FAILED	1	/* a case failed its own sanity check */
#define BENCH_BAD_ARGS		2	/* the command line */

#define BENCH_MAX_REPS		15
#define BENCH_MAX_CASES		32

struct bench_case {
	const char *name;
	/*
	 * @n operations on this vCPU, then its own check of what they did:
	 * NULL, or why they went wrong.
	 */
	const char *(*run)(uint64_t n);
	/* On vCPU 0, before: NULL when the case can run here, else why not. */
	const char *(*valid)(void);
	/* Not a cost per exit (the lab's workloads): run only when named. */
	bool named_only;
};

extern const struct bench_case bench_cases[];
extern const unsigned int bench_nr_cases;

/* What the cases need to know, set once on vCPU 0 before any runs. */
struct bench_env {
	bool amd;			/* VMMCALL, and SVM's exit codes */
	bool intel;
	uint32_t cpuid_code;		/* the CPUID exit's code: VMX 10, SVM 0x72 */
	uint32_t max_leaf;		/* CPUID 0's EAX */
	uint32_t timer_count;		/* x2APIC timer's initial count for hlt */
	bool x2apic[RT_MAX_CPUS];	/* each vCPU's, as the runtime found it */
};
extern struct bench_env bench_env;
void bench_cases_init(void);

/* args.c: the command line (docs/benchmarks.md). */
struct bench_args {
	bool selected[BENCH_MAX_CASES];	/* by index into bench_cases */
	uint64_t budget;		/* TSC ticks per repetition */
	unsigned int reps;
	uint32_t timer;
	uint64_t ops;			/* operations per repetition; 0: the budget says */
	bool solo;			/* vCPU 0 alone runs; the others halt */
};
/* 0, or BENCH_BAD_ARGS after a message. */
int bench_args_parse(const char *s, struct bench_args *a);

/* stats.c */
/* Ticks per operation, rounded; 0 for no operation. */
uint64_t bench_per_op(uint64_t ticks, uint64_t ops);
/* Median of @n values (sorted in place); of an even count, the mean of the middle two. */
uint64_t bench_median(uint64_t *v, unsigned int n);

#endif
