// SPDX-License-Identifier: GPL-2.0-only
/*
 * The collector's pure logic, without KVM or BPF: the reason folding and
 * the histogram buckets the BPF program shares (tools/bpf/exitscope.h),
 * percentiles from buckets, per-CPU sums, snapshot differences and folds,
 * records from snapshots and back (JSON both ways), the module source's
 * reuse of the debugfs parser, the tracefs hist parser, the Prometheus
 * writer, the top table at several widths, and the exporter's HTTP parser.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "export/http.h"
#include "export/openmetrics.h"
#include "json/record_json.h"
#include "json/results_json.h"
#include "model/record.h"
#include "model/summary.h"
#include "model/verdict.h"
#include "model/vm_name.h"
#include "parse/parse.h"
#include "source/source.h"
#include "write/top_table.h"
#include "write/writers.h"
#include "fixtures.h"

/* VMX: flag bits 16-30 fold away, every failed entry is one row. */
static void test_fold_reason(void **state)
{
	(void)state;
	assert_int_equal(es_bpf_fold_reason(ES_BPF_ISA_VMX, 30), 30);
	assert_int_equal(es_bpf_fold_reason(ES_BPF_ISA_VMX, 0x08000000 | 30), 30);	/* bit 27 */
	assert_int_equal(es_bpf_fold_reason(ES_BPF_ISA_VMX, 0x00010000 | 48), 48);	/* bit 16 */
	assert_int_equal(es_bpf_fold_reason(ES_BPF_ISA_VMX, 0x40000000 | 12), 12);	/* bit 30 */
	assert_int_equal(es_bpf_fold_reason(ES_BPF_ISA_VMX, 0x80000021), 0x80000000);
	assert_int_equal(es_bpf_fold_reason(ES_BPF_ISA_VMX, 0x80000000), 0x80000000);
	/* SVM codes stay as they are, high ones and -1 too. */
	assert_int_equal(es_bpf_fold_reason(ES_BPF_ISA_SVM, 0x400), 0x400);
	assert_int_equal(es_bpf_fold_reason(ES_BPF_ISA_SVM, 0x80000001), 0x80000001);
	assert_int_equal(es_bpf_fold_reason(ES_BPF_ISA_SVM, 0xffffffff), 0xffffffff);
}

/* One reason per slot and back: every slot names exactly the reason it counts. */
static void check_slots(__u32 isa, const __u32 *reasons, size_t n, unsigned int want_mapped)
{
	static __u32 owner[ES_BPF_SLOTS];
	unsigned int mapped = 0;
	size_t i;

	memset(owner, 0xff, sizeof(owner));
	for (i = 0; i < n; i++) {
		__u32 s = es_bpf_slot(isa, reasons[i]);

		if (s == ES_BPF_NO_SLOT)
			continue;
		assert_true(s < ES_BPF_SLOTS);
		if (owner[s] != 0xffffffffu)
			fail_msg("isa %u: reasons 0x%x and 0x%x share slot 0x%x", isa, owner[s],
				 reasons[i], s);
		owner[s] = reasons[i];
		assert_int_equal(es_bpf_slot_reason(isa, s), reasons[i]);
		mapped++;
	}
	assert_int_equal(mapped, want_mapped);
}

static void test_block_slots(void **state)
{
	static __u32 r[0x10000 + 16];
	size_t n = 0;
	__u32 i;

	(void)state;
	/* VMX: every folded reason; 0-0xfe and the failed entry have a slot. */
	for (i = 0; i <= 0xffff; i++)
		r[n++] = i;
	r[n++] = ES_BPF_VMX_FAILED;
	check_slots(ES_BPF_ISA_VMX, r, n, 0xff + 1);
	assert_int_equal(es_bpf_slot(ES_BPF_ISA_VMX, 77), 77);		/* TDCALL, the highest in 6.12 */
	/* SVM: 0-0xef, 0x400-0x40e and SVM_EXIT_ERR; SEV's 0x8000xxxx go to the hash. */
	n = 0;
	for (i = 0; i <= 0x1000; i++)
		r[n++] = i;
	r[n++] = 0x80000001;
	r[n++] = 0xfffffffe;
	r[n++] = 0xffffffff;
	check_slots(ES_BPF_ISA_SVM, r, n, 0xf0 + 15 + 1);
	assert_int_equal(es_bpf_slot(ES_BPF_ISA_SVM, 0xa5), 0xa5);	/* BUS_LOCK */
	assert_int_equal(es_bpf_slot(ES_BPF_ISA_SVM, 0x403), 0xf3);	/* VMGEXIT */
	assert_int_equal(es_bpf_slot(ES_BPF_ISA_SVM, 0x80000001), ES_BPF_NO_SLOT);
}

/* A block's home is in range, and 1,024 vCPUs of 4 VMs spread over the blocks. */
static void test_block_home(void **state)
{
	static unsigned char hit[ES_BPF_BLOCKS];
	unsigned int used = 0, t, v;

	(void)state;
	for (t = 0; t < 4; t++)
		for (v = 0; v < 256; v++) {
			__u32 h = es_bpf_block_home(es_bpf_block_key(4000 + t, v));

			assert_true(h < ES_BPF_BLOCKS);
			used += !hit[h];
			hit[h] = 1;
		}
	/* A uniform hash fills 1 - 1/e of them, 63%. */
	if (used < ES_BPF_BLOCKS / 2)
		fail_msg("1024 keys took only %u homes of %u", used, ES_BPF_BLOCKS);
	assert_true(es_bpf_block_key(1, 2) != 0);
}

/*
 * A drill-down key's tag: slot, kind and flags back as they went in, never
 * 0 for a real kind; its pair in the block's keys[] in range, and a
 * vCPU's usual keys (a UART's 8 ports both ways, 8 MSRs) spread over them.
 */
static void test_key_tag(void **state)
{
	static const __u32 kinds[] = { ES_BPF_DK_IO, ES_BPF_DK_MSR, ES_BPF_DK_MMIO,
				       ES_BPF_DK_CR, ES_BPF_DK_HOST_VECTOR };
	unsigned char hit[ES_BPF_KEY_CACHE / 2] = { 0 };
	unsigned int used = 0, i;
	__u32 tag;

	(void)state;
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		tag = es_bpf_key_tag(0xf0 + i, kinds[i], 0x8001);
		assert_int_not_equal(tag, 0);
		assert_int_equal(es_bpf_tag_slot(tag), 0xf0 + i);
		assert_int_equal(es_bpf_tag_kind(tag), kinds[i]);
		assert_int_equal(es_bpf_tag_flags(tag), 0x8001);
	}
	assert_int_equal(es_bpf_tag_flags(es_bpf_key_tag(0x7b, ES_BPF_DK_IO, ES_BPF_DF_IN)),
			 ES_BPF_DF_IN);
	for (i = 0; i < 16; i++) {
		__u32 h = i < 8 ? es_bpf_key_home(es_bpf_key_tag(0x7b, ES_BPF_DK_IO, i & 1),
						  0x3f8 + i / 2) :
				  es_bpf_key_home(es_bpf_key_tag(0x7c, ES_BPF_DK_MSR, ES_BPF_DF_WRITE),
						  0x830 + i);

		assert_true(h + 1 < ES_BPF_KEY_CACHE);
		assert_int_equal(h % 2, 0);
		used += !hit[h / 2];
		hit[h / 2] = 1;
	}
	/* 16 keys into 16 pairs: a uniform hash picks 1 - 1/e of them, 10. */
	if (used < 7)
		fail_msg("16 keys picked only %u of the %u pairs", used, ES_BPF_KEY_CACHE / 2);
}

/* Rows of one key found twice (a block and a hash row) become one, summed. */
static void test_snap_merge(void **state)
{
	struct es_snap s;
	struct es_snap_row r;

	(void)state;
	es_snap_init(&s);
	memset(&r, 0, sizeof(r));
	r.tgid = 7, r.vcpu = 1, r.code = 0x72, r.count = 10;
	assert_int_equal(es_snap_add(&s, &r), 0);
	r.tgid = 5, r.vcpu = 0, r.code = 0x7b, r.count = 3;
	assert_int_equal(es_snap_add(&s, &r), 0);
	r.tgid = 7, r.vcpu = 1, r.code = 0x72, r.count = 0, r.time_ns = 900, r.hist[9] = 10;
	assert_int_equal(es_snap_add(&s, &r), 0);
	r.tgid = 7, r.vcpu = 1, r.code = 0x72, r.count = 2, r.time_ns = 0, r.hist[9] = 0;
	assert_int_equal(es_snap_add(&s, &r), 0);
	assert_true(es_snap_merge(&s));
	assert_int_equal(s.n, 2);
	assert_int_equal(s.rows[0].tgid, 5);
	assert_int_equal(s.rows[1].count, 12);
	assert_int_equal(s.rows[1].time_ns, 900);
	assert_int_equal(s.rows[1].hist[9], 10);
	es_snap_free(&s);
}

/* Each bucket holds exactly [lower, upper]; every value lands in its bucket. */
static void test_buckets(void **state)
{
	unsigned int b;

	(void)state;
	assert_int_equal(es_hist_bucket(0), 0);
	assert_int_equal(es_hist_bucket(1), 0);
	assert_int_equal(es_hist_bucket(2), 1);
	assert_int_equal(es_hist_bucket(3), 1);
	assert_int_equal(es_hist_bucket(4), 2);
	assert_int_equal(es_hist_bucket(1023), 9);
	assert_int_equal(es_hist_bucket(1024), 10);
	assert_int_equal(es_hist_bucket(UINT64_MAX), ES_HIST_BUCKETS - 1);
	assert_int_equal(es_hist_bucket((uint64_t)1 << 31), ES_HIST_BUCKETS - 1);
	assert_int_equal(es_hist_bucket(((uint64_t)1 << 31) - 1), ES_HIST_BUCKETS - 2);
	for (b = 0; b < ES_HIST_BUCKETS - 1; b++) {
		assert_int_equal(es_hist_bucket(es_hist_lower(b)), b);
		assert_int_equal(es_hist_bucket(es_hist_upper(b)), b);
		assert_int_equal(es_hist_upper(b) + 1, es_hist_lower(b + 1));
	}
	assert_true(es_hist_upper(ES_HIST_BUCKETS - 1) == UINT64_MAX);
	/* floor(log2) at every power of two and one below it. */
	for (b = 1; b < 64; b++) {
		assert_int_equal(es_bpf_log2((uint64_t)1 << b), b);
		assert_int_equal(es_bpf_log2(((uint64_t)1 << b) - 1), b - 1);
	}
}

/* Percentiles: in the bucket of the rank, interpolated, empty refused. */
static void test_percentiles(void **state)
{
	uint64_t h[ES_HIST_BUCKETS] = { 0 }, v;

	(void)state;
	assert_false(es_hist_percentile(h, 50, &v));
	h[10] = 100;				/* 100 values in [1024, 2047] */
	assert_true(es_hist_percentile(h, 50, &v));
	assert_true(v >= 1024 && v <= 2047);
	assert_int_equal(v, 1024 + (uint64_t)(0.5 * 1023 + 0.5));	/* the 50th of 100 */
	assert_true(es_hist_percentile(h, 100, &v));
	assert_int_equal(v, 2047);
	h[20] = 1;				/* one slow one of 101 */
	assert_true(es_hist_percentile(h, 99, &v));
	assert_true(v >= 1024 && v <= 2047);	/* rank 100: still the fast bucket */
	assert_true(es_hist_percentile(h, 100, &v));
	assert_true(v >= es_hist_lower(20) && v <= es_hist_upper(20));
	/* The open last bucket answers its lower bound. */
	memset(h, 0, sizeof(h));
	h[ES_HIST_BUCKETS - 1] = 3;
	assert_true(es_hist_percentile(h, 50, &v));
	assert_int_equal(v, es_hist_lower(ES_HIST_BUCKETS - 1));
	assert_false(es_hist_percentile(h, 0, &v));
	assert_false(es_hist_percentile(h, 101, &v));
	/* The rank is rounded up: the 50th percentile of 101 is the 51st. */
	memset(h, 0, sizeof(h));
	h[5] = 50;
	h[6] = 51;
	assert_true(es_hist_percentile(h, 50, &v));
	assert_int_equal(es_hist_bucket(v), 6);
}

static struct es_snap_row srow(uint32_t tgid, uint32_t vcpu, uint32_t code, uint64_t count)
{
	struct es_snap_row r;

	memset(&r, 0, sizeof(r));
	r.tgid = tgid;
	r.vcpu = vcpu;
	r.code = code;
	r.count = count;
	r.time_ns = count * 1000;
	r.hist[9] = count;
	return r;
}

