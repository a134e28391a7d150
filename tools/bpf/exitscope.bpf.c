// SPDX-License-Identifier: GPL-2.0-only
/*
 * exitscope's collector, the kernel side: on kvm:kvm_exit count the exit
 * in the row of its VM (the VMM's tgid), vCPU and folded reason, and note
 * the time; on the vCPU's next kvm:kvm_entry charge the interval to that
 * row's time and log2 histogram. Everything is aggregated here, in a
 * per-CPU hash (no atomics, no per-event copy to user space); user space
 * sums the CPUs when it reads.
 *
 * CO-RE: the tracepoints are the kvm module's, so their records' layout is
 * in kvm.ko's BTF (or vmlinux's when KVM is built in). The structs below
 * name only the fields used; libbpf relocates each access against the
 * kernel's own struct, whichever BTF it lives in.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "exitscope.h"

char LICENSE[] SEC("license") = "GPL";

/* Knobs, set by the loader between open and load. */
const volatile __u32 filter_tgid = 0;	/* 0: every VM */
const volatile __u8 timing = 1;		/* false: counts only, no pending */

struct trace_event_raw_kvm_exit {
	unsigned int exit_reason;
	__u32 isa;
	unsigned int vcpu_id;
} __attribute__((preserve_access_index));

struct trace_event_raw_kvm_entry {
	unsigned int vcpu_id;
} __attribute__((preserve_access_index));

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, ES_BPF_STATS_MAX);
	__type(key, struct es_bpf_key);
	__type(value, struct es_bpf_val);
} stats SEC(".maps");

/* Keyed by thread id; LRU, so threads that died mid-exit age out. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, ES_BPF_PENDING_MAX);
	__type(key, __u32);
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

static __always_inline struct es_bpf_val *row_of(const struct es_bpf_key *key)
{
	struct es_bpf_val *v = bpf_map_lookup_elem(&stats, key);
	long err;

	if (v)
		return v;
	err = bpf_map_update_elem(&stats, key, &zero_val, BPF_NOEXIST);
	/* -EEXIST: another CPU made the row meanwhile, fine. */
	if (err && err != -17) {
		health_bump(ES_BPF_STATS_FULL);
		return NULL;
	}
	return bpf_map_lookup_elem(&stats, key);
}

SEC("tp/kvm/kvm_exit")
int on_kvm_exit(struct trace_event_raw_kvm_exit *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct es_bpf_pending *p, np = {};
	struct es_bpf_key key = {};
	struct es_bpf_val *v;

	key.tgid = id >> 32;
	if (filter_tgid && key.tgid != filter_tgid)
		return 0;
	key.vcpu = ctx->vcpu_id;
	key.isa = ctx->isa;
	key.reason = es_bpf_fold_reason(key.isa, ctx->exit_reason);
	v = row_of(&key);
	if (!v)
		return 0;
	v->count++;
	if (!timing)
		return 0;
	/* Written in place when the thread is known: no allocation per exit. */
	p = bpf_map_lookup_elem(&pending, &tid);
	if (p) {
		/*
		 * Still pending: no kvm_entry came between two exits (6.1
		 * re-enters from the fastpath without one). That exit stays
		 * untimed; say how often.
		 */
		if (p->ts)
			health_bump(ES_BPF_UNTIMED);
		p->key = key;
		p->task = bpf_get_current_task();
		p->ts = bpf_ktime_get_ns();
		return 0;
	}
	np.key = key;
	np.task = bpf_get_current_task();
	np.ts = bpf_ktime_get_ns();
	if (bpf_map_update_elem(&pending, &tid, &np, BPF_ANY))
		health_bump(ES_BPF_PENDING_FAILED);
	return 0;
}

SEC("tp/kvm/kvm_entry")
int on_kvm_entry(struct trace_event_raw_kvm_entry *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct es_bpf_pending *p;
	struct es_bpf_val *v;
	__u64 now, delta;
	__u32 b;

	p = bpf_map_lookup_elem(&pending, &tid);
	/* The first entry of a vCPU, or one after an untimed exit. */
	if (!p || !p->ts)
		return 0;
	now = bpf_ktime_get_ns();
	/* A thread id reused by another thread, or another vCPU: not ours. */
	if (p->task != bpf_get_current_task() || p->key.vcpu != ctx->vcpu_id) {
		p->ts = 0;
		health_bump(ES_BPF_STALE);
		return 0;
	}
	delta = now > p->ts ? now - p->ts : 0;
	p->ts = 0;
	v = bpf_map_lookup_elem(&stats, &p->key);
	if (!v) {
		health_bump(ES_BPF_ROW_GONE);
		return 0;
	}
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
	return 0;
}
