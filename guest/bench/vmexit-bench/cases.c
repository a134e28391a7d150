// SPDX-License-Identifier: GPL-2.0-only
/*
 * The cases: one row each in bench_cases[], a function that does @n
 * operations (and checks them) and one that says whether it can run here.
 * Which exit each one causes is in docs/benchmarks.md.
 */
#include "bench.h"

#define HC_NONE			0		/* no hypercall of KVM's... */
#define KVM_ENOSYS		1000		/* ...so it answers -KVM_ENOSYS */
#define PORT_PIT_SPEAKER	0x61		/* KVM's PIT (KVM_PIT_SPEAKER_DUMMY) */
#define PORT_POST		0x80		/* nobody's: the VMM's to ignore */
#define LEAF_TOTAL		0x4fffffffu	/* exitscope: all exits of the VM */
#define LEAF_CODE		0x4ffffffeu	/* exitscope: exits of code ECX */
#define CODE_UNDEFINED		0xffff0000u	/* a code no ISA defines */
#define TIMER_PROBE_TICKS	(1ull << 31)
#define HYPERCALL_WAIT		100000000u	/* x2APIC ticks: 100 ms on KVM */
#define MSR_APIC_BASE		0x1b		/* always intercepted by KVM */
#define APIC_BASE_EN		(1ull << 11)
#define X2APIC_ICR		0x830
#define X2APIC_TMICT		0x838
#define ICR_SELF		(1ull << 18)	/* destination shorthand: self */
#define IPI_VECTOR		0x40
#define MMIO_IOAPIC		0xfec00000ul	/* KVM's in-kernel IOAPIC: IOREGSEL */
#define MMIO_NOBODY		0x30000000ul	/* 768 MiB: past the VM's RAM, no device */

struct bench_env bench_env;

