// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the KVM exit accounting, compiled from the very source file
 * the kernel builds (kernel/kvm/exit_stats.c) through tests/shim, against
 * the real uapi headers and handler tables lifted from the same kernel.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../kernel/kvm/exit_stats.c"
#include "handler_tables.h"
#include "vmx_header_codes.h"

#define LEAF_TOTAL	KVM_EXIT_STATS_LEAF_TOTAL
#define LEAF_COUNT	KVM_EXIT_STATS_LEAF_COUNT
#define LEAF_CYCLES	KVM_EXIT_STATS_LEAF_CYCLES

struct regs { u32 eax, ebx, ecx, edx; };

struct vm {
	struct kvm kvm;
	struct kvm_vcpu vcpu[SHIM_MAX_VCPUS];
};

static void set_mode(const char *mode)
{
	assert_int_equal(exit_stats_mode_ops.set(mode, &shim_param_exit_stats), 0);
	kvm_exit_stats_counting.enabled = false;
	kvm_exit_stats_timing.enabled = false;
}

static void setup_vmx(void)
{
	kvm_exit_stats_setup(KVM_ISA_VMX, vmx_exit_handlers,
			     ARRAY_SIZE(vmx_exit_handlers));
}

static void setup_svm(void)
{
	kvm_exit_stats_setup(KVM_ISA_SVM, svm_exit_handlers,
			     ARRAY_SIZE(svm_exit_handlers));
}

static struct vm *vm_create(int nr_vcpus)
{
	struct vm *vm = calloc(1, sizeof(*vm));
	int i;

	assert_non_null(vm);
	for (i = 0; i < nr_vcpus; i++) {
		vm->vcpu[i].kvm = &vm->kvm;
		assert_int_equal(kvm_exit_stats_vcpu_create(&vm->vcpu[i]), 0);
		vm->kvm.vcpus[i] = &vm->vcpu[i];
	}
	vm->kvm.nr_vcpus = nr_vcpus;
	return vm;
}

static void vm_destroy(struct vm *vm)
{
	unsigned long i;

	kvm_exit_stats_vm_destroy(&vm->kvm);
	for (i = 0; i < vm->kvm.nr_vcpus; i++)
		kvm_exit_stats_vcpu_destroy(&vm->vcpu[i]);
	free(vm);
}

/* One exit as KVM sees it: entry, exit, tracepoint. */
static void exit_once(struct kvm_vcpu *vcpu, u32 code, u64 enter, u64 exit)
{
	shim_tsc = enter;
	kvm_exit_stats_enter(vcpu);
	shim_tsc = exit;
	kvm_exit_stats_stamp(vcpu);
	kvm_exit_stats_count(vcpu, code);
}

static void exits(struct kvm_vcpu *vcpu, u32 code, int n)
{
	while (n--)
		kvm_exit_stats_count(vcpu, code);
}

/* CPUID as the guest issues it; registers not written stay poisoned. */
static bool cpuid(struct kvm_vcpu *vcpu, u32 leaf, u32 ecx, struct regs *r)
{
	r->eax = leaf;
	r->ebx = 0xdeadbeef;
	r->ecx = ecx;
	r->edx = 0xdeadbeef;
	return kvm_exit_stats_cpuid(vcpu, &r->eax, &r->ebx, &r->ecx, &r->edx);
}

static void assert_regs(const struct regs *r, u32 eax, u32 ebx, u32 ecx,
			u32 edx)
{
	if (r->eax != eax || r->ebx != ebx || r->ecx != ecx || r->edx != edx)
		fail_msg("wanted eax=%#x ebx=%#x ecx=%#x edx=%#x, got eax=%#x ebx=%#x ecx=%#x edx=%#x",
			 eax, ebx, ecx, edx, r->eax, r->ebx, r->ecx, r->edx);
}

static int reset(void **state)
{
	(void)state;
	shim_log[0] = '\0';
	shim_fail_alloc = 0;
	shim_tsc = 0;
	exit_stats_dmesg = false;
	exit_stats_all = false;
	set_mode("cycles");
	return 0;
}

