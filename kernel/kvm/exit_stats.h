/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-reason VM-exit accounting.
 *
 * Every hardware VM exit is counted per vCPU, in a slot chosen from the exit
 * reason (VMX) or exit code (SVM).  In "cycles" mode the host TSC cycles from
 * that exit until KVM enters the guest again are added to the same slot,
 * split into the time KVM spent on the exit (on one CPU, vCPU loaded) and the
 * time the vCPU was away after it: halted, back in the VMM, preempted, or
 * sleeping in the host.
 *
 * The figures of a VM are the sums over its vCPUs.  The host reads them in
 * the VM's debugfs file "exit_stats"; the guest, if the host allows it, with
 * the CPUID leaves of <asm/kvm_exit_stats.h>.
 *
 * The hooks below are inline and guarded by static keys that are off unless
 * kvm.exit_stats asks for accounting, so with "off" each costs a NOP.
 */
#ifndef ARCH_X86_KVM_EXIT_STATS_H
#define ARCH_X86_KVM_EXIT_STATS_H

#include <linux/jump_label.h>
#include <linux/kvm_host.h>
#include <asm/msr.h>
#include <asm/kvm_exit_stats.h>

#define KVM_EXIT_STATS_NO_SLOT		U32_MAX

/* Where a vCPU is that is neither in the guest nor handling an exit. */
enum kvm_exit_stats_away {
	KVM_EXIT_STATS_HALTED,		/* in vcpu_block(): HLT, polling too */
	KVM_EXIT_STATS_VMM,		/* KVM_RUN returned to userspace */
	KVM_EXIT_STATS_PREEMPTED,	/* scheduled out while runnable */
	KVM_EXIT_STATS_SLEEP,		/* scheduled out, waiting in the host */
	KVM_EXIT_STATS_NR_AWAY,
	KVM_EXIT_STATS_IN_KVM = KVM_EXIT_STATS_NR_AWAY,
};

/*
 * Per-vCPU figures.  Written only by the vCPU's own thread, so plain u64s
 * without atomics; readers on other CPUs may see a figure one exit old.
 * One allocation: this header, count[], then in cycles mode cycles[] and
 * away[] (KVM_EXIT_STATS_NR_AWAY rows of nr_slots).
 */
struct kvm_exit_stats {
	u64 mark;		/* TSC when the current interval began */
	u64 exits;		/* the sum of count[] */
	u64 cycles_in_kvm;	/* the sum of cycles[] */
	u64 *cycles;		/* TSC cycles in KVM per slot, NULL if not timing */
	u64 *away;		/* TSC cycles away per kind and slot */
	u32 pending;		/* slot of the last exit until the next entry */
	u8 where;		/* KVM_EXIT_STATS_IN_KVM or the kind of away */
	u64 count[];		/* exits per slot */
};

DECLARE_STATIC_KEY_FALSE(kvm_exit_stats_counting);
DECLARE_STATIC_KEY_FALSE(kvm_exit_stats_timing);

/* Exit codes below this value are their own slot (the common case). */
extern u32 kvm_exit_stats_direct_slots;

/* An entry of the vendor's exit-handler table. */
typedef int (*kvm_exit_stats_handler_t)(struct kvm_vcpu *vcpu);

void __kvm_exit_stats_setup(unsigned int isa,
			    const kvm_exit_stats_handler_t *handlers,
			    u32 nr_handlers, size_t vcpu_size, size_t kvm_size);
/*
 * The vendor module's handshake, the last step of its hardware setup, in
 * every mode: kvm.ko refuses a vendor module that never makes it (one built
 * without this change, whose struct vcpu_vmx/vcpu_svm embeds a smaller
 * struct kvm_vcpu), or that saw other sizes of the structs it shares.
 */
#define kvm_exit_stats_setup(isa, handlers, nr_handlers)		\
	__kvm_exit_stats_setup(isa, handlers, nr_handlers,		\
			       sizeof(struct kvm_vcpu), sizeof(struct kvm))
void kvm_exit_stats_unsetup(void);
int kvm_exit_stats_check_vendor(const char *name);
int kvm_exit_stats_vcpu_create(struct kvm_vcpu *vcpu);
void kvm_exit_stats_vcpu_destroy(struct kvm_vcpu *vcpu);
void kvm_exit_stats_vm_init(struct kvm *kvm);
void kvm_exit_stats_vm_destroy(struct kvm *kvm);
void kvm_exit_stats_create_debugfs(struct kvm *kvm);
int kvm_exit_stats_check_cap(void);
int kvm_exit_stats_enable_cap(struct kvm *kvm, struct kvm_enable_cap *cap);

