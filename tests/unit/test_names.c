// SPDX-License-Identifier: GPL-2.0-only
/*
 * The names below an exit reason (tools/lib/model/names.c): each table
 * sorted and found by its lookup at every row, and the names the Intel SDM
 * and AMD APM give a few indices and ports. That the MSR and hypercall
 * tables are the kernel's own is tests/unit/check-names.sh's to show.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "model/names.h"

static void sorted_and_found(const struct es_name *t, size_t n, const char *(*find)(uint64_t))
{
	size_t i;

	assert_true(n > 0);
	for (i = 0; i < n; i++) {
		if (i && t[i].id <= t[i - 1].id)
			fail_msg("row %zu (0x%llx) not after 0x%llx", i, (unsigned long long)t[i].id,
				 (unsigned long long)t[i - 1].id);
		assert_non_null(t[i].name);
		assert_true(t[i].name[0] != '\0');
		/* A Prometheus label and a table cell: short, plain. */
		assert_true(strlen(t[i].name) <= 63);
		assert_null(strpbrk(t[i].name, " \"\\\n"));
		assert_ptr_equal(find(t[i].id), t[i].name);
		/* Between two rows: nothing. */
		if (i && t[i].id > t[i - 1].id + 1)
			assert_null(find(t[i].id - 1));
	}
	assert_null(find(t[n - 1].id + 1));
}

static const char *msr(uint64_t id)
{
	return id > UINT32_MAX ? NULL : es_msr_name((uint32_t)id);
}

static void test_msr_table(void **state)
{
	const struct es_name *t;
	size_t n;

	(void)state;
	t = es_msr_names_table(&n);
	sorted_and_found(t, n, msr);
}

static void test_hypercall_table(void **state)
{
	const struct es_name *t;
	size_t n;

	(void)state;
	t = es_hypercall_names_table(&n);
	sorted_and_found(t, n, es_hypercall_name);
	assert_null(es_hypercall_name(0));
}

/* Names the manuals give: SDM vol. 4 (MSRs), vol. 3 table 11-6 (x2APIC), KVM's msr.rst. */
static void test_msr_names(void **state)
{
	(void)state;
	assert_string_equal(es_msr_name(0x10), "IA32_TSC");
	assert_string_equal(es_msr_name(0x1b), "IA32_APICBASE");
	assert_string_equal(es_msr_name(0x6e0), "IA32_TSC_DEADLINE");
	assert_string_equal(es_msr_name(0xc0000080), "EFER");
	assert_string_equal(es_msr_name(0x802), "X2APIC_ID");
	assert_string_equal(es_msr_name(0x80b), "X2APIC_EOI");
	assert_string_equal(es_msr_name(0x830), "X2APIC_ICR");
	assert_string_equal(es_msr_name(0x838), "X2APIC_TMICT");
	assert_string_equal(es_msr_name(0x83f), "X2APIC_SELF_IPI");
	assert_string_equal(es_msr_name(0x810), "X2APIC_ISR0");
	assert_string_equal(es_msr_name(0x817), "X2APIC_ISR7");
	assert_string_equal(es_msr_name(0x827), "X2APIC_IRR7");
	assert_string_equal(es_msr_name(0x4b564d02), "KVM_ASYNC_PF_EN");
	assert_string_equal(es_msr_name(0x40000000), "HV_GUEST_OS_ID");
	/* One index, two CPUs' names: both kept. */
	assert_non_null(strstr(es_msr_name(0x8b), "IA32_UCODE_REV"));
	assert_non_null(strstr(es_msr_name(0x8b), "AMD64_PATCH_LEVEL"));
	assert_null(es_msr_name(0x831));	/* no x2APIC register there */
	assert_null(es_msr_name(0xffffffff));
}

static void test_hypercall_names(void **state)
{
	(void)state;
	assert_string_equal(es_hypercall_name(5), "KICK_CPU");
	assert_string_equal(es_hypercall_name(10), "SEND_IPI");
	assert_string_equal(es_hypercall_name(12), "MAP_GPA_RANGE");
	assert_null(es_hypercall_name(UINT64_MAX));
}

