/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Names for what sits below an exit reason: MSR indices, I/O ports, KVM
 * hypercall numbers and exception vectors, one table each, for every output (top, records,
 * metrics, explain). MSRs, hypercalls and vectors come from the kernel's headers
 * (names_gen.h, scripts/gen-names.py); ports from the table in names.c,
 * each row with its source.
 */
#ifndef EXITSCOPE_NAMES_H
#define EXITSCOPE_NAMES_H

#include <stdint.h>

struct es_name {
	uint64_t id;
	const char *name;
};

/* Where an I/O port's exits end up, when the VM is set up as usual. */
enum es_port_where {
	ES_PORT_VMM,		/* the VMM's device model (a return to user space) */
	ES_PORT_KVM,		/* emulated in KVM (in-kernel PIT, PIC, ELCR) */
	ES_PORT_FIRMWARE,	/* a block firmware places, here as QEMU's place it */
};

struct es_port_name {
	uint16_t first, last;
	enum es_port_where where;
	const char *name;
};

/* The MSR's name ("IA32_APICBASE", "X2APIC_ICR"...), or NULL. */
const char *es_msr_name(uint32_t index);
/* KVM's name of hypercall @nr ("KICK_CPU"...), or NULL. */
const char *es_hypercall_name(uint64_t nr);
/* The exception's name ("#PF", "NMI"...), or NULL. */
const char *es_vector_name(uint64_t vector);
/*
 * The host's interrupt vector's name ("LOCAL_TIMER", "RESCHEDULE"...; "a
 * device's" below the system vectors), or NULL.
 */
const char *es_host_vector_name(uint64_t vector);
/*
 * What sits at guest-physical @gpa where firmware puts it by default, into
 * @buf ("local APIC EOI", "I/O APIC IOWIN", "HPET"), or NULL.
 */
const char *es_mmio_name(char buf[64], uint64_t gpa);
/* The row of the port table that holds @port, or NULL. */
const struct es_port_name *es_port_name(uint16_t port);
/* "vmm", "kvm" or "firmware". */
const char *es_port_where_str(enum es_port_where w);

/* The tables, for tests: @n gets the number of rows; sorted by id / first. */
const struct es_name *es_msr_names_table(size_t *n);
const struct es_name *es_hypercall_names_table(size_t *n);
const struct es_name *es_vector_names_table(size_t *n);
const struct es_name *es_host_vector_names_table(size_t *n);
const struct es_port_name *es_port_names_table(size_t *n);

#endif
