// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-reason VM-exit accounting: slot layout, per-vCPU storage, where the
 * time after an exit goes, the CPUID leaves that let a guest read its VM's
 * figures (when the host allows it), and the host readouts (debugfs, and an
 * optional summary in the kernel log when a VM goes away).
 *
 * Reason names and numbers come from VMX_EXIT_REASONS / SVM_EXIT_REASONS;
 * whether KVM handles a reason comes from the vendor module's own exit
 * handler table, handed over when the vendor module sets up.
 */
#define pr_fmt(fmt) "kvm: " fmt

#include <linux/debugfs.h>
#include <linux/kvm_host.h>
#include <linux/module.h>
#include <linux/nospec.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/svm.h>
#include <asm/vmx.h>

#include "exit_stats.h"
#include "trace.h"

enum exit_stats_mode {
	EXIT_STATS_OFF,
	EXIT_STATS_COUNTS,
	EXIT_STATS_CYCLES,
};

static const char * const exit_stats_mode_names[] = {
	[EXIT_STATS_OFF]	= "off",
	[EXIT_STATS_COUNTS]	= "counts",
	[EXIT_STATS_CYCLES]	= "cycles",
};

/* What a guest may read, by kvm.exit_stats_guest and KVM_CAP_X86_EXIT_STATS. */
static const char * const exit_stats_guest_names[] = {
	[KVM_EXIT_STATS_GUEST_OFF]	= "off",
	[KVM_EXIT_STATS_GUEST_KERNEL]	= "kernel",
	[KVM_EXIT_STATS_GUEST_USER]	= "user",
};

/* The kinds of time away, as debugfs names them. */
static const char * const exit_stats_away_names[] = {
	[KVM_EXIT_STATS_HALTED]		= "halted",
	[KVM_EXIT_STATS_VMM]		= "vmm",
	[KVM_EXIT_STATS_PREEMPTED]	= "preempted",
	[KVM_EXIT_STATS_SLEEP]		= "sleep",
};

/*
 * Fixed at load time: the static keys and the per-vCPU layout depend on it.
 * Counts by default: no TSC read on the exit path, the least memory; the
 * time in KVM and away is there for whoever asks for it.
 */
static int exit_stats_mode = EXIT_STATS_COUNTS;
/*
 * What a VM gets that does not choose with KVM_CAP_X86_EXIT_STATS, taken
 * when the VM is created: changing it affects only VMs created later.
 */
static int exit_stats_guest = KVM_EXIT_STATS_GUEST_OFF;

/* @val as an index into @names, or -EINVAL; NULL entries are not values. */
static int exit_stats_parse(const char *val, const char * const *names,
			    unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (names[i] && sysfs_streq(val, names[i]))
			return i;
	return -EINVAL;
}

static int exit_stats_mode_set(const char *val, const struct kernel_param *kp)
{
	int i = exit_stats_parse(val, exit_stats_mode_names,
				 ARRAY_SIZE(exit_stats_mode_names));

	if (i < 0) {
		pr_err("exit_stats: '%s' is not one of off, counts, cycles\n", val);
		return i;
	}
	*(int *)kp->arg = i;
	return 0;
}

static int exit_stats_mode_get(char *buf, const struct kernel_param *kp)
{
	return sprintf(buf, "%s\n", exit_stats_mode_names[*(int *)kp->arg]);
}

static const struct kernel_param_ops exit_stats_mode_ops = {
	.set = exit_stats_mode_set,
	.get = exit_stats_mode_get,
};

module_param_cb(exit_stats, &exit_stats_mode_ops, &exit_stats_mode, 0444);
MODULE_PARM_DESC(exit_stats,
		 "Per-reason VM-exit accounting: off, counts (default) or cycles");

static int exit_stats_guest_set(const char *val, const struct kernel_param *kp)
{
	int i = exit_stats_parse(val, exit_stats_guest_names,
				 ARRAY_SIZE(exit_stats_guest_names));

	if (i < 0) {
		pr_err("exit_stats_guest: '%s' is not one of off, kernel, user\n",
		       val);
		return i;
	}
	WRITE_ONCE(*(int *)kp->arg, i);
	return 0;
}

static int exit_stats_guest_get(char *buf, const struct kernel_param *kp)
{
	return sprintf(buf, "%s\n", exit_stats_guest_names[*(int *)kp->arg]);
}