static void test_vector_names(void **state)
{
	const struct es_name *t;
	size_t n;

	(void)state;
	t = es_vector_names_table(&n);
	sorted_and_found(t, n, es_vector_name);
	/* Intel SDM vol. 3, table "Protected-Mode Exceptions and Interrupts". */
	assert_string_equal(es_vector_name(2), "NMI");
	assert_string_equal(es_vector_name(6), "#UD");
	assert_string_equal(es_vector_name(13), "#GP");
	assert_string_equal(es_vector_name(14), "#PF");
	assert_string_equal(es_vector_name(18), "#MC");
	assert_null(es_vector_name(32));
}

static void test_host_vector_names(void **state)
{
	const struct es_name *t;
	size_t n;

	(void)state;
	t = es_host_vector_names_table(&n);
	sorted_and_found(t, n, es_host_vector_name);
	/* arch/x86/include/asm/irq_vectors.h, the same in 6.1 and 6.12. */
	assert_string_equal(es_host_vector_name(0xec), "LOCAL_TIMER");
	assert_string_equal(es_host_vector_name(0xfd), "RESCHEDULE");
	assert_string_equal(es_host_vector_name(0xfc), "CALL_FUNCTION");
	assert_string_equal(es_host_vector_name(0xfb), "CALL_FUNCTION_SINGLE");
	assert_string_equal(es_host_vector_name(0xf6), "IRQ_WORK");
	assert_string_equal(es_host_vector_name(0xf2), "POSTED_INTR");
	/* Below the system vectors, the devices'; 0x20 and the exceptions, none. */
	assert_string_equal(es_host_vector_name(0x21), "a device's");
	assert_string_equal(es_host_vector_name(0xeb), "a device's");
	assert_null(es_host_vector_name(0x20));
	assert_null(es_host_vector_name(14));
	assert_null(es_host_vector_name(0x100));
}

static void test_port_table(void **state)
{
	const struct es_port_name *t;
	unsigned int p;
	size_t n, i;

	(void)state;
	t = es_port_names_table(&n);
	assert_true(n > 0);
	for (i = 0; i < n; i++) {
		assert_true(t[i].first <= t[i].last);
		if (i && t[i].first <= t[i - 1].last)
			fail_msg("port rows 0x%x and 0x%x overlap", t[i - 1].first, t[i].first);
		assert_true(strlen(t[i].name) <= 63);
		assert_ptr_equal(es_port_name(t[i].first), &t[i]);
		assert_ptr_equal(es_port_name(t[i].last), &t[i]);
		assert_ptr_equal(es_port_name((uint16_t)((t[i].first + t[i].last) / 2)), &t[i]);
	}
	/* Every port: in the one row that holds it, or in none. */
	for (p = 0; p <= 0xffff; p++) {
		const struct es_port_name *r = es_port_name((uint16_t)p);
		size_t holds = n;

		for (i = 0; i < n; i++)
			if (p >= t[i].first && p <= t[i].last)
				holds = i;
		if (holds == n)
			assert_null(r);
		else
			assert_ptr_equal(r, &t[holds]);
	}
}

static void test_port_names(void **state)
{
	(void)state;
	assert_non_null(strstr(es_port_name(0x3f8)->name, "COM1"));
	assert_non_null(strstr(es_port_name(0x3fd)->name, "COM1"));	/* its line status register */
	assert_non_null(strstr(es_port_name(0x2f8)->name, "COM2"));
	assert_int_equal(es_port_name(0x40)->where, ES_PORT_KVM);	/* KVM's PIT */
	assert_int_equal(es_port_name(0x61)->where, ES_PORT_KVM);
	assert_int_equal(es_port_name(0x3f8)->where, ES_PORT_VMM);
	assert_non_null(strstr(es_port_name(0x80)->name, "POST"));
	assert_non_null(strstr(es_port_name(0xcf9)->name, "reset"));
	assert_non_null(strstr(es_port_name(0xcfc)->name, "PCI config data"));
	assert_null(es_port_name(0x500));
	assert_null(es_port_name(0xffff));
	assert_string_equal(es_port_where_str(ES_PORT_KVM), "kvm");
	assert_string_equal(es_port_where_str(ES_PORT_VMM), "vmm");
	assert_string_equal(es_port_where_str(ES_PORT_FIRMWARE), "firmware");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_msr_table),
		cmocka_unit_test(test_hypercall_table),
		cmocka_unit_test(test_msr_names),
		cmocka_unit_test(test_hypercall_names),
		cmocka_unit_test(test_vector_names),
		cmocka_unit_test(test_host_vector_names),
		cmocka_unit_test(test_port_table),
		cmocka_unit_test(test_port_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
