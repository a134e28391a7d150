// SPDX-License-Identifier: GPL-2.0-only
/*
 * Page tables of the image's own: an identity map of the first GiB, in
 * 2 MiB pages but for the first 2 MiB (the image, its data, low memory), in
 * 4 KiB pages, so that one page can be made not present; and, uncached,
 * the 2 MiB at 0xfec00000 where KVM's in-kernel IOAPIC is. Built once by
 * vCPU 0, loaded by every vCPU. Not the VMM's (boot-time) tables: their
 * place and form are not part of the ABI.
 */
#include "rt.h"

#define PTE_W		2ull
#define PTE_PWT		0x08ull
#define PTE_PCD		0x10ull
#define PTE_PS		0x80ull
#define GIB		(1ull << 30)
#define IOAPIC_2M	0xfec00000ull		/* 2 MiB-aligned */
#define PAGE_2M		(2ull << 20)

static uint64_t pml4[512] __attribute__((aligned(RT_PAGE_SIZE)));
static uint64_t pdpt[512] __attribute__((aligned(RT_PAGE_SIZE)));
static uint64_t pd[512] __attribute__((aligned(RT_PAGE_SIZE)));
static uint64_t pt[512] __attribute__((aligned(RT_PAGE_SIZE)));
static uint64_t pd_4g[512] __attribute__((aligned(RT_PAGE_SIZE)));	/* 3 to 4 GiB */

void rt_paging_init(void);
void rt_paging_init(void)
{
	int i;

	/* Identity-mapped already, so a table's address is its physical one. */
	pml4[0] = (uint64_t)pdpt | RT_PTE_P | PTE_W;
	pdpt[0] = (uint64_t)pd | RT_PTE_P | PTE_W;
	pd[0] = (uint64_t)pt | RT_PTE_P | PTE_W;
	for (i = 1; i < 512; i++)
		pd[i] = i * PAGE_2M | RT_PTE_P | PTE_W | PTE_PS;
	for (i = 0; i < 512; i++)
		pt[i] = (uint64_t)i * RT_PAGE_SIZE | RT_PTE_P | PTE_W;
	pdpt[3] = (uint64_t)pd_4g | RT_PTE_P | PTE_W;
	pd_4g[(IOAPIC_2M - 3 * GIB) / PAGE_2M] = IOAPIC_2M | RT_PTE_P | PTE_W | PTE_PS | PTE_PCD | PTE_PWT;
}

uint64_t rt_paging_root(void);
uint64_t rt_paging_root(void)
{
	return (uint64_t)pml4;
}

uint64_t *rt_pte(const void *va)
{
	uint64_t a = (uint64_t)va;

	return a < PAGE_2M ? &pt[a / RT_PAGE_SIZE] : NULL;
}
