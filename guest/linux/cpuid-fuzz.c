// SPDX-License-Identifier: GPL-2.0-only
/*
 * cpuid-fuzz: fire at least a million queries at exitscope's three CPUID
 * leaves from inside the guest and check every answer against the
 * interface's specification (docs/kernel.md, asm/kvm_exit_stats.h):
 *
 *  - the shape: an undefined code answers EDX=0xffffffff and zeroes; a
 *    defined one ECX=EDX=0 (count leaf) or EAX=EDX=0 (cycles leaf);
 *  - which codes are defined: every code the kernel names (this binary's
 *    table comes from the same headers), OTHER, FAILED_VMENTRY on VMX and
 *    SVM_EXIT_ERR on SVM; none beyond the codes any handler table could
 *    have (VMX: 0x100 and up; SVM: 0x500..0x7fffffff, and 0x80000000 and
 *    up unless named);
 *  - stability: a code keeps its answer's kind; counts and cycles never go
 *    down; the CPUID code's count grows with every query (each one exits);
 *    the total grows with every query;
 *  - the sum: the answers of every code with a row add up to a figure
 *    between the totals read before and after the sweep.
 *
 * Codes: every ECX in 0..0x500 on all leaves, the edges, random 32-bit
 * values. Prints a summary and the first violations; exit status 0 if
 * there was none, 1 otherwise, 2 if the interface is absent.
 * Usage: cpuid-fuzz [QUERIES]   (default 1000000)
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/exit_reasons.h"

#define LEAF_CYCLES	KVM_EXIT_STATS_LEAF_CYCLES
#define LEAF_COUNT	KVM_EXIT_STATS_LEAF_COUNT
#define LEAF_TOTAL	KVM_EXIT_STATS_LEAF_TOTAL
#define UNDEFINED	KVM_EXIT_STATS_UNDEFINED
#define MAX_SHOWN	20

struct regs { uint32_t eax, ebx, ecx, edx; };

static enum es_vendor vendor;
static uint64_t queries, violations;
static uint32_t cpuid_code;	/* the vendor's CPUID exit code */

static struct regs cpuid(uint32_t leaf, uint32_t ecx)
{
	struct regs r;

	__asm__ volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
			 : "a"(leaf), "c"(ecx));
	queries++;
	return r;
}

static void violation(const char *what, uint32_t leaf, uint32_t code, struct regs r)
{
	if (violations++ < MAX_SHOWN)
		printf("cpuid-fuzz: VIOLATION %s: leaf %#x code %#x: eax=%#x ebx=%#x ecx=%#x edx=%#x\n",
		       what, leaf, code, r.eax, r.ebx, r.ecx, r.edx);
}

/* Must the interface call @code defined (1), undefined (0), or either (-1)? */
static int spec_defined(uint32_t code)
{
	if (code == KVM_EXIT_STATS_CODE_OTHER)
		return 1;
	if (vendor == ES_INTEL && code == KVM_EXIT_STATS_CODE_FAILED_VMENTRY)
		return 1;
	if (es_reason_name(vendor, code) && code != KVM_EXIT_STATS_CODE_FAILED_VMENTRY)
		return 1;
	if (vendor == ES_INTEL)
		return code >= 0x100 ? 0 : -1;	/* 76 basic reasons in 6.1 */
	if (code >= 0x500)
		return 0;			/* the table ends at 0x403 */
	return -1;				/* handled but unnamed, maybe */
}

/* Per code: what it answered before (kind, count, cycles), for 0..0x500. */
#define TRACKED 0x501
static struct { int8_t defined; uint64_t count, cycles; } seen[TRACKED];

static uint64_t hi_lo(uint32_t hi, uint32_t lo)
{
	return (uint64_t)hi << 32 | lo;
}

/* One query of @leaf (count or cycles) for @code, checked; its figure. */
static uint64_t check_code(uint32_t leaf, uint32_t code)
{
	struct regs r = cpuid(leaf, code);
	bool undefined = r.edx == UNDEFINED;
	int want = spec_defined(code);
	uint64_t v;

	if (undefined) {
		if (r.eax || r.ebx || r.ecx)
			violation("undefined but not all zero", leaf, code, r);
	} else if (r.edx || (leaf == LEAF_COUNT ? r.ecx : r.eax)) {
		violation("registers that must be zero are not", leaf, code, r);
	}
	if (want == 1 && undefined)
		violation("a defined code answered undefined", leaf, code, r);
	if (want == 0 && !undefined)
		violation("an undefined code answered a figure", leaf, code, r);
	v = leaf == LEAF_COUNT ? hi_lo(r.ebx, r.eax) : hi_lo(r.ebx, r.ecx);
	if (code < TRACKED) {
		int8_t kind = undefined ? 0 : 1;

		if (seen[code].defined >= 0 && seen[code].defined != kind)
			violation("a code changed between defined and undefined", leaf, code, r);
		seen[code].defined = kind;
		if (leaf == LEAF_COUNT) {
			if (v < seen[code].count)
				violation("a count went down", leaf, code, r);
			/* Every query is a CPUID exit: its own count moves. */
			if (code == cpuid_code && seen[code].count && v <= seen[code].count)
				violation("the CPUID count did not grow with a query", leaf, code, r);
			seen[code].count = v;
		} else {
			if (v < seen[code].cycles)
				violation("cycles went down", leaf, code, r);
			seen[code].cycles = v;
		}
	}
	return undefined ? 0 : v;
}