static const struct kernel_param_ops exit_stats_guest_ops = {
	.set = exit_stats_guest_set,
	.get = exit_stats_guest_get,
};

module_param_cb(exit_stats_guest, &exit_stats_guest_ops, &exit_stats_guest,
		0644);
MODULE_PARM_DESC(exit_stats_guest,
		 "Guests of VMs created from now on may read their VM's exit figures through CPUID: off (default), kernel (CPL 0) or user (any CPL); a VMM can choose per VM");

static bool exit_stats_dmesg;
module_param(exit_stats_dmesg, bool, 0644);
MODULE_PARM_DESC(exit_stats_dmesg,
		 "Log a VM's per-reason exit figures when it is destroyed");

static bool exit_stats_all;
module_param(exit_stats_all, bool, 0644);
MODULE_PARM_DESC(exit_stats_all,
		 "List reasons with no exits too in debugfs exit_stats");

DEFINE_STATIC_KEY_FALSE(kvm_exit_stats_counting);
EXPORT_SYMBOL_GPL(kvm_exit_stats_counting);
DEFINE_STATIC_KEY_FALSE(kvm_exit_stats_timing);
EXPORT_SYMBOL_GPL(kvm_exit_stats_timing);

u32 kvm_exit_stats_direct_slots __read_mostly;
EXPORT_SYMBOL_GPL(kvm_exit_stats_direct_slots);

struct exit_reason {
	u32 code;
	const char *name;
};

static const struct exit_reason vmx_reasons[] = { VMX_EXIT_REASONS };
static const struct exit_reason svm_reasons[] = { SVM_EXIT_REASONS };

/* Room for the larger handler table (SVM's ends at SVM_EXIT_VMGEXIT). */
#define EXIT_STATS_MAX_HANDLERS	2048
/* Room for the slots of either vendor (SVM: 0x00-0xa2, NPF..VMGEXIT, 2). */
#define EXIT_STATS_MAX_SLOTS	512

/* SVM codes with bit 31 set are software-defined (SEV VMGEXIT) or an error. */
#define SVM_EXIT_HW_LIMIT	0x80000000u

/*
 * Slots: [0, direct) are the codes themselves; SVM's sparse upper codes
 * (NPF...) follow as [direct, direct + high_slots); then one slot for failed
 * VM entries (VMX) or SVM_EXIT_ERR (SVM), and one for codes outside all of
 * these, so that every exit is counted somewhere.  A slot is "defined" if
 * its code is named by the kernel or handled by KVM; the other direct slots
 * (gaps in the numbering) are only read through KVM_EXIT_STATS_CODE_OTHER.
 */
static struct {
	unsigned int isa;
	const struct exit_reason *reasons;
	u32 nr_reasons;
	u32 nr_handlers;
	DECLARE_BITMAP(handled, EXIT_STATS_MAX_HANDLERS);
	DECLARE_BITMAP(defined, EXIT_STATS_MAX_SLOTS);
	u32 high_base;
	u32 high_slots;
	u32 fail_slot;
	u32 other_slot;
	u32 nr_slots;
	struct kmem_cache *cache;
	/* The vendor module shook hands: see kvm_exit_stats_setup(). */
	bool vendor_ok;
} layout __read_mostly;

/* What a guest's query of a code reads, besides a real slot. */
#define EXIT_STATS_Q_UNDEFINED	U32_MAX		/* neither named nor handled */
#define EXIT_STATS_Q_ZERO	(U32_MAX - 1)	/* defined, never a hardware exit */
#define EXIT_STATS_Q_OTHER	(U32_MAX - 2)	/* the other slot and the gaps */

static u32 exit_stats_slot(u32 code)
{
	u32 direct = kvm_exit_stats_direct_slots;

	if (layout.isa == KVM_ISA_VMX) {
		if (code & VMX_EXIT_REASONS_FAILED_VMENTRY)
			return layout.fail_slot;
		code &= 0xffff;		/* drop the flag bits 16..30 */
	} else if (code == (u32)SVM_EXIT_ERR) {
		return layout.fail_slot;
	}
	if (code < direct)
		return code;
	if (code - layout.high_base < layout.high_slots)
		return direct + code - layout.high_base;
	return layout.other_slot;
}

