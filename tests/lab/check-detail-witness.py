#!/usr/bin/env python3
"""The collector's drill-down against its independent witnesses.

Usage: check-detail-witness.py DIR MODE-RUN intel|amd L1-KERNEL
       check-detail-witness.py --host-vectors RECORD IRQ-HIST intel|amd [LEAST]
       check-detail-witness.py --page-faults RECORD KVM_PAGE_FAULT-HIST

DIR/collector-MODE-RUN.json is a lab run's collector record (with
--detail); DIR/witness-kvm_pio-, -kvm_msr-, -kvm_hypercall-, -kvm_cr- and
-kvm_page_fault-MODE-RUN.txt are the hist triggers L1 set meanwhile on the
tracepoints that carry the same keys (lab/l1-init.sh, witness_start). The
collector reads none of these tracepoints, so agreement is evidence.
DIR/witness-irq-MODE-RUN.txt counts the host interrupts the VMM's threads
took, by vector: SVM's collector keys its INTR exits from those very
tracepoints, so there it is a bound per vector, not a witness of each exit.
DIR/l2-MODE-RUN.log has the memslots exitscope-vmm set, by its own word:
the regions' names must be those slots' (the record's memslots).
Allowed differences, exactly these (docs/collector.md):
  - CR accesses are keyed on VMX only (SVM has a reason per register and
    access): no cr comparison on AMD;
  - VMX's ports and CRs are read at the vCPU's next kvm_entry: the last
    exit of each vCPU, after which its VM stopped, keeps no key, so there
    the witness may exceed the collector by one exit per vCPU in all;
  - on 6.1's SVM, kvm_msr also counts the MSR writes KVM handles in its
    fastpath and re-enters without a kvm_exit (the reason's own gap):
    there the witness may exceed the collector for writes, never trail it.
With --host-vectors, only the host vectors of RECORD against IRQ-HIST
(the irq_vectors hist triggers of the same window), with at least LEAST
interrupt exits (tests/lab/l1/explain-workloads.sh's records); with
--page-faults, only VMX's exception keys of RECORD, recorded with shadow
paging, against the kvm_page_fault hist trigger of the same window (keyed
by error_code): every key a #PF, as many as the tracepoint's.
Prints one line per kind: "ok KIND N keys" or "bad KIND: what differs";
exits 1 if any kind is bad.
"""
import json
import re
import sys


def hist(path, a, b):
    """{(a, b): hitcount} of a hist trigger's output keyed by fields a, b (or a alone)."""
    out = {}
    with open(path) as f:
        for line in f:
            if not line.startswith("{"):
                continue
            ka = re.search(rf"\b{a}:\s*(\d+)", line)
            kb = re.search(rf"\b{b}:\s*(\d+)", line) if b else None
            n = re.search(r"hitcount:\s*(\d+)", line)
            if not ka or not n or (b and not kb):
                sys.exit(f"{path}: a line without {a}{'/' + b if b else ''}: {line.strip()}")
            key = (int(ka.group(1)), int(kb.group(1)) if kb else 0)
            out[key] = out.get(key, 0) + int(n.group(1))
    return out


def keys(rec, kind, dirs):
    """{(value, dir as the witness says it): count} of the record's keys of @kind."""
    out = {}
    for vm in rec["vms"]:
        for r in vm["reasons"]:
            for g in r.get("detail", []):
                if g["kind"] != kind:
                    continue
                for k in g["keys"]:
                    v = int(k["key"], 0)
                    d = dirs.get(k.get("dir", ""), 0)
                    out[(v, d)] = out.get((v, d), 0) + k["count"]
    return out


def compare(kind, mine, witness, may_exceed, slack=0):
    """Equal key by key; the witness may exceed where may_exceed(key) says,
    or by @slack exits in all (VMX's last exit of each vCPU, never re-entered)."""
    bad, spent = [], 0
    for key in sorted(set(mine) | set(witness)):
        m, w = mine.get(key, 0), witness.get(key, 0)
        if m == w or (w > m and may_exceed(key)):
            continue
        if w > m and spent + (w - m) <= slack:
            spent += w - m
            continue
        bad.append(f"0x{key[0]:x}/{key[1]}: collector {m}, witness {w}")
    if bad:
        print(f"bad {kind}: " + "; ".join(bad[:8]) + (" ..." if len(bad) > 8 else ""))
        return False
    note = f" ({spent} last exit(s) never re-entered, no key)" if spent else ""
    print(f"ok {kind} {len(mine)} keys, {sum(mine.values())} exits{note}")
    return True


def vcpus(rec):
    """The vCPUs of the record's VMs: each may end on an exit it never re-enters."""
    return sum(max(1, len(vm.get("vcpus", []))) for vm in rec["vms"])


# A nested page fault's key is its address's 2 MiB region (tools/bpf/exitscope.h:
# ES_BPF_GPA_REGION_SHIFT), the witness's addresses grouped the same way.
GPA_REGION = (1 << 21) - 1
# The host's first system vector (LOCAL_TIMER_VECTOR, arch/x86/include/asm/irq_vectors.h):
# the timer's and the IPIs' from it up, the devices' below.
FIRST_SYSTEM_VECTOR = 0xec
# The exit of a host interrupt: SVM's INTR, VMX's EXTERNAL_INTERRUPT.
INTR_REASON = {"amd": 0x60, "intel": 1}


