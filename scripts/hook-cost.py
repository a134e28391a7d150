#!/usr/bin/env python3
"""What exitscope's hooks add to the VM-exit path, counted from the built
modules (scripts/hook-cost.sh runs this; docs/benchmarks.md has the table).

For each exit-path function (vmx_vcpu_run in kvm-intel.ko, svm_vcpu_run in
kvm-amd.ko, vcpu_enter_guest in kvm.ko; kvm_cpuid in kvm.ko, on CPUID exits
only) it finds the
static-key sites of exitscope's two keys through the module's __jump_table
relocations and walks, per mode, the instructions an exit executes:

  off     each site is a 5-byte NOP
  counts  the counting key's sites jump out to their body and back; the
          timing key's sites (also those inside the count body) stay NOPs
  cycles  both keys' sites jump; every body is walked

A body is walked straight from its target: a conditional branch counts as
one instruction, not taken (the rare paths: codes past the map, no exit
pending), until the unconditional jmp back. On the walked path it counts
instructions, RDTSCs, locked instructions, fences, calls and returns, and
the memory operands read and written, grouped into cache lines by base
register and displacement (an indexed operand is a line of its own).

Then it compares the function with Debian's stock module of the same
version, outside the hooks: both disassemblies with addresses, branch
targets and displacements normalized, our sites and bodies left out. Any
other difference is printed: it would cost every exit in every mode.

Usage: hook-cost.py [--json] OURS_DIR STOCK_DIR [intel|amd|x86|kvm ...]
With --json the tables go to stderr and stdout gets one JSON object,
schema exitscope.hook-cost/1: parts[], one per part and mode, with the
counts above, code_lines (the bodies' code), the data lines' names and
the walked instructions (path)
(scripts/cycle-model.py prices them).

Exit status 0, or 1 when a module or function is missing.
"""
import json
import re
import signal
import subprocess
import sys
from collections import Counter

KEYS = ("kvm_exit_stats_counting", "kvm_exit_stats_timing")
# module, function, and whether a body's early return is its common path:
# on every exit the count and entry hooks run through (an entry with no
# exit pending is a vCPU's first), on a CPUID exit the leaf test returns at
# once for every leaf but exitscope's.
# x86: the hook after KVM's TSC read in vcpu_enter_guest(), which the
# compiler inlines into vcpu_run() or kvm_arch_vcpu_ioctl_run(): the first
# of those functions the module has. Its other sites (KVM_RUN, halt) call
# out once per KVM_RUN or halt, not per exit: only sites whose body calls
# nothing are walked there.
FUNCS = {"intel": ("kvm-intel", ("vmx_vcpu_run",), False),
         "amd": ("kvm-amd", ("svm_vcpu_run",), False),
         "x86": ("kvm", ("vcpu_enter_guest", "vcpu_run", "kvm_arch_vcpu_ioctl_run"), False),
         "kvm": ("kvm", ("kvm_cpuid",), True)}
PER_EXIT_ONLY = ("x86",)
MODES = ("off", "counts", "cycles")
NOPS = ("nop", "nopl", "nopw", "xchg   %ax,%ax")
LINE = 64