void __kvm_exit_stats_count(struct kvm_exit_stats *s, u32 code);
bool __kvm_exit_stats_cpuid(struct kvm_vcpu *vcpu, u32 *eax, u32 *ebx,
			    u32 *ecx, u32 *edx);
void __kvm_exit_stats_load(struct kvm_vcpu *vcpu);
void __kvm_exit_stats_put(struct kvm_vcpu *vcpu);
void __kvm_exit_stats_away(struct kvm_vcpu *vcpu, unsigned int where,
			   bool leave);

/* Right before VM entry: charge the time KVM spent on the last exit. */
static __always_inline void kvm_exit_stats_enter(struct kvm_vcpu *vcpu)
{
	struct kvm_exit_stats *s;
	u64 now, mark;

	if (!static_branch_unlikely(&kvm_exit_stats_timing))
		return;
	s = vcpu->exit_stats;
	if (s->pending == KVM_EXIT_STATS_NO_SLOT)
		return;
	now = rdtsc();
	mark = s->mark;
	/*
	 * A TSC behind the mark (not synchronized across CPUs, or moved back
	 * under an emulator) would charge nearly 2^64: charge nothing then.
	 */
	if (likely(now > mark)) {
		s->cycles[s->pending] += now - mark;
		s->cycles_in_kvm += now - mark;
	}
	s->pending = KVM_EXIT_STATS_NO_SLOT;
}

/* Right after VM exit: the exit's time starts now. */
static __always_inline void kvm_exit_stats_stamp(struct kvm_vcpu *vcpu)
{
	if (static_branch_unlikely(&kvm_exit_stats_timing))
		vcpu->exit_stats->mark = rdtsc();
}

/* After every hardware VM exit, with the exit reason or exit code. */
static __always_inline void kvm_exit_stats_count(struct kvm_vcpu *vcpu,
						 u32 code)
{
	struct kvm_exit_stats *s;

	if (!static_branch_unlikely(&kvm_exit_stats_counting))
		return;
	s = vcpu->exit_stats;
	if (likely(code < kvm_exit_stats_direct_slots)) {
		s->count[code]++;
		s->exits++;
		s->pending = code;
	} else {
		__kvm_exit_stats_count(s, code);
	}
}

/* kvm_cpuid(): answers the exit-stats leaves if this guest may read them. */
static inline bool kvm_exit_stats_cpuid(struct kvm_vcpu *vcpu, u32 *eax,
					u32 *ebx, u32 *ecx, u32 *edx)
{
	if (!static_branch_unlikely(&kvm_exit_stats_counting))
		return false;
	/* Every CPUID exit passes here: the leaf test without a call. */
	if (*eax < KVM_EXIT_STATS_LEAF_INFO || *eax > KVM_EXIT_STATS_LEAF_TOTAL)
		return false;
	return __kvm_exit_stats_cpuid(vcpu, eax, ebx, ecx, edx);
}

/* kvm_arch_vcpu_load(): KVM has the vCPU on a CPU again. */
static inline void kvm_exit_stats_load(struct kvm_vcpu *vcpu)
{
	if (static_branch_unlikely(&kvm_exit_stats_timing))
		__kvm_exit_stats_load(vcpu);
}

/* kvm_arch_vcpu_put(): the vCPU leaves its CPU. */
static inline void kvm_exit_stats_put(struct kvm_vcpu *vcpu)
{
	if (static_branch_unlikely(&kvm_exit_stats_timing))
		__kvm_exit_stats_put(vcpu);
}

/* KVM_RUN begins (@begin) or returns to the VMM. */
static inline void kvm_exit_stats_run(struct kvm_vcpu *vcpu, bool begin)
{
	if (static_branch_unlikely(&kvm_exit_stats_timing))
		__kvm_exit_stats_away(vcpu, KVM_EXIT_STATS_VMM, !begin);
}

/* vcpu_block(): the halted vCPU waits (@begin) or is runnable again. */
static inline void kvm_exit_stats_halt(struct kvm_vcpu *vcpu, bool begin)
{
	if (static_branch_unlikely(&kvm_exit_stats_timing))
		__kvm_exit_stats_away(vcpu, KVM_EXIT_STATS_HALTED, begin);
}

#endif /* ARCH_X86_KVM_EXIT_STATS_H */
