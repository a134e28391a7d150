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
 * pending exit waits in the vCPU's block too, so the exit path neither
 * allocates nor locks, and the entry finds it as cheaply. Blocks and rows
 * are written by one thread at a time: their keys hold the vCPU, and a
 * vCPU's exits and entries all run in the thread holding vcpu->mutex for
 * KVM_RUN. So the increments are plain, and user space reads one copy,
 * not one per CPU.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <asm/svm.h>
#include <asm/vmx.h>

#include "exitscope.h"
#include "kvm_reason.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Knobs, set by the loader between open and load. */
const volatile __u32 filter_tgid = 0;	/* 0: every VM */
const volatile __u8 timing = 1;		/* false: counts only, no kvm_entry program */
const volatile __u8 detail = 0;		/* the drill-down below the reasons (tp_btf only) */
const volatile __u8 host_vectors = 0;	/* ...and SVM's INTR exits keyed (host_vector()) */
const volatile __u8 vma_names = 0;	/* ...and the memslots' mappings named (bpf_find_vma()) */

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

/* The counts of exits that have no block: preallocated, no allocation at insert. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ES_BPF_STATS_MAX);
	__type(key, struct es_bpf_key);
	__type(value, __u64);
} stats SEC(".maps");

/* The times (exitscope.h), likewise. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ES_BPF_STATS_MAX);
	__type(key, __u64);
	__type(value, struct es_bpf_time);
} times SEC(".maps");

/* The counts' fast path (exitscope.h); user space maps it to read it. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, ES_BPF_BLOCKS);
	__type(key, __u32);
	__type(value, struct es_bpf_block);
} blocks SEC(".maps");

/* The drill-down (exitscope.h): per VM, reason and key, the exits; preallocated. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ES_BPF_DETAIL_MAX);
	__type(key, struct es_bpf_detail_key);
	__type(value, __u64);
} details SEC(".maps");

/* The memslots of the regions the drill-down keys (exitscope.h, memslot_note()). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ES_BPF_MEMSLOTS_MAX);
	__type(key, struct es_bpf_memslot_key);
	__type(value, struct es_bpf_memslot);
} memslots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, ES_BPF_NR_HEALTH);
	__type(key, __u32);
	__type(value, __u64);
} health SEC(".maps");

/*
 * VMX's EPT exits, with the drill-down: the exit waits here, in its
 * thread's own storage, for the tracepoint that brings its address
 * (ept_note(), ept_key()). Task-local: kvm_mmio has no vCPU argument to
 * find the vCPU's block by, and the thread may change CPUs between the
 * exit and its handler. An element is made on a thread's first EPT exit,
 * the one allocation of the drill-down on an exit path; none without it.
 */
struct es_bpf_ept_pending {
	__u32 tgid;
	__u32 vcpu;			/* its vcpu_id */
	__u32 reason;			/* EXIT_REASON_EPT_*; 0: none waiting */
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct es_bpf_ept_pending);
} ept_pending SEC(".maps");

/*
 * SVM's INTR exits, with the drill-down: the host interrupt that forced the
 * exit is in no VMCB field. The host takes it right after the exit, when
 * vcpu_enter_guest() opens interrupts between kvm_before_interrupt() and
 * kvm_after_interrupt(), while vcpu->arch.handling_intr_from_guest says
 * KVM_HANDLING_IRQ (perf's own test for a guest's PMI). Each kvm_exit notes
 * here which vCPU and thread this CPU runs; the first interrupt entry on
 * the CPU in that thread, inside a window of that vCPU, after an INTR exit,
 * keys the exit with its vector (host_vector()). On 6.12 kvm_exit fires
 * before the window (svm_vcpu_run()), on 6.1 after it (svm_handle_exit()):
 * there the window finds the note of the thread's previous exit, on the
 * same CPU unless the thread moved (then the exit keeps no key, never
 * another's: the vCPU's own flag and exit code decide). Noted in the
 * kvm_exit program, which runs anyway: no kvm_entry program for it. Per
 * CPU: no lock, and each CPU writes its own element.
 */