static uint64_t last_total;

static uint64_t check_total(void)
{
	struct regs r = cpuid(LEAF_TOTAL, (uint32_t)random());
	uint64_t t = hi_lo(r.edx, r.eax);

	/* At least the query before this one was an exit in between. */
	if (last_total && t <= last_total)
		violation("the total did not grow", LEAF_TOTAL, 0, r);
	last_total = t;
	return t;
}

/* Every code with a row, summed, lies between the totals around it. */
static void check_sum(void)
{
	uint32_t last = vendor == ES_INTEL ? 0xffff : 0x404, code;
	uint64_t before, after, sum = 0;
	struct regs r;

	before = check_total();
	for (code = 0; code <= last; code++)
		sum += check_code(LEAF_COUNT, code);
	sum += check_code(LEAF_COUNT, KVM_EXIT_STATS_CODE_OTHER);
	sum += check_code(LEAF_COUNT, vendor == ES_INTEL ? KVM_EXIT_STATS_CODE_FAILED_VMENTRY :
					0xffffffffu);
	after = check_total();
	if (sum < before || sum > after) {
		r = (struct regs){ (uint32_t)sum, (uint32_t)(sum >> 32), 0, 0 };
		violation("the answers do not add up to the total", LEAF_TOTAL, 0, r);
		printf("cpuid-fuzz: sum %llu, totals %llu before and %llu after\n",
		       (unsigned long long)sum, (unsigned long long)before,
		       (unsigned long long)after);
	}
}

int main(int argc, char **argv)
{
	static const uint32_t edges[] = {
		0x7fffffff, 0x80000000, 0x80000001, 0x8000ffff, 0xfffffffd, 0xfffffffe,
		0xffffffff, 0x100, 0x3ff, 0x400, 0x403, 0x404, 0xffff, 0x10000, 0x1000a,
		0x0800000a, 0x8000000a,
	};
	uint64_t want = 1000000;
	char id[13];
	struct regs r;
	uint32_t code, i;

	if (argc > 1 && (!(want = strtoull(argv[1], NULL, 10)) || want > 100000000)) {
		fprintf(stderr, "usage: cpuid-fuzz [QUERIES] (1 to 100000000)\n");
		return 2;
	}
	r = cpuid(0, 0);
	memcpy(id, &r.ebx, 4);
	memcpy(id + 4, &r.edx, 4);
	memcpy(id + 8, &r.ecx, 4);
	id[12] = '\0';
	vendor = strcmp(id, "AuthenticAMD") ? ES_INTEL : ES_AMD;
	cpuid_code = vendor == ES_INTEL ? 10 : 0x72;
	memset(seen, -1, sizeof(seen));
	for (code = 0; code < TRACKED; code++)
		seen[code].count = seen[code].cycles = 0;
	r = cpuid(LEAF_COUNT, 0xffff0000);
	if (r.edx != UNDEFINED) {
		printf("cpuid-fuzz: the interface is absent (leaf %#x of code 0xffff0000 answered edx=%#x)\n",
		       LEAF_COUNT, r.edx);
		return 2;
	}
	srandom(1);
	check_sum();
	while (queries < want) {
		for (code = 0; code < TRACKED && queries < want; code++) {
			check_code(LEAF_COUNT, code);
			check_code(LEAF_CYCLES, code);
		}
		for (i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
			check_code(LEAF_COUNT, edges[i]);
			check_code(LEAF_CYCLES, edges[i]);
		}
		for (i = 0; i < 2048 && queries < want; i++)
			check_code(i & 1 ? LEAF_CYCLES : LEAF_COUNT,
				   (uint32_t)random() ^ (uint32_t)random() << 16);
		check_total();
	}
	check_sum();
	printf("cpuid-fuzz: %s, %llu queries, %llu violations\n", es_isa_name(vendor),
	       (unsigned long long)queries, (unsigned long long)violations);
	return violations ? 1 : 0;
}