/* Exits of a handled reason are answered in EAX, the rest zero. */
static void test_count_of_handled_reason(void **state)
{
	struct vm *vm;
	struct regs r;

	(void)state;
	setup_vmx();
	vm = vm_create(1);
	exits(&vm->vcpu[0], EXIT_REASON_CPUID, 3);
	assert_true(cpuid(&vm->vcpu[0], LEAF_COUNT, EXIT_REASON_CPUID, &r));
	assert_regs(&r, 3, 0, 0, 0);
	vm_destroy(vm);
}

/* The query's own CPUID exit is counted before it is answered. */
static void test_query_counts_itself(void **state)
{
	struct vm *vm;
	struct regs r;

	(void)state;
	setup_vmx();
	vm = vm_create(1);
	kvm_exit_stats_count(&vm->vcpu[0], EXIT_REASON_CPUID);
	assert_true(cpuid(&vm->vcpu[0], LEAF_COUNT, EXIT_REASON_CPUID, &r));
	assert_int_equal(r.eax, 1);
	kvm_exit_stats_count(&vm->vcpu[0], EXIT_REASON_CPUID);
	assert_true(cpuid(&vm->vcpu[0], LEAF_COUNT, EXIT_REASON_CPUID, &r));
	assert_int_equal(r.eax, 2);
	vm_destroy(vm);
}

/* ECX at the edges of the reason space, and beyond it. */
static void test_ecx_boundaries_vmx(void **state)
{
	u32 max_defined = 0, i;
	struct vm *vm;
	struct regs r;

	(void)state;
	setup_vmx();
	for (i = 0; i < ARRAY_SIZE(vmx_reasons); i++)
		max_defined = max(max_defined, vmx_reasons[i].code);
	vm = vm_create(1);
	exits(&vm->vcpu[0], 0, 5);
	exits(&vm->vcpu[0], max_defined, 7);

	assert_true(cpuid(&vm->vcpu[0], LEAF_COUNT, 0, &r));
	assert_regs(&r, 5, 0, 0, 0);
	assert_true(cpuid(&vm->vcpu[0], LEAF_COUNT, max_defined, &r));
	assert_regs(&r, 7, 0, 0, 0);
	const u32 undefined[] = {
		max_defined + 1, 0x7fffffff, 0xffffffff,
		0x80000000 | EXIT_REASON_CPUID, 0x10000 | EXIT_REASON_CPUID,
	};
	for (i = 0; i < ARRAY_SIZE(undefined); i++) {
		assert_true(cpuid(&vm->vcpu[0], LEAF_COUNT, undefined[i], &r));
		assert_regs(&r, 0, 0, 0, 0xffffffff);
		assert_true(cpuid(&vm->vcpu[0], LEAF_CYCLES, undefined[i], &r));
		assert_regs(&r, 0, 0, 0, 0xffffffff);
	}
	vm_destroy(vm);
}

/* Defined but without a handler (RDTSC on VMX): all zero, even if counted. */
static void test_defined_unhandled_is_zero(void **state)
{
	struct vm *vm;
	struct regs r;

	(void)state;
	setup_vmx();
	assert_null(vmx_exit_handlers[EXIT_REASON_RDTSC]);
	vm = vm_create(1);
	exits(&vm->vcpu[0], EXIT_REASON_RDTSC, 4);
	assert_true(cpuid(&vm->vcpu[0], LEAF_COUNT, EXIT_REASON_RDTSC, &r));
	assert_regs(&r, 0, 0, 0, 0);
	/* ...but the exits still count in the total, as the tracepoint does. */
	assert_true(cpuid(&vm->vcpu[0], LEAF_TOTAL, 0, &r));
	assert_int_equal(r.eax, 4);
	vm_destroy(vm);
}

/*
 * Every code 0..0xffff and a few beyond: undefined iff uapi vmx.h has no
 * EXIT_REASON_* for it; zero iff vmx.c's table has no handler.
 */
static void test_vmx_sets_match_kernel(void **state)
{
	struct vm *vm;
	struct regs r;
	u32 code, i;

	(void)state;
	setup_vmx();
	vm = vm_create(1);
	for (code = 0; code <= 0x10000; code++) {
		bool defined = false, handled;

		for (i = 0; i < ARRAY_SIZE(vmx_header_codes); i++)
			defined |= vmx_header_codes[i] == code;
		handled = code < ARRAY_SIZE(vmx_exit_handlers) &&
			  vmx_exit_handlers[code];
		kvm_exit_stats_count(&vm->vcpu[0], code);
		assert_true(cpuid(&vm->vcpu[0], LEAF_COUNT, code, &r));
		if (!defined)
			assert_regs(&r, 0, 0, 0, 0xffffffff);
		else if (!handled)
			assert_regs(&r, 0, 0, 0, 0);
		else
			assert_regs(&r, 1, 0, 0, 0);
	}
	vm_destroy(vm);
}

