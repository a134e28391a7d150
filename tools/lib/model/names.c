// SPDX-License-Identifier: GPL-2.0-only
/* See names.h. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "model/names.h"
#include "model/names_gen.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/*
 * I/O ports a VM exits on, sorted and without overlaps. There is no
 * machine-readable list of the PC's ports; each row names where it is
 * defined:
 *  [L] Linux, arch/x86/kernel/setup.c, standard_io_resources[];
 *  [K] KVM's in-kernel devices: arch/x86/kvm/i8254.c (PIT, speaker port),
 *      i8259.c (PICs, ELCR), taken when the VMM creates them
 *      (KVM_CREATE_IRQCHIP, KVM_CREATE_PIT2), as QEMU does by default;
 *  [Q] QEMU's device models: hw/char/serial-isa.c (COM1-4),
 *      hw/rtc/mc146818rtc.c (RTC), hw/char/debugcon.c, hw/misc/debugexit.c,
 *      hw/nvram/fw_cfg.c with hw/i386/fw_cfg.h, hw/pci-host (0xcf8, 0xcfc),
 *      hw/isa/apm.c, hw/isa/lpc_ich9.c (0xcf9 reset, ACPI PM at 0x600);
 *  [E] exitscope-vmm: tools/lib/abi/vmm_abi.h (0x501), tools/vmm/io.c.
 * For people: the OSDev wiki's "I/O Ports" and Ralf Brown's PORTS.LST.
 */
static const struct es_port_name ports[] = {
	{ 0x0000, 0x001f, ES_PORT_VMM, "DMA controller 1" },			/* [L] */
	{ 0x0020, 0x0021, ES_PORT_KVM, "PIC 1 (8259)" },			/* [L][K] */
	{ 0x0040, 0x0043, ES_PORT_KVM, "PIT (8254)" },				/* [L][K] */
	{ 0x0050, 0x0053, ES_PORT_VMM, "timer 1" },				/* [L] */
	{ 0x0060, 0x0060, ES_PORT_VMM, "keyboard data (8042)" },		/* [L] */
	{ 0x0061, 0x0061, ES_PORT_KVM, "PC speaker, NMI status" },		/* [K] */
	{ 0x0064, 0x0064, ES_PORT_VMM, "keyboard controller (8042)" },		/* [L][E] */
	{ 0x0070, 0x0071, ES_PORT_VMM, "RTC and CMOS" },			/* [Q] */
	{ 0x0080, 0x0080, ES_PORT_VMM, "POST code, Linux's I/O delay" },	/* [L] */
	{ 0x0081, 0x008f, ES_PORT_VMM, "DMA page registers" },			/* [L] */
	{ 0x00a0, 0x00a1, ES_PORT_KVM, "PIC 2 (8259)" },			/* [L][K] */
	{ 0x00b2, 0x00b3, ES_PORT_FIRMWARE, "APM control (SMI)" },		/* [Q] */
	{ 0x00c0, 0x00df, ES_PORT_VMM, "DMA controller 2" },			/* [L] */
	{ 0x00e9, 0x00e9, ES_PORT_VMM, "debug console" },			/* [Q] */
	{ 0x00f0, 0x00ff, ES_PORT_VMM, "FPU" },					/* [L] */
	{ 0x02e8, 0x02ef, ES_PORT_VMM, "COM4 (8250 UART)" },			/* [Q] */
	{ 0x02f8, 0x02ff, ES_PORT_VMM, "COM2 (8250 UART)" },			/* [Q] */
	{ 0x03e8, 0x03ef, ES_PORT_VMM, "COM3 (8250 UART)" },			/* [Q] */
	{ 0x03f8, 0x03ff, ES_PORT_VMM, "COM1 (8250 UART)" },			/* [Q][E] */
	{ 0x04d0, 0x04d1, ES_PORT_KVM, "ELCR (PIC trigger modes)" },		/* [K] */
	{ 0x0501, 0x0501, ES_PORT_VMM, "debug exit (exitscope-vmm's verdict)" },/* [Q][E] */
	{ 0x0510, 0x0511, ES_PORT_VMM, "fw_cfg" },				/* [Q] */
	{ 0x0514, 0x051b, ES_PORT_VMM, "fw_cfg DMA" },				/* [Q] */
	{ 0x0600, 0x067f, ES_PORT_FIRMWARE, "ACPI PM (QEMU q35)" },		/* [Q] */
	{ 0x0cf8, 0x0cf8, ES_PORT_VMM, "PCI config address" },			/* [Q] */
	{ 0x0cf9, 0x0cf9, ES_PORT_VMM, "reset control" },			/* [Q][E] */
	{ 0x0cfa, 0x0cfb, ES_PORT_VMM, "PCI config address" },			/* [Q] */
	{ 0x0cfc, 0x0cff, ES_PORT_VMM, "PCI config data" },			/* [Q] */
};

