/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the BPF collector (exitscope.bpf.c) and user space share: the map
 * layouts, the histogram's buckets, and the two pure functions both sides
 * must agree on (the reason folding and the bucket of a time). Included by
 * BPF C (no libc) and by the tools (tools/lib/model/hist.c, the unit tests), so
 * everything here is plain fixed-width integers and static inline code.
 */
#ifndef EXITSCOPE_BPF_SHARED_H
#define EXITSCOPE_BPF_SHARED_H

#include <linux/types.h>

/* kvm_exit's isa field (arch/x86/kvm/trace.h: KVM_ISA_VMX, KVM_ISA_SVM). */
#define ES_BPF_ISA_VMX		1
#define ES_BPF_ISA_SVM		2

/* VMX: bit 31 of the full exit reason is "VM entry failed". */
#define ES_BPF_VMX_FAILED	0x80000000u

/*
 * Time from an exit to the vCPU's next entry, in log2 buckets of
 * nanoseconds: bucket 0 holds [0, 2) ns, bucket i (1 <= i < 31) holds
 * [2^i, 2^(i+1)) ns, the last bucket everything from 2^31 ns (2.1 s) up.
 */
#define ES_BPF_HIST_BUCKETS	32

/*
 * The size of the stats and times maps, preallocated hashes
 * (docs/collector.md): their memory, about 72 and 320 bytes a row, is
 * taken whole at load, so that an exit never allocates.
 */
#define ES_BPF_STATS_MAX	16384	/* VM x vCPU x reason rows of each; --max-rows */

struct es_bpf_key {
	__u32 tgid;			/* the VMM process */
	__u32 vcpu;			/* kvm_exit's vcpu_id */
	__u32 reason;			/* folded: es_bpf_fold_reason() */
	__u32 isa;			/* ES_BPF_ISA_VMX or _SVM */
};

/*
 * The times of a VM, vCPU and reason: the sum and log2 histogram of its
 * exits' intervals to the next entry, in a hash keyed by
 * es_bpf_time_key(): 8 bytes, which the hash of a lookup costs less than
 * the 16 of struct es_bpf_key (docs/benchmarks.md).
 */
struct es_bpf_time {
	__u64 time_ns;			/* sum of exit -> next entry */
	__u64 hist[ES_BPF_HIST_BUCKETS];	/* of those intervals */
};

/* vcpu_id is below KVM_MAX_VCPU_IDS (16384 on 6.12): 24 bits are room enough. */
#define ES_BPF_TIME_VCPU_MAX	0xffffffu

static inline __u64 es_bpf_time_key(__u32 tgid, __u32 vcpu, __u32 slot)
{
	return (__u64)tgid << 32 | (__u64)(vcpu & ES_BPF_TIME_VCPU_MAX) << 8 | (slot & 0xff);
}

/*
 * The counts' fast path: a block per VM and vCPU, one counter per reason,
 * in an array of ES_BPF_BLOCKS (mmapped by user space), found by open
 * addressing from a multiplicative hash of (tgid, vcpu), at most
 * ES_BPF_PROBES slots from its home; a free block (key 0: tgid 0 runs no
 * VMM) is claimed with a compare-and-swap, once in a vCPU's life. An exit
 * whose block or reason does not fit counts in the stats hash instead, so
 * nothing is lost; user space sums both (a key may own two blocks after a
 * prune: summed too).
 */
#define ES_BPF_BLOCKS_SHIFT	10
#define ES_BPF_BLOCKS		(1u << ES_BPF_BLOCKS_SHIFT)
#define ES_BPF_PROBES		4
#define ES_BPF_SLOTS		256
#define ES_BPF_NO_SLOT		0xffffffffu

