/* SPDX-License-Identifier: GPL-2.0-only */
/* arch/x86/kvm/x86.h, as much as exit_stats.c uses: kvm_caps (kernel_shim.h). */
#include "../kernel_shim.h"