struct es_bpf_svm_window {
	__u64 vcpu;			/* struct kvm_vcpu * of this CPU's last kvm_exit */
	__u32 pid;			/* its thread */
	__u32 tgid;			/* its VMM */
	__u32 keyed;			/* that vCPU's next window has keyed its exit */
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct es_bpf_svm_window);
} svm_window SEC(".maps");

/* What a new row starts from (too big for the stack next to the rest). */
static const struct es_bpf_time zero_time;
static const __u64 zero_count;

static __always_inline void health_bump(__u32 which)
{
	__u64 *v = bpf_map_lookup_elem(&health, &which);

	if (v)
		(*v)++;
}

/*
 * The row of @key in @map, made from @zero if new; NULL with health[@full]
 * bumped if the table is full.
 */
static __always_inline void *row_of(void *map, const void *key, const void *zero, __u32 full)
{
	void *v = bpf_map_lookup_elem(map, key);
	long err;

	if (v)
		return v;
	err = bpf_map_update_elem(map, key, zero, BPF_NOEXIST);
	/* -EEXIST: another CPU made the row meanwhile, fine. */
	if (err && err != -17) {
		health_bump(full);
		return NULL;
	}
	return bpf_map_lookup_elem(map, key);
}

/*
 * The block of (@tgid, @vcpu), from its home on; with @claim a free one
 * is taken on the vCPU's first exit. NULL if none within ES_BPF_PROBES.
 */
static __always_inline struct es_bpf_block *block_of(__u32 tgid, __u32 vcpu, __u32 isa,
						     int claim)
{
	__u64 bkey = es_bpf_block_key(tgid, vcpu);
	__u32 home = es_bpf_block_home(bkey), i, idx;
	struct es_bpf_block *b;

#pragma unroll
	for (i = 0; i < ES_BPF_PROBES; i++) {
		idx = (home + i) & (ES_BPF_BLOCKS - 1);
		b = bpf_map_lookup_elem(&blocks, &idx);
		if (!b)
			return NULL;
		if (b->key == bkey)
			return b;
		if (b->key || !claim)
			continue;
		/* Free: ours, unless another CPU's vCPU took it first. */
		if (__sync_val_compare_and_swap(&b->key, 0, bkey) && b->key != bkey)
			continue;
		b->isa = isa;
		return b;
	}
	return NULL;
}

/*
 * The exit, counted and (timing) noted in its vCPU's block; the same in
 * both modes. An exit without a block (no slot for its reason, or no
 * block free) is counted in the hash instead, and not timed. The block,
 * or NULL.
 */
static __always_inline struct es_bpf_block *on_exit(__u32 tgid, __u32 vcpu, __u32 isa,
						    __u32 reason)
{
	struct es_bpf_key key = {};
	struct es_bpf_block *b = NULL;
	__u64 *c;
	__u32 slot;

	key.tgid = tgid;
	key.vcpu = vcpu;
	key.isa = isa;
	key.reason = es_bpf_fold_reason(isa, reason);
	slot = es_bpf_slot(isa, key.reason);
	if (slot < ES_BPF_SLOTS)
		b = block_of(tgid, vcpu, isa, 1);
	if (!b) {
		c = row_of(&stats, &key, &zero_count, ES_BPF_STATS_FULL);
		if (c)
			(*c)++;
		if (c && timing)
			health_bump(ES_BPF_NO_STATE);
		return NULL;
	}
	/*
	 * The verifier loses slot's bound on the way (as the histogram's
	 * below): it is masked where it is used, behind a barrier so that
	 * the compiler keeps the mask.
	 */
	__asm__ volatile("" : "+r"(slot));
	slot &= ES_BPF_SLOTS - 1;
	b->count[slot]++;
	if (!timing)
		return b;
	/*
	 * Still pending: no kvm_entry came between two exits of the vCPU.
	 * That exit stays untimed; say how often.
	 */
	if (b->pending_ts)
		health_bump(ES_BPF_UNTIMED);
	b->pending_slot = slot;
	b->pending_ts = bpf_ktime_get_ns();
	return b;
}

