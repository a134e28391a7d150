/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What a guest's `exitscope query` found, and its one format on the wire:
 * the JSON line of `exitscope query --json` (docs/json.md, exitscope.query/2),
 * written and read here with jansson. In the lab it travels on L2's console
 * between EXITSCOPE-QUERY-BEGIN and EXITSCOPE-QUERY-END lines.
 */
#ifndef EXITSCOPE_QUERY_DOC_H
#define EXITSCOPE_QUERY_DOC_H

#include <stdbool.h>
#include <stdio.h>

#include "model/model.h"
#include "util/text.h"

#define ES_QUERY_SCHEMA		"exitscope.query/2"
#define ES_QUERY_MAX_LINE	(256u << 10)
#define ES_QUERY_BEGIN		"EXITSCOPE-QUERY-BEGIN"
#define ES_QUERY_END		"EXITSCOPE-QUERY-END"

struct es_qrow {
	uint32_t code;			/* or ES_CODE_OTHER */
	char name[ES_NAME_MAX + 1];
	uint64_t count, cycles;
};

struct es_query_doc {
	enum es_vendor vendor;
	uint64_t total, total_cycles;
	uint64_t query_exits;		/* the query's own CPUIDs */
	struct es_qrow *rows;
	size_t n;
};

void es_query_doc_free(struct es_query_doc *d);
/* Append a row; false when out of memory. */
bool es_query_doc_add(struct es_query_doc *d, uint32_t code, const char *name,
		      uint64_t count, uint64_t cycles);
/* The document as one line of JSON and a newline; -1 if it cannot be. */
int es_query_doc_write(FILE *out, const struct es_query_doc *d);
/* One JSON document; @name and @line only for messages. */
int es_query_doc_parse(const char *name, unsigned int line, const char *buf,
		       size_t len, struct es_query_doc *d, struct es_err *e);
/*
 * The query block of an L2 console log. No block at all: 0 and *@found
 * false (a flat guest has no query). A block that is not exactly one
 * document between the markers: -1.
 */
int es_query_log_parse(const char *name, const char *buf, size_t len,
		       struct es_query_doc *d, bool *found, struct es_err *e);

#endif
