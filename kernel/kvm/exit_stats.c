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
#include "x86.h"

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

u8 kvm_exit_stats_map[KVM_EXIT_STATS_MAP_SIZE] __read_mostly;
EXPORT_SYMBOL_GPL(kvm_exit_stats_map);

struct exit_reason {
	u32 code;
	const char *name;
};

static const struct exit_reason vmx_reasons[] = { VMX_EXIT_REASONS };
static const struct exit_reason svm_reasons[] = { SVM_EXIT_REASONS };

/* Room for the larger handler table (SVM's ends at SVM_EXIT_VMGEXIT). */
#define EXIT_STATS_MAX_HANDLERS	2048
/*
 * Slots a map entry (a u8 fig[] index, two per slot in cycles mode) can
 * reach; VMX has 64 today, SVM 96.
 */
#define EXIT_STATS_MAX_SLOTS	127

/*
 * Slots are dense: one per code the kernel names or KVM handles (below
 * KVM_EXIT_STATS_MAP_SIZE, and SVM_EXIT_ERR), in code order, then "other"
 * for every code without a slot of its own (a gap in the numbering, a code
 * newer than this kernel), so that every exit is counted somewhere and the
 * "other" row is one slot.  code_of[] names each slot's code;
 * kvm_exit_stats_map[] maps a code's low bits to its slot's fig[] index
 * (slot * stride), gaps to the other slot's.
 */
static struct {
	unsigned int isa;
	const struct exit_reason *reasons;
	u32 nr_reasons;
	u32 nr_handlers;
	DECLARE_BITMAP(handled, EXIT_STATS_MAX_HANDLERS);
	u32 code_of[EXIT_STATS_MAX_SLOTS];
	u32 other_slot;
	u32 nr_slots;
	u32 stride;		/* u64s of fig[] per slot: 1, or 2 with cycles */
	struct kmem_cache *cache;
	/* The vendor module shook hands: see kvm_exit_stats_setup(). */
	bool vendor_ok;
} layout __read_mostly;

/* What a guest's query of a code reads, besides a real slot. */
#define EXIT_STATS_Q_UNDEFINED	U32_MAX		/* neither named nor handled */
#define EXIT_STATS_Q_ZERO	(U32_MAX - 1)	/* defined, never a hardware exit */

/* Where kvm_exit_stats_map[] has @code: its low bits (see exit_stats.h). */
static u32 exit_stats_map_index(u32 code)
{
	return code & (KVM_EXIT_STATS_MAP_SIZE - 1);
}

/* The slot of a hardware exit's code, as kvm_exit_stats_count() finds it. */
static u32 exit_stats_slot(u32 code)
{
	return kvm_exit_stats_map[exit_stats_map_index(code)] / layout.stride;
}

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

static bool exit_stats_defined(u32 code)
{
	return exit_stats_handled(code) || exit_stats_find_reason(code) >= 0;
}

/* VMX's basic reasons that only ever come as failed VM entries. */
static bool exit_stats_vmentry_failure(u32 code)
{
	return code == EXIT_REASON_INVALID_STATE ||
	       code == EXIT_REASON_MSR_LOAD_FAIL ||
	       code == EXIT_REASON_MCE_DURING_VMENTRY;
}

/* The code a slot stands for, KVM_EXIT_STATS_CODE_OTHER for the other slot. */
static u32 exit_stats_slot_code(u32 slot)
{
	return slot == layout.other_slot ? KVM_EXIT_STATS_CODE_OTHER : layout.code_of[slot];
}

/* Name of a slot; "other" for the catch-all. */
static const char *exit_stats_slot_name(u32 slot)
{
	int i;

	if (slot == layout.other_slot)
		return "other";
	if (exit_stats_slot_code(slot) == KVM_EXIT_STATS_CODE_FAILED_VMENTRY)
		return "FAILED_VMENTRY";
	i = exit_stats_find_reason(exit_stats_slot_code(slot));
	/* Handled, but missing from the header's list of names. */
	return i >= 0 ? layout.reasons[i].name : "unnamed";
}