/* The entry: charge the vCPU's pending exit, if any, to its row's time. */
static __always_inline void on_entry(__u32 tgid, __u32 vcpu)
{
	struct es_bpf_block *b;
	struct es_bpf_time *t;
	__u64 now, delta, key;
	__u32 h;

	b = block_of(tgid, vcpu, 0, 0);
	/* The first entry of a vCPU, a fastpath re-entry, or after an untimed exit. */
	if (!b || !b->pending_ts)
		return;
	now = bpf_ktime_get_ns();
	delta = now > b->pending_ts ? now - b->pending_ts : 0;
	b->pending_ts = 0;
	if (vcpu > ES_BPF_TIME_VCPU_MAX)
		return;
	/* The time's row, made at the first entry of its reason. */
	key = es_bpf_time_key(tgid, vcpu, b->pending_slot);
	t = row_of(&times, &key, &zero_time, ES_BPF_PENDING_FAILED);
	if (!t)
		return;
	t->time_ns += delta;
	/*
	 * es_bpf_bucket() is at most ES_BPF_HIST_BUCKETS - 1 already, but
	 * 6.1's verifier loses that bound on the register copy the compiler
	 * indexes with: mask the index itself (a power of two), behind a
	 * barrier so that the compiler cannot drop the mask as redundant.
	 */
	_Static_assert((ES_BPF_HIST_BUCKETS & (ES_BPF_HIST_BUCKETS - 1)) == 0,
		       "buckets: a power of two");
	h = es_bpf_bucket(delta);
	__asm__ volatile("" : "+r"(h));
	t->hist[h & (ES_BPF_HIST_BUCKETS - 1)]++;
}

/*
 * One exit more of the drill-down's key: in the vCPU's block @b where its
 * entry there is the key's or free (exitscope.h, keys[]), else in the
 * details hash. The block has one writer, the vCPU's thread. The VM's
 * vCPUs share the hash's keys, so that add is atomic: no lock, no
 * allocation (the row is made from zero_count on its first exit, as the
 * stats' are). @b NULL: where the exit's block is not at hand (an EPT
 * exit's key, an INTR exit's vector come in another program).
 */
static __always_inline void detail_add(struct es_bpf_block *b, __u32 tgid, __u32 slot,
				       __u32 kind, __u32 flags, __u64 value)
{
	struct es_bpf_detail_key k = {};
	struct es_bpf_key_entry *e, *f;
	__u32 tag = es_bpf_key_tag(slot, kind, flags), i;
	__u64 *c;

	if (b) {
		i = es_bpf_key_home(tag, value);
		/* As slot's in on_exit(): masked behind a barrier for the verifier. */
		__asm__ volatile("" : "+r"(i));
		i &= ES_BPF_KEY_CACHE - 2;
		e = &b->keys[i];
		f = &b->keys[i + 1];
		if (e->tag == tag && e->value == value) {
			e->count++;
			return;
		}
		if (f->tag == tag && f->value == value) {
			f->count++;
			return;
		}
		e = !e->tag ? e : !f->tag ? f : NULL;
		if (e) {
			e->value = value;
			e->count = 1;
			/* The tag last: user space takes an entry by it. */
			__asm__ volatile("" ::: "memory");
			e->tag = tag;
			return;
		}
	}

	k.tgid = tgid;
	k.slot = (__u8)slot;
	k.kind = (__u8)kind;
	k.flags = (__u16)flags;
	k.value = value;
	c = row_of(&details, &k, &zero_count, ES_BPF_DETAIL_FULL);
	if (c)
		__sync_fetch_and_add(c, 1);
}

/*
 * A nested page fault's region (exitscope.h): a first touch, not a hot
 * key, so never in the block's keys, whose entries a port or an MSR hit
 * every second needs; always in the hash. A region's first fault has its
 * memslot noted at the vCPU's next exit (memslot_note()), in the vCPU's
 * block @b, found here if NULL.
 */
static __always_inline void gpa_add(struct es_bpf_block *b, __u32 tgid, __u32 vcpu,
				    __u32 slot, __u64 gpa)
{
	struct es_bpf_detail_key k = {};
	__u64 *c;

	k.tgid = tgid;
	k.slot = (__u8)slot;
	k.kind = ES_BPF_DK_GPA;
	k.value = gpa & ES_BPF_GPA_REGION_MASK;
	c = bpf_map_lookup_elem(&details, &k);
	if (!c) {
		if (!b)
			b = block_of(tgid, vcpu, 0, 0);
		if (b)
			b->memslot_gfn = (gpa >> 12) + 1;
		c = row_of(&details, &k, &zero_count, ES_BPF_DETAIL_FULL);
	}
	if (c)
		__sync_fetch_and_add(c, 1);
}