def irq_hist(path):
    """The interrupts of lab/l1-lib.sh's irq witness: {vector: count} of
    the system vectors', and the devices' in all (keyed by IRQ number)."""
    vectors, devices = {}, 0
    with open(path) as f:
        for line in f:
            if not line.startswith("{"):
                continue
            m = re.match(r"\{\s*(vector|irq):\s*(\d+)\s*\}\s*hitcount:\s*(\d+)", line)
            if not m:
                sys.exit(f"{path}: not a line of the irq witness: {line.strip()}")
            if m.group(1) == "vector":
                v = int(m.group(2))
                vectors[v] = vectors.get(v, 0) + int(m.group(3))
            else:
                devices += int(m.group(3))
    return vectors, devices


def host_vectors(rec, path, cpu, least=0):
    """The exits of a host interrupt, keyed by its vector: each system
    vector's exits at most the interrupts of that vector the VMM's threads
    took (the irq_vectors hist triggers, filtered by comm), the devices'
    vectors' at most the devices' interrupts they took; and all but a
    few exits keyed. On SVM an INTR exit takes its interrupt in the window
    after it, which an exit whose interrupt an NMI or a device preempted
    may miss: 90% at least. On VMX the VMCS has every one's, read at the
    next kvm_entry: all but each vCPU's last exit, never re-entered. At
    least @least such exits, where a workload is meant to make them."""
    took, devices = irq_hist(path)
    mine = keys(rec, "host_vector", {})
    bad = [f"{v}: collector {n}, the threads took {took.get(v, 0)}"
           for (v, _), n in sorted(mine.items())
           if v >= FIRST_SYSTEM_VECTOR and n > took.get(v, 0)]
    dev = sum(n for (v, _), n in mine.items() if v < FIRST_SYSTEM_VECTOR)
    if dev > devices:
        bad.append(f"{dev} exits of devices' vectors, the threads took {devices} devices' interrupts")
    exits = sum(r["count"] for vm in rec["vms"] for r in vm["reasons"]
                if r.get("reason") == INTR_REASON[cpu])
    keyed = sum(mine.values())
    if cpu == "intel":
        if keyed + vcpus(rec) < exits:
            bad.append(f"{keyed} of {exits} external-interrupt exits keyed")
    # Fewer than ten: the window's own statistics say too little.
    elif exits >= 10 and keyed < 0.9 * exits:
        bad.append(f"{keyed} of {exits} interrupt exits keyed (under 90%)")
    if exits < least:
        bad.append(f"{exits} interrupt exits, the workload makes {least} at least")
    if bad:
        print("bad host_vector: " + "; ".join(bad[:8]))
        return False
    print(f"ok host_vector {len(mine)} keys, {keyed} of {exits} exits"
          f" ({sum(took.values())} system and {devices} device interrupts taken by the threads)")
    return True


# An NMI's exit (vector 2) is the host's NMI arriving in the guest, not the guest's.
NMI_VECTOR = 2


def page_faults(rec, witness, slack):
    """VMX's exception keys with shadow paging (EPT off): every one a #PF
    (vector 14), as many as kvm_page_fault saw (@witness: KVM traces each
    #PF it intercepts, kvm_handle_page_fault()), less at most @slack."""
    mine = {k: n for k, n in keys(rec, "vector", {}).items() if k[0] != NMI_VECTOR}
    return compare("vector", mine, {(14, 0): witness} if witness else {}, lambda k: False, slack)


# exitscope-vmm's own line of each memslot it sets (tools/vmm/kvm.c), in its log.
VMM_SLOT = re.compile(r"exitscope-vmm: memslot (\d+): guest-physical 0x([0-9a-f]+)-0x([0-9a-f]+),"
                      r" the memory of (.*)$")


def memslots(rec, log):
    """The record's memslots against those the VMM says it set: each slot
    the record names is one the VMM set (number, range, mapping); and every
    region the collector keyed that lies in a slot of the VMM is named by
    that slot, in the record's key names, and no other region is."""
    vmm = {}
    with open(log) as f:
        for line in f:
            m = VMM_SLOT.search(line)
            if m:
                lo, hi = int(m.group(2), 16), int(m.group(3), 16)
                vmm[int(m.group(1))] = (lo, hi - lo + 1, m.group(4).strip())
    if not vmm:
        print(f"bad memslot: {log}: the VMM said no memslot")
        return False
    bad, named = [], 0
    for vm in rec["vms"]:
        mine = {(s["as_id"], s["slot"]): s for s in vm.get("memslots", [])}
        for (as_id, slot), s in mine.items():
            want = vmm.get(slot)
            got = (int(s["gpa"], 16), int(s["size"], 16), s["mapping"])
            if as_id or not want or got != want:
                bad.append(f"slot {as_id}/{slot}: record {got}, the VMM set {want}")
        for r in vm["reasons"]:
            for g in r.get("detail", []):
                if g["kind"] != "gpa":
                    continue
                for k in g["keys"]:
                    lo = int(k["key"], 16)
                    hold = [n for n, (b, size, _) in vmm.items() if lo < b + size and b < lo + GPA_REGION + 1]
                    name = k.get("name", "")
                    if hold and not name.startswith(f"slot {hold[0]} "):
                        bad.append(f"region 0x{lo:x}: named '{name}', the VMM's slot {hold[0]} holds it")
                    elif not hold and name.startswith("slot "):
                        bad.append(f"region 0x{lo:x}: named '{name}', no slot of the VMM's holds it")
                    named += bool(hold)
    if bad:
        print("bad memslot: " + "; ".join(bad[:8]))
        return False
    print(f"ok memslot {len(vmm)} slots, {named} regions named by theirs")
    return True


