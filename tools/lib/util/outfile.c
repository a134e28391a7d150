// SPDX-License-Identifier: GPL-2.0-only
/* See outfile.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#include "util/outfile.h"

int es_write_file(const char *dir, const char *name,
		  int (*write)(FILE *out, const void *ctx), const void *ctx,
		  struct es_err *e)
{
	char path[4096], tmp[4096 + 16];
	mode_t mask;
	FILE *f;
	int fd, r;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return es_errf(e, "%s/%s: path too long", dir, name);
	/*
	 * A temporary name of its own, in the same directory (rename() stays
	 * atomic): two writers at once each rename a whole file of theirs,
	 * never one spliced from both. A leading dot and no .prom at the end:
	 * node-exporter's textfile collector reads neither.
	 */
	snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, name);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return es_errf(e, "%s/.%s.XXXXXX: %s", dir, name, strerror(errno));
	/* mkostemp() makes it 0600; readers (node-exporter) need 0644 & ~umask. */
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0644 & ~mask)) {
		es_errf(e, "%s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(tmp);
		return es_errf(e, "%s: %s", tmp, strerror(errno));
	}
	r = write(f, ctx);
	if (fclose(f) || r) {
		unlink(tmp);
		return es_errf(e, "%s: %s", path, r ? "cannot be written (a figure past 2^63, or text that is not UTF-8?)" :
			       strerror(errno));
	}
	if (rename(tmp, path)) {
		es_errf(e, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}
