/* SPDX-License-Identifier: GPL-2.0-only */
/* The real uapi definitions and the exception vectors (uapi kvm.h) they use. */
#include <uapi/asm/kvm.h>
#include <uapi/asm/svm.h>