void __kvm_exit_stats_count(struct kvm_exit_stats *s, u32 code)
{
	u32 slot = exit_stats_slot(code);

	s->count[slot]++;
	s->exits++;
	s->pending = slot;
}
EXPORT_SYMBOL_GPL(__kvm_exit_stats_count);

/* Index of @code in the vendor's list of named reasons, or -1. */
static int exit_stats_find_reason(u32 code)
{
	u32 i;

	for (i = 0; i < layout.nr_reasons; i++)
		if (layout.reasons[i].code == code)
			return i;
	return -1;
}

/* Whether KVM's exit-handler table has a handler for @code. */
static bool exit_stats_handled(u32 code)
{
	if (code >= layout.nr_handlers)
		return false;
	code = array_index_nospec(code, layout.nr_handlers);
	return test_bit(code, layout.handled);
}

/* The code a slot stands for (U32_MAX for the other slot). */
static u32 exit_stats_slot_code(u32 slot)
{
	if (slot == layout.fail_slot)
		return layout.isa == KVM_ISA_VMX ?
			KVM_EXIT_STATS_CODE_FAILED_VMENTRY : (u32)SVM_EXIT_ERR;
	if (slot == layout.other_slot)
		return U32_MAX;
	if (slot < kvm_exit_stats_direct_slots)
		return slot;
	return layout.high_base + slot - kvm_exit_stats_direct_slots;
}

/* Name of a slot; "other" for the catch-all, NULL for a gap. */
static const char *exit_stats_slot_name(u32 slot)
{
	int i;

	if (slot == layout.other_slot)
		return "other";
	if (slot == layout.fail_slot && layout.isa == KVM_ISA_VMX)
		return "FAILED_VMENTRY";
	i = exit_stats_find_reason(exit_stats_slot_code(slot));
	if (i >= 0)
		return layout.reasons[i].name;
	/* Handled, but missing from the header's list of names. */
	return test_bit(slot, layout.defined) ? "unnamed" : NULL;
}

/* What the guest's query of @code reads: a slot or an EXIT_STATS_Q_*. */
static u32 exit_stats_query_slot(u32 code)
{
	u32 slot;

	if (code == KVM_EXIT_STATS_CODE_OTHER)
		return EXIT_STATS_Q_OTHER;
	if (layout.isa == KVM_ISA_VMX &&
	    code == KVM_EXIT_STATS_CODE_FAILED_VMENTRY)
		return layout.fail_slot;
	if (!exit_stats_handled(code) && exit_stats_find_reason(code) < 0)
		return EXIT_STATS_Q_UNDEFINED;
	/* Named or handled, so never a VMX code with flag bits. */
	slot = exit_stats_slot(code);
	/* Named software codes (SEV VMGEXIT) are never hardware exits. */
	return slot == layout.other_slot ? EXIT_STATS_Q_ZERO : slot;
}

/* Grow the direct or the high slot range so that it covers @code. */
static void exit_stats_cover(u32 code, u32 *direct, u32 *high_end)
{
	if (layout.isa == KVM_ISA_SVM && code >= SVM_EXIT_HW_LIMIT)
		return;		/* software-defined: never a hardware exit */
	if (layout.isa == KVM_ISA_VMX || code < layout.high_base)
		*direct = max(*direct, code + 1);
	else
		*high_end = max(*high_end, code + 1);
}

/* Bytes of one vCPU's figures: the header, then the arrays in use. */
static size_t exit_stats_size(void)
{
	struct kvm_exit_stats *s;
	u32 rows = 1;

	if (exit_stats_mode == EXIT_STATS_CYCLES)
		rows += 1 + KVM_EXIT_STATS_NR_AWAY;
	return struct_size(s, count, rows * layout.nr_slots);
}

/*
 * Called by the vendor module once its exit-handler table is final (the
 * last step of its hardware setup): @handlers has @nr_handlers entries,
 * NULL where KVM has no handler.  Sizes the slots from that table and the
 * kernel's list of exit reasons for the vendor, then turns accounting on.
 */