/* What the guest's query of @code reads: a slot or an EXIT_STATS_Q_*. */
static u32 exit_stats_query_slot(u32 code)
{
	if (code == KVM_EXIT_STATS_CODE_OTHER)
		return layout.other_slot;
	if (layout.isa == KVM_ISA_VMX) {
		if (code == KVM_EXIT_STATS_CODE_FAILED_VMENTRY)
			return exit_stats_slot(EXIT_REASON_INVALID_STATE);
		/* Named, but only ever a failed entry: that row has them. */
		if (exit_stats_vmentry_failure(code))
			return EXIT_STATS_Q_ZERO;
	}
	if (!exit_stats_defined(code))
		return EXIT_STATS_Q_UNDEFINED;
	/* Named or handled: in the map, or a named software code. */
	if (code >= KVM_EXIT_STATS_MAP_SIZE && code != (u32)SVM_EXIT_ERR)
		return EXIT_STATS_Q_ZERO;	/* SEV VMGEXIT codes: no exits */
	return exit_stats_slot(code);
}

/* Bytes of one vCPU's figures: the header, fig[], the time away. */
static size_t exit_stats_size(void)
{
	struct kvm_exit_stats *s;
	size_t n = struct_size(s, fig, layout.stride * layout.nr_slots);

	if (exit_stats_mode == EXIT_STATS_CYCLES)
		n += sizeof(struct kvm_exit_stats_away_table);
	return n;
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
	u32 code, slot = 0;

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
	} else if (isa == KVM_ISA_SVM) {
		layout.reasons = svm_reasons;
		layout.nr_reasons = ARRAY_SIZE(svm_reasons);
	} else {
		WARN_ONCE(1, "exit_stats: unknown isa %u\n", isa);
		return;
	}
	layout.isa = isa;
	layout.stride = exit_stats_mode == EXIT_STATS_CYCLES ? 2 : 1;

	if (WARN_ON_ONCE(nr_handlers > EXIT_STATS_MAX_HANDLERS))
		nr_handlers = EXIT_STATS_MAX_HANDLERS;
	layout.nr_handlers = nr_handlers;
	bitmap_zero(layout.handled, EXIT_STATS_MAX_HANDLERS);
	for (code = 0; code < nr_handlers; code++)
		if (handlers[code])
			__set_bit(code, layout.handled);

	/*
	 * A slot per defined code of the map's range, and SVM_EXIT_ERR at
	 * its low bits (no SVM code lives there); the rest map to other.
	 */
	for (code = 0; code < KVM_EXIT_STATS_MAP_SIZE; code++) {
		if (isa == KVM_ISA_SVM && code == exit_stats_map_index(SVM_EXIT_ERR))
			continue;
		/* VMX's entry failures: one FAILED_VMENTRY slot, at the first. */
		if (isa == KVM_ISA_VMX && exit_stats_vmentry_failure(code) &&
		    code != EXIT_REASON_INVALID_STATE)
			continue;
		if (!exit_stats_defined(code))
			continue;
		if (WARN_ON_ONCE(slot + 2 > EXIT_STATS_MAX_SLOTS))
			return;
		if (isa == KVM_ISA_VMX && code == EXIT_REASON_INVALID_STATE)
			code = KVM_EXIT_STATS_CODE_FAILED_VMENTRY;
		layout.code_of[slot++] = code;
		if (code == KVM_EXIT_STATS_CODE_FAILED_VMENTRY)
			code = EXIT_REASON_INVALID_STATE;	/* go on from there */
	}
	if (isa == KVM_ISA_SVM)
		layout.code_of[slot++] = (u32)SVM_EXIT_ERR;
	layout.other_slot = slot;
	layout.nr_slots = slot + 1;
	memset(kvm_exit_stats_map, layout.other_slot * layout.stride,
	       sizeof(kvm_exit_stats_map));
	for (slot = 0; slot < layout.other_slot; slot++) {
		code = layout.code_of[slot];
		if (code == KVM_EXIT_STATS_CODE_FAILED_VMENTRY) {
			kvm_exit_stats_map[EXIT_REASON_INVALID_STATE] = slot * layout.stride;
			kvm_exit_stats_map[EXIT_REASON_MSR_LOAD_FAIL] = slot * layout.stride;
			kvm_exit_stats_map[EXIT_REASON_MCE_DURING_VMENTRY] = slot * layout.stride;
			continue;
		}
		kvm_exit_stats_map[exit_stats_map_index(code)] = slot * layout.stride;
	}

	/* A cache of its own, cache-aligned: no line shared between vCPUs. */
	layout.cache = kmem_cache_create("kvm_exit_stats", exit_stats_size(),
					 0, SLAB_ACCOUNT | SLAB_HWCACHE_ALIGN,
					 NULL);
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

	if (!static_branch_unlikely(&kvm_exit_stats_counting))
		return 0;
	s = kmem_cache_zalloc(layout.cache, GFP_KERNEL_ACCOUNT);
	if (!s)
		return -ENOMEM;
	s->pending = KVM_EXIT_STATS_NO_SLOT;
	/* Until its first KVM_RUN the vCPU is the VMM's. */
	s->where = KVM_EXIT_STATS_VMM;
	if (static_branch_unlikely(&kvm_exit_stats_timing))
		s->away = (void *)&s->fig[layout.stride * layout.nr_slots];
	vcpu_exit_stats(vcpu) = s;
	return 0;
}

