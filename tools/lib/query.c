// SPDX-License-Identifier: GPL-2.0-only
/* Reading and decoding exitscope's CPUID leaves; see query.h. */
#include <stdio.h>
#include <string.h>

#include "query.h"

/* A code no vendor defines and no kernel will name: it must be "undefined". */
#define PROBE_UNDEFINED 0xffff0000u

static struct es_cpuid call(struct es_query *q, uint32_t leaf, uint32_t sub)
{
	q->cpuid_calls++;
	return q->cpuid(leaf, sub);
}

static void regs_string(char out[13], uint32_t a, uint32_t b, uint32_t c)
{
	memcpy(out, &a, 4);
	memcpy(out + 4, &b, 4);
	memcpy(out + 8, &c, 4);
	out[12] = '\0';
}

static bool answers_undefined(struct es_cpuid r)
{
	return !r.eax && !r.ebx && !r.ecx && r.edx == KVM_EXIT_STATS_UNDEFINED;
}

static uint64_t total_exits(struct es_query *q)
{
	struct es_cpuid r = call(q, KVM_EXIT_STATS_LEAF_TOTAL, 0);

	return (uint64_t)r.edx << 32 | r.eax;
}

int es_query_open(struct es_query *q, es_cpuid_fn cpuid, char *why, size_t len)
{
	uint64_t before, after;
	struct es_cpuid r;

	memset(q, 0, sizeof(*q));
	q->cpuid = cpuid;
	r = call(q, 0, 0);
	regs_string(q->cpu_vendor, r.ebx, r.edx, r.ecx);
	if (!strcmp(q->cpu_vendor, "GenuineIntel")) {
		q->vendor = ES_INTEL;
	} else if (!strcmp(q->cpu_vendor, "AuthenticAMD")) {
		q->vendor = ES_AMD;
	} else {
		snprintf(why, len, "unknown CPU vendor '%s' (Intel or AMD only)",
			 q->cpu_vendor);
		return -1;
	}
	r = call(q, 1, 0);
	if (!(r.ecx & (1u << 31))) {
		snprintf(why, len, "no hypervisor: run this inside a VM whose KVM has exitscope's accounting");
		return -1;
	}
	r = call(q, 0x40000000, 0);
	regs_string(q->hypervisor, r.ebx, r.ecx, r.edx);
	/*
	 * With the interface off (stock KVM, exit_stats=off, or a VMM that did
	 * not opt in) these leaves answer whatever the VMM's CPUID table says:
	 * zeros, the highest basic leaf (Intel), or any values at all. Two
	 * things a table cannot fake: a code no one defines answers exactly
	 * "undefined", and the total moves, since every CPUID is an exit
	 * counted before it is answered (the one between the reads included).
	 */
	before = total_exits(q);
	if (!answers_undefined(call(q, KVM_EXIT_STATS_LEAF_COUNT, PROBE_UNDEFINED)) ||
	    (after = total_exits(q)) <= before) {
		snprintf(why, len,
			 "hypervisor '%s' does not answer CPUID leaves 0x%08x..0x%08x: not exitscope's KVM, kvm.exit_stats=off, or the guest interface is off for this VM",
			 q->hypervisor, KVM_EXIT_STATS_LEAF_CYCLES, KVM_EXIT_STATS_LEAF_TOTAL);
		return -1;
	}
	return 0;
}

void es_query_reason(struct es_query *q, uint32_t code, struct es_figure *f)
{
	struct es_cpuid r = call(q, KVM_EXIT_STATS_LEAF_COUNT, code);

	memset(f, 0, sizeof(*f));
	f->code = code;
	f->name = es_reason_name(q->vendor, code);
	f->defined = !answers_undefined(r);
	if (!f->defined)
		return;
	if (!f->name)
		f->name = "unnamed";
	f->count = (uint64_t)r.ebx << 32 | r.eax;
	if (!f->count)
		return;		/* no exits, no cycles: spare an exit */
	r = call(q, KVM_EXIT_STATS_LEAF_CYCLES, code);
	f->cycles = (uint64_t)r.ebx << 32 | r.ecx;
}

void es_query_total(struct es_query *q, uint64_t *count, uint64_t *cycles)
{
	struct es_cpuid r = call(q, KVM_EXIT_STATS_LEAF_TOTAL, 0);

	*count = (uint64_t)r.edx << 32 | r.eax;
	*cycles = (uint64_t)r.ebx << 32 | r.ecx;
}

static void add_code(uint32_t *codes, size_t max, size_t *n, uint32_t code)
{
	size_t i, j;

	for (i = 0; i < *n && codes[i] < code; i++)
		;
	if ((i < *n && codes[i] == code) || *n == max)
		return;
	for (j = *n; j > i; j--)
		codes[j] = codes[j - 1];
	codes[i] = code;
	(*n)++;
}

size_t es_query_codes(enum es_vendor vendor, uint32_t *codes, size_t max)
{
	const struct es_reason *r;
	uint32_t low_end = 0, c;
	size_t i, nr, n = 0;

	r = es_reasons(vendor, &nr);
	for (i = 0; i < nr; i++)
		if (r[i].code < es_svm_high_base() && r[i].code >= low_end)
			low_end = r[i].code + 1;
	for (c = 0; c < low_end; c++)
		add_code(codes, max, &n, c);
	for (i = 0; i < nr; i++)
		add_code(codes, max, &n, r[i].code);
	if (vendor == ES_INTEL)
		add_code(codes, max, &n, ES_CODE_FAILED_VMENTRY);
	add_code(codes, max, &n, ES_CODE_OTHER);
	return n;
}
