// SPDX-License-Identifier: GPL-2.0-only
/*
 * exitscope's collector, the user side: check what loading needs and say
 * what is missing, open the skeleton, set the knobs, load, attach, and
 * read the per-CPU rows into a snapshot (tools/lib/snapshot.h). Every
 * libbpf step reports its error and unwinds through one cleanup; libbpf's
 * own output is muted unless -v, but the tail of a verifier's log is
 * always printed when it rejects the program.
 */
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "../lib/source.h"
#include "exitscope.h"
#include "exitscope.skel.h"

struct bpf_source {
	struct exitscope_bpf *skel;
	enum es_vendor vendor;		/* the host's, until a row says */
	uint32_t max_rows;
	int ncpu;
	size_t stride;			/* one CPU's value, rounded to 8 bytes */
	void *values;			/* ncpu * stride */
};

/* ---- libbpf's messages: muted, but the last ones kept for errors ---- */

#define LOG_KEEP	8192
static char log_tail[LOG_KEEP];
static size_t log_len;
static bool log_verbose;

static int on_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	const char *line;
	char *all;
	va_list aq;
	int n;

	/* One message can be the verifier's whole log: no fixed buffer. */
	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0 || !(all = malloc((size_t)n + 1)))
		return 0;
	vsnprintf(all, (size_t)n + 1, fmt, ap);
	if (log_verbose)
		fputs(all, stderr);
	if (level == LIBBPF_DEBUG) {
		free(all);
		return 0;
	}
	/* Of a message longer than what is kept, its end. */
	line = (size_t)n >= LOG_KEEP / 2 ? all + n - (LOG_KEEP / 2 - 1) : all;
	n = (int)strlen(line);
	if (log_len + (size_t)n >= LOG_KEEP) {
		/* Keep the newer half. */
		size_t keep = LOG_KEEP / 2;

		memmove(log_tail, log_tail + log_len - keep, keep);
		log_len = keep;
	}
	memcpy(log_tail + log_len, line, (size_t)n);
	log_len += (size_t)n;
	log_tail[log_len] = '\0';
	free(all);
	return 0;
}

/* The last @lines lines of what libbpf said, to stderr. */
static void print_log_tail(int lines)
{
	const char *p = log_tail + log_len;

	while (p > log_tail && lines >= 0) {
		p--;
		if (*p == '\n')
			lines--;
	}
	if (*p == '\n')
		p++;
	fprintf(stderr, "exitscope: libbpf and the verifier said (last lines; -v shows all):\n%s", p);
}

/* ---- what loading needs, each missing piece named ---- */

/* tracefs's events/, or NULL with @denied set if one is there but closed to us. */
static const char *events_dir(const char **denied)
{
	static const char *const dirs[] = { "/sys/kernel/tracing/events",
					    "/sys/kernel/debug/tracing/events" };
	size_t i;

	*denied = NULL;
	for (i = 0; i < 2; i++) {
		if (!access(dirs[i], F_OK))
			return dirs[i];
		if (errno == EACCES && !*denied)
			*denied = dirs[i];
	}
	return NULL;
}

static bool kernel_at_least(int major, int minor, char *rel, size_t len)
{
	struct utsname u;
	int a = 0, b = 0;

	if (uname(&u))
		return true;
	snprintf(rel, len, "%s", u.release);
	if (sscanf(u.release, "%d.%d", &a, &b) != 2)
		return true;
	return a > major || (a == major && b >= minor);
}

/* kvm_exit's record in vmlinux's BTF (KVM built in) or kvm.ko's. */
static int check_btf(struct es_err *e)
{
	struct btf *vmlinux, *kvm = NULL;
	bool found;

	if (access("/sys/kernel/btf/vmlinux", R_OK))
		return es_errf(e, "the kernel has no BTF (/sys/kernel/btf/vmlinux: %s; CONFIG_DEBUG_INFO_BTF)",
			       strerror(errno));
	vmlinux = btf__parse("/sys/kernel/btf/vmlinux", NULL);
	if (!vmlinux)
		return es_errf(e, "/sys/kernel/btf/vmlinux: cannot be read: %s", strerror(errno));
	found = btf__find_by_name_kind(vmlinux, "trace_event_raw_kvm_exit", BTF_KIND_STRUCT) > 0;
	if (!found && !access("/sys/kernel/btf/kvm", R_OK)) {
		kvm = btf__parse_split("/sys/kernel/btf/kvm", vmlinux);
		found = kvm && btf__find_by_name_kind(kvm, "trace_event_raw_kvm_exit",
						      BTF_KIND_STRUCT) > 0;
	}
	btf__free(kvm);
	btf__free(vmlinux);
	if (!found)
		return es_errf(e, "no BTF for kvm's tracepoints (struct trace_event_raw_kvm_exit is in neither /sys/kernel/btf/vmlinux nor /sys/kernel/btf/kvm; CONFIG_DEBUG_INFO_BTF_MODULES)");
	return 0;
}

