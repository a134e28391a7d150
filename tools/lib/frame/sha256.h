/* SPDX-License-Identifier: GPL-2.0-only */
/* SHA-256 (FIPS 180-4), to check what L1 sends over its serial port. */
#ifndef EXITSCOPE_SHA256_H
#define EXITSCOPE_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define ES_SHA256_LEN	32

void es_sha256(const void *data, size_t len, uint8_t out[ES_SHA256_LEN]);
/* The digest as sha256sum prints it: 64 lowercase hex digits and a NUL. */
void es_sha256_hex(const void *data, size_t len, char out[2 * ES_SHA256_LEN + 1]);

#endif