/* after - before per key; new rows whole, rows that went back whole, unchanged gone. */
static void test_snap_diff(void **state)
{
	struct es_snap a, b, d;
	struct es_snap_row r;

	(void)state;
	es_snap_init(&a);
	es_snap_init(&b);
	r = srow(10, 0, 30, 5); es_snap_add(&a, &r);
	r = srow(10, 0, 48, 3); es_snap_add(&a, &r);
	r = srow(11, 0, 30, 9); es_snap_add(&a, &r);
	r = srow(10, 0, 30, 8); es_snap_add(&b, &r);	/* +3 */
	r = srow(10, 0, 48, 3); es_snap_add(&b, &r);	/* unchanged */
	r = srow(11, 0, 30, 2); es_snap_add(&b, &r);	/* went back: a new VM */
	r = srow(12, 1, 10, 4); es_snap_add(&b, &r);	/* new */
	b.at_ns = 99;
	assert_int_equal(es_snap_diff(&a, &b, &d), 0);
	assert_int_equal(d.n, 3);
	assert_int_equal(d.rows[0].tgid, 10);
	assert_int_equal(d.rows[0].count, 3);
	assert_int_equal(d.rows[0].time_ns, 3000);
	assert_int_equal(d.rows[0].hist[9], 3);
	assert_int_equal(d.rows[1].tgid, 11);
	assert_int_equal(d.rows[1].count, 2);
	assert_int_equal(d.rows[2].tgid, 12);
	assert_int_equal(d.rows[2].count, 4);
	assert_int_equal(d.at_ns, 99);
	es_snap_free(&d);
	es_snap_free(&a);
	es_snap_free(&b);
}

/* vCPUs summed, VMs summed, one VM picked. */
static void test_snap_fold(void **state)
{
	struct es_snap s, f;
	struct es_snap_row r;

	(void)state;
	es_snap_init(&s);
	r = srow(10, 0, 30, 5); es_snap_add(&s, &r);
	r = srow(10, 1, 30, 6); es_snap_add(&s, &r);
	r = srow(11, 0, 30, 7); es_snap_add(&s, &r);
	r = srow(11, 0, 12, 1); es_snap_add(&s, &r);
	s.has = ES_SNAP_VCPUS | ES_SNAP_NS;
	assert_int_equal(es_snap_fold(&s, 0, false, false, &f), 0);
	assert_int_equal(f.n, 3);
	assert_int_equal(f.rows[0].count, 11);		/* VM 10, reason 30, both vCPUs */
	assert_int_equal(f.rows[0].vcpu, ES_VCPU_ALL);
	assert_int_equal(f.rows[0].hist[9], 11);
	assert_false(f.has & ES_SNAP_VCPUS);
	es_snap_free(&f);
	assert_int_equal(es_snap_fold(&s, 0, false, true, &f), 0);
	assert_int_equal(f.n, 2);
	assert_int_equal(f.rows[0].code, 12);
	assert_int_equal(f.rows[1].count, 18);		/* reason 30 of all VMs */
	es_snap_free(&f);
	assert_int_equal(es_snap_fold(&s, 11, true, false, &f), 0);
	assert_int_equal(f.n, 2);
	assert_int_equal(f.rows[0].tgid, 11);
	es_snap_free(&f);
	es_snap_free(&s);
}

/* Two VMs, two vCPUs: a record with the VMs in pid order, vCPUs adding up. */
static void make_snap(struct es_snap *s)
{
	struct es_snap_row r;

	es_snap_init(s);
	snprintf(s->source, sizeof(s->source), "bpf");
	s->vendor = ES_AMD;
	s->vendor_known = true;
	s->has = ES_SNAP_NS | ES_SNAP_VCPUS;
	r = srow(200, 0, 0x72, 10); es_snap_add(s, &r);
	r = srow(100, 1, 0x72, 4); es_snap_add(s, &r);
	r = srow(100, 0, 0x72, 6); es_snap_add(s, &r);
	r = srow(100, 0, 0x7b, 2); es_snap_add(s, &r);
	es_snap_set_comm(s, 100, "qemu \"x\"");
}

static void test_record_from_snap(void **state)
{
	struct es_record_info info = { "before", "6.1.0-27-amd64", 5000000000u };
	struct es_snap s, back;
	struct es_record r;
	struct es_err e;
	const struct es_row *row;

	(void)state;
	make_snap(&s);
	assert_int_equal(es_record_from_snap(&s, &info, &r, &e), 0);
	assert_int_equal(r.nruns, 2);
	assert_int_equal(r.runs[0].pid, 100);
	assert_string_equal(r.runs[0].comm, "qemu \"x\"");
	assert_string_equal(r.runs[0].mode, "before");
	assert_int_equal(r.runs[0].nvcpus, 2);
	assert_int_equal(r.runs[0].total.count, 12);
	row = es_run_find(&r.runs[0], 0x72);
	assert_non_null(row);
	assert_int_equal(row->f.count, 10);
	assert_int_equal(row->f.ns, 10000);
	assert_int_equal(row->hist[9], 10);
	assert_string_equal(row->name, "cpuid");
	assert_int_equal(r.runs[0].vcpus[1].index, 1);
	assert_int_equal(r.runs[0].vcpus[1].total.count, 4);
	assert_true(r.meta.sources & ES_SRC_NS);
	es_verdict_check(&r);
	assert_true(es_verdict_ok(&r.verdict));
	/* And back: the same rows. */
	assert_int_equal(es_record_to_snap(&r, &back, &e), 0);
	es_snap_sort(&back);
	assert_int_equal(back.n, 4);
	assert_int_equal(back.rows[0].tgid, 100);
	assert_int_equal(back.rows[0].vcpu, 0);
	assert_int_equal(back.rows[0].count, 6);
	assert_string_equal(es_snap_comm(&back, 100), "qemu \"x\"");
	es_snap_free(&back);
	es_record_free(&r);
	/* A bad label is refused. */
	info.label = "Before";
	assert_int_equal(es_record_from_snap(&s, &info, &r, &e), -1);
	assert_non_null(strstr(e.msg, "label"));
	es_snap_free(&s);
}

