// SPDX-License-Identifier: GPL-2.0-only
/*
 * The rule table of `exitscope explain` (docs/explain.md prints it): each
 * rule names the figures that fire it, the cause, the action and where
 * both are documented. Reasons are asked for by the kernel's names of
 * both vendors (VMX's upper case, SVM's lower case); only one of each
 * pair can be in a profile.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "explain/explain.h"
#include "util/num.h"

void es_evidence_add(struct es_finding *f, const char *what, const char *fmt, ...)
{
	va_list ap;

	if (f->nev == ES_EVIDENCE_MAX)
		return;
	snprintf(f->ev[f->nev].what, sizeof(f->ev[f->nev].what), "%s", what);
	va_start(ap, fmt);
	vsnprintf(f->ev[f->nev].value, sizeof(f->ev[f->nev].value), fmt, ap);
	va_end(ap);
	f->nev++;
}

/* Fewer exits than this are never a finding: too few to matter or to judge. */
#define MIN_EXITS	100

/* Exits of the reasons @names (NULL-terminated) in @p. */
static uint64_t count_of(const struct es_profile *p, const char *const *names)
{
	uint64_t sum = 0;

	for (; *names; names++)
		sum += es_profile_count(p, *names);
	return sum;
}

/* The first of the reasons @names that @p has, or NULL. */
static const struct es_profile_reason *reason_of(const struct es_profile *p,
						 const char *const *names)
{
	const struct es_profile_reason *r = NULL;

	for (; *names && !r; names++)
		r = es_profile_reason(p, *names);
	return r;
}

/* Whether @name is one of @names. */
static bool named_in(const char *name, const char *const *names)
{
	for (; *names; names++)
		if (!strcmp(name, *names))
			return true;
	return false;
}

/* Whether @n exits are at least @pct of all, or @rate per second where the span is known. */
static bool busy(const struct es_profile *p, uint64_t n, double pct, double rate)
{
	double r = es_profile_rate(p, n);

	return n >= MIN_EXITS && (es_profile_share(p, n) >= pct || (r >= 0 && r >= rate));
}

/* "12.3% of exits", with ", 4.1k/s" where the span is known. */
static void share_ev(struct es_finding *f, const struct es_profile *p, const char *what, uint64_t n)
{
	double r = es_profile_rate(p, n);

	if (r >= 0)
		es_evidence_add(f, what, "%.1f%% of exits, %.0f/s", es_profile_share(p, n), r);
	else
		es_evidence_add(f, what, "%.1f%% of exits (%llu)", es_profile_share(p, n),
				(unsigned long long)n);
}

/* Percentile @pct of reason @r's exit -> entry time; false if none. */
static bool pctl(const struct es_profile *p, const struct es_profile_reason *r, double pct,
		 uint64_t *ns)
{
	return p->ns && r && es_hist_percentile(r->hist, pct, ns);
}

/* ---- shadow paging ---- */

static const char *const pf_names[] = { "PF excp", NULL };
static const char *const cr3_names[] = { "read_cr3", "write_cr3", NULL };
static const char *const invlpg_names[] = { "INVLPG", "invlpg", "invlpga", NULL };
static const char *const invpcid_names[] = { "INVPCID", "invpcid", NULL };
static const char *const tdp_names[] = { "EPT_VIOLATION", "EPT_MISCONFIG", "npf", NULL };
/* What shadow paging's findings are about: its exits, and nested paging's that it replaces. */
static const char *const shadow_reasons[] = {
	"PF excp", "EXCEPTION_NMI", "read_cr3", "write_cr3", "CR_ACCESS", "INVLPG", "invlpg",
	"invlpga", "INVPCID", "invpcid", "EPT_VIOLATION", "EPT_MISCONFIG", "npf", NULL
};

