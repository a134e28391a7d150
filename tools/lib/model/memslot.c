// SPDX-License-Identifier: GPL-2.0-only
/* See memslot.h. */
#include <stdio.h>
#include <string.h>

#include "model/memslot.h"

/* How much of [a, a + al) and [b, b + bl) overlap; no sum overflows. */
static uint64_t overlap(uint64_t a, uint64_t al, uint64_t b, uint64_t bl)
{
	uint64_t lo = a > b ? a : b;
	uint64_t a_end = al > UINT64_MAX - a ? UINT64_MAX : a + al;
	uint64_t b_end = bl > UINT64_MAX - b ? UINT64_MAX : b + bl;
	uint64_t hi = a_end < b_end ? a_end : b_end;

	return hi > lo ? hi - lo : 0;
}

/* The slot of @tgid's that holds most of the range, as es_memslot_of() says. */
static const struct es_memslot *best_of(const struct es_memslot *ms, size_t n, uint32_t tgid,
					uint64_t gpa, uint64_t len)
{
	const struct es_memslot *best = NULL;
	uint64_t best_len = 0, o;
	size_t i;

	for (i = 0; i < n; i++) {
		if (ms[i].tgid != tgid || ms[i].as_id)
			continue;
		o = overlap(gpa, len, ms[i].gpa, ms[i].size);
		if (o > best_len || (o && o == best_len && ms[i].gpa < best->gpa)) {
			best = &ms[i];
			best_len = o;
		}
	}
	return best;
}

const struct es_memslot *es_memslot_of(const struct es_memslot *ms, size_t n, uint32_t tgid,
				       uint64_t gpa, uint64_t len)
{
	const struct es_memslot *first = NULL, *m;
	size_t i;

	if (tgid)
		return best_of(ms, n, tgid, gpa, len);
	/* All VMs summed: a name only where every VM that has one agrees. */
	for (i = 0; i < n; i++) {
		m = best_of(ms, n, ms[i].tgid, gpa, len);
		if (!m)
			continue;
		if (first && (first->id != m->id || strcmp(first->mapping, m->mapping)))
			return NULL;
		if (!first)
			first = m;
	}
	return first;
}

const char *es_memslot_name(char buf[64], const struct es_memslot *m)
{
	snprintf(buf, 64, "%sslot %u%s%s%s", m->as_id ? "SMM " : "", m->id,
		 m->mapping[0] ? " (" : "", m->mapping, m->mapping[0] ? ")" : "");
	return buf;
}

void es_memslot_set_mapping(struct es_memslot *m, const char *src)
{
	size_t i;

	for (i = 0; i + 1 < sizeof(m->mapping) && src[i]; i++)
		m->mapping[i] = src[i] >= 0x20 && src[i] < 0x7f ? src[i] : '?';
	m->mapping[i] = '\0';
}

bool es_mapping_ok(const char *s)
{
	for (; *s; s++)
		if (*s < 0x20 || *s >= 0x7f)
			return false;
	return true;
}

int es_memslot_cmp(const struct es_memslot *a, const struct es_memslot *b)
{
	if (a->tgid != b->tgid)
		return a->tgid < b->tgid ? -1 : 1;
	if (a->as_id != b->as_id)
		return a->as_id < b->as_id ? -1 : 1;
	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	return 0;
}