void __kvm_exit_stats_setup(unsigned int isa,
			    const kvm_exit_stats_handler_t *handlers,
			    u32 nr_handlers, size_t vcpu_size, size_t kvm_size)
{
	u32 i, direct = 0, high_end = 0;

	kvm_exit_stats_unsetup();
	if (vcpu_size != sizeof(struct kvm_vcpu) || kvm_size != sizeof(struct kvm)) {
		pr_err("exit_stats: the vendor module was built for other structs (struct kvm_vcpu %zu bytes, here %zu; struct kvm %zu, here %zu)\n",
		       vcpu_size, sizeof(struct kvm_vcpu), kvm_size,
		       sizeof(struct kvm));
		return;
	}
	layout.vendor_ok = true;
	if (exit_stats_mode == EXIT_STATS_OFF)
		return;
	if (isa == KVM_ISA_VMX) {
		layout.reasons = vmx_reasons;
		layout.nr_reasons = ARRAY_SIZE(vmx_reasons);
		layout.high_base = 0;
	} else if (isa == KVM_ISA_SVM) {
		layout.reasons = svm_reasons;
		layout.nr_reasons = ARRAY_SIZE(svm_reasons);
		layout.high_base = SVM_EXIT_NPF;
	} else {
		WARN_ONCE(1, "exit_stats: unknown isa %u\n", isa);
		return;
	}
	layout.isa = isa;

	if (WARN_ON_ONCE(nr_handlers > EXIT_STATS_MAX_HANDLERS))
		nr_handlers = EXIT_STATS_MAX_HANDLERS;
	layout.nr_handlers = nr_handlers;
	bitmap_zero(layout.handled, EXIT_STATS_MAX_HANDLERS);
	for (i = 0; i < nr_handlers; i++) {
		if (!handlers[i])
			continue;
		__set_bit(i, layout.handled);
		exit_stats_cover(i, &direct, &high_end);
	}
	for (i = 0; i < layout.nr_reasons; i++)
		exit_stats_cover(layout.reasons[i].code, &direct, &high_end);
	layout.high_slots = high_end ? high_end - layout.high_base : 0;
	layout.fail_slot = direct + layout.high_slots;
	layout.other_slot = layout.fail_slot + 1;
	layout.nr_slots = layout.other_slot + 1;
	if (WARN_ON_ONCE(layout.nr_slots > EXIT_STATS_MAX_SLOTS))
		return;
	kvm_exit_stats_direct_slots = direct;

	bitmap_zero(layout.defined, EXIT_STATS_MAX_SLOTS);
	for (i = 0; i < layout.fail_slot; i++) {
		u32 code = exit_stats_slot_code(i);

		if (exit_stats_handled(code) || exit_stats_find_reason(code) >= 0)
			__set_bit(i, layout.defined);
	}

	/* A cache of its own: each vCPU's figures take their exact size. */
	layout.cache = kmem_cache_create("kvm_exit_stats", exit_stats_size(),
					 0, SLAB_ACCOUNT, NULL);
	if (!layout.cache) {
		pr_warn("exit_stats: no memory for the accounting, it stays off\n");
		return;
	}
	static_branch_enable(&kvm_exit_stats_counting);
	if (exit_stats_mode == EXIT_STATS_CYCLES)
		static_branch_enable(&kvm_exit_stats_timing);
}
EXPORT_SYMBOL_GPL(__kvm_exit_stats_setup);

/*
 * Right after the vendor module's hardware setup: refuse a vendor module
 * that did not shake hands.  One built without this change allocates its
 * vCPUs with the stock struct kvm_vcpu inside, whose end is the vendor's
 * next field, not exit_stats: accounting on it would corrupt memory, and
 * freeing it would free a foreign pointer.  Checked in every mode.
 */
int kvm_exit_stats_check_vendor(const char *name)
{
	if (layout.vendor_ok)
		return 0;
	pr_err("%s was built without per-reason exit accounting, or for another kvm.ko: refused. Load the %s module built with this kvm.ko (modprobe %s finds it in updates/), or unload this kvm.ko to use the distribution's\n",
	       name, name, name);
	return -ENOEXEC;
}

/*
 * Undo kvm_exit_stats_setup(): when the vendor module goes away, or its
 * setup fails after the handover.  No vCPU exists at that point.
 */
void kvm_exit_stats_unsetup(void)
{
	layout.vendor_ok = false;
	static_branch_disable(&kvm_exit_stats_timing);
	static_branch_disable(&kvm_exit_stats_counting);
	kmem_cache_destroy(layout.cache);
	layout.cache = NULL;
}

