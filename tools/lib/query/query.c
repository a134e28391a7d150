// SPDX-License-Identifier: GPL-2.0-only
/* Reading and decoding exitscope's CPUID leaves; see query.h. */
#include <stdio.h>
#include <string.h>

#include "query/query.h"

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

int es_query_open(struct es_query *q, es_cpuid_fn cpuid, char *why, size_t len)
{
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
	 * The discovery leaf answers exitscope's signature only where this
	 * VM's guest may read the figures; with the interface off (stock KVM,
	 * exit_stats=off, or a VM that did not opt in) it answers what the
	 * VMM's CPUID table says, as every leaf of the range does. Versions
	 * only add: any version from the first on keeps these leaves' meaning.
	 */
	r = call(q, KVM_EXIT_STATS_LEAF_INFO, 0);
	if (r.ebx != KVM_EXIT_STATS_SIG_EBX || r.ecx != KVM_EXIT_STATS_SIG_ECX ||
	    r.eax < KVM_EXIT_STATS_LEAF_TOTAL || !(r.edx & KVM_EXIT_STATS_INFO_VERSION)) {
		snprintf(why, len,
			 "hypervisor '%s' does not answer CPUID leaves 0x%08x..0x%08x (no signature at 0x%08x): not exitscope's KVM, kvm.exit_stats=off, or the guest interface is off for this VM",
			 q->hypervisor, KVM_EXIT_STATS_LEAF_INFO, KVM_EXIT_STATS_LEAF_TOTAL,
			 KVM_EXIT_STATS_LEAF_INFO);
		return -1;
	}
	q->abi_version = r.edx & KVM_EXIT_STATS_INFO_VERSION;
	q->has_cycles = r.edx & KVM_EXIT_STATS_INFO_CYCLES;
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
	if (!f->count || !q->has_cycles)
		return;		/* no cycles to read: spare an exit */
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
