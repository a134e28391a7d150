// SPDX-License-Identifier: GPL-2.0-only
/* Definitions behind kernel_shim.h; see there. */
#include "kernel_shim.h"

char shim_log[16384];
int shim_fail_alloc;
int shim_fail_cache;
struct kmem_cache *shim_last_cache;
u64 shim_tsc;
/* No TSC scaling by default: 48 fraction bits, as on AMD. */
struct kvm_caps kvm_caps = { 48, 1ULL << 48 };
int shim_preempt_count;
void (*shim_preempt_hook)(void);
const char *shim_debugfs_name;
const struct file_operations *shim_debugfs_fops;

void shim_printk(const char *fmt, ...)
{
	size_t used = strlen(shim_log);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(shim_log + used, sizeof(shim_log) - used, fmt, ap);
	va_end(ap);
}

struct kmem_cache *kmem_cache_create(const char *name, unsigned int size,
				     unsigned int align, int flags, void *ctor)
{
	struct kmem_cache *c;

	(void)name;
	(void)align;
	(void)ctor;
	if (shim_fail_cache)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (c)
		c->size = flags & SLAB_HWCACHE_ALIGN ?
			(size + SMP_CACHE_BYTES - 1) / SMP_CACHE_BYTES * SMP_CACHE_BYTES : size;
	shim_last_cache = c;
	return c;
}

/* Like the kernel's, NULL is fine; objects still alive are a bug. */
void kmem_cache_destroy(struct kmem_cache *c)
{
	if (!c)
		return;
	if (c->live)
		shim_printk("BUG kmem_cache_destroy: %ld objects remaining\n", c->live);
	if (shim_last_cache == c)
		shim_last_cache = NULL;
	free(c);
}

void *kvmalloc_array(size_t n, size_t size, int flags)
{
	(void)flags;
	return shim_fail_alloc ? NULL : calloc(n, size);
}

void kvfree(const void *p)
{
	free((void *)p);
}

void *kmem_cache_zalloc(struct kmem_cache *c, int flags)
{
	void *p;

	(void)flags;
	if (shim_fail_alloc || !c)
		return NULL;
	/* As the kernel's: aligned as the struct wants (a cache line). */
	p = aligned_alloc(SMP_CACHE_BYTES, (c->size + SMP_CACHE_BYTES - 1) / SMP_CACHE_BYTES *
			  SMP_CACHE_BYTES);
	if (p) {
		memset(p, 0, c->size);
		c->live++;
	}
	return p;
}

void kmem_cache_free(struct kmem_cache *c, void *p)
{
	if (p)
		c->live--;
	free(p);
}

int shim_kvm_x86_get_cpl(struct kvm_vcpu *vcpu)
{
	return vcpu->shim_cpl;
}

/* As the kernel's: equal, but a trailing newline on either side is ignored. */
bool sysfs_streq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	if (*a == *b)
		return true;
	if (*a == '\n' && a[1] == '\0' && *b == '\0')
		return true;
	return *b == '\n' && b[1] == '\0' && *a == '\0';
}

void (*shim_seq_hook)(void);

void seq_printf(struct seq_file *m, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (shim_seq_hook)
		shim_seq_hook();
	va_start(ap, fmt);
	n = vsnprintf(m->buf + m->count, sizeof(m->buf) - m->count, fmt, ap);
	va_end(ap);
	if (n > 0)
		m->count = m->count + n < sizeof(m->buf) ? m->count + n :
			   sizeof(m->buf) - 1;
}

int single_open(struct file *file, int (*show)(struct seq_file *m, void *v),
		void *data)
{
	struct seq_file *m = shim_fail_alloc ? NULL : calloc(1, sizeof(*m));

	if (!m)
		return -ENOMEM;
	m->private = data;
	file->private_data = m;
	return show(m, NULL);
}

int single_release(struct inode *inode, struct file *file)
{
	(void)inode;
	free(file->private_data);
	file->private_data = NULL;
	return 0;
}

long seq_read(struct file *file, char *buf, size_t n, long long *pos)
{
	struct seq_file *m = file->private_data;
	size_t left = m->count - (size_t)*pos;

	if (n > left)
		n = left;
	memcpy(buf, m->buf + *pos, n);
	*pos += n;
	return (long)n;
}

long long seq_lseek(struct file *file, long long off, int whence)
{
	(void)file;
	(void)whence;
	return off;
}

void debugfs_create_file(const char *name, int mode, struct dentry *parent,
			 void *data, const struct file_operations *fops)
{
	(void)mode;
	(void)parent;
	(void)data;
	shim_debugfs_name = name;
	shim_debugfs_fops = fops;
}

bool kvm_get_kvm_safe(struct kvm *kvm)
{
	if (kvm->dying)
		return false;
	kvm->users++;
	return true;
}

void kvm_put_kvm(struct kvm *kvm)
{
	kvm->users--;
}
