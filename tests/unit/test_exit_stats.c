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

static char *read_debugfs(struct kvm *kvm);

/* The fig[] index of a hardware exit's @code (its count; +1: its cycles). */
static u32 idx(u32 code)
{
	return exit_stats_slot(code) * layout.stride;
}

/* A VM as kvm_arch_init_vm() leaves it: no vCPU yet. */
static struct vm *vm_new(void)
{
	struct vm *vm = calloc(1, sizeof(*vm));

	assert_non_null(vm);
	kvm_exit_stats_vm_init(&vm->kvm);
	return vm;
}

/* Its vCPUs, counted first as kvm_vm_ioctl_create_vcpu() does. */
static void vm_add_vcpus(struct vm *vm, int nr_vcpus)
{
	int i;

	for (i = 0; i < nr_vcpus; i++) {
		vm->kvm.created_vcpus++;
		vm->vcpu[i].kvm = &vm->kvm;
		assert_int_equal(kvm_exit_stats_vcpu_create(&vm->vcpu[i]), 0);
		vm->kvm.vcpus[i] = &vm->vcpu[i];
	}
	vm->kvm.nr_vcpus = nr_vcpus;
}

static struct vm *vm_create(int nr_vcpus)
{
	struct vm *vm = vm_new();

	vm_add_vcpus(vm, nr_vcpus);
	return vm;
}

/* KVM_ENABLE_CAP(KVM_CAP_X86_EXIT_STATS, @guest), reserved fields zero. */
static int enable_cap(struct kvm *kvm, u64 guest)
{
	struct kvm_enable_cap cap = { .args = { guest } };

	return kvm_exit_stats_enable_cap(kvm, &cap);
}

static void vm_destroy(struct vm *vm)
{
	unsigned long i;

	kvm_exit_stats_vm_destroy(&vm->kvm);
	for (i = 0; i < vm->kvm.nr_vcpus; i++)
		kvm_exit_stats_vcpu_destroy(&vm->vcpu[i]);
	free(vm);
}

/* The count hook as the vendor code calls it: with where the code is. */
static void count_exit(struct kvm_vcpu *vcpu, u32 code)
{
	kvm_exit_stats_count(vcpu, &code);
}

/* kvm_read_l1_tsc(): the guest TSC of the host TSC now. */
static u64 guest_tsc(struct kvm_vcpu *vcpu)
{
	u64 ratio = vcpu->arch.l1_tsc_scaling_ratio ?: kvm_caps.default_tsc_scaling_ratio;

	return vcpu->arch.l1_tsc_offset +
		(u64)((unsigned __int128)shim_tsc * ratio >> kvm_caps.tsc_scaling_ratio_frac_bits);
}

/* vcpu_enter_guest() after the exit: last_guest_tsc from a TSC read. */
static void kvm_reads_tsc(struct kvm_vcpu *vcpu)
{
	vcpu->arch.last_guest_tsc = guest_tsc(vcpu);
}

/* kvm_vcpu_write_tsc_offset(): the hook, then the new offset. */
static void kvm_writes_tsc_offset(struct kvm_vcpu *vcpu, u64 offset)
{
	kvm_exit_stats_tsc_change(vcpu);
	vcpu->arch.l1_tsc_offset = offset;
}

/* One exit as KVM sees it: entry, the exit counted, KVM's TSC read at @exit. */
static void exit_once(struct kvm_vcpu *vcpu, u32 code, u64 enter, u64 exit)
{
	shim_tsc = enter;
	kvm_exit_stats_enter(vcpu);
	count_exit(vcpu, code);
	shim_tsc = exit;
	kvm_reads_tsc(vcpu);
}

