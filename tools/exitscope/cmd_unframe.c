// SPDX-License-Identifier: GPL-2.0-only
/*
 * exitscope unframe: unpack what L1 sent on its second serial port into
 * the results directory (lab/unframe.sh runs it). Each file is checked
 * against its size and SHA-256 (lib/frame/frame.c) before any is written; each
 * is written whole or not at all.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame/frame.h"
#include "util/outfile.h"
#include "write/writers.h"
#include "cmd.h"

void cmd_unframe_help(void)
{
	printf("usage: exitscope unframe RAW OUTDIR\n"
	       "\n"
	       "Unpack the files L1 framed on its serial port (RAW: lines\n"
	       "'EXITSCOPE-FILE NAME BYTES SHA256', the bytes, 'EXITSCOPE-END NAME',\n"
	       "and a last 'EXITSCOPE-ALL-SENT') into OUTDIR. Nothing is written\n"
	       "unless every file arrived whole. Exit status 0, 1 for a corrupt or\n"
	       "incomplete stream, 2 for bad usage.\n");
}

struct piece {
	const char *data;
	size_t size;
};

static int w_piece(FILE *out, const void *ctx)
{
	const struct piece *p = ctx;

	return fwrite(p->data, 1, p->size, out) == p->size ? 0 : -1;
}

int cmd_unframe(int argc, char **argv)
{
	struct es_frame_file *files;
	struct es_text raw;
	struct es_err e;
	size_t n, i;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		cmd_unframe_help();
		return 0;
	}
	if (argc != 3) {
		fprintf(stderr, "exitscope unframe: RAW and OUTDIR expected (see --help)\n");
		return 2;
	}
	if (es_text_load(argv[1], ES_FRAME_MAX_RAW, &raw, &e) ||
	    es_unframe(argv[1], raw.data, raw.len, &files, &n, &e)) {
		fprintf(stderr, "exitscope unframe: %s\n", e.msg);
		if (raw.data)
			es_text_free(&raw);
		return 1;
	}
	for (i = 0; i < n; i++) {
		struct piece p = { raw.data + files[i].off, files[i].size };

		if (es_write_file(argv[2], files[i].name, w_piece, &p, &e)) {
			fprintf(stderr, "exitscope unframe: %s\n", e.msg);
			free(files);
			es_text_free(&raw);
			return 1;
		}
	}
	fprintf(stderr, "unframe: %zu files\n", n);
	free(files);
	es_text_free(&raw);
	return 0;
}