void kvm_exit_stats_vcpu_destroy(struct kvm_vcpu *vcpu)
{
	if (vcpu_exit_stats(vcpu))
		kmem_cache_free(layout.cache, vcpu_exit_stats(vcpu));
	vcpu_exit_stats(vcpu) = NULL;
}

/* The row of the away table that holds (@index, @kind), or NULL if full. */
static u64 *exit_stats_away_row(struct kvm_exit_stats_away_table *a, u32 index,
				unsigned int kind, bool add)
{
	u32 key = (index << 2 | kind) + 1, i, r;

	/* Probe from a hash of the key: HLT and I/O rarely collide. */
	for (i = 0; i < KVM_EXIT_STATS_AWAY_ROWS; i++) {
		r = (key * 7 + i) % KVM_EXIT_STATS_AWAY_ROWS;
		if (a->row[r].key == key)
			return &a->row[r].cycles;
		if (!a->row[r].key) {
			if (!add)
				return NULL;
			a->row[r].key = key;
			return &a->row[r].cycles;
		}
	}
	return NULL;
}

/*
 * The time since the mark goes to the pending exit's time away of kind
 * @away (or its time in KVM, for KVM_EXIT_STATS_IN_KVM); the next interval
 * starts now.
 */
static void exit_stats_charge(struct kvm_vcpu *vcpu, struct kvm_exit_stats *s,
			      unsigned int away)
{
	u64 now = rdtsc(), mark, d, *row;

	if (s->pending == KVM_EXIT_STATS_NO_SLOT) {
		s->mark = now;
		return;
	}
	mark = kvm_exit_stats_mark(vcpu, s);
	/* As at the entry: a mark not after the last entry is no exit's. */
	d = now > mark && mark > s->entered ? now - mark : 0;
	s->mark = now;
	if (away == KVM_EXIT_STATS_IN_KVM) {
		s->fig[s->pending + 1] += d;
		s->cycles_in_kvm += d;
		return;
	}
	row = exit_stats_away_row(s->away, s->pending, away, true);
	if (row)
		*row += d;
	else
		s->away->overflow[away] += d;
}

/*
 * KVM lets the vCPU go (@leave: KVM_RUN returns, the vCPU halts) to @where,
 * or takes it back from there.  In the VMM the vCPU is not loaded: no
 * put/load hook runs.  Halted, a sleep stays halted; a preemption does not
 * (__kvm_exit_stats_put()).
 */
void __kvm_exit_stats_away(struct kvm_vcpu *vcpu, unsigned int where,
			   bool leave)
{
	struct kvm_exit_stats *s = vcpu_exit_stats(vcpu);

	if (!s)
		return;
	/*
	 * The run and halt hooks come here preemptible.  A preemption between
	 * the TSC read and the new mark would run the put/load hooks in the
	 * middle, and both would charge the same interval: no switch in here.
	 */
	preempt_disable();
	if (leave && s->where == KVM_EXIT_STATS_IN_KVM) {
		exit_stats_charge(vcpu, s, KVM_EXIT_STATS_IN_KVM);
		s->where = where;
	} else if (!leave && s->where == where) {
		exit_stats_charge(vcpu, s, where);
		s->where = KVM_EXIT_STATS_IN_KVM;
	}
	preempt_enable();
}

/*
 * Scheduled out while handling an exit: kvm_sched_out() has set
 * "preempted" for a task still runnable; any other sleep is the host's (a
 * page fault waiting for I/O, a contended lock).  Halted, the vCPU's own
 * sleep in kvm_vcpu_block() stays halted, but a runnable vCPU (halt-polling,
 * or just before or after the wait) waits for a CPU, not for the guest:
 * that interval is preempted, then the halt goes on.  Called from the
 * preempt notifier or inside vcpu_put()'s preempt_disable().  vcpu_put()
 * where the vCPU is already away changes nothing.
 */