static bool shadow_paging(const struct es_profile *p, struct es_finding *f)
{
	uint64_t pf = count_of(p, pf_names), cr3 = count_of(p, cr3_names);
	uint64_t inv = count_of(p, invlpg_names) + count_of(p, invpcid_names);
	uint64_t tdp = count_of(p, tdp_names), all;

	/*
	 * VMX has one reason for every exception and one for every CR: the
	 * drill-down's vector 14 and CR3 where it has them, else all of it.
	 */
	bool vectors = es_profile_keyed(p, "EXCEPTION_NMI", ES_BPF_DK_VECTOR) > 0;
	bool crs = es_profile_keyed(p, "CR_ACCESS", ES_BPF_DK_CR) > 0;

	pf += vectors ? es_profile_key(p, "EXCEPTION_NMI", ES_BPF_DK_VECTOR, 14) :
	      es_profile_count(p, "EXCEPTION_NMI");
	cr3 += crs ? es_profile_key(p, "CR_ACCESS", ES_BPF_DK_CR, 3) :
	       es_profile_count(p, "CR_ACCESS");
	all = pf + cr3 + inv;
	/* With nested paging on, a guest's page faults and CR3 writes do not exit. */
	if (p->nested == 1 || !busy(p, all, 20.0, 1e12))
		return false;
	f->share = es_profile_share(p, all);
	f->confidence = p->nested == 0 || (!tdp && f->share >= 50.0) ? ES_CONF_HIGH : ES_CONF_MEDIUM;
	snprintf(f->headline, sizeof(f->headline),
		 "page-table work is %.1f%% of exits (#PF, CR3, INVLPG/INVPCID): the guest runs on shadow page tables",
		 f->share);
	/* Where VMX's reasons were taken whole, the evidence says so. */
	share_ev(f, p, es_profile_count(p, "EXCEPTION_NMI") && !vectors ?
		 "exceptions (VMX: all vectors, not keyed)" : "#PF intercepts", pf);
	share_ev(f, p, es_profile_count(p, "CR_ACCESS") && !crs ?
		 "CR accesses (VMX: all CRs, not keyed)" : "CR3 accesses", cr3);
	share_ev(f, p, "INVLPG, INVPCID", inv);
	share_ev(f, p, "EPT violations, NPFs (nested paging's exits)", tdp);
	if (p->nested == 0)
		es_evidence_add(f, "nested paging", "off (the lab's module parameter)");
	return true;
}

/* ---- halts ---- */

static const char *const hlt_names[] = { "HLT", "hlt", NULL };

/* Halts this short are ones polling would catch (halt-polling.rst's default window: 200 us). */
#define SHORT_HALT_NS	200000u
/* Halts longer than this are idle time: polling would burn the CPU. */
#define LONG_HALT_NS	1000000u

static bool short_halts(const struct es_profile *p, struct es_finding *f)
{
	const struct es_profile_reason *r = reason_of(p, hlt_names);
	uint64_t n = r ? r->count : 0, p50;
	char t[16];

	if (!busy(p, n, 10.0, 1000.0))
		return false;
	f->share = es_profile_share(p, n);
	share_ev(f, p, "HLT exits", n);
	if (!pctl(p, r, 50, &p50)) {
		f->confidence = ES_CONF_LOW;
		snprintf(f->headline, sizeof(f->headline),
			 "HLT is %.1f%% of exits; how long the halts last is not known (the BPF collector times them)",
			 f->share);
		return true;
	}
	if (p50 > LONG_HALT_NS)
		return false;
	f->confidence = p50 <= SHORT_HALT_NS ? ES_CONF_HIGH : ES_CONF_MEDIUM;
	snprintf(f->headline, sizeof(f->headline),
		 "HLT is %.1f%% of exits and half the halts end within %s: the vCPU sleeps and is woken at once",
		 f->share, es_ns_str(t, p50));
	es_evidence_add(f, "HLT exit -> entry, p50", "%s", t);
	return true;
}

/* ---- timer MSRs ---- */

/* The MSRs a guest writes to arm its timer: TSC deadline, x2APIC initial count and LVT timer. */
static const uint32_t timer_msrs[] = { 0x6e0, 0x838, 0x832 };