/* Why a check failed, in the vCPU's own buffer. */
static const char *why(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *why(const char *fmt, ...)
{
	static char buf[RT_MAX_CPUS][128];
	char *b = buf[this_cpu()->index];
	va_list ap;

	va_start(ap, fmt);
	rt_vsnprintf(b, sizeof(buf[0]), fmt, ap);
	va_end(ap);
	return b;
}

/* cpuid: leaf 0, which KVM answers from its table in the kernel. */
static const char *run_cpuid(uint64_t n)
{
	uint32_t eax = bench_env.max_leaf;

	while (n--)
		eax = rt_cpuid(0, 0).eax;
	return eax == bench_env.max_leaf ? NULL :
		why("CPUID 0 answered EAX 0x%x, before 0x%x", eax, bench_env.max_leaf);
}

/* vmcall: a hypercall KVM does not know, answered in the kernel. */
static uint64_t hypercall(void)
{
	uint64_t rax = HC_NONE;

	/* The other vendor's instruction would #UD, and KVM would patch it. */
	if (bench_env.amd)
		asm volatile("vmmcall" : "+a"(rax) :: "memory");
	else
		asm volatile("vmcall" : "+a"(rax) :: "memory");
	return rax;
}

static const char *run_vmcall(uint64_t n)
{
	uint64_t rax = -(uint64_t)KVM_ENOSYS;

	while (n--)
		rax = hypercall();
	return rax == -(uint64_t)KVM_ENOSYS ? NULL :
		why("the hypercall answered 0x%llx", (unsigned long long)rax);
}

static void probe_hypercall(void *answer)
{
	*(uint64_t *)answer = hypercall();
}

static const char *valid_vmcall(void)
{
	const char *insn = bench_env.amd ? "VMMCALL" : "VMCALL";
	uint64_t rax = 0;
	int v;

	if (!bench_env.amd && !bench_env.intel)
		return "the CPU is neither Intel's nor AMD's: which hypercall instruction?";
	/* Some hosts (PVM) never complete it: the timer ends the wait. */
	if (!this_cpu()->x2apic)
		return why("no x2APIC timer to stop a %s that would not complete", insn);
	v = rt_try_within(probe_hypercall, &rax, HYPERCALL_WAIT);
	if (v == RT_TIMER_VECTOR)
		return why("%s did not complete within %u x2APIC timer ticks", insn, HYPERCALL_WAIT);
	if (v >= 0)
		return why("%s raised %s", insn, rt_exception_name(v));
	if (rax != -(uint64_t)KVM_ENOSYS)
		return why("%s of no hypercall answered 0x%llx, not -KVM_ENOSYS (-1000)", insn,
			   (unsigned long long)rax);
	return NULL;
}

/* pio_kernel: a port KVM emulates itself (the PIT's speaker port). */
static const char *run_pio_kernel(uint64_t n)
{
	uint8_t v = 0;

	while (n--)
		v = rt_inb(PORT_PIT_SPEAKER);
	return v != 0xff ? NULL : why("port 0x61 read 0xff: no in-kernel PIT answered");
}

static const char *valid_pio_kernel(void)
{
	/* A port nobody claims reads as all ones (the VMM's answer). */
	return rt_inb(PORT_PIT_SPEAKER) != 0xff ? NULL :
		"port 0x61 reads 0xff: no in-kernel PIT answers it";
}

/* pio_vmm: a port KVM leaves to the VMM (KVM_EXIT_IO). */
static const char *run_pio_vmm(uint64_t n)
{
	while (n--)
		rt_outb(PORT_POST, 0);
	return NULL;
}

/* pf: a page made not present, touched, made present by the #PF handler. */
static uint8_t pf_pages[RT_MAX_CPUS][RT_PAGE_SIZE] __attribute__((aligned(RT_PAGE_SIZE)));
static volatile uint64_t pf_hits[RT_MAX_CPUS];

static bool on_page_fault(struct rt_frame *f)
{
	unsigned int i = this_cpu()->index;
	uint64_t *pte = rt_pte(pf_pages[i]);

	(void)f;
	if (rt_read_cr2() != (uint64_t)pf_pages[i] || (*pte & RT_PTE_P))
		return false;		/* not ours: the runtime reports it */
	*pte |= RT_PTE_P;
	pf_hits[i]++;
	return true;
}

static const char *run_pf(uint64_t n)
{
	unsigned int i = this_cpu()->index;
	volatile uint8_t *page = pf_pages[i];
	uint64_t *pte = rt_pte(pf_pages[i]), before = pf_hits[i], k;

	for (k = 0; k < n; k++) {
		*pte &= ~RT_PTE_P;
		rt_invlpg(pf_pages[i]);
		(void)*page;
	}
	return pf_hits[i] - before == n ? NULL :
		why("%llu page faults handled for %llu touches",
		    (unsigned long long)(pf_hits[i] - before), (unsigned long long)n);
}

static const char *valid_pf(void)
{
	return rt_pte(pf_pages[RT_MAX_CPUS - 1]) ? NULL :
		"the test pages lie outside the 4 KiB-mapped first 2 MiB";
}

/* cr3: CR3 written with its own value (a TLB flush, nothing else). */
static const char *run_cr3(uint64_t n)
{
	uint64_t cr3 = rt_read_cr3();

	while (n--)
		rt_write_cr3(cr3);
	return rt_read_cr3() == cr3 ? NULL : why("CR3 reads 0x%llx after writing 0x%llx",
						 (unsigned long long)rt_read_cr3(),
						 (unsigned long long)cr3);
}

/* hlt: halted until a one-shot x2APIC timer interrupt wakes the vCPU. */
static volatile uint64_t timer_irqs[RT_MAX_CPUS];

static bool on_timer(struct rt_frame *f)
{
	(void)f;
	timer_irqs[this_cpu()->index]++;
	rt_apic_eoi();
	return true;
}

static const char *run_hlt(uint64_t n)
{
	unsigned int i = this_cpu()->index;
	uint64_t before = timer_irqs[i], seen, k;

	for (k = 0; k < n; k++) {
		seen = timer_irqs[i];
		rt_apic_timer_oneshot(bench_env.timer_count);
		while (timer_irqs[i] == seen) {
			rt_sti_hlt();		/* no interrupt comes between STI and HLT */
			rt_cli();
		}
	}
	return timer_irqs[i] - before == n ? NULL :
		why("%llu timer interrupts for %llu one-shot timers",
		    (unsigned long long)(timer_irqs[i] - before), (unsigned long long)n);
}

/*
 * tick: a periodic x2APIC timer (period @timer) while the vCPU computes
 * with interrupts on, a guest's busy tick; an operation is one tick. Where
 * the host arms guest timers as its own hrtimers (SVM; VMX without the
 * preemption timer) each is a host interrupt exit, then the EOI's. Not a
 * cost per exit: `exitscope explain`'s lab workload for host interrupts.
 */
static const char *run_tick(uint64_t n)
{
	unsigned int i = this_cpu()->index;
	uint64_t before = timer_irqs[i];

	rt_apic_timer_periodic(bench_env.timer_count);
	rt_sti();
	while (timer_irqs[i] - before < n)
		asm volatile("" ::: "memory");
	rt_cli();
	rt_apic_timer_periodic(0);
	/* A tick that came meanwhile is taken here, not in the next case. */
	asm volatile("sti; nop; cli" ::: "memory");
	return NULL;
}

/*
 * pause: PAUSE in a spin loop, a vCPU waiting on a lock; an operation is
 * one PAUSE. Where the CPU has pause-loop exiting (VMX PLE, SVM's pause
 * filter) and KVM uses it, a spin longer than the window exits; KVM then
 * widens the window, and narrows it again when the vCPU's thread is
 * scheduled back in: on a host with more runnable threads than CPUs, the
 * exits keep coming. Not a cost per exit either: `exitscope explain`'s
 * lab workload for pause loops.
 */
static const char *run_pause(uint64_t n)
{
	while (n--)
		rt_pause();
	return NULL;
}

static const char *valid_x2apic(void);

static const char *valid_hlt(void)
{
	uint64_t before = timer_irqs[0], start = rt_rdtsc();
	const char *w = valid_x2apic();

	if (w)
		return w;
	/* A timer that never fires would halt the case for good. */
	rt_apic_timer_oneshot(bench_env.timer_count);
	rt_sti();
	while (timer_irqs[0] == before && rt_rdtsc() - start < TIMER_PROBE_TICKS)
		rt_pause();
	rt_cli();
	return timer_irqs[0] != before ? NULL :
		why("the x2APIC timer (count %u) did not fire within %llu TSC ticks",
		    bench_env.timer_count, (unsigned long long)TIMER_PROBE_TICKS);
}

/* msr_read: RDMSR of IA32_APIC_BASE, which KVM intercepts on both vendors. */
static const char *run_msr_read(uint64_t n)
{
	uint64_t v = 0;

	while (n--)
		v = rt_rdmsr(MSR_APIC_BASE);
	return v & APIC_BASE_EN ? NULL :
		why("IA32_APIC_BASE read 0x%llx: the APIC is not enabled", (unsigned long long)v);
}

/*
 * msr_write: WRMSR of the x2APIC timer's initial count, 0: a timer stopped
 * that was not running, as a guest kernel's timer code does. Intercepted
 * even where APICv or AVIC virtualizes the APIC (the timer is KVM's).
 */
static const char *run_msr_write(uint64_t n)
{
	while (n--)
		rt_wrmsr(X2APIC_TMICT, 0);
	return NULL;
}

static const char *valid_x2apic(void)
{
	unsigned int i;

	for (i = 0; i < rt_nr_cpus; i++)
		if (!bench_env.x2apic[i])
			return why("vCPU %u has no x2APIC (CPUID.1:ECX[21], or enabling it faulted)", i);
	return NULL;
}

/* ipi: a self-IPI through the x2APIC ICR, taken and EOI'd. */
static volatile uint64_t ipi_irqs[RT_MAX_CPUS];

static bool on_ipi(struct rt_frame *f)
{
	(void)f;
	ipi_irqs[this_cpu()->index]++;
	rt_apic_eoi();
	return true;
}

/* Sent, then waited for: an IPI's whole round trip. */
static void self_ipi(unsigned int i)
{
	uint64_t seen = ipi_irqs[i];

	rt_wrmsr(X2APIC_ICR, ICR_SELF | IPI_VECTOR);
	while (ipi_irqs[i] == seen)
		rt_pause();
}

static const char *run_ipi(uint64_t n)
{
	unsigned int i = this_cpu()->index;
	uint64_t before, k;

	/* An IPI still pending from before is taken here, not counted. */
	asm volatile("sti; nop; cli" ::: "memory");
	before = ipi_irqs[i];
	rt_sti();
	for (k = 0; k < n; k++)
		self_ipi(i);
	rt_cli();
	/*
	 * At least one interrupt per IPI: each send waited for one. QEMU's
	 * nested SVM has delivered one twice now and then (33 for 32 in 2
	 * of some 60 runs of make bench), which costs a handler, not a check.
	 */
	return ipi_irqs[i] - before >= n ? NULL :
		why("%llu IPIs taken for %llu sent", (unsigned long long)(ipi_irqs[i] - before),
		    (unsigned long long)n);
}

static void probe_ipi(void *unused)
{
	(void)unused;
	self_ipi(this_cpu()->index);
}

static const char *valid_ipi(void)
{
	const char *w = valid_x2apic();
	int v;

	if (w)
		return w;
	/* A self-IPI that never comes would hang the case: the timer ends the wait. */
	v = rt_try_within(probe_ipi, NULL, HYPERCALL_WAIT);
	if (v == RT_TIMER_VECTOR)
		return why("a self-IPI was not delivered within %u x2APIC timer ticks", HYPERCALL_WAIT);
	return v >= 0 ? why("a self-IPI raised %s", rt_exception_name(v)) : NULL;
}

/*
 * mmio_kernel: a read of the in-kernel IOAPIC's IOREGSEL, emulated in KVM.
 * mmio_vmm: a read where no memory and no device is, left to the VMM
 * (KVM_EXIT_MMIO; exitscope-vmm answers all ones). Either is a nested
 * page fault on AMD, an EPT violation and then EPT misconfigurations on
 * Intel (KVM marks the page as MMIO on the first).
 */
static uint32_t mmio_read(uintptr_t gpa)
{
	return *(volatile uint32_t *)gpa;
}

static const char *run_mmio_kernel(uint64_t n)
{
	uint32_t v = 0;

	while (n--)
		v = mmio_read(MMIO_IOAPIC);
	return v != 0xffffffff ? NULL : why("IOREGSEL read 0xffffffff: no in-kernel IOAPIC");
}

static const char *valid_mmio_kernel(void)
{
	return mmio_read(MMIO_IOAPIC) != 0xffffffff ? NULL :
		"IOREGSEL (0xfec00000) reads 0xffffffff: no in-kernel IOAPIC answers it";
}

static const char *run_mmio_vmm(uint64_t n)
{
	uint32_t v = 0;

	while (n--)
		v = mmio_read(MMIO_NOBODY);
	return v == 0xffffffff ? NULL : why("0x%lx read 0x%x, not all ones", MMIO_NOBODY, v);
}

static const char *valid_mmio_vmm(void)
{
	return mmio_read(MMIO_NOBODY) == 0xffffffff ? NULL :
		why("0x%lx does not read as all ones: RAM or a device is there", MMIO_NOBODY);
}

/*
 * mixed: one exit of another reason each operation, in turn: CPUID, the
 * PIT's port, IA32_APIC_BASE, the IOAPIC, the VMM's port. What a
 * collector pays when its rows for one vCPU are not all hot at once.
 */
static const char *run_mixed(uint64_t n)
{
	uint64_t k;

	for (k = 0; k < n; k++) {
		switch (k % 5) {
		case 0: (void)rt_cpuid(0, 0); break;
		case 1: (void)rt_inb(PORT_PIT_SPEAKER); break;
		case 2: (void)rt_rdmsr(MSR_APIC_BASE); break;
		case 3: (void)mmio_read(MMIO_IOAPIC); break;
		default: rt_outb(PORT_POST, 0); break;
		}
	}
	return NULL;
}

static const char *valid_mixed(void)
{
	const char *w = valid_pio_kernel();

	return w ? w : valid_mmio_kernel();
}

/* query_total, query_code: exitscope's CPUID leaves, the guest's query. */
static uint64_t query_total(void)
{
	struct rt_cpuid r = rt_cpuid(LEAF_TOTAL, 0);

	return (uint64_t)r.edx << 32 | r.eax;
}

static uint64_t query_code(void)
{
	struct rt_cpuid r = rt_cpuid(LEAF_CODE, bench_env.cpuid_code);

	return (uint64_t)r.ebx << 32 | r.eax;
}

/* Each query is itself an exit (CPUID): n queries see the figure grow by n - 1 at least. */
static const char *run_query(uint64_t n, uint64_t (*query)(void), const char *what)
{
	uint64_t first = query(), last = first, k;

	for (k = 1; k < n; k++)
		last = query();
	return last - first >= n - 1 ? NULL :
		why("%s grew by %llu over %llu queries, each an exit", what,
		    (unsigned long long)(last - first), (unsigned long long)n);
}

static const char *run_query_total(uint64_t n)
{
	return run_query(n, query_total, "the total");
}

static const char *run_query_code(uint64_t n)
{
	return run_query(n, query_code, "the CPUID count");
}

/*
 * The interface answers where a code no one defines reads as undefined and
 * the total moves between two reads, which no VMM's CPUID table can fake.
 */
static const char *valid_query(void)
{
	struct rt_cpuid r = rt_cpuid(LEAF_CODE, CODE_UNDEFINED);
	uint64_t t1, t2;

	if (r.edx != 0xffffffff)
		return why("exitscope's interface does not answer: leaf 0x%x code 0x%x gave EDX 0x%x, not 0xffffffff",
			   LEAF_CODE, CODE_UNDEFINED, r.edx);
	t1 = query_total();
	t2 = query_total();
	if (t2 <= t1)
		return why("leaf 0x%x does not move (0x%llx, then 0x%llx): a CPUID table, not exitscope",
			   LEAF_TOTAL, (unsigned long long)t1, (unsigned long long)t2);
	return NULL;
}

const struct bench_case bench_cases[] = {
	{ "cpuid", run_cpuid, NULL, false },
	{ "vmcall", run_vmcall, valid_vmcall, false },
	{ "pio_kernel", run_pio_kernel, valid_pio_kernel, false },
	{ "pio_vmm", run_pio_vmm, NULL, false },
	{ "pf", run_pf, valid_pf, false },
	{ "cr3", run_cr3, NULL, false },
	{ "hlt", run_hlt, valid_hlt, false },
	{ "msr_read", run_msr_read, NULL, false },
	{ "msr_write", run_msr_write, valid_x2apic, false },
	{ "ipi", run_ipi, valid_ipi, false },
	{ "mmio_kernel", run_mmio_kernel, valid_mmio_kernel, false },
	{ "mmio_vmm", run_mmio_vmm, valid_mmio_vmm, false },
	{ "mixed", run_mixed, valid_mixed, false },
	{ "query_total", run_query_total, valid_query, false },
	{ "query_code", run_query_code, valid_query, false },
	{ "tick", run_tick, valid_hlt, true },
	{ "pause", run_pause, NULL, true },
};
const unsigned int bench_nr_cases = sizeof(bench_cases) / sizeof(bench_cases[0]);

void bench_cases_init(void)
{
	struct rt_cpuid r = rt_cpuid(0, 0);

	bench_env.max_leaf = r.eax;
	/* Vendor string in EBX, EDX, ECX. */
	bench_env.intel = r.ebx == 0x756e6547 && r.edx == 0x49656e69 && r.ecx == 0x6c65746e;
	bench_env.amd = (r.ebx == 0x68747541 && r.edx == 0x69746e65 && r.ecx == 0x444d4163) ||
			(r.ebx == 0x6f677948 && r.edx == 0x6e65476e && r.ecx == 0x656e6975);
	bench_env.cpuid_code = bench_env.amd ? 0x72 : 10;
	rt_set_handler(14, on_page_fault);
	rt_set_handler(RT_TIMER_VECTOR, on_timer);
	rt_set_handler(IPI_VECTOR, on_ipi);
}