void __kvm_exit_stats_put(struct kvm_vcpu *vcpu)
{
	struct kvm_exit_stats *s = vcpu_exit_stats(vcpu);
	bool preempted = READ_ONCE(vcpu->preempted);

	if (s && s->where == KVM_EXIT_STATS_HALTED) {
		if (preempted) {
			exit_stats_charge(vcpu, s, KVM_EXIT_STATS_HALTED);
			s->where = KVM_EXIT_STATS_HALT_PREEMPTED;
		}
		return;
	}
	__kvm_exit_stats_away(vcpu, preempted ? KVM_EXIT_STATS_PREEMPTED :
			      KVM_EXIT_STATS_SLEEP, true);
}

/*
 * Back on a CPU: from preemption or a sleep, KVM handles the exit again;
 * preempted while halted, the vCPU is halted again.
 */
void __kvm_exit_stats_load(struct kvm_vcpu *vcpu)
{
	struct kvm_exit_stats *s = vcpu_exit_stats(vcpu);

	if (!s)
		return;
	if (s->where == KVM_EXIT_STATS_HALT_PREEMPTED) {
		exit_stats_charge(vcpu, s, KVM_EXIT_STATS_PREEMPTED);
		s->where = KVM_EXIT_STATS_HALTED;
	} else if (s->where == KVM_EXIT_STATS_PREEMPTED ||
		   s->where == KVM_EXIT_STATS_SLEEP) {
		__kvm_exit_stats_away(vcpu, s->where, false);
	}
}

static u64 exit_stats_read(const u64 *v)
{
	/*
	 * Another vCPU's figure, read while that vCPU may be adding to it:
	 * a reader may see it one exit old, never torn on a 64-bit host
	 * (aligned u64); a 32-bit host may tear it, as KVM's own statistics.
	 */
	return data_race(READ_ONCE(*v));
}

/* The figures of one slot summed over the VM's vCPUs. */
struct exit_stats_sum {
	u64 count, cycles, away[KVM_EXIT_STATS_NR_AWAY];
};

/* Another vCPU's time away of (@index, @kind), from its table. */
static u64 exit_stats_read_away(const struct kvm_exit_stats_away_table *a, u32 index,
				unsigned int kind)
{
	u32 key = (index << 2 | kind) + 1, i, r, k;

	for (i = 0; i < KVM_EXIT_STATS_AWAY_ROWS; i++) {
		r = (key * 7 + i) % KVM_EXIT_STATS_AWAY_ROWS;
		/* A row the vCPU fills meanwhile reads as free or as its own. */
		k = data_race(READ_ONCE(a->row[r].key));
		if (k == key)
			return exit_stats_read(&a->row[r].cycles);
		if (!k)
			break;
	}
	return 0;
}

static void exit_stats_add_slot(struct exit_stats_sum *sum,
				const struct kvm_exit_stats *s, u32 slot)
{
	u32 index = slot * layout.stride;
	unsigned int k;

	sum->count += exit_stats_read(&s->fig[index]);
	if (!s->away)
		return;
	sum->cycles += exit_stats_read(&s->fig[index + 1]);
	for (k = 0; k < KVM_EXIT_STATS_NR_AWAY; k++) {
		sum->away[k] += exit_stats_read_away(s->away, index, k);
		/* Time away the table had no row for shows as "other"'s. */
		if (slot == layout.other_slot)
			sum->away[k] += exit_stats_read(&s->away->overflow[k]);
	}
}

/* All figures of @slot over the VM's vCPUs, for the host's readouts. */
static void exit_stats_sum(struct kvm *kvm, u32 slot, struct exit_stats_sum *sum)
{
	struct kvm_vcpu *vcpu;
	unsigned long i;

	memset(sum, 0, sizeof(*sum));
	kvm_for_each_vcpu(i, vcpu, kvm)
		if (vcpu_exit_stats(vcpu))
			exit_stats_add_slot(sum, vcpu_exit_stats(vcpu), slot);
}

/* A guest's query of @slot: its exits, or its cycles in KVM; O(vCPUs). */
static u64 exit_stats_query_slot_sum(struct kvm *kvm, u32 slot, bool cycles)
{
	const struct kvm_exit_stats *s;
	struct kvm_vcpu *vcpu;
	unsigned long i;
	u64 sum = 0;

	kvm_for_each_vcpu(i, vcpu, kvm) {
		s = vcpu_exit_stats(vcpu);
		if (!s || (cycles && !s->away))
			continue;
		sum += exit_stats_read(&s->fig[slot * layout.stride + cycles]);
	}
	return sum;
}