/* MSR writes keyed @msr below the reasons that carry them. */
static uint64_t msr_writes(const struct es_profile *p, uint32_t msr)
{
	const struct es_profile_reason *r;
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < p->nkeys; i++) {
		const struct es_detail *d = &p->keys[i];

		if (d->kind != ES_BPF_DK_MSR || d->value != msr || !(d->flags & ES_BPF_DF_WRITE))
			continue;
		r = NULL;
		for (size_t k = 0; k < p->nr && !r; k++)
			if (p->r[k].code == d->code)
				r = &p->r[k];
		if (r && (!strcmp(r->name, "MSR_WRITE") || !strcmp(r->name, "msr")))
			sum += d->count;
	}
	return sum;
}

static const char *const msr_write_names[] = { "MSR_WRITE", "msr", NULL };

static bool timer_msr(const struct es_profile *p, struct es_finding *f)
{
	uint64_t n = 0, all = count_of(p, msr_write_names);
	size_t i;

	if (!p->detail) {
		/* Without the keys: only a hint, where MSR writes dominate. */
		if (!busy(p, all, 20.0, 1e12))
			return false;
		f->share = es_profile_share(p, all);
		f->confidence = ES_CONF_LOW;
		snprintf(f->headline, sizeof(f->headline),
			 "MSR exits are %.1f%% of exits; which MSRs is not known (record --detail): timer MSRs are the usual ones",
			 f->share);
		share_ev(f, p, "MSR exits", all);
		return true;
	}
	for (i = 0; i < sizeof(timer_msrs) / sizeof(timer_msrs[0]); i++)
		n += msr_writes(p, timer_msrs[i]);
	if (!busy(p, n, 5.0, 1000.0))
		return false;
	f->share = es_profile_share(p, n);
	f->confidence = f->share >= 20.0 ? ES_CONF_HIGH : ES_CONF_MEDIUM;
	snprintf(f->headline, sizeof(f->headline),
		 "the guest re-arms its timer in %.1f%% of exits (writes to the TSC-deadline or APIC timer MSRs)",
		 f->share);
	share_ev(f, p, "IA32_TSC_DEADLINE writes", msr_writes(p, 0x6e0));
	share_ev(f, p, "x2APIC TMICT, LVTT writes", msr_writes(p, 0x838) + msr_writes(p, 0x832));
	return true;
}

/* ---- MMIO ---- */

static const char *const mmio_names[] = { "EPT_MISCONFIG", "npf", NULL };

static bool emulated_mmio(const struct es_profile *p, struct es_finding *f)
{
	uint64_t n = es_profile_count(p, "EPT_MISCONFIG") + es_profile_keyed(p, "npf", ES_BPF_DK_MMIO);
	const struct es_detail *top = NULL;
	size_t i;

	if (!busy(p, n, 10.0, 1000.0))
		return false;
	for (i = 0; i < p->nkeys; i++)
		if (p->keys[i].kind == ES_BPF_DK_MMIO && (!top || p->keys[i].count > top->count))
			top = &p->keys[i];
	f->share = es_profile_share(p, n);
	f->confidence = ES_CONF_MEDIUM;
	snprintf(f->headline, sizeof(f->headline),
		 "%.1f%% of exits are MMIO the host emulates", f->share);
	share_ev(f, p, "MMIO exits (EPT misconfig, reserved-bit NPFs)", n);
	if (!top)
		return true;
	es_evidence_add(f, "busiest address", "0x%llx, %.1f%% of the MMIO exits",
			(unsigned long long)top->value, 100.0 * (double)top->count / (double)n);
	if (top->value >= 0xfee00000u && top->value < 0xfee01000u) {
		f->confidence = ES_CONF_HIGH;
		snprintf(f->advice, sizeof(f->advice),
			 "the local APIC's registers: hardware APIC virtualization (kvm_intel.enable_apicv=1, kvm_amd.avic=1) or x2APIC in the guest takes them off the MMIO path");
	} else if (top->value >= 0xfed00000u && top->value < 0xfed00400u) {
		f->confidence = ES_CONF_HIGH;
		snprintf(f->advice, sizeof(f->advice),
			 "the HPET: a guest clock read through it; kvm-clock or the TSC (clocksource=) read without an exit");
	}
	return true;
}

/* ---- rules on one reason's share: PAUSE, interrupts ---- */

