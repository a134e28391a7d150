// SPDX-License-Identifier: GPL-2.0-only
/*
 * The benchmark's floor (issue 21): the least any BPF tool can spend to
 * count exits per reason. tp_btf on kvm_exit (no trace record), the reason
 * read as the collector reads it, one increment in a per-CPU array. No
 * VM, no vCPU, no time, no row to insert, no state. Not part of exitscope.
 *
 * The variants add one thing each to the floor, so that the benchmark can
 * say what each part of a real tool costs (docs/benchmarks.md):
 *   noread   no reason read: attaching alone
 *   pid      + bpf_get_current_pid_tgid()
 *   hash16   + a preallocated hash's lookup on a 16-byte key (the collector's row)
 *   hash8    + the same on an 8-byte key
 *   storage  + bpf_task_storage_get() of the current task (the collector's pending)
 *   ktime    + bpf_ktime_get_ns()
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "kvm_reason.bpf.h"
#include "bpf-floor.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 variant = FLOOR_PLAIN;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FLOOR_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} floor_counts SEC(".maps");

struct key16 {
	__u32 a, b, c, d;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct key16);
	__type(value, __u64);
} rows16 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, __u64);
} rows8 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} state SEC(".maps");

/* Where a variant's extra work lands, so that the compiler keeps it. */
static __always_inline void extra(__u32 r)
{
	static const __u64 zero;
	struct key16 k16 = { r, 1, 2, 3 };
	__u64 k8 = r, *v;

	switch (variant) {
	case FLOOR_PID:
		k8 = bpf_get_current_pid_tgid();
		v = bpf_map_lookup_elem(&floor_counts, &(__u32){ FLOOR_SLOTS - 2 });
		if (v)
			*v += k8 & 1;
		break;
	case FLOOR_HASH16:
		v = bpf_map_lookup_elem(&rows16, &k16);
		if (!v) {
			bpf_map_update_elem(&rows16, &k16, &zero, BPF_NOEXIST);
			v = bpf_map_lookup_elem(&rows16, &k16);
		}
		if (v)
			(*v)++;
		break;
	case FLOOR_HASH8:
		v = bpf_map_lookup_elem(&rows8, &k8);
		if (!v) {
			bpf_map_update_elem(&rows8, &k8, &zero, BPF_NOEXIST);
			v = bpf_map_lookup_elem(&rows8, &k8);
		}
		if (v)
			(*v)++;
		break;
	case FLOOR_STORAGE:
		v = bpf_task_storage_get(&state, bpf_get_current_task_btf(), 0,
					 BPF_LOCAL_STORAGE_GET_F_CREATE);
		if (v)
			(*v)++;
		break;
	case FLOOR_KTIME:
		v = bpf_map_lookup_elem(&floor_counts, &(__u32){ FLOOR_SLOTS - 2 });
		if (v)
			*v = bpf_ktime_get_ns();
		break;
	}
}

SEC("tp_btf/kvm_exit")
int BPF_PROG(floor_exit, struct kvm_vcpu *vcpu, __u32 isa)
{
	__u32 r = 0, slot = FLOOR_SLOTS - 1;
	__u64 *c;

	/* Failed entries, SVM_EXIT_ERR and unread reasons share the last slot. */
	if (variant != FLOOR_NOREAD && !read_reason(vcpu, isa, &r)) {
		r = es_bpf_fold_reason(isa, r);
		if (r < FLOOR_SLOTS - 2)
			slot = r;
	}
	c = bpf_map_lookup_elem(&floor_counts, &slot);
	if (c)
		(*c)++;
	extra(r);
	return 0;
}