/*
 * The capabilities loading needs, from /proc/self/status: CAP_BPF and
 * CAP_PERFMON for the program and its tracepoints, CAP_SYS_ADMIN for the
 * BTF of modules (kvm's tracepoints are a module's). Capabilities, not
 * the uid, so that a service can run with only these (docs/fleet.md).
 */
static const struct {
	unsigned int bit;
	const char *name;
} needed_caps[] = { { 39, "CAP_BPF" }, { 38, "CAP_PERFMON" }, { 21, "CAP_SYS_ADMIN" } };

static int check_caps(struct es_err *e)
{
	char line[256], missing[96] = "";
	unsigned long long eff = 0;
	bool found = false;
	size_t i;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1) {
			found = true;
			break;
		}
	if (f)
		fclose(f);
	if (!found)
		return es_errf(e, "cannot read the effective capabilities (/proc/self/status)");
	for (i = 0; i < sizeof(needed_caps) / sizeof(needed_caps[0]); i++)
		if (!(eff >> needed_caps[i].bit & 1))
			snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing), "%s%s",
				 missing[0] ? ", " : "", needed_caps[i].name);
	if (missing[0])
		return es_errf(e, "not privileged: loading the BPF collector needs root, or CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN (BTF of modules); missing %s",
			       missing);
	return 0;
}

static int check_prerequisites(struct es_err *e)
{
	char rel[128] = "?", path[512];
	const char *ev, *denied;

	if (check_caps(e))
		return -1;
	if (!kernel_at_least(5, 11, rel, sizeof(rel)))
		return es_errf(e, "kernel %s is too old for the BPF collector (5.11 or later: BTF of modules, CO-RE)", rel);
	ev = events_dir(&denied);
	if (!ev && denied)
		return es_errf(e, "%s: not readable by this user (libbpf reads the tracepoints' ids there: root, or CAP_DAC_READ_SEARCH)",
			       denied);
	if (!ev)
		return es_errf(e, "tracefs is not mounted (mount -t tracefs nodev /sys/kernel/tracing)");
	snprintf(path, sizeof(path), "%s/kvm/kvm_exit", ev);
	if (access(path, F_OK)) {
		if (access("/sys/module/kvm", F_OK))
			return es_errf(e, "no KVM module loaded (modprobe kvm_intel or kvm_amd)");
		return es_errf(e, "%s: %s: this KVM has no kvm_exit tracepoint", path, strerror(errno));
	}
	return check_btf(e);
}

/* ---- the source ---- */

/*
 * When the table is three quarters full, the rows of VMs that are gone
 * (no /proc/TGID) are deleted, so that a long-running exporter or top
 * keeps room for new VMs. They are in this snapshot still; they leave the
 * next. Only then: in a PID namespace of its own, /proc would not show
 * the VMMs the kernel's tgids name, and live rows would go.
 */
static void prune(struct bpf_map *stats, const struct es_snap *s)
{
	struct es_bpf_key key;
	char path[32];
	size_t i;

	for (i = 0; i < s->n; i++) {
		snprintf(path, sizeof(path), "/proc/%u", s->rows[i].tgid);
		if (!access(path, F_OK) || errno != ENOENT)
			continue;
		key.tgid = s->rows[i].tgid;
		key.vcpu = s->rows[i].vcpu;
		key.reason = s->rows[i].code;
		key.isa = s->vendor == ES_INTEL ? ES_BPF_ISA_VMX : ES_BPF_ISA_SVM;
		bpf_map__delete_elem(stats, &key, sizeof(key), 0);
	}
}

