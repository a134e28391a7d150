// SPDX-License-Identifier: GPL-2.0-only
/*
 * From the VMM's entry state to image_main() on every vCPU: vCPU 0 clears
 * .bss and builds what all share (page tables, IDT) while the others wait
 * on a flag outside .bss; then each loads them, its GDT and GS, and
 * enables its x2APIC; then all meet and the image runs.
 */
#include "rt.h"

#define SEL_CODE64	0x08	/* rt_load_gdt() uses these two */
#define SEL_DATA	0x10
#define MSR_GS_BASE	0xc0000101
#define PIC1_DATA	0x21
#define PIC2_DATA	0xa1

extern char __bss_start[], __bss_end[];

unsigned int rt_nr_cpus;
static struct rt_cpu cpus[RT_MAX_CPUS];
static unsigned int cpus_up;
/* In .data: vCPU 0 clears .bss while the others already read this. */
static volatile int shared_ready __attribute__((section(".data")));

static const uint64_t gdt[] __attribute__((aligned(16))) = {
	[0] = 0,
	[SEL_CODE64 / 8] = 0x00af9b000000ffffull,	/* 64-bit code, DPL 0 */
	[SEL_DATA / 8]   = 0x00cf93000000ffffull,	/* data, DPL 0 */
};
static const struct {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed)) gdtr = { sizeof(gdt) - 1, (uint64_t)gdt };

void rt_halt_forever(void)
{
	for (;;)
		asm volatile("cli; hlt");
}

void rt_verdict(int status)
{
	rt_outb(ES_VMM_EXIT_PORT, (uint8_t)status);
	rt_halt_forever();
}

/* Sense by generation: the last to arrive starts the next one. */
void rt_barrier(void)
{
	static unsigned int arrived, generation;
	unsigned int gen = __atomic_load_n(&generation, __ATOMIC_ACQUIRE);

	if (__atomic_add_fetch(&arrived, 1, __ATOMIC_ACQ_REL) == rt_nr_cpus) {
		__atomic_store_n(&arrived, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&generation, gen + 1, __ATOMIC_RELEASE);
		return;
	}
	while (__atomic_load_n(&generation, __ATOMIC_ACQUIRE) == gen)
		rt_pause();
}

/* Nothing may reach a vCPU through the 8259s (their vectors would look like exceptions). */
static void pic_mask(void)
{
	rt_outb(PIC1_DATA, 0xff);
	rt_outb(PIC2_DATA, 0xff);
}

__attribute__((noreturn)) void rt_start(uint64_t index, uint64_t count, uint64_t rsp);
void rt_start(uint64_t index, uint64_t count, uint64_t rsp)
{
	struct rt_cpu *c;
	int v;

	if (index == 0) {
		memset(__bss_start, 0, __bss_end - __bss_start);
		/* A VMM before the SMP entry left RSI 0 and started vCPU 0 alone. */
		rt_nr_cpus = count ? count : 1;
		if (count > RT_MAX_CPUS) {
			/* Before anything else: the others must not touch cpus[]. */
			__atomic_store_n(&shared_ready, -1, __ATOMIC_RELEASE);
		} else {
			rt_paging_init();
			rt_idt_init();
			__atomic_store_n(&shared_ready, 1, __ATOMIC_RELEASE);
		}
	} else {
		while (!__atomic_load_n(&shared_ready, __ATOMIC_ACQUIRE))
			rt_pause();
	}
	if (__atomic_load_n(&shared_ready, __ATOMIC_ACQUIRE) < 0) {
		if (index == 0) {
			/* The console's lock asks this_cpu() who holds it. */
			c = &cpus[0];
			c->self = c;
			rt_wrmsr(MSR_GS_BASE, (uint64_t)c);
			rt_printf("rt: %llu vCPUs, this image runs on at most %d\n",
				  (unsigned long long)count, RT_MAX_CPUS);
			rt_verdict(RT_VERDICT_CPUS);
		}
		rt_halt_forever();
	}
	c = &cpus[index];
	c->self = c;
	c->index = index;
	c->entry_rsp = rsp;
	rt_load_gdt(&gdtr);
	rt_wrmsr(MSR_GS_BASE, (uint64_t)c);
	rt_idt_load();
	rt_write_cr3(rt_paging_root());
	if (index == 0)
		pic_mask();
	c->x2apic = rt_x2apic_enable();
	/* The images rely on the barrier: prove it once, it costs nothing. */
	__atomic_add_fetch(&cpus_up, 1, __ATOMIC_RELEASE);
	rt_barrier();
	if (__atomic_load_n(&cpus_up, __ATOMIC_ACQUIRE) != rt_nr_cpus) {
		rt_printf("rt: vCPU %u left the start barrier with %u of %u vCPUs up\n", c->index,
			  __atomic_load_n(&cpus_up, __ATOMIC_ACQUIRE), rt_nr_cpus);
		rt_verdict(RT_VERDICT_BARRIER);
	}
	v = image_main(c);
	if (index == 0)
		rt_verdict(v);
	rt_halt_forever();
}