/*
 * bpf_find_vma()'s callback: the name of the file mapped at the address,
 * as its dentry has it (the last component of its path), into @data's
 * mapping; "anonymous" if no file is.
 */
static long vma_name(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	struct es_bpf_memslot *v = data;
	const unsigned char *name = NULL;
	struct dentry *d = NULL;
	struct file *f = NULL;

	if (bpf_core_read(&f, sizeof(f), &vma->vm_file))
		return 0;
	if (!f) {
		/*
		 * "anonymous", stored as two immediates (little-endian): a
		 * string would need a section of its own (.rodata.str1.1).
		 */
		*(__u64 *)v->mapping = 0x756f6d796e6f6e61ull;
		*(__u16 *)(v->mapping + 8) = 's';
		return 0;
	}
	if (!bpf_core_read(&d, sizeof(d), &f->f_path.dentry) && d &&
	    !bpf_core_read(&name, sizeof(name), &d->d_name.name) && name)
		bpf_probe_read_kernel_str(v->mapping, sizeof(v->mapping), name);
	return 0;
}

/*
 * The memslot of the vCPU's block's waiting region (memslot_gfn), kept in
 * memslots: at the exit after the region's first fault, KVM's handler has
 * looked its address up since (kvm_vcpu_gfn_to_memslot(), by way of
 * kvm_faultin_pfn()), so the vCPU's last_used_slot is that memslot, or
 * another if KVM looked up more since, or the address has none (MMIO):
 * only a slot that holds the address is kept, else the region stays
 * without a name. One try per region, on its first fault only; read
 * with probe reads, never a dereference. The VMM's mapping named too
 * (vma_name()). A function of its own, not inlined: inlined, this rare
 * work's registers cost every exit 2 to 4 instructions more
 * (docs/benchmarks.md, "The drill-down's cost").
 */
static __noinline int memslot_note(struct kvm_vcpu *vcpu, __u32 tgid, struct es_bpf_block *b)
{
	struct es_bpf_memslot_key k = {};
	struct es_bpf_memslot v = {};
	struct kvm_memory_slot *ms = NULL;
	struct kvm_memslots *slots = NULL;
	__u64 gfn = b->memslot_gfn - 1, gen = 0, cached_gen = 0;
	struct kvm *kvm = NULL;
	__u16 as_id = 0;
	short id = 0;

	b->memslot_gfn = 0;
	if (!bpf_core_field_exists(vcpu->last_used_slot))
		return 0;
	/*
	 * The slot's memslots' generation still the VM's: KVM set the cache
	 * since the memslots last changed (kvm_vcpu_gfn_to_memslot() drops
	 * it when they do), so the slot is one of them, not a freed one.
	 * Generations differ between address spaces, so the slot's own
	 * as_id picks the set to compare with. Where kvm_exit fires outside
	 * KVM's SRCU section (6.12's vendor run loop), the VMM changing its
	 * memslots on another CPU in that very instant could free the slot
	 * under these reads: probe reads keep that safe, and the check makes
	 * a wrong name unlikely, not impossible.
	 */
	if (bpf_core_read(&ms, sizeof(ms), &vcpu->last_used_slot) || !ms ||
	    bpf_core_read(&as_id, sizeof(as_id), &ms->as_id) || as_id > 1 ||
	    bpf_core_read(&kvm, sizeof(kvm), &vcpu->kvm) || !kvm ||
	    bpf_core_read(&slots, sizeof(slots), &kvm->memslots[as_id]) || !slots ||
	    bpf_core_read(&gen, sizeof(gen), &slots->generation) ||
	    bpf_core_read(&cached_gen, sizeof(cached_gen), &vcpu->last_used_slot_gen) ||
	    gen != cached_gen)
		return 0;
	if (bpf_core_read(&v.base_gfn, sizeof(v.base_gfn), &ms->base_gfn) ||
	    bpf_core_read(&v.npages, sizeof(v.npages), &ms->npages) ||
	    gfn < v.base_gfn || gfn - v.base_gfn >= v.npages ||
	    bpf_core_read(&v.userspace_addr, sizeof(v.userspace_addr), &ms->userspace_addr) ||
	    bpf_core_read(&id, sizeof(id), &ms->id) || id < 0)
		return 0;
	/*
	 * The VMM's mapping there, by its file's name: the thread is the
	 * VMM's. bpf_find_vma() only tries the mmap lock; busy, or no VMA:
	 * no name (""), never a wait on the exit path.
	 */
	if (vma_names)
		bpf_find_vma(bpf_get_current_task_btf(), v.userspace_addr, vma_name, &v, 0);
	k.tgid = tgid;
	k.as_id = as_id;
	k.id = (__u16)id;
	if (bpf_map_update_elem(&memslots, &k, &v, BPF_ANY))
		health_bump(ES_BPF_MEMSLOTS_FULL);
	return 0;
}