static char *to_json(const struct es_record *r, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	assert_non_null(f);
	assert_int_equal(es_write_json(f, r), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/* JSON written, read back (the results reader dispatches), the same again. */
static void test_record_json_roundtrip(void **state)
{
	struct es_record_info info = { "before", "6.1.0-27-amd64", 5000000000u };
	struct es_record r, back;
	struct es_snap s;
	struct es_err e;
	char *j1, *j2;
	size_t l1, l2;

	(void)state;
	make_snap(&s);
	es_snap_set_vm(&s, 100, "web-1");		/* VM 200 has no name: no "vm" */
	snprintf(s.attach, sizeof(s.attach), "tp_btf");
	s.health[ES_BPF_NO_STATE] = 3;
	assert_int_equal(es_record_from_snap(&s, &info, &r, &e), 0);
	es_verdict_check(&r);
	j1 = to_json(&r, &l1);
	assert_non_null(strstr(j1, "\"source\":\"bpf\",\"attach\":\"tp_btf\""));
	assert_non_null(strstr(j1, "\"untimed\":0,\"reason_unread\":0,\"no_state\":3,\"detail_full\":0,\"memslots_full\":0}"));
	assert_non_null(strstr(j1, "\"schema\":\"exitscope.record/1\""));
	assert_non_null(strstr(j1, "\"p50_ns\":"));
	assert_non_null(strstr(j1, "\"pid\":100,\"comm\":\"qemu \\\"x\\\"\",\"vm\":\"web-1\""));
	assert_non_null(strstr(j1, "\"pid\":200,\"comm\":\"\",\"verdict\""));
	if (es_read_json("t.json", j1, l1, &back, &e))
		fail_msg("%s", e.msg);
	assert_string_equal(back.runs[0].vm, "web-1");
	assert_string_equal(back.runs[1].vm, "");
	assert_string_equal(back.meta.label, "before");
	assert_string_equal(back.meta.attach, "tp_btf");
	assert_int_equal(back.meta.health[ES_BPF_NO_STATE], 3);
	assert_int_equal(back.meta.duration_ns, 5000000000u);
	j2 = to_json(&back, &l2);
	assert_int_equal(l1, l2);
	assert_memory_equal(j1, j2, l1);
	free(j2);
	es_record_free(&back);
	free(j1);
	es_record_free(&r);
	es_snap_free(&s);
}

static void expect_refused(const char *json, const char *why)
{
	struct es_record r;
	struct es_err e;

	assert_int_equal(es_read_json("t.json", json, strlen(json), &r, &e), -1);
	if (!strstr(e.msg, why))
		fail_msg("wanted '%s', got '%s'", why, e.msg);
}

#define HEAD "{\"schema\":\"exitscope.record/1\",\"source\":\"bpf\",\"label\":\"x\",\"cpu\":\"amd\",\"isa\":\"svm\"," \
	"\"host_kernel\":\"\",\"duration_ns\":1,\"time\":\"ns\",\"health\":{\"stats_full\":0,\"pending_failed\":0," \
	"\"stale\":0,\"row_gone\":0,\"untimed\":0},\"verdict\":{\"ok\":true,\"failures\":[]},\"vms\":["
#define VM(reasons) "{\"pid\":5,\"comm\":\"v\",\"verdict\":{\"ok\":true,\"failures\":[]},\"total\":{\"count\":1,\"time_ns\":1}," \
	"\"reasons\":[" reasons "]}"
#define H32 "[0,0,0,0,0,0,0,0,0,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]"

/* Hostile records: each refused, named. */
static void test_record_json_refused(void **state)
{
	(void)state;
	expect_refused(HEAD "{\"pid\":5,\"comm\":\"v\",\"vm\":5}]}", "vms[0]: vm is missing, or not a string of at most 63 bytes");
	expect_refused(HEAD "{\"pid\":5,\"comm\":\"v\",\"vm\":\"0123456789012345678901234567890123456789012345678901234567890123\"}]}",
		       "vm is missing, or not a string of at most 63 bytes");
	expect_refused(HEAD VM("{\"reason\":114,\"name\":\"cpuid\",\"count\":1,\"time_ns\":1,\"hist\":" H32 ",\"p50_ns\":7}") "]}",
		       "p50_ns is 7, the histogram gives");
	expect_refused(HEAD VM("{\"reason\":114,\"name\":\"cpuid\",\"count\":1,\"time_ns\":1,\"hist\":[1,2]}") "]}",
		       "hist is not an array of 32");
	expect_refused(HEAD VM("{\"reason\":114,\"name\":\"cpuid\",\"count\":1,\"time_ns\":1}") "]}",
		       "hist missing");
	expect_refused(HEAD VM("{\"reason\":114,\"name\":\"cpuid\",\"count\":1,\"cycles\":5,\"time_ns\":1,\"hist\":" H32 "}") "]}",
		       "cycles given");
	expect_refused(HEAD VM("{\"reason\":114,\"name\":\"cpuid\",\"count\":-1,\"time_ns\":1,\"hist\":" H32 "}") "]}",
		       "count is missing, or not a number");
	expect_refused(HEAD VM("{\"reason\":114,\"name\":\"cpuid\",\"count\":1,\"time_ns\":1,\"hist\":" H32 ",\"x\":1}") "]}",
		       "unknown key 'x'");
	expect_refused(HEAD VM("") "," VM("") "]}", "ascending pid order");
	/* fuzzer: an unknown key among the health counters */
	expect_refused("{\"schema\":\"exitscope.record/1\",\"source\":\"bpf\",\"label\":\"x\",\"cpu\":\"amd\",\"isa\":\"svm\","
		       "\"host_kernel\":\"\",\"duration_ns\":1,\"time\":\"ns\",\"health\":{\"stats_ful\":0}}",
		       "health: unknown key 'stats_ful'");
	/* The first release's five counters are required; the later ones may be absent. */
	expect_refused("{\"schema\":\"exitscope.record/1\",\"source\":\"bpf\",\"label\":\"x\",\"cpu\":\"amd\",\"isa\":\"svm\","
		       "\"host_kernel\":\"\",\"duration_ns\":1,\"time\":\"ns\",\"health\":{\"pending_failed\":0,"
		       "\"stale\":0,\"row_gone\":0,\"untimed\":0,\"no_state\":0}}",
		       "health: stats_full is missing");
	expect_refused("{\"schema\":\"exitscope.record/1\",\"source\":\"module\",\"attach\":\"tp\",\"label\":\"x\",\"cpu\":\"amd\",\"isa\":\"svm\","
		       "\"host_kernel\":\"\",\"duration_ns\":1,\"time\":\"ns\"}",
		       "attach is given but is not tp_btf or tp of a bpf record");
	expect_refused("{\"schema\":\"exitscope.record/1\",\"source\":\"bpf\",\"attach\":\"kprobe\",\"label\":\"x\",\"cpu\":\"amd\",\"isa\":\"svm\","
		       "\"host_kernel\":\"\",\"duration_ns\":1,\"time\":\"ns\"}",
		       "attach is given but is not tp_btf or tp of a bpf record");
	expect_refused("{\"schema\":\"exitscope.record/1\",\"source\":\"lab\",\"label\":\"x\",\"cpu\":\"amd\",\"isa\":\"svm\","
		       "\"host_kernel\":\"\",\"duration_ns\":1,\"time\":\"ns\"}", "source is not bpf, module or tracefs");
	expect_refused(HEAD "]", "not JSON");
}

static struct es_detail dk(uint32_t tgid, uint32_t code, unsigned int kind, unsigned int flags,
			    uint64_t value, uint64_t count)
{
	struct es_detail d = { .tgid = tgid, .code = code, .kind = (uint8_t)kind,
			       .flags = (uint16_t)flags, .value = value, .count = count };

	return d;
}

/* The drill-down: diff, fold, groups with a top and the rest, keys as text and back. */
static void test_detail_model(void **state)
{
	struct es_snap a, b, d, f;
	struct es_detail_group *g;
	struct es_detail x;
	size_t ng;
	uint64_t v;
	char buf[24], name[64];

	(void)state;
	es_snap_init(&a);
	es_snap_init(&b);
	x = dk(100, 0x7b, ES_BPF_DK_IO, 0, 0x3f8, 10); es_snap_add_detail(&a, &x);
	x = dk(100, 0x7b, ES_BPF_DK_IO, ES_BPF_DF_IN, 0x3fd, 4); es_snap_add_detail(&a, &x);
	x = dk(200, 0x7b, ES_BPF_DK_IO, 0, 0x3f8, 7); es_snap_add_detail(&a, &x);
	b = a;
	b.details = NULL;
	b.ndetails = b.capdetails = 0;
	x = dk(100, 0x7b, ES_BPF_DK_IO, 0, 0x3f8, 25); es_snap_add_detail(&b, &x);
	x = dk(100, 0x7b, ES_BPF_DK_IO, ES_BPF_DF_IN, 0x3fd, 4); es_snap_add_detail(&b, &x);
	x = dk(100, 0x7c, ES_BPF_DK_MSR, ES_BPF_DF_WRITE, 0x838, 3); es_snap_add_detail(&b, &x);
	x = dk(200, 0x7b, ES_BPF_DK_IO, 0, 0x3f8, 2); es_snap_add_detail(&b, &x);	/* went back */
	assert_int_equal(es_snap_diff(&a, &b, &d), 0);
	/* 0x3f8 +15; 0x3fd unchanged, left out; the MSR new, whole; VM 200's went back: whole. */
	assert_int_equal(d.ndetails, 3);
	assert_int_equal(d.details[0].value, 0x3f8);
	assert_int_equal(d.details[0].count, 15);
	assert_int_equal(d.details[1].kind, ES_BPF_DK_MSR);
	assert_int_equal(d.details[1].count, 3);
	assert_int_equal(d.details[2].tgid, 200);
	assert_int_equal(d.details[2].count, 2);
	/* All VMs in one: VM 200's 0x3f8 joins VM 100's; one VM: its own only. */
	assert_int_equal(es_snap_fold(&b, 0, false, true, &f), 0);
	assert_int_equal(f.ndetails, 3);
	assert_int_equal(f.details[0].tgid, 0);
	assert_int_equal(f.details[0].count, 27);
	es_snap_free(&f);
	assert_int_equal(es_snap_fold(&b, 200, false, false, &f), 0);
	assert_int_equal(f.ndetails, 1);
	es_snap_free(&f);
	/* Groups: the top 1 of VM 100's ports, the other one summed. */
	assert_int_equal(es_detail_groups(b.details, b.ndetails, 1, &g, &ng), 0);
	assert_int_equal(ng, 3);
	assert_int_equal(g[0].tgid, 100);
	assert_int_equal(g[0].ntop, 1);
	assert_int_equal(g[0].top[0].value, 0x3f8);
	assert_int_equal(g[0].other_keys, 1);
	assert_int_equal(g[0].other, 4);
	assert_int_equal(g[0].keyed, 29);
	assert_int_equal(g[1].kind, ES_BPF_DK_MSR);
	assert_int_equal(g[1].other_keys, 0);
	es_detail_groups_free(g, ng);
	/* Keys, directions and names. */
	assert_string_equal(es_detail_key_str(buf, ES_BPF_DK_IO, 0x3f8), "0x3f8");
	assert_string_equal(es_detail_key_str(buf, ES_BPF_DK_VECTOR, 14), "14");
	assert_string_equal(es_detail_key_str(buf, ES_BPF_DK_CR, 3), "cr3");
	assert_int_equal(es_detail_key_parse(ES_BPF_DK_CR, "cr3", &v), 0);
	assert_int_equal(v, 3);
	assert_int_equal(es_detail_key_parse(ES_BPF_DK_IO, "0x3f8", &v), 0);
	assert_int_equal(v, 0x3f8);
	assert_int_equal(es_detail_key_parse(ES_BPF_DK_IO, "1016", &v), -1);	/* ports in hex */
	assert_int_equal(es_detail_key_parse(ES_BPF_DK_VECTOR, "0xe", &v), -1);
	assert_int_equal(es_detail_key_parse(ES_BPF_DK_CR, "cr16", &v), -1);
	assert_string_equal(es_detail_dir_str(ES_BPF_DK_IO, ES_BPF_DF_IN), "in");
	assert_string_equal(es_detail_dir_str(ES_BPF_DK_MSR, ES_BPF_DF_WRITE), "write");
	assert_string_equal(es_detail_dir_str(ES_BPF_DK_GPA, 0), "");
	assert_int_equal(es_detail_dir_parse(ES_BPF_DK_IO, "out"), 0);
	assert_int_equal(es_detail_dir_parse(ES_BPF_DK_IO, "write"), -1);
	assert_non_null(strstr(es_detail_key_name(name, ES_BPF_DK_IO, 0x3f8), "COM1"));
	assert_string_equal(es_detail_key_name(name, ES_BPF_DK_MSR, 0x838), "X2APIC_TMICT");
	assert_string_equal(es_detail_key_name(name, ES_BPF_DK_VECTOR, 14), "#PF");
	assert_string_equal(es_detail_key_name(name, ES_BPF_DK_GPA, 0x1000), "");
	/* The xAPIC's registers at the x2APIC's offsets; the I/O APIC's two. */
	assert_string_equal(es_detail_key_name(name, ES_BPF_DK_MMIO, 0xfee000b0), "local APIC EOI");
	assert_string_equal(es_detail_key_name(name, ES_BPF_DK_MMIO, 0xfee00390), "local APIC TMCCT");
	assert_string_equal(es_detail_key_name(name, ES_BPF_DK_MMIO, 0xfee00394), "local APIC");
	assert_string_equal(es_detail_key_name(name, ES_BPF_DK_MMIO, 0xfec00010), "I/O APIC IOWIN");
	assert_string_equal(es_detail_key_name(name, ES_BPF_DK_MMIO, 0xfed000f0), "HPET");
	assert_string_equal(es_detail_key_name(name, ES_BPF_DK_MMIO, 0xfee01000), "");
	x = dk(1, 0, ES_BPF_DK_IO, 0, 0x10000, 1);
	assert_false(es_detail_valid(&x));
	x = dk(1, 0, ES_BPF_DK_GPA, 0, 0x1001, 1);
	assert_false(es_detail_valid(&x));
	x = dk(1, 0, ES_BPF_DK_NONE, 0, 0, 1);
	assert_false(es_detail_valid(&x));
	es_snap_free(&d);
	es_snap_free(&b);
	es_snap_free(&a);
}

/* A record with the drill-down: into JSON under each reason, and back the same. */
static void test_detail_json(void **state)
{
	struct es_record_info info = { "before", "6.1.0-27-amd64", 5000000000u };
	struct es_record r, back;
	struct es_snap s, again;
	struct es_detail x;
	struct es_err e;
	char *j1, *j2;
	size_t l1, l2;

	(void)state;
	make_snap(&s);
	s.has |= ES_SNAP_DETAIL;
	/* VM 100: 2 IOIO exits (0x7b), both on 0x80; cpuid (0x72) has none. */
	x = dk(100, 0x7b, ES_BPF_DK_IO, 0, 0x80, 2); es_snap_add_detail(&s, &x);
	/* A key of a VM the span saw no exit of is left out. */
	x = dk(300, 0x7b, ES_BPF_DK_IO, 0, 0x80, 2); es_snap_add_detail(&s, &x);
	assert_int_equal(es_record_from_snap(&s, &info, &r, &e), 0);
	assert_true(r.meta.sources & ES_SRC_DETAIL);
	assert_int_equal(r.runs[0].ndetails, 1);
	assert_int_equal(r.runs[1].ndetails, 0);
	j1 = to_json(&r, &l1);
	assert_non_null(strstr(j1, "\"detail\":true"));
	assert_non_null(strstr(j1, "\"detail\":[{\"kind\":\"io\",\"keys\":[{\"key\":\"0x80\",\"dir\":\"out\","
				   "\"name\":\"POST code, Linux's I/O delay\",\"count\":2}],\"none\":0}]"));
	assert_non_null(strstr(j1, "\"name\":\"cpuid\",\"count\":10,\"time_ns\":10000,\"detail\":[]"));
	if (es_read_json("t.json", j1, l1, &back, &e))
		fail_msg("%s", e.msg);
	assert_int_equal(back.runs[0].ndetails, 1);
	assert_int_equal(back.runs[0].details[0].value, 0x80);
	assert_int_equal(back.runs[0].details[0].tgid, 100);
	j2 = to_json(&back, &l2);
	assert_int_equal(l1, l2);
	assert_memory_equal(j1, j2, l1);
	/* Replayed (--source file:): the keys come back into the snapshot. */
	assert_int_equal(es_record_to_snap(&back, &again, &e), 0);
	assert_true(again.has & ES_SNAP_DETAIL);
	assert_int_equal(again.ndetails, 1);
	assert_int_equal(again.details[0].count, 2);
	es_snap_free(&again);
	free(j2);
	es_record_free(&back);
	free(j1);
	es_record_free(&r);
	es_snap_free(&s);
}

/* The drill-down for people: top keys with their share, the rest, the exits with no key. */
static void test_detail_table(void **state)
{
	struct es_record_info info = { "r", "", 1000000000u };
	struct es_record r;
	struct es_snap s;
	struct es_detail x;
	struct es_err e;
	char *buf = NULL;
	size_t len, i;
	FILE *f;

	(void)state;
	make_snap(&s);
	s.has |= ES_SNAP_DETAIL;
	/* Reason 0x72 of VM 100: 10 exits; 12 keys of one exit, of two VMs summed. */
	for (i = 0; i < 12; i++) {
		x = dk(100, 0x72, ES_BPF_DK_HYPERCALL, 0, i + 1, i < 6 ? 1 : 0);
		if (x.count)
			es_snap_add_detail(&s, &x);
	}
	x = dk(200, 0x72, ES_BPF_DK_HYPERCALL, 0, 5, 3); es_snap_add_detail(&s, &x);
	assert_int_equal(es_record_from_snap(&s, &info, &r, &e), 0);
	f = open_memstream(&buf, &len);
	assert_int_equal(es_write_detail(f, &r, 2, false), 0);
	fclose(f);
	/* VM 200's 3 and VM 100's 1 of hypercall 5: 4 of cpuid's 20 exits, first. */
	if (!strstr(buf, "      0x72  cpuid            hypercall  5                                   4   20.0%  KICK_CPU\n"))
		fail_msg("%s", buf);
	assert_non_null(strstr(buf, "(other)                             4   20.0%  4 other keys\n"));
	assert_non_null(strstr(buf, "(no key)                           11   55.0%"));
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	assert_int_equal(es_write_detail(f, &r, 10, true), 0);
	fclose(f);
	assert_non_null(strstr(buf, "| 0x72 | cpuid | hypercall | 5 |  | 4 | 20.0% | KICK_CPU |\n"));
	assert_null(strstr(buf, "(other)"));
	free(buf);
	es_record_free(&r);
	es_snap_free(&s);
	/*
	 * A reason of two kinds (NPF: pages and MMIO addresses): "(no key)" once,
	 * after its last kind, for the exits neither keyed.
	 */
	make_snap(&s);
	s.has |= ES_SNAP_DETAIL;
	x = dk(100, 0x7b, ES_BPF_DK_GPA, 0, 0x1000, 1); es_snap_add_detail(&s, &x);	/* 2 exits of 0x7b */
	x = dk(100, 0x7b, ES_BPF_DK_MMIO, 0, 0xfee000b0, 1); es_snap_add_detail(&s, &x);
	assert_int_equal(es_record_from_snap(&s, &info, &r, &e), 0);
	buf = NULL;
	f = open_memstream(&buf, &len);
	assert_int_equal(es_write_detail(f, &r, 10, false), 0);
	fclose(f);
	assert_null(strstr(buf, "(no key)"));
	assert_non_null(strstr(buf, "local APIC EOI"));
	free(buf);
	es_record_free(&r);
	es_snap_free(&s);
	make_snap(&s);
	s.has |= ES_SNAP_DETAIL;
	x = dk(100, 0x7b, ES_BPF_DK_GPA, 0, 0x1000, 1); es_snap_add_detail(&s, &x);
	assert_int_equal(es_record_from_snap(&s, &info, &r, &e), 0);
	buf = NULL;
	f = open_memstream(&buf, &len);
	assert_int_equal(es_write_detail(f, &r, 10, false), 0);
	fclose(f);
	assert_non_null(strstr(buf, "(no key)                            1   50.0%"));
	free(buf);
	es_record_free(&r);
	es_snap_free(&s);
}

#define DHEAD "{\"schema\":\"exitscope.record/1\",\"source\":\"bpf\",\"label\":\"x\",\"cpu\":\"amd\",\"isa\":\"svm\"," \
	"\"host_kernel\":\"\",\"duration_ns\":1,\"time\":\"none\",\"detail\":true,\"health\":{\"stats_full\":0," \
	"\"pending_failed\":0,\"stale\":0,\"row_gone\":0,\"untimed\":0},\"verdict\":{\"ok\":true,\"failures\":[]},\"vms\":["
#define DVM(detail) "{\"pid\":5,\"comm\":\"v\",\"verdict\":{\"ok\":true,\"failures\":[]},\"total\":{\"count\":3}," \
	"\"reasons\":[{\"reason\":123,\"name\":\"ioio\",\"count\":3,\"detail\":" detail "}]}]}"

/* Hostile drill-downs: each refused, named. */
static void test_detail_json_refused(void **state)
{
	struct es_record r;
	struct es_err e;
	const char *ok = DHEAD DVM("[{\"kind\":\"io\",\"keys\":[{\"key\":\"0x80\",\"dir\":\"out\",\"count\":2}],\"none\":1}]");

	(void)state;
	/* The well-formed one passes, so that each refusal below is its own fault's. */
	if (es_read_json("t.json", ok, strlen(ok), &r, &e))
		fail_msg("%s", e.msg);
	es_record_free(&r);
	expect_refused(DHEAD DVM("[{\"kind\":\"io\",\"keys\":[{\"key\":\"0x80\",\"dir\":\"out\",\"count\":2}],\"none\":0}]"),
		       "the keys and none do not add up to the reason's count");
	expect_refused(DHEAD DVM("[{\"kind\":\"io\",\"keys\":[{\"key\":\"0x80\",\"dir\":\"out\",\"count\":4}],\"none\":0}]"),
		       "do not add up");
	expect_refused(DHEAD DVM("[{\"kind\":\"io\",\"keys\":[{\"key\":\"0x80\",\"dir\":\"write\",\"count\":2}],\"none\":1}]"),
		       "dir is missing, or not the kind's");
	expect_refused(DHEAD DVM("[{\"kind\":\"io\",\"keys\":[{\"key\":\"0x10000\",\"dir\":\"out\",\"count\":2}],\"none\":1}]"),
		       "key out of its kind's range");
	expect_refused(DHEAD DVM("[{\"kind\":\"io\",\"keys\":[{\"key\":\"128\",\"dir\":\"out\",\"count\":2}],\"none\":1}]"),
		       "key is not one of its kind");
	expect_refused(DHEAD DVM("[{\"kind\":\"io\",\"keys\":[{\"key\":\"0x80\",\"dir\":\"out\",\"count\":1},"
				 "{\"key\":\"0x80\",\"dir\":\"out\",\"count\":1}],\"none\":1}]"), "a key given twice");
	expect_refused(DHEAD DVM("[{\"kind\":\"io\",\"keys\":[],\"none\":3},{\"kind\":\"io\",\"keys\":[],\"none\":3}]"),
		       "or is given twice");
	expect_refused(DHEAD DVM("[{\"kind\":\"port\",\"keys\":[],\"none\":3}]"), "kind is not io");
	expect_refused(DHEAD DVM("[{\"kind\":\"gpa\",\"keys\":[{\"key\":\"0x1000\",\"dir\":\"read\",\"count\":1}],\"none\":2}]"),
		       "dir given");
	expect_refused(DHEAD DVM("[{\"kind\":\"io\",\"keys\":[{\"key\":\"0x80\",\"dir\":\"out\",\"count\":1,\"x\":1}],\"none\":2}]"),
		       "unknown key 'x'");
	/* Detail in a record that says it has none, and the other way round. */
	expect_refused(HEAD "{\"pid\":5,\"comm\":\"v\",\"verdict\":{\"ok\":true,\"failures\":[]},\"total\":{\"count\":1,\"time_ns\":1},"
		       "\"reasons\":[{\"reason\":114,\"name\":\"cpuid\",\"count\":1,\"time_ns\":1,\"hist\":" H32 ",\"detail\":[]}]}]}",
		       "detail given");
	expect_refused(DHEAD "{\"pid\":5,\"comm\":\"v\",\"verdict\":{\"ok\":true,\"failures\":[]},\"total\":{\"count\":3},"
		       "\"reasons\":[{\"reason\":123,\"name\":\"ioio\",\"count\":3}]}]}", "detail missing");
	expect_refused("{\"schema\":\"exitscope.record/1\",\"source\":\"module\",\"label\":\"x\",\"cpu\":\"amd\",\"isa\":\"svm\","
		       "\"host_kernel\":\"\",\"duration_ns\":1,\"time\":\"none\",\"detail\":true,\"health\":{\"stats_full\":0,"
		       "\"pending_failed\":0,\"stale\":0,\"row_gone\":0,\"untimed\":0},\"verdict\":{\"ok\":true,\"failures\":[]},\"vms\":[]}",
		       "detail is given but is not true in a bpf record");
}

/* The memslots that name regions: which slot, and agreement across VMs. */
static void test_memslots(void **state)
{
	static const struct es_memslot ms[] = {
		{ .tgid = 100, .id = 0, .gpa = 0, .size = 0x300000, .mapping = "memfd:ram" },
		{ .tgid = 100, .id = 2, .gpa = 0x300000, .size = 0x1000, .mapping = "/rom" },
		{ .tgid = 100, .as_id = 1, .id = 0, .gpa = 0x200000, .size = 0x200000 },
		{ .tgid = 200, .id = 0, .gpa = 0, .size = 0x100000, .mapping = "memfd:ram" },
		{ .tgid = 300, .id = 5, .gpa = 0, .size = 0x100000, .mapping = "memfd:ram" },
	};
	const struct es_memslot *m;
	char name[64];

	(void)state;
	/* The region 0x200000-0x3fffff: slot 0 holds 1 MiB of it, slot 2 4 KiB, SMM's not counted. */
	m = es_memslot_of(ms, 5, 100, 0x200000, 0x200000);
	assert_non_null(m);
	assert_int_equal(m->id, 0);
	assert_string_equal(es_memslot_name(name, m), "slot 0 (memfd:ram)");
	assert_null(es_memslot_of(ms, 5, 100, 0x400000, 0x200000));
	assert_null(es_memslot_of(ms, 5, 999, 0, 0x200000));
	/* VMs summed: 100 and 200 agree on slot 0; 300 calls it slot 5. */
	m = es_memslot_of(ms, 4, 0, 0, 0x200000);
	assert_non_null(m);
	assert_int_equal(m->id, 0);
	assert_null(es_memslot_of(ms, 5, 0, 0, 0x200000));
	assert_string_equal(es_memslot_name(name, &ms[2]), "SMM slot 0");
	/* A VMM's name for its memory is the VMM's: control bytes and non-ASCII go. */
	{
		struct es_memslot x = { 0 };

		es_memslot_set_mapping(&x, "memfd:\x1b[2J\n\xc3\xa9 a very long name that does not fit");
		assert_string_equal(x.mapping, "memfd:?[2J??? a very long name that doe");
		assert_true(es_mapping_ok(x.mapping));
		assert_false(es_mapping_ok("a\tb"));
	}
	/* Near the top of the address space: no sum overflows. */
	assert_null(es_memslot_of(ms, 5, 100, UINT64_MAX - 0xfff, 0x200000));

}

/* A record's memslots: written, read back the same, naming its regions everywhere. */
static void test_memslots_record(void **state)
{
	struct es_record_info info = { "r", "", 1000000000u };
	struct es_memslot m = { .tgid = 100, .id = 1, .gpa = 0x100000, .size = 0x7f00000,
				.mapping = "memfd:exitscope-vmm high ram" };
	struct es_record r, back;
	struct es_snap s, f;
	struct es_detail x;
	struct es_err e;
	char *j1, *j2, *buf = NULL;
	size_t l1, l2, len;
	FILE *out;

	(void)state;
	make_snap(&s);
	s.has |= ES_SNAP_DETAIL;
	x = dk(100, 0x7b, ES_BPF_DK_GPA, 0, 0x200000, 1);
	es_snap_add_detail(&s, &x);
	x = dk(100, 0x7b, ES_BPF_DK_GPA, 0, 0xfee00000, 1);
	es_snap_add_detail(&s, &x);
	assert_int_equal(es_snap_set_memslot(&s, &m), 0);
	m.id = 0;
	m.gpa = 0;
	m.size = 0x1000;
	assert_int_equal(es_snap_set_memslot(&s, &m), 0);
	/* The same slot again replaces it. */
	m.size = 0x2000;
	assert_int_equal(es_snap_set_memslot(&s, &m), 0);
	assert_int_equal(s.nmemslots, 2);
	assert_int_equal(es_record_from_snap(&s, &info, &r, &e), 0);
	assert_int_equal(r.runs[0].nmemslots, 2);
	assert_int_equal(r.runs[1].nmemslots, 0);
	j1 = to_json(&r, &l1);
	if (!strstr(j1, "\"key\":\"0x200000\",\"name\":\"slot 1 (memfd:exitscope-vmm high ram)\""))
		fail_msg("%s", j1);
	/* The local APIC's page is no slot's: its own name stays. */
	assert_non_null(strstr(j1, "\"key\":\"0xfee00000\",\"name\":\"local APIC"));
	assert_non_null(strstr(j1, "\"memslots\":[{\"as_id\":0,\"slot\":0,\"gpa\":\"0x0\",\"size\":\"0x2000\","
				   "\"mapping\":\"memfd:exitscope-vmm high ram\"},{\"as_id\":0,\"slot\":1,"));
	if (es_read_json("t.json", j1, l1, &back, &e))
		fail_msg("%s", e.msg);
	assert_int_equal(back.runs[0].nmemslots, 2);
	assert_int_equal(back.runs[0].memslots[1].gpa, 0x100000);
	assert_int_equal(back.runs[0].memslots[1].tgid, 100);
	j2 = to_json(&back, &l2);
	assert_int_equal(l1, l2);
	assert_memory_equal(j1, j2, l1);
	out = open_memstream(&buf, &len);
	assert_int_equal(es_write_detail(out, &back, 10, false), 0);
	fclose(out);
	assert_non_null(strstr(buf, "slot 1 (memfd:exitscope-vmm high ram)"));
	free(buf);
	/* Folded: one VM's keep their slots, VMs summed have none. */
	assert_int_equal(es_snap_fold(&s, 100, false, false, &f), 0);
	assert_int_equal(f.nmemslots, 2);
	es_snap_free(&f);
	assert_int_equal(es_snap_fold(&s, 200, false, false, &f), 0);
	assert_int_equal(f.nmemslots, 0);
	es_snap_free(&f);
	assert_int_equal(es_snap_fold(&s, 0, false, true, &f), 0);
	assert_int_equal(f.nmemslots, 0);
	es_snap_free(&f);
	free(j2);
	free(j1);
	es_record_free(&back);
	es_record_free(&r);
	es_snap_free(&s);

#define MVM(slots) "{\"pid\":5,\"comm\":\"v\",\"verdict\":{\"ok\":true,\"failures\":[]},\"total\":{\"count\":3}," \
	"\"reasons\":[{\"reason\":123,\"name\":\"ioio\",\"count\":3,\"detail\":[]}],\"memslots\":" slots "}]}"
#define SLOT(as, id, gpa, size) "{\"as_id\":" #as ",\"slot\":" #id ",\"gpa\":\"" gpa "\",\"size\":\"" size "\",\"mapping\":\"\"}"
	{
		const char *ok = DHEAD MVM("[" SLOT(0, 0, "0x0", "0x1000") "," SLOT(1, 0, "0x0", "0x1000") "]");

		if (es_read_json("t.json", ok, strlen(ok), &r, &e))
			fail_msg("%s", e.msg);
		es_record_free(&r);
	}
	expect_refused(DHEAD MVM("[" SLOT(0, 1, "0x0", "0x1000") "," SLOT(0, 0, "0x0", "0x1000") "]"),
		       "memslots are not in ascending");
	expect_refused(DHEAD MVM("[" SLOT(0, 1, "0x0", "0x1000") "," SLOT(0, 1, "0x2000", "0x1000") "]"),
		       "memslots are not in ascending");
	expect_refused(DHEAD MVM("[" SLOT(0, 0, "0x800", "0x1000") "]"), "page-aligned");
	expect_refused(DHEAD MVM("[" SLOT(0, 0, "0x0", "0x0") "]"), "page-aligned");
	expect_refused(DHEAD MVM("[" SLOT(0, 0, "0xfffffffffffff000", "0x2000") "]"), "within 2^64");
	expect_refused(DHEAD MVM("[" SLOT(2, 0, "0x0", "0x1000") "]"), "as_id is not 0 or 1");
	expect_refused(DHEAD MVM("[{\"as_id\":0,\"slot\":0,\"gpa\":\"0x0\",\"size\":\"0x1000\",\"mapping\":\"a\\u001b[2J\"}]"),
		       "mapping has a byte that is not printable ASCII");
	expect_refused(DHEAD MVM("[" SLOT(0, 40000, "0x0", "0x1000") "]"), "slot not 0 to 32767");
	expect_refused(DHEAD MVM("{}"), "memslots is not an array");
	expect_refused(DHEAD MVM("[{\"as_id\":0,\"slot\":0,\"gpa\":\"0x0\",\"size\":\"0x1000\",\"mapping\":\"\",\"hva\":1}]"),
		       "unknown key 'hva'");
	expect_refused(HEAD "{\"pid\":5,\"comm\":\"v\",\"verdict\":{\"ok\":true,\"failures\":[]},\"total\":{\"count\":1,\"time_ns\":1},"
		       "\"reasons\":[],\"memslots\":[]}]}", "memslots given, but the record has no drill-down");
#undef MVM
#undef SLOT
}

/* The verdict of a record: losses and sums that do not add up fail it. */
static void test_record_verdict(void **state)
{
	struct es_record_info info = { "r", "", 1 };
	struct es_record r;
	struct es_snap s;
	struct es_err e;

	(void)state;
	make_snap(&s);
	s.health[ES_BPF_STATS_FULL] = 17;
	s.health[ES_BPF_REASON_UNREAD] = 4;
	s.health[ES_BPF_NO_STATE] = 2;		/* a thread's first exit: no failure */
	s.health[ES_BPF_UNTIMED] = 1;		/* neither */
	assert_int_equal(es_record_from_snap(&s, &info, &r, &e), 0);
	r.runs[0].vcpus[0].rows[0].f.count++;	/* a vCPU that does not add up */
	es_verdict_check(&r);
	for (size_t i = 0; i < r.verdict.n; i++)
		print_message("verdict: %s\n", r.verdict.why[i]);
	assert_int_equal(r.verdict.n, 4);
	assert_non_null(strstr(r.verdict.why[0], "17 exits were not counted"));
	assert_non_null(strstr(r.verdict.why[1], "4 exits were not counted: the collector could not read their reason"));
	assert_non_null(strstr(r.verdict.why[2], "VM 100: vCPU 0: the rows add up to 9 exits"));
	assert_non_null(strstr(r.verdict.why[3], "the vCPUs add up to 11 exits, the VM has 10"));
	es_record_free(&r);
	es_snap_free(&s);
}

/* report A B: both records' VMs under their labels, a and b when equal. */
static void test_compare(void **state)
{
	struct es_record_info ia = { "before", "", 1 }, ib = { "after", "", 1 };
	struct es_record a, b, c;
	struct es_summary sum;
	struct es_snap s;
	struct es_err e;

	(void)state;
	make_snap(&s);
	assert_int_equal(es_record_from_snap(&s, &ia, &a, &e), 0);
	s.rows[0].count = 1000;			/* VM 200 cpuid: 10 -> 1000 */
	assert_int_equal(es_record_from_snap(&s, &ib, &b, &e), 0);
	assert_int_equal(es_record_compare(&a, &b, &c, &e), 0);
	assert_int_equal(a.nruns, 0);
	assert_int_equal(c.nruns, 4);
	assert_string_equal(c.runs[0].mode, "before");
	assert_string_equal(c.runs[3].mode, "after");
	assert_int_equal(es_summary_build(&c, &sum), 0);
	assert_int_equal(sum.ncols, 2);
	assert_true(sum.record);
	assert_int_equal(sum.rows[0].code, 0x72);
	assert_int_equal(sum.rows[0].c[0].median, 20);		/* summed over VMs */
	assert_int_equal(sum.rows[0].c[1].median, 1010);
	assert_int_equal(sum.rows[0].c[1].hist[9], 20);		/* srow's hist, merged */
	assert_true(sum.rows[0].strong);
	es_summary_free(&sum);
	es_record_free(&c);
	es_record_free(&a);
	es_record_free(&b);
	/* Two of the same label become a and b. */
	assert_int_equal(es_record_from_snap(&s, &ia, &a, &e), 0);
	assert_int_equal(es_record_from_snap(&s, &ia, &b, &e), 0);
	assert_int_equal(es_record_compare(&a, &b, &c, &e), 0);
	assert_string_equal(c.meta.modes[0].name, "a");
	assert_string_equal(c.meta.modes[1].name, "b");
	es_record_free(&c);
	es_record_free(&a);
	es_record_free(&b);
	es_snap_free(&s);
}

/* The module source reads debugfs with the lab's own parser. */
static void test_module_stats(void **state)
{
	static const char stats[] =
		"# isa vmx mode cycles exits 13 cycles 130\n"
		"#   reason name count cycles\n"
		"        10 CPUID 10 100\n"
		"2147483648 FAILED_VMENTRY 1 10\n"
		"     other other 2 20\n";
	struct es_source_opts o = { 0 };
	struct es_source src;
	struct es_snap s;
	struct es_err e;
	char *d = fx_tmpdir(), sub[256];

	(void)state;
	es_snap_init(&s);
	assert_int_equal(es_module_stats_to_snap("x", stats, strlen(stats), 42, &s, &e), 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.vendor, ES_INTEL);
	es_snap_sort(&s);
	assert_int_equal(s.rows[0].code, 10);
	assert_int_equal(s.rows[0].cycles, 100);
	assert_int_equal(s.rows[0].vcpu, ES_VCPU_ALL);
	assert_int_equal(s.rows[1].code, ES_CODE_FAILED_VMENTRY);
	assert_int_equal(s.rows[2].code, ES_CODE_OTHER);
	/* A corrupt file is refused with its line. */
	es_snap_clear(&s);
	assert_int_equal(es_module_stats_to_snap("x", "# isa vmx mode cycles exits 1 cycles 1\n#   reason name count cycles\n 10 CPUID one 1\n",
						 94, 42, &s, &e), -1);
	assert_non_null(strstr(e.msg, "x:3: count 'one'"));
	es_snap_free(&s);
	/* The whole source on a directory laid out as debugfs: two VMs of pid 42 add up. */
	snprintf(sub, sizeof(sub), "%s/42-11", d);
	assert_int_equal(mkdir(sub, 0755), 0);
	fx_put(sub, "exit_stats", stats);
	snprintf(sub, sizeof(sub), "%s/42-12", d);
	assert_int_equal(mkdir(sub, 0755), 0);
	fx_put(sub, "exit_stats", stats);
	snprintf(sub, sizeof(sub), "%s/vcpu0", d);		/* not a VM: skipped */
	assert_int_equal(mkdir(sub, 0755), 0);
	o.debugfs = d;
	assert_int_equal(es_source_module_open(&o, &src, &e), 0);
	es_snap_init(&s);
	assert_int_equal(es_source_read(&src, &s, &e), 0);
	es_snap_sort(&s);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.rows[0].count, 20);
	assert_true(s.has & ES_SNAP_CYCLES);
	es_source_close(&src);
	es_snap_free(&s);
	fx_rm(d, "42-11/exit_stats");
	fx_rm(d, "42-12/exit_stats");
	snprintf(sub, sizeof(sub), "%s/42-11", d); rmdir(sub);
	snprintf(sub, sizeof(sub), "%s/42-12", d); rmdir(sub);
	snprintf(sub, sizeof(sub), "%s/vcpu0", d); rmdir(sub);
	rmdir(d);
	free(d);
}

/* The tracefs source's hist: keys, folding, totals checked, dropped told. */
static void test_hist_keys(void **state)
{
	static const char hist[] =
		"# event histogram\n#\n# trigger info: hist:keys=common_pid,vcpu_id,exit_reason:vals=hitcount:size=16384 [active]\n#\n\n"
		"{ common_pid:       1234, vcpu_id:          0, exit_reason:         30 } hitcount:          5\n"
		"{ common_pid:       1234, vcpu_id:          0, exit_reason:  134217758 } hitcount:          2\n"
		"{ common_pid:       1235, vcpu_id:          1, exit_reason: 2147483681 } hitcount:          1\n"
		"\nTotals:\n    Hits: 8\n    Entries: 3\n    Dropped: 4\n";
	struct es_snap s;
	struct es_err e;
	uint64_t dropped;

	(void)state;
	es_snap_init(&s);
	assert_int_equal(es_parse_hist_keys("h", hist, strlen(hist), ES_INTEL, &s, &dropped, &e), 0);
	es_snap_sort(&s);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.rows[0].tgid, 1234);
	assert_int_equal(s.rows[0].code, 30);
	assert_int_equal(s.rows[0].count, 7);		/* bit 27 folded in */
	assert_int_equal(s.rows[1].code, 0x80000000);
	assert_int_equal(s.rows[1].vcpu, 1);
	assert_int_equal(dropped, 4);
	es_snap_clear(&s);
	assert_int_equal(es_parse_hist_keys("h", "{ common_pid: 1, vcpu_id: 0, exit_reason: 1 } hitcount: 1\nTotals:\n Hits: 2\n Entries: 1\n Dropped: 0\n",
					    96, ES_AMD, &s, &dropped, &e), -1);
	assert_non_null(strstr(e.msg, "Hits: 2, but the hitcounts add up to 1"));
	es_snap_clear(&s);
	assert_int_equal(es_parse_hist_keys("h", "{ exit_reason: 1 } hitcount: 1\n", 31, ES_AMD, &s, &dropped, &e), -1);
	assert_non_null(strstr(e.msg, "'common_pid:' expected"));
	es_snap_free(&s);
}