def main():
    if len(sys.argv) in (5, 6) and sys.argv[1] == "--host-vectors":
        rec_path, irq, cpu = sys.argv[2:5]
        with open(rec_path) as f:
            rec = json.load(f)
        least = int(sys.argv[5]) if len(sys.argv) == 6 else 0
        sys.exit(0 if host_vectors(rec, irq, cpu, least) else 1)
    if len(sys.argv) == 4 and sys.argv[1] == "--page-faults":
        with open(sys.argv[2]) as f:
            rec = json.load(f)
        faults = hist(sys.argv[3], "error_code", None)
        sys.exit(0 if page_faults(rec, sum(faults.values()), vcpus(rec)) else 1)
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    d, run, cpu, kernel = sys.argv[1:]
    rec_path, prefix = f"{d}/collector-{run}.json", f"{d}/witness"
    with open(rec_path) as f:
        rec = json.load(f)
    if not rec.get("detail"):
        sys.exit(f"{rec_path}: no drill-down (detail) in the record")
    ok = True
    svm61 = cpu == "amd" and kernel.startswith("6.1.")
    # VMX reads ports and CRs at the next kvm_entry: a vCPU's last exit, after
    # which the VM stopped, has none (exitscope-vmm's verdict port, say).
    slack = vcpus(rec) if cpu == "intel" else 0
    ok &= compare("io", keys(rec, "io", {"in": 0, "out": 1}),
                  hist(f"{prefix}-kvm_pio-{run}.txt", "port", "rw"), lambda k: False, slack)
    if cpu == "intel":
        ok &= compare("cr", keys(rec, "cr", {"read": 0, "write": 1}),
                      hist(f"{prefix}-kvm_cr-{run}.txt", "cr", "rw"), lambda k: False, slack)
    ok &= compare("msr", keys(rec, "msr", {"read": 0, "write": 1}),
                  hist(f"{prefix}-kvm_msr-{run}.txt", "ecx", "write"),
                  lambda k: svm61 and k[1] == 1)
    ok &= compare("hypercall", keys(rec, "hypercall", {}),
                  hist(f"{prefix}-kvm_hypercall-{run}.txt", "nr", None), lambda k: False)
    # Nested paging's faults: kvm_page_fault carries every NPF's and EPT
    # violation's address (npf_interception(), handle_ept_violation()); with
    # shadow paging it carries the guest's own #PFs instead, not keyed here.
    # SVM keys an NPF whose error code has the reserved bit (3: KVM's MMIO
    # SPTE) as mmio at its address, the rest as gpa at its 2 MiB region; VMX's EPT
    # violations are all gpa (its MMIO is EPT_MISCONFIG, keyed from kvm_mmio,
    # which has no such witness).
    if run.startswith(("npt-", "ept-")):
        faults = hist(f"{prefix}-kvm_page_fault-{run}.txt", "fault_address", "error_code")
        gpa, mmio = {}, {}
        for (addr, ec), n in faults.items():
            if cpu == "amd" and ec & 8:
                mmio[(addr, 0)] = mmio.get((addr, 0), 0) + n
            else:
                gpa[(addr & ~GPA_REGION, 0)] = gpa.get((addr & ~GPA_REGION, 0), 0) + n
        ok &= compare("gpa", keys(rec, "gpa", {}), gpa, lambda k: False)
        ok &= memslots(rec, f"{d}/l2-{run}.log")
        if cpu == "amd":
            ok &= compare("mmio", keys(rec, "mmio", {}), mmio, lambda k: False)
    # VMX's exceptions, keyed by vector from the VMCS at the next kvm_entry:
    # with shadow paging KVM intercepts the guest's #PF, and kvm_page_fault
    # fires once for each (kvm_handle_page_fault()); nothing else does there,
    # EPT being off. (SVM's exception exits are a reason per vector: no key.)
    if cpu == "intel" and run.startswith("shadow-"):
        faults = hist(f"{prefix}-kvm_page_fault-{run}.txt", "fault_address", "error_code")
        ok &= page_faults(rec, sum(faults.values()), slack)
    ok &= host_vectors(rec, f"{prefix}-irq-{run}.txt", cpu)
    sys.exit(0 if ok else 1)


main()