static int bpf_read(struct es_source *src, struct es_snap *out, struct es_err *e)
{
	struct bpf_source *b = src->priv;
	struct bpf_map *stats = b->skel->maps.stats, *health = b->skel->maps.health;
	struct es_bpf_key key, next, *prev = NULL;
	struct es_snap_row row;
	__u32 k;
	int err;

	es_snap_clear(out);
	snprintf(out->source, sizeof(out->source), "bpf");
	out->vendor = b->vendor;
	out->vendor_known = true;
	out->has = ES_SNAP_VCPUS | (b->skel->rodata->timing ? ES_SNAP_NS : 0);
	out->at_ns = es_now_ns();
	for (k = 0; k < ES_BPF_NR_HEALTH; k++) {
		size_t c;

		err = bpf_map__lookup_elem(health, &k, sizeof(k), b->values,
					   (size_t)b->ncpu * sizeof(__u64), 0);
		if (err)
			return es_errf(e, "reading the collector's health map: %s", strerror(-err));
		out->health[k] = 0;
		for (c = 0; c < (size_t)b->ncpu; c++)
			out->health[k] += ((__u64 *)b->values)[c];
	}
	/* Rows are only ever added while we walk: get_next_key sees each once. */
	while (!(err = bpf_map__get_next_key(stats, prev, &next, sizeof(next)))) {
		key = next;
		prev = &key;
		err = bpf_map__lookup_elem(stats, &key, sizeof(key), b->values,
					   (size_t)b->ncpu * b->stride, 0);
		if (err == -ENOENT)
			continue;
		if (err)
			return es_errf(e, "reading the collector's stats map: %s", strerror(-err));
		memset(&row, 0, sizeof(row));
		row.tgid = key.tgid;
		row.vcpu = key.vcpu;
		row.code = key.reason;
		es_percpu_sum(b->values, (size_t)b->ncpu, b->stride, &row);
		if (es_snap_add(out, &row))
			return es_errf(e, "out of memory");
		out->vendor = key.isa == ES_BPF_ISA_VMX ? ES_INTEL : ES_AMD;
		out->vendor_known = true;
	}
	if (err != -ENOENT)
		return es_errf(e, "walking the collector's stats map: %s", strerror(-err));
	if (out->n >= b->max_rows / 4 * 3)
		prune(stats, out);
	return 0;
}

static void bpf_close(struct es_source *src)
{
	struct bpf_source *b = src->priv;

	if (!b)
		return;
	exitscope_bpf__destroy(b->skel);
	free(b->values);
	free(b);
	src->priv = NULL;
}

int es_source_bpf_open(const struct es_source_opts *o, struct es_source *src,
		       struct es_err *e)
{
	struct bpf_source *b;
	int err;

	memset(src, 0, sizeof(*src));
	if (check_prerequisites(e))
		return -1;
	log_verbose = o->verbose;
	log_len = 0;
	log_tail[0] = '\0';
	libbpf_set_print(on_libbpf_print);
	b = calloc(1, sizeof(*b));
	if (!b)
		return es_errf(e, "out of memory");
	b->ncpu = libbpf_num_possible_cpus();
	if (b->ncpu <= 0) {
		es_errf(e, "cannot tell the number of possible CPUs: %s", strerror(-b->ncpu));
		goto cleanup;
	}
	b->stride = (sizeof(struct es_bpf_val) + 7) / 8 * 8;
	b->values = calloc((size_t)b->ncpu, b->stride);
	if (!b->values) {
		es_errf(e, "out of memory");
		goto cleanup;
	}
	b->skel = exitscope_bpf__open();
	if (!b->skel) {
		es_errf(e, "opening the BPF object: %s", strerror(errno));
		goto cleanup;
	}
	b->skel->rodata->filter_tgid = o->pid;
	b->skel->rodata->timing = o->timing;
	if (o->max_rows) {
		err = bpf_map__set_max_entries(b->skel->maps.stats, o->max_rows);
		if (err) {
			es_errf(e, "setting the stats map's size to %u: %s", o->max_rows, strerror(-err));
			goto cleanup;
		}
	}
	if (!o->timing) {
		/* Counts only: no kvm_entry program, no pending map worth its memory. */
		err = bpf_program__set_autoload(b->skel->progs.on_kvm_entry, false);
		if (!err)
			err = bpf_map__set_max_entries(b->skel->maps.pending, 1);
		if (err) {
			es_errf(e, "turning timing off: %s", strerror(-err));
			goto cleanup;
		}
	}
	err = exitscope_bpf__load(b->skel);
	if (err) {
		print_log_tail(25);
		if (err == -EPERM || err == -EACCES)
			es_errf(e, "loading the BPF collector: %s (root, or CAP_BPF and CAP_PERFMON, needed; a lockdown or a seccomp filter may forbid BPF)",
				strerror(-err));
		else
			es_errf(e, "loading the BPF collector: %s (the verifier rejected it, or the kernel lacks a feature: see above)",
				strerror(-err));
		goto cleanup;
	}
	err = exitscope_bpf__attach(b->skel);
	if (err) {
		print_log_tail(10);
		es_errf(e, "attaching to kvm:kvm_exit and kvm:kvm_entry: %s", strerror(-err));
		goto cleanup;
	}
	b->vendor = es_host_vendor();
	b->max_rows = bpf_map__max_entries(b->skel->maps.stats);
	snprintf(src->kind, sizeof(src->kind), "bpf");
	snprintf(src->what, sizeof(src->what),
		 "the BPF collector on kvm:kvm_exit%s (%s, up to %u rows)",
		 o->timing ? " and kvm:kvm_entry" : "", o->pid ? "one VM" : "every VM",
		 bpf_map__max_entries(b->skel->maps.stats));
	src->read = bpf_read;
	src->close = bpf_close;
	src->priv = b;
	return 0;
cleanup:
	if (b->skel)
		exitscope_bpf__destroy(b->skel);
	free(b->values);
	free(b);
	return -1;
}