/*
 * The drill-down's keys a vCPU hits first, counted in its block (with
 * --detail): ES_BPF_KEY_CACHE entries in pairs, a key's pair picked by a
 * hash of it (two-way), each entry a key's once claimed (until the block
 * is freed: never evicted, so that every count only grows wherever user
 * space reads it). A key whose pair holds two others goes to the details
 * hash, as a key of an exit without a block does; user space adds up
 * both, and every vCPU's. A vCPU's few hot keys (its console's port, its
 * timer's MSR) then cost an index and an add, not the hash's lookup
 * (docs/benchmarks.md). One writer, the vCPU's thread: plain stores, the
 * tag last.
 */
#define ES_BPF_KEY_CACHE	32

struct es_bpf_key_entry {
	__u32 tag;			/* es_bpf_key_tag(); 0: free */
	__u32 pad;
	__u64 value;			/* as es_bpf_detail_key's */
	__u64 count;
};

struct es_bpf_block {
	__u64 key;			/* es_bpf_block_key(), 0: free */
	__u32 isa;			/* ES_BPF_ISA_VMX or _SVM */
	__u16 pending_slot;		/* the vCPU's exit waiting for its entry... */
	__u16 detail_exit;		/* VMX: 1 + the basic reason whose key the entry reads; 0: none */
	__u64 pending_ts;		/* ...since bpf_ktime_get_ns(); 0: none */
	__u64 memslot_gfn;		/* 1 + a new region's gfn whose memslot the next exit notes; 0: none */
	__u64 count[ES_BPF_SLOTS];	/* exits, by es_bpf_slot() */
	struct es_bpf_key_entry keys[ES_BPF_KEY_CACHE];	/* the drill-down's first keys */
};

/* User space maps the array: elements lie sizeof() apart only if a multiple of 8. */
_Static_assert(sizeof(struct es_bpf_block) % 8 == 0, "es_bpf_block: a multiple of 8 bytes");

static inline __u64 es_bpf_block_key(__u32 tgid, __u32 vcpu)
{
	return (__u64)tgid << 32 | vcpu;
}

/* A key's reason, kind and flags in one word; never 0 (no kind is 0). */
static inline __u32 es_bpf_key_tag(__u32 slot, __u32 kind, __u32 flags)
{
	return (slot & 0xff) | (kind & 0xff) << 8 | (flags & 0xffff) << 16;
}

/* And back: a tag's slot, kind, flags. */
static inline __u32 es_bpf_tag_slot(__u32 tag)
{
	return tag & 0xff;
}

static inline __u32 es_bpf_tag_kind(__u32 tag)
{
	return (tag >> 8) & 0xff;
}

static inline __u32 es_bpf_tag_flags(__u32 tag)
{
	return tag >> 16;
}

/*
 * The first of the two entries of a block's keys[] a key may take, the
 * other this + 1 (the top bits of a product, as below; always even).
 */
static inline __u32 es_bpf_key_home(__u32 tag, __u64 value)
{
	return (__u32)(((value ^ (__u64)tag << 40) * 0x9e3779b97f4a7c15ull) >> 60) << 1;
}

_Static_assert(ES_BPF_KEY_CACHE == 32, "es_bpf_key_home() yields 16 pairs");

/* The block a key tries first (Fibonacci hashing: the top bits of a product). */
static inline __u32 es_bpf_block_home(__u64 key)
{
	return (__u32)((key * 0x9e3779b97f4a7c15ull) >> (64 - ES_BPF_BLOCKS_SHIFT));
}

/*
 * A folded reason's counter in a block, or ES_BPF_NO_SLOT. VMX: basic
 * reasons 0-0xfe, 0xff for a failed entry. SVM: codes 0-0xef as they are,
 * 0x400-0x40e (NPF, AVIC, VMGEXIT) at 0xf0-0xfe, 0xff for SVM_EXIT_ERR.
 */
static inline __u32 es_bpf_slot(__u32 isa, __u32 reason)
{
	if (isa == ES_BPF_ISA_VMX) {
		if (reason < 0xff)
			return reason;
		return reason == ES_BPF_VMX_FAILED ? 0xff : ES_BPF_NO_SLOT;
	}
	if (reason < 0xf0)
		return reason;
	if (reason >= 0x400 && reason < 0x40f)
		return 0xf0 + (reason - 0x400);
	return reason == 0xffffffffu ? 0xff : ES_BPF_NO_SLOT;
}