/* All exits and their cycles in KVM: O(vCPUs), from the running sums. */
static void exit_stats_total(struct kvm *kvm, u64 *count, u64 *cycles)
{
	const struct kvm_exit_stats *s;
	struct kvm_vcpu *vcpu;
	unsigned long i;

	*count = 0;
	*cycles = 0;
	kvm_for_each_vcpu(i, vcpu, kvm) {
		s = vcpu_exit_stats(vcpu);
		if (!s)
			continue;
		*count += exit_stats_read(&s->exits);
		*cycles += exit_stats_read(&s->cycles_in_kvm);
	}
}

/* Whether this guest, at its current privilege level, may read the leaves. */
static bool exit_stats_guest_allowed(struct kvm_vcpu *vcpu)
{
	/* Fixed before the first vCPU existed: see kvm_exit_stats_enable_cap(). */
	int guest = kvm_exit_stats_guest(vcpu->kvm);

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
	if (!vcpu_exit_stats(vcpu) || !exit_stats_guest_allowed(vcpu))
		return false;

	if (leaf == KVM_EXIT_STATS_LEAF_INFO) {
		*eax = KVM_EXIT_STATS_LEAF_TOTAL;
		*ebx = KVM_EXIT_STATS_SIG_EBX;
		*ecx = KVM_EXIT_STATS_SIG_ECX;
		*edx = KVM_EXIT_STATS_ABI_VERSION |
		       (vcpu_exit_stats(vcpu)->away ? KVM_EXIT_STATS_INFO_CYCLES : 0);
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
	/* The slot derives from a guest value: no speculation past it. */
	slot = array_index_nospec(slot, layout.nr_slots);
	count = exit_stats_query_slot_sum(vcpu->kvm, slot,
					  leaf == KVM_EXIT_STATS_LEAF_CYCLES);
	if (leaf == KVM_EXIT_STATS_LEAF_COUNT) {
		*eax = lower_32_bits(count);
		*ebx = upper_32_bits(count);
	} else {
		*ebx = upper_32_bits(count);
		*ecx = lower_32_bits(count);
	}
	return true;
}

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
	kvm_exit_stats_guest(kvm) = READ_ONCE(exit_stats_guest);
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
		kvm_exit_stats_guest(kvm) = guest;
	mutex_unlock(&kvm->lock);
	return r;
}

static void exit_stats_print_code(struct seq_file *m, u32 slot)
{
	u32 code = exit_stats_slot_code(slot);

	if (slot == layout.other_slot)
		seq_printf(m, "%10s", "other");
	else if (layout.isa == KVM_ISA_VMX && code != KVM_EXIT_STATS_CODE_FAILED_VMENTRY)
		seq_printf(m, "%10u", code);
	else
		seq_printf(m, "%#10x", code);
}

static int exit_stats_show(struct seq_file *m, void *v)
{
	struct exit_stats_sum *sums, *sum, all = { 0 };
	struct kvm *kvm = m->private;
	const char *name;
	unsigned int k;
	u64 any;
	u32 slot;

	/*
	 * One pass over the vCPUs' figures, so that the header is the sum of
	 * the rows even while the vCPUs run.
	 */
	sums = kvmalloc_array(layout.nr_slots, sizeof(*sums), GFP_KERNEL);
	if (!sums)
		return -ENOMEM;
	for (slot = 0; slot < layout.nr_slots; slot++) {
		exit_stats_sum(kvm, slot, &sums[slot]);
		all.count += sums[slot].count;
		all.cycles += sums[slot].cycles;
		for (k = 0; k < KVM_EXIT_STATS_NR_AWAY; k++)
			all.away[k] += sums[slot].away[k];
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
		sum = &sums[slot];
		name = exit_stats_slot_name(slot);
		/* "other" may hold time away alone: rows add up to the header. */
		for (k = 0, any = sum->count; k < KVM_EXIT_STATS_NR_AWAY; k++)
			any |= sum->away[k];
		if (!any && !exit_stats_all)
			continue;
		exit_stats_print_code(m, slot);
		seq_printf(m, " %-24s %14llu %20llu", name, sum->count, sum->cycles);
		for (k = 0; k < KVM_EXIT_STATS_NR_AWAY; k++)
			seq_printf(m, " %20llu", sum->away[k]);
		seq_puts(m, "\n");
	}
	kvfree(sums);
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

/* kvm.exit_stats_dmesg: one line per reason with exits, once per VM. */
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
			exit_stats_slot_code(slot), name, sum.count,
			sum.cycles, sum.away[KVM_EXIT_STATS_HALTED],
			sum.away[KVM_EXIT_STATS_VMM],
			sum.away[KVM_EXIT_STATS_PREEMPTED],
			sum.away[KVM_EXIT_STATS_SLEEP]);
	}
}