static const char *no_comm(uint32_t tgid, void *ctx)
{
	(void)tgid;
	(void)ctx;
	return "vm\\\"\n\xff";
}

/* @s as the exporter writes it with @o; the caller frees. */
static char *prom_text(const struct es_snap *s, bool per_vcpu, bool vm_histograms)
{
	struct es_prom_opts o = { per_vcpu, vm_histograms, false, ES_DETAIL_TOP };
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(es_write_prometheus(f, s, &o, no_comm, NULL), 0);
	fclose(f);
	return buf;
}

/*
 * Prometheus text, by default within the series budget: exits per VM and
 * reason (vCPUs summed), per VM only the time's +Inf bucket, sum and count,
 * every bucket per reason for all VMs; cumulative buckets, sum in seconds,
 * escapes.
 */
static void test_prometheus(void **state)
{
	struct es_snap s;
	char *buf, sec[32];

	(void)state;
	assert_string_equal(es_prom_seconds(sec, 0), "0");
	assert_string_equal(es_prom_seconds(sec, 1023), "0.000001023");
	assert_string_equal(es_prom_seconds(sec, 2500000000u), "2.5");
	assert_string_equal(es_prom_seconds(sec, 3000000000u), "3");
	make_snap(&s);
	es_snap_set_vm(&s, 100, "web-1");		/* VM 200 has no name: comm:pid */
	s.rows[0].hist[20] = 1;				/* VM 200: one slow exit too */
	s.health[ES_BPF_STALE] = 3;
	buf = prom_text(&s, false, false);
	assert_non_null(strstr(buf, "# TYPE exitscope_vm_exits_total counter\n"));
	assert_non_null(strstr(buf, "exitscope_vm_exits_total{vm=\"web-1\",comm=\"qemu \\\"x\\\"\",isa=\"svm\",reason=\"0x72\",name=\"cpuid\"} 10\n"));
	assert_null(strstr(buf, "vcpu="));
	/* The /proc name escaped: backslash, quote, newline, a byte not UTF-8. */
	assert_non_null(strstr(buf, "vm=\"vm\\\\\\\"\\n?:200\",comm=\"vm\\\\\\\"\\n?\""));
	assert_non_null(strstr(buf, "# TYPE exitscope_vm_exit_duration_seconds histogram\n"));
	assert_non_null(strstr(buf, "exitscope_vm_exit_duration_seconds_bucket{vm=\"vm\\\\\\\"\\n?:200\",comm=\"vm\\\\\\\"\\n?\",isa=\"svm\",reason=\"0x72\",name=\"cpuid\",le=\"+Inf\"} 11\n"));
	assert_null(strstr(buf, "exitscope_vm_exit_duration_seconds_bucket{vm=\"vm\\\\\\\"\\n?:200\",comm=\"vm\\\\\\\"\\n?\",isa=\"svm\",reason=\"0x72\",name=\"cpuid\",le=\"0.000001023\"}"));
	assert_non_null(strstr(buf, "exitscope_vm_exit_duration_seconds_sum{vm=\"web-1\",comm=\"qemu \\\"x\\\"\",isa=\"svm\",reason=\"0x72\",name=\"cpuid\"} 0.00001\n"));
	assert_non_null(strstr(buf, "exitscope_vm_exit_duration_seconds_count{vm=\"web-1\",comm=\"qemu \\\"x\\\"\",isa=\"svm\",reason=\"0x72\",name=\"cpuid\"} 10\n"));
	/* All VMs: VM 100's 10 and VM 200's 10 below 1,023 ns, VM 200's slow one. */
	assert_non_null(strstr(buf, "# TYPE exitscope_exit_duration_seconds histogram\n"));
	assert_non_null(strstr(buf, "exitscope_exit_duration_seconds_bucket{isa=\"svm\",reason=\"0x72\",name=\"cpuid\",le=\"0.000001023\"} 20\n"));
	assert_non_null(strstr(buf, "exitscope_exit_duration_seconds_bucket{isa=\"svm\",reason=\"0x72\",name=\"cpuid\",le=\"0.002097151\"} 21\n"));
	assert_non_null(strstr(buf, "exitscope_exit_duration_seconds_sum{isa=\"svm\",reason=\"0x72\",name=\"cpuid\"} 0.00002\n"));
	assert_non_null(strstr(buf, "exitscope_exit_duration_seconds_count{isa=\"svm\",reason=\"0x72\",name=\"cpuid\"} 21\n"));
	assert_non_null(strstr(buf, "exitscope_collector_problems_total{kind=\"stale\"} 3\n"));
	assert_null(strstr(buf, "cycles_total"));
	free(buf);
	/* Asked for: per vCPU, and every bucket per VM. */
	buf = prom_text(&s, true, true);
	assert_non_null(strstr(buf, "exitscope_vm_exits_total{vm=\"web-1\",comm=\"qemu \\\"x\\\"\",isa=\"svm\",reason=\"0x72\",name=\"cpuid\",vcpu=\"1\"} 4\n"));
	assert_non_null(strstr(buf, "exitscope_vm_exit_duration_seconds_bucket{vm=\"vm\\\\\\\"\\n?:200\",comm=\"vm\\\\\\\"\\n?\",isa=\"svm\",reason=\"0x72\",name=\"cpuid\",le=\"0.000001023\"} 10\n"));
	assert_non_null(strstr(buf, "name=\"cpuid\",le=\"0.002097151\"} 11\n"));
	free(buf);
	es_snap_free(&s);
}