/* The folded reason of a block's counter @slot (< ES_BPF_SLOTS). */
static inline __u32 es_bpf_slot_reason(__u32 isa, __u32 slot)
{
	if (isa == ES_BPF_ISA_VMX)
		return slot == 0xff ? ES_BPF_VMX_FAILED : slot;
	if (slot < 0xf0)
		return slot;
	return slot == 0xff ? 0xffffffffu : 0x400 + (slot - 0xf0);
}

/*
 * The drill-down below a reason (off by default; docs/collector.md): per
 * VM and reason, what the exit was about, one key per exit. A kind says
 * what the value is; the flags, its direction.
 */
enum es_bpf_detail_kind {
	ES_BPF_DK_NONE,			/* no key (not a row kind) */
	ES_BPF_DK_IO,			/* I/O port; flag: in */
	ES_BPF_DK_MSR,			/* MSR index; flag: write */
	ES_BPF_DK_GPA,			/* guest-physical region of a nested page fault (below) */
	ES_BPF_DK_MMIO,			/* guest-physical address of an MMIO access */
	ES_BPF_DK_VECTOR,		/* exception vector */
	ES_BPF_DK_HYPERCALL,		/* hypercall number (RAX) */
	ES_BPF_DK_HOST_VECTOR,		/* the host's interrupt vector */
	ES_BPF_DK_CR,			/* control register; flag: write (mov to CR) */
	ES_BPF_NR_DK
};

/*
 * A nested page fault's key: the 2 MiB region of its address (a huge
 * page's), not its 4 KiB page. A guest that touches its memory for the
 * first time faults once per page: a Linux L2's boot made 9,700 page keys
 * in 20 s, a fifth of the table per VM. Regions bound that by the guest's
 * memory / 2 MiB, and still say where: which memory, ROM or device range.
 */
#define ES_BPF_GPA_REGION_SHIFT	21
#define ES_BPF_GPA_REGION_MASK	(~((1ull << ES_BPF_GPA_REGION_SHIFT) - 1))

/*
 * The memslots that hold the nested page faults' regions, per VM (the
 * drill-down's names for them): noted from the vCPU's last_used_slot at
 * the exit after a region's first fault, when KVM's handler has looked the
 * address up (exitscope.bpf.c, memslot_note()). Keyed by the VMM, address
 * space and slot id; the value is what KVM_SET_USER_MEMORY_REGION set,
 * and the name of the file the VMM mapped there (its last component, as
 * the dentry has it: "memfd:pc.ram" for QEMU's memfd backend), noted
 * then: a short-lived VM's too, and no /proc read in user space.
 */
#define ES_BPF_MEMSLOTS_MAX	4096

struct es_bpf_memslot_key {
	__u32 tgid;
	__u16 as_id;			/* 0; 1: SMM's */
	__u16 id;			/* the slot */
};

#define ES_BPF_MAPPING_MAX	40

struct es_bpf_memslot {
	__u64 base_gfn;
	__u64 npages;
	__u64 userspace_addr;
	char mapping[ES_BPF_MAPPING_MAX];	/* its VMA's file's name, "anonymous", "" unknown */
};

#define ES_BPF_DF_IN		(1u << 0)	/* I/O: a read of the port (IN, INS) */
#define ES_BPF_DF_WRITE		(1u << 0)	/* MSR, CR: a write (WRMSR, mov to CR) */

/*
 * The system vectors' tracepoints (arch/x86/include/asm/trace/irq_vectors.h)
 * whose entries key SVM's INTR exits with the drill-down (exitscope.bpf.c,
 * host_vector()), each with its program's name: X(tracepoint, program).
 * The programs, the loader's check of the BTF and its choice of programs
 * all come from this one list.
 */
