// SPDX-License-Identifier: GPL-2.0-only
/* See mptable.h. Entry layouts follow the MP spec 1.4, chapter 4. */
#include <string.h>

#include "mptable.h"

#define LAPIC_ADDR	0xfee00000u
#define IOAPIC_ADDR	0xfec00000u
#define NR_ISA_IRQS	16

static uint8_t checksum(const uint8_t *p, size_t n)
{
	uint8_t sum = 0;

	while (n--)
		sum += *p++;
	return (uint8_t)-sum;
}

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }

size_t mptable_build(uint8_t *buf, size_t len, uint32_t addr, int nr_cpus)
{
	const size_t mpf = 16, hdr = 44;
	size_t need, off, entries;
	uint8_t *t, *e;
	int i;

	if (nr_cpus < 1 || nr_cpus > MPTABLE_MAX_CPUS)
		return 0;
	/* cpus, one bus, one I/O APIC, ISA IRQs, two local interrupts */
	entries = nr_cpus + 1 + 1 + NR_ISA_IRQS + 2;
	need = mpf + hdr + nr_cpus * 20 + (entries - nr_cpus) * 8;
	if (len < need)
		return 0;
	memset(buf, 0, need);

	/* Floating pointer structure */
	memcpy(buf, "_MP_", 4);
	put32(buf + 4, addr + mpf);
	buf[8] = 1;			/* length in 16-byte units */
	buf[9] = 4;			/* spec revision 1.4 */
	buf[10] = checksum(buf, mpf);

	/* Configuration table header */
	t = buf + mpf;
	memcpy(t, "PCMP", 4);
	put16(t + 4, (uint16_t)(need - mpf));
	t[6] = 4;
	memcpy(t + 8, "EXITSCOP", 8);
	memcpy(t + 16, "exitscope-vmm", 12);
	put16(t + 34, (uint16_t)entries);
	put32(t + 36, LAPIC_ADDR);

	off = hdr;
	for (i = 0; i < nr_cpus; i++, off += 20) {
		e = t + off;
		e[0] = 0;			/* processor */
		e[1] = (uint8_t)i;		/* local APIC id */
		e[2] = 0x14;			/* local APIC version */
		e[3] = 1 | (i == 0 ? 2 : 0);	/* enabled, bootstrap */
		put32(e + 4, 0x600);		/* family 6 */
		put32(e + 8, 0x201);		/* FPU, APIC */
	}
	e = t + off;				/* bus 0: ISA */
	e[0] = 1;
	memcpy(e + 2, "ISA   ", 6);
	off += 8;
	e = t + off;				/* the I/O APIC */
	e[0] = 2;
	e[1] = (uint8_t)nr_cpus;
	e[2] = 0x11;
	e[3] = 1;
	put32(e + 4, IOAPIC_ADDR);
	off += 8;
	for (i = 0; i < NR_ISA_IRQS; i++, off += 8) {
		e = t + off;			/* ISA IRQ i -> I/O APIC pin i */
		e[0] = 3;
		e[5] = (uint8_t)i;
		e[6] = (uint8_t)nr_cpus;
		e[7] = (uint8_t)i;
	}
	e = t + off;				/* ExtINT on LINT0 */
	e[0] = 4;
	e[1] = 3;
	e[6] = 0xff;
	off += 8;
	e = t + off;				/* NMI on LINT1 */
	e[0] = 4;
	e[1] = 1;
	e[6] = 0xff;
	e[7] = 1;
	off += 8;
	t[7] = checksum(t, off);
	return mpf + off;
}