/*
 * The exits of @names fire the rule at @pct of all exits or @rate per
 * second (at least MIN_EXITS); high confidence from @high percent (never
 * if 0). @headline takes the share, @what names the evidence.
 */
static bool share_rule(const struct es_profile *p, struct es_finding *f, const char *const *names,
		       double pct, double rate, double high, const char *headline, const char *what)
{
	uint64_t n = count_of(p, names);

	if (!busy(p, n, pct, rate))
		return false;
	f->share = es_profile_share(p, n);
	f->confidence = high > 0 && f->share >= high ? ES_CONF_HIGH : ES_CONF_MEDIUM;
	snprintf(f->headline, sizeof(f->headline), headline, f->share);
	share_ev(f, p, what, n);
	return true;
}

static const char *const pause_names[] = { "PAUSE_INSTRUCTION", "pause", NULL };
static const char *const extint_names[] = { "EXTERNAL_INTERRUPT", "interrupt", NULL };
static const char *const window_names[] = { "INTERRUPT_WINDOW", "vintr", NULL };

static bool pause_loops(const struct es_profile *p, struct es_finding *f)
{
	return share_rule(p, f, pause_names, 5.0, 1000.0, 20.0,
			  "%.1f%% of exits are pause-loop exits: vCPUs spin on a lock whose holder is not running",
			  "PAUSE exits");
}

/*
 * What a host vector says to do (arch/x86/include/asm/irq_vectors.h): the
 * host's APIC timer (its tick, or an hrtimer: where KVM emulates the
 * guest's APIC timer with one, as on SVM, the guest's own timer events),
 * its IPIs (another CPU wakes or calls this one: other work shares the
 * vCPUs' CPUs), or below the system vectors a device's.
 */
static const struct {
	uint64_t lo, hi;
	const char *what, *advice;
} host_vector_kinds[] = {
	{ 0x21, 0xeb, "a device's interrupt",
	  "a device's interrupts land on the vCPUs' CPUs (/proc/interrupts says which): steer them away (/proc/irq/N/smp_affinity, irqaffinity=, irqbalance's banned CPUs)" },
	{ 0xec, 0xec, "the host's APIC timer",
	  "the host's APIC timer: its tick (nohz_full= on CPUs running only a vCPU stops it) or an hrtimer, such as KVM's emulation of the guest's own timer (fewer guest timer events)" },
	{ 0xf6, 0xf6, "the host's irq_work",
	  "the host's irq_work on the vCPUs' CPUs (perf, printk, tracing): keep such work off them (isolcpus=, nohz_full=)" },
	{ 0xfb, 0xfd, "IPIs from the host's other CPUs",
	  "other CPUs wake or call the vCPUs' CPUs (other tasks scheduled there, TLB flushes, queued work): give the vCPUs CPUs of their own (isolcpus=, cpusets, pinning)" },
};

static bool host_irqs(const struct es_profile *p, struct es_finding *f)
{
	uint64_t n = count_of(p, extint_names), best = 0, cur;
	size_t i, k, kind = 0;

	if (!share_rule(p, f, extint_names, 30.0, 10000.0, 0,
			"%.1f%% of exits are the host's interrupts arriving on the vCPUs' CPUs",
			"external interrupts"))
		return false;
	/* With the drill-down's host vectors: the busiest kind of interrupt says what to do. */
	for (k = 0; k < sizeof(host_vector_kinds) / sizeof(host_vector_kinds[0]); k++) {
		cur = 0;
		for (i = 0; i < p->nkeys; i++)
			if (p->keys[i].kind == ES_BPF_DK_HOST_VECTOR &&
			    p->keys[i].value >= host_vector_kinds[k].lo &&
			    p->keys[i].value <= host_vector_kinds[k].hi)
				cur += p->keys[i].count;
		if (cur > best) {
			best = cur;
			kind = k;
		}
	}
	if (!best)
		return true;
	snprintf(f->headline, sizeof(f->headline),
		 "%.1f%% of exits are the host's interrupts arriving on the vCPUs' CPUs, %.0f%% of them %s",
		 f->share, 100.0 * (double)best / (double)n, host_vector_kinds[kind].what);
	es_evidence_add(f, "busiest kind", "%s: %.1f%% of the interrupt exits",
			host_vector_kinds[kind].what, 100.0 * (double)best / (double)n);
	snprintf(f->advice, sizeof(f->advice), "%s", host_vector_kinds[kind].advice);
	f->confidence = 2 * best >= n ? ES_CONF_HIGH : ES_CONF_MEDIUM;
	return true;
}

