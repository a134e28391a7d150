// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-reason VM-exit accounting: slot layout, per-vCPU storage, the CPUID
 * leaves that let a guest read its VM's figures, and the host readouts
 * (debugfs, and an optional summary in the kernel log when a VM goes away).
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

/* Fixed at load time: the static keys and the per-vCPU layout depend on it. */
static int exit_stats_mode = EXIT_STATS_CYCLES;

static int exit_stats_mode_set(const char *val, const struct kernel_param *kp)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(exit_stats_mode_names); i++) {
		if (sysfs_streq(val, exit_stats_mode_names[i])) {
			*(int *)kp->arg = i;
			return 0;
		}
	}
	pr_err("exit_stats: '%s' is not one of off, counts, cycles\n", val);
	return -EINVAL;
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
		 "Per-reason VM-exit accounting: off, counts or cycles (default)");

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

/* SVM codes with bit 31 set are software-defined (SEV VMGEXIT) or an error. */
#define SVM_EXIT_HW_LIMIT	0x80000000u

/*
 * Slots: [0, direct) are the codes themselves; SVM's sparse upper codes
 * (NPF...) follow as [direct, direct + high_slots); then one slot for failed
 * VM entries (VMX) or SVM_EXIT_ERR (SVM), and one for codes outside all of
 * these, so that the total always equals the tracepoint's.
 */
static struct {
	unsigned int isa;
	const struct exit_reason *reasons;
	u32 nr_reasons;
	u32 nr_handlers;
	DECLARE_BITMAP(handled, EXIT_STATS_MAX_HANDLERS);
	u32 high_base;
	u32 high_slots;
	u32 fail_slot;
	u32 other_slot;
	u32 nr_slots;
} layout __read_mostly;

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
	s->pending = slot;
}
EXPORT_SYMBOL_GPL(__kvm_exit_stats_count);

/* Index of @code in the vendor's list of defined reasons, or -1. */
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

/*
 * Name of a slot and the code it stands for; "other" for the catch-all slot,
 * NULL for a code that is neither named by the kernel nor handled by KVM.
 */
