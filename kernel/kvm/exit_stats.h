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
 * kvm.exit_stats asks for accounting, so with "off" each costs a NOP.  Two
 * run on every exit: kvm_exit_stats_count() after it, kvm_exit_stats_enter()
 * before the next entry.
 */
#ifndef ARCH_X86_KVM_EXIT_STATS_H
#define ARCH_X86_KVM_EXIT_STATS_H

#include <linux/cache.h>
#include <linux/jump_label.h>
#include <linux/kvm_host.h>
#include <linux/math64.h>
#include <asm/msr.h>
#include <asm/kvm_exit_stats.h>

#include "x86.h"

#define KVM_EXIT_STATS_NO_SLOT		U32_MAX

/*
 * Where a vCPU's figures and a VM's guest setting live: last in struct
 * kvm_vcpu and struct kvm, hidden from genksyms, so that kvm.ko keeps the
 * distribution kernel's kABI (see include/linux/kvm_host.h).
 */
#define vcpu_exit_stats(vcpu)		((vcpu)->exit_stats)
#define kvm_exit_stats_guest(kvm)	((kvm)->exit_stats_guest)

/*
 * Every exit finds its slot in kvm_exit_stats_map[], inline, at its code's
 * low 11 bits: VMX's basic exit reasons without the flag bits 16..31 (bit
 * 31, a failed VM entry, comes only with the basic reasons 33, 34 and 41,
 * "VM-entry failure due to ...", which share the FAILED_VMENTRY slot),
 * SVM's codes up to VMGEXIT (0x403), and SVM_EXIT_ERR (-1) at 0x7ff.  No
 * branch, no call, for any exit.  Neither vendor defines codes past 0x7ff.
 */
#define KVM_EXIT_STATS_MAP_SIZE		0x800

/* Where a vCPU is that is neither in the guest nor handling an exit. */
enum kvm_exit_stats_away {
	KVM_EXIT_STATS_HALTED,		/* in vcpu_block(): HLT, polling too */
	KVM_EXIT_STATS_VMM,		/* KVM_RUN returned to userspace */
	KVM_EXIT_STATS_PREEMPTED,	/* scheduled out while runnable */
	KVM_EXIT_STATS_SLEEP,		/* scheduled out, waiting in the host */
	KVM_EXIT_STATS_NR_AWAY,
	KVM_EXIT_STATS_IN_KVM = KVM_EXIT_STATS_NR_AWAY,
	/* Preempted while halted: preempted, then halted again. */
	KVM_EXIT_STATS_HALT_PREEMPTED,
};

/*
 * Per-vCPU figures.  Written only by the vCPU's own thread, so plain u64s
 * without atomics; readers on other CPUs may see a figure one exit old.
 * One cache-aligned allocation per vCPU (no line shared with another
 * vCPU's): this header, whose fields an exit writes share its first line,
 * then fig[] from the next line.  fig[] holds one u64 per slot (the count)
 * in counts mode, two side by side in cycles mode (the count, then the
 * cycles in KVM), so that an exit writes the header's line and one line of
 * fig[].  kvm_exit_stats_map[] gives a code's index into fig[] directly.
 * In cycles mode the time away follows fig[]: struct kvm_exit_stats_away_table.
 */
struct kvm_exit_stats {
	u64 exits;		/* the sum of the counts */
	u32 pending;		/* fig[] index of the last exit, until the next entry */
	u8 where;		/* IN_KVM, HALT_PREEMPTED or the kind of away */
	/*
	 * TSC when the current interval began; 0 after an exit: then it is
	 * the TSC KVM itself reads after every exit, for last_guest_tsc
	 * (kvm_exit_stats_exit_tsc()), so that cycles add one TSC read.
	 */
	u64 mark;
	u64 entered;		/* TSC of the last VM entry */
	u64 cycles_in_kvm;	/* the sum of the cycles */
	struct kvm_exit_stats_away_table *away;	/* NULL unless timing */
	u64 fig[] ____cacheline_aligned;
};

/*
 * Time away per exit reason and kind, kept sparse: a vCPU goes away after
 * few reasons (HLT, I/O, the exits it is preempted on), so a small table
 * keyed by (fig[] index, kind) holds them instead of four u64s per slot.
 * What finds no free row is kept per kind in overflow[] and shown in the
 * "other" row: counted, never lost.
 */
#define KVM_EXIT_STATS_AWAY_ROWS	16
struct kvm_exit_stats_away_table {
	struct {
		u32 key;	/* (index << 2 | kind) + 1; 0: free */
		u64 cycles;
	} row[KVM_EXIT_STATS_AWAY_ROWS];
	u64 overflow[KVM_EXIT_STATS_NR_AWAY];
};

DECLARE_STATIC_KEY_FALSE(kvm_exit_stats_counting);
DECLARE_STATIC_KEY_FALSE(kvm_exit_stats_timing);

/* A code's fig[] index, for codes below KVM_EXIT_STATS_MAP_SIZE. */
extern u8 kvm_exit_stats_map[KVM_EXIT_STATS_MAP_SIZE];

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

bool __kvm_exit_stats_cpuid(struct kvm_vcpu *vcpu, u32 *eax, u32 *ebx,
			    u32 *ecx, u32 *edx);
