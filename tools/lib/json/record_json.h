/* SPDX-License-Identifier: GPL-2.0-only */
/* A collector's record, exitscope.record/1 (docs/collector.md), both ways. */
#ifndef EXITSCOPE_RECORD_JSON_H
#define EXITSCOPE_RECORD_JSON_H

#include <stdio.h>

#include "model/model.h"
#include "util/text.h"

#define ES_RECORD_SCHEMA	"exitscope.record/1"

int es_write_record_json(FILE *out, const struct es_record *r);
int es_read_record_json(const char *name, const char *buf, size_t len, struct es_record *r,
			struct es_err *e);

#endif