static bool irq_windows(const struct es_profile *p, struct es_finding *f)
{
	return share_rule(p, f, window_names, 10.0, 5000.0, 0,
			  "%.1f%% of exits wait for the guest to take an interrupt (interrupt windows)",
			  "interrupt-window exits");
}

/*
 * What sits at a range of ports, and what to do about it: the busiest
 * device's exits are its ports' together (a UART's data and status
 * registers are one console).
 */
#define SERIAL_ADVICE "a serial console or log: the UART costs exits per byte; a quieter console (loglevel=) or virtio-console (hvc0)"
#define PM_TIMER_ADVICE "the ACPI PM timer as the guest's clocksource (acpi_pm): kvm-clock reads without an exit"

static const struct {
	uint16_t lo, hi;
	const char *advice;
} port_devices[] = {
	{ 0x40, 0x43, "the PIT: the guest's clock or tick on the PIT; kvm-clock (or the TSC) and the local APIC timer need no port" },
	{ 0x70, 0x71, "the CMOS RTC read in a loop (hwclock, an RTC interrupt); the guest's clock should be kvm-clock" },
	{ 0x80, 0x80, "port 0x80 as an I/O delay: boot the guest with io_delay=none" },
	{ 0x2e8, 0x2ef, SERIAL_ADVICE },
	{ 0x2f8, 0x2ff, SERIAL_ADVICE },
	{ 0x3e8, 0x3ef, SERIAL_ADVICE },
	{ 0x3f8, 0x3ff, SERIAL_ADVICE },
	{ 0x608, 0x60b, PM_TIMER_ADVICE },	/* QEMU q35 */
	{ 0xcf8, 0xcff, "PCI configuration through ports: MMCONFIG (ECAM, QEMU's q35) takes one access, not two" },
	{ 0xb008, 0xb00b, PM_TIMER_ADVICE },	/* QEMU i440fx */
};
#define NR_PORT_DEVICES	(sizeof(port_devices) / sizeof(port_devices[0]))

/* The device of @port: its row of port_devices[], or NR_PORT_DEVICES. */
static size_t device_of(uint64_t port)
{
	size_t i;

	for (i = 0; i < NR_PORT_DEVICES; i++)
		if (port >= port_devices[i].lo && port <= port_devices[i].hi)
			return i;
	return NR_PORT_DEVICES;
}

/* Exits of the device that @port is part of (or of @port alone), both directions. */
static uint64_t device_exits(const struct es_profile *p, uint64_t port)
{
	size_t dev = device_of(port), i;
	uint64_t sum = 0;

	for (i = 0; i < p->nkeys; i++) {
		const struct es_detail *d = &p->keys[i];

		if (d->kind == ES_BPF_DK_IO &&
		    (dev < NR_PORT_DEVICES ? device_of(d->value) == dev : d->value == port))
			sum += d->count;
	}
	return sum;
}

static const char *const io_names[] = { "IO_INSTRUCTION", "io", NULL };

