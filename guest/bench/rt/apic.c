// SPDX-License-Identifier: GPL-2.0-only
/*
 * The local APIC in x2APIC mode: its registers are MSRs (0x800 + offset /
 * 16), so no MMIO mapping is needed. KVM offers x2APIC whatever the host
 * has; a VMM might not, hence the CPUID check and rt_try().
 */
#include "rt.h"

#define MSR_APIC_BASE	0x1b
#define APIC_BASE_EXTD	(1ull << 10)	/* x2APIC mode */
#define APIC_BASE_EN	(1ull << 11)
#define X2APIC_TPR	0x808
#define X2APIC_EOI	0x80b
#define X2APIC_SVR	0x80f
#define X2APIC_LVT_TIMER 0x832
#define X2APIC_LVT_LINT0 0x835
#define X2APIC_TMICT	0x838
#define X2APIC_TDCR	0x83e
#define SVR_ENABLE	(1u << 8)
#define LVT_MASKED	(1u << 16)
#define LVT_PERIODIC	(1u << 17)
#define TDCR_DIV_1	0xb
#define CPUID1_X2APIC	(1u << 21)

static void enable(void *unused)
{
	(void)unused;
	rt_wrmsr(MSR_APIC_BASE, rt_rdmsr(MSR_APIC_BASE) | APIC_BASE_EN | APIC_BASE_EXTD);
	rt_wrmsr(X2APIC_SVR, SVR_ENABLE | RT_SPURIOUS_VECTOR);
	rt_wrmsr(X2APIC_TPR, 0);
	/* LINT0 would bring the 8259's interrupts (ExtINT on vCPU 0): off. */
	rt_wrmsr(X2APIC_LVT_LINT0, LVT_MASKED);
	/* One-shot, unmasked: nothing comes until a count is written. */
	rt_wrmsr(X2APIC_TDCR, TDCR_DIV_1);
	rt_wrmsr(X2APIC_LVT_TIMER, RT_TIMER_VECTOR);
}

bool rt_x2apic_enable(void)
{
	if (!(rt_cpuid(1, 0).ecx & CPUID1_X2APIC))
		return false;
	return rt_try(enable, NULL) < 0;
}

/* One interrupt at RT_TIMER_VECTOR after @count APIC timer ticks: one MSR write. */
void rt_apic_timer_oneshot(uint32_t count)
{
	rt_wrmsr(X2APIC_TMICT, count);
}

void rt_apic_timer_stop(void)
{
	rt_wrmsr(X2APIC_TMICT, 0);
}

void rt_apic_timer_periodic(uint32_t count)
{
	rt_wrmsr(X2APIC_TMICT, 0);
	rt_wrmsr(X2APIC_LVT_TIMER, RT_TIMER_VECTOR | (count ? LVT_PERIODIC : 0));
	if (count)
		rt_wrmsr(X2APIC_TMICT, count);
}

void rt_apic_eoi(void)
{
	rt_wrmsr(X2APIC_EOI, 0);
}

int rt_try_within(void (*fn)(void *), void *arg, uint32_t count)
{
	struct rt_cpu *c = this_cpu();
	int v;

	c->watchdog = true;
	rt_apic_timer_oneshot(count);
	rt_sti();
	v = rt_try(fn, arg);
	rt_cli();
	rt_apic_timer_stop();
	/*
	 * A timer that fired after fn returned is pending now: let it in while
	 * it is still the watchdog's (rt_trap() takes it), not the image's.
	 */
	asm volatile("sti; nop; cli" ::: "memory");
	c->watchdog = false;
	return v;
}
