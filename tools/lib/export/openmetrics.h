/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Prometheus text exposition (format 0.0.4, what node-exporter's textfile
 * collector and every scraper read) of a snapshot: exit counters per VM,
 * vCPU and reason, exit -> entry time as histograms per VM and reason,
 * the drill-down's busiest keys per VM and reason, the collector's health. Names and labels: docs/collector.md.
 */
#ifndef EXITSCOPE_OPENMETRICS_H
#define EXITSCOPE_OPENMETRICS_H

#include <stdbool.h>
#include <stdio.h>

#include "model/snapshot.h"

#define ES_PROM_CONTENT_TYPE	"text/plain; version=0.0.4; charset=utf-8"

/* The VMM's name for @tgid ("" if unknown): the comm label. */
typedef const char *(*es_comm_fn)(uint32_t tgid, void *ctx);

/*
 * The series the export may spend (docs/collector.md, "Series budget"):
 * by default per VM and reason, with time as a bucket-less histogram per
 * VM and reason and a full one per reason for all VMs.
 */
struct es_prom_opts {
	bool per_vcpu;		/* exits and cycles per vCPU too (x vCPUs) */
	bool vm_histograms;	/* every bucket per VM and reason (x 32) */
	bool pid_label;		/* a pid label too: a new series per VM restart */
	unsigned int detail_top;	/* with the drill-down: keys labelled per VM,
					 * reason and kind (the busiest), the rest summed */
};

/* --detail-top's bound: series per VM, reason and kind. */
#define ES_PROM_DETAIL_TOP_MAX	100

/* @s (cumulative) as metrics; 0, or -1 on a write error. */
int es_write_prometheus(FILE *out, const struct es_snap *s, const struct es_prom_opts *o,
			es_comm_fn comm, void *ctx);
/*
 * @s, the figures of one span of @span_ns (a record), as gauges named
 * exitscope_record_*: each write replaces the last span's (docs/collector.md).
 */
int es_write_prometheus_span(FILE *out, const struct es_snap *s, uint64_t span_ns,
			     const struct es_prom_opts *o, es_comm_fn comm, void *ctx);

/* @ns as seconds, exactly ("0.000001023"); @buf of 32. */
const char *es_prom_seconds(char buf[32], uint64_t ns);
/* @s as a label value: \, " and newline escaped, bytes not UTF-8 as '?'. */
void es_prom_label_value(FILE *out, const char *s);

#endif