/* 64-bit figures split across two registers, past 2^32. */
static void test_64bit_split(void **state)
{
	u64 big = 0x123456789ull, cyc = 0xabcdef0123ull;
	struct kvm_exit_stats *s;
	struct vm *vm;
	struct regs r;

	(void)state;
	setup_vmx();
	vm = vm_create(1);
	s = vm->vcpu[0].arch.exit_stats;
	s->count[EXIT_REASON_CR_ACCESS] = big;
	s->cycles[EXIT_REASON_CR_ACCESS] = cyc;
	assert_true(cpuid(&vm->vcpu[0], LEAF_COUNT, EXIT_REASON_CR_ACCESS, &r));
	assert_regs(&r, (u32)big, big >> 32, 0, 0);
	assert_true(cpuid(&vm->vcpu[0], LEAF_CYCLES, EXIT_REASON_CR_ACCESS, &r));
	assert_regs(&r, 0, cyc >> 32, (u32)cyc, 0);
	kvm_exit_stats_count(&vm->vcpu[0], EXIT_REASON_CR_ACCESS);
	assert_true(cpuid(&vm->vcpu[0], LEAF_TOTAL, 0, &r));
	assert_regs(&r, (u32)(big + 1), cyc >> 32, (u32)cyc, (big + 1) >> 32);
	vm_destroy(vm);
}

/* A VM's figures are the sums over all its vCPUs, whoever asks. */
static void test_sum_over_vcpus(void **state)
{
	struct vm *vm;
	struct regs r;
	int i;

	(void)state;
	setup_vmx();
	vm = vm_create(4);
	for (i = 0; i < 4; i++)
		exits(&vm->vcpu[i], EXIT_REASON_HLT, i + 1);
	for (i = 0; i < 4; i++) {
		assert_true(cpuid(&vm->vcpu[i], LEAF_COUNT, EXIT_REASON_HLT, &r));
		assert_int_equal(r.eax, 1 + 2 + 3 + 4);
		assert_true(cpuid(&vm->vcpu[i], LEAF_TOTAL, 0, &r));
		assert_int_equal(r.eax, 10);
	}
	vm_destroy(vm);
}

/* Two VMs never see each other's exits; a new VM starts from zero. */
static void test_per_vm_scope(void **state)
{
	struct vm *a, *b;
	struct regs r;

	(void)state;
	setup_vmx();
	a = vm_create(2);
	b = vm_create(1);
	exits(&a->vcpu[1], EXIT_REASON_IO_INSTRUCTION, 9);
	exits(&b->vcpu[0], EXIT_REASON_IO_INSTRUCTION, 2);
	assert_true(cpuid(&a->vcpu[0], LEAF_COUNT, EXIT_REASON_IO_INSTRUCTION, &r));
	assert_int_equal(r.eax, 9);
	assert_true(cpuid(&b->vcpu[0], LEAF_COUNT, EXIT_REASON_IO_INSTRUCTION, &r));
	assert_int_equal(r.eax, 2);
	vm_destroy(a);
	vm_destroy(b);
	a = vm_create(1);
	assert_true(cpuid(&a->vcpu[0], LEAF_TOTAL, 0, &r));
	assert_regs(&r, 0, 0, 0, 0);
	vm_destroy(a);
}

/* Cycles run from the exit's stamp to the next entry, charged to its slot. */
static void test_cycles_exit_to_entry(void **state)
{
	struct kvm_vcpu *v;
	struct vm *vm;
	struct regs r;

	(void)state;
	setup_vmx();
	vm = vm_create(1);
	v = &vm->vcpu[0];
	exit_once(v, EXIT_REASON_CPUID, 100, 1000);	/* first entry: nothing */
	exit_once(v, EXIT_REASON_HLT, 1250, 2000);	/* CPUID took 250 */
	shim_tsc = 2900;
	kvm_exit_stats_enter(v);			/* HLT took 900 */
	assert_true(cpuid(v, LEAF_CYCLES, EXIT_REASON_CPUID, &r));
	assert_regs(&r, 0, 0, 250, 0);
	assert_true(cpuid(v, LEAF_CYCLES, EXIT_REASON_HLT, &r));
	assert_regs(&r, 0, 0, 900, 0);
	assert_true(cpuid(v, LEAF_TOTAL, 0, &r));
	assert_regs(&r, 2, 0, 1150, 0);
	vm_destroy(vm);
}

