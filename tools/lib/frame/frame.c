// SPDX-License-Identifier: GPL-2.0-only
/* See frame.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame/frame.h"
#include "frame/sha256.h"
#include "util/num.h"

#define HEADER_MAX	256

static bool file_name(struct es_str s)
{
	size_t i;

	if (!s.n || s.n > ES_FRAME_NAME_MAX || s.p[0] == '.')
		return false;
	for (i = 0; i < s.n; i++)
		if (!((s.p[i] >= 'a' && s.p[i] <= 'z') || (s.p[i] >= 'A' && s.p[i] <= 'Z') ||
		      (s.p[i] >= '0' && s.p[i] <= '9') || s.p[i] == '.' || s.p[i] == '_' ||
		      s.p[i] == '-'))
			return false;
	return true;
}

static bool hex64(struct es_str s)
{
	size_t i;

	if (s.n != 2 * ES_SHA256_LEN)
		return false;
	for (i = 0; i < s.n; i++)
		if (!((s.p[i] >= '0' && s.p[i] <= '9') || (s.p[i] >= 'a' && s.p[i] <= 'f')))
			return false;
	return true;
}

/* The line at @pos (without "\n"), or -1: none within HEADER_MAX bytes. */
static int header_line(const char *buf, size_t len, size_t pos, struct es_str *line)
{
	const char *nl = memchr(buf + pos, '\n', len - pos < HEADER_MAX ? len - pos : HEADER_MAX);

	if (!nl)
		return -1;
	line->p = buf + pos;
	line->n = (size_t)(nl - line->p);
	return 0;
}

int es_unframe(const char *name, const char *buf, size_t len,
	       struct es_frame_file **files, size_t *n, struct es_err *e)
{
	struct es_frame_file *v = NULL, *f;
	struct es_str line, tok[5];
	char digest[2 * ES_SHA256_LEN + 1], end[HEADER_MAX];
	size_t pos = 0, next, i, k;
	uint64_t size;

	*files = NULL;
	*n = 0;
	if (!len)
		return es_errf(e, "%s: empty: L1 sent nothing", name);
	for (;;) {
		if (pos == len) {
			es_errf(e, "%s: ends at byte %zu without EXITSCOPE-ALL-SENT: L1 did not send everything",
				name, pos);
			goto fail;
		}
		if (header_line(buf, len, pos, &line)) {
			es_errf(e, "%s: at byte %zu: no EXITSCOPE-FILE or EXITSCOPE-ALL-SENT line (junk, or cut short)",
				name, pos);
			goto fail;
		}
		if (es_str_eq(line, "EXITSCOPE-ALL-SENT")) {
			pos += line.n + 1;
			break;
		}
		next = pos + line.n + 1;
		for (k = 0; k < 5 && es_str_token(&line, &tok[k]); k++)
			;
		if (k != 4 || !es_str_eq(tok[0], "EXITSCOPE-FILE")) {
			es_errf(e, "%s: at byte %zu: 'EXITSCOPE-FILE NAME BYTES SHA256' expected", name, pos);
			goto fail;
		}
		if (!file_name(tok[1])) {
			es_errf(e, "%s: at byte %zu: bad file name '%.*s'", name, pos,
				(int)(tok[1].n > 80 ? 80 : tok[1].n), tok[1].p);
			goto fail;
		}
		if (es_num_parse(tok[2].p, tok[2].n, ES_NUM_DEC, 0, ES_FRAME_MAX_FILE, &size) != ES_NUM_OK ||
		    !hex64(tok[3])) {
			es_errf(e, "%s: at byte %zu: %.*s: size or SHA-256 malformed (at most %u bytes)",
				name, pos, (int)tok[1].n, tok[1].p, ES_FRAME_MAX_FILE);
			goto fail;
		}
		for (i = 0; i < *n; i++)
			if (es_str_eq(tok[1], v[i].name)) {
				es_errf(e, "%s: at byte %zu: %s sent twice", name, pos, v[i].name);
				goto fail;
			}
		if (*n == ES_FRAME_MAX_FILES) {
			es_errf(e, "%s: more than %d files", name, ES_FRAME_MAX_FILES);
			goto fail;
		}
		f = realloc(v, (*n + 1) * sizeof(*v));
		if (!f) {
			es_errf(e, "%s: out of memory", name);
			goto fail;
		}
		v = f;
		f = &v[(*n)++];
		es_str_copy(tok[1], f->name, sizeof(f->name));
		pos = next;
		if (size > len - pos) {
			es_errf(e, "%s: %s: %llu bytes announced, %zu left in the stream (cut short)",
				name, f->name, (unsigned long long)size, len - pos);
			goto fail;
		}
		f->off = pos;
		f->size = (size_t)size;
		es_sha256_hex(buf + pos, f->size, digest);
		if (memcmp(digest, tok[3].p, sizeof(digest) - 1)) {
			es_errf(e, "%s: %s: SHA-256 %s, sent as %.64s: a corrupt transfer", name,
				f->name, digest, tok[3].p);
			goto fail;
		}
		pos += f->size;
		snprintf(end, sizeof(end), "EXITSCOPE-END %s", f->name);
		if (header_line(buf, len, pos, &line) || !es_str_eq(line, end)) {
			es_errf(e, "%s: at byte %zu: '%s' expected after the file's bytes", name, pos, end);
			goto fail;
		}
		pos += line.n + 1;
	}
	if (pos != len) {
		es_errf(e, "%s: %zu bytes after EXITSCOPE-ALL-SENT", name, len - pos);
		goto fail;
	}
	if (!*n) {
		es_errf(e, "%s: no files before EXITSCOPE-ALL-SENT", name);
		goto fail;
	}
	*files = v;
	return 0;
fail:
	free(v);
	*n = 0;
	return -1;
}