static bool port_hotspot(const struct es_profile *p, struct es_finding *f)
{
	uint64_t n = count_of(p, io_names), best = 0, port = 0;
	const char *name;
	char buf[64], what[64];
	size_t i, dev;

	if (!busy(p, n, 10.0, 1000.0))
		return false;
	f->share = es_profile_share(p, n);
	share_ev(f, p, "I/O exits", n);
	/*
	 * The busiest device: the keys come sorted by count, so only a key
	 * of at least a tenth of the busiest so far can lead to a busier one
	 * (a device has at most 8 ports, in and out), which bounds the work.
	 */
	for (i = 0; i < p->nkeys; i++) {
		const struct es_detail *d = &p->keys[i];
		uint64_t cur;

		if (d->kind != ES_BPF_DK_IO || d->count * 16 < best)
			continue;
		cur = device_exits(p, d->value);
		if (cur > best || (cur == best && d->value < port)) {
			best = cur;
			port = d->value;
		}
	}
	if (!best) {
		f->confidence = ES_CONF_LOW;
		snprintf(f->headline, sizeof(f->headline),
			 "I/O instructions are %.1f%% of exits; which port is not known (record --detail)",
			 f->share);
		return true;
	}
	dev = device_of(port);
	if (dev < NR_PORT_DEVICES) {
		port = port_devices[dev].lo;
		snprintf(what, sizeof(what), "ports 0x%x-0x%x", port_devices[dev].lo, port_devices[dev].hi);
		snprintf(f->advice, sizeof(f->advice), "%s", port_devices[dev].advice);
	} else {
		snprintf(what, sizeof(what), "port 0x%llx", (unsigned long long)port);
	}
	if (dev < NR_PORT_DEVICES && port_devices[dev].lo == port_devices[dev].hi)
		snprintf(what, sizeof(what), "port 0x%llx", (unsigned long long)port);
	name = es_detail_key_name(buf, ES_BPF_DK_IO, port);
	snprintf(f->headline, sizeof(f->headline),
		 "I/O instructions are %.1f%% of exits, %.0f%% of them on %s%s%s", f->share,
		 100.0 * (double)best / (double)n, what, name[0] ? ", " : "", name);
	es_evidence_add(f, "busiest device", "%s: %.1f%% of the I/O exits", what,
			100.0 * (double)best / (double)n);
	f->confidence = 2 * best >= n ? ES_CONF_HIGH : ES_CONF_MEDIUM;
	return true;
}

/* ---- exit-time outliers ---- */

/* A tail this long, this far above the median, is not the exit's own work. */
#define OUTLIER_P99_NS		1000000u
#define OUTLIER_RATIO		20u
/* A p99 of fewer exits rests on fewer than 10 of them: a handful of slow ones is no tail. */
#define OUTLIER_MIN_EXITS	1000u

/*
 * What @r's @pct-th percentile is at least, for certain: the lower bound
 * of the bucket it lies in (es_hist_percentile() interpolates inside the
 * bucket, up to twice this). A finding that says "1 ms or more" needs it.
 */
static uint64_t pctl_floor(const struct es_profile_reason *r, double pct)
{
	uint64_t total = 0, rank, below = 0;
	unsigned int b;

	if (!es_hist_total(r->hist, &total) || !total)
		return 0;
	rank = (uint64_t)((double)total * pct / 100.0 + 0.999999);
	if (rank < 1)
		rank = 1;
	for (b = 0; b < ES_HIST_BUCKETS - 1 && below + r->hist[b] < rank; b++)
		below += r->hist[b];
	return es_hist_lower(b);
}

static bool time_outliers(const struct es_profile *p, struct es_finding *f)
{
	const struct es_profile_reason *worst = NULL;
	uint64_t p50, p99, w50 = 0, w99 = 0, n = 0;
	char a[16], b[16];
	size_t i;

	if (!p->ns)
		return false;
	for (i = 0; i < p->nr; i++) {
		const struct es_profile_reason *r = &p->r[i];

		/* A halt's time is the guest's idle time, not a cost. */
		if (named_in(r->name, hlt_names) || r->count < OUTLIER_MIN_EXITS ||
		    !pctl(p, r, 50, &p50) || !pctl(p, r, 99, &p99))
			continue;
		/* The tail must be that long for certain, not by interpolation. */
		if (pctl_floor(r, 99) < OUTLIER_P99_NS || p99 < OUTLIER_RATIO * (p50 ? p50 : 1))
			continue;
		n += r->count;
		if (!worst || p99 > w99) {
			worst = r;
			w50 = p50;
			w99 = p99;
		}
		if (f->nev < ES_EVIDENCE_MAX - 1)
			es_evidence_add(f, r->name[0] ? r->name : "a reason", "p50 %s, p99 %s",
					es_ns_str(a, p50), es_ns_str(b, p99));
	}
	if (!worst)
		return false;
	f->share = es_profile_share(p, n);
	f->confidence = w99 >= 100 * (w50 ? w50 : 1) ? ES_CONF_HIGH : ES_CONF_MEDIUM;
	snprintf(f->headline, sizeof(f->headline),
		 "1%% of %s exits take %s or more against a median of %s: the vCPU waits on something else",
		 worst->name, es_ns_str(b, w99), es_ns_str(a, w50));
	return true;
}