/* A TSC that went backwards between exit and entry charges nothing. */
static void test_cycles_backwards_tsc(void **state)
{
	struct kvm_vcpu *v;
	struct vm *vm;
	struct regs r;

	(void)state;
	setup_vmx();
	vm = vm_create(1);
	v = &vm->vcpu[0];
	exit_once(v, EXIT_REASON_CPUID, 0, 1000);
	exit_once(v, EXIT_REASON_CPUID, 400, 2000);	/* behind the exit: 0 */
	shim_tsc = 2300;
	kvm_exit_stats_enter(v);			/* forward again: 300 */
	assert_true(cpuid(v, LEAF_CYCLES, EXIT_REASON_CPUID, &r));
	assert_regs(&r, 0, 0, 300, 0);
	assert_true(cpuid(v, LEAF_COUNT, EXIT_REASON_CPUID, &r));
	assert_regs(&r, 2, 0, 0, 0);
	vm_destroy(vm);
}

/*
 * An exit the tracepoint does not see (SVM's fastpath re-entry) is neither
 * counted nor charged to the previous reason.
 */
static void test_untraced_exit_not_charged(void **state)
{
	struct kvm_vcpu *v;
	struct vm *vm;
	struct regs r;

	(void)state;
	setup_svm();
	vm = vm_create(1);
	v = &vm->vcpu[0];
	exit_once(v, SVM_EXIT_MSR, 0, 100);
	shim_tsc = 150;
	kvm_exit_stats_enter(v);			/* MSR took 50 */
	shim_tsc = 400;
	kvm_exit_stats_stamp(v);			/* exit, re-entered... */
	shim_tsc = 5000;
	kvm_exit_stats_enter(v);			/* ...with no count */
	assert_true(cpuid(v, LEAF_CYCLES, SVM_EXIT_MSR, &r));
	assert_regs(&r, 0, 0, 50, 0);
	assert_true(cpuid(v, LEAF_TOTAL, 0, &r));
	assert_regs(&r, 1, 0, 50, 0);
	vm_destroy(vm);
}

/* VMX failed entries and flag bits: counted, in the total, never lost. */
static void test_vmx_failed_entry_and_flags(void **state)
{
	struct vm *vm;
	struct regs r;

	(void)state;
	setup_vmx();
	vm = vm_create(1);
	kvm_exit_stats_count(&vm->vcpu[0], VMX_EXIT_REASONS_FAILED_VMENTRY |
					   EXIT_REASON_INVALID_STATE);
	kvm_exit_stats_count(&vm->vcpu[0], 0x10000000 | EXIT_REASON_HLT);
	kvm_exit_stats_count(&vm->vcpu[0], 0xfffe);	/* no such reason */
	assert_true(cpuid(&vm->vcpu[0], LEAF_COUNT, EXIT_REASON_HLT, &r));
	assert_int_equal(r.eax, 1);
	assert_true(cpuid(&vm->vcpu[0], LEAF_COUNT, EXIT_REASON_INVALID_STATE, &r));
	assert_regs(&r, 0, 0, 0, 0);
	assert_true(cpuid(&vm->vcpu[0], LEAF_TOTAL, 0, &r));
	assert_int_equal(r.eax, 3);
	vm_destroy(vm);
}

