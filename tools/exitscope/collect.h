/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What top, record and exporter share: the source options (--source,
 * --pid, --no-timing, --max-rows, --detail, -v), opening the source and saying which
 * it is, stopping cleanly on SIGINT, SIGTERM and SIGHUP (so that a tracefs
 * trigger is removed and the terminal restored), and the VMM's name.
 */
#ifndef EXITSCOPE_COLLECT_H
#define EXITSCOPE_COLLECT_H

#include <getopt.h>
#include <signal.h>
#include <stdbool.h>

#include "export/openmetrics.h"
#include "model/vm_name.h"
#include "source/source.h"

#define COLLECT_MAX_RULES	4

struct collect_args {
	const char *spec;		/* --source, default "auto" */
	struct es_source_opts o;
	struct es_name_rule rules[COLLECT_MAX_RULES];	/* --name-from, in order */
	size_t nrules;
	struct es_prom_opts prom;	/* record and exporter: --per-vcpu, --vm-histograms */
};

/*
 * The options' getopt_long entries (values 0x100..., and -p and -v, which
 * mean --pid and --verbose in every collector command) and their help text.
 */
#define COLLECT_OPTIONS \
	{ "source", required_argument, NULL, 0x100 }, \
	{ "pid", required_argument, NULL, 'p' }, \
	{ "no-timing", no_argument, NULL, 0x102 }, \
	{ "max-rows", required_argument, NULL, 0x103 }, \
	{ "verbose", no_argument, NULL, 'v' }, \
	{ "name-from", required_argument, NULL, 0x106 }, \
	{ "detail", no_argument, NULL, 0x108 }
/* The series the Prometheus output spends (record and exporter). */
#define PROM_PER_VCPU_OPTION	{ "per-vcpu", no_argument, NULL, 0x104 }
#define PROM_PER_VCPU_HELP \
	"  --per-vcpu       Prometheus: exits and cycles per vCPU too (a vcpu label:\n" \
	"                   series x vCPUs; default per VM and reason)\n"
#define PROM_DETAIL_TOP_OPTION	{ "detail-top", required_argument, NULL, 0x109 }
#define PROM_DETAIL_TOP_HELP \
	"  --detail-top N   Prometheus, with the drill-down: the N busiest keys of each\n" \
	"                   VM, reason and kind carry a key label (default 10, at\n" \
	"                   most 100; 0: none), the rest are summed\n"
#define PROM_PID_LABEL_OPTION	{ "pid-label", no_argument, NULL, 0x107 }
#define PROM_PID_LABEL_HELP \
	"  --pid-label      Prometheus: a pid label beside vm (a new series each time\n" \
	"                   a VM restarts)\n"
#define COLLECT_HELP \
	"  --source S       auto (default: module, else bpf, else tracefs), module,\n" \
	"                   bpf, tracefs, file:PATH (records to replay), module:DIR,\n" \
	"                   bpf:tp_btf, bpf:tp (the collector in that mode only)\n" \
	"  -p, --pid P      one VM only: its VMM's process id\n" \
	"  --no-timing      bpf: count only, no exit -> entry times (cheaper)\n" \
	"  --max-rows N     bpf: rows of the in-kernel tables (VM x vCPU x reason:\n" \
	"                   times, and counts past the 1024 per-vCPU blocks),\n" \
	"                   default 16384, about 400 bytes each, taken at start;\n" \
	"                   exits past it are counted as lost\n" \
	"  --detail         bpf (tp_btf): also what each exit was about, below its\n" \
	"                   reason: the port, MSR, address or hypercall (off by\n" \
	"                   default: it costs more per exit; docs/collector.md)\n" \
	"  -v, --verbose    libbpf's own messages\n" \
	"  --name-from R    where VM names come from, before QEMU's -name and\n" \
	"                   libvirt's machine scope: arg:OPTION (the VMM's command\n" \
	"                   line) or env:VARIABLE (its environment); up to 4\n"

void collect_args_init(struct collect_args *a);
/* 1 if @c was one of ours, 0 if not, -1 on a bad value (said on stderr). */
int collect_arg(const char *prog, int c, const char *arg, struct collect_args *a);
/* Open the source, say on stderr what it reads; -1 said on stderr. */
int collect_open(const char *prog, const struct collect_args *a, struct es_source *src);

/* Set by SIGINT, SIGTERM, SIGHUP once collect_signals() ran. */
extern volatile sig_atomic_t collect_stop;
void collect_signals(void);
/* Sleep @ms, or less when a signal stops us. */
void collect_sleep_ms(unsigned int ms);

/* /proc/PID/comm, cached; "" when gone. For es_write_prometheus(). */
const char *collect_comm(uint32_t pid, void *unused);
/*
 * The name of the VM whose VMM is @pid (vm_name.h): the --name-from rules,
 * then QEMU's -name, then libvirt's machine scope; "" if none. Cached by
 * pid and start time.
 */
const char *collect_vm_name(uint32_t pid, const struct collect_args *a);
/* Every VM of @s without a name gets its /proc one (live sources); -1 OOM. */
int collect_name_vms(struct es_snap *s, const struct collect_args *a);
/* uname -r */
const char *collect_kernel(void);

#endif
