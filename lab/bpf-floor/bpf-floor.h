/* SPDX-License-Identifier: GPL-2.0-only */
/* What bpf-floor's two sides share: its slots and its variants. */
#ifndef EXITSCOPE_BPF_FLOOR_H
#define EXITSCOPE_BPF_FLOOR_H

/* Reasons 0..2045; 2046 the variants' scratch; 2047 everything else. */
#define FLOOR_SLOTS	2048

enum floor_variant {
	FLOOR_PLAIN,
	FLOOR_NOREAD,
	FLOOR_PID,
	FLOOR_HASH16,
	FLOOR_HASH8,
	FLOOR_STORAGE,
	FLOOR_KTIME,
};

#endif