int kvm_exit_stats_vcpu_create(struct kvm_vcpu *vcpu)
{
	struct kvm_exit_stats *s;
	u32 n = layout.nr_slots;

	if (!static_branch_unlikely(&kvm_exit_stats_counting))
		return 0;
	s = kmem_cache_zalloc(layout.cache, GFP_KERNEL_ACCOUNT);
	if (!s)
		return -ENOMEM;
	s->pending = KVM_EXIT_STATS_NO_SLOT;
	/* Until its first KVM_RUN the vCPU is the VMM's. */
	s->where = KVM_EXIT_STATS_VMM;
	if (static_branch_unlikely(&kvm_exit_stats_timing)) {
		s->cycles = s->count + n;
		s->away = s->cycles + n;
	}
	vcpu->exit_stats = s;
	return 0;
}

void kvm_exit_stats_vcpu_destroy(struct kvm_vcpu *vcpu)
{
	if (vcpu->exit_stats)
		kmem_cache_free(layout.cache, vcpu->exit_stats);
	vcpu->exit_stats = NULL;
}

/*
 * The time since the mark goes to the pending exit's row @away (or its time
 * in KVM, for KVM_EXIT_STATS_IN_KVM); the next interval starts now.
 */
static void exit_stats_charge(struct kvm_exit_stats *s, unsigned int away)
{
	u64 now = rdtsc(), d = now > s->mark ? now - s->mark : 0;

	s->mark = now;
	if (s->pending == KVM_EXIT_STATS_NO_SLOT)
		return;
	if (away == KVM_EXIT_STATS_IN_KVM) {
		s->cycles[s->pending] += d;
		s->cycles_in_kvm += d;
	} else {
		s->away[away * layout.nr_slots + s->pending] += d;
	}
}

/*
 * KVM lets the vCPU go (@leave: KVM_RUN returns, the vCPU halts) to @where,
 * or takes it back from there.  Halted and in the VMM, the vCPU may also be
 * scheduled out and in: that stays halted or in the VMM.
 */
void __kvm_exit_stats_away(struct kvm_vcpu *vcpu, unsigned int where,
			   bool leave)
{
	struct kvm_exit_stats *s = vcpu->exit_stats;

	if (!s)
		return;
	/*
	 * The run and halt hooks come here preemptible.  A preemption between
	 * the TSC read and the new mark would run the put/load hooks in the
	 * middle, and both would charge the same interval: no switch in here.
	 */
	preempt_disable();
	if (leave && s->where == KVM_EXIT_STATS_IN_KVM) {
		exit_stats_charge(s, KVM_EXIT_STATS_IN_KVM);
		s->where = where;
	} else if (!leave && s->where == where) {
		exit_stats_charge(s, where);
		s->where = KVM_EXIT_STATS_IN_KVM;
	}
	preempt_enable();
}
EXPORT_SYMBOL_GPL(__kvm_exit_stats_away);

/*
 * Scheduled out while handling an exit: kvm_sched_out() has set
 * "preempted" for a task still runnable; any other sleep is the host's (a
 * page fault waiting for I/O, a contended lock).  Also called by
 * vcpu_put() where the vCPU is already away, which changes nothing.
 */
void __kvm_exit_stats_put(struct kvm_vcpu *vcpu)
{
	__kvm_exit_stats_away(vcpu, READ_ONCE(vcpu->preempted) ?
			      KVM_EXIT_STATS_PREEMPTED : KVM_EXIT_STATS_SLEEP,
			      true);
}
EXPORT_SYMBOL_GPL(__kvm_exit_stats_put);

/* Back on a CPU: from preemption or a sleep, KVM handles the exit again. */
void __kvm_exit_stats_load(struct kvm_vcpu *vcpu)
{
	struct kvm_exit_stats *s = vcpu->exit_stats;

	if (s && (s->where == KVM_EXIT_STATS_PREEMPTED ||
		  s->where == KVM_EXIT_STATS_SLEEP))
		__kvm_exit_stats_away(vcpu, s->where, false);
}
EXPORT_SYMBOL_GPL(__kvm_exit_stats_load);

