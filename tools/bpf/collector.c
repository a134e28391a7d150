// SPDX-License-Identifier: GPL-2.0-only
/*
 * exitscope's collector, the user side: check what loading needs and say
 * what is missing, open the skeleton, set the knobs, load, attach, and
 * read the per-CPU rows into a snapshot (tools/lib/model/snapshot.h). Every
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
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "model/model.h"
#include "source/source.h"
#include "exitscope.h"
#include "exitscope.skel.h"

/* Which host interrupts key SVM's INTR exits (exitscope.bpf.c: host_vector()). */
enum host_vectors {
	VECTORS_NONE,			/* none: not SVM, no drill-down, or the kernel lacks it */
	VECTORS_SYSTEM,			/* the timer's and the IPIs' */
	VECTORS_ALL,			/* those and the devices' (__common_interrupt) */
};

struct bpf_source {
	struct exitscope_bpf *skel;
	enum es_vendor vendor;		/* the host's, until a row says */
	uint32_t max_rows;
	int ncpu;
	__u64 *health;			/* ncpu counters of one health kind */
	volatile struct es_bpf_block *blocks;	/* the blocks map, mapped */
	size_t blocks_len;
	bool btf;			/* tp_btf: the offsets are the vendor module's */
	enum host_vectors vectors;	/* SVM's INTR exits keyed by: (host_vectors_usable()) */
	char vectors_why[160];		/* ...or why not, or why devices' are not */
	char vendor_btf[64];		/* ...of its BTF in sysfs, this instance */
	ino_t vendor_ino;
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

/* ---- which attach mode this kernel allows, from its BTF ---- */

/* The BTF of a module (split on vmlinux's), or NULL with @why set. */
static struct btf *module_btf(const char *mod, struct btf *vmlinux, char *why, size_t len)
{
	char path[64];
	struct btf *b;

