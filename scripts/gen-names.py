#!/usr/bin/env python3
"""The MSR, hypercall, exception and host vector names of tools/lib/model/names_gen.h, from the kernel's headers.

Usage: scripts/gen-names.py KSRC... > tools/lib/model/names_gen.h

Every KSRC is a kernel source tree (linux-source of 6.1 and of 6.12); a name
defined in any of them is kept, so the table covers both series. Sources:
  arch/x86/include/asm/msr-index.h        MSR_* with a literal index
  arch/x86/include/uapi/asm/kvm_para.h    MSR_KVM_* (KVM's paravirtual MSRs)
  arch/x86/include/asm/hyperv-tlfs.h      HV_X64_MSR_* in 0x40000000-0x400000ff
  arch/x86/include/asm/apicdef.h          the x2APIC registers' offsets: MSR
                                          0x800 + offset / 16 (Intel SDM vol. 3,
                                          "x2APIC Register Address Space")
  include/uapi/linux/kvm_para.h           KVM_HC_* (KVM's hypercall numbers)
  arch/x86/include/asm/trapnr.h           X86_TRAP_* below 32 (exception vectors;
                                          two letters become "#PF", "#GP"...)
  arch/x86/include/asm/irq_vectors.h      *_VECTOR from LOCAL_TIMER_VECTOR up (the
                                          host's system vectors: its timer, IPIs;
                                          below them the devices' are allocated)
Indices several names share (one MSR, other CPUs' names) keep them all,
joined by "/", in the order first seen. tests/unit/check-names.sh runs this
again on the trees at hand and fails on any difference from the file.
"""
import os
import re
import sys

# The x2APIC's registers (SDM vol. 3, table "Local APIC Register Address
# Map Supported by x2APIC"); banks of eight (ISR, TMR, IRR) are 8 MSRs each.
X2APIC = ["ID", "LVR", "TASKPRI", "PROCPRI", "EOI", "LDR", "SPIV", "ISR", "TMR", "IRR",
          "ESR", "LVTCMCI", "ICR", "LVTT", "LVTTHMR", "LVTPC", "LVT0", "LVT1", "LVTERR",
          "TMICT", "TMCCT", "TDCR", "SELF_IPI"]
BANKS = {"ISR", "TMR", "IRR"}
SOURCES = ["Makefile", "arch/x86/include/asm/msr-index.h", "arch/x86/include/uapi/asm/kvm_para.h",
           "arch/x86/include/asm/hyperv-tlfs.h", "arch/x86/include/asm/apicdef.h",
           "include/uapi/linux/kvm_para.h", "arch/x86/include/asm/trapnr.h",
           "arch/x86/include/asm/irq_vectors.h"]
DEFINE = re.compile(r"^#\s*define\s+([A-Za-z0-9_]+)\s+(0[xX][0-9a-fA-F]+|[0-9]+)\b")


def defines(path):
    out = []
    with open(path, errors="replace") as f:
        for line in f:
            m = DEFINE.match(line)
            if m:
                out.append((m.group(1), int(m.group(2), 0), m.group(2).lower().startswith("0x")))
    return out


def main(trees):
    if not trees:
        sys.exit(__doc__)
    msrs, hcs, traps, irqs, seen = {}, {}, {}, {}, []

    def add(table, idx, name):
        names = table.setdefault(idx, [])
        if name not in names:
            names.append(name)

    for t in trees:
        for rel in SOURCES:
            if not os.path.isfile(os.path.join(t, rel)):
                sys.exit(f"gen-names.py: {t}: no {rel} (scripts/kernel-source.sh unpacks it)")
        ver = open(os.path.join(t, "Makefile")).read()
        v = [re.search(rf"^{k} = (\S*)", ver, re.M) for k in ("VERSION", "PATCHLEVEL", "SUBLEVEL")]
        seen.append(".".join(m.group(1) for m in v if m))
        for name, val, hexa in defines(os.path.join(t, "arch/x86/include/asm/msr-index.h")):
            if name.startswith("MSR_") and hexa:
                add(msrs, val, name[4:])
        for name, val, hexa in defines(os.path.join(t, "arch/x86/include/uapi/asm/kvm_para.h")):
            if name.startswith("MSR_KVM_") and hexa:
                add(msrs, val, name[4:])
        for name, val, hexa in defines(os.path.join(t, "arch/x86/include/asm/hyperv-tlfs.h")):
            if name.startswith("HV_X64_MSR_") and hexa and 0x40000000 <= val <= 0x400000ff:
                add(msrs, val, "HV_" + name[11:])
        apic = {n[5:]: v for n, v, _ in defines(os.path.join(t, "arch/x86/include/asm/apicdef.h"))
                if n.startswith("APIC_")}
        for reg in X2APIC:
            if reg not in apic:
                continue
            base = 0x800 + apic[reg] // 16
            for i in range(8 if reg in BANKS else 1):
                add(msrs, base + i, f"X2APIC_{reg}" + (str(i) if reg in BANKS else ""))
        for name, val, _ in defines(os.path.join(t, "include/uapi/linux/kvm_para.h")):
            if name.startswith("KVM_HC_"):
                add(hcs, val, name[7:])
        for name, val, _ in defines(os.path.join(t, "arch/x86/include/asm/trapnr.h")):
            if name.startswith("X86_TRAP_") and val < 32:
                short = name[9:]
                add(traps, val, "#" + short if len(short) == 2 else short)
        vecs = defines(os.path.join(t, "arch/x86/include/asm/irq_vectors.h"))
        first = [v for n, v, _ in vecs if n == "LOCAL_TIMER_VECTOR"]
        if not first:
            sys.exit(f"gen-names.py: {t}: no LOCAL_TIMER_VECTOR in irq_vectors.h")
        for name, val, hexa in vecs:
            if name.endswith("_VECTOR") and hexa and first[0] <= val <= 0xff:
                add(irqs, val, name[:-7])

    print("/* SPDX-License-Identifier: GPL-2.0-only */")
    print("/*")
    print(" * Generated by scripts/gen-names.py from the kernel headers of Linux")
    print(f" * {', '.join(seen)}: do not edit (tests/unit/check-names.sh checks it).")
    print(" * Included by model/names.c alone.")
    print(" */")
    print("static const struct es_name es_msr_names[] = {")
    for idx in sorted(msrs):
        print(f'\t{{ 0x{idx:08x}, "{"/".join(msrs[idx])}" }},')
    print("};")
    print("static const struct es_name es_hypercall_names[] = {")
    for idx in sorted(hcs):
        print(f'\t{{ {idx}, "{"/".join(hcs[idx])}" }},')
    print("};")
    print("static const struct es_name es_vector_names[] = {")
    for idx in sorted(traps):
        print(f'\t{{ {idx}, "{"/".join(traps[idx])}" }},')
    print("};")
    print("static const struct es_name es_host_vector_names[] = {")
    for idx in sorted(irqs):
        print(f'\t{{ {idx}, "{"/".join(irqs[idx])}" }},')
    print("};")


main(sys.argv[1:])