/* SVM: sparse codes (NPF...) map to their own slots; ERR and sw codes. */
static void test_svm_codes(void **state)
{
	struct vm *vm;
	struct regs r;

	(void)state;
	setup_svm();
	assert_true(layout.nr_slots < 0x100);	/* not 0x404 */
	vm = vm_create(1);
	exits(&vm->vcpu[0], SVM_EXIT_NPF, 6);
	exits(&vm->vcpu[0], SVM_EXIT_VMGEXIT, 2);
	exits(&vm->vcpu[0], SVM_EXIT_INVPCID, 3);
	exits(&vm->vcpu[0], SVM_EXIT_EXCP_BASE + PF_VECTOR, 4);
	exits(&vm->vcpu[0], (u32)SVM_EXIT_ERR, 1);
	exits(&vm->vcpu[0], 0x3ff, 1);		/* undefined code */
	assert_true(cpuid(&vm->vcpu[0], LEAF_COUNT, SVM_EXIT_NPF, &r));
	assert_regs(&r, 6, 0, 0, 0);
	assert_true(cpuid(&vm->vcpu[0], LEAF_COUNT, SVM_EXIT_VMGEXIT, &r));
	assert_regs(&r, 2, 0, 0, 0);
	assert_true(cpuid(&vm->vcpu[0], LEAF_COUNT, SVM_EXIT_INVPCID, &r));
	assert_regs(&r, 3, 0, 0, 0);
	assert_true(cpuid(&vm->vcpu[0], LEAF_COUNT, SVM_EXIT_EXCP_BASE + PF_VECTOR, &r));
	assert_regs(&r, 4, 0, 0, 0);
	/* Named by the kernel, no handler: zero. */
	assert_true(cpuid(&vm->vcpu[0], LEAF_COUNT, (u32)SVM_EXIT_ERR, &r));
	assert_regs(&r, 0, 0, 0, 0);
	assert_true(cpuid(&vm->vcpu[0], LEAF_COUNT, SVM_VMGEXIT_MMIO_READ, &r));
	assert_regs(&r, 0, 0, 0, 0);
	/* Handled although SVM_EXIT_REASONS has no name for it: defined. */
	assert_non_null(svm_exit_handlers[SVM_EXIT_RDPRU]);
	assert_true(cpuid(&vm->vcpu[0], LEAF_COUNT, SVM_EXIT_RDPRU, &r));
	assert_regs(&r, 0, 0, 0, 0);
	assert_true(cpuid(&vm->vcpu[0], LEAF_COUNT, 0x3ff, &r));
	assert_regs(&r, 0, 0, 0, 0xffffffff);
	assert_true(cpuid(&vm->vcpu[0], LEAF_COUNT, SVM_EXIT_VMGEXIT + 1, &r));
	assert_regs(&r, 0, 0, 0, 0xffffffff);
	assert_true(cpuid(&vm->vcpu[0], LEAF_TOTAL, 0, &r));
	assert_int_equal(r.eax, 6 + 2 + 3 + 4 + 1 + 1);
	vm_destroy(vm);
}

/* Every SVM code up to past the table: the answers follow svm.c's table. */
static void test_svm_sets_match_kernel(void **state)
{
	struct vm *vm;
	struct regs r;
	u32 code, i;

	(void)state;
	setup_svm();
	vm = vm_create(1);
	for (code = 0; code < 0x1000; code++) {
		bool named = false, handled;

		for (i = 0; i < ARRAY_SIZE(svm_reasons); i++)
			named |= svm_reasons[i].code == code;
		handled = code < ARRAY_SIZE(svm_exit_handlers) &&
			  svm_exit_handlers[code];
		kvm_exit_stats_count(&vm->vcpu[0], code);
		assert_true(cpuid(&vm->vcpu[0], LEAF_COUNT, code, &r));
		if (handled)
			assert_regs(&r, 1, 0, 0, 0);
		else if (named)
			assert_regs(&r, 0, 0, 0, 0);
		else
			assert_regs(&r, 0, 0, 0, 0xffffffff);
	}
	assert_true(cpuid(&vm->vcpu[0], LEAF_TOTAL, 0, &r));
	assert_int_equal(r.eax, 0x1000);
	vm_destroy(vm);
}

/* Leaves next to ours are not ours: registers untouched. */
static void test_foreign_leaves_untouched(void **state)
{
	static const u32 leaves[] = { 0x4ffffffc, 0x40000000, 0x50000000, 0 };
	struct vm *vm;
	struct regs r;
	u32 i;

	(void)state;
	setup_vmx();
	vm = vm_create(1);
	for (i = 0; i < ARRAY_SIZE(leaves); i++) {
		assert_false(cpuid(&vm->vcpu[0], leaves[i], 7, &r));
		assert_regs(&r, leaves[i], 0xdeadbeef, 7, 0xdeadbeef);
	}
	vm_destroy(vm);
}