	snprintf(path, sizeof(path), "/sys/kernel/btf/%s", mod);
	if (access(path, R_OK)) {
		snprintf(why, len, "%s: %s (module not loaded, or loaded without BTF)", path,
			 strerror(errno));
		return NULL;
	}
	b = btf__parse_split(path, vmlinux);
	if (!b)
		snprintf(why, len, "%s: cannot be read: %s", path, strerror(errno));
	return b;
}

/* The type of member @name of struct or union @id, modifiers and typedefs skipped; -1. */
static int member_type(const struct btf *b, int id, const char *name)
{
	const struct btf_type *t = btf__type_by_id(b, id);
	const struct btf_member *m;
	int i;

	if (!t || (!btf_is_struct(t) && !btf_is_union(t)))
		return -1;
	m = btf_members(t);
	for (i = 0; i < btf_vlen(t); i++, m++)
		if (!strcmp(btf__name_by_offset(b, m->name_off), name))
			return btf__resolve_type(b, m->type);
	return -1;
}

/* Whether @id is a pointer to the struct named @name. */
static bool ptr_to(const struct btf *b, int id, const char *name)
{
	const struct btf_type *t = id > 0 ? btf__type_by_id(b, id) : NULL;

	if (!t || !btf_is_ptr(t))
		return false;
	id = btf__resolve_type(b, t->type);
	t = id > 0 ? btf__type_by_id(b, id) : NULL;
	return t && btf_is_struct(t) && !strcmp(btf__name_by_offset(b, t->name_off), name);
}

static bool int_of(const struct btf *b, int id, unsigned int size)
{
	const struct btf_type *t = id > 0 ? btf__type_by_id(b, id) : NULL;

	return t && btf_is_int(t) && t->size == size;
}

/*
 * The tracepoint @tp's BPF prototype (typedef btf_trace_TP: a pointer to
 * (void *ctx, args...)): true if its first argument is a struct kvm_vcpu
 * pointer and it has at least @nargs.
 */
static bool tp_proto_ok(const struct btf *b, const char *tp, int nargs, int *proto)
{
	char name[64];
	const struct btf_type *t;
	int id;

	snprintf(name, sizeof(name), "btf_trace_%s", tp);
	id = btf__find_by_name_kind(b, name, BTF_KIND_TYPEDEF);
	t = id > 0 ? btf__type_by_id(b, id) : NULL;
	if (!t)
		return false;
	id = btf__resolve_type(b, t->type);
	t = id > 0 ? btf__type_by_id(b, id) : NULL;
	if (!t || !btf_is_ptr(t))
		return false;
	*proto = btf__resolve_type(b, t->type);
	t = *proto > 0 ? btf__type_by_id(b, *proto) : NULL;
	return t && btf_is_func_proto(t) && btf_vlen(t) >= 1 + nargs &&
	       ptr_to(b, btf__resolve_type(b, btf_params(t)[1].type), "kvm_vcpu");
}

/* The vendor's exit reason where exitscope.bpf.c's read_reason() looks. */
static bool vendor_fields_ok(const struct btf *b, enum es_vendor v, char *why, size_t len)
{
	int id, m;

	if (v == ES_INTEL) {
		id = btf__find_by_name_kind(b, "vcpu_vmx", BTF_KIND_STRUCT);
		m = member_type(b, id, "exit_reason");
		if (m < 0)	/* 6.16 on: vcpu_vmx.vt.exit_reason */
			m = member_type(b, member_type(b, id, "vt"), "exit_reason");
		if (id > 0 && int_of(b, member_type(b, m, "full"), 4))
			return true;
		snprintf(why, len, "kvm_intel's BTF has no vcpu_vmx.exit_reason.full of 4 bytes");
		return false;
	}
	id = btf__find_by_name_kind(b, "vcpu_svm", BTF_KIND_STRUCT);
	m = member_type(b, id, "vmcb");
	if (id > 0 && ptr_to(b, m, "vmcb")) {
		const struct btf_type *t = btf__type_by_id(b, m);
		int ctl = member_type(b, btf__resolve_type(b, t->type), "control");
		int code = member_type(b, ctl, "exit_code");

		if (int_of(b, code, 4) || int_of(b, code, 8))
			return true;
	}
	snprintf(why, len, "kvm_amd's BTF has no vcpu_svm.vmcb->control.exit_code of 4 or 8 bytes");
	return false;
}

/* Whether @b (NULL: not loaded) has enum kvm_reg with the enumerator @name. */
static bool has_enumerator(const struct btf *b, const char *name)
{
	const struct btf_type *t;
	int id = b ? btf__find_by_name_kind(b, "kvm_reg", BTF_KIND_ENUM) : -1;
	unsigned int i;

	t = id > 0 ? btf__type_by_id(b, id) : NULL;
	for (i = 0; t && i < btf_vlen(t); i++)
		if (!strcmp(btf__name_by_offset(b, btf_enum(t)[i].name_off), name))
			return true;
	return false;
}

/*
 * VMX's drill-down at kvm_entry (exitscope.bpf.c: detail_at_entry()):
 * kvm_vcpu.arch.regs_avail, enum kvm_reg's exit-information bits (vmlinux's
 * BTF, kvm's or kvm_intel's), vcpu_vmx's cached exit qualification and
 * interrupt information (or, from 6.16, vcpu_vmx.vt's).
 */
static bool vmx_detail_fields_ok(const struct btf *vmlinux, const struct btf *kvm,
				 const struct btf *vendor, char *why, size_t len)
{
	int id = btf__find_by_name_kind(vmlinux, "kvm_vcpu", BTF_KIND_STRUCT);
	int vmx = btf__find_by_name_kind(vendor, "vcpu_vmx", BTF_KIND_STRUCT);
	int q = member_type(vendor, vmx, "exit_qualification");
	int ii = member_type(vendor, vmx, "exit_intr_info");
	const char *const bits[] = { "VCPU_EXREG_EXIT_INFO_1", "VCPU_EXREG_EXIT_INFO_2" };
	size_t i;

	if (!int_of(vmlinux, member_type(vmlinux, member_type(vmlinux, id, "arch"), "regs_avail"), 4)) {
		snprintf(why, len, "vmlinux's BTF has no kvm_vcpu.arch.regs_avail of 4 bytes");
		return false;
	}
	if (q < 0) {	/* 6.16 on */
		q = member_type(vendor, member_type(vendor, vmx, "vt"), "exit_qualification");
		ii = member_type(vendor, member_type(vendor, vmx, "vt"), "exit_intr_info");
	}
	if (!int_of(vendor, q, 8) || !int_of(vendor, ii, 4)) {
		snprintf(why, len, "kvm_intel's BTF has no vcpu_vmx.exit_qualification (8 bytes) and exit_intr_info (4)");
		return false;
	}
	for (i = 0; i < 2; i++)
		if (!has_enumerator(vmlinux, bits[i]) && !has_enumerator(kvm, bits[i]) &&
		    !has_enumerator(vendor, bits[i])) {
			snprintf(why, len, "no BTF has enum kvm_reg's %s", bits[i]);
			return false;
		}
	return true;
}

/*
 * What the drill-down reads besides the reason (exitscope.bpf.c:
 * detail_at_exit()): the guest's saved registers, vcpu->arch.regs, and on
 * SVM the VMCB's exit information. false with @why.
 */
static bool detail_fields_ok(const struct btf *vmlinux, const struct btf *kvm,
			     const struct btf *vendor, enum es_vendor v, char *why, size_t len)
{
	int id = btf__find_by_name_kind(vmlinux, "kvm_vcpu", BTF_KIND_STRUCT);
	int regs = member_type(vmlinux, member_type(vmlinux, id, "arch"), "regs");
	const struct btf_type *t = regs > 0 ? btf__type_by_id(vmlinux, regs) : NULL;

	if (!t || !btf_is_array(t) || btf_array(t)->nelems < 2 ||
	    !int_of(vmlinux, btf__resolve_type(vmlinux, btf_array(t)->type), 8)) {
		snprintf(why, len, "vmlinux's BTF has no kvm_vcpu.arch.regs[] of 8-byte registers");
		return false;
	}
	if (v == ES_INTEL)
		return vmx_detail_fields_ok(vmlinux, kvm, vendor, why, len);
	id = btf__find_by_name_kind(vendor, "vmcb_control_area", BTF_KIND_STRUCT);
	if (int_of(vendor, member_type(vendor, id, "exit_info_1"), 8) &&
	    int_of(vendor, member_type(vendor, id, "exit_info_2"), 8))
		return true;
	snprintf(why, len, "kvm_amd's BTF has no vmcb_control_area.exit_info_1 and exit_info_2 of 8 bytes");
	return false;
}

/* The system vectors' tracepoints host_vector() takes (exitscope.h). */
#define TP_NAME(tp, prog) #tp,
static const char *const vector_tps[] = { ES_BPF_HOST_VECTOR_TPS(TP_NAME) };
#undef TP_NAME

/*
 * How SVM's INTR exits can be keyed here (host_vector()): the window's flag,
 * kvm_vcpu.arch.handling_intr_from_guest, and the system vectors'
 * tracepoints, all in vmlinux's BTF; the devices' vectors where
 * __common_interrupt is a function of its own there, for an fentry. What
 * is missing goes into @why; the drill-down runs without it.
 */
static enum host_vectors host_vectors_usable(char *why, size_t len)
{
	struct btf *vmlinux = btf__parse("/sys/kernel/btf/vmlinux", NULL);
	enum host_vectors v = VECTORS_NONE;
	int id;
	size_t i;

