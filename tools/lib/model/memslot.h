/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A VM's memslots, as the drill-down names its nested-page-fault regions
 * by them (docs/collector.md): which guest-physical range KVM_SET_USER_-
 * MEMORY_REGION gave the slot, and which of the VMM's mappings backs it
 * (the name of the file it maps, as the collector found it at the slot's
 * userspace_addr). The collector notes a slot when a region of it faults
 * for the first time; a record keeps its VMs' slots, so that it names its
 * regions anywhere.
 */
#ifndef EXITSCOPE_MEMSLOT_H
#define EXITSCOPE_MEMSLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../bpf/exitscope.h"

/* A mapping's name, as ES_BPF_MAPPING_MAX. */
#define ES_MAPPING_MAX		ES_BPF_MAPPING_MAX

struct es_memslot {
	uint32_t tgid;			/* the VM (its VMM's pid) */
	uint16_t as_id;			/* address space: 0, or 1 for SMM's */
	uint16_t id;			/* the slot */
	uint64_t gpa, size;		/* its guest-physical range, bytes */
	char mapping[ES_MAPPING_MAX];	/* the VMM's mapping of it; "" unknown */
};

/*
 * The memslot of @tgid in @ms[@n] that holds most of the guest-physical
 * range [@gpa, @gpa + @len) in address space 0, the lower slot if two hold
 * as much; NULL if none holds any of it. @tgid 0 (VMs summed): that slot
 * where every VM that has one has the same (number and mapping), else
 * NULL.
 */
const struct es_memslot *es_memslot_of(const struct es_memslot *ms, size_t n, uint32_t tgid,
				       uint64_t gpa, uint64_t len);

/*
 * @src, a name from outside (a file the VMM named), into @m's mapping:
 * each byte but printable ASCII as '?', so that no terminal, table or
 * JSON (which wants UTF-8) takes it as anything but text.
 */
void es_memslot_set_mapping(struct es_memslot *m, const char *src);

/* Whether @s is such a name: printable ASCII only. */
bool es_mapping_ok(const char *s);

/* "slot 3 (memfd:pc.ram)", "SMM slot 1": @m's name for people, in @buf. */
const char *es_memslot_name(char buf[64], const struct es_memslot *m);

/* By tgid, address space, slot: 0 for the same slot. */
int es_memslot_cmp(const struct es_memslot *a, const struct es_memslot *b);

#endif
