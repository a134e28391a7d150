/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Snapshots and records: what `exitscope record` measured over its span
 * (the difference of two snapshots) as a record of the results model, one
 * run per VM (pid order) with its vCPUs, so that every writer of the
 * report renders it; and a record back into a snapshot (the file source
 * replays records).
 */
#ifndef EXITSCOPE_RECORD_H
#define EXITSCOPE_RECORD_H

#include <stdio.h>

#include "model/model.h"
#include "model/snapshot.h"
#include "util/text.h"

struct es_record_info {
	const char *label;		/* the runs' mode: "record", "before"... */
	const char *host_kernel;	/* uname -r */
	uint64_t duration_ns;
};

/* @d (a difference of snapshots) into @r (initialized here). */
int es_record_from_snap(const struct es_snap *d, const struct es_record_info *info,
			struct es_record *r, struct es_err *e);
/* @r's figures as a snapshot (@out initialized here), at_ns = duration. */
int es_record_to_snap(const struct es_record *r, struct es_snap *out, struct es_err *e);


/*
 * Two records side by side (`report A B`): @a's VMs under its label, @b's
 * under its (a and b when they are the same), the figures both have, both
 * verdicts. The VMs move into @out: @a and @b keep none; free all three.
 */
int es_record_compare(struct es_record *a, struct es_record *b, struct es_record *out,
		      struct es_err *e);

/* A label: 1 to 15 of [a-z0-9_-]. */
bool es_label_ok(const char *s);

#endif
