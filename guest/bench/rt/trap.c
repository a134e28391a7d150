// SPDX-License-Identifier: GPL-2.0-only
/*
 * The IDT (one for all vCPUs: every vector present, each to its stub in
 * vectors.S), the handlers images register, and what happens to an event no
 * handler takes: a report on the console and the verdict
 * RT_VERDICT_EXCEPTION, so that an unexpected fault ends the run at once
 * instead of hanging it.
 */
#include "rt.h"

#define SEL_CODE64	0x08
#define GATE_INTR	0x8e	/* present, DPL 0, 64-bit interrupt gate */

/* vectors.S finds rt_try()'s fields at these offsets. */
_Static_assert(offsetof(struct rt_cpu, try_rip) == 8, "TRY_RIP in vectors.S");
_Static_assert(offsetof(struct rt_cpu, try_rsp) == 16, "TRY_RSP in vectors.S");
_Static_assert(sizeof(struct rt_frame) == 22 * 8, "the frame vectors.S pushes");

struct gate {
	uint16_t off0, sel;
	uint8_t ist, type;
	uint16_t off1;
	uint32_t off2, zero;
};

extern const char rt_stubs[];
static struct gate idt[256] __attribute__((aligned(16)));
static rt_handler handlers[256];

void rt_idt_init(void)
{
	uint64_t a;
	int v;

	for (v = 0; v < 256; v++) {
		a = (uint64_t)(rt_stubs + 16 * v);
		idt[v] = (struct gate){
			.off0 = (uint16_t)a, .sel = SEL_CODE64, .type = GATE_INTR,
			.off1 = (uint16_t)(a >> 16), .off2 = (uint32_t)(a >> 32),
		};
	}
}

void rt_idt_load(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = { sizeof(idt) - 1, (uint64_t)idt };

	asm volatile("lidt %0" :: "m"(idtr));
}

void rt_set_handler(unsigned int vector, rt_handler fn)
{
	__atomic_store_n(&handlers[vector & 0xff], fn, __ATOMIC_RELEASE);
}

const char *rt_exception_name(unsigned int v)
{
	static const char *const names[32] = {
		"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "#09",
		"#TS", "#NP", "#SS", "#GP", "#PF", "#15", "#MF", "#AC", "#MC", "#XM",
		"#VE", "#CP",
	};

	if (v < 32 && names[v])
		return names[v];
	return v < 32 ? "reserved exception" : "interrupt";
}

/* Back into rt_try(), which returns the vector. */
static void unwind(struct rt_frame *f, struct rt_cpu *c)
{
	f->rip = c->try_rip;
	f->rsp = c->try_rsp;
	f->rax = f->vector;
	c->try_rip = 0;
}

/* Whether rt_try() or rt_try_within() takes the event. */
static bool tried(struct rt_frame *f, struct rt_cpu *c)
{
	if (f->vector == RT_TIMER_VECTOR && c->watchdog) {
		rt_apic_eoi();			/* rt_try_within()'s time is up... */
		if (c->try_rip)
			unwind(f, c);		/* ...unless its function was done */
		return true;
	}
	if (f->vector < 32 && c->try_rip) {
		unwind(f, c);
		return true;
	}
	return false;
}

void rt_trap(struct rt_frame *f);
void rt_trap(struct rt_frame *f)
{
	struct rt_cpu *c = this_cpu();
	rt_handler h;

	if (tried(f, c))
		return;
	if (f->vector == RT_SPURIOUS_VECTOR)
		return;				/* the APIC wants no EOI for it */
	h = __atomic_load_n(&handlers[f->vector], __ATOMIC_ACQUIRE);
	if (h && h(f))
		return;
	rt_printf("rt: vCPU %u: unexpected %s (vector %llu, error 0x%llx) at rip 0x%llx, rsp 0x%llx, cr2 0x%llx\n",
		  c->index, rt_exception_name(f->vector), (unsigned long long)f->vector,
		  (unsigned long long)f->error, (unsigned long long)f->rip,
		  (unsigned long long)f->rsp, (unsigned long long)rt_read_cr2());
	rt_verdict(RT_VERDICT_EXCEPTION);
}
