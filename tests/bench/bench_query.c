// SPDX-License-Identifier: GPL-2.0-only
/*
 * What one guest query costs against the VM's vCPU count: the CPUID leaves'
 * handler, compiled from kernel/kvm/exit_stats.c through tests/shim, timed
 * on this host's CPU (no KVM, no exit: the handler alone). The total and
 * the per-code leaves must stay O(vCPUs). Prints one row per vCPU count.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../../kernel/kvm/exit_stats.c"
#include "handler_tables.h"

static struct kvm kvm;
static struct kvm_vcpu vcpus[SHIM_MAX_VCPUS];

static double ns_per_query(u32 leaf, u32 code, int iterations)
{
	struct timespec a, b;
	u32 eax, ebx, ecx, edx;
	int i;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < iterations; i++) {
		eax = leaf;
		ecx = code;
		if (!kvm_exit_stats_cpuid(&vcpus[0], &eax, &ebx, &ecx, &edx))
			abort();
		__asm__ volatile("" : : "r"(eax), "r"(ebx), "r"(ecx), "r"(edx));
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	return ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / iterations;
}

int main(void)
{
	static const int counts[] = { 1, 4, 16, 64, 256 };
	unsigned int isa;
	size_t c;
	int i;

	exit_stats_guest = KVM_EXIT_STATS_GUEST_USER;
	kvm_exit_stats_vm_init(&kvm);		/* the VM takes it at creation */
	for (isa = KVM_ISA_VMX; isa <= KVM_ISA_SVM; isa++) {
		if (isa == KVM_ISA_VMX)
			kvm_exit_stats_setup(isa, vmx_exit_handlers, ARRAY_SIZE(vmx_exit_handlers));
		else
			kvm_exit_stats_setup(isa, svm_exit_handlers, ARRAY_SIZE(svm_exit_handlers));
		printf("%s: ns per query (this host's CPU, the handler alone)\n",
		       isa == KVM_ISA_VMX ? "vmx" : "svm");
		printf("%6s %12s %12s %12s\n", "vCPUs", "total", "one code", "other");
		for (c = 0; c < ARRAY_SIZE(counts); c++) {
			for (i = 0; i < counts[c]; i++) {
				vcpus[i].kvm = &kvm;
				if (kvm_exit_stats_vcpu_create(&vcpus[i]))
					return 1;
				kvm.vcpus[i] = &vcpus[i];
			}
			kvm.nr_vcpus = counts[c];
			printf("%6d %12.1f %12.1f %12.1f\n", counts[c],
			       ns_per_query(KVM_EXIT_STATS_LEAF_TOTAL, 0, 200000 / counts[c]),
			       ns_per_query(KVM_EXIT_STATS_LEAF_COUNT, isa == KVM_ISA_VMX ? 10 : 0x72, 200000 / counts[c]),
			       ns_per_query(KVM_EXIT_STATS_LEAF_COUNT, KVM_EXIT_STATS_CODE_OTHER,
					    20000 / counts[c]));
			for (i = 0; i < counts[c]; i++)
				kvm_exit_stats_vcpu_destroy(&vcpus[i]);
		}
	}
	kvm_exit_stats_unsetup();
	return 0;
}