/* mode off: nothing allocated, CPUID falls through to stock KVM. */
static void test_mode_off(void **state)
{
	struct vm *vm;
	struct regs r;

	(void)state;
	set_mode("off");
	setup_vmx();
	assert_false(kvm_exit_stats_counting.enabled);
	assert_false(kvm_exit_stats_timing.enabled);
	vm = vm_create(1);
	assert_null(vm->vcpu[0].arch.exit_stats);
	exit_once(&vm->vcpu[0], EXIT_REASON_CPUID, 1, 2);	/* no crash */
	assert_false(cpuid(&vm->vcpu[0], LEAF_TOTAL, 0, &r));
	assert_regs(&r, LEAF_TOTAL, 0xdeadbeef, 0, 0xdeadbeef);
	shim_debugfs_name = NULL;
	kvm_exit_stats_create_debugfs(&vm->kvm);
	assert_null(shim_debugfs_name);
	vm_destroy(vm);
}

/* mode counts: no cycle storage, no timing, cycles read as zero. */
static void test_mode_counts(void **state)
{
	struct vm *vm;
	struct regs r;

	(void)state;
	set_mode("counts\n");
	setup_vmx();
	assert_true(kvm_exit_stats_counting.enabled);
	assert_false(kvm_exit_stats_timing.enabled);
	vm = vm_create(1);
	assert_null(vm->vcpu[0].arch.exit_stats->cycles);
	exit_once(&vm->vcpu[0], EXIT_REASON_CPUID, 10, 20);
	exit_once(&vm->vcpu[0], EXIT_REASON_CPUID, 30, 40);
	assert_true(cpuid(&vm->vcpu[0], LEAF_CYCLES, EXIT_REASON_CPUID, &r));
	assert_regs(&r, 0, 0, 0, 0);
	assert_true(cpuid(&vm->vcpu[0], LEAF_COUNT, EXIT_REASON_CPUID, &r));
	assert_regs(&r, 2, 0, 0, 0);
	vm_destroy(vm);
}

/* A bad kvm.exit_stats= value is refused with a message naming it. */
static void test_bad_mode_refused(void **state)
{
	char buf[32];

	(void)state;
	assert_int_equal(exit_stats_mode_ops.set("fast", &shim_param_exit_stats),
			 -EINVAL);
	assert_non_null(strstr(shim_log, "'fast'"));
	assert_int_equal(exit_stats_mode, EXIT_STATS_CYCLES);
	exit_stats_mode_ops.get(buf, &shim_param_exit_stats);
	assert_string_equal(buf, "cycles\n");
}

/* vCPU creation fails cleanly when the counters cannot be allocated. */
static void test_vcpu_create_enomem(void **state)
{
	struct kvm_vcpu v = { 0 };

	(void)state;
	setup_vmx();
	shim_fail_alloc = 1;
	assert_int_equal(kvm_exit_stats_vcpu_create(&v), -ENOMEM);
	assert_null(v.arch.exit_stats);
}

/* Per-vCPU memory: a slot per code, not per possible 32-bit value. */
static void test_memory_per_vcpu(void **state)
{
	(void)state;
	setup_vmx();
	assert_int_equal(layout.nr_slots, kvm_exit_stats_direct_slots + 2);
	assert_true(kvm_exit_stats_direct_slots >= EXIT_REASON_NOTIFY + 1);
	setup_svm();
	assert_int_equal(layout.high_slots, SVM_EXIT_VMGEXIT - SVM_EXIT_NPF + 1);
	assert_true(kvm_exit_stats_direct_slots >= SVM_EXIT_INVPCID + 1);
	assert_true(kvm_exit_stats_direct_slots < SVM_EXIT_NPF);
}

static char *read_debugfs(struct kvm *kvm)
{
	static char out[16384];
	struct inode inode = { .i_private = kvm };
	struct file file = { 0 };
	long long pos = 0;
	long n;

	assert_string_equal(shim_debugfs_name, "exit_stats");
	assert_int_equal(shim_debugfs_fops->open(&inode, &file), 0);
	assert_int_equal(kvm->users, 1);
	n = shim_debugfs_fops->read(&file, out, sizeof(out) - 1, &pos);
	out[n] = '\0';
	shim_debugfs_fops->release(&inode, &file);
	assert_int_equal(kvm->users, 0);
	return out;
}

