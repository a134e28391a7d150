/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A freestanding runtime for long-mode flat images of exitscope-vmm
 * (tools/lib/abi/vmm_abi.h): every vCPU enters at _start, the runtime gives
 * each its own GDT, per-vCPU data (through GS), one IDT whose every vector
 * reaches rt_trap(), page tables of its own (the first 2 MiB in 4 KiB
 * pages, so that single pages can be unmapped), the x2APIC, and a console
 * on COM1. Then image_main() runs on every vCPU at once; what vCPU 0
 * returns is the verdict.
 */
#ifndef EXITSCOPE_BENCH_RT_H
#define EXITSCOPE_BENCH_RT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "abi/vmm_abi.h"

#define RT_MAX_CPUS		16
#define RT_PAGE_SIZE		4096
#define RT_TIMER_VECTOR		0xec
#define RT_SPURIOUS_VECTOR	0xff

/* Verdicts of the runtime itself; images use 0 (success) and 1..15. */
#define RT_VERDICT_EXCEPTION	16	/* an exception no handler took */
#define RT_VERDICT_CPUS		17	/* more vCPUs than RT_MAX_CPUS */
#define RT_VERDICT_BARRIER	18	/* vCPUs left rt_barrier() before all came */

/* What rt_trap() gets: the registers as the stubs pushed them. */
struct rt_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;	/* pushed by the CPU */
};

/* Per vCPU; GS points at it. */
struct rt_cpu {
	struct rt_cpu *self;		/* first: %gs:0 */
	uint64_t try_rip, try_rsp;	/* rt_try() in progress (offsets in vectors.S) */
	unsigned int index;
	bool x2apic;			/* enabled on this vCPU */
	bool watchdog;			/* rt_try_within() armed the timer */
	uint64_t entry_rsp;		/* RSP the VMM gave at entry */
};

/* The image: runs on every vCPU; vCPU 0's return value is the verdict. */
int image_main(struct rt_cpu *cpu);

/* start.c */
extern unsigned int rt_nr_cpus;
static inline struct rt_cpu *this_cpu(void)
{
	struct rt_cpu *c;

	asm volatile("mov %%gs:0, %0" : "=r"(c));
	return c;
}
/* All vCPUs meet here; returns once each of them has called it. */
void rt_barrier(void);
__attribute__((noreturn)) void rt_verdict(int status);
__attribute__((noreturn)) void rt_halt_forever(void);

/* console.c: COM1, one line at a time (lines of vCPUs never mix). */
int rt_vsnprintf(char *buf, size_t len, const char *fmt, va_list ap);
int rt_snprintf(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void rt_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* trap.c */
/* A handler returns true when it dealt with the event. */
typedef bool (*rt_handler)(struct rt_frame *f);
void rt_set_handler(unsigned int vector, rt_handler fn);
/*
 * Call fn(arg); if it raises an exception (vector < 32), unwind to here and
 * return its vector, else -1. For probing instructions that may fault.
 */
int rt_try(void (*fn)(void *), void *arg);
const char *rt_exception_name(unsigned int vector);

/* paging.c: the entry mapping the 4 KiB page at @va (below 2 MiB). */
uint64_t *rt_pte(const void *va);
#define RT_PTE_P	1ull

/* apic.c: x2APIC, only where CPUID offers it (KVM always does). */
bool rt_x2apic_enable(void);
void rt_apic_timer_oneshot(uint32_t count);
void rt_apic_timer_stop(void);
/* An interrupt every @count ticks (KVM: at least min_timer_period_us); 0: stopped, one-shot again. */
void rt_apic_timer_periodic(uint32_t count);
void rt_apic_eoi(void);
/*
 * rt_try(), but also ended after @count x2APIC timer ticks (KVM: 1 ns each),
 * then returning RT_TIMER_VECTOR: for an instruction that might never
 * complete. @fn runs with interrupts on. Needs this vCPU's x2APIC.
 */
int rt_try_within(void (*fn)(void *), void *arg, uint32_t count);

/*
 * Runtime internals, for start.c: entry.S loads the GDT, paging.c and
 * trap.c build what every vCPU shares. Declared here so that a changed
 * definition does not compile against a stale private prototype.
 */
void rt_load_gdt(const void *gdtr);
void rt_paging_init(void);
uint64_t rt_paging_root(void);
void rt_idt_init(void);
void rt_idt_load(void);

/* string.c: what the compiler may call. */
void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

/* Instructions. */
struct rt_cpuid { uint32_t eax, ebx, ecx, edx; };

static inline struct rt_cpuid rt_cpuid(uint32_t leaf, uint32_t sub)
{
	struct rt_cpuid r;

	asm volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
		     : "a"(leaf), "c"(sub));
	return r;
}

static inline uint64_t rt_rdtsc(void)
{
	uint32_t lo, hi;

	/* lfence: earlier instructions are done before the TSC is read. */
	asm volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) :: "memory");
	return (uint64_t)hi << 32 | lo;
}

static inline uint64_t rt_rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static inline void rt_wrmsr(uint32_t msr, uint64_t v)
{
	asm volatile("wrmsr" :: "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
		     : "memory");
}

static inline uint8_t rt_inb(uint16_t port)
{
	uint8_t v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void rt_outb(uint16_t port, uint8_t v)
{
	asm volatile("outb %0, %1" :: "a"(v), "Nd"(port));
}

static inline uint64_t rt_read_cr2(void)
{
	uint64_t v;

	asm volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline uint64_t rt_read_cr3(void)
{
	uint64_t v;

	asm volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

static inline void rt_write_cr3(uint64_t v)
{
	asm volatile("mov %0, %%cr3" :: "r"(v) : "memory");
}

static inline void rt_invlpg(const void *va)
{
	asm volatile("invlpg (%0)" :: "r"(va) : "memory");
}

static inline void rt_pause(void)
{
	asm volatile("pause" ::: "memory");
}

static inline void rt_cli(void)
{
	asm volatile("cli" ::: "memory");
}

/* Interrupts on; the one after STI (its shadow) runs before any arrives. */
static inline void rt_sti_hlt(void)
{
	asm volatile("sti; hlt" ::: "memory");
}

static inline void rt_sti(void)
{
	asm volatile("sti" ::: "memory");
}

#endif