/*
 * VMX's EPT exits: KVM reads the guest-physical address from the VMCS in
 * its handler, after kvm_exit, and hands it to a tracepoint of its own:
 * kvm_page_fault for an EPT violation (handle_ept_violation()), kvm_mmio
 * for the access an EPT misconfiguration emulates, kvm_fast_mmio where an
 * ioeventfd takes that access without emulating it (handle_ept_misconfig()).
 * The exit waits in its thread's storage; the first such event of that
 * thread before its next kvm_entry keys it, and that entry drops a wait
 * none keyed (detail_at_entry(): the exit then has no key, never another
 * exit's).
 */
static __always_inline void ept_note(__u32 tgid, __u32 vcpu, __u32 reason)
{
	struct es_bpf_ept_pending *p;

	p = bpf_task_storage_get(&ept_pending, bpf_get_current_task_btf(), 0,
				 BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!p) {
		health_bump(ES_BPF_DETAIL_FULL);
		return;
	}
	p->tgid = tgid;
	p->vcpu = vcpu;
	p->reason = reason;
}

static __always_inline void ept_key(__u32 reason, __u32 kind, __u64 value)
{
	struct es_bpf_ept_pending *p;

	p = bpf_task_storage_get(&ept_pending, bpf_get_current_task_btf(), 0, 0);
	if (!p || p->reason != reason)
		return;
	p->reason = 0;
	if (kind == ES_BPF_DK_GPA)
		gpa_add(NULL, p->tgid, p->vcpu, es_bpf_slot(ES_BPF_ISA_VMX, reason), value);
	else
		detail_add(NULL, p->tgid, es_bpf_slot(ES_BPF_ISA_VMX, reason), kind, 0, value);
}

static __always_inline void ept_drop(void)
{
	struct es_bpf_ept_pending *p;

	p = bpf_task_storage_get(&ept_pending, bpf_get_current_task_btf(), 0, 0);
	if (p)
		p->reason = 0;
}

/* SVM with the drill-down, at kvm_exit: which vCPU this CPU runs (svm_window). */
static __always_inline void svm_window_open(struct kvm_vcpu *vcpu, __u32 tgid)
{
	struct es_bpf_svm_window *w;
	__u32 zero = 0;

	w = bpf_map_lookup_elem(&svm_window, &zero);
	if (!w)
		return;
	w->vcpu = (__u64)vcpu;
	w->pid = (__u32)bpf_get_current_pid_tgid();
	w->tgid = tgid;
	w->keyed = 0;
}

/*
 * An interrupt's entry, any task's: the key of an SVM INTR exit if this is
 * the interrupt the exit's window takes (svm_window). The cheap tests first:
 * on a CPU that runs no vCPU, or in another thread, two loads and out.
 */
