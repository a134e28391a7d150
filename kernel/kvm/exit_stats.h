/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-reason VM-exit accounting.
 *
 * Every VM exit that the kvm_exit tracepoint reports is counted per vCPU, in
 * a slot chosen from the exit reason (VMX) or exit code (SVM).  Optionally the
 * host TSC cycles from that exit to the vCPU's next VM entry are added to the
 * same slot.  The figures of a VM are the sums over its vCPUs; they are read
 * by the guest through CPUID leaves 0x4ffffffd..0x4fffffff and by the host
 * through the VM's debugfs file "exit_stats".
 *
 * The hot-path helpers below are inline and guarded by static keys, so with
 * kvm.exit_stats=off the exit path is that of stock KVM.
 */
#ifndef ARCH_X86_KVM_EXIT_STATS_H
#define ARCH_X86_KVM_EXIT_STATS_H

#include <linux/jump_label.h>
#include <linux/kvm_host.h>
#include <asm/msr.h>

#define KVM_EXIT_STATS_LEAF_CYCLES	0x4ffffffd
#define KVM_EXIT_STATS_LEAF_COUNT	0x4ffffffe
#define KVM_EXIT_STATS_LEAF_TOTAL	0x4fffffff

#define KVM_EXIT_STATS_NO_SLOT		U32_MAX

/*
 * Per-vCPU figures.  Plain u64s written only by the vCPU's own thread, so no
 * atomics are needed; readers of other vCPUs use READ_ONCE() and may see a
 * figure that is one exit old.
 */
struct kvm_exit_stats {
	u64 exit_tsc;		/* host TSC right after the last VM exit */
	u32 pending;		/* slot to charge at the next VM entry */
	u64 *cycles;		/* nr_slots TSC sums, NULL when not timing */
	u64 count[];		/* nr_slots exit counts */
};

DECLARE_STATIC_KEY_FALSE(kvm_exit_stats_counting);
DECLARE_STATIC_KEY_FALSE(kvm_exit_stats_timing);

/* Exit codes below this value are their own slot (the common case). */
extern u32 kvm_exit_stats_direct_slots;

void __kvm_exit_stats_count(struct kvm_exit_stats *s, u32 code);
void kvm_exit_stats_setup(unsigned int isa, const void *handlers,
			  u32 nr_handlers);
int kvm_exit_stats_vcpu_create(struct kvm_vcpu *vcpu);
void kvm_exit_stats_vcpu_destroy(struct kvm_vcpu *vcpu);
void kvm_exit_stats_vm_destroy(struct kvm *kvm);
void kvm_exit_stats_create_debugfs(struct kvm *kvm);
bool kvm_exit_stats_cpuid(struct kvm_vcpu *vcpu, u32 *eax, u32 *ebx,
			  u32 *ecx, u32 *edx);

/* Call right before VM entry: charge the time since the last exit. */
static __always_inline void kvm_exit_stats_enter(struct kvm_vcpu *vcpu)
{
	struct kvm_exit_stats *s;

	if (!static_branch_likely(&kvm_exit_stats_timing))
		return;
	s = vcpu->arch.exit_stats;
	if (s->pending != KVM_EXIT_STATS_NO_SLOT) {
		u64 now = rdtsc();

		/*
		 * Entering on a CPU whose TSC is behind the exit's (TSCs not
		 * synchronized, or moved back under an emulator) would charge
		 * nearly 2^64 cycles: charge nothing for that exit instead.
		 */
		if (likely(now > s->exit_tsc))
			s->cycles[s->pending] += now - s->exit_tsc;
		s->pending = KVM_EXIT_STATS_NO_SLOT;
	}
}

/* Call right after VM exit: note when the exit happened. */
static __always_inline void kvm_exit_stats_stamp(struct kvm_vcpu *vcpu)
{
	if (static_branch_likely(&kvm_exit_stats_timing))
		vcpu->arch.exit_stats->exit_tsc = rdtsc();
}

/* Call where trace_kvm_exit() fires, with the reason the tracepoint shows. */
static __always_inline void kvm_exit_stats_count(struct kvm_vcpu *vcpu,
						 u32 code)
{
	struct kvm_exit_stats *s;

	if (!static_branch_likely(&kvm_exit_stats_counting))
		return;
	s = vcpu->arch.exit_stats;
	if (likely(code < kvm_exit_stats_direct_slots)) {
		s->count[code]++;
		s->pending = code;
	} else {
		__kvm_exit_stats_count(s, code);
	}
}

#endif /* ARCH_X86_KVM_EXIT_STATS_H */