static u64 exit_stats_read(const u64 *v)
{
	/*
	 * Another vCPU's figure, read while that vCPU may be adding to it:
	 * a reader may see it one exit old, never torn (aligned u64).
	 */
	return data_race(READ_ONCE(*v));
}

/* The figures of one slot summed over the VM's vCPUs. */
struct exit_stats_sum {
	u64 count, cycles, away[KVM_EXIT_STATS_NR_AWAY];
};

static void exit_stats_add_slot(struct exit_stats_sum *sum,
				const struct kvm_exit_stats *s, u32 slot)
{
	unsigned int k;

	sum->count += exit_stats_read(&s->count[slot]);
	if (!s->cycles)
		return;
	sum->cycles += exit_stats_read(&s->cycles[slot]);
	for (k = 0; k < KVM_EXIT_STATS_NR_AWAY; k++)
		sum->away[k] += exit_stats_read(&s->away[k * layout.nr_slots + slot]);
}

/* All figures of @slot over the VM's vCPUs, for the host's readouts. */
static void exit_stats_sum(struct kvm *kvm, u32 slot, struct exit_stats_sum *sum)
{
	struct kvm_vcpu *vcpu;
	unsigned long i;

	memset(sum, 0, sizeof(*sum));
	kvm_for_each_vcpu(i, vcpu, kvm)
		if (vcpu->exit_stats)
			exit_stats_add_slot(sum, vcpu->exit_stats, slot);
}

/* A guest's query of @slot: its exits, or its cycles in KVM; O(vCPUs). */
static u64 exit_stats_query_slot_sum(struct kvm *kvm, u32 slot, bool cycles)
{
	const struct kvm_exit_stats *s;
	struct kvm_vcpu *vcpu;
	unsigned long i;
	u64 sum = 0;

	kvm_for_each_vcpu(i, vcpu, kvm) {
		s = vcpu->exit_stats;
		if (!s || (cycles && !s->cycles))
			continue;
		sum += exit_stats_read(cycles ? &s->cycles[slot] : &s->count[slot]);
	}
	return sum;
}

/* The same for KVM_EXIT_STATS_CODE_OTHER: the other slot and every gap. */
static u64 exit_stats_query_other_sum(struct kvm *kvm, bool cycles)
{
	u64 sum = exit_stats_query_slot_sum(kvm, layout.other_slot, cycles);
	u32 gap;

	for_each_clear_bit(gap, layout.defined, layout.fail_slot)
		sum += exit_stats_query_slot_sum(kvm, gap, cycles);
	return sum;
}

/* All exits and their cycles in KVM: O(vCPUs), from the running sums. */
static void exit_stats_total(struct kvm *kvm, u64 *count, u64 *cycles)
{
	struct kvm_vcpu *vcpu;
	unsigned long i;

	*count = 0;
	*cycles = 0;
	kvm_for_each_vcpu(i, vcpu, kvm) {
		if (!vcpu->exit_stats)
			continue;
		*count += exit_stats_read(&vcpu->exit_stats->exits);
		*cycles += exit_stats_read(&vcpu->exit_stats->cycles_in_kvm);
	}
}

/* Whether this guest, at its current privilege level, may read the leaves. */
static bool exit_stats_guest_allowed(struct kvm_vcpu *vcpu)
{
	/* Fixed before the first vCPU existed: see kvm_exit_stats_enable_cap(). */
	int guest = vcpu->kvm->exit_stats_guest;

	if (guest == KVM_EXIT_STATS_GUEST_USER)
		return true;
	return guest == KVM_EXIT_STATS_GUEST_KERNEL &&
	       static_call(kvm_x86_get_cpl)(vcpu) == 0;
}

/*
 * The guest's view (ECX is any guest-chosen u32), see <asm/kvm_exit_stats.h>.
 * Returns false, leaving the registers alone, for other leaves and when this
 * guest may not read the figures: CPUID then answers as stock KVM does.
 */
