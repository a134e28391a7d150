// SPDX-License-Identifier: GPL-2.0-only
/*
 * Image "rt-fault": the last vCPU reads an address no page maps (the
 * runtime maps the first GiB). The runtime must report the #PF and end the
 * run with RT_VERDICT_EXCEPTION, whichever vCPU took it, while the others
 * wait: a fault never hangs a run.
 */
#include "../rt/rt.h"

#define UNMAPPED	(1ull << 30)

int image_main(struct rt_cpu *c)
{
	if (c->index == rt_nr_cpus - 1) {
		rt_printf("rt-fault: vCPU %u reads 0x%llx\n", c->index, UNMAPPED);
		(void)*(volatile uint64_t *)UNMAPPED;
		rt_printf("rt-fault: the read did not fault\n");
		rt_verdict(1);
	}
	rt_barrier();		/* never all there */
	return 1;
}