	if (!vmlinux) {
		snprintf(why, len, "/sys/kernel/btf/vmlinux: %s", strerror(errno));
		return v;
	}
	id = btf__find_by_name_kind(vmlinux, "kvm_vcpu", BTF_KIND_STRUCT);
	if (!int_of(vmlinux, member_type(vmlinux, member_type(vmlinux, id, "arch"),
					 "handling_intr_from_guest"), 1)) {
		snprintf(why, len, "vmlinux's BTF has no kvm_vcpu.arch.handling_intr_from_guest of 1 byte");
		goto out;
	}
	for (i = 0; i < sizeof(vector_tps) / sizeof(vector_tps[0]); i++) {
		char name[64];

		snprintf(name, sizeof(name), "btf_trace_%s", vector_tps[i]);
		if (btf__find_by_name_kind(vmlinux, name, BTF_KIND_TYPEDEF) <= 0) {
			snprintf(why, len, "vmlinux's BTF has no tracepoint %s", vector_tps[i]);
			goto out;
		}
	}
	v = VECTORS_SYSTEM;
	if (btf__find_by_name_kind(vmlinux, "__common_interrupt", BTF_KIND_FUNC) > 0)
		v = VECTORS_ALL;
	else
		snprintf(why, len, "devices' vectors: no __common_interrupt in vmlinux's BTF");
out:
	btf__free(vmlinux);
	return v;
}

/*
 * Whether tp_btf can run here: kvm's tracepoints with the vCPU as their
 * argument (5.16 on; before, kvm_exit's first argument was the reason)
 * and the vendor's vCPU in its module's BTF. A CO-RE read that cannot be
 * relocated would still load (libbpf poisons it, the verifier prunes it)
 * and count nothing, so this is checked here, before. false with @why.
 */
static bool tp_btf_usable(enum es_vendor v, bool detail, char *why, size_t len)
{
	const char *mod = v == ES_INTEL ? "kvm_intel" : "kvm_amd";
	struct btf *vmlinux, *kvm = NULL, *vendor = NULL;
	const struct btf *tps;
	bool ok = false;
	int proto;

	vmlinux = btf__parse("/sys/kernel/btf/vmlinux", NULL);
	if (!vmlinux) {
		snprintf(why, len, "/sys/kernel/btf/vmlinux: %s", strerror(errno));
		return false;
	}
	/* kvm's tracepoints: kvm.ko's BTF, or vmlinux's when KVM is built in. */
	tps = vmlinux;
	if (btf__find_by_name_kind(vmlinux, "btf_trace_kvm_exit", BTF_KIND_TYPEDEF) <= 0) {
		kvm = module_btf("kvm", vmlinux, why, len);
		if (!kvm)
			goto out;
		tps = kvm;
	}
	if (!tp_proto_ok(tps, "kvm_exit", 2, &proto) ||
	    !int_of(tps, btf__resolve_type(tps, btf_params(btf__type_by_id(tps, proto))[2].type), 4)) {
		snprintf(why, len, "kvm_exit's arguments are not (struct kvm_vcpu *, u32) (kernels before 5.16)");
		goto out;
	}
	if (!tp_proto_ok(tps, "kvm_entry", 1, &proto)) {
		snprintf(why, len, "kvm_entry's first argument is not struct kvm_vcpu *");
		goto out;
	}
	vendor = module_btf(mod, vmlinux, why, len);
	ok = vendor && vendor_fields_ok(vendor, v, why, len) &&
	     (!detail || detail_fields_ok(vmlinux, kvm, vendor, v, why, len));
out:
	btf__free(vendor);
	btf__free(kvm);
	btf__free(vmlinux);
	return ok;
}

/* For tp: kvm_exit's record in vmlinux's BTF (KVM built in) or kvm.ko's. */
static int check_tp_records(struct es_err *e)
{
	struct btf *vmlinux, *kvm = NULL;
	bool found;

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

/* What both modes need: the privileges, a kernel with BPF's compare-and-swap, BTF, KVM. */
static int check_common(struct es_err *e)
{
	char rel[128] = "?";

	if (check_caps(e))
		return -1;
	if (!kernel_at_least(5, 12, rel, sizeof(rel)))
		return es_errf(e, "kernel %s is too old for the BPF collector (5.12 or later: BTF of modules, CO-RE, BPF atomics)",
			       rel);
	if (access("/sys/kernel/btf/vmlinux", R_OK))
		return es_errf(e, "the kernel has no BTF (/sys/kernel/btf/vmlinux: %s; CONFIG_DEBUG_INFO_BTF)",
			       strerror(errno));
	if (access("/sys/module/kvm", F_OK))
		return es_errf(e, "no KVM module loaded (modprobe kvm_intel or kvm_amd)");
	return 0;
}

/* What tp needs besides: tracefs, where libbpf finds the tracepoints' ids. */
static int check_tp(struct es_err *e)
{
	const char *ev, *denied;
	char path[512];

	ev = events_dir(&denied);
	if (!ev && denied)
		return es_errf(e, "%s: not readable by this user (libbpf reads the tracepoints' ids there: root, or CAP_DAC_READ_SEARCH)",
			       denied);
	if (!ev)
		return es_errf(e, "tracefs is not mounted (mount -t tracefs nodev /sys/kernel/tracing)");
	snprintf(path, sizeof(path), "%s/kvm/kvm_exit", ev);
	if (access(path, F_OK))
		return es_errf(e, "%s: %s: this KVM has no kvm_exit tracepoint", path, strerror(errno));
	return check_tp_records(e);
}

/* ---- the source ---- */

/*
 * When the table is three quarters full, the rows of VMs that are gone
 * (no /proc/TGID) are deleted, so that a long-running exporter or top
 * keeps room for new VMs. They are in this snapshot still; they leave the
 * next. Only then: in a PID namespace of its own, /proc would not show
 * the VMMs the kernel's tgids name, and live rows would go.
 */
static bool gone(uint32_t tgid)
{
	char path[32];

	snprintf(path, sizeof(path), "/proc/%u", tgid);
	return access(path, F_OK) && errno == ENOENT;
}

static void prune(struct bpf_map *stats, struct bpf_map *times, __u32 isa,
		  const struct es_snap *s)
{
	struct es_bpf_key key;
	__u64 tkey;
	__u32 slot;
	size_t i;

	for (i = 0; i < s->n; i++) {
		if (!gone(s->rows[i].tgid))
			continue;
		key.tgid = s->rows[i].tgid;
		key.vcpu = s->rows[i].vcpu;
		key.reason = s->rows[i].code;
		key.isa = isa;
		/* Either may have no row of the key: ENOENT, fine. */
		bpf_map__delete_elem(stats, &key, sizeof(key), 0);
		slot = es_bpf_slot(isa, key.reason);
		if (slot >= ES_BPF_SLOTS)
			continue;
		tkey = es_bpf_time_key(key.tgid, key.vcpu, slot);
		bpf_map__delete_elem(times, &tkey, sizeof(tkey), 0);
	}
}

/*
 * The same for the blocks, when three quarters are taken: a gone VM's
 * block is zeroed, then freed (key 0) for the next vCPU that comes. Its
 * counts are in this snapshot; a vCPU of a live VM whose probe passes the
 * freed block may take it as a second one: its two are summed.
 */
static void prune_blocks(volatile struct es_bpf_block *blocks)
{
	size_t i, k;

	for (i = 0; i < ES_BPF_BLOCKS; i++) {
		volatile struct es_bpf_block *b = &blocks[i];
		__u64 key = b->key;

		if (!key || !gone((uint32_t)(key >> 32)))
			continue;
		for (k = 0; k < ES_BPF_SLOTS; k++)
			b->count[k] = 0;
		for (k = 0; k < ES_BPF_KEY_CACHE; k++) {
			b->keys[k].tag = 0;
			b->keys[k].count = 0;
		}
		b->pending_ts = 0;
		b->memslot_gfn = 0;
		__atomic_store_n(&b->key, 0, __ATOMIC_RELEASE);
	}
}

/*
 * A block's drill-down keys (exitscope.h, keys[]) into @out's details, as
 * the details hash's are (read_details()); es_snap_merge() adds up a key
 * that several vCPUs' blocks and the hash hold. An entry is taken by its
 * tag, which the program writes last. -1 if out of memory.
 */
static int read_block_keys(volatile struct es_bpf_block *b, __u32 tgid, __u32 isa,
			   struct es_snap *out)
{
	struct es_detail d;
	__u32 tag;
	size_t k;

	for (k = 0; k < ES_BPF_KEY_CACHE; k++) {
		tag = __atomic_load_n(&b->keys[k].tag, __ATOMIC_ACQUIRE);
		if (!tag)
			continue;
		memset(&d, 0, sizeof(d));
		d.tgid = tgid;
		d.code = es_bpf_slot_reason(isa, es_bpf_tag_slot(tag));
		d.kind = (uint8_t)es_bpf_tag_kind(tag);
		d.flags = (uint16_t)es_bpf_tag_flags(tag);
		d.value = b->keys[k].value;
		d.count = b->keys[k].count > ES_FIG_MAX ? ES_FIG_MAX : b->keys[k].count;
		/* A key the program could not have made is not passed on. */
		if (d.count && es_detail_valid(&d) && es_snap_add_detail(out, &d))
			return -1;
	}
	return 0;
}

/*
 * The blocks' counts into @out, as rows, and with @detail their keys; how
 * many blocks are taken. A block just claimed may not have its isa yet:
 * the host's (@isa) then.
 */
static size_t read_blocks(volatile struct es_bpf_block *blocks, __u32 host_isa, bool detail,
			  struct es_snap *out, struct es_err *e)
{
	struct es_snap_row row;
	size_t i, k, used = 0;

	for (i = 0; i < ES_BPF_BLOCKS; i++) {
		volatile struct es_bpf_block *b = &blocks[i];
		__u64 key = __atomic_load_n(&b->key, __ATOMIC_ACQUIRE);
		__u32 isa = b->isa ? b->isa : host_isa;

		if (!key)
			continue;
		used++;
		if (detail && read_block_keys(b, (uint32_t)(key >> 32), isa, out)) {
			es_errf(e, "out of memory");
			return SIZE_MAX;
		}
		for (k = 0; k < ES_BPF_SLOTS; k++) {
			if (!b->count[k])
				continue;
			memset(&row, 0, sizeof(row));
			row.tgid = (uint32_t)(key >> 32);
			row.vcpu = (uint32_t)key;
			row.code = es_bpf_slot_reason(isa, (__u32)k);
			row.count = b->count[k];
			if (es_snap_add(out, &row)) {
				es_errf(e, "out of memory");
				return SIZE_MAX;
			}
			out->vendor = isa == ES_BPF_ISA_VMX ? ES_INTEL : ES_AMD;
		}
	}
	return used;
}

/*
 * tp_btf read the vendor module's fields at the offsets of its BTF when
 * loaded. A module reloaded since (say exitscope's own, or another build)
 * may have others: its sysfs BTF file is then a new one. Stop rather than
 * count from the wrong bytes.
 */
static int check_vendor_same(const struct bpf_source *b, struct es_err *e)
{
	struct stat st;

	if (!b->btf)
		return 0;
	if (stat(b->vendor_btf, &st) || st.st_ino != b->vendor_ino)
		return es_errf(e, "%s: the vendor module was unloaded or reloaded since the collector started (its offsets may have moved): start it again",
			       b->vendor_btf);
	return 0;
}

/*
 * Every row of a hash map, as a row of @out (@to_row fills it from the
 * key and value; false: skip it). Rows are only ever added while we walk,
 * so get_next_key sees each once; one deleted meanwhile is skipped.
 */
static int walk_map(struct bpf_map *map, const char *what, void *key, size_t key_size,
		    void *val, size_t val_size,
		    bool (*to_row)(const void *key, const void *val, void *ctx, struct es_snap_row *row),
		    void *ctx, struct es_snap *out, struct es_err *e)
{
	unsigned char next[16];
	bool first = true;
	struct es_snap_row row;
	int err;

	_Static_assert(sizeof(struct es_bpf_key) <= sizeof(next), "a key longer than walk_map's buffer");
	if (key_size > sizeof(next))
		return es_errf(e, "the collector's %s map: a key of %zu bytes", what, key_size);
	while (!(err = bpf_map__get_next_key(map, first ? NULL : key, next, key_size))) {
		first = false;
		memcpy(key, next, key_size);
		err = bpf_map__lookup_elem(map, key, key_size, val, val_size, 0);
		if (err == -ENOENT)
			continue;
		if (err)
			return es_errf(e, "reading the collector's %s map: %s", what, strerror(-err));
		memset(&row, 0, sizeof(row));
		if (to_row(key, val, ctx, &row) && es_snap_add(out, &row))
			return es_errf(e, "out of memory");
	}
	if (err != -ENOENT)
		return es_errf(e, "walking the collector's %s map: %s", what, strerror(-err));
	return 0;
}

/* A stats row: the count of exits that had no block. */
static bool count_row(const void *k, const void *v, void *ctx, struct es_snap_row *row)
{
	const struct es_bpf_key *key = k;
	struct es_snap *out = ctx;

	row->tgid = key->tgid;
	row->vcpu = key->vcpu;
	row->code = key->reason;
	row->count = *(const __u64 *)v;
	out->vendor = key->isa == ES_BPF_ISA_VMX ? ES_INTEL : ES_AMD;
	return true;
}

/* A times row: sums and histograms (a row of no count, merged later). */
static bool time_row(const void *k, const void *v, void *ctx, struct es_snap_row *row)
{
	__u64 key = *(const __u64 *)k;
	const struct es_bpf_time *t = v;
	unsigned int i;

	row->tgid = (uint32_t)(key >> 32);
	row->vcpu = (uint32_t)(key >> 8) & ES_BPF_TIME_VCPU_MAX;
	row->code = es_bpf_slot_reason(*(const __u32 *)ctx, (__u32)(key & 0xff));
	row->time_ns = t->time_ns > ES_FIG_MAX ? ES_FIG_MAX : t->time_ns;
	for (i = 0; i < ES_HIST_BUCKETS; i++)
		row->hist[i] = t->hist[i] > ES_FIG_MAX ? ES_FIG_MAX : t->hist[i];
	return true;
}

static int read_counts(struct bpf_map *stats, struct es_snap *out, struct es_err *e)
{
	struct es_bpf_key key;
	__u64 count;

	return walk_map(stats, "stats", &key, sizeof(key), &count, sizeof(count), count_row, out,
			out, e);
}

static int read_times(struct bpf_map *times, __u32 isa, struct es_snap *out, struct es_err *e)
{
	struct es_bpf_time t;
	__u64 key;

	return walk_map(times, "times", &key, sizeof(key), &t, sizeof(t), time_row, &isa, out, e);
}

/*
 * The drill-down's rows into @out's details (key's slot to the reason of
 * the host's @isa). Walked as the stats are: a key added meanwhile is read
 * now or next time.
 */
static int read_details(struct bpf_map *details, __u32 isa, struct es_snap *out,
			struct es_err *e)
{
	struct es_bpf_detail_key key, next;
	bool first = true;
	__u64 count;
	int err;

	while (!(err = bpf_map__get_next_key(details, first ? NULL : &key, &next, sizeof(key)))) {
		struct es_detail d;

		first = false;
		key = next;
		err = bpf_map__lookup_elem(details, &key, sizeof(key), &count, sizeof(count), 0);
		if (err == -ENOENT)
			continue;
		if (err)
			return es_errf(e, "reading the collector's details map: %s", strerror(-err));
		memset(&d, 0, sizeof(d));
		d.tgid = key.tgid;
		d.code = es_bpf_slot_reason(isa, key.slot);
		d.kind = key.kind;
		d.flags = key.flags;
		d.value = key.value;
		d.count = count > ES_FIG_MAX ? ES_FIG_MAX : count;
		/* A key the program could not have made is not passed on. */
		if (es_detail_valid(&d) && es_snap_add_detail(out, &d))
			return es_errf(e, "out of memory");
	}
	if (err != -ENOENT)
		return es_errf(e, "walking the collector's details map: %s", strerror(-err));
	return 0;
}

/*
 * The memslots the program noted (exitscope.h), named as it found them. A
 * gone VM's are in this snapshot still (a record's last read comes after
 * its VM ended), and deleted: they leave the next. -1 if out of memory.
 */
static int read_memslots(struct bpf_map *map, struct es_snap *out, struct es_err *e)
{
	struct es_bpf_memslot_key key, next;
	struct es_bpf_memslot v;
	bool first = true;
	int err;

	while (!(err = bpf_map__get_next_key(map, first ? NULL : &key, &next, sizeof(key)))) {
		struct es_memslot m = { 0 };

		first = false;
		key = next;
		if (bpf_map__lookup_elem(map, &key, sizeof(key), &v, sizeof(v), 0))
			continue;
		if (gone(key.tgid))
			bpf_map__delete_elem(map, &key, sizeof(key), 0);
		/* A range past 2^64 the program could not have read: not passed on. */
		if (!v.npages || v.base_gfn > UINT64_MAX >> 12 ||
		    v.npages > (UINT64_MAX >> 12) - v.base_gfn)
			continue;
		m.tgid = key.tgid;
		m.as_id = key.as_id;
		m.id = key.id;
		m.gpa = v.base_gfn << 12;
		m.size = v.npages << 12;
		/* The VMM's name, through the kernel: ended here, and printable only. */
		v.mapping[sizeof(v.mapping) - 1] = '\0';
		es_memslot_set_mapping(&m, v.mapping);
		if (es_snap_set_memslot(out, &m))
			return es_errf(e, "out of memory");
	}
	if (err != -ENOENT)
		return es_errf(e, "walking the collector's memslots map: %s", strerror(-err));
	return 0;
}

/* A gone VM's keys, deleted after they were read once (as prune() does rows). */
static void prune_details(struct bpf_map *details, __u32 isa, const struct es_snap *s)
{
	struct es_bpf_detail_key key;
	size_t i;

	for (i = 0; i < s->ndetails; i++) {
		if (!gone(s->details[i].tgid))
			continue;
		memset(&key, 0, sizeof(key));
		key.tgid = s->details[i].tgid;
		key.slot = (__u8)es_bpf_slot(isa, s->details[i].code);
		key.kind = s->details[i].kind;
		key.flags = s->details[i].flags;
		key.value = s->details[i].value;
		bpf_map__delete_elem(details, &key, sizeof(key), 0);
	}
}

static int bpf_read(struct es_source *src, struct es_snap *out, struct es_err *e)
{
	struct bpf_source *b = src->priv;
	struct bpf_map *health = b->skel->maps.health;
	__u32 isa = b->vendor == ES_INTEL ? ES_BPF_ISA_VMX : ES_BPF_ISA_SVM;
	size_t used;
	__u32 k;
	int err;

	if (check_vendor_same(b, e))
		return -1;
	es_snap_clear(out);
	snprintf(out->source, sizeof(out->source), "bpf");
	snprintf(out->attach, sizeof(out->attach), "%s", b->btf ? "tp_btf" : "tp");
	out->vendor = b->vendor;
	out->vendor_known = true;
	out->has = ES_SNAP_VCPUS | (b->skel->rodata->timing ? ES_SNAP_NS : 0) |
		   (b->skel->rodata->detail ? ES_SNAP_DETAIL : 0);
	out->at_ns = es_now_ns();
	for (k = 0; k < ES_BPF_NR_HEALTH; k++) {
		size_t c;

		err = bpf_map__lookup_elem(health, &k, sizeof(k), b->health,
					   (size_t)b->ncpu * sizeof(__u64), 0);
		if (err)
			return es_errf(e, "reading the collector's health map: %s", strerror(-err));
		out->health[k] = 0;
		for (c = 0; c < (size_t)b->ncpu; c++)
			out->health[k] += b->health[c];
	}
	used = read_blocks(b->blocks, isa, b->skel->rodata->detail, out, e);
	if (used == SIZE_MAX || read_counts(b->skel->maps.stats, out, e) ||
	    read_times(b->skel->maps.times, isa, out, e))
		return -1;
	if (b->skel->rodata->detail &&
	    (read_details(b->skel->maps.details, isa, out, e) ||
	     read_memslots(b->skel->maps.memslots, out, e)))
		return -1;
	/* A key counted in a block (or two) or the hash, and timed in a row: one row. */
	es_snap_merge(out);
	if (out->ndetails >= ES_BPF_DETAIL_MAX / 4 * 3)
		prune_details(b->skel->maps.details, isa, out);
	if (out->n >= b->max_rows / 4 * 3)
		prune(b->skel->maps.stats, b->skel->maps.times, isa, out);
	if (used >= ES_BPF_BLOCKS / 4 * 3)
		prune_blocks(b->blocks);
	return 0;
}

static void bpf_close(struct es_source *src)
{
	struct bpf_source *b = src->priv;

	if (!b)
		return;
	if (b->blocks)
		munmap((void *)b->blocks, b->blocks_len);
	exitscope_bpf__destroy(b->skel);
	free(b->health);
	free(b);
	src->priv = NULL;
}

/*
 * Whether the tp_btf collector needs kvm_entry: for the times, and on VMX
 * for the drill-down's keys KVM reads after kvm_exit (detail_at_entry()).
 */
static bool entry_needed(const struct bpf_source *b, const struct es_source_opts *o)
{
	return o->timing || (o->detail && b->vendor == ES_INTEL);
}

/* Why a libbpf step failed, for people. */
static void load_error(int err, bool btf, struct es_err *e)
{
	if (err == -EPERM || err == -EACCES)
		es_errf(e, "loading the BPF collector (%s): %s (root, or CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN, needed; a lockdown or a seccomp filter may forbid BPF)",
			btf ? "tp_btf" : "tp", strerror(-err));
	else if (err == -ENOMEM || err == -E2BIG)
		es_errf(e, "loading the BPF collector (%s): %s (its maps, preallocated, did not fit: --max-rows takes about 400 bytes a row; lower it, or raise RLIMIT_MEMLOCK on kernels before 5.11)",
			btf ? "tp_btf" : "tp", strerror(-err));
	else
		es_errf(e, "loading the BPF collector (%s): %s (the verifier rejected it, or the kernel lacks a feature: see above)",
			btf ? "tp_btf" : "tp", strerror(-err));
}

/*
 * Open, set, load and attach the skeleton in one mode; -1 with @e set,
 * nothing left. @fallback: another mode follows a failure, so the
 * verifier's log is not printed (the reason goes into what the source says;
 * -v shows it all).
 */
static int load_mode(struct bpf_source *b, const struct es_source_opts *o, bool btf,
		     bool fallback, struct es_err *e)
{
	enum host_vectors vectors;
	struct exitscope_bpf *skel;
	bool ept;
	int err;

	skel = exitscope_bpf__open();
	if (!skel)
		return es_errf(e, "opening the BPF object: %s", strerror(errno));
	skel->rodata->filter_tgid = o->pid;
	skel->rodata->timing = o->timing;
	skel->rodata->detail = o->detail;
	skel->rodata->host_vectors = btf && b->vectors != VECTORS_NONE;
	/*
	 * bpf_find_vma() came in 5.17: before it, memslots without their
	 * mapping's name. Probed as a kprobe's (the same tracing helpers): a
	 * tracing program cannot be probed without a target.
	 */
	skel->rodata->vma_names = o->detail &&
		libbpf_probe_bpf_helper(BPF_PROG_TYPE_KPROBE, BPF_FUNC_find_vma, NULL) == 1;
	skel->rodata->vendor_isa = b->vendor == ES_INTEL ? ES_BPF_ISA_VMX : ES_BPF_ISA_SVM;
	err = 0;
	if (o->max_rows)
		err = bpf_map__set_max_entries(skel->maps.stats, o->max_rows) ?:
		      bpf_map__set_max_entries(skel->maps.times, o->max_rows);
	if (err) {
		es_errf(e, "setting the stats map's size to %u: %s", o->max_rows, strerror(-err));
		goto fail;
	}
	/* Without the drill-down its tables take no memory: one key, never used. */
	err = o->detail ? 0 : bpf_map__set_max_entries(skel->maps.details, 1) ?:
			      bpf_map__set_max_entries(skel->maps.memslots, 1);
	if (err) {
		es_errf(e, "setting the details map's size: %s", strerror(-err));
		goto fail;
	}
	/* One pair of programs; counts only: no kvm_entry program at all. */
	err = bpf_program__set_autoload(skel->progs.on_exit_btf, btf);
	err = err ?: bpf_program__set_autoload(skel->progs.on_entry_btf, btf && entry_needed(b, o));
	/* VMX's EPT keys come with KVM's handlers' tracepoints (exitscope.bpf.c). */
	ept = btf && o->detail && b->vendor == ES_INTEL;
	err = err ?: bpf_program__set_autoload(skel->progs.on_page_fault_btf, ept);
	err = err ?: bpf_program__set_autoload(skel->progs.on_mmio_btf, ept);
	err = err ?: bpf_program__set_autoload(skel->progs.on_fast_mmio_btf, ept);
	/* SVM's host vectors: the interrupts' entries (exitscope.bpf.c). */
	vectors = btf ? b->vectors : VECTORS_NONE;
#define TP_AUTOLOAD(tp, prog) \
	err = err ?: bpf_program__set_autoload(skel->progs.prog, vectors != VECTORS_NONE);
	ES_BPF_HOST_VECTOR_TPS(TP_AUTOLOAD)
#undef TP_AUTOLOAD
	err = err ?: bpf_program__set_autoload(skel->progs.on_device_irq, vectors == VECTORS_ALL);
	err = err ?: bpf_program__set_autoload(skel->progs.on_exit_tp, !btf);
	err = err ?: bpf_program__set_autoload(skel->progs.on_entry_tp, !btf && o->timing);
	/* Attached below, on its own: a kernel may refuse to trace it. */
	bpf_program__set_autoattach(skel->progs.on_device_irq, false);
	if (err) {
		es_errf(e, "choosing the programs: %s", strerror(-err));
		goto fail;
	}
	err = exitscope_bpf__load(skel);
	if (err) {
		if (!fallback)
			print_log_tail(25);
		load_error(err, btf, e);
		goto fail;
	}
	err = exitscope_bpf__attach(skel);
	if (err) {
		if (!fallback)
			print_log_tail(10);
		es_errf(e, "attaching to kvm_exit%s (%s): %s",
			btf && entry_needed(b, o) ? " and kvm_entry" : !btf && o->timing ? " and kvm_entry" : "",
			btf ? "tp_btf" : "tp", strerror(-err));
		goto fail;
	}
	if (vectors == VECTORS_ALL) {
		skel->links.on_device_irq = bpf_program__attach(skel->progs.on_device_irq);
		if (!skel->links.on_device_irq) {
			snprintf(b->vectors_why, sizeof(b->vectors_why),
				 "devices' vectors: __common_interrupt cannot be traced here (%s)",
				 strerror(errno));
			b->vectors = VECTORS_SYSTEM;
		}
	}
	b->skel = skel;
	b->btf = btf;
	return 0;
fail:
	exitscope_bpf__destroy(skel);
	return -1;
}

/* Remember which vendor module instance tp_btf's offsets came from. */
static int note_vendor(struct bpf_source *b, struct es_err *e)
{
	struct stat st;

	snprintf(b->vendor_btf, sizeof(b->vendor_btf), "/sys/kernel/btf/%s",
		 b->vendor == ES_INTEL ? "kvm_intel" : "kvm_amd");
	if (stat(b->vendor_btf, &st))
		return es_errf(e, "%s: %s", b->vendor_btf, strerror(errno));
	b->vendor_ino = st.st_ino;
	return 0;
}

int es_source_bpf_open(const struct es_source_opts *o, struct es_source *src,
		       struct es_err *e)
{
	bool want_btf = !o->attach || !strcmp(o->attach, "tp_btf");
	bool want_tp = !o->attach || !strcmp(o->attach, "tp");
	char why[256] = "";
	struct bpf_source *b;

	memset(src, 0, sizeof(*src));
	if (check_common(e))
		return -1;
	log_verbose = o->verbose;
	log_len = 0;
	log_tail[0] = '\0';
	libbpf_set_print(on_libbpf_print);
	b = calloc(1, sizeof(*b));
	if (!b)
		return es_errf(e, "out of memory");
	b->vendor = es_host_vendor();
	b->ncpu = libbpf_num_possible_cpus();
	if (b->ncpu <= 0) {
		es_errf(e, "cannot tell the number of possible CPUs: %s", strerror(-b->ncpu));
		goto cleanup;
	}
	b->health = calloc((size_t)b->ncpu, sizeof(__u64));
	if (!b->health) {
		es_errf(e, "out of memory");
		goto cleanup;
	}
	/*
	 * tp_btf where this kernel's BTF shows what it reads, else (or if
	 * it fails to load) the classic tracepoints; either said in @what.
	 */
	/* The drill-down reads the vCPU: tp_btf alone has it. */
	if (o->detail && !want_btf) {
		es_errf(e, "the drill-down (--detail) needs the collector's tp_btf mode, not tp");
		goto cleanup;
	}
	if (o->detail)
		want_tp = false;
	if (want_btf && !tp_btf_usable(b->vendor, o->detail, why, sizeof(why))) {
		if (!want_tp) {
			es_errf(e, "the collector cannot attach in tp_btf mode here%s: %s",
				o->detail ? " (the drill-down, --detail, needs it)" : "", why);
			goto cleanup;
		}
	} else if (want_btf) {
		if (o->detail && b->vendor == ES_AMD)
			b->vectors = host_vectors_usable(b->vectors_why, sizeof(b->vectors_why));
		if (!note_vendor(b, e) && !load_mode(b, o, true, want_tp, e))
			goto loaded;
		if (!want_tp)
			goto cleanup;
		snprintf(why, sizeof(why), "%.250s", e->msg);
	}
	if (check_tp(e) || load_mode(b, o, false, false, e)) {
		/* Both modes failed: say why each. */
		if (why[0]) {
			char tp_err[sizeof(e->msg)];

			snprintf(tp_err, sizeof(tp_err), "%s", e->msg);
			es_errf(e, "%.300s (tp_btf, tried first: %.300s)", tp_err, why);
		}
		goto cleanup;
	}
loaded:
	/* The blocks are read in place: 2.4 MiB, no system call per block. */
	b->blocks_len = (size_t)ES_BPF_BLOCKS * sizeof(struct es_bpf_block);
	b->blocks = mmap(NULL, b->blocks_len, PROT_READ | PROT_WRITE, MAP_SHARED,
			 bpf_map__fd(b->skel->maps.blocks), 0);
	if (b->blocks == MAP_FAILED) {
		b->blocks = NULL;
		es_errf(e, "mapping the collector's blocks: %s", strerror(errno));
		exitscope_bpf__destroy(b->skel);
		goto cleanup;
	}
	b->max_rows = bpf_map__max_entries(b->skel->maps.stats);
	snprintf(src->kind, sizeof(src->kind), "bpf");
	if (b->btf)
		snprintf(src->what, sizeof(src->what),
			 "the BPF collector on kvm_exit%s, tp_btf (the reason read from %s by CO-RE%s%s%s) (%s, up to %u rows)",
			 entry_needed(b, o) ? " and kvm_entry" : "",
			 b->vendor == ES_INTEL ? "kvm_intel's vcpu_vmx.exit_reason" :
						 "kvm_amd's vcpu_svm.vmcb->control.exit_code",
			 o->detail ? "; the drill-down below it" : "",
			 !o->detail || b->vendor != ES_AMD ? "" :
			 b->vectors == VECTORS_ALL ? ", INTR exits keyed by the host's timer, IPI and device interrupt entries" :
			 b->vectors == VECTORS_SYSTEM ? ", INTR exits keyed by the host's timer and IPI entries; " :
							"; INTR exits not keyed: ",
			 o->detail && b->vendor == ES_AMD && b->vectors != VECTORS_ALL ? b->vectors_why : "",
			 o->pid ? "one VM" : "every VM", b->max_rows);
	else
		snprintf(src->what, sizeof(src->what),
			 "the BPF collector on kvm:kvm_exit%s, tp (the tracepoint's record%s%.200s) (%s, up to %u rows)",
			 o->timing ? " and kvm:kvm_entry" : "", why[0] ? "; not tp_btf: " : "", why,
			 o->pid ? "one VM" : "every VM", b->max_rows);
	src->read = bpf_read;
	src->close = bpf_close;
	src->priv = b;
	return 0;
cleanup:
	free(b->health);
	free(b);
	return -1;
}