static void exits(struct kvm_vcpu *vcpu, u32 code, int n)
{
	while (n--)
		count_exit(vcpu, code);
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
	kvm_exit_stats_unsetup();
	shim_log[0] = '\0';
	shim_fail_alloc = 0;
	shim_fail_cache = 0;
	shim_tsc = 0;
	shim_preempt_hook = NULL;
	shim_preempt_count = 0;
	exit_stats_dmesg = false;
	exit_stats_all = false;
	/* Most tests read the leaves: the host allows it, from any CPL. */
	exit_stats_guest = KVM_EXIT_STATS_GUEST_USER;
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
	count_exit(&vm->vcpu[0], EXIT_REASON_CPUID);
	assert_true(cpuid(&vm->vcpu[0], LEAF_COUNT, EXIT_REASON_CPUID, &r));
	assert_int_equal(r.eax, 1);
	count_exit(&vm->vcpu[0], EXIT_REASON_CPUID);
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
		max_defined + 1, 0x7fffffff, 0xffffffff, 0xfffffffd,
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

/*
 * Reasons KVM has no handler for still happen: with nesting, L2 exits that
 * L1 intercepts (RDTSC, RDTSCP...) are counted, then reflected. They
 * answer their own figures.
 */
static void test_reflected_exits_answer(void **state)
{
	struct vm *vm;
	struct regs r;

	(void)state;
	setup_vmx();
	assert_null(vmx_exit_handlers[EXIT_REASON_RDTSC]);
	vm = vm_create(1);
	exit_once(&vm->vcpu[0], EXIT_REASON_RDTSC, 0, 100);
	exits(&vm->vcpu[0], EXIT_REASON_RDTSCP, 3);
	shim_tsc = 130;
	kvm_exit_stats_enter(&vm->vcpu[0]);
	assert_true(cpuid(&vm->vcpu[0], LEAF_COUNT, EXIT_REASON_RDTSC, &r));
	assert_regs(&r, 1, 0, 0, 0);
	assert_true(cpuid(&vm->vcpu[0], LEAF_COUNT, EXIT_REASON_RDTSCP, &r));
	assert_regs(&r, 3, 0, 0, 0);
	assert_true(cpuid(&vm->vcpu[0], LEAF_CYCLES, EXIT_REASON_RDTSCP, &r));
	assert_regs(&r, 0, 0, 30, 0);
	vm_destroy(vm);

	setup_svm();
	assert_null(svm_exit_handlers[SVM_EXIT_RDTSC]);
	vm = vm_create(1);
	exits(&vm->vcpu[0], SVM_EXIT_RDTSC, 2);
	assert_true(cpuid(&vm->vcpu[0], LEAF_COUNT, SVM_EXIT_RDTSC, &r));
	assert_regs(&r, 2, 0, 0, 0);
	vm_destroy(vm);
}

/*
 * Every code 0..0xffff and a few beyond: undefined iff uapi vmx.h has no
 * EXIT_REASON_* for it and vmx.c's table no handler; otherwise its count,
 * but for the three basic reasons that only come as failed VM entries:
 * those are FAILED_VMENTRY's and answer 0. (Codes are counted up to the
 * map's size: the hook reads a basic reason's low 11 bits, and VMX defines
 * none past 75.)
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
		bool defined = code < ARRAY_SIZE(vmx_exit_handlers) &&
			       vmx_exit_handlers[code];

		for (i = 0; i < ARRAY_SIZE(vmx_header_codes); i++)
			defined |= vmx_header_codes[i] == code;
		if (code < KVM_EXIT_STATS_MAP_SIZE)
			count_exit(&vm->vcpu[0], code);
		assert_true(cpuid(&vm->vcpu[0], LEAF_COUNT, code, &r));
		if (!defined)
			assert_regs(&r, 0, 0, 0, 0xffffffff);
		else if (code == EXIT_REASON_INVALID_STATE || code == EXIT_REASON_MSR_LOAD_FAIL ||
			 code == EXIT_REASON_MCE_DURING_VMENTRY)
			assert_regs(&r, 0, 0, 0, 0);
		else
			assert_regs(&r, 1, 0, 0, 0);
	}
	assert_true(cpuid(&vm->vcpu[0], LEAF_COUNT, KVM_EXIT_STATS_CODE_FAILED_VMENTRY, &r));
	assert_regs(&r, 3, 0, 0, 0);
	vm_destroy(vm);
}

/*
 * The per-code answers, FAILED_VMENTRY (VMX) and OTHER add up to the total
 * leaf, whatever happened: every slot, gaps in the numbering and the
 * catch-all included, holds exits here.
 */
static void sum_of_answers_is_total(unsigned int isa, u32 last_code)
{
	u64 sum = 0, total;
	struct kvm_exit_stats *s;
	struct vm *vm;
	struct regs r;
	u32 code, slot;
	int v;

	if (isa == KVM_ISA_VMX)
		setup_vmx();
	else
		setup_svm();
	vm = vm_create(3);
	for (v = 0; v < 3; v++) {
		s = vm->vcpu[v].exit_stats;
		for (slot = 0; slot < layout.nr_slots; slot++) {
			s->fig[slot * layout.stride] = 1 + slot * 7 + v;
			s->exits += s->fig[slot * layout.stride];
		}
	}
	for (code = 0; code <= last_code; code++) {
		assert_true(cpuid(&vm->vcpu[0], LEAF_COUNT, code, &r));
		if (r.edx != 0xffffffff)
			sum += r.eax | (u64)r.ebx << 32;
	}
	const u32 extra[] = {
		isa == KVM_ISA_VMX ? KVM_EXIT_STATS_CODE_FAILED_VMENTRY : (u32)SVM_EXIT_ERR,
		KVM_EXIT_STATS_CODE_OTHER,
	};
	for (code = 0; code < ARRAY_SIZE(extra); code++) {
		assert_true(cpuid(&vm->vcpu[1], LEAF_COUNT, extra[code], &r));
		assert_int_not_equal(r.edx, 0xffffffff);
		assert_int_not_equal(r.eax, 0);
		sum += r.eax | (u64)r.ebx << 32;
	}
	assert_true(cpuid(&vm->vcpu[2], LEAF_TOTAL, 0, &r));
	total = r.eax | (u64)r.edx << 32;
	if (sum != total)
		fail_msg("isa %u: wanted the answers to add up to the total %llu, got %llu",
			 isa, total, sum);
	vm_destroy(vm);
}

static void test_answers_add_up_vmx(void **state)
{
	(void)state;
	sum_of_answers_is_total(KVM_ISA_VMX, 0xffff);
}

static void test_answers_add_up_svm(void **state)
{
	(void)state;
	sum_of_answers_is_total(KVM_ISA_SVM, 0x1000);
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
	s = vm->vcpu[0].exit_stats;
	s->fig[idx(EXIT_REASON_CR_ACCESS)] = big;
	s->exits = big;
	s->fig[idx(EXIT_REASON_CR_ACCESS) + 1] = cyc;
	s->cycles_in_kvm = cyc;
	assert_true(cpuid(&vm->vcpu[0], LEAF_COUNT, EXIT_REASON_CR_ACCESS, &r));
	assert_regs(&r, (u32)big, big >> 32, 0, 0);
	assert_true(cpuid(&vm->vcpu[0], LEAF_CYCLES, EXIT_REASON_CR_ACCESS, &r));
	assert_regs(&r, 0, cyc >> 32, (u32)cyc, 0);
	count_exit(&vm->vcpu[0], EXIT_REASON_CR_ACCESS);
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
	exits(&vm->vcpu[3], 0x80000000 | EXIT_REASON_INVALID_STATE, 1);
	for (i = 0; i < 4; i++) {
		assert_true(cpuid(&vm->vcpu[i], LEAF_COUNT, EXIT_REASON_HLT, &r));
		assert_int_equal(r.eax, 1 + 2 + 3 + 4);
		assert_true(cpuid(&vm->vcpu[i], LEAF_TOTAL, 0, &r));
		assert_int_equal(r.eax, 11);
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

/* Cycles run from the exit's count to the next entry, charged to its slot. */
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
 * An exit the fastpath handles and re-enters (SVM WRMSR to the TSC
 * deadline) is counted like any other: svm_vcpu_run() counts it right
 * after the exit, before the fastpath runs. Its short time in KVM is not
 * timed: KVM reads no TSC for it (the mark would be older than the entry
 * before it), so it charges nothing rather than the guest's time.
 */
static void test_fastpath_reentry_counted(void **state)
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
	kvm_exit_stats_enter(v);			/* 50 */
	count_exit(v, SVM_EXIT_MSR);			/* re-entered, at 400 */
	shim_tsc = 420;
	kvm_exit_stats_enter(v);			/* not timed */
	exit_once(v, SVM_EXIT_MSR, 1000, 1100);
	shim_tsc = 1130;
	kvm_exit_stats_enter(v);			/* 30 */
	assert_true(cpuid(v, LEAF_COUNT, SVM_EXIT_MSR, &r));
	assert_regs(&r, 3, 0, 0, 0);
	assert_true(cpuid(v, LEAF_CYCLES, SVM_EXIT_MSR, &r));
	assert_regs(&r, 0, 0, 80, 0);
	vm_destroy(vm);
}

/*
 * KVM's TSC read after the exit is reused through the guest TSC it made:
 * with an offset and a scaling ratio (1.5) the host cycles come back.
 */
static void test_cycles_through_tsc_scaling(void **state)
{
	struct kvm_vcpu *v;
	struct vm *vm;
	struct regs r;

	(void)state;
	setup_vmx();
	vm = vm_create(1);
	v = &vm->vcpu[0];
	v->arch.l1_tsc_offset = 123456789;
	v->arch.l1_tsc_scaling_ratio = kvm_caps.default_tsc_scaling_ratio / 2 * 3;
	exit_once(v, EXIT_REASON_CPUID, 1000, 5000);
	shim_tsc = 5250;
	kvm_exit_stats_enter(v);
	assert_true(cpuid(v, LEAF_CYCLES, EXIT_REASON_CPUID, &r));
	assert_regs(&r, 0, 0, 250, 0);
	vm_destroy(vm);
}

/*
 * A guest slower than the host (ratio 0.5) writes its TSC during an exit:
 * l1_tsc_offset moves after KVM's read. The exit is timed from KVM's read
 * all the same, on the entry and on a put alike: the hook takes the mark
 * before the offset moves (without it the mark wrapped to near 2^64 here,
 * and scaling that up faulted in the host).
 */
static void test_tsc_write_during_exit(void **state)
{
	struct kvm_vcpu *v;
	struct vm *vm;
	struct regs r;

	(void)state;
	set_mode("cycles");
	setup_vmx();
	vm = vm_create(1);
	v = &vm->vcpu[0];
	v->arch.l1_tsc_offset = 1000;
	v->arch.l1_tsc_scaling_ratio = kvm_caps.default_tsc_scaling_ratio / 2;
	kvm_exit_stats_run(v, true);		/* in KVM_RUN */
	exit_once(v, EXIT_REASON_MSR_WRITE, 1000, 5000);
	shim_tsc = 5500;			/* the guest's WRMSR(IA32_TSC) */
	kvm_writes_tsc_offset(v, v->arch.l1_tsc_offset + 1000000);
	v->arch.last_guest_tsc = guest_tsc(v);
	shim_tsc = 6000;
	kvm_exit_stats_enter(v);
	assert_true(cpuid(v, LEAF_CYCLES, EXIT_REASON_MSR_WRITE, &r));
	assert_regs(&r, 0, 0, 1000, 0);
	/* The same, put before the entry (preempted while handling it). */
	exit_once(v, EXIT_REASON_MSR_WRITE, 7000, 8000);
	kvm_writes_tsc_offset(v, v->arch.l1_tsc_offset + 1000000);
	shim_tsc = 9500;
	v->preempted = true;
	__kvm_exit_stats_put(v);
	assert_true(cpuid(v, LEAF_CYCLES, EXIT_REASON_MSR_WRITE, &r));
	assert_regs(&r, 0, 0, 2500, 0);
	vm_destroy(vm);
}

/*
 * A clock update before the entry (kvm_guest_time_update(): on every entry
 * of a guest whose TSC runs faster than the host's, tsc_always_catchup)
 * moves the offset to catch up and rewrites last_guest_tsc: the exit's time
 * still runs from KVM's read after the exit to the entry (without the hook
 * it ran from the update: 200 here).
 */
static void test_clock_update_before_entry(void **state)
{
	struct kvm_vcpu *v;
	struct vm *vm;
	struct regs r;

	(void)state;
	set_mode("cycles");
	setup_vmx();
	vm = vm_create(1);
	v = &vm->vcpu[0];
	v->arch.l1_tsc_offset = 1000;
	exit_once(v, EXIT_REASON_HLT, 1000, 5000);
	shim_tsc = 5800;
	kvm_writes_tsc_offset(v, v->arch.l1_tsc_offset + 300);	/* catching up */
	kvm_exit_stats_tsc_change(v);
	v->arch.last_guest_tsc = guest_tsc(v);
	shim_tsc = 6000;
	kvm_exit_stats_enter(v);
	assert_true(cpuid(v, LEAF_CYCLES, EXIT_REASON_HLT, &r));
	assert_regs(&r, 0, 0, 1000, 0);
	vm_destroy(vm);
}

/*
 * VMX failed entries: one slot, read as KVM_EXIT_STATS_CODE_FAILED_VMENTRY;
 * flag bits dropped; a code outside the kernel's list read as OTHER.
 */
static void test_vmx_failed_entry_and_flags(void **state)
{
	struct vm *vm;
	struct regs r;

	(void)state;
	setup_vmx();
	vm = vm_create(1);
	count_exit(&vm->vcpu[0], VMX_EXIT_REASONS_FAILED_VMENTRY |
					   EXIT_REASON_INVALID_STATE);
	count_exit(&vm->vcpu[0], 0x10000000 | EXIT_REASON_HLT);
	count_exit(&vm->vcpu[0], 0xfffe);	/* no such reason */
	assert_true(cpuid(&vm->vcpu[0], LEAF_COUNT, EXIT_REASON_HLT, &r));
	assert_int_equal(r.eax, 1);
	assert_true(cpuid(&vm->vcpu[0], LEAF_COUNT, EXIT_REASON_INVALID_STATE, &r));
	assert_regs(&r, 0, 0, 0, 0);
	assert_true(cpuid(&vm->vcpu[0], LEAF_COUNT, KVM_EXIT_STATS_CODE_FAILED_VMENTRY, &r));
	assert_regs(&r, 1, 0, 0, 0);
	assert_true(cpuid(&vm->vcpu[0], LEAF_COUNT, KVM_EXIT_STATS_CODE_OTHER, &r));
	assert_regs(&r, 1, 0, 0, 0);
	assert_true(cpuid(&vm->vcpu[0], LEAF_COUNT, 0xfffe, &r));
	assert_regs(&r, 0, 0, 0, 0xffffffff);
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
	/* The hot exits of AMD take the inline path: the map has them. */
	assert_int_equal(kvm_exit_stats_map[SVM_EXIT_NPF], idx(SVM_EXIT_NPF));
	assert_int_not_equal(idx(SVM_EXIT_NPF), idx(0x3ff));
	assert_int_equal(idx(0x3ff), layout.other_slot * layout.stride);
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
	/* Named by the kernel, no handler: its own slot. */
	assert_true(cpuid(&vm->vcpu[0], LEAF_COUNT, (u32)SVM_EXIT_ERR, &r));
	assert_regs(&r, 1, 0, 0, 0);
	/* Named software codes are never hardware exits: zero. */
	assert_true(cpuid(&vm->vcpu[0], LEAF_COUNT, SVM_VMGEXIT_MMIO_READ, &r));
	assert_regs(&r, 0, 0, 0, 0);
	/* Handled although SVM_EXIT_REASONS has no name for it: defined. */
	assert_non_null(svm_exit_handlers[SVM_EXIT_RDPRU]);
	assert_true(cpuid(&vm->vcpu[0], LEAF_COUNT, SVM_EXIT_RDPRU, &r));
	assert_regs(&r, 0, 0, 0, 0);
	assert_true(cpuid(&vm->vcpu[0], LEAF_COUNT, 0x3ff, &r));
	assert_regs(&r, 0, 0, 0, 0xffffffff);
	assert_true(cpuid(&vm->vcpu[0], LEAF_COUNT, KVM_EXIT_STATS_CODE_OTHER, &r));
	assert_regs(&r, 1, 0, 0, 0);
	assert_true(cpuid(&vm->vcpu[0], LEAF_COUNT, SVM_EXIT_VMGEXIT + 1, &r));
	assert_regs(&r, 0, 0, 0, 0xffffffff);
	assert_true(cpuid(&vm->vcpu[0], LEAF_TOTAL, 0, &r));
	assert_int_equal(r.eax, 6 + 2 + 3 + 4 + 1 + 1);
	vm_destroy(vm);
}

/* Every SVM code up to past the table: named or handled answer a count. */
static void test_svm_sets_match_kernel(void **state)
{
	struct vm *vm;
	struct regs r;
	u32 code, i;

	(void)state;
	setup_svm();
	vm = vm_create(1);
	for (code = 0; code < 0x1000; code++) {
		bool defined = code < ARRAY_SIZE(svm_exit_handlers) &&
			       svm_exit_handlers[code];

		for (i = 0; i < ARRAY_SIZE(svm_reasons); i++)
			defined |= svm_reasons[i].code == code;
		count_exit(&vm->vcpu[0], code);
		assert_true(cpuid(&vm->vcpu[0], LEAF_COUNT, code, &r));
		if (defined)
			assert_regs(&r, 1, 0, 0, 0);
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
	static const u32 leaves[] = { 0x4ffffffb, 0x40000000, 0x50000000, 0 };
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

/*
 * Who may read: kvm.exit_stats_guest for VMs that did not choose (default
 * off), KVM_CAP_X86_EXIT_STATS per VM; "kernel" only at CPL 0. Refused
 * leaves are left to stock KVM (registers untouched).
 */
static void test_guest_policy(void **state)
{
	static const struct { int param, cap, cpl; bool answers; } cases[] = {
		{ KVM_EXIT_STATS_GUEST_OFF, -1, 0, false },
		{ KVM_EXIT_STATS_GUEST_OFF, KVM_EXIT_STATS_GUEST_KERNEL, 3, false },
		{ KVM_EXIT_STATS_GUEST_OFF, KVM_EXIT_STATS_GUEST_KERNEL, 0, true },
		{ KVM_EXIT_STATS_GUEST_OFF, KVM_EXIT_STATS_GUEST_USER, 3, true },
		{ KVM_EXIT_STATS_GUEST_KERNEL, -1, 3, false },
		{ KVM_EXIT_STATS_GUEST_KERNEL, -1, 0, true },
		/* A VM's own choice beats the module's default, both ways. */
		{ KVM_EXIT_STATS_GUEST_USER, KVM_EXIT_STATS_GUEST_OFF, 0, false },
		{ KVM_EXIT_STATS_GUEST_OFF, KVM_EXIT_STATS_GUEST_DEFAULT, 0, false },
		{ KVM_EXIT_STATS_GUEST_USER, KVM_EXIT_STATS_GUEST_DEFAULT, 3, true },
	};
	struct kvm_vcpu *v;
	struct vm *vm;
	struct regs r;
	size_t i;

	(void)state;
	setup_vmx();
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		exit_stats_guest = cases[i].param;
		vm = vm_new();
		if (cases[i].cap >= 0)
			assert_int_equal(enable_cap(&vm->kvm, cases[i].cap), 0);
		vm_add_vcpus(vm, 1);
		v = &vm->vcpu[0];
		v->shim_cpl = cases[i].cpl;
		if (cpuid(v, LEAF_TOTAL, 0, &r) != cases[i].answers)
			fail_msg("case %zu: param %d, cap %d, CPL %d: wanted %s", i,
				 cases[i].param, cases[i].cap, cases[i].cpl,
				 cases[i].answers ? "an answer" : "stock CPUID");
		if (!cases[i].answers)
			assert_regs(&r, LEAF_TOTAL, 0xdeadbeef, 0, 0xdeadbeef);
		vm_destroy(vm);
	}
}

/*
 * What a guest sees is fixed before it runs: the module parameter is read
 * when the VM is created, the capability refused once a vCPU exists, and
 * its reserved fields must be zero.
 */
static void test_guest_fixed_per_vm(void **state)
{
	struct kvm_enable_cap cap = { .args = { KVM_EXIT_STATS_GUEST_USER } };
	struct kvm_vcpu *v;
	struct vm *vm;
	struct regs r;
	int i;

	(void)state;
	setup_vmx();
	exit_stats_guest = KVM_EXIT_STATS_GUEST_OFF;
	vm = vm_create(1);
	v = &vm->vcpu[0];
	exit_stats_guest = KVM_EXIT_STATS_GUEST_USER;	/* the host changes it */
	assert_false(cpuid(v, LEAF_TOTAL, 0, &r));
	assert_int_equal(enable_cap(&vm->kvm, KVM_EXIT_STATS_GUEST_USER), -EBUSY);
	assert_false(cpuid(v, LEAF_TOTAL, 0, &r));
	assert_int_equal(vm->kvm.lock.held, 0);
	vm_destroy(vm);

	/* A VM created now takes the new value; it keeps it too. */
	vm = vm_create(1);
	exit_stats_guest = KVM_EXIT_STATS_GUEST_OFF;
	assert_true(cpuid(&vm->vcpu[0], LEAF_TOTAL, 0, &r));
	vm_destroy(vm);

	vm = vm_new();
	for (i = 1; i < 4; i++) {
		cap.args[i] = 1;
		assert_int_equal(kvm_exit_stats_enable_cap(&vm->kvm, &cap), -EINVAL);
		cap.args[i] = 0;
	}
	cap.flags = 1;
	assert_int_equal(kvm_exit_stats_enable_cap(&vm->kvm, &cap), -EINVAL);
	cap.flags = 0;
	assert_int_equal(enable_cap(&vm->kvm, KVM_EXIT_STATS_GUEST_USER + 1), -EINVAL);
	assert_int_equal(enable_cap(&vm->kvm, 1ull << 32), -EINVAL);
	assert_int_equal(vm->kvm.exit_stats_guest, KVM_EXIT_STATS_GUEST_OFF);
	assert_int_equal(kvm_exit_stats_enable_cap(&vm->kvm, &cap), 0);
	assert_int_equal(vm->kvm.exit_stats_guest, KVM_EXIT_STATS_GUEST_USER);
	assert_int_equal(vm->kvm.lock.held, 0);
	vm_destroy(vm);
}

/*
 * The discovery leaf: the highest leaf, the signature, the ABI version and
 * whether cycles are kept; only where this VM's guest may read the leaves.
 */
static void test_info_leaf(void **state)
{
	struct vm *vm;
	struct regs r;

	(void)state;
	setup_svm();
	vm = vm_create(1);
	assert_true(cpuid(&vm->vcpu[0], KVM_EXIT_STATS_LEAF_INFO, 0, &r));
	assert_regs(&r, KVM_EXIT_STATS_LEAF_TOTAL, 0x74697845, 0x74617453,
		    KVM_EXIT_STATS_ABI_VERSION | KVM_EXIT_STATS_INFO_CYCLES);
	{
		u32 sig[2] = { r.ebx, r.ecx };

		assert_memory_equal(sig, "ExitStat", 8);
	}
	vm_destroy(vm);
	set_mode("counts");
	setup_svm();
	vm = vm_create(1);
	assert_true(cpuid(&vm->vcpu[0], KVM_EXIT_STATS_LEAF_INFO, 0, &r));
	assert_int_equal(r.edx, KVM_EXIT_STATS_ABI_VERSION);
	vm_destroy(vm);
	exit_stats_guest = KVM_EXIT_STATS_GUEST_OFF;
	vm = vm_create(1);
	assert_false(cpuid(&vm->vcpu[0], KVM_EXIT_STATS_LEAF_INFO, 0, &r));
	assert_regs(&r, KVM_EXIT_STATS_LEAF_INFO, 0xdeadbeef, 0, 0xdeadbeef);
	vm_destroy(vm);
}

/*
 * A vendor module that never shook hands (built without this change) or
 * saw other struct sizes is refused, in every mode, with a message naming
 * it; the handshake goes with the vendor module's unsetup.
 */
static void test_vendor_handshake(void **state)
{
	static const char *const modes[] = { "off", "counts", "cycles" };
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		set_mode(modes[i]);
		shim_log[0] = '\0';
		assert_int_equal(kvm_exit_stats_check_vendor("kvm_intel"), -ENOEXEC);
		assert_non_null(strstr(shim_log, "kvm_intel was built without per-reason exit accounting"));
		setup_vmx();
		assert_int_equal(kvm_exit_stats_check_vendor("kvm_intel"), 0);
		kvm_exit_stats_unsetup();
		assert_int_equal(kvm_exit_stats_check_vendor("kvm_amd"), -ENOEXEC);

		__kvm_exit_stats_setup(KVM_ISA_SVM, svm_exit_handlers,
				       ARRAY_SIZE(svm_exit_handlers),
				       sizeof(struct kvm_vcpu) - 8, sizeof(struct kvm));
		assert_int_equal(kvm_exit_stats_check_vendor("kvm_amd"), -ENOEXEC);
		assert_false(kvm_exit_stats_counting.enabled);
		assert_non_null(strstr(shim_log, "built for other structs"));
		__kvm_exit_stats_setup(KVM_ISA_SVM, svm_exit_handlers,
				       ARRAY_SIZE(svm_exit_handlers),
				       sizeof(struct kvm_vcpu), sizeof(struct kvm) + 8);
		assert_int_equal(kvm_exit_stats_check_vendor("kvm_amd"), -ENOEXEC);
		assert_false(kvm_exit_stats_counting.enabled);
	}
}

/* The capability says what is counted; without accounting it is refused. */
static void test_capability(void **state)
{
	struct kvm kvm = { 0 };

	(void)state;
	setup_vmx();
	assert_int_equal(kvm_exit_stats_check_cap(),
			 KVM_EXIT_STATS_HAS_COUNTS | KVM_EXIT_STATS_HAS_CYCLES);
	set_mode("counts");
	setup_vmx();
	assert_int_equal(kvm_exit_stats_check_cap(), KVM_EXIT_STATS_HAS_COUNTS);
	set_mode("off");
	setup_vmx();
	assert_int_equal(kvm_exit_stats_check_cap(), 0);
	assert_int_equal(enable_cap(&kvm, KVM_EXIT_STATS_GUEST_USER), -EINVAL);
}

/* kvm.exit_stats_guest takes off, kernel, user; anything else is refused. */
static void test_guest_param(void **state)
{
	char buf[32];

	(void)state;
	assert_int_equal(exit_stats_guest_ops.set("kernel\n", &shim_param_exit_stats_guest), 0);
	assert_int_equal(exit_stats_guest, KVM_EXIT_STATS_GUEST_KERNEL);
	exit_stats_guest_ops.get(buf, &shim_param_exit_stats_guest);
	assert_string_equal(buf, "kernel\n");
	assert_int_equal(exit_stats_guest_ops.set("default", &shim_param_exit_stats_guest), -EINVAL);
	assert_int_equal(exit_stats_guest_ops.set("", &shim_param_exit_stats_guest), -EINVAL);
	assert_non_null(strstr(shim_log, "'default' is not one of off, kernel, user"));
	assert_int_equal(exit_stats_guest, KVM_EXIT_STATS_GUEST_KERNEL);
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
	assert_null(layout.cache);
	vm = vm_create(1);
	assert_null(vm->vcpu[0].exit_stats);
	exit_once(&vm->vcpu[0], EXIT_REASON_CPUID, 1, 2);	/* no crash */
	kvm_exit_stats_put(&vm->vcpu[0]);
	kvm_exit_stats_load(&vm->vcpu[0]);
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
	assert_null(vm->vcpu[0].exit_stats->away);
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
	assert_null(v.exit_stats);
}

/*
 * The vendor module going away (or its setup failing after the handover)
 * turns the keys off and frees the cache; a new setup starts afresh. No
 * cache, no accounting: vCPUs are created without figures.
 */
static void test_unsetup(void **state)
{
	struct kvm_vcpu v = { 0 };
	struct vm *vm;

	(void)state;
	setup_svm();
	vm = vm_create(1);
	vm_destroy(vm);
	kvm_exit_stats_unsetup();
	assert_false(kvm_exit_stats_counting.enabled);
	assert_false(kvm_exit_stats_timing.enabled);
	assert_null(layout.cache);
	assert_null(strstr(shim_log, "BUG"));
	setup_vmx();
	assert_true(kvm_exit_stats_timing.enabled);
	shim_fail_cache = 1;
	setup_svm();
	assert_false(kvm_exit_stats_counting.enabled);
	assert_false(kvm_exit_stats_timing.enabled);
	assert_non_null(strstr(shim_log, "stays off"));
	assert_int_equal(kvm_exit_stats_vcpu_create(&v), 0);
	assert_null(v.exit_stats);
}

/*
 * Per-vCPU memory: a slot per named or handled code, no gaps, in a cache
 * of cache-aligned objects (no line shared by two vCPUs): the header's
 * line, then the figures from the next line. Goals: counts at most 1 KiB,
 * cycles at most 2 KiB, on both vendors.
 */
static void test_memory_per_vcpu(void **state)
{
	static const char *const modes[] = { "counts", "cycles" };
	static const size_t limit[] = { 1024, 2048 };
	size_t m, want, named;
	int isa;
	u32 i;

	(void)state;
	assert_int_equal(offsetof(struct kvm_exit_stats, fig), 64);
	assert_true(offsetof(struct kvm_exit_stats, away) < 64);
	for (m = 0; m < ARRAY_SIZE(modes); m++) {
		set_mode(modes[m]);
		for (isa = 0; isa < 2; isa++) {
			if (isa)
				setup_svm();
			else
				setup_vmx();
			/*
			 * A slot per defined code and other; VMX's three
			 * entry failures share FAILED_VMENTRY's, SVM's ERR
			 * (-1) has one beyond the map's range.
			 */
			for (i = 0, named = 0; i < KVM_EXIT_STATS_MAP_SIZE; i++)
				named += exit_stats_defined(i);
			assert_int_equal(layout.nr_slots, isa ? named + 2 : named - 2 + 1);
			want = 64 + 8 * layout.stride * layout.nr_slots;
			if (layout.stride == 2)
				want += sizeof(struct kvm_exit_stats_away_table);
			want = (want + 63) / 64 * 64;
			assert_int_equal(layout.cache->size, want);
			if (layout.cache->size > limit[m])
				fail_msg("%s %s: %zu bytes per vCPU, the goal is %zu",
					 isa ? "svm" : "vmx", modes[m], layout.cache->size,
					 limit[m]);
			print_message("%s %s: %u slots, %zu bytes per vCPU\n", isa ? "svm" : "vmx",
				      modes[m], layout.nr_slots, layout.cache->size);
		}
	}
}

/* An exit, then KVM puts the vCPU (@why) at @put and loads it at @load. */
static void away_once(struct kvm_vcpu *v, u32 code, int why, u64 put, u64 load)
{
	exit_once(v, code, 0, 1000);
	v->preempted = why == KVM_EXIT_STATS_PREEMPTED;
	shim_tsc = put;
	if (why == KVM_EXIT_STATS_VMM)
		kvm_exit_stats_run(v, false);	/* KVM_RUN returns */
	if (why == KVM_EXIT_STATS_HALTED)
		kvm_exit_stats_halt(v, true);	/* vcpu_block() */
	kvm_exit_stats_put(v);
	v->preempted = false;
	if (why == KVM_EXIT_STATS_VMM || why == KVM_EXIT_STATS_HALTED) {
		/* Woken and asleep again, or the VMM's other ioctls. */
		shim_tsc = put + 10;
		kvm_exit_stats_load(v);
		shim_tsc = put + 20;
		kvm_exit_stats_put(v);
	}
	shim_tsc = load;
	kvm_exit_stats_load(v);
	if (why == KVM_EXIT_STATS_VMM)
		kvm_exit_stats_run(v, true);	/* the next KVM_RUN */
	if (why == KVM_EXIT_STATS_HALTED)
		kvm_exit_stats_halt(v, false);	/* runnable again */
}

/*
 * The clock stops while the vCPU is away: the exit's cycles are KVM's own
 * time on the CPU (before the put, after the load), the time away goes to
 * its own row, per kind.
 */
static void test_time_away(void **state)
{
	static const u32 codes[KVM_EXIT_STATS_NR_AWAY] = {
		[KVM_EXIT_STATS_HALTED] = EXIT_REASON_HLT,
		[KVM_EXIT_STATS_VMM] = EXIT_REASON_IO_INSTRUCTION,
		[KVM_EXIT_STATS_PREEMPTED] = EXIT_REASON_EXTERNAL_INTERRUPT,
		[KVM_EXIT_STATS_SLEEP] = EXIT_REASON_EPT_VIOLATION,
	};
	struct exit_stats_sum sum;
	struct kvm_vcpu *v;
	struct vm *vm;
	struct regs r;
	unsigned int k, j;

	(void)state;
	for (k = 0; k < KVM_EXIT_STATS_NR_AWAY; k++) {
		setup_vmx();
		vm = vm_create(1);
		v = &vm->vcpu[0];
		kvm_exit_stats_run(v, true);
		away_once(v, codes[k], k, 1100, 9100);	/* 100 in KVM, 8000 away */
		shim_tsc = 9150;
		kvm_exit_stats_enter(v);		/* and 50 in KVM */
		assert_true(cpuid(v, LEAF_TOTAL, 0, &r));
		assert_regs(&r, 1, 0, 150, 0);
		exit_stats_sum(&vm->kvm, exit_stats_slot(codes[k]), &sum);
		if (sum.cycles != 150)
			fail_msg("%s: wanted 150 cycles in KVM, got %llu",
				 exit_stats_away_names[k], sum.cycles);
		for (j = 0; j < KVM_EXIT_STATS_NR_AWAY; j++)
			if (sum.away[j] != (j == k ? 8000 : 0))
				fail_msg("%s: wanted %s %u, got %llu",
					 exit_stats_away_names[k], exit_stats_away_names[j],
					 j == k ? 8000 : 0, sum.away[j]);
		vm_destroy(vm);
	}
}

/*
 * Puts and loads with no exit pending (before the first exit, or between
 * an entry and the next exit) charge nothing, and never lose the state.
 */
static void test_away_without_exit(void **state)
{
	struct kvm_vcpu *v;
	struct vm *vm;
	struct regs r;

	(void)state;
	setup_vmx();
	vm = vm_create(1);
	v = &vm->vcpu[0];
	shim_tsc = 10;
	kvm_exit_stats_load(v);			/* vcpu_create()'s own */
	kvm_exit_stats_put(v);
	kvm_exit_stats_run(v, true);
	v->preempted = true;
	shim_tsc = 50;
	kvm_exit_stats_put(v);
	shim_tsc = 500;
	kvm_exit_stats_load(v);
	v->preempted = false;
	exit_once(v, EXIT_REASON_CPUID, 600, 1000);
	shim_tsc = 1040;
	kvm_exit_stats_enter(v);
	assert_true(cpuid(v, LEAF_TOTAL, 0, &r));
	assert_regs(&r, 1, 0, 40, 0);
	assert_int_equal(v->exit_stats->where, KVM_EXIT_STATS_IN_KVM);
	vm_destroy(vm);
}

/*
 * The time away lives in a small table per vCPU: more (reason, kind) pairs
 * than it has rows overflow into the "other" row's figures, per kind, so
 * that nothing is lost and every column still adds up to its total.
 */
static void test_away_table_overflow(void **state)
{
	struct exit_stats_sum sum, all = { 0 }, other;
	struct kvm_vcpu *v;
	struct vm *vm;
	u32 code, n = 0, slot;
	u64 t = 0, total = 0;
	unsigned int k;
	char *text;

	(void)state;
	setup_svm();
	vm = vm_create(1);
	v = &vm->vcpu[0];
	kvm_exit_stats_create_debugfs(&vm->kvm);
	kvm_exit_stats_run(v, true);
	/* 24 reasons, each once halted and once in the VMM: 48 pairs. */
	for (code = SVM_EXIT_READ_CR0; n < 24; code++) {
		if (!exit_stats_defined(code))
			continue;
		n++;
		for (k = KVM_EXIT_STATS_HALTED; k <= KVM_EXIT_STATS_VMM; k++) {
			exit_once(v, code, t, t + 10);
			shim_tsc = t + 20;
			if (k == KVM_EXIT_STATS_HALTED)
				kvm_exit_stats_halt(v, true);
			else
				kvm_exit_stats_run(v, false);
			shim_tsc = t + 20 + 100 * n + k;
			if (k == KVM_EXIT_STATS_HALTED)
				kvm_exit_stats_halt(v, false);
			else
				kvm_exit_stats_run(v, true);
			total += 100 * n + k;
			t += 100000;
		}
	}
	for (slot = 0; slot < layout.nr_slots; slot++) {
		exit_stats_sum(&vm->kvm, slot, &sum);
		for (k = 0; k < KVM_EXIT_STATS_NR_AWAY; k++)
			all.away[k] += sum.away[k];
	}
	assert_true(all.away[KVM_EXIT_STATS_HALTED] + all.away[KVM_EXIT_STATS_VMM] == total);
	exit_stats_sum(&vm->kvm, layout.other_slot, &other);
	assert_int_equal(other.count, 0);
	assert_true(other.away[KVM_EXIT_STATS_HALTED] > 0 && other.away[KVM_EXIT_STATS_VMM] > 0);
	/* The first pairs kept rows of their own. */
	exit_stats_sum(&vm->kvm, exit_stats_slot(SVM_EXIT_READ_CR0), &sum);
	assert_true(sum.away[KVM_EXIT_STATS_HALTED] == 100 && sum.away[KVM_EXIT_STATS_VMM] == 101);
	/* debugfs shows "other" for its time away, with no exits. */
	text = read_debugfs(&vm->kvm);
	assert_non_null(strstr(text, "     other other                                 0                    0 "));
	vm_destroy(vm);
}

/* The preemption shim_preempt_hook plays: out at +1000, in at +5000. */
static struct kvm_vcpu *preempt_vcpu;
static void preempt_now(void)
{
	u64 at = shim_tsc;

	shim_preempt_count++;			/* the notifiers run atomic */
	preempt_vcpu->preempted = true;
	shim_tsc = at + 1000;
	kvm_exit_stats_put(preempt_vcpu);	/* kvm_sched_out() */
	shim_tsc = at + 5000;
	kvm_exit_stats_load(preempt_vcpu);	/* kvm_sched_in() */
	preempt_vcpu->preempted = false;
	shim_preempt_count--;
}

/*
 * Time is charged once: the run and halt hooks run preemptible, and a
 * preemption right after their TSC read must not charge an interval to
 * two rows.  Every TSC cycle from the exit to the next entry lands in
 * exactly one figure: cycles + halted + vmm + preempted + sleep equals
 * the time that passed.
 */
static void test_preemption_charges_once(void **state)
{
	static const int where[] = { KVM_EXIT_STATS_VMM, KVM_EXIT_STATS_HALTED };
	struct exit_stats_sum sum;
	struct kvm_vcpu *v;
	struct vm *vm;
	u64 total;
	size_t i, k;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(where); i++) {
		setup_vmx();
		vm = vm_create(1);
		v = preempt_vcpu = &vm->vcpu[0];
		kvm_exit_stats_run(v, true);
		exit_once(v, EXIT_REASON_HLT, 0, 1000);
		shim_tsc = 2000;			/* leaves KVM at 2000 */
		shim_preempt_hook = preempt_now;	/* ...preempted there */
		if (where[i] == KVM_EXIT_STATS_VMM)
			kvm_exit_stats_run(v, false);
		else
			kvm_exit_stats_halt(v, true);
		assert_null(shim_preempt_hook);		/* the hook did run */
		shim_tsc = 20000;
		if (where[i] == KVM_EXIT_STATS_VMM)
			kvm_exit_stats_run(v, true);
		else
			kvm_exit_stats_halt(v, false);
		shim_tsc = 21000;
		kvm_exit_stats_enter(v);
		exit_stats_sum(&vm->kvm, exit_stats_slot(EXIT_REASON_HLT), &sum);
		total = sum.cycles;
		for (k = 0; k < KVM_EXIT_STATS_NR_AWAY; k++)
			total += sum.away[k];
		if (total != 21000 - 1000)
			fail_msg("%s: %llu cycles charged for 20000 that passed (cycles %llu halted %llu vmm %llu preempted %llu sleep %llu)",
				 exit_stats_away_names[where[i]], total, sum.cycles,
				 sum.away[0], sum.away[1], sum.away[2], sum.away[3]);
		/* Halted, the preemption is preempted time, not halted. */
		if (sum.away[KVM_EXIT_STATS_PREEMPTED] != (where[i] == KVM_EXIT_STATS_HALTED ? 4000 : 0))
			fail_msg("%s: preempted %llu", exit_stats_away_names[where[i]],
				 sum.away[KVM_EXIT_STATS_PREEMPTED]);
		assert_int_equal(shim_preempt_count, 0);
		vm_destroy(vm);
	}
}

/*
 * Halted, a sleep stays halted, but a runnable vCPU scheduled out (while
 * halt-polling, or woken and not yet back) waits for a CPU: preempted,
 * then halted again until vcpu_block() ends.
 */
static void test_preempted_while_halted(void **state)
{
	struct exit_stats_sum sum;
	struct kvm_vcpu *v;
	struct vm *vm;

	(void)state;
	setup_vmx();
	vm = vm_create(1);
	v = &vm->vcpu[0];
	kvm_exit_stats_run(v, true);
	exit_once(v, EXIT_REASON_HLT, 0, 1000);
	shim_tsc = 2000;
	kvm_exit_stats_halt(v, true);		/* vcpu_block() */
	kvm_exit_stats_put(v);			/* asleep */
	shim_tsc = 5000;
	kvm_exit_stats_load(v);			/* woken */
	v->preempted = true;
	shim_tsc = 6000;
	kvm_exit_stats_put(v);			/* preempted before it goes on */
	v->preempted = false;
	shim_tsc = 9000;
	kvm_exit_stats_load(v);
	shim_tsc = 9500;
	kvm_exit_stats_halt(v, false);		/* runnable again */
	shim_tsc = 10000;
	kvm_exit_stats_enter(v);
	exit_stats_sum(&vm->kvm, exit_stats_slot(EXIT_REASON_HLT), &sum);
	if (sum.cycles != 1500 || sum.away[KVM_EXIT_STATS_HALTED] != 4500 ||
	    sum.away[KVM_EXIT_STATS_PREEMPTED] != 3000 || sum.away[KVM_EXIT_STATS_VMM] ||
	    sum.away[KVM_EXIT_STATS_SLEEP])
		fail_msg("wanted cycles 1500 halted 4500 preempted 3000, got cycles %llu halted %llu vmm %llu preempted %llu sleep %llu",
			 sum.cycles, sum.away[0], sum.away[1], sum.away[2], sum.away[3]);
	vm_destroy(vm);
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

/* debugfs lists non-zero rows: name, count, cycles in KVM and away. */
static void test_debugfs_rows(void **state)
{
	struct vm *vm;
	char *text;

	(void)state;
	setup_vmx();
	vm = vm_create(2);
	kvm_exit_stats_create_debugfs(&vm->kvm);
	kvm_exit_stats_run(&vm->vcpu[1], true);
	exit_once(&vm->vcpu[0], EXIT_REASON_EPT_VIOLATION, 0, 10);
	exit_once(&vm->vcpu[1], EXIT_REASON_EPT_VIOLATION, 0, 10);
	shim_tsc = 110;
	kvm_exit_stats_enter(&vm->vcpu[0]);
	count_exit(&vm->vcpu[0], VMX_EXIT_REASONS_FAILED_VMENTRY |
					   EXIT_REASON_INVALID_STATE);
	away_once(&vm->vcpu[1], EXIT_REASON_HLT, KVM_EXIT_STATS_HALTED, 1030, 1530);
	shim_tsc = 1540;
	kvm_exit_stats_enter(&vm->vcpu[1]);
	text = read_debugfs(&vm->kvm);
	assert_non_null(strstr(text, "# isa vmx mode cycles exits 4 cycles 140 halted 500 vmm 0 preempted 0 sleep 0\n"));
	assert_non_null(strstr(text, "        48 EPT_VIOLATION                         2                  100                    0                    0                    0                    0\n"));
	assert_non_null(strstr(text, "        12 HLT                                   1                   40                  500                    0                    0                    0\n"));
	assert_non_null(strstr(text, "0x80000000 FAILED_VMENTRY                        1                    0"));
	assert_null(strstr(text, "CPUID"));
	exit_stats_all = true;
	text = read_debugfs(&vm->kvm);
	assert_non_null(strstr(text, " CPUID "));
	assert_null(strstr(text, "undefined"));	/* holes stay hidden */
	vm_destroy(vm);
}

static struct kvm_vcpu *racing_vcpu;

/* An exit on another CPU while the file is being written, once. */
static void exit_meanwhile(void)
{
	shim_seq_hook = NULL;
	count_exit(racing_vcpu, EXIT_REASON_EPT_VIOLATION);
}

/*
 * The file is one reading of the figures: an exit counted while it is
 * being written shows in neither its header nor its rows, so the rows
 * still add up to the header.
 */
static void test_debugfs_one_reading(void **state)
{
	struct vm *vm;
	char *text;

	(void)state;
	setup_vmx();
	vm = vm_create(1);
	kvm_exit_stats_create_debugfs(&vm->kvm);
	exit_once(&vm->vcpu[0], EXIT_REASON_EPT_VIOLATION, 0, 10);
	racing_vcpu = &vm->vcpu[0];
	shim_seq_hook = exit_meanwhile;
	text = read_debugfs(&vm->kvm);
	assert_null(shim_seq_hook);		/* it ran */
	assert_non_null(strstr(text, " exits 1 cycles "));
	assert_non_null(strstr(text, "        48 EPT_VIOLATION                         1 "));
	/* The next reading has it. */
	text = read_debugfs(&vm->kvm);
	assert_non_null(strstr(text, " exits 2 cycles "));
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
	exits(&vm->vcpu[0], 0x7f0, 2);		/* no such code: the other row */
	kvm_exit_stats_vm_destroy(&vm->kvm);
	assert_string_equal(shim_log, "");
	exit_stats_dmesg = true;
	vm_destroy(vm);
	assert_non_null(strstr(shim_log, "kvm: exit stats of VM of pid 4242: 7 exits, 0 cycles in KVM\n"));
	assert_non_null(strstr(shim_log, "kvm:   reason 0x400 npf: 5 exits, 0 cycles in KVM, 0 halted, 0 in the VMM, 0 preempted, 0 sleeping\n"));
	/* Its code is the interface's OTHER, not SVM_EXIT_ERR's 0xffffffff. */
	assert_non_null(strstr(shim_log, "kvm:   reason 0xfffffffe other: 2 exits,"));
}

/* kvm.exit_stats as the module starts, before any test sets it. */
static int default_mode;

/* The default keeps counts alone: no TSC read per exit, the least memory. */
static void test_default_mode_counts(void **state)
{
	(void)state;
	assert_string_equal(exit_stats_mode_names[default_mode], "counts");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup(fn, reset)
		T(test_default_mode_counts),
		T(test_count_of_handled_reason),
		T(test_query_counts_itself),
		T(test_ecx_boundaries_vmx),
		T(test_reflected_exits_answer),
		T(test_vmx_sets_match_kernel),
		T(test_answers_add_up_vmx),
		T(test_answers_add_up_svm),
		T(test_64bit_split),
		T(test_sum_over_vcpus),
		T(test_per_vm_scope),
		T(test_cycles_exit_to_entry),
		T(test_cycles_backwards_tsc),
		T(test_fastpath_reentry_counted),
		T(test_cycles_through_tsc_scaling),
		T(test_vmx_failed_entry_and_flags),
		T(test_svm_codes),
		T(test_svm_sets_match_kernel),
		T(test_foreign_leaves_untouched),
		T(test_guest_policy),
		T(test_guest_fixed_per_vm),
		T(test_info_leaf),
		T(test_vendor_handshake),
		T(test_capability),
		T(test_guest_param),
		T(test_mode_off),
		T(test_mode_counts),
		T(test_bad_mode_refused),
		T(test_vcpu_create_enomem),
		T(test_unsetup),
		T(test_memory_per_vcpu),
		T(test_tsc_write_during_exit),
		T(test_clock_update_before_entry),
		T(test_time_away),
		T(test_away_without_exit),
		T(test_preemption_charges_once),
		T(test_preempted_while_halted),
		T(test_away_table_overflow),
		T(test_debugfs_rows),
		T(test_debugfs_one_reading),
		T(test_debugfs_dying_vm),
		T(test_dmesg_summary),
#undef T
	};

	default_mode = exit_stats_mode;
	return cmocka_run_group_tests_name("exit_stats", tests, NULL, NULL);
}