bool __kvm_exit_stats_cpuid(struct kvm_vcpu *vcpu, u32 *eax, u32 *ebx,
			    u32 *ecx, u32 *edx)
{
	u32 leaf = *eax, slot;
	u64 count, cycles;

	if (leaf < KVM_EXIT_STATS_LEAF_INFO || leaf > KVM_EXIT_STATS_LEAF_TOTAL)
		return false;
	if (!vcpu->exit_stats || !exit_stats_guest_allowed(vcpu))
		return false;

	if (leaf == KVM_EXIT_STATS_LEAF_INFO) {
		*eax = KVM_EXIT_STATS_LEAF_TOTAL;
		*ebx = KVM_EXIT_STATS_SIG_EBX;
		*ecx = KVM_EXIT_STATS_SIG_ECX;
		*edx = KVM_EXIT_STATS_ABI_VERSION |
		       (vcpu->exit_stats->cycles ? KVM_EXIT_STATS_INFO_CYCLES : 0);
		return true;
	}

	slot = leaf == KVM_EXIT_STATS_LEAF_TOTAL ? 0 : exit_stats_query_slot(*ecx);
	*eax = *ebx = *ecx = *edx = 0;
	if (leaf == KVM_EXIT_STATS_LEAF_TOTAL) {
		exit_stats_total(vcpu->kvm, &count, &cycles);
		*eax = lower_32_bits(count);
		*edx = upper_32_bits(count);
		*ebx = upper_32_bits(cycles);
		*ecx = lower_32_bits(cycles);
		return true;
	}
	if (slot == EXIT_STATS_Q_UNDEFINED) {
		*edx = KVM_EXIT_STATS_UNDEFINED;
		return true;
	}
	if (slot == EXIT_STATS_Q_ZERO)
		return true;
	if (slot == EXIT_STATS_Q_OTHER) {
		count = exit_stats_query_other_sum(vcpu->kvm,
						   leaf == KVM_EXIT_STATS_LEAF_CYCLES);
	} else {
		/* The slot derives from a guest value: no speculation past it. */
		slot = array_index_nospec(slot, layout.nr_slots);
		count = exit_stats_query_slot_sum(vcpu->kvm, slot,
						  leaf == KVM_EXIT_STATS_LEAF_CYCLES);
	}
	if (leaf == KVM_EXIT_STATS_LEAF_COUNT) {
		*eax = lower_32_bits(count);
		*ebx = upper_32_bits(count);
	} else {
		*ebx = upper_32_bits(count);
		*ecx = lower_32_bits(count);
	}
	return true;
}
EXPORT_SYMBOL_GPL(__kvm_exit_stats_cpuid);

int kvm_exit_stats_check_cap(void)
{
	if (!static_branch_unlikely(&kvm_exit_stats_counting))
		return 0;
	return KVM_EXIT_STATS_HAS_COUNTS |
	       (static_branch_unlikely(&kvm_exit_stats_timing) ?
		KVM_EXIT_STATS_HAS_CYCLES : 0);
}

/* A new VM takes kvm.exit_stats_guest as it is now. */
void kvm_exit_stats_vm_init(struct kvm *kvm)
{
	kvm->exit_stats_guest = READ_ONCE(exit_stats_guest);
}

/*
 * KVM_ENABLE_CAP(KVM_CAP_X86_EXIT_STATS): args[0] is a GUEST_* value, the
 * other arguments are reserved.  Only before the first vCPU, under
 * kvm->lock as kvm_vm_ioctl_create_vcpu() counts them: a guest's view of
 * the leaves never changes while it runs.
 */
int kvm_exit_stats_enable_cap(struct kvm *kvm, struct kvm_enable_cap *cap)
{
	u64 guest = cap->args[0];
	int r = 0;

	if (!kvm_exit_stats_check_cap() || cap->flags || cap->args[1] ||
	    cap->args[2] || cap->args[3] || guest > KVM_EXIT_STATS_GUEST_USER)
		return -EINVAL;
	if (guest == KVM_EXIT_STATS_GUEST_DEFAULT)
		guest = READ_ONCE(exit_stats_guest);
	mutex_lock(&kvm->lock);
	if (kvm->created_vcpus)
		r = -EBUSY;
	else
		kvm->exit_stats_guest = guest;
	mutex_unlock(&kvm->lock);
	return r;
}

static void exit_stats_print_code(struct seq_file *m, u32 slot)
{
	u32 code = exit_stats_slot_code(slot);

	if (slot == layout.other_slot)
		seq_printf(m, "%10s", "other");
	else if (layout.isa == KVM_ISA_VMX && slot != layout.fail_slot)
		seq_printf(m, "%10u", code);
	else
		seq_printf(m, "%#10x", code);
}

