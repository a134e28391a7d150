/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The least of the kernel that kernel/kvm/exit_stats.c needs, so that the
 * very same file can be compiled into a userspace unit test.  Everything
 * here is plain C with the kernel's meaning; the shim_* hooks let a test
 * steer time (the TSC), allocation failures and observe the log.
 */
#ifndef EXITSCOPE_KERNEL_SHIM_H
#define EXITSCOPE_KERNEL_SHIM_H

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef unsigned long long u64;

#define U32_MAX		UINT32_MAX
#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#ifndef __always_inline
#define __always_inline	inline __attribute__((always_inline))
#endif
#define __read_mostly
#define READ_ONCE(x)	(*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))
#define data_race(expr)	(expr)
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define max(a, b)	((a) > (b) ? (a) : (b))
#define lower_32_bits(n) ((u32)((n) & 0xffffffffu))
#define upper_32_bits(n) ((u32)((u64)(n) >> 32))
#undef static_assert
#define static_assert(e, ...) _Static_assert(e, #e)
#define struct_size(p, member, n) \
	(sizeof(*(p)) + (size_t)(n) * sizeof((p)->member[0]))

/* Bitmaps */
#define BITS_PER_LONG		(8 * sizeof(long))
#define BITS_TO_LONGS(n)	(((n) + BITS_PER_LONG - 1) / BITS_PER_LONG)
#define DECLARE_BITMAP(name, bits) unsigned long name[BITS_TO_LONGS(bits)]
static inline void bitmap_zero(unsigned long *map, unsigned int bits)
{
	memset(map, 0, BITS_TO_LONGS(bits) * sizeof(long));
}
static inline void __set_bit(unsigned int nr, unsigned long *map)
{
	map[nr / BITS_PER_LONG] |= 1UL << (nr % BITS_PER_LONG);
}
static inline bool test_bit(unsigned int nr, const unsigned long *map)
{
	return map[nr / BITS_PER_LONG] >> (nr % BITS_PER_LONG) & 1;
}
static inline unsigned int shim_next_clear(const unsigned long *map,
					   unsigned int size, unsigned int from)
{
	while (from < size && test_bit(from, map))
		from++;
	return from;
}
static inline unsigned int bitmap_weight(const unsigned long *map, unsigned int bits)
{
	unsigned int i, n = 0;

	for (i = 0; i < bits; i++)
		n += test_bit(i, map);
	return n;
}
#define for_each_clear_bit(bit, map, size) \
	for ((bit) = shim_next_clear(map, size, 0); (bit) < (size); \
	     (bit) = shim_next_clear(map, size, (bit) + 1))

/* Spectre v1: the kernel's generic mask, all ones iff index < size. */
static inline unsigned long array_index_mask_nospec(unsigned long index,
						    unsigned long size)
{
	return ~(long)(index | (size - 1UL - index)) >> (BITS_PER_LONG - 1);
}
#define array_index_nospec(index, size) \
	((__typeof__(index))((index) & array_index_mask_nospec(index, size)))

/* Log */
extern char shim_log[16384];
void shim_printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#ifndef pr_fmt
#define pr_fmt(fmt) fmt
#endif
#define pr_info(fmt, ...)	shim_printk(pr_fmt(fmt), ##__VA_ARGS__)
#define pr_err(fmt, ...)	shim_printk(pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warn(fmt, ...)	shim_printk(pr_fmt(fmt), ##__VA_ARGS__)
#define WARN_ON_ONCE(c)		({ bool __c = (c); if (__c) shim_printk("WARN %s\n", #c); __c; })
#define WARN_ONCE(c, fmt, ...)	({ bool __c = (c); if (__c) shim_printk(fmt, ##__VA_ARGS__); __c; })

/* Memory: a slab cache remembers its object size, and counts objects. */
#define GFP_KERNEL 0
#define GFP_KERNEL_ACCOUNT 0
#define SLAB_ACCOUNT 0
#define SLAB_HWCACHE_ALIGN 0x2000	/* objects rounded up to a cache line */
#define SMP_CACHE_BYTES 64
#define ____cacheline_aligned __attribute__((aligned(SMP_CACHE_BYTES)))
struct kmem_cache { size_t size; long live; };
extern int shim_fail_alloc;
extern int shim_fail_cache;
extern struct kmem_cache *shim_last_cache;	/* the last one created */
struct kmem_cache *kmem_cache_create(const char *name, unsigned int size,
				     unsigned int align, int flags, void *ctor);
void kmem_cache_destroy(struct kmem_cache *c);
void *kmem_cache_zalloc(struct kmem_cache *c, int flags);
void *kvmalloc_array(size_t n, size_t size, int flags);
void kvfree(const void *p);
void kmem_cache_free(struct kmem_cache *c, void *p);

/* Static keys */
struct static_key_false { bool enabled; };
#define DEFINE_STATIC_KEY_FALSE(name)	struct static_key_false name
#define DECLARE_STATIC_KEY_FALSE(name)	extern struct static_key_false name
#define static_branch_likely(k)		((k)->enabled)
#define static_branch_unlikely(k)	((k)->enabled)
#define static_branch_enable(k)		((k)->enabled = true)
#define static_branch_disable(k)	((k)->enabled = false)