static __always_inline void host_vector(__u32 vector)
{
	struct es_bpf_svm_window *w;
	struct kvm_vcpu *vcpu;
	__u32 zero = 0, code, irq;
	__u8 handling = 0;

	w = bpf_map_lookup_elem(&svm_window, &zero);
	if (!w || !w->vcpu || w->keyed || w->pid != (__u32)bpf_get_current_pid_tgid())
		return;
	vcpu = (struct kvm_vcpu *)w->vcpu;
	irq = bpf_core_enum_value_exists(enum kvm_intr_type, KVM_HANDLING_IRQ) ?
	      bpf_core_enum_value(enum kvm_intr_type, KVM_HANDLING_IRQ) : 1;
	if (bpf_core_read(&handling, sizeof(handling), &vcpu->arch.handling_intr_from_guest) ||
	    handling != irq)
		return;
	/* Another exit's window (an interrupt that came in while KVM ran): not ours to key. */
	if (read_reason(vcpu, ES_BPF_ISA_SVM, &code) || code != SVM_EXIT_INTR)
		return;
	w->keyed = 1;
	detail_add(NULL, w->tgid, es_bpf_slot(ES_BPF_ISA_SVM, SVM_EXIT_INTR), ES_BPF_DK_HOST_VECTOR, 0,
		   vector & 0xff);
}

/*
 * The drill-down's key of an exit, where kvm_exit already has it: the
 * guest's registers, which the vendor's entry code saved (RCX: the MSR,
 * RAX: the hypercall), and on SVM the VMCB's exit information (the port
 * and direction of IOIO, the direction of MSR, the address of NPF: APM
 * vol. 2, 15.10.2, 15.11, 15.25.6). VMX's exit qualification and
 * interrupt information are read lazily by KVM's handlers, after kvm_exit:
 * those exits are marked in the vCPU's block, their keys taken at the next
 * kvm_entry (detail_at_entry()).
 */
static __always_inline void detail_at_exit(struct kvm_vcpu *vcpu, __u32 tgid, __u32 isa,
					   __u32 reason, struct es_bpf_block *b)
{
	__u32 slot = es_bpf_slot(isa, es_bpf_fold_reason(isa, reason));
	__u64 info1 = 0, info2 = 0;

	if (b && b->memslot_gfn)
		memslot_note(vcpu, tgid, b);
	if (slot >= ES_BPF_SLOTS)
		return;
	if (vendor_isa == ES_BPF_ISA_VMX && isa == ES_BPF_ISA_VMX) {
		switch (reason & 0xffff) {
		case EXIT_REASON_VMCALL:
			detail_add(b, tgid, slot, ES_BPF_DK_HYPERCALL, 0, vcpu->arch.regs[0]);
			return;
		case EXIT_REASON_MSR_READ:
			detail_add(b, tgid, slot, ES_BPF_DK_MSR, 0, (__u32)vcpu->arch.regs[1]);
			return;
		case EXIT_REASON_MSR_WRITE:
			detail_add(b, tgid, slot, ES_BPF_DK_MSR, ES_BPF_DF_WRITE, (__u32)vcpu->arch.regs[1]);
			return;
		case EXIT_REASON_EPT_VIOLATION:
		case EXIT_REASON_EPT_MISCONFIG:
			/*
			 * Their key comes with KVM's handler (ept_key()); marked
			 * too, so that the next entry drops a wait that no
			 * handler's event took. No block, no mark: then no wait
			 * either, which nothing would drop.
			 */
			if (!b)
				return;
			ept_note(tgid, vcpu->vcpu_id, reason & 0xffff);
			b->detail_exit = (__u16)(1 + (reason & 0xffff));
			return;
		case EXIT_REASON_EXCEPTION_NMI:
		case EXIT_REASON_EXTERNAL_INTERRUPT:
		case EXIT_REASON_CR_ACCESS:
		case EXIT_REASON_IO_INSTRUCTION:
			/* Their key is read at the next entry (detail_at_entry()). */
			if (b)
				b->detail_exit = (__u16)(1 + (reason & 0xffff));
			return;
		}
		return;
	}
	if (vendor_isa != ES_BPF_ISA_SVM || isa != ES_BPF_ISA_SVM)
		return;
	if (host_vectors)
		svm_window_open(vcpu, tgid);
	if (reason == SVM_EXIT_VMMCALL) {
		detail_add(b, tgid, slot, ES_BPF_DK_HYPERCALL, 0, vcpu->arch.regs[0]);
		return;
	}
	if (reason != SVM_EXIT_IOIO && reason != SVM_EXIT_MSR && reason != SVM_EXIT_NPF)
		return;
	{
		struct vmcb *vmcb = BPF_CORE_READ((struct vcpu_svm *)vcpu, vmcb);

		if (!vmcb || bpf_core_read(&info1, sizeof(info1), &vmcb->control.exit_info_1) ||
		    (reason == SVM_EXIT_NPF &&
		     bpf_core_read(&info2, sizeof(info2), &vmcb->control.exit_info_2))) {
			health_bump(ES_BPF_DETAIL_FULL);
			return;
		}
	}
	if (reason == SVM_EXIT_IOIO)
		detail_add(b, tgid, slot, ES_BPF_DK_IO, info1 & 1 ? ES_BPF_DF_IN : 0, (info1 >> 16) & 0xffff);
	else if (reason == SVM_EXIT_MSR)
		detail_add(b, tgid, slot, ES_BPF_DK_MSR, info1 & 1 ? ES_BPF_DF_WRITE : 0,
			   (__u32)vcpu->arch.regs[1]);
	/* NPF: an MMIO access where KVM's SPTE has reserved bits (error code bit 3). */
	else if (info1 & 8)
		detail_add(b, tgid, slot, ES_BPF_DK_MMIO, 0, info2);
	else
		gpa_add(b, tgid, vcpu->vcpu_id, slot, info2);
}

