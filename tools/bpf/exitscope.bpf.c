// SPDX-License-Identifier: GPL-2.0-only
/*
 * exitscope's collector, the kernel side: on kvm_exit count the exit in the
 * row of its VM (the VMM's tgid), vCPU and folded reason, and note the
 * time in the thread's own storage; on the vCPU's next kvm_entry charge the
 * interval to that row's time and log2 histogram.
 *
 * Two pairs of programs, of which user space loads one (collector.c):
 *   tp_btf  BTF-typed raw tracepoints: the kernel calls the program with the
 *           tracepoint's arguments (vcpu, isa) and builds no trace record,
 *           so the exit reason is read from the vendor's vCPU by CO-RE
 *           (VMX: vcpu_vmx.exit_reason; SVM: vcpu_svm.vmcb->control.exit_code),
 *           the very fields the tracepoint itself reports;
 *   tp      the classic tracepoints, reading the record the kernel formats:
 *           the fallback where the vendor module has no BTF or another shape.
 * Both share the maps, so what user space reads does not depend on the mode.
 *
 * The cost of the exit path (docs/collector.md, docs/benchmarks.md): the
 * count goes into the VM and vCPU's block, an array element found by open
 * addressing (exitscope.h), a few instructions where a hash lookup is
 * about 180; reasons or vCPUs that do not fit there, and the times, go
 * into rows of a preallocated hash, looked up without a lock (an insert
 * takes the bucket lock once per new row, and allocates nothing). The
 * pending exit lives in the task's own storage, created on the entry side,
 * so the exit path neither allocates nor locks. Blocks and rows are written
 * by one thread at a time: their keys hold the vCPU, and a vCPU's exits and
 * entries all run in the thread holding vcpu->mutex for KVM_RUN. So the
 * increments are plain, and user space reads one copy, not one per CPU.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "exitscope.h"
#include "kvm_reason.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Knobs, set by the loader between open and load. */
const volatile __u32 filter_tgid = 0;	/* 0: every VM */
const volatile __u8 timing = 1;		/* false: counts only, no kvm_entry program */

/* ---- the kernel's shapes: only the fields read, relocated by CO-RE ---- */

/* The classic tracepoints' records (kvm.ko's BTF, or vmlinux's). */
struct trace_event_raw_kvm_exit {
	unsigned int exit_reason;
	__u32 isa;
	unsigned int vcpu_id;
} __attribute__((preserve_access_index));

struct trace_event_raw_kvm_entry {
	unsigned int vcpu_id;
} __attribute__((preserve_access_index));

/* ---- maps ---- */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);	/* preallocated: no allocation at insert */
	__uint(max_entries, ES_BPF_STATS_MAX);
	__type(key, struct es_bpf_key);
	__type(value, struct es_bpf_val);
} stats SEC(".maps");

/* The counts' fast path (exitscope.h); user space maps it to read it. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, ES_BPF_BLOCKS);
	__type(key, __u32);
	__type(value, struct es_bpf_block);
} blocks SEC(".maps");

/* The thread's exit waiting for its entry; freed with the thread. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);	/* the only way this type exists */
	__type(key, int);
	__type(value, struct es_bpf_pending);
} pending SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, ES_BPF_NR_HEALTH);
	__type(key, __u32);
	__type(value, __u64);
} health SEC(".maps");

/* The zero row a new key starts from (too big for the stack next to the rest). */
static const struct es_bpf_val zero_val;

static __always_inline void health_bump(__u32 which)
{
	__u64 *v = bpf_map_lookup_elem(&health, &which);

	if (v)
		(*v)++;
}

/* The row of @key, made if new; NULL with health[@full] bumped if the table is full. */
static __always_inline struct es_bpf_val *row_of(const struct es_bpf_key *key, __u32 full)
{
	struct es_bpf_val *v = bpf_map_lookup_elem(&stats, key);
	long err;

	if (v)
		return v;
	err = bpf_map_update_elem(&stats, key, &zero_val, BPF_NOEXIST);
	/* -EEXIST: another CPU made the row meanwhile, fine. */
	if (err && err != -17) {
		health_bump(full);
		return NULL;
	}
	return bpf_map_lookup_elem(&stats, key);
}

/*
 * The counter of @key in its VM and vCPU's block, claiming a free block on
 * the vCPU's first exit; NULL if the reason has no slot or no block is
 * free within ES_BPF_PROBES of its home.
 */
static __always_inline __u64 *block_count(const struct es_bpf_key *key)
{
	__u32 slot = es_bpf_slot(key->isa, key->reason), home, i, idx;
	__u64 bkey = es_bpf_block_key(key->tgid, key->vcpu);
	struct es_bpf_block *b;

	if (slot >= ES_BPF_SLOTS)
		return NULL;
	/*
	 * The verifier loses that bound on the way (as the histogram's, in
	 * on_entry()): the index is masked where it is used, behind a
	 * barrier so that the compiler keeps the mask.
	 */
	__asm__ volatile("" : "+r"(slot));
	home = es_bpf_block_home(bkey);
#pragma unroll
	for (i = 0; i < ES_BPF_PROBES; i++) {
		idx = (home + i) & (ES_BPF_BLOCKS - 1);
		b = bpf_map_lookup_elem(&blocks, &idx);
		if (!b)
			return NULL;
		if (b->key != bkey) {
			if (b->key)
				continue;
			/* Free: ours, unless another CPU's vCPU took it first. */
			if (__sync_val_compare_and_swap(&b->key, 0, bkey) && b->key != bkey)
				continue;
			b->isa = key->isa;
		}
		return &b->count[slot & (ES_BPF_SLOTS - 1)];
	}
	return NULL;
}