/*
 * A record's span: gauges only (each write replaces the last span's, so a
 * counter would go down), with the span's length and percentiles.
 */
static void test_prometheus_span(void **state)
{
	const struct es_prom_opts per_vcpu = { .per_vcpu = true }, per_vm = { 0 };
	struct es_snap s;
	char *buf = NULL;
	size_t len;
	FILE *f;

	(void)state;
	make_snap(&s);
	s.health[ES_BPF_STALE] = 3;
	f = open_memstream(&buf, &len);
	assert_int_equal(es_write_prometheus_span(f, &s, 2500000000u, &per_vcpu, no_comm, NULL), 0);
	fclose(f);
	assert_null(strstr(buf, " counter\n"));
	assert_null(strstr(buf, " histogram\n"));
	assert_null(strstr(buf, "_total"));
	assert_non_null(strstr(buf, "# TYPE exitscope_record_span_seconds gauge\nexitscope_record_span_seconds 2.5\n"));
	assert_non_null(strstr(buf, "# TYPE exitscope_record_exits gauge\n"));
	assert_non_null(strstr(buf, "exitscope_record_exits{vm=\"qemu \\\"x\\\":100\",comm=\"qemu \\\"x\\\"\",isa=\"svm\",reason=\"0x72\",name=\"cpuid\",vcpu=\"1\"} 4\n"));
	assert_non_null(strstr(buf, "name=\"cpuid\",percentile=\"99\"} 0.000001"));
	assert_non_null(strstr(buf, "exitscope_record_collector_problems{kind=\"stale\"} 3\n"));
	free(buf);
	/* By default per VM and reason: VM 100's vCPUs summed. */
	buf = NULL;
	f = open_memstream(&buf, &len);
	assert_int_equal(es_write_prometheus_span(f, &s, 2500000000u, &per_vm, no_comm, NULL), 0);
	fclose(f);
	assert_non_null(strstr(buf, "exitscope_record_exits{vm=\"qemu \\\"x\\\":100\",comm=\"qemu \\\"x\\\"\",isa=\"svm\",reason=\"0x72\",name=\"cpuid\"} 10\n"));
	assert_null(strstr(buf, "vcpu="));
	free(buf);
	es_snap_free(&s);
}

