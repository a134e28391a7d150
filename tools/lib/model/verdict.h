/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The checks that decide whether a record's figures can be trusted, each a
 * sentence in the verdict when it fails:
 *  - every run ended with the guest's verdict 0;
 *  - per reason, exitscope's count equals the kvm_exit tracepoint's; on SVM
 *    reason 0x7c (msr) may exceed it by exactly what the totals differ by,
 *    the exits 6.1's tracepoint misses when they re-enter from the fastpath;
 *  - all exits equal KVM's own "exits" statistic;
 *  - the rows add up to the totals, in every column;
 *  - the guest's query saw no more than the VM had in the end;
 *  - each mode ran with the paging parameter it is named after.
 * Checks only what the sources present allow; adds only failures not yet
 * in the verdicts (a record read back keeps the ones only its files showed).
 */
#ifndef EXITSCOPE_VERDICT_H
#define EXITSCOPE_VERDICT_H

#include "model/model.h"

void es_verdict_check(struct es_record *r);
/* Does kvm:kvm_exit fire on every exit of this record's kernel and vendor? */
bool es_tracepoint_sees_every_exit(const struct es_meta *m);
/* A short description of what checks passed, for "ok" verdicts (report.md). */
const char *es_checks_passed(const struct es_record *r);

#endif
