/* SPDX-License-Identifier: GPL-2.0-only */
/* Output files that are whole or absent: nothing that failed claims success. */
#ifndef EXITSCOPE_OUTFILE_H
#define EXITSCOPE_OUTFILE_H

#include <stdio.h>

#include "util/text.h"

/*
 * DIR/NAME written whole or not at all: into a temporary file, renamed
 * over NAME once @write succeeded. 0, or -1 with @e set.
 */
int es_write_file(const char *dir, const char *name,
		  int (*write)(FILE *out, const void *ctx), const void *ctx,
		  struct es_err *e);

#endif