/*
 * A snapshot of drill-down: VM 100's 100 I/O exits, 0x3f8 out (30 in
 * @early, all before the interval) and 0x3fd in (20, all in it), eleven
 * ports 0x200.. of 2 each, 28 without a key; 5 MSR exits, 0x6e0 written
 * 5 times; 8 NPFs of two kinds. VM 200: 10 CPUID exits, no keys. Without
 * @late, the snapshot before the interval.
 */
static void detail_snap(struct es_snap *s, bool late)
{
	struct es_detail d = { .tgid = 100, .code = 0x7b, .kind = ES_BPF_DK_IO };
	struct es_snap_row r;
	unsigned int i;

	es_snap_init(s);
	snprintf(s->source, sizeof(s->source), "bpf");
	s->vendor = ES_AMD;
	s->vendor_known = true;
	s->has = ES_SNAP_NS | ES_SNAP_DETAIL;
	s->at_ns = late ? 2000000000u : 1000000000u;
	r = srow(100, ES_VCPU_ALL, 0x7b, late ? 100 : 30); es_snap_add(s, &r);
	r = srow(100, ES_VCPU_ALL, 0x7c, 5); es_snap_add(s, &r);
	r = srow(200, ES_VCPU_ALL, 0x72, 10); es_snap_add(s, &r);
	d.value = 0x3f8;
	d.count = 30;
	es_snap_add_detail(s, &d);
	if (!late)
		goto msr;
	d.value = 0x3fd;
	d.flags = ES_BPF_DF_IN;
	d.count = 20;
	es_snap_add_detail(s, &d);
	d.flags = 0;
	for (i = 0; i < 11; i++) {
		d.value = 0x200 + i;
		d.count = 2;
		es_snap_add_detail(s, &d);
	}
msr:
	d = (struct es_detail){ .tgid = 100, .code = 0x7c, .kind = ES_BPF_DK_MSR,
				.flags = ES_BPF_DF_WRITE, .value = 0x6e0, .count = 5 };
	es_snap_add_detail(s, &d);
	/* 8 nested page faults: 3 on a page, 4 MMIO, 1 without a key. */
	r = srow(100, ES_VCPU_ALL, 0x400, 8); es_snap_add(s, &r);
	d = (struct es_detail){ .tgid = 100, .code = 0x400, .kind = ES_BPF_DK_GPA,
				.value = 0x1000, .count = 3 };
	es_snap_add_detail(s, &d);
	d = (struct es_detail){ .tgid = 100, .code = 0x400, .kind = ES_BPF_DK_MMIO,
				.value = 0xfee000b0, .count = 4 };
	es_snap_add_detail(s, &d);
}

/*
 * top's expanded reason: below it the busiest keys of the interval, the
 * rest as "(other)", the exits without a key as "(no key)", adding up to
 * the reason; only the reasons asked for, only in the reasons view.
 */
static void test_top_expand(void **state)
{
	struct es_top_opts o = { .mode = ES_TOP_REASONS };
	struct es_snap first, prev, cur;
	struct es_top_view v;
	uint64_t sum = 0, dsum = 0;
	char *buf = NULL;
	const char *p;
	size_t len, i;
	FILE *f;

	(void)state;
	es_snap_init(&first);
	first.vendor = ES_AMD;
	detail_snap(&prev, false);
	detail_snap(&cur, true);
	/* Not asked for: no keys. */
	assert_int_equal(es_top_build(&first, &prev, &cur, &o, &v), 0);
	assert_true(v.detail);
	assert_int_equal(v.nkeys, 0);
	es_top_free(&v);
	snprintf(o.expand, sizeof(o.expand), "IO");
	assert_true(es_top_expands(&o, ES_AMD, 0x7b));
	assert_false(es_top_expands(&o, ES_AMD, 0x7c));
	assert_true(es_top_expand_known(ES_AMD, "0x7b"));
	assert_true(es_top_expand_known(ES_AMD, "*"));
	assert_false(es_top_expand_known(ES_AMD, "0x7"));
	assert_false(es_top_expand_known(ES_INTEL, "npf"));
	assert_int_equal(es_top_build(&first, &prev, &cur, &o, &v), 0);
	/* 10 keys, (other) of 3, (no key). */
	assert_int_equal(v.nkeys, ES_TOP_KEYS + 2);
	/* The interval's busiest first: 0x3fd (20 in it) before 0x3f8 (none in it, 30 in all). */
	assert_int_equal(v.keys[0].value, 0x3fd);
	assert_int_equal(v.keys[0].flags, ES_BPF_DF_IN);
	assert_int_equal(v.keys[0].delta, 20);
	assert_int_equal(v.keys[1].value, 0x200);
	assert_int_equal(v.keys[ES_TOP_KEYS - 1].value, 0x208);
	/* The rest: 0x209, 0x20a and 0x3f8, idle in the interval. */
	assert_int_equal(v.keys[ES_TOP_KEYS].what, ES_TOP_OTHER);
	assert_int_equal(v.keys[ES_TOP_KEYS].nkeys, 3);
	assert_int_equal(v.keys[ES_TOP_KEYS].total, 34);
	assert_int_equal(v.keys[ES_TOP_KEYS].delta, 4);
	assert_int_equal(v.keys[ES_TOP_KEYS + 1].what, ES_TOP_NOKEY);
	assert_int_equal(v.keys[ES_TOP_KEYS + 1].total, 28);
	assert_int_equal(v.keys[ES_TOP_KEYS + 1].delta, 28);
	for (i = 0; i < v.nkeys; i++) {
		assert_int_equal(v.keys[i].code, 0x7b);
		sum += v.keys[i].total;
		dsum += v.keys[i].delta;
	}
	assert_int_equal(v.rows[0].code, 0x7b);
	assert_int_equal(sum, v.rows[0].total);
	assert_int_equal(dsum, v.rows[0].delta);
	f = open_memstream(&buf, &len);
	es_top_render(f, &v, 0, 0);
	fclose(f);
	assert_non_null(strstr(buf, ", expanded: IO\n"));
	assert_non_null(strstr(buf, "\n      0x7b  io "));
	if (!strstr(buf, "\n     0x3fd    io in COM1 (8250 UART) "))
		fail_msg("%s", buf);
	assert_non_null(strstr(buf, "\n   (other)    io: 3 more keys "));
	/* The reason's line, its 12 lines, the last (no key) of 28, then the next reason. */
	p = strstr(buf, "\n  (no key)    exits without a key ");
	assert_non_null(p);
	assert_int_equal(sscanf(p, " (no key) exits without a key %" SCNu64 " %" SCNu64, &sum, &dsum), 2);
	assert_int_equal(sum, 28);
	assert_int_equal(dsum, 28);
	p = strchr(p + 1, '\n');
	assert_non_null(p);
	assert_memory_equal(p, "\n      0x72  cpuid ", 19);
	free(buf);
	/* Four rows at most: the reason and three of its keys. */
	buf = NULL;
	f = open_memstream(&buf, &len);
	assert_int_equal(es_top_render(f, &v, 0, 4), 2 + 4 + 1);
	fclose(f);
	assert_non_null(strstr(buf, "(3 more)"));	/* msr, npf, cpuid */
	free(buf);
	es_top_free(&v);
	/* Sorted by total: the keys too, 0x3f8 first. */
	o.sort = ES_TOP_BY_TOTAL;
	assert_int_equal(es_top_build(&first, &prev, &cur, &o, &v), 0);
	assert_int_equal(v.keys[0].value, 0x3f8);
	assert_int_equal(v.keys[1].value, 0x3fd);
	assert_int_equal(v.keys[ES_TOP_KEYS].nkeys, 3);
	assert_int_equal(v.keys[ES_TOP_KEYS].total, 6);
	es_top_free(&v);
	o.sort = ES_TOP_BY_RATE;
	/* Two kinds below one reason: each kind's keys, then one (no key) for the reason. */
	snprintf(o.expand, sizeof(o.expand), "npf");
	assert_int_equal(es_top_build(&first, &prev, &cur, &o, &v), 0);
	assert_int_equal(v.nkeys, 3);
	assert_int_equal(v.keys[0].kind, ES_BPF_DK_GPA);
	assert_int_equal(v.keys[1].kind, ES_BPF_DK_MMIO);
	assert_int_equal(v.keys[2].what, ES_TOP_NOKEY);
	assert_int_equal(v.keys[2].total, 1);
	es_top_free(&v);
	/* Every reason: the MSR's key too; VM 200's reasons have none. */
	snprintf(o.expand, sizeof(o.expand), "*");
	assert_int_equal(es_top_build(&first, &prev, &cur, &o, &v), 0);
	assert_int_equal(v.nkeys, ES_TOP_KEYS + 3 + 3);
	assert_int_equal(v.keys[ES_TOP_KEYS + 2].value, 0x6e0);
	assert_int_equal(v.keys[ES_TOP_KEYS + 2].total, 5);
	es_top_free(&v);
	o.pid = 200;
	assert_int_equal(es_top_build(&first, &prev, &cur, &o, &v), 0);
	assert_int_equal(v.nkeys, 0);
	es_top_free(&v);
	o.pid = 0;
	o.mode = ES_TOP_VMS;
	assert_int_equal(es_top_build(&first, &prev, &cur, &o, &v), 0);
	assert_int_equal(v.nkeys, 0);
	es_top_free(&v);
	es_snap_free(&first);
	es_snap_free(&prev);
	es_snap_free(&cur);
}

