// SPDX-License-Identifier: GPL-2.0-only
/* See source.h: opening a source by name, and --source auto. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "source/source.h"
#include "util/text.h"

/*
 * Where the exitscope binary is built without the collector (the unit
 * tests, which link this library alone), the BPF source says so. The
 * collector's own definition (tools/bpf/collector.c) takes its place.
 */
__attribute__((weak)) int es_source_bpf_open(const struct es_source_opts *o,
					     struct es_source *src, struct es_err *e)
{
	(void)o;
	(void)src;
	return es_errf(e, "this binary is built without the BPF collector");
}

bool es_module_present(void)
{
	struct es_text t;
	struct es_err e;
	bool on;

	/* exitscope's kvm.ko has this parameter; stock KVM has not. */
	if (es_text_load("/sys/module/kvm/parameters/exit_stats", 64, &t, &e))
		return false;
	on = strncmp(t.data, "off", 3) != 0;
	es_text_free(&t);
	return on;
}

static void note(char *notes, size_t len, const char *kind, const char *why)
{
	size_t n = strlen(notes);

	if (n < len)
		snprintf(notes + n, len - n, "exitscope: --source auto: not %s: %s\n", kind, why);
}

int es_source_open(const char *spec, const struct es_source_opts *o,
		   struct es_source *src, char *notes, size_t notes_len, struct es_err *e)
{
	struct es_source_opts mo = *o;

	memset(src, 0, sizeof(*src));
	if (notes_len)
		notes[0] = '\0';
	if (!strncmp(spec, "file:", 5))
		return es_source_file_open(spec + 5, o, src, e);
	if (o->detail && strcmp(spec, "bpf") && strcmp(spec, "bpf:tp_btf") && strcmp(spec, "auto"))
		return es_errf(e, "--detail: the drill-down is the BPF collector's (--source bpf or auto), not %s's",
			       spec);
	if (!strncmp(spec, "module:", 7)) {
		mo.debugfs = spec + 7;
		return es_source_module_open(&mo, src, e);
	}
	if (!strcmp(spec, "module"))
		return es_source_module_open(o, src, e);
	if (!strcmp(spec, "bpf"))
		return es_source_bpf_open(o, src, e);
	/* The collector in one attach mode only, no fallback (docs/collector.md). */
	if (!strcmp(spec, "bpf:tp_btf") || !strcmp(spec, "bpf:tp")) {
		mo.attach = spec + 4;
		return es_source_bpf_open(&mo, src, e);
	}
	if (!strcmp(spec, "tracefs"))
		return es_source_tracefs_open(o, src, e);
	if (strcmp(spec, "auto"))
		return es_errf(e, "unknown source '%s' (auto, module, module:DIR, bpf, bpf:tp_btf, bpf:tp, tracefs, file:PATH)", spec);
	/* The drill-down is the collector's: auto goes to it, or fails saying why. */
	if (o->detail) {
		note(notes, notes_len, "module", "--detail: the drill-down is the BPF collector's");
		return es_source_bpf_open(o, src, e);
	}
	if (es_module_present()) {
		if (!es_source_module_open(o, src, e))
			return 0;
		/* The module is there but unreadable (debugfs): say so, no fallback. */
		return -1;
	}
	note(notes, notes_len, "module", "exitscope's KVM module is not loaded (no /sys/module/kvm/parameters/exit_stats)");
	if (!es_source_bpf_open(o, src, e))
		return 0;
	note(notes, notes_len, "bpf", e->msg);
	if (!es_source_tracefs_open(o, src, e)) {
		snprintf(src->what + strlen(src->what), sizeof(src->what) - strlen(src->what),
			 "; fell back to it from the BPF collector: counts only, no times");
		return 0;
	}
	note(notes, notes_len, "tracefs", e->msg);
	return es_errf(e, "no source of exit figures on this host (module, bpf and tracefs each failed: see above)");
}

int es_source_read(struct es_source *src, struct es_snap *out, struct es_err *e)
{
	return src->read(src, out, e);
}

void es_source_close(struct es_source *src)
{
	if (src->close)
		src->close(src);
	src->close = NULL;
}