static int exit_stats_show(struct seq_file *m, void *v)
{
	struct exit_stats_sum sum, all = { 0 };
	struct kvm *kvm = m->private;
	const char *name;
	unsigned int k;
	u32 slot;

	for (slot = 0; slot < layout.nr_slots; slot++) {
		exit_stats_sum(kvm, slot, &sum);
		all.count += sum.count;
		all.cycles += sum.cycles;
		for (k = 0; k < KVM_EXIT_STATS_NR_AWAY; k++)
			all.away[k] += sum.away[k];
	}
	seq_printf(m, "# isa %s mode %s exits %llu cycles %llu",
		   layout.isa == KVM_ISA_VMX ? "vmx" : "svm",
		   exit_stats_mode_names[exit_stats_mode], all.count, all.cycles);
	for (k = 0; k < KVM_EXIT_STATS_NR_AWAY; k++)
		seq_printf(m, " %s %llu", exit_stats_away_names[k], all.away[k]);
	seq_printf(m, "\n# %8s %-24s %14s %20s", "reason", "name", "count",
		   "cycles");
	for (k = 0; k < KVM_EXIT_STATS_NR_AWAY; k++)
		seq_printf(m, " %20s", exit_stats_away_names[k]);
	seq_puts(m, "\n");
	for (slot = 0; slot < layout.nr_slots; slot++) {
		exit_stats_sum(kvm, slot, &sum);
		name = exit_stats_slot_name(slot);
		/* Gaps are listed only if they somehow occurred. */
		if (!sum.count && (!exit_stats_all || !name))
			continue;
		exit_stats_print_code(m, slot);
		seq_printf(m, " %-24s %14llu %20llu", name ?: "undefined",
			   sum.count, sum.cycles);
		for (k = 0; k < KVM_EXIT_STATS_NR_AWAY; k++)
			seq_printf(m, " %20llu", sum.away[k]);
		seq_puts(m, "\n");
	}
	return 0;
}

static int exit_stats_open(struct inode *inode, struct file *file)
{
	struct kvm *kvm = inode->i_private;
	int r;

	/* The VM may be on its way out; hold it while the file is open. */
	if (!kvm_get_kvm_safe(kvm))
		return -ENOENT;
	r = single_open(file, exit_stats_show, kvm);
	if (r)
		kvm_put_kvm(kvm);
	return r;
}

static int exit_stats_release(struct inode *inode, struct file *file)
{
	kvm_put_kvm(inode->i_private);
	return single_release(inode, file);
}

static const struct file_operations exit_stats_fops = {
	.owner		= THIS_MODULE,
	.open		= exit_stats_open,
	.read		= seq_read,
	.llseek		= seq_lseek,
	.release	= exit_stats_release,
};

void kvm_exit_stats_create_debugfs(struct kvm *kvm)
{
	if (static_branch_unlikely(&kvm_exit_stats_counting))
		debugfs_create_file("exit_stats", 0444, kvm->debugfs_dentry,
				    kvm, &exit_stats_fops);
}

/* The seed's "print from dmesg": one line per reason, once per VM. */
void kvm_exit_stats_vm_destroy(struct kvm *kvm)
{
	struct exit_stats_sum sum;
	u64 count, cycles;
	const char *name;
	u32 slot;

	if (!exit_stats_dmesg || !static_branch_unlikely(&kvm_exit_stats_counting))
		return;
	exit_stats_total(kvm, &count, &cycles);
	pr_info("exit stats of VM of pid %d: %llu exits, %llu cycles in KVM\n",
		kvm->userspace_pid, count, cycles);
	for (slot = 0; slot < layout.nr_slots; slot++) {
		exit_stats_sum(kvm, slot, &sum);
		if (!sum.count)
			continue;
		name = exit_stats_slot_name(slot);
		pr_info("  reason %#x %s: %llu exits, %llu cycles in KVM, %llu halted, %llu in the VMM, %llu preempted, %llu sleeping\n",
			exit_stats_slot_code(slot), name ?: "undefined", sum.count,
			sum.cycles, sum.away[KVM_EXIT_STATS_HALTED],
			sum.away[KVM_EXIT_STATS_VMM],
			sum.away[KVM_EXIT_STATS_PREEMPTED],
			sum.away[KVM_EXIT_STATS_SLEEP]);
	}
}