def run(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def disassemble(ko, func):
    """[(addr, text, relocation or None)] of @func in module @ko."""
    out = run("objdump", "-dr", "--no-show-raw-insn", "--disassemble=" + func, ko)
    insns = []
    for line in out.splitlines():
        m = re.match(r"^\s+([0-9a-f]+):\t(.*)$", line)
        if m:
            insns.append([int(m.group(1), 16), m.group(2).strip(), None])
            continue
        m = re.match(r"^\s+[0-9a-f]+: (R_X86_64_\S+)\s+(\S+)", line)
        if m and insns:
            insns[-1][2] = m.group(2)
    return insns


def jump_table(ko):
    """[(code, target, key)] of the module's static-key sites (.text only)."""
    out = run("readelf", "-rW", ko)
    rows, on = [], False
    for line in out.splitlines():
        if line.startswith("Relocation section"):
            on = "'.rela__jump_table'" in line
            continue
        if not on:
            continue
        f = line.split()
        if len(f) >= 7 and f[2].startswith("R_X86_64"):
            rows.append((int(f[0], 16), f[4], int(f[6], 16) if len(f) > 6 else 0))
    entries = []
    by_off = {off: (sym, add) for off, sym, add in rows}
    for off in sorted(by_off):
        if off % 16:
            continue
        code, target, key = by_off.get(off), by_off.get(off + 4), by_off.get(off + 8)
        if not (code and target and key) or code[0] != ".text":
            continue
        entries.append((code[1], target[1], key[0]))
    return entries


def mem_operands(text):
    """[(operand, written)] of an AT&T instruction's memory operands."""
    parts = text.split(None, 1)
    if len(parts) < 2:
        return []
    op, args = parts[0], re.sub(r"\s+#.*$", "", parts[1])
    ops = re.findall(r"[^,()]*\([^)]*\)|[^,]+", args)
    res = []
    for i, o in enumerate(ops):
        o = o.strip()
        if "(" not in o:
            continue
        last = i == len(ops) - 1
        reads_only = op.startswith(("cmp", "test", "bt", "push", "movzb", "movzw", "movs",
                                    "lea", "jmp", "call"))
        if op.startswith("lea"):
            continue
        res.append((o, last and not reads_only and len(ops) > 1 or
                    (last and op.startswith(("inc", "dec", "not", "neg")))))
    return res


def line_of(operand, reloc):
    """A cache line's name for a memory operand."""
    m = re.match(r"^(-?0x[0-9a-f]+|-?\d+)?\((%\w+)?(?:,(%\w+),(\d))?\)$", operand)
    if not m:
        return operand
    disp = int(m.group(1), 0) if m.group(1) else 0
    base, index = m.group(2) or "", m.group(3)
    if reloc:
        return "%s[%s]" % (reloc.split("-")[0].split("+")[0], index or "")
    if index:
        return "%s+%#x+%s*%s" % (base, disp, index, m.group(4))
    return "%s line %d" % (base, disp // LINE)


class Walk:
    def __init__(self):
        self.insns = []

    def add(self, insn):
        self.insns.append(insn)

    def code_lines(self, sites):
        """Cache lines of the bodies' code: the sites themselves (a NOP, or
        the jmp that replaces it) sit among the main path's own code."""
        return len({a // LINE for a, t, _ in self.insns
                    if a not in sites and "(static key" not in t})

    def figures(self):
        n = len(self.insns)
        text = [i[1] for i in self.insns]
        rdtsc = sum(t.startswith("rdtsc") for t in text)
        lock = sum(t.startswith("lock") for t in text)
        fence = sum(t.split()[0] in ("lfence", "mfence", "sfence") for t in text)
        calls = sum(t.startswith("call") for t in text)
        rets = sum(t.startswith("ret") for t in text)
        read, written = set(), set()
        for _, t, rel in self.insns:
            if t.startswith(NOPS) or "(static key" in t:
                continue
            for o, w in mem_operands(t):
                name = line_of(o, rel)
                read.add(name)
                if w:
                    written.add(name)
        return n, rdtsc, lock, fence, calls, rets, read, written


def branch_target(text):
    m = re.match(r"^j\w+\s+([0-9a-f]+) <", text)
    return int(m.group(1), 16) if m else None


def duplicates_main(insns, i, j):
    """Whether the body at @i goes on as the main path does at @j: two
    instructions the same, to the byte, and neither a branch or a call."""
    if j is None or i + 1 >= len(insns) or j + 1 >= len(insns):
        return False
    for a, b in ((insns[i][1], insns[j][1]), (insns[i + 1][1], insns[j + 1][1])):
        if a != b or a.startswith(("j", "call", "ret")):
            return False
    return True


def walk_body(insns, index, start, join, mode, sites, early, w):
    """Add the instructions of a body from @start to its way back to @join,
    or to where it goes on as the main path does from @join: the compiler
    may lay the code after a hook out twice (tail duplication), and that
    copy replaces the main path's instructions, it does not add to them."""
    i = index[start]
    seen = 0
    while i < len(insns) and seen < 200:
        seen += 1
        addr, text, rel = insns[i]
        if addr in sites:
            walk_site(insns, index, addr, mode, sites, early, w)
            i += 1
            continue
        if seen > 1 and duplicates_main(insns, i, index.get(join)):
            return
        w.add(insns[i])
        if text.startswith(("jmp", "ret")):
            return
        if early and text.startswith("j") and branch_target(text) == join:
            return                         # the early return, taken
        i += 1


def walk_site(insns, index, addr, mode, sites, early, w):
    target, key = sites[addr]
    on = (mode == "cycles") or (mode == "counts" and key == KEYS[0])
    if not on:
        w.add(insns[index[addr]])          # the NOP
        return
    w.add((addr, "jmp    (static key: %s)" % key.replace("kvm_exit_stats_", ""), None))
    walk_body(insns, index, target, addr + 5, mode, sites, early, w)


def normalize(text):
    text = re.sub(r"\s+#.*$", "", text)
    text = re.sub(r"\b[0-9a-f]+ <[^>]*>", "L", text)
    text = re.sub(r"-?0x[0-9a-f]+", "N", text)
    return re.sub(r"\s+", " ", text)


def bodies(insns, index, sites):
    """Addresses of every instruction reachable from our sites' targets."""
    out = set()
    for target, _ in sites.values():
        i = index.get(target)
        while i is not None and i < len(insns):
            out.add(insns[i][0])
            t = insns[i][1]
            if t.startswith(("jmp", "ret")):
                break
            i += 1
    return out


def report(ours_dir, stock_dir, which, record=None):
    mod, funcs, early = FUNCS[which]
    ours, stock = "%s/%s.ko" % (ours_dir, mod), "%s/%s.ko" % (stock_dir, mod)
    insns, func = [], None
    for func in funcs:
        insns = disassemble(ours, func)
        if insns:
            break
    if not insns:
        print("hook-cost: none of %s in %s" % (", ".join(funcs), ours), file=sys.stderr)
        return 1
    index = {a: i for i, (a, _, _) in enumerate(insns)}
    lo, hi = insns[0][0], insns[-1][0]
    sites = {c: (t, k) for c, t, k in jump_table(ours) if lo <= c <= hi and k in KEYS}
    print("== %s.ko %s: %d hook sites (%s)" % (
        mod, func, len(sites),
        ", ".join("%#x %s" % (a, sites[a][1].replace("kvm_exit_stats_", ""))
                  for a in sorted(sites))))
    # Sites reached from the main path (not those inside another body).
    inner = bodies(insns, index, sites)
    top = [a for a in sorted(sites) if a not in inner]
    if which in PER_EXIT_ONLY:
        def calls_out(a):
            w = Walk()
            walk_site(insns, index, a, "cycles", sites, early, w)
            return any((rel or "").startswith("__kvm_exit_stats_away") for _, _, rel in w.insns)
        others = [a for a in top if calls_out(a)]
        top = [a for a in top if a not in others]
        print("   per exit: %s; not walked, once per KVM_RUN or halt (they call __kvm_exit_stats_away): %s" % (
            ", ".join("%#x" % a for a in top) or "-", ", ".join("%#x" % a for a in others) or "-"))
    print("   %-7s %6s %6s %5s %6s %6s %5s %11s %14s" % (
        "mode", "insns", "rdtsc", "lock", "fence", "calls", "rets",
        "lines read", "lines written"))
    for mode in MODES:
        w = Walk()
        for a in top:
            walk_site(insns, index, a, mode, sites, early, w)
        n, rdtsc, lock, fence, calls, rets, read, written = w.figures()
        print("   %-7s %6d %6d %5d %6d %6d %5d %11d %14d" % (
            mode, n, rdtsc, lock, fence, calls, rets, len(read), len(written)))
        if mode != "off":
            print("           lines read: %s; written: %s" % (
                ", ".join(sorted(read)) or "-", ", ".join(sorted(written)) or "-"))
        if record is not None:
            record.append({"part": which, "module": mod, "function": func, "mode": mode,
                           "insns": n, "rdtsc": rdtsc, "lock": lock, "fence": fence,
                           "calls": calls, "rets": rets,
                           "code_lines": w.code_lines(sites),
                           "lines_read": sorted(read), "lines_written": sorted(written),
                           "path": [t for _, t, _ in w.insns]})
    # Everything else against the stock function.
    ref = disassemble(stock, func)
    if not ref and len(funcs) > 1:
        # The compiler inlined differently: not one function to compare.
        there = [f for f in funcs if f != func and disassemble(stock, f)]
        print("   outside the hooks: not compared: stock has no %s (inlined into %s), ours "
              "calls it (once per KVM_RUN, not per exit)" % (func, there[0] if there else "?"))
        return 0
    if not ref:
        print("hook-cost: no %s in %s" % (func, stock), file=sys.stderr)
        return 1
    # As multisets: the compiler may lay blocks out in another order, which
    # costs nothing; an instruction more or less is what counts. First the
    # hot part, from the entry to the first return (the common exit path
    # falls through it), then the cold blocks after it.
    def split(seq):
        for k, (_, t, _) in enumerate(seq):
            if t.startswith("ret") or "__x86_return_thunk" in (seq[k][2] or ""):
                return seq[:k + 1], seq[k + 1:]
        return seq, []
    ours_hot, ours_cold = split([i for i in insns if i[0] not in sites and i[0] not in inner])
    ref_hot, ref_cold = split(ref)
    rc = 0
    for what, a, b in (("hot path (entry to first return)", ours_hot, ref_hot),
                       ("whole function", ours_hot + ours_cold, ref_hot + ref_cold)):
        mine = Counter(normalize(t) for _, t, _ in a)
        theirs = Counter(normalize(t) for _, t, _ in b)
        more, fewer = mine - theirs, theirs - mine
        n_more, n_fewer = sum(more.values()), sum(fewer.values())
        print("   outside the hooks, %s, against stock: %d instruction(s) more, %d fewer%s" % (
            what, n_more, n_fewer,
            " (only their order differs)" if not more and not fewer else
            " (net %+d; the compiler allocated registers anew)" % (n_more - n_fewer)
            if n_more + n_fewer > 12 else ""))
        if n_more + n_fewer <= 12:
            for t, n in sorted(more.items()):
                print("     + %dx %s" % (n, t))
            for t, n in sorted(fewer.items()):
                print("     - %dx %s" % (n, t))
    return rc


def main(argv):
    as_json = "--json" in argv
    argv = [a for a in argv if a != "--json"]
    if len(argv) < 3:
        print(__doc__.split("\n\n")[-2].split("\n")[0], file=sys.stderr)
        return 2
    which = argv[3:] or ["intel", "amd", "x86", "kvm"]
    rc = 0
    record = [] if as_json else None
    real_stdout = sys.stdout
    if as_json:
        sys.stdout = sys.stderr            # the tables for people, aside
    for w in which:
        if w not in FUNCS:
            print("hook-cost: unknown '%s' (intel, amd, x86 or kvm)" % w, file=sys.stderr)
            return 2
        rc |= report(argv[1], argv[2], w, record)
    if as_json:
        sys.stdout = real_stdout
        json.dump({"schema": "exitscope.hook-cost/1", "parts": record}, sys.stdout, indent=1)
        print()
    return rc


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)   # | head ends it quietly
    sys.exit(main(sys.argv))