const struct es_rule es_rules[] = {
	{ "shadow-paging", "Shadow paging",
	  "#PF intercepts, CR3 accesses, INVLPG and INVPCID together at least 20% of all exits (at least 100); never where the lab says nested paging was on. High confidence where the lab says it was off, or at 50% and more with no EPT violation or NPF at all",
	  "Without nested paging (EPT, NPT) KVM keeps shadow page tables: it must see the guest's page faults, CR3 switches and TLB flushes to keep them in step, and each is an exit",
	  "Turn nested paging on: kvm_intel ept=1 or kvm_amd npt=1 (the default where the CPU has it); nested, give L1 a CPU model with EPT or NPT (QEMU -cpu host)",
	  "Documentation/virt/kvm/x86/mmu.rst (shadow pages; TDP); Intel SDM vol. 3C, \"VMX Support for Address Translation\" (EPT); AMD APM vol. 2, \"Nested Paging\"",
	  shadow_paging, shadow_reasons },
	{ "short-halts", "Short halts",
	  "HLT at least 10% of exits or 1,000/s (at least 100), and half of them end within 200 us (high) or 1 ms (medium); without times (a lab run, the module), low",
	  "An idle vCPU halts, KVM schedules it out, and a wakeup soon after pays the schedule-in and a new entry; the halt's exit -> entry time is how long it slept",
	  "Let KVM poll before it sleeps: halt_poll_ns (module kvm; per VM KVM_CAP_HALT_POLL), or poll in the guest: the cpuidle-haltpoll driver. Polling spends host CPU to save latency",
	  "Documentation/virt/kvm/halt-polling.rst; Documentation/virt/guest-halt-polling.rst",
	  short_halts, hlt_names },
	{ "timer-msr", "Timer re-arming",
	  "Writes to IA32_TSC_DEADLINE (0x6e0), x2APIC TMICT (0x838) or LVTT (0x832) at least 5% of exits or 1,000/s (the drill-down, record --detail); without it, low, when MSR exits are 20% or more",
	  "The guest reprograms its local APIC timer for every tick or timer event, and each write is an exit (APIC virtualization does not cover the timer)",
	  "Fewer timer events in the guest: a tickless kernel (NO_HZ_IDLE, nohz_full for busy vCPUs) and no needless high-resolution timers; on the host keep the VMX preemption timer on (kvm_intel.preemption_timer) so that the deadline is armed in hardware",
	  "Intel SDM vol. 3A, \"TSC-Deadline Mode\"; Documentation/timers/no_hz.rst; Documentation/admin-guide/kernel-parameters.txt (kvm-intel.preemption_timer)",
	  timer_msr, msr_write_names },
	{ "emulated-mmio", "Emulated MMIO",
	  "EPT misconfigurations (VMX) or reserved-bit NPFs keyed as MMIO (SVM, the drill-down) at least 10% of exits or 1,000/s; high when the busiest address is the local APIC or the HPET",
	  "A device the VMM or KVM emulates in memory-mapped registers: every register access is an exit, decoded and emulated",
	  "A paravirtual device instead (virtio-net, virtio-blk, virtio-scsi); for the local APIC, APICv or AVIC; for a clock, kvm-clock",
	  "Documentation/virt/kvm/x86/mmu.rst (MMIO sptes); QEMU documentation, \"virtio\" devices; Documentation/virt/kvm/x86/timekeeping.rst",
	  emulated_mmio, mmio_names },
	{ "pause-loops", "Pause-loop exits",
	  "PAUSE exits at least 5% of exits or 1,000/s (at least 100); high at 20%",
	  "A vCPU spins on a lock whose holder is preempted (overcommit): pause-loop exiting hands the CPU over, at an exit each time",
	  "Fewer vCPUs than CPUs, or pinned vCPUs; paravirtual spinlocks in the guest (KVM_FEATURE_PV_UNHALT); tune PLE: kvm_intel ple_gap and ple_window, kvm_amd pause_filter_count and pause_filter_thresh (0 turns it off where vCPUs are pinned 1:1)",
	  "Intel SDM vol. 3C, \"PAUSE-Loop Exiting\"; AMD APM vol. 2, \"Pause Intercept Filtering\"; Documentation/virt/kvm/x86/cpuid.rst (KVM_FEATURE_PV_UNHALT)",
	  pause_loops, pause_names },
	{ "host-irqs", "Host interrupts on the vCPUs' CPUs",
	  "External-interrupt exits at least 30% of exits or 10,000/s (at least 100); with the drill-down's host vectors, high when one kind (a device's, the host's tick, its IPIs) has half of them, and the kind says what to do",
	  "Every interrupt of the host's devices (NIC, disk, timers) that arrives on a CPU running a vCPU forces an exit",
	  "Steer the host's device interrupts away from the vCPUs' CPUs (/proc/irq/N/smp_affinity, irqaffinity=, irqbalance's banned CPUs) and keep the vCPUs' CPUs quiet (isolcpus, nohz_full)",
	  "Documentation/core-api/irq/irq-affinity.rst; Documentation/admin-guide/kernel-parameters.txt (irqaffinity, isolcpus, nohz_full); Documentation/timers/no_hz.rst; arch/x86/include/asm/irq_vectors.h (the vectors)",
	  host_irqs, extint_names },
	{ "irq-windows", "Interrupt windows",
	  "Interrupt-window exits at least 10% of exits or 5,000/s (at least 100)",
	  "An interrupt is pending while the guest has interrupts off: KVM exits again as soon as it can inject",
	  "Posted interrupts (APICv, AVIC) deliver without waiting for a window; otherwise the guest keeps interrupts off too long (a busy driver) or gets too many (see host-irqs)",
	  "Intel SDM vol. 3C, \"Interrupt-Window Exiting and Virtual-Interrupt Delivery\", \"Posted-Interrupt Processing\"; AMD APM vol. 2, \"Virtual Interrupts\"",
	  irq_windows, window_names },
	{ "port-hotspot", "An I/O port hot spot",
	  "I/O exits at least 10% of exits or 1,000/s (at least 100); with the drill-down, high when one port has half of them, and the port says what to do",
	  "A legacy device driven through I/O ports (a serial console, the PIT, the ACPI PM timer, PCI configuration): every IN and OUT is an exit, usually to the VMM",
	  "Quiet or replace the device behind the port: the advice names it",
	  "Documentation/virt/kvm/x86/timekeeping.rst (PIT, ACPI PM timer, kvmclock); Documentation/admin-guide/serial-console.rst; Documentation/admin-guide/kernel-parameters.txt (io_delay)",
	  port_hotspot, io_names },
	{ "time-outliers", "Exit-time outliers",
	  "A reason other than HLT with at least 1,000 exits (so that its p99 rests on 10 or more) whose p99 exit -> entry time is at least 1 ms for certain (the lower bound of its log2 bucket) and 20 times its p50 (the BPF collector's histograms); high at 100 times",
	  "The exit's own handling is quick (the p50); the tail is the vCPU's thread waiting: preempted on the host, the VMM's I/O thread, a page brought in",
	  "Pin the vCPUs and isolate their CPUs; look at the host's scheduling of the VM's threads (perf sched) and the VMM's I/O for that reason",
	  "Documentation/admin-guide/kernel-per-CPU-kthreads.rst (reducing OS jitter); Documentation/scheduler/sched-stats.rst",
	  time_outliers, NULL },
};

const size_t es_nrules = sizeof(es_rules) / sizeof(es_rules[0]);

bool es_rule_covers(const struct es_rule *rule, const char *name)
{
	return rule->reasons && named_in(name, rule->reasons);
}