void __kvm_exit_stats_load(struct kvm_vcpu *vcpu);
void __kvm_exit_stats_put(struct kvm_vcpu *vcpu);
void __kvm_exit_stats_away(struct kvm_vcpu *vcpu, unsigned int where,
			   bool leave);

/*
 * The host TSC KVM read after the last exit, from the guest TSC it made of
 * it (vcpu_enter_guest(): last_guest_tsc = kvm_read_l1_tsc(vcpu, rdtsc())):
 * KVM's read is reused, not repeated.  Exact without TSC scaling; with it,
 * within the rounding of the ratio.  Only ever asked between an exit and
 * the next entry; what may change last_guest_tsc or the offset there (a
 * clock update, a TSC write) first takes the mark
 * (kvm_exit_stats_tsc_change()).  Inline, without a call: the entry hook
 * must not make its function save registers.
 */
static __always_inline u64 kvm_exit_stats_exit_tsc(struct kvm_vcpu *vcpu)
{
	u64 tsc = vcpu->arch.last_guest_tsc - vcpu->arch.l1_tsc_offset;
	u64 ratio = vcpu->arch.l1_tsc_scaling_ratio;
	u8 frac = kvm_caps.tsc_scaling_ratio_frac_bits;

	if (unlikely(ratio != kvm_caps.default_tsc_scaling_ratio && ratio && frac)) {
		/*
		 * @tsc read with the offset of the read after the exit is the
		 * scaled host TSC and fits; should a stale offset ever make it
		 * wrap to near 2^64, scaling it up for a guest slower than the
		 * host would not fit, and the division would fault (#DE) in
		 * the host.  Such an exit is not timed: 0 is before any entry.
		 */
		if (tsc >> (64 - frac) >= ratio)
			return 0;
		tsc = mul_u64_u64_div_u64(tsc, kvm_caps.default_tsc_scaling_ratio, ratio);
	}
	return tsc;
}

/* Where the time of the exit pending began (see struct kvm_exit_stats). */
static __always_inline u64 kvm_exit_stats_mark(struct kvm_vcpu *vcpu,
					       struct kvm_exit_stats *s)
{
	return s->mark ?: kvm_exit_stats_exit_tsc(vcpu);
}

/*
 * Before KVM moves the guest's TSC offset (kvm_vcpu_write_tsc_offset(): a
 * TSC write, catch-up) or rewrites last_guest_tsc (kvm_guest_time_update()):
 * the exit pending still has its mark in last_guest_tsc; take it now.  On
 * clock updates and TSC writes only, never on the exit path, so that the
 * exit path keeps two hook sites.
 */
static inline void kvm_exit_stats_tsc_change(struct kvm_vcpu *vcpu)
{
	struct kvm_exit_stats *s;

	if (!static_branch_unlikely(&kvm_exit_stats_timing))
		return;
	s = vcpu_exit_stats(vcpu);
	/* Also called while the vCPU is made, before its figures are. */
	if (s && s->pending != KVM_EXIT_STATS_NO_SLOT && !s->mark)
		s->mark = kvm_exit_stats_exit_tsc(vcpu);
}

/* Right before VM entry: charge the time KVM spent on the last exit. */
static __always_inline void kvm_exit_stats_enter(struct kvm_vcpu *vcpu)
{
	struct kvm_exit_stats *s;
	u64 now, mark;

	if (!static_branch_unlikely(&kvm_exit_stats_timing))
		return;
	s = vcpu_exit_stats(vcpu);
	now = rdtsc();
	if (s->pending != KVM_EXIT_STATS_NO_SLOT) {
		mark = kvm_exit_stats_mark(vcpu, s);
		/*
		 * A mark before the last entry is no exit's: KVM's read is
		 * older (the fastpath re-entered the guest without it), and
		 * a TSC behind the mark (not synchronized across CPUs, or
		 * moved back under an emulator) would charge nearly 2^64.
		 * Charge nothing then.
		 */
		if (likely(now > mark && mark > s->entered)) {
			s->fig[s->pending + 1] += now - mark;
			s->cycles_in_kvm += now - mark;
		}
		s->pending = KVM_EXIT_STATS_NO_SLOT;
	}
	s->entered = now;
}

/*
 * After every hardware VM exit, with where its exit reason or exit code
 * is: count it, and in cycles mode make it the pending exit, whose time in
 * KVM starts at KVM's own TSC read for last_guest_tsc, after the vendor's
 * post-exit work (so cycles mode adds one TSC read per exit, the entry's,
 * and no hook there).  One hook for both, so that the default mode adds
 * one NOP site (the entry's) besides this one.  The code
 * is read through @code inside the hook, so that with accounting off the
 * compiler has no reason to load it on the way.
 */
static __always_inline void kvm_exit_stats_count(struct kvm_vcpu *vcpu,
						 const u32 *code)
{
	struct kvm_exit_stats *s;
	unsigned long i;

	if (!static_branch_unlikely(&kvm_exit_stats_counting))
		return;
	s = vcpu_exit_stats(vcpu);
	i = kvm_exit_stats_map[READ_ONCE(*code) & (KVM_EXIT_STATS_MAP_SIZE - 1)];
	s->fig[i]++;
	s->exits++;
	/* KVM reads the TSC after the exit: its time begins there. */
	if (static_branch_unlikely(&kvm_exit_stats_timing)) {
		s->pending = i;
		s->mark = 0;
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