static const char *exit_stats_slot_name(u32 slot, u32 *code)
{
	int i;

	if (slot == layout.fail_slot) {
		*code = layout.isa == KVM_ISA_VMX ?
			VMX_EXIT_REASONS_FAILED_VMENTRY : (u32)SVM_EXIT_ERR;
		return layout.isa == KVM_ISA_VMX ? "FAILED_VMENTRY" :
			"invalid_guest_state";
	}
	if (slot == layout.other_slot) {
		*code = U32_MAX;
		return "other";
	}
	*code = slot < kvm_exit_stats_direct_slots ? slot :
		layout.high_base + slot - kvm_exit_stats_direct_slots;
	i = exit_stats_find_reason(*code);
	if (i >= 0)
		return layout.reasons[i].name;
	/* Handled, but missing from the header's list of names. */
	return exit_stats_handled(*code) ? "unnamed" : NULL;
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

/*
 * Called by the vendor module once its exit-handler table is final: @handlers
 * is that table (an array of @nr_handlers handler pointers, NULL where KVM
 * has no handler).  Sizes the slots from the kernel's list of exit reasons
 * for that vendor.
 */
void kvm_exit_stats_setup(unsigned int isa, const void *handlers,
			  u32 nr_handlers)
{
	int (*const *table)(struct kvm_vcpu *vcpu) = handlers;
	u32 i, direct = 0, high_end = 0;

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
		if (!table[i])
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
	kvm_exit_stats_direct_slots = direct;

	if (exit_stats_mode >= EXIT_STATS_COUNTS)
		static_branch_enable(&kvm_exit_stats_counting);
	if (exit_stats_mode >= EXIT_STATS_CYCLES)
		static_branch_enable(&kvm_exit_stats_timing);
}
EXPORT_SYMBOL_GPL(kvm_exit_stats_setup);

int kvm_exit_stats_vcpu_create(struct kvm_vcpu *vcpu)
{
	struct kvm_exit_stats *s;
	u32 n = layout.nr_slots;
	bool timing = exit_stats_mode == EXIT_STATS_CYCLES;

	if (exit_stats_mode == EXIT_STATS_OFF)
		return 0;
	/* One allocation: the counts, then the cycles when timing. */
	s = kzalloc(struct_size(s, count, timing ? 2 * n : n),
		    GFP_KERNEL_ACCOUNT);
	if (!s)
		return -ENOMEM;
	s->pending = KVM_EXIT_STATS_NO_SLOT;
	if (timing)
		s->cycles = s->count + n;
	vcpu->arch.exit_stats = s;
	return 0;
}

void kvm_exit_stats_vcpu_destroy(struct kvm_vcpu *vcpu)
{
	kfree(vcpu->arch.exit_stats);
	vcpu->arch.exit_stats = NULL;
}

/* Sum one slot over the VM's vCPUs; other vCPUs may be running. */
static void exit_stats_sum(struct kvm *kvm, u32 slot, u64 *count, u64 *cycles)
{
	struct kvm_exit_stats *s;
	struct kvm_vcpu *vcpu;
	unsigned long i;

	*count = 0;
	*cycles = 0;
	kvm_for_each_vcpu(i, vcpu, kvm) {
		s = vcpu->arch.exit_stats;
		if (!s)
			continue;
		*count += READ_ONCE(s->count[slot]);
		if (s->cycles)
			*cycles += READ_ONCE(s->cycles[slot]);
	}
}

static void exit_stats_total(struct kvm *kvm, u64 *count, u64 *cycles)
{
	u64 c, t;
	u32 slot;

	*count = 0;
	*cycles = 0;
	for (slot = 0; slot < layout.nr_slots; slot++) {
		exit_stats_sum(kvm, slot, &c, &t);
		*count += c;
		*cycles += t;
	}
}

/*
 * The guest's view (the CPUID leaves; ECX is any guest-chosen u32):
 *   0x4fffffff: EDX:EAX = all exits, EBX:ECX = all cycles
 *   0x4ffffffe: EBX:EAX = exits of reason ECX, ECX = EDX = 0
 *   0x4ffffffd: EBX:ECX = cycles of reason ECX, EAX = EDX = 0
 * A reason the architecture does not define answers EDX = 0xffffffff and
 * zeroes elsewhere; one defined but without a KVM handler answers all zero.
 * Returns false, leaving the registers alone, when not accounting.
 */
bool kvm_exit_stats_cpuid(struct kvm_vcpu *vcpu, u32 *eax, u32 *ebx,
			  u32 *ecx, u32 *edx)
{
	u32 leaf = *eax, code = *ecx;
	u64 count = 0, cycles = 0;

	if (leaf < KVM_EXIT_STATS_LEAF_CYCLES || leaf > KVM_EXIT_STATS_LEAF_TOTAL)
		return false;
	if (!vcpu->arch.exit_stats)
		return false;

	*eax = *ebx = *ecx = *edx = 0;
	if (leaf == KVM_EXIT_STATS_LEAF_TOTAL) {
		exit_stats_total(vcpu->kvm, &count, &cycles);
		*eax = lower_32_bits(count);
		*edx = upper_32_bits(count);
		*ebx = upper_32_bits(cycles);
		*ecx = lower_32_bits(cycles);
		return true;
	}

	/*
	 * A reason is defined if the kernel names it or KVM handles it (the
	 * names list omits a few codes that KVM handles, e.g. SVM's RDPRU).
	 */
	if (!exit_stats_handled(code)) {
		if (exit_stats_find_reason(code) < 0)
			*edx = 0xffffffff;
		return true;
	}
	code = array_index_nospec(code, layout.nr_handlers);
	exit_stats_sum(vcpu->kvm, exit_stats_slot(code), &count, &cycles);
	if (leaf == KVM_EXIT_STATS_LEAF_COUNT) {
		*eax = lower_32_bits(count);
		*ebx = upper_32_bits(count);
	} else {
		*ebx = upper_32_bits(cycles);
		*ecx = lower_32_bits(cycles);
	}
	return true;
}

static void exit_stats_print_code(struct seq_file *m, u32 slot, u32 code)
{
	if (slot == layout.other_slot)
		seq_printf(m, "%10s", "other");
	else if (layout.isa == KVM_ISA_VMX && slot != layout.fail_slot)
		seq_printf(m, "%10u", code);
	else
		seq_printf(m, "%#10x", code);
}

static int exit_stats_show(struct seq_file *m, void *v)
{
	struct kvm *kvm = m->private;
	u64 count, cycles, total, total_cycles;
	const char *name;
	u32 slot, code = 0;

	exit_stats_total(kvm, &total, &total_cycles);
	seq_printf(m, "# isa %s mode %s exits %llu cycles %llu\n",
		   layout.isa == KVM_ISA_VMX ? "vmx" : "svm",
		   exit_stats_mode_names[exit_stats_mode], total, total_cycles);
	seq_printf(m, "# %8s %-24s %14s %20s\n", "reason", "name", "count",
		   "cycles");
	for (slot = 0; slot < layout.nr_slots; slot++) {
		exit_stats_sum(kvm, slot, &count, &cycles);
		name = exit_stats_slot_name(slot, &code);
		/* Undefined codes are listed only if they somehow occurred. */
		if (!count && (!exit_stats_all || !name))
			continue;
		exit_stats_print_code(m, slot, code);
		seq_printf(m, " %-24s %14llu %20llu\n", name ?: "undefined",
			   count, cycles);
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
	if (exit_stats_mode != EXIT_STATS_OFF)
		debugfs_create_file("exit_stats", 0444, kvm->debugfs_dentry,
				    kvm, &exit_stats_fops);
}

/* The seed's "print from dmesg": one line per reason, once per VM. */
void kvm_exit_stats_vm_destroy(struct kvm *kvm)
{
	u64 count, cycles;
	const char *name;
	u32 slot, code = 0;

	if (!exit_stats_dmesg || exit_stats_mode == EXIT_STATS_OFF)
		return;
	exit_stats_total(kvm, &count, &cycles);
	pr_info("exit stats of VM of pid %d: %llu exits, %llu cycles\n",
		kvm->userspace_pid, count, cycles);
	for (slot = 0; slot < layout.nr_slots; slot++) {
		exit_stats_sum(kvm, slot, &count, &cycles);
		if (!count)
			continue;
		name = exit_stats_slot_name(slot, &code);
		pr_info("  reason %#x %s: %llu exits, %llu cycles\n", code,
			name ?: "undefined", count, cycles);
	}
}
