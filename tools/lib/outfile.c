// SPDX-License-Identifier: GPL-2.0-only
/* See es_write_file() in writers.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "writers.h"

int es_write_file(const char *dir, const char *name,
		  int (*write)(FILE *out, const void *ctx), const void *ctx,
		  struct es_err *e)
{
	char path[4096], tmp[4096 + 16];
	FILE *f;
	int fd, r;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return es_errf(e, "%s/%s: path too long", dir, name);
	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return es_errf(e, "%s: %s", tmp, strerror(errno));
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
