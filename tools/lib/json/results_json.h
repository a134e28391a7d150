/* SPDX-License-Identifier: GPL-2.0-only */
/* results.json, exitscope.lab/2 (docs/json.md): a lab record, both ways. */
#ifndef EXITSCOPE_RESULTS_JSON_H
#define EXITSCOPE_RESULTS_JSON_H

#include <stdio.h>

#include "model/model.h"
#include "util/text.h"

#define ES_RESULTS_SCHEMA	"exitscope.lab/2"

int es_write_json(FILE *out, const struct es_record *r);
/* A results.json document back into a record; @name only for messages. */
int es_read_json(const char *name, const char *buf, size_t len, struct es_record *r,
		 struct es_err *e);

#endif