/* Whether every sample of @text follows its own family's # TYPE line. */
static bool families_contiguous(const char *text)
{
	char family[128] = "", name[128];
	const char *p = text;

	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p) : strlen(p);

		if (!strncmp(p, "# TYPE ", 7)) {
			sscanf(p + 7, "%127s", family);
		} else if (*p != '#') {
			sscanf(p, "%127[^{ ]", name);
			if (strncmp(name, family, strlen(family)))
				return false;
		}
		p += n + (eol ? 1 : 0);
	}
	return true;
}

/*
 * The drill-down in Prometheus: the busiest keys of each VM, reason and
 * kind labelled, the rest's exits and the keys' number as gauges, each
 * family in one piece; none without the drill-down.
 */
static void test_prometheus_detail(void **state)
{
	struct es_prom_opts o = { .detail_top = 2 };
	struct es_snap s;
	char *buf = NULL;
	size_t len;
	FILE *f;

	(void)state;
	detail_snap(&s, true);
	f = open_memstream(&buf, &len);
	assert_int_equal(es_write_prometheus(f, &s, &o, no_comm, NULL), 0);
	fclose(f);
	assert_true(families_contiguous(buf));
	assert_non_null(strstr(buf, "# TYPE exitscope_vm_exits_by_key_total counter\n"));
	assert_non_null(strstr(buf, "exitscope_vm_exits_by_key_total{vm=\"vm\\\\\\\"\\n?:100\",comm=\"vm\\\\\\\"\\n?\",isa=\"svm\",reason=\"0x7b\",name=\"io\",kind=\"io\",key=\"0x3f8\",dir=\"out\",key_name=\"COM1 (8250 UART)\"} 30\n"));
	assert_non_null(strstr(buf, "kind=\"io\",key=\"0x3fd\",dir=\"in\",key_name=\"COM1 (8250 UART)\"} 20\n"));
	assert_null(strstr(buf, "key=\"0x200\""));	/* the third busiest: not labelled */
	assert_non_null(strstr(buf, "kind=\"msr\",key=\"0x6e0\",dir=\"write\",key_name=\"IA32_TSC_DEADLINE\"} 5\n"));
	assert_non_null(strstr(buf, "# TYPE exitscope_vm_exits_by_key_other gauge\n"));
	assert_non_null(strstr(buf, "exitscope_vm_exits_by_key_other{vm=\"vm\\\\\\\"\\n?:100\",comm=\"vm\\\\\\\"\\n?\",isa=\"svm\",reason=\"0x7b\",name=\"io\",kind=\"io\"} 22\n"));
	assert_non_null(strstr(buf, "exitscope_vm_exit_keys{vm=\"vm\\\\\\\"\\n?:100\",comm=\"vm\\\\\\\"\\n?\",isa=\"svm\",reason=\"0x7b\",name=\"io\",kind=\"io\"} 13\n"));
	assert_non_null(strstr(buf, "reason=\"0x7c\",name=\"msr\",kind=\"msr\"} 1\n"));
	free(buf);
	/* No key labelled: the keys' exits all summed. */
	o.detail_top = 0;
	buf = NULL;
	f = open_memstream(&buf, &len);
	assert_int_equal(es_write_prometheus(f, &s, &o, no_comm, NULL), 0);
	fclose(f);
	assert_null(strstr(buf, "key=\""));
	assert_non_null(strstr(buf, "name=\"io\",kind=\"io\"} 72\n"));
	free(buf);
	/* A record's span: gauges. */
	o.detail_top = 10;
	buf = NULL;
	f = open_memstream(&buf, &len);
	assert_int_equal(es_write_prometheus_span(f, &s, 1000000000u, &o, no_comm, NULL), 0);
	fclose(f);
	assert_true(families_contiguous(buf));
	assert_null(strstr(buf, " counter\n"));
	assert_non_null(strstr(buf, "# TYPE exitscope_record_exits_by_key gauge\n"));
	assert_non_null(strstr(buf, "kind=\"io\",key=\"0x200\",dir=\"out\"} 2\n"));
	assert_non_null(strstr(buf, "name=\"io\",kind=\"io\"} 6\n"));	/* 0x208-0x20a: beyond 10 */
	free(buf);
	/* Without the drill-down: nothing of it. */
	s.has &= ~ES_SNAP_DETAIL;
	buf = NULL;
	f = open_memstream(&buf, &len);
	assert_int_equal(es_write_prometheus(f, &s, &o, no_comm, NULL), 0);
	fclose(f);
	assert_null(strstr(buf, "by_key"));
	free(buf);
	es_snap_free(&s);
}

/* QEMU's -name in its forms, an option and a variable of the user's, libvirt's scope. */
static void test_vm_names(void **state)
{
	static const char qemu[] = "qemu-system-x86_64\0-m\0512\0-name\0guest=web1,debug-threads=on\0-smp\02";
	static const char plain[] = "qemu\0-name\0db,,2,process=qemu-db";
	static const char keys_only[] = "qemu\0-name\0process=x,debug-threads=on";
	static const char fc[] = "firecracker\0--api-sock\0/run/a.sock\0--id=vm-7\0";
	static const char env[] = "PATH=/bin\0VM_NAME_X=no\0VM_NAME=api-3\0";
	static const char cg[] = "0::/machine.slice/machine-qemu\\x2d3\\x2dweb\\x2d1.scope/libvirt/vcpu0\n";
	static const char odd[] = "qemu\0-name\0a\tb\001c";
	struct es_name_rule rule;
	char out[ES_VM_NAME_MAX];

	(void)state;
	assert_true(es_vm_name_from_cmdline(qemu, sizeof(qemu), "-name", out, sizeof(out)));
	assert_string_equal(out, "web1");
	assert_true(es_vm_name_from_cmdline(plain, sizeof(plain), "-name", out, sizeof(out)));
	assert_string_equal(out, "db,2");			/* ",," is a comma */
	assert_false(es_vm_name_from_cmdline(keys_only, sizeof(keys_only), "-name", out, sizeof(out)));
	assert_false(es_vm_name_from_cmdline(qemu, sizeof(qemu), "-uuid", out, sizeof(out)));
	assert_false(es_vm_name_from_cmdline("qemu\0-name", 11, "-name", out, sizeof(out)));
	assert_true(es_vm_name_from_cmdline(fc, sizeof(fc), "--id", out, sizeof(out)));
	assert_string_equal(out, "vm-7");
	assert_true(es_vm_name_from_cmdline(odd, sizeof(odd), "-name", out, sizeof(out)));
	assert_string_equal(out, "a?b?c");			/* what a label may not hold */
	assert_true(es_vm_name_from_environ(env, sizeof(env), "VM_NAME", out, sizeof(out)));
	assert_string_equal(out, "api-3");
	assert_false(es_vm_name_from_environ(env, sizeof(env), "VM", out, sizeof(out)));
	assert_true(es_vm_name_from_cgroup(cg, strlen(cg), out, sizeof(out)));
	assert_string_equal(out, "web-1");
	assert_false(es_vm_name_from_cgroup("0::/user.slice/x.scope\n", 23, out, sizeof(out)));
	/* Long names are cut to fit. */
	assert_true(es_vm_name_from_environ("N=0123456789012345678901234567890123456789012345678901234567890123456789", 72,
					    "N", out, sizeof(out)));
	assert_int_equal(strlen(out), ES_VM_NAME_MAX - 1);
	assert_true(es_name_rule_parse("arg:--id", &rule));
	assert_int_equal(rule.kind, ES_NAME_ARG);
	assert_string_equal(rule.key, "--id");
	assert_true(es_name_rule_parse("env:VM_NAME", &rule));
	assert_int_equal(rule.kind, ES_NAME_ENV);
	assert_false(es_name_rule_parse("arg:", &rule));
	assert_false(es_name_rule_parse("cmd:x", &rule));
	assert_false(es_name_rule_parse("env:A=B", &rule));
}

/* Two VMs of one name would share series: each gets NAME:PID instead. */
static void test_prometheus_shared_name(void **state)
{
	struct es_snap s;
	char *buf;

	(void)state;
	make_snap(&s);
	es_snap_set_vm(&s, 100, "db");
	es_snap_set_vm(&s, 200, "db");
	buf = prom_text(&s, false, false);
	assert_non_null(strstr(buf, "exitscope_vm_exits_total{vm=\"db:100\","));
	assert_non_null(strstr(buf, "exitscope_vm_exits_total{vm=\"db:200\","));
	assert_null(strstr(buf, "{vm=\"db\","));
	free(buf);
	es_snap_set_vm(&s, 200, "db2");
	buf = prom_text(&s, false, false);
	assert_non_null(strstr(buf, "exitscope_vm_exits_total{vm=\"db\","));
	assert_non_null(strstr(buf, "exitscope_vm_exits_total{vm=\"db2\","));
	free(buf);
	es_snap_free(&s);
}

/*
 * top's three snapshots: none at first, then make_snap() at 1 s and at 3 s,
 * where VM 100 had 5 io exits of 5 us each (fewer in all than cpuid).
 */
static void top_snaps(struct es_snap *first, struct es_snap *prev, struct es_snap *cur)
{
	es_snap_init(first);
	make_snap(prev);
	prev->at_ns = 1000000000u;
	make_snap(cur);
	cur->at_ns = 3000000000u;
	cur->rows[3].count += 5;
	cur->rows[3].time_ns += 5 * 5000;
	cur->rows[3].hist[12] += 5;
}

/* The top table: every width up to 130 keeps every line within it, columns go in order. */
static void test_top_widths(void **state)
{
	const struct es_top_opts all = { 0 }, vm200 = { .pid = 200 }, vcpus = { .mode = ES_TOP_VCPUS };
	struct es_snap first, prev, cur;
	struct es_top_view v;
	unsigned int w;

	(void)state;
	top_snaps(&first, &prev, &cur);
	assert_int_equal(es_top_build(&first, &prev, &cur, &all, &v), 0);
	assert_int_equal(v.nvms, 2);
	assert_int_equal(v.rows[0].code, 0x7b);		/* the busiest interval first */
	assert_int_equal(v.rows[0].delta, 5);
	assert_int_equal(v.rows[1].code, 0x72);		/* then by total */
	assert_int_equal(v.total, 27);
	for (w = 0; w <= 130; w++) {
		char *buf = NULL, *p, *nl;
		size_t len;
		FILE *f = open_memstream(&buf, &len);
		int lines = es_top_render(f, &v, w, 0);

		fclose(f);
		assert_int_equal(lines, 4);
		for (p = buf; (nl = strchr(p, '\n')); p = nl + 1)
			if (w && (unsigned int)(nl - p) > w)
				fail_msg("width %u: a line of %d: '%.*s'", w, (int)(nl - p),
					 (int)(nl - p), p);
		/* Lines are cut to the width as a last resort: no column may need it. */
		p = strchr(buf, '\n') + 1;
		nl = strchr(p, '\n');
		if (w >= 21 && !((nl - p >= 5 && !memcmp(nl - 5, "time%", 5)) ||
		      (nl - p >= 4 && !memcmp(nl - 4, "time", 4)) || (nl - p >= 5 && !memcmp(nl - 5, "total", 5)) ||
		      (nl - p >= 4 && !memcmp(nl - 4, "%tot", 4)) ||
		      (nl - p >= 5 && !memcmp(nl - 5, "per s", 5))))
			fail_msg("width %u: the last column is cut: '%.*s'", w, (int)(nl - p), p);
		if (w == 0 || w >= 80) {
			assert_non_null(strstr(buf, "io"));
			assert_non_null(strstr(buf, "5.0us"));	/* the interval's mean */
			assert_non_null(strstr(buf, "%tot"));
		}
		if (w == 60) {
			assert_non_null(strstr(buf, "%tot"));	/* a shorter name keeps it */
			assert_null(strstr(buf, " time"));
		}
		/* The name goes last: total, share and times before it. */
		if (w == 40) {
			assert_non_null(strstr(buf, "name"));
			assert_null(strstr(buf, "total"));
		}
		if (w == 30)
			assert_non_null(strstr(buf, "  cpuid"));	/* cut to 7, still there */
		if (w == 20)
			assert_null(strstr(buf, "name"));	/* reason and rate remain */
		free(buf);
	}
	es_top_free(&v);
	/* The vCPU view's wider key column keeps every line within the width too. */
	assert_int_equal(es_top_build(&first, &prev, &cur, &vcpus, &v), 0);
	for (w = 0; w <= 130; w++) {
		char *buf = NULL, *p, *nl;
		size_t len;
		FILE *f = open_memstream(&buf, &len);

		assert_int_equal(es_top_render(f, &v, w, 0), 5);
		fclose(f);
		for (p = buf; (nl = strchr(p, '\n')); p = nl + 1)
			if (w && (unsigned int)(nl - p) > w)
				fail_msg("vCPUs, width %u: a line of %d", w, (int)(nl - p));
		if (w >= 23)
			assert_non_null(strstr(buf, "     100/1"));
		free(buf);
	}
	es_top_free(&v);
	/* One VM: its rows only. */
	assert_int_equal(es_top_build(&first, &prev, &cur, &vm200, &v), 0);
	assert_int_equal(v.n, 1);
	assert_int_equal(v.total, 10);
	es_top_free(&v);
	es_snap_free(&prev);
	es_snap_free(&cur);
}

