/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The drill-down of one reason as JSON (docs/collector.md): the one format
 * of a record's reasons (exitscope.record/1) and of a lab run's
 * (results.json, exitscope.lab/2), written and read here only.
 */
#ifndef EXITSCOPE_DETAIL_JSON_H
#define EXITSCOPE_DETAIL_JSON_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "model/model.h"

/*
 * @run's keys of reason @code, whose exits are @count: per kind, every key
 * and its count, and "none", the exits of the reason with no key of that
 * kind. An empty array when there are none; NULL out of memory.
 */
json_t *es_detail_json(const struct es_run *run, uint32_t code, uint64_t count);

/*
 * @a, as es_detail_json() writes it, appended to @run->details (tgid
 * @run->pid) as reason @code's, of @count exits: every field known, each
 * key of its kind and in its range and given once, the keys and "none"
 * adding up to @count. 0, or -1 with what is wrong in @why and where
 * below @a in @at ("[1].keys[3]", or "").
 */
int es_detail_read_json(json_t *a, struct es_run *run, uint32_t code, uint64_t count,
			char *why, size_t whylen, char *at, size_t atlen);

/*
 * @run's memslots (memslot.h): [{"as_id", "slot", "gpa", "size", "mapping"}],
 * in es_memslot_cmp() order. NULL out of memory.
 */
json_t *es_memslots_json(const struct es_run *run);

/*
 * @a, as es_memslots_json() writes it, into @run->memslots (tgid
 * @run->pid): every field known, ranges page-aligned, slots in order and
 * each once. 0, or -1 with what is wrong in @why and where in @at.
 */
int es_memslots_read_json(json_t *a, struct es_run *run, char *why, size_t whylen, char *at,
			  size_t atlen);

#endif
