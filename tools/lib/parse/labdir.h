/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A lab results directory into the results model: metadata.txt says what
 * ran (modes, runs); each run brings status-, stats-, hist-, l2- and,
 * where the VMM wrote it, kvmstat- files. Every file is read with a size
 * limit and parsed strictly; the first one that is missing or corrupt
 * fails the load, named with its line.
 */
#ifndef EXITSCOPE_LABDIR_H
#define EXITSCOPE_LABDIR_H

#include <stdbool.h>

#include "model/model.h"
#include "util/text.h"

#define ES_META_FILE	"metadata.txt"

/*
 * Load @dir into @r (initialized here). A query block in an L2 log that
 * cannot be read is no load error but a failure in that run's verdict:
 * the guest's console is the least trusted input, and the figures around
 * it still deserve a report.
 */
int es_labdir_load(const char *dir, struct es_record *r, struct es_err *e);

/*
 * What report and explain take: a lab results directory (loaded as above,
 * @is_dir set), or a results.json or a record's JSON (read back); then
 * checked again (verdict.h), so that figures edited since show up.
 */
int es_figures_load(const char *src, bool *is_dir, struct es_record *r, struct es_err *e);

#endif