/* debugfs lists non-zero rows, with name, count and cycles. */
static void test_debugfs_rows(void **state)
{
	struct vm *vm;
	char *text;

	(void)state;
	setup_vmx();
	vm = vm_create(2);
	kvm_exit_stats_create_debugfs(&vm->kvm);
	exit_once(&vm->vcpu[0], EXIT_REASON_EPT_VIOLATION, 0, 10);
	exit_once(&vm->vcpu[1], EXIT_REASON_EPT_VIOLATION, 0, 10);
	shim_tsc = 110;
	kvm_exit_stats_enter(&vm->vcpu[0]);
	kvm_exit_stats_count(&vm->vcpu[0], VMX_EXIT_REASONS_FAILED_VMENTRY |
					   EXIT_REASON_INVALID_STATE);
	text = read_debugfs(&vm->kvm);
	assert_non_null(strstr(text, "# isa vmx mode cycles exits 3 cycles 100\n"));
	assert_non_null(strstr(text, "        48 EPT_VIOLATION                         2                  100\n"));
	assert_non_null(strstr(text, "0x80000000 FAILED_VMENTRY                        1                    0\n"));
	assert_null(strstr(text, "CPUID"));
	exit_stats_all = true;
	text = read_debugfs(&vm->kvm);
	assert_non_null(strstr(text, " CPUID "));
	assert_null(strstr(text, "undefined"));	/* holes stay hidden */
	vm_destroy(vm);
}

/* A dying VM's file cannot be opened; a failed open drops its reference. */
static void test_debugfs_dying_vm(void **state)
{
	struct inode inode;
	struct file file = { 0 };
	struct vm *vm;

	(void)state;
	setup_vmx();
	vm = vm_create(1);
	kvm_exit_stats_create_debugfs(&vm->kvm);
	inode.i_private = &vm->kvm;
	shim_fail_alloc = 1;
	assert_int_equal(shim_debugfs_fops->open(&inode, &file), -ENOMEM);
	assert_int_equal(vm->kvm.users, 0);
	shim_fail_alloc = 0;
	vm->kvm.dying = true;
	assert_int_equal(shim_debugfs_fops->open(&inode, &file), -ENOENT);
	vm_destroy(vm);
}

/* The seed's dmesg summary, only when asked, once per VM. */
static void test_dmesg_summary(void **state)
{
	struct vm *vm;

	(void)state;
	setup_svm();
	vm = vm_create(1);
	vm->kvm.userspace_pid = 4242;
	exits(&vm->vcpu[0], SVM_EXIT_NPF, 5);
	kvm_exit_stats_vm_destroy(&vm->kvm);
	assert_string_equal(shim_log, "");
	exit_stats_dmesg = true;
	vm_destroy(vm);
	assert_non_null(strstr(shim_log, "kvm: exit stats of VM of pid 4242: 5 exits, 0 cycles\n"));
	assert_non_null(strstr(shim_log, "kvm:   reason 0x400 npf: 5 exits, 0 cycles\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup(fn, reset)
		T(test_count_of_handled_reason),
		T(test_query_counts_itself),
		T(test_ecx_boundaries_vmx),
		T(test_defined_unhandled_is_zero),
		T(test_vmx_sets_match_kernel),
		T(test_64bit_split),
		T(test_sum_over_vcpus),
		T(test_per_vm_scope),
		T(test_cycles_exit_to_entry),
		T(test_cycles_backwards_tsc),
		T(test_untraced_exit_not_charged),
		T(test_vmx_failed_entry_and_flags),
		T(test_svm_codes),
		T(test_svm_sets_match_kernel),
		T(test_foreign_leaves_untouched),
		T(test_mode_off),
		T(test_mode_counts),
		T(test_bad_mode_refused),
		T(test_vcpu_create_enomem),
		T(test_memory_per_vcpu),
		T(test_debugfs_rows),
		T(test_debugfs_dying_vm),
		T(test_dmesg_summary),
#undef T
	};

	return cmocka_run_group_tests_name("exit_stats", tests, NULL, NULL);
}
