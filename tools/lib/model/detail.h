/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The drill-down below a reason (docs/collector.md): per VM and reason,
 * how many exits were about which port, MSR, page, vector or hypercall.
 * A key's count is cumulative in a snapshot and a difference in a record,
 * like a reason's. What every output shows of a reason is its groups (one
 * per kind): the top N keys by count, the rest summed as "other", and the
 * reason's exits that carry no key of that kind as "none", so that the
 * three always add up to the reason's count.
 */
#ifndef EXITSCOPE_DETAIL_H
#define EXITSCOPE_DETAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../bpf/exitscope.h"
#include "model/memslot.h"

/* Keys shown of each reason and kind, by default (the rest: "other"). */
#define ES_DETAIL_TOP		10
/* Keys of one kind under one reason a record may hold. */
#define ES_DETAIL_MAX_KEYS	65536

struct es_detail {
	uint32_t tgid;			/* the VM (its VMM's pid); 0: all VMs summed */
	uint32_t code;			/* the reason, folded (exitscope.h) */
	uint8_t kind;			/* enum es_bpf_detail_kind */
	uint16_t flags;			/* ES_BPF_DF_* */
	uint64_t value;
	uint64_t count;
};

/* The keys of one VM, reason and kind, for people. */
struct es_detail_group {
	uint32_t tgid, code;
	uint8_t kind;
	struct es_detail *top;		/* the largest keys, by count, then key */
	size_t ntop;
	size_t other_keys;		/* keys beyond the top */
	uint64_t other;			/* ...and their exits */
	uint64_t keyed;			/* every key's exits: top + other */
};

/* "io", "msr", "gpa", "mmio", "vector", "hypercall", "host_vector", "cr"; NULL if none. */
const char *es_detail_kind_str(unsigned int kind);
/* The kind called @s, or ES_BPF_DK_NONE. */
unsigned int es_detail_kind_parse(const char *s);
/* "in", "out", "read", "write", or "" where a kind has no direction. */
const char *es_detail_dir_str(unsigned int kind, unsigned int flags);
/* The flags of direction @s for @kind; -1 if it is none of that kind's. */
int es_detail_dir_parse(unsigned int kind, const char *s);
/* The key as text: "0x3f8", "0xfec00000", "14", "cr3". */
const char *es_detail_key_str(char buf[24], unsigned int kind, uint64_t value);
/* The key @s as es_detail_key_str() writes it into @value; -1 if it is not one. */
int es_detail_key_parse(unsigned int kind, const char *s, uint64_t *value);
/*
 * What the key is, where a table says (model/names.h): "COM1 (8250 UART)",
 * "X2APIC_ICR", "#PF", "KICK_CPU"; "" if none does.
 */
const char *es_detail_key_name(char buf[64], unsigned int kind, uint64_t value);
/* Is @d a key the kind can have (a port fits 16 bits, a vector 8...)? */
/*
 * es_detail_key_name(), and for a region (gpa) the VM's memslot that holds
 * it where @ms[@n] has one (memslot.h): "slot 0 (memfd:ram)".
 */
const char *es_detail_name(char buf[64], const struct es_detail *d, const struct es_memslot *ms,
			   size_t n);
bool es_detail_valid(const struct es_detail *d);

/* The order of keys: tgid, code, kind, flags, value (<0, 0, >0). */
int es_detail_key_cmp(const struct es_detail *a, const struct es_detail *b);
/*
 * By key (es_detail_key_cmp), equal keys summed into one
 * (saturating at 2^63 - 1); returns the number left.
 */
size_t es_detail_merge(struct es_detail *d, size_t n);
/* By tgid, code, kind, then count (largest first), then flags and value. */
void es_detail_sort(struct es_detail *d, size_t n);
/*
 * @d (any order; sorted here) as groups, each with at most @top keys (0:
 * all), into @out (freed with es_detail_groups_free). -1 out of memory.
 */
int es_detail_groups(struct es_detail *d, size_t n, size_t top,
		     struct es_detail_group **out, size_t *nout);
void es_detail_groups_free(struct es_detail_group *g, size_t n);

#endif
