/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The exit reason of a kvm_exit, read in a tp_btf program from the
 * tracepoint's own argument, the vCPU: what the tracepoint reports through
 * get_exit_info(), from the vendor's vCPU, which embeds struct kvm_vcpu
 * first (to_vmx(), to_svm()). Shared by the collector (exitscope.bpf.c)
 * and the benchmark's floor (lab/bpf-floor/), so that both read the same.
 *
 * The shapes name only the fields read; libbpf relocates each against the
 * kernel's own struct, in vmlinux's BTF (kvm_vcpu) or the vendor module's
 * (the rest). The loader sets vendor_isa, so the other vendor's reads,
 * whose types do not exist here, are pruned by the verifier; it has also
 * checked that the fields exist (collector.c: tp_btf_usable()), because a
 * read that cannot be relocated loads anyway and reads nothing.
 */
#ifndef EXITSCOPE_KVM_REASON_BPF_H
#define EXITSCOPE_KVM_REASON_BPF_H

#include <bpf/bpf_core_read.h>

#include "exitscope.h"

const volatile __u32 vendor_isa = 0;	/* ES_BPF_ISA_VMX or _SVM: the host's */

/* vmlinux's BTF. */
struct kvm_vcpu_arch {
	unsigned long regs[16];		/* the guest's GPRs, saved at the exit (enum kvm_reg) */
	__u32 regs_avail;		/* bit (enum kvm_reg): read since the last exit */
	__u8 handling_intr_from_guest;	/* enum kvm_intr_type: the host takes the exit's interrupt */
} __attribute__((preserve_access_index));

/*
 * arch/x86/kvm/x86.h (in no BTF so far): what kvm_before_interrupt() sets.
 * Relocated by name where a BTF has it; else 1, its value in 6.1 and 6.12.
 */
enum kvm_intr_type {
	KVM_HANDLING_IRQ = 1,
};

/*
 * asm/kvm_host.h (kvm's BTF): the bits of regs_avail that say VMX's exit
 * qualification and interrupt information were read since the exit.
 * Values relocated by name (bpf_core_enum_value); these are placeholders.
 */
enum kvm_reg {
	VCPU_EXREG_EXIT_INFO_1 = 0,
	VCPU_EXREG_EXIT_INFO_2 = 1,
};

/* A memslot (include/linux/kvm_host.h), as the drill-down names a region by it. */
struct kvm_memory_slot {
	__u64 base_gfn;
	unsigned long npages;
	unsigned long userspace_addr;
	short id;
	__u16 as_id;
} __attribute__((preserve_access_index));

/* The VM's memslots, one set per address space, and their generation. */
struct kvm_memslots {
	__u64 generation;
} __attribute__((preserve_access_index));

struct kvm {
	struct kvm_memslots *memslots[2];
} __attribute__((preserve_access_index));

struct kvm_vcpu {
	struct kvm *kvm;
	int vcpu_id;
	struct kvm_vcpu_arch arch;
	/* The memslot of the vCPU's last guest-physical lookup, and its generation (5.13 on). */
	struct kvm_memory_slot *last_used_slot;
	__u64 last_used_slot_gen;
} __attribute__((preserve_access_index));

struct task_struct;

/* What names a VMM's mapping (memslot_note()): its file's dentry's name. */
struct qstr {
	const unsigned char *name;
} __attribute__((preserve_access_index));

struct dentry {
	struct qstr d_name;
} __attribute__((preserve_access_index));

struct path {
	struct dentry *dentry;
} __attribute__((preserve_access_index));

struct file {
	struct path f_path;
} __attribute__((preserve_access_index));

struct vm_area_struct {
	struct file *vm_file;
} __attribute__((preserve_access_index));

/* kvm_intel's BTF: arch/x86/kvm/vmx/vmx.h. */
union vmx_exit_reason {
	__u32 full;
} __attribute__((preserve_access_index));

struct vcpu_vmx {
	union vmx_exit_reason exit_reason;
	unsigned long exit_qualification;	/* cached by vmx_get_exit_qual() */
	__u32 exit_intr_info;			/* cached by vmx_get_intr_info() */
} __attribute__((preserve_access_index));

/* From 6.16 the fields VMX shares with TDX moved into vcpu_vmx.vt. */
struct vcpu_vt___vt {
	union vmx_exit_reason exit_reason;
	unsigned long exit_qualification;
	__u32 exit_intr_info;
} __attribute__((preserve_access_index));

struct vcpu_vmx___vt {
	struct vcpu_vt___vt vt;
} __attribute__((preserve_access_index));

/*
 * kvm_amd's BTF: arch/x86/kvm/svm/svm.h, asm/svm.h. exit_code is u32 up to
 * now and may become u64: either way the low four bytes on x86 are the
 * u32 the tracepoint reports (SVM_EXIT_ERR included).
 */
struct vmcb_control_area {
	__u32 exit_code;
	__u64 exit_info_1;
	__u64 exit_info_2;
} __attribute__((preserve_access_index));

struct vmcb {
	struct vmcb_control_area control;
} __attribute__((preserve_access_index));

struct vcpu_svm {
	struct vmcb *vmcb;
} __attribute__((preserve_access_index));

/*
 * The exit reason the tracepoint reports (its get_exit_info()), read from
 * the vendor's vCPU, which embeds struct kvm_vcpu first (to_vmx(),
 * to_svm()). Helper reads, not direct loads: the verifier knows @vcpu as
 * a kvm_vcpu and refuses offsets beyond it. 0, or -1 if it could not.
 */
static __always_inline int read_reason(struct kvm_vcpu *vcpu, __u32 isa, __u32 *reason)
{
	/* 6.12's verifier: a raw_tp argument may be NULL (PTR_MAYBE_NULL). */
	if (!vcpu)
		return -1;
	if (vendor_isa == ES_BPF_ISA_VMX && isa == ES_BPF_ISA_VMX) {
		if (bpf_core_field_exists(struct vcpu_vmx___vt, vt))
			return bpf_core_read(reason, sizeof(*reason),
					     &((struct vcpu_vmx___vt *)vcpu)->vt.exit_reason.full) ? -1 : 0;
		return bpf_core_read(reason, sizeof(*reason),
				     &((struct vcpu_vmx *)vcpu)->exit_reason.full) ? -1 : 0;
	}
	if (vendor_isa == ES_BPF_ISA_SVM && isa == ES_BPF_ISA_SVM) {
		struct vmcb *vmcb = BPF_CORE_READ((struct vcpu_svm *)vcpu, vmcb);

		if (!vmcb)
			return -1;
		return bpf_core_read(reason, sizeof(*reason), &vmcb->control.exit_code) ? -1 : 0;
	}
	return -1;
}

#endif