/* static_call(kvm_x86_get_cpl)(vcpu): the test sets each vCPU's CPL. */
#define static_call(fn)	shim_##fn
struct kvm_vcpu;
int shim_kvm_x86_get_cpl(struct kvm_vcpu *vcpu);

/*
 * Preemption: a count, as the kernel's.  A test may set shim_preempt_hook
 * (it plays kvm_sched_out() and kvm_sched_in()): it runs once, at the first
 * point where the scheduler could switch the task out, either right after
 * a TSC read with preemption enabled or at the preempt_enable() that ends
 * a section.
 */
extern int shim_preempt_count;
extern void (*shim_preempt_hook)(void);
static inline void shim_preempt_point(void)
{
	void (*hook)(void) = shim_preempt_hook;

	if (hook && !shim_preempt_count) {
		shim_preempt_hook = NULL;	/* once; it reads the TSC too */
		hook();
	}
}
#define preempt_disable()	(shim_preempt_count++)
#define preempt_enable()	(shim_preempt_count--, shim_preempt_point())

/* Time */
extern u64 shim_tsc;
static inline u64 rdtsc(void)
{
	u64 now = shim_tsc;

	shim_preempt_point();
	return now;
}

/* Locks: a mutex that knows whether it is held. */
struct mutex { int held; };
#define mutex_lock(m)		((m)->held++)
#define mutex_unlock(m)		((m)->held--)

/* Modules */
struct kernel_param { void *arg; };
struct kernel_param_ops {
	int (*set)(const char *val, const struct kernel_param *kp);
	int (*get)(char *buf, const struct kernel_param *kp);
};
#define module_param_cb(name, ops, argp, perm) \
	static const struct kernel_param shim_param_##name = { .arg = (argp) }; \
	static const struct kernel_param_ops *shim_ops_##name \
		__attribute__((unused)) = (ops)
#define module_param(name, type, perm)
#define MODULE_PARM_DESC(name, desc)
#define EXPORT_SYMBOL_GPL(sym)
#define THIS_MODULE NULL
bool sysfs_streq(const char *a, const char *b);

/* Files: seq_file, debugfs */
struct inode { void *i_private; };
struct file { void *private_data; };
struct seq_file { char buf[16384]; size_t count; void *private; };
struct dentry { int unused; };
struct file_operations {
	void *owner;
	int (*open)(struct inode *inode, struct file *file);
	long (*read)(struct file *file, char *buf, size_t n, long long *pos);
	long long (*llseek)(struct file *file, long long off, int whence);
	int (*release)(struct inode *inode, struct file *file);
};
#define seq_puts(m, s) seq_printf(m, "%s", s)
/* Called before each seq_printf(): what another CPU does meanwhile (tests). */
extern void (*shim_seq_hook)(void);
void seq_printf(struct seq_file *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int single_open(struct file *file, int (*show)(struct seq_file *m, void *v),
		void *data);
int single_release(struct inode *inode, struct file *file);
long seq_read(struct file *file, char *buf, size_t n, long long *pos);
long long seq_lseek(struct file *file, long long off, int whence);
extern const char *shim_debugfs_name;
extern const struct file_operations *shim_debugfs_fops;
void debugfs_create_file(const char *name, int mode, struct dentry *parent,
			 void *data, const struct file_operations *fops);

/* KVM */
#define SHIM_MAX_VCPUS 256
struct kvm_exit_stats;
struct kvm;
/*
 * The guest TSC KVM makes of a host TSC (kvm_read_l1_tsc()): offset, and a
 * ratio with kvm_caps.tsc_scaling_ratio_frac_bits fraction bits.
 */
struct kvm_vcpu_arch {
	u64 last_guest_tsc;
	u64 l1_tsc_offset;
	u64 l1_tsc_scaling_ratio;
};
struct kvm_caps {
	u8 tsc_scaling_ratio_frac_bits;
	u64 default_tsc_scaling_ratio;
};
extern struct kvm_caps kvm_caps;
/* As x86_64's mulq; divq: a quotient past 64 bits faults (#DE), here aborts. */
static inline u64 mul_u64_u64_div_u64(u64 a, u64 b, u64 c)
{
	unsigned __int128 q = (unsigned __int128)a * b / c;

	if (q >> 64)
		__builtin_trap();
	return (u64)q;
}
struct kvm_vcpu {
	struct kvm *kvm;
	struct kvm_vcpu_arch arch;
	bool preempted;			/* set by kvm_sched_out() */
	int shim_cpl;
	struct kvm_exit_stats *exit_stats;
};
struct kvm_enable_cap {
	u32 cap;
	u32 flags;
	u64 args[4];
	u8 pad[64];
};
struct kvm {
	struct mutex lock;
	int created_vcpus;	/* counted under lock by vCPU creation */
	struct kvm_vcpu *vcpus[SHIM_MAX_VCPUS];
	unsigned long nr_vcpus;
	struct dentry *debugfs_dentry;
	pid_t userspace_pid;
	int users;		/* references held through kvm_get_kvm_safe() */
	bool dying;
	u8 exit_stats_guest;
};
#define kvm_for_each_vcpu(idx, vcpup, kvm) \
	for ((idx) = 0; (idx) < (kvm)->nr_vcpus && ((vcpup) = (kvm)->vcpus[idx]); (idx)++)
bool kvm_get_kvm_safe(struct kvm *kvm);
void kvm_put_kvm(struct kvm *kvm);

#endif