/*
 * VMX's keys that KVM's handler reads after kvm_exit, taken at the next
 * kvm_entry: the exit qualification (I/O: port in bits 31:16, IN in bit 3;
 * CR: the register in bits 3:0, the access in 5:4, 1 a read) and the
 * interrupt information (the vector in bits 7:0), as vmx_get_exit_qual()
 * and vmx_get_intr_info() cached them (Intel SDM vol. 3C, "Exit
 * Qualification for I/O Instructions", "... for Control-Register
 * Accesses", "VM-Exit Interruption Information"). Only where regs_avail
 * says KVM read them since the exit: the field then holds this exit's
 * value, never an older one's; else the exit keeps no key.
 */
static __always_inline void detail_at_entry(struct kvm_vcpu *vcpu, __u32 tgid)
{
	struct es_bpf_block *b = block_of(tgid, vcpu->vcpu_id, 0, 0);
	__u32 reason, avail = 0, bit, intr = 0;
	unsigned long q = 0;
	int err;

	if (!b || !b->detail_exit)
		return;
	reason = b->detail_exit - 1u;
	b->detail_exit = 0;
	if (reason == EXIT_REASON_EPT_VIOLATION || reason == EXIT_REASON_EPT_MISCONFIG) {
		ept_drop();
		return;
	}
	bit = reason == EXIT_REASON_EXCEPTION_NMI || reason == EXIT_REASON_EXTERNAL_INTERRUPT ?
	      bpf_core_enum_value(enum kvm_reg, VCPU_EXREG_EXIT_INFO_2) :
	      bpf_core_enum_value(enum kvm_reg, VCPU_EXREG_EXIT_INFO_1);
	if (bpf_core_read(&avail, sizeof(avail), &vcpu->arch.regs_avail) || bit > 31 ||
	    !(avail & (1u << bit)))
		return;
	if (bpf_core_field_exists(struct vcpu_vmx___vt, vt))
		err = bit == bpf_core_enum_value(enum kvm_reg, VCPU_EXREG_EXIT_INFO_2) ?
		      bpf_core_read(&intr, sizeof(intr), &((struct vcpu_vmx___vt *)vcpu)->vt.exit_intr_info) :
		      bpf_core_read(&q, sizeof(q), &((struct vcpu_vmx___vt *)vcpu)->vt.exit_qualification);
	else
		err = bit == bpf_core_enum_value(enum kvm_reg, VCPU_EXREG_EXIT_INFO_2) ?
		      bpf_core_read(&intr, sizeof(intr), &((struct vcpu_vmx *)vcpu)->exit_intr_info) :
		      bpf_core_read(&q, sizeof(q), &((struct vcpu_vmx *)vcpu)->exit_qualification);
	if (err)
		return;
	switch (reason) {
	case EXIT_REASON_IO_INSTRUCTION:
		detail_add(b, tgid, reason, ES_BPF_DK_IO, q & 8 ? ES_BPF_DF_IN : 0, (q >> 16) & 0xffff);
		break;
	case EXIT_REASON_CR_ACCESS:
		detail_add(b, tgid, reason, ES_BPF_DK_CR, ((q >> 4) & 3) == 1 ? 0 : ES_BPF_DF_WRITE, q & 15);
		break;
	case EXIT_REASON_EXCEPTION_NMI:
		detail_add(b, tgid, reason, ES_BPF_DK_VECTOR, 0, intr & 0xff);
		break;
	case EXIT_REASON_EXTERNAL_INTERRUPT:
		detail_add(b, tgid, reason, ES_BPF_DK_HOST_VECTOR, 0, intr & 0xff);
		break;
	}
}

