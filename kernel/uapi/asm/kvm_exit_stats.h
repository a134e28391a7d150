/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Per-reason VM-exit accounting: what guests and VMMs see.
 * The one definition of these numbers, for the kernel and the tools.
 */
#ifndef _ASM_X86_KVM_EXIT_STATS_H
#define _ASM_X86_KVM_EXIT_STATS_H

/*
 * CPUID leaves a guest reads its VM's figures with, when the host allows it
 * (KVM_CAP_X86_EXIT_STATS, kvm.exit_stats_guest):
 *   LEAF_INFO:   EAX = the highest leaf (LEAF_TOTAL), EBX ECX = the
 *                signature "ExitStat", EDX = ABI version (bits 15:0) and
 *                INFO_* flags; where the host does not allow it, this leaf
 *                answers as every other (the VMM's table), so a guest that
 *                finds the signature knows the leaves below are live
 * A leaf of these the VMM's CPUID table defines is the table's: KVM
 * answers only those it does not.
 *   LEAF_TOTAL:  EDX:EAX = all exits, EBX:ECX = all cycles in KVM
 *   LEAF_COUNT:  ECX = code; EBX:EAX = exits of that code, ECX = EDX = 0
 *   LEAF_CYCLES: ECX = code; EBX:ECX = cycles in KVM, EAX = EDX = 0
 * A code is the VMX basic exit reason or the SVM exit code, or one of the
 * KVM_EXIT_STATS_CODE_* below.  A code that neither the kernel names nor
 * KVM handles answers EDX = KVM_EXIT_STATS_UNDEFINED, the rest 0.
 */
#define KVM_EXIT_STATS_LEAF_INFO	0x4ffffffc
#define KVM_EXIT_STATS_LEAF_CYCLES	0x4ffffffd
#define KVM_EXIT_STATS_LEAF_COUNT	0x4ffffffe
#define KVM_EXIT_STATS_LEAF_TOTAL	0x4fffffff
#define KVM_EXIT_STATS_UNDEFINED	0xffffffff

#define KVM_EXIT_STATS_SIG_EBX		0x74697845	/* "Exit" */
#define KVM_EXIT_STATS_SIG_ECX		0x74617453	/* "Stat" */
#define KVM_EXIT_STATS_ABI_VERSION	1
#define KVM_EXIT_STATS_INFO_VERSION	0xffff		/* EDX: the version */
#define KVM_EXIT_STATS_INFO_CYCLES	0x10000		/* EDX: cycles kept */

/*
 * VMX: every failed VM entry (exit reason with bit 31 set: the basic
 * reasons 33, 34 and 41, "VM-entry failure due to ..."), in one row.
 */
#define KVM_EXIT_STATS_CODE_FAILED_VMENTRY	0x80000000
/*
 * Exits of codes that have no row of their own (neither named nor handled,
 * e.g. a reason newer than this kernel): the per-code answers plus this one
 * add up to LEAF_TOTAL.
 */
#define KVM_EXIT_STATS_CODE_OTHER		0xfffffffe

/*
 * A VM capability (KVM_CHECK_EXTENSION, KVM_ENABLE_CAP on the VM fd).
 * Checking it answers the KVM_EXIT_STATS_HAS_* bits (0: no accounting).
 * Enabling it with args[0] = KVM_EXIT_STATS_GUEST_* sets whether this VM's
 * guest may read the CPUID leaves above; args[1..3] and flags must be 0
 * (EINVAL), and it must come before the VM's first vCPU (EBUSY after):
 * what a guest sees is fixed while it runs.  A VM that does not enable it
 * keeps what the module parameter kvm.exit_stats_guest said when the VM
 * was created (default off); GUEST_DEFAULT takes the parameter's value at
 * the time of the call.  With the leaves off, CPUID answers them as stock
 * KVM does, from the VMM's CPUID table (or its out-of-range rule).
 */
#define KVM_CAP_X86_EXIT_STATS		0x45530001

#define KVM_EXIT_STATS_HAS_COUNTS	0x1
#define KVM_EXIT_STATS_HAS_CYCLES	0x2

#define KVM_EXIT_STATS_GUEST_DEFAULT	0	/* follow kvm.exit_stats_guest */
#define KVM_EXIT_STATS_GUEST_OFF	1	/* stock CPUID */
#define KVM_EXIT_STATS_GUEST_KERNEL	2	/* answered at CPL 0 only */
#define KVM_EXIT_STATS_GUEST_USER	3	/* answered at any CPL */

#endif /* _ASM_X86_KVM_EXIT_STATS_H */