/*
 * MMIO blocks at the addresses PC firmware gives them by default (QEMU's
 * and most), each with its source: the local APIC at 0xfee00000 (Intel
 * SDM vol. 3, "Local APIC Status and Location"), its registers named as
 * the x2APIC's MSRs above (the same offsets / 16); the I/O APIC at
 * 0xfec00000 with IOREGSEL at 0 and IOWIN at 0x10 (Intel 82093AA
 * datasheet, 3.0); the HPET at 0xfed00000 (IA-PC HPET specification 1.0a).
 */
static const struct {
	uint64_t base, size;
	const char *name;
} mmio[] = {
	{ 0xfec00000, 0x1000, "I/O APIC" },
	{ 0xfed00000, 0x400, "HPET" },
	{ 0xfee00000, 0x1000, "local APIC" },
};

static const struct es_name *find(const struct es_name *t, size_t n, uint64_t id)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t[mid].id == id)
			return &t[mid];
		if (t[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const char *es_msr_name(uint32_t index)
{
	const struct es_name *e = find(es_msr_names, ARRAY_LEN(es_msr_names), index);

	return e ? e->name : NULL;
}

const char *es_hypercall_name(uint64_t nr)
{
	const struct es_name *e = find(es_hypercall_names, ARRAY_LEN(es_hypercall_names), nr);

	return e ? e->name : NULL;
}

const char *es_vector_name(uint64_t vector)
{
	const struct es_name *e = find(es_vector_names, ARRAY_LEN(es_vector_names), vector);

	return e ? e->name : NULL;
}

const char *es_host_vector_name(uint64_t vector)
{
	const struct es_name *e = find(es_host_vector_names, ARRAY_LEN(es_host_vector_names), vector);

	if (e)
		return e->name;
	/*
	 * Below the system vectors the kernel allocates the devices' (and
	 * 0x20, FIRST_EXTERNAL_VECTOR, for its own moves): /proc/interrupts
	 * says which device has which on which CPU.
	 */
	return vector > 0x20 && vector < es_host_vector_names[0].id ? "a device's" : NULL;
}

const struct es_port_name *es_port_name(uint16_t port)
{
	size_t lo = 0, hi = ARRAY_LEN(ports);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (port < ports[mid].first)
			hi = mid;
		else if (port > ports[mid].last)
			lo = mid + 1;
		else
			return &ports[mid];
	}
	return NULL;
}

const char *es_mmio_name(char buf[64], uint64_t gpa)
{
	const char *reg = NULL;
	uint64_t off;
	size_t i;

	for (i = 0; i < ARRAY_LEN(mmio); i++)
		if (gpa >= mmio[i].base && gpa - mmio[i].base < mmio[i].size)
			break;
	if (i == ARRAY_LEN(mmio))
		return NULL;
	off = gpa - mmio[i].base;
	if (mmio[i].base == 0xfee00000 && !(off & 0xf)) {
		reg = es_msr_name((uint32_t)(0x800 + off / 16));
		if (reg && !strncmp(reg, "X2APIC_", 7))
			reg += 7;
	} else if (mmio[i].base == 0xfec00000 && (off == 0 || off == 0x10)) {
		reg = off ? "IOWIN" : "IOREGSEL";
	}
	snprintf(buf, 64, "%s%s%s", mmio[i].name, reg ? " " : "", reg ? reg : "");
	return buf;
}

const char *es_port_where_str(enum es_port_where w)
{
	switch (w) {
	case ES_PORT_KVM: return "kvm";
	case ES_PORT_FIRMWARE: return "firmware";
	case ES_PORT_VMM: break;
	}
	return "vmm";
}

const struct es_name *es_msr_names_table(size_t *n)
{
	*n = ARRAY_LEN(es_msr_names);
	return es_msr_names;
}

const struct es_name *es_hypercall_names_table(size_t *n)
{
	*n = ARRAY_LEN(es_hypercall_names);
	return es_hypercall_names;
}

const struct es_name *es_vector_names_table(size_t *n)
{
	*n = ARRAY_LEN(es_vector_names);
	return es_vector_names;
}

const struct es_name *es_host_vector_names_table(size_t *n)
{
	*n = ARRAY_LEN(es_host_vector_names);
	return es_host_vector_names;
}

const struct es_port_name *es_port_names_table(size_t *n)
{
	*n = ARRAY_LEN(ports);
	return ports;
}
