/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What L1 sends on its second serial port (lab/l1-init.sh), one file after
 * the other, then an end mark:
 *
 *   EXITSCOPE-FILE NAME BYTES SHA256\n
 *   <BYTES bytes>
 *   EXITSCOPE-END NAME\n
 *   ...
 *   EXITSCOPE-ALL-SENT\n
 *
 * Read in sequence, never by searching: a file's bytes may hold anything,
 * an EXITSCOPE- line included. Every name, size and digest is checked.
 */
#ifndef EXITSCOPE_FRAME_H
#define EXITSCOPE_FRAME_H

#include <stddef.h>

#include "util/text.h"

#define ES_FRAME_MAX_FILES	4096
#define ES_FRAME_MAX_FILE	(64u << 20)	/* bytes of one file */
#define ES_FRAME_MAX_RAW	(256u << 20)	/* bytes of the whole stream */
#define ES_FRAME_NAME_MAX	64

struct es_frame_file {
	char name[ES_FRAME_NAME_MAX + 1];	/* [A-Za-z0-9._-], no leading '.' */
	size_t off, size;			/* its bytes in the stream */
};

/*
 * Split @buf into its files (allocated in *@files). -1 with @e set ("NAME:
 * at byte N: reason") when anything is off: junk, a bad name, a size past
 * the stream, a digest that differs, a name twice, no end mark.
 */
int es_unframe(const char *name, const char *buf, size_t len,
	       struct es_frame_file **files, size_t *n, struct es_err *e);

#endif