/* The exit, counted and (timing) noted; the same in both modes. */
static __always_inline void on_exit(__u32 tgid, __u32 vcpu, __u32 isa, __u32 reason)
{
	struct es_bpf_key key = {};
	struct es_bpf_pending *p;
	struct es_bpf_val *v;
	__u64 *c;

	key.tgid = tgid;
	key.vcpu = vcpu;
	key.isa = isa;
	key.reason = es_bpf_fold_reason(isa, reason);
	c = block_count(&key);
	if (c) {
		(*c)++;
	} else {
		v = row_of(&key, ES_BPF_STATS_FULL);
		if (!v)
			return;
		v->count++;
	}
	if (!timing)
		return;
	/* No creation here: the exit path must not allocate. */
	p = bpf_task_storage_get(&pending, bpf_get_current_task_btf(), 0, 0);
	if (!p) {
		/* The thread's first exit since the collector started. */
		health_bump(ES_BPF_NO_STATE);
		return;
	}
	/*
	 * Still pending: no kvm_entry came between two exits (6.1's SVM
	 * re-enters from the fastpath without a kvm_exit, not without an
	 * entry, so this is rare). That exit stays untimed; say how often.
	 */
	if (p->ts)
		health_bump(ES_BPF_UNTIMED);
	p->key = key;
	p->ts = bpf_ktime_get_ns();
}

/* The entry: charge the pending exit of this thread, if any. */
static __always_inline void on_entry(__u32 vcpu)
{
	struct es_bpf_pending *p;
	struct es_bpf_val *v;
	__u64 now, delta;
	__u32 b;

	/*
	 * Created here, once in a vCPU thread's life, so that the exit
	 * path never allocates (a failure leaves the next exit untimed).
	 */
	p = bpf_task_storage_get(&pending, bpf_get_current_task_btf(), 0,
				 BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!p) {
		health_bump(ES_BPF_PENDING_FAILED);
		return;
	}
	/* The first entry of a vCPU, a fastpath re-entry, or after an untimed exit. */
	if (!p->ts)
		return;
	now = bpf_ktime_get_ns();
	/* One thread, another vCPU (a VMM that moves vCPUs between threads). */
	if (p->key.vcpu != vcpu) {
		p->ts = 0;
		health_bump(ES_BPF_STALE);
		return;
	}
	delta = now > p->ts ? now - p->ts : 0;
	p->ts = 0;
	/* The time's row, made here for an exit counted in its block. */
	v = row_of(&p->key, ES_BPF_PENDING_FAILED);
	if (!v)
		return;
	v->time_ns += delta;
	/*
	 * es_bpf_bucket() is at most ES_BPF_HIST_BUCKETS - 1 already, but
	 * 6.1's verifier loses that bound on the register copy the compiler
	 * indexes with: mask the index itself (a power of two), behind a
	 * barrier so that the compiler cannot drop the mask as redundant.
	 */
	_Static_assert((ES_BPF_HIST_BUCKETS & (ES_BPF_HIST_BUCKETS - 1)) == 0,
		       "buckets: a power of two");
	b = es_bpf_bucket(delta);
	__asm__ volatile("" : "+r"(b));
	v->hist[b & (ES_BPF_HIST_BUCKETS - 1)]++;
}

/* The VMM's tgid if its VM is one we count, else 0. */
static __always_inline __u32 counted_tgid(void)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	return !filter_tgid || tgid == filter_tgid ? tgid : 0;
}

/* For the entry, which needs no tgid: whether its VM is counted, without a helper call if all are. */
static __always_inline int counted(void)
{
	return !filter_tgid || (__u32)(bpf_get_current_pid_tgid() >> 32) == filter_tgid;
}

/* ---- tp_btf: the tracepoints' arguments, no record built ---- */

SEC("tp_btf/kvm_exit")
int BPF_PROG(on_exit_btf, struct kvm_vcpu *vcpu, __u32 isa)
{
	__u32 tgid = counted_tgid(), reason;

	/*
	 * Never NULL from KVM, but 6.12's verifier (the raw_tp arguments
	 * marked PTR_MAYBE_NULL, backported to 6.12.y) wants the check.
	 */
	if (!tgid || !vcpu)
		return 0;
	if (read_reason(vcpu, isa, &reason)) {
		/* Never a made-up reason: the exit is not counted, and said. */
		health_bump(ES_BPF_REASON_UNREAD);
		return 0;
	}
	on_exit(tgid, vcpu->vcpu_id, isa, reason);
	return 0;
}

/* Only the first argument: 6.1 before the stable backport had no second. */
SEC("tp_btf/kvm_entry")
int BPF_PROG(on_entry_btf, struct kvm_vcpu *vcpu)
{
	if (vcpu && counted())
		on_entry(vcpu->vcpu_id);
	return 0;
}

/* ---- tp: the classic tracepoints, the fallback ---- */

/*
 * These return 1: a classic tracepoint passes its event on to perf's own
 * consumers (perf kvm stat, kvm_stat) only when the BPF program returns
 * non-zero, so 0 would blind them while exitscope runs. The price: the
 * program is attached through a perf event of its own, so the kernel then
 * runs perf_tp_event() for that one too, about 200 emulated instructions
 * per program and exit in the lab (docs/benchmarks.md). tp_btf has neither.
 */
SEC("tp/kvm/kvm_exit")
int on_exit_tp(struct trace_event_raw_kvm_exit *ctx)
{
	__u32 tgid = counted_tgid();

	if (tgid)
		on_exit(tgid, ctx->vcpu_id, ctx->isa, ctx->exit_reason);
	return 1;
}

SEC("tp/kvm/kvm_entry")
int on_entry_tp(struct trace_event_raw_kvm_entry *ctx)
{
	if (counted())
		on_entry(ctx->vcpu_id);
	return 1;
}