/* The VMM's tgid if its VM is one we count, else 0. */
static __always_inline __u32 counted_tgid(void)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	return !filter_tgid || tgid == filter_tgid ? tgid : 0;
}

/* ---- tp_btf: the tracepoints' arguments, no record built ---- */

SEC("tp_btf/kvm_exit")
int BPF_PROG(on_exit_btf, struct kvm_vcpu *vcpu, __u32 isa)
{
	__u32 tgid = counted_tgid(), reason;
	struct es_bpf_block *b;

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
	b = on_exit(tgid, vcpu->vcpu_id, isa, reason);
	if (detail)
		detail_at_exit(vcpu, tgid, isa, reason, b);
	return 0;
}

/*
 * Only the first argument: 6.1 before the stable backport had no second.
 * Attached for the times, and on VMX for the drill-down's keys that KVM
 * reads after kvm_exit.
 */
SEC("tp_btf/kvm_entry")
int BPF_PROG(on_entry_btf, struct kvm_vcpu *vcpu)
{
	__u32 tgid = counted_tgid();

	if (!tgid || !vcpu)
		return 0;
	if (detail && vendor_isa == ES_BPF_ISA_VMX)
		detail_at_entry(vcpu, tgid);
	if (timing)
		on_entry(tgid, vcpu->vcpu_id);
	return 0;
}

/*
 * The EPT exits' addresses (ept_key()): loaded only with the drill-down,
 * on VMX, in tp_btf (collector.c). The page of an EPT violation, the
 * address of an emulated MMIO access, as SVM's NPF keys are.
 */
SEC("tp_btf/kvm_page_fault")
int BPF_PROG(on_page_fault_btf, struct kvm_vcpu *vcpu, __u64 fault_address)
{
	ept_key(EXIT_REASON_EPT_VIOLATION, ES_BPF_DK_GPA, fault_address);
	return 0;
}

SEC("tp_btf/kvm_mmio")
int BPF_PROG(on_mmio_btf, int type, int len, __u64 gpa)
{
	ept_key(EXIT_REASON_EPT_MISCONFIG, ES_BPF_DK_MMIO, gpa);
	return 0;
}

SEC("tp_btf/kvm_fast_mmio")
int BPF_PROG(on_fast_mmio_btf, __u64 gpa)
{
	ept_key(EXIT_REASON_EPT_MISCONFIG, ES_BPF_DK_MMIO, gpa);
	return 0;
}

/*
 * The host's interrupts, for SVM's INTR exits (host_vector()): loaded only
 * with the drill-down, on SVM, in tp_btf (collector.c). The system vectors'
 * own tracepoints (arch/x86/include/asm/trace/irq_vectors.h: the timer and
 * the IPIs, the usual causes), and the device interrupts' common entry,
 * which has the vector as its argument (where the kernel lets it be traced).
 */
#define HOST_VECTOR_TP(tp, prog)			\
SEC("tp_btf/" #tp)					\
int BPF_PROG(prog, int vector)				\
{							\
	host_vector(vector);				\
	return 0;					\
}

ES_BPF_HOST_VECTOR_TPS(HOST_VECTOR_TP)

SEC("fentry/__common_interrupt")
int BPF_PROG(on_device_irq, void *regs, __u32 vector)
{
	host_vector(vector);
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
	__u32 tgid = counted_tgid();

	if (tgid)
		on_entry(tgid, ctx->vcpu_id);
	return 1;
}