#define ES_BPF_HOST_VECTOR_TPS(X)				\
	X(local_timer_entry, on_timer_irq)			\
	X(reschedule_entry, on_resched_irq)			\
	X(call_function_entry, on_call_irq)			\
	X(call_function_single_entry, on_call_single_irq)	\
	X(irq_work_entry, on_irq_work_irq)			\
	X(x86_platform_ipi_entry, on_platform_irq)

/*
 * Keys the drill-down's table holds (a preallocated hash, as stats): a
 * key that finds it full is not kept, and health's detail_full says how
 * many exits went without one.
 */
#define ES_BPF_DETAIL_MAX	16384

/* A drill-down row's key: 16 bytes, as the stats' key. */
struct es_bpf_detail_key {
	__u32 tgid;			/* the VMM process */
	__u8 slot;			/* the reason: es_bpf_slot() of the VM's isa */
	__u8 kind;			/* enum es_bpf_detail_kind */
	__u16 flags;			/* ES_BPF_DF_* */
	__u64 value;			/* port, MSR, address, vector, number, CR */
};

/*
 * Health counters (a per-CPU array): what the collector could not do. Each
 * is reported by the tools; none is dropped silently. The order is the
 * records' and metrics' (tools/lib/model/model.c names them); new ones go last.
 */
enum es_bpf_health {
	ES_BPF_STATS_FULL,		/* exits not counted: stats full */
	ES_BPF_PENDING_FAILED,		/* exits not timed: no row for their time, the table full */
	ES_BPF_STALE,			/* unused since the pending exit is the vCPU's (records keep it) */
	ES_BPF_ROW_GONE,		/* unused since rows are made at the entry (records keep it) */
	ES_BPF_UNTIMED,			/* an exit followed by another before any entry */
	ES_BPF_REASON_UNREAD,		/* exits not counted: tp_btf could not read the reason */
	ES_BPF_NO_STATE,		/* exits not timed: counted outside a block */
	ES_BPF_DETAIL_FULL,		/* exits without their drill-down key: its table full */
	ES_BPF_MEMSLOTS_FULL,		/* memslots not noted (their regions unnamed): the table full */
	ES_BPF_NR_HEALTH
};

/* Health counters a record may lack: those added after the first release. */
#define ES_BPF_NR_HEALTH_V1	5

/*
 * The reason exitscope counts: on VMX the basic exit reason (bits 0-15),
 * the flag bits 16-30 folded away, and every failed VM entry (bit 31) in
 * one row 0x80000000, as the patched module and the lab's hist parser do;
 * SVM exit codes as they are.
 */
static inline __u32 es_bpf_fold_reason(__u32 isa, __u32 reason)
{
	if (isa != ES_BPF_ISA_VMX)
		return reason;
	return (reason & ES_BPF_VMX_FAILED) ? ES_BPF_VMX_FAILED : (reason & 0xffff);
}

/* floor(log2(v)) for v >= 1, without loops (the verifier likes that). */
static inline __u32 es_bpf_log2(__u64 v)
{
	__u32 r = 0, s;

	s = (v > 0xffffffffULL) << 5; v >>= s; r |= s;
	s = (v > 0xffff) << 4; v >>= s; r |= s;
	s = (v > 0xff) << 3; v >>= s; r |= s;
	s = (v > 0xf) << 2; v >>= s; r |= s;
	s = (v > 0x3) << 1; v >>= s; r |= s;
	r |= (__u32)(v >> 1);
	return r;
}

/* The histogram bucket of an interval of @ns nanoseconds. */
static inline __u32 es_bpf_bucket(__u64 ns)
{
	__u32 b;

	if (ns < 2)
		return 0;
	b = es_bpf_log2(ns);
	return b < ES_BPF_HIST_BUCKETS - 1 ? b : ES_BPF_HIST_BUCKETS - 1;
}

#endif