/* top's views: per VM (named, or by pid), each sort, a filter on reason names. */
static void test_top_views(void **state)
{
	struct es_top_opts o = { .mode = ES_TOP_VMS };
	struct es_snap first, prev, cur;
	struct es_top_view v;
	char *buf = NULL;
	size_t len;
	FILE *f;

	(void)state;
	top_snaps(&first, &prev, &cur);
	es_snap_set_vm(&cur, 100, "web-1");
	assert_int_equal(es_top_build(&first, &prev, &cur, &o, &v), 0);
	assert_int_equal(v.n, 2);
	assert_int_equal(v.rows[0].pid, 100);		/* the busy one first */
	assert_string_equal(v.rows[0].label, "web-1");
	assert_int_equal(v.rows[0].total, 17);
	assert_int_equal(v.rows[0].delta, 5);
	assert_int_equal(v.rows[1].pid, 200);
	assert_string_equal(v.rows[1].label, "200");	/* no name, no comm: the pid */
	f = open_memstream(&buf, &len);
	es_top_render(f, &v, 0, 0);
	fclose(f);
	assert_non_null(strstr(buf, "VMs by rate"));
	assert_non_null(strstr(buf, "       pid  vm "));
	assert_non_null(strstr(buf, "       100  web-1 "));
	free(buf);
	es_top_free(&v);
	o.sort = ES_TOP_BY_NAME;
	assert_int_equal(es_top_build(&first, &prev, &cur, &o, &v), 0);
	assert_int_equal(v.rows[0].pid, 200);		/* "200" before "web-1" */
	es_top_free(&v);
	/* Per vCPU: VM 100's two vCPUs apart, its reasons summed in each. */
	o.sort = ES_TOP_BY_RATE;
	o.mode = ES_TOP_VCPUS;
	assert_int_equal(es_top_build(&first, &prev, &cur, &o, &v), 0);
	assert_int_equal(v.n, 3);
	assert_int_equal(v.rows[0].pid, 100);
	assert_int_equal(v.rows[0].vcpu, 0);		/* cpuid 6 + io 2 + 5 */
	assert_int_equal(v.rows[0].total, 13);
	assert_int_equal(v.rows[0].delta, 5);
	assert_int_equal(v.rows[1].pid, 200);		/* then by total: 10 */
	assert_int_equal(v.rows[2].pid, 100);
	assert_int_equal(v.rows[2].vcpu, 1);
	assert_int_equal(v.rows[2].total, 4);
	f = open_memstream(&buf, &len);
	es_top_render(f, &v, 0, 0);
	fclose(f);
	assert_non_null(strstr(buf, "vCPUs by rate"));
	assert_non_null(strstr(buf, "    pid/vcpu  vm "));
	assert_non_null(strstr(buf, "       100/1  web-1 "));
	free(buf);
	es_top_free(&v);
	o.pid = 200;					/* one VM's vCPUs */
	assert_int_equal(es_top_build(&first, &prev, &cur, &o, &v), 0);
	assert_int_equal(v.n, 1);
	assert_int_equal(v.rows[0].pid, 200);
	es_top_free(&v);
	o.pid = 0;
	snprintf(o.vm_filter, sizeof(o.vm_filter), "WEB");	/* VMs by name, either case */
	assert_int_equal(es_top_build(&first, &prev, &cur, &o, &v), 0);
	assert_int_equal(v.n, 2);				/* web-1's two vCPUs */
	assert_int_equal(v.rows[0].pid, 100);
	assert_int_equal(v.rows[1].pid, 100);
	f = open_memstream(&buf, &len);
	es_top_render(f, &v, 0, 0);
	fclose(f);
	assert_non_null(strstr(buf, "vCPUs by rate, VMs named with 'WEB'"));
	free(buf);
	es_top_free(&v);
	o.mode = ES_TOP_REASONS;			/* the reasons view ignores it */
	assert_int_equal(es_top_build(&first, &prev, &cur, &o, &v), 0);
	assert_int_equal(v.total, 27);
	es_top_free(&v);
	o.vm_filter[0] = 0;
	o.sort = ES_TOP_BY_TOTAL;
	o.mode = ES_TOP_REASONS;
	assert_int_equal(es_top_build(&first, &prev, &cur, &o, &v), 0);
	assert_int_equal(v.rows[0].code, 0x72);		/* cpuid: 20 in all */
	es_top_free(&v);
	o.sort = ES_TOP_BY_TIME;
	assert_int_equal(es_top_build(&first, &prev, &cur, &o, &v), 0);
	assert_int_equal(v.rows[0].code, 0x7b);		/* io: the interval's time */
	assert_int_equal(v.delta_ns, 25000);
	es_top_free(&v);
	snprintf(o.filter, sizeof(o.filter), "IO");	/* either case */
	assert_int_equal(es_top_build(&first, &prev, &cur, &o, &v), 0);
	assert_int_equal(v.n, 1);
	assert_int_equal(v.rows[0].code, 0x7b);
	assert_int_equal(v.total, 7);
	f = open_memstream(&buf, &len);
	es_top_render(f, &v, 0, 0);
	fclose(f);
	assert_non_null(strstr(buf, "reasons by time, names with 'IO'"));
	free(buf);
	es_top_free(&v);
	es_snap_free(&prev);
	es_snap_free(&cur);
}

static void http(const char *req, enum es_http_verdict want)
{
	enum es_http_verdict got = es_http_parse(req, strlen(req));

	if (got != want)
		fail_msg("'%s': wanted %d, got %d", req, want, got);
}

/* Only GET /metrics; the rest answered with the right status. */
static void test_http(void **state)
{
	char big[ES_HTTP_MAX_REQUEST + 2];
	const char *reason;

	(void)state;
	http("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", ES_HTTP_METRICS);
	http("GET /metrics HTTP/1.0\n\n", ES_HTTP_METRICS);
	http("GET /metrics HTTP/1.1\r\nHost: x\r\n", ES_HTTP_MORE);
	http("GET / HTTP/1.1\r\n\r\n", ES_HTTP_NOT_FOUND);
	http("GET /metrics/ HTTP/1.1\r\n\r\n", ES_HTTP_NOT_FOUND);
	/* A scrape config's params: arrive as a query, which is ignored. */
	http("GET /metrics?x=1 HTTP/1.1\r\n\r\n", ES_HTTP_METRICS);
	http("GET /metrics? HTTP/1.1\r\n\r\n", ES_HTTP_METRICS);
	http("GET /metricsx HTTP/1.1\r\n\r\n", ES_HTTP_NOT_FOUND);
	http("GET /metric HTTP/1.1\r\n\r\n", ES_HTTP_NOT_FOUND);
	http("POST /metrics HTTP/1.1\r\n\r\n", ES_HTTP_METHOD);
	http("HEAD /metrics HTTP/1.1\r\n\r\n", ES_HTTP_METHOD);
	http("GET /metrics HTTP/2.0\r\n\r\n", ES_HTTP_VERSION);
	http("GET /metrics HTTP/1.9\r\n\r\n", ES_HTTP_VERSION);
	http("GET /metrics\r\n\r\n", ES_HTTP_BAD);
	http("GET / \r\n\r\n", ES_HTTP_BAD);		/* fuzzer: read past a short version */
	http("GET /metrics HTTP\r\n\r\n", ES_HTTP_BAD);
	http("GET  /metrics HTTP/1.1\r\n\r\n", ES_HTTP_BAD);
	http("G3T /metrics HTTP/1.1\r\n\r\n", ES_HTTP_BAD);
	/*
	 * The verdict comes from the headers alone, the same however the
	 * bytes arrive: a declared body is refused also when it has not come
	 * yet, bytes after the headers are never read (the answer closes).
	 */
	http("GET /metrics HTTP/1.1\r\nContent-Length: 4\r\n\r\nbody", ES_HTTP_BAD);
	http("GET /metrics HTTP/1.1\r\nContent-Length: 4\r\n\r\n", ES_HTTP_BAD);
	http("GET /metrics HTTP/1.1\r\ncontent-length:4\n\n", ES_HTTP_BAD);
	http("GET /metrics HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", ES_HTTP_BAD);
	http("GET /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n", ES_HTTP_METRICS);
	http("GET /metrics HTTP/1.1\r\n\r\nbody", ES_HTTP_METRICS);
	http("GET /metrics HTTP/1.1\r\n\r\n\x01\xff", ES_HTTP_METRICS);
	http("GET /metrics HTTP/1.1\r\nX-Content-Length: 4\r\n\r\n", ES_HTTP_METRICS);
	http("GET /met\x01rics HTTP/1.1\r\n\r\n", ES_HTTP_BAD);
	http("GET /metrics HTTP/1.1\r\nX: \xc3\xa9\r\n\r\n", ES_HTTP_BAD);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "GET /metrics HTTP/1.1\r\nX: ", 26);
	assert_int_equal(es_http_parse(big, ES_HTTP_MAX_REQUEST), ES_HTTP_TOO_BIG);
	assert_int_equal(es_http_parse(big, ES_HTTP_MAX_REQUEST + 1), ES_HTTP_TOO_BIG);
	assert_int_equal(es_http_parse(big, 100), ES_HTTP_MORE);
	/* Complete, but one byte over: refused all the same. */
	memcpy(big + ES_HTTP_MAX_REQUEST - 3, "\r\n\r\n", 4);
	assert_int_equal(es_http_parse(big, ES_HTTP_MAX_REQUEST + 1), ES_HTTP_TOO_BIG);
	assert_int_equal(es_http_status(ES_HTTP_NOT_FOUND, &reason), 404);
	assert_int_equal(es_http_status(ES_HTTP_TOO_BIG, &reason), 431);
	assert_int_equal(es_http_status(ES_HTTP_BAD, &reason), 400);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fold_reason),
		cmocka_unit_test(test_block_slots),
		cmocka_unit_test(test_block_home),
		cmocka_unit_test(test_key_tag),
		cmocka_unit_test(test_snap_merge),
		cmocka_unit_test(test_buckets),
		cmocka_unit_test(test_percentiles),
		cmocka_unit_test(test_snap_diff),
		cmocka_unit_test(test_snap_fold),
		cmocka_unit_test(test_record_from_snap),
		cmocka_unit_test(test_record_json_roundtrip),
		cmocka_unit_test(test_record_json_refused),
		cmocka_unit_test(test_detail_model),
		cmocka_unit_test(test_detail_json),
		cmocka_unit_test(test_detail_table),
		cmocka_unit_test(test_detail_json_refused),
		cmocka_unit_test(test_memslots),
		cmocka_unit_test(test_memslots_record),
		cmocka_unit_test(test_record_verdict),
		cmocka_unit_test(test_compare),
		cmocka_unit_test(test_module_stats),
		cmocka_unit_test(test_hist_keys),
		cmocka_unit_test(test_prometheus),
		cmocka_unit_test(test_prometheus_span),
		cmocka_unit_test(test_prometheus_detail),
		cmocka_unit_test(test_vm_names),
		cmocka_unit_test(test_prometheus_shared_name),
		cmocka_unit_test(test_top_widths),
		cmocka_unit_test(test_top_views),
		cmocka_unit_test(test_top_expand),
		cmocka_unit_test(test_http),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
