/* SPDX-License-Identifier: GPL-2.0-only */
/* `exitscope explain --json`: exitscope.explain/1 (docs/json.md). */
#ifndef EXITSCOPE_EXPLAIN_JSON_H
#define EXITSCOPE_EXPLAIN_JSON_H

#include <stdio.h>

#include "explain/explain.h"

#define ES_EXPLAIN_SCHEMA	"exitscope.explain/1"

/* @x (@n profiles) of @input, against @baseline's (NULL: none given); -1 on error. */
int es_write_explain_json(FILE *out, const char *input, const char *baseline,
			  const struct es_explained *x, size_t n);

#endif
