#!/usr/bin/env python3
"""Modeled cycles per exit, next to the emulated figures: what each mode of
exitscope's modules and each BPF program executes per exit, priced for one
named microarchitecture (docs/benchmarks.md, "A cycle model").

The instructions come from the built objects, never typed in:
  modules   scripts/hook-cost.py --json: the walked exit path of each mode
  BPF       the JIT images L1 dumped (lab/bench.sh --jit: bpftool prog
            dump jited, with bpftool's lists of the programs and their
            attachments, and L1's kallsyms for their addresses) in each
            BENCH_DIR, walked the way hook-cost walks a hook: from the
            entry, a conditional branch not taken, a forward jump followed,
            to the return

Prices, for Intel Skylake-SP (Xeon Scalable, 2017; the microarchitecture
of most cloud hosts still in service):
  hot   llvm-mca -mcpu=skylake-avx512 -iterations=1 on the walked path,
        less its figure for a lone NOP (the pipeline's fill and drain):
        every instruction's micro-ops, ports and latency from LLVM's
        Skylake-server scheduling model (llvm/lib/Target/X86/
        X86SchedSkylakeServer.td); every load hits the L1 cache. LLVM
        treats a LOCK-prefixed read-modify-write as a plain one and does not
        drain the pipeline at LFENCE or RDTSC: so hot is a floor, and the
        table counts those instructions beside it.
  cold  hot plus one L3 hit for each distinct cache line the path touches,
        data read or written and code: 77 cycles on Skylake-SP, whose L3 is
        non-inclusive (AnandTech, "The Intel Skylake-X Review", 2017,
        anandtech.com/show/11550/, page 4, the Skylake-SP cache latencies).
        The case of a guest that ran long enough to push the hook's lines
        out of L1 and L2 between two exits. Every line counts, also those
        KVM's own code reads anyway (the exit code): an upper bound.
A BPF program's calls into the kernel (helpers such as
bpf_probe_read_kernel, bpf_ktime_get_ns) are counted and named, not
walked: their instructions are in the emulated figure, not in the model.

Usage: cycle-model.py [--json] HOOK_COST_JSON [BENCH_DIR...]
Exit status 0; 1 on a missing or malformed input, or no llvm-mca.
"""
import gzip
import json
import os
import re
import shutil
import signal
import subprocess
import sys

MCPU = "skylake-avx512"
UARCH = "Intel Skylake-SP"
L3_HIT = 77
LINE = 64
SOURCES = {
    "hot": "llvm-mca -mcpu=%s (LLVM's X86SchedSkylakeServer.td), every load an L1 hit" % MCPU,
    "cold": "hot + %d cycles per distinct line (L3 hit on Skylake-SP: AnandTech, "
            "anandtech.com/show/11550/, page 4)" % L3_HIT,
}


def die(msg):
    print("cycle-model: " + msg, file=sys.stderr)
    sys.exit(1)


def mca_text(path):
    """The walked path as llvm-mca input: branch and call targets become one
    label after the path (llvm-mca runs a block straight through, as the
    walk did), objdump's annotations go."""
    out = []
    for t in path:
        t = re.sub(r"\s+#.*$", "", t).strip()
        if t.startswith("jmp    (static key"):
            t = "jmp .Lout"
        t = re.sub(r"^(j\w+|call)\s+(\*?)[0-9a-f]+( <[^>]*>)?$",
                   lambda m: "%s .Lout" % m.group(1) if not m.group(2) else t, t)
        t = re.sub(r"^(j\w+|call)\s+0x[0-9a-f]+$", r"\1 .Lout", t)
        t = re.sub(r"^(\w+)\s+\*", r"\1 *", t)
        if t.startswith(("ret", "leave", "int3")) or not t or t == "(bad)":
            out.append(t if t and t != "(bad)" else "nop")
            continue
        out.append(t)
    return "\n".join(out) + "\n.Lout:\n"


def mca_cycles(path):
    """llvm-mca's cycles for one pass over @path, less those of a lone NOP:
    what the path adds to the code around it, not the pipeline's fill and
    drain, which that code pays anyway."""
    if not path:
        return 0
    return max(0, mca_total(path) - mca_total(["nop"]))


def mca_total(path):
    r = subprocess.run(["llvm-mca", "-mcpu=" + MCPU, "-iterations=1"],
                       input=mca_text(path), capture_output=True, text=True)
    m = re.search(r"^Total Cycles:\s+(\d+)", r.stdout, re.M)
    if r.returncode or not m:
        die("llvm-mca failed on the path: %s" % (r.stderr.strip().splitlines() or ["?"])[-1])
    return int(m.group(1))


def classify(path):
    """Counts of the instructions that cost more than their micro-ops say."""
    ops = [t.split()[0] if t.split() else "" for t in path]
    return {
        "insns": len(path),
        "rdtsc": sum(o in ("rdtsc", "rdtscp") for o in ops),
        "lock": sum(o == "lock" or t.startswith("xchg") and "(" in t for o, t in zip(ops, path)),
        "fence": sum(o in ("lfence", "mfence", "sfence") for o in ops),
        "calls": sum(o.startswith("call") for o in ops),
        "rets": sum(o.startswith("ret") for o in ops),
    }


def priced(row, lines):
    row["hot_cycles"] = mca_cycles(row.pop("path"))
    row["lines"] = lines
    row["cold_cycles"] = row["hot_cycles"] + L3_HIT * lines
    return row


def module_rows(hc):
    """One row per vendor and mode: the vendor's vcpu_run hooks and kvm.ko's
    per-exit hooks; a CPUID exit also runs kvm_cpuid's (a row of its own)."""
    parts = {}
    for p in hc.get("parts", []):
        parts[(p["part"], p["mode"])] = p
    rows = []
    for vendor in ("intel", "amd"):
        for mode in ("off", "counts", "cycles"):
            for what, names in (("every exit", (vendor, "x86")), ("a CPUID exit, more", ("kvm",))):
                ps = [parts[(n, mode)] for n in names if (n, mode) in parts]
                if not ps:
                    continue
                path = [t for p in ps for t in p["path"]]
                row = {"vendor": vendor, "config": "exitscope-" + mode, "what": what}
                row.update(classify(path))
                data = set()
                for p in ps:
                    data |= {"%s:%s" % (p["module"], n) for n in p["lines_read"] + p["lines_written"]}
                code = sum(p["code_lines"] for p in ps)
                row["path"] = path
                rows.append(priced(row, len(data) + code))
    return rows


# --- BPF programs, from L1's dumps -------------------------------------

def kallsyms(f):
    syms = []
    for line in f:
        parts = line.split()
        if len(parts) >= 3 and re.fullmatch(r"[0-9a-f]+", parts[0]):
            syms.append((int(parts[0], 16), parts[2]))
    syms.sort()
    return syms


def symbol_at(syms, addr):
    lo, hi = 0, len(syms)
    while lo < hi:
        mid = (lo + hi) // 2
        if syms[mid][0] <= addr:
            lo = mid + 1
        else:
            hi = mid
    return syms[lo - 1][1] if lo else "?"


def disassemble_image(image, base):
    """[(address, text)] of an image loaded at @base: objdump's branch and
    call targets then are the kernel's own addresses."""
    out = subprocess.run(["objdump", "-D", "-b", "binary", "-mi386:x86-64",
                          "--adjust-vma=%#x" % base, image],
                         capture_output=True, text=True, check=True).stdout
    insns = []
    for line in out.splitlines():
        m = re.match(r"^\s*([0-9a-f]+):\t(?:[0-9a-f]{2} )+\s*\t(.*)$", line)
        if m:
            insns.append((int(m.group(1), 16), m.group(2).strip()))
    return insns


def returns_soon(insns, index, i, window=8):
    """Whether the code from @i reaches a return within @window
    instructions, calling nothing (straight, or by a forward jump: the
    JIT's shared epilogue)."""
    seen = 0
    while i < len(insns) and seen < window:
        seen += 1
        t = insns[i][1]
        op = t.split()[0] if t.split() else ""
        if op.startswith("ret"):
            return True
        if op.startswith("call"):
            return False
        m = re.match(r"^jmp\s+0x([0-9a-f]+)$", t)
        if m:
            target = int(m.group(1), 16)
            if target not in index or target <= insns[i][0]:
                return False
            i = index[target]
            continue
        if op == "jmp":
            return False
        i += 1
    return False


def walk_image(insns, funcs, syms, calls, depth=0):
    """The path of one run from @insns[0], to the return (the JIT ends every
    exit at the epilogue). A conditional branch is not taken, unless its
    fall-through returns at once and its target does not: that is an early
    return, which the common run skips (the "return" heuristic of static
    branch prediction: Ball and Larus, "Branch prediction for free", PLDI
    1993). Forward jumps are followed. A call into another function of the
    program (a BPF-to-BPF call) is walked too; a call into the kernel is
    named in @calls."""
    index = {a: i for i, (a, _) in enumerate(insns)}
    path, i, steps = [], 0, 0
    while i < len(insns) and steps < 4096:
        steps += 1
        addr, t = insns[i]
        path.append((addr, t))
        op = t.split()[0] if t.split() else ""
        if op.startswith("ret"):
            break
        m = re.match(r"^j(?!mp)\w+\s+0x([0-9a-f]+)$", t)
        if m:
            target = int(m.group(1), 16)
            if target > addr and target in index and \
                    returns_soon(insns, index, i + 1) and \
                    not returns_soon(insns, index, index[target]):
                i = index[target]
                continue
        m = re.match(r"^call\s+0x([0-9a-f]+)$", t)
        if m:
            target = int(m.group(1), 16)
            sub = next((f for f in funcs if f[0] == target), None)
            if sub is not None and depth < 8:
                path += walk_image(sub[2], funcs, syms, calls, depth + 1)
            else:
                name = symbol_at(syms, target) if syms else "?"
                calls[name] = calls.get(name, 0) + 1
        m = re.match(r"^jmp\s+0x([0-9a-f]+)$", t)
        if m and int(m.group(1), 16) > addr and int(m.group(1), 16) in index:
            i = index[int(m.group(1), 16)]
            continue
        if op == "jmp":
            break                          # a tail call or a thunk: the end
        i += 1
    return path


def traced_runs(funcs, tbs):
    """How often the program ran in the trace: its entry block's count."""
    return sum(tbs.get(funcs[0][0], {}).values())


def traced_path(funcs, tbs, syms, calls):
    """The path one run of the program took, from QEMU's trace (lab/bench.sh
    --jit on AMD): how often each translation block of the images ran, over
    how often the entry's did (the program's runs). A block runs from its
    address to its first branch, call or return, or for as many
    instructions as its limit says (-icount cuts blocks short at its
    deadlines; 0: no limit). [] when the trace has no run of this program."""
    runs = traced_runs(funcs, tbs)
    if not runs:
        return []
    freq = {}
    for _, _, insns in funcs:
        for i, (addr, _) in enumerate(insns):
            for limit, n in tbs.get(addr, {}).items():
                k = 0
                for a, t in insns[i:]:
                    freq[a] = freq.get(a, 0) + n / runs
                    k += 1
                    op = t.split()[0] if t.split() else ""
                    if op.startswith(("j", "call", "ret")) or k == limit:
                        break
    path = []
    for _, _, insns in funcs:
        for a, t in insns:
            k = int(freq.get(a, 0) + 0.5)
            path += [(a, t)] * k
            m = re.match(r"^call\s+0x([0-9a-f]+)$", t)
            if k and m and not any(f[0] == int(m.group(1), 16) for f in funcs):
                name = symbol_at(syms, int(m.group(1), 16)) if syms else "?"
                calls[name] = calls.get(name, 0) + k
    return path


def program_funcs(image, funcs_file):
    """[(address, bytes, insns)] of each function of one program's image,
    from bpf-jited's "func ADDRESS BYTES" lines."""
    funcs, offset = [], 0
    with open(image, "rb") as f:
        data = f.read()
    with open(funcs_file) as f:
        for line in f:
            m = re.match(r"^func 0x([0-9a-f]+) (\d+)$", line.strip())
            if not m:
                die("%s: not bpf-jited's output: %r" % (funcs_file, line.strip()))
            addr, size = int(m.group(1), 16), int(m.group(2))
            if offset + size > len(data):
                die("%s: its functions are longer than %s" % (funcs_file, image))
            part = image + ".func%d" % len(funcs)
            with open(part, "wb") as p:
                p.write(data[offset:offset + size])
            funcs.append((addr, size, disassemble_image(part, addr)))
            os.unlink(part)
            offset += size
    if not funcs or offset != len(data):
        die("%s: its functions do not make up %s" % (funcs_file, image))
    return funcs


def data_lines(path):
    """Distinct cache lines the path reads or writes. The JIT loads a map's
    address as an immediate (movabs $ADDRESS, %reg) and then goes through
    the register: such an operand is the line of that address plus the
    displacement. Any other is named by base register and displacement (the
    stack frame is %rbp's); an indexed operand is a line of its own."""
    lines, known = set(), {}
    for _, t in path:
        if t.startswith(("nop", "lea")):
            continue
        for o in re.findall(r"-?(?:0x[0-9a-f]+)?\(%\w+(?:,%\w+,\d)?\)", t):
            m = re.match(r"^(-?)(?:0x([0-9a-f]+))?\((%\w+)(,%\w+,\d)?\)$", o)
            if not m:
                continue
            disp = int(m.group(2) or "0", 16) * (-1 if m.group(1) else 1)
            base = m.group(3)
            if m.group(4):
                lines.add(o)
            elif base in known:
                lines.add("%#x" % ((known[base] + disp) // LINE * LINE))
            else:
                lines.add("%s/%d" % (base, disp // LINE))
        # What the instruction leaves in a register: an address, or not.
        m = re.match(r"^movabs\s+\$0x([0-9a-f]+),(%\w+)$", t)
        dest = re.search(r",(%\w+)$", t)
        if m:
            known[m.group(2)] = int(m.group(1), 16)
        elif dest:
            known.pop(dest.group(1), None)
        if t.startswith("call"):
            known.clear()                  # the callee may change any of them
    return lines


def load_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        die("%s: %s (bpftool -j's output)" % (path, e))


def attached(bench, config):
    """{id: (name, tag, how)} of the programs @config had attached: through
    a BPF link (tp_btf, raw_tp) or a perf event on a kvm tracepoint (tp)."""
    progs = {p["id"]: p for p in load_json(os.path.join(bench, "jit-progs-%s.json" % config))
             if isinstance(p, dict) and "id" in p}
    out = {}
    links = os.path.join(bench, "jit-links-%s.json" % config)
    for link in (load_json(links) if os.path.exists(links) else []):
        pid = link.get("prog_id")
        # tp_btf (a tracing link of a raw tracepoint) or raw_tp on kvm's:
        # not a cgroup's, an XDP's or another tool's of another kind.
        kvm_raw = link.get("type") == "raw_tracepoint" and \
            link.get("tp_name") in ("kvm_exit", "kvm_entry")
        btf = link.get("type") == "tracing" and link.get("attach_type") == "trace_raw_tp"
        if pid in progs and (kvm_raw or btf):
            out[pid] = "link %s" % link.get("attach_type", link.get("type", "?"))
    perf = os.path.join(bench, "jit-perf-%s.json" % config)
    for ev in (load_json(perf) if os.path.exists(perf) else []):
        pid = ev.get("prog_id")
        if pid in progs and ev.get("fd_type") == "tracepoint" and \
                ev.get("tracepoint") in ("kvm_exit", "kvm_entry"):
            out[pid] = "perf tracepoint %s" % ev["tracepoint"]
    return {pid: (progs[pid].get("name", "?"), progs[pid].get("tag", ""), how)
            for pid, how in out.items()}


def measured(bench):
    """{config: the median over the cases of what bench.json says it adds
    per exit}: the sitting's own measurement, beside the model (emulated
    instructions: everything an exit ran, dispatch and helpers too)."""
    path = os.path.join(bench, "bench.json")
    if not os.path.exists(path):
        return {}
    doc = load_json(path)
    out = {}
    for c in doc.get("configs", []):
        vals = sorted(b["added_per_exit"] for b in c.get("benchmarks", [])
                      if isinstance(b.get("added_per_exit"), int))
        if vals and c.get("vcpus") == 1:
            out[c["name"]] = vals[len(vals) // 2]
    return out


def bpf_rows(bench):
    """One row per configuration of a benchmark's results directory that
    dumped JIT images (lab/bench.sh --jit): every program it attached to
    kvm_exit or kvm_entry, walked and priced, the kernel functions they
    call named."""
    info = {}
    try:
        with open(os.path.join(bench, "bench-info.txt")) as f:
            for line in f:
                k, _, v = line.rstrip("\n").partition("=")
                info[k] = v
    except OSError as e:
        die("%s: %s" % (bench, e))
    jit = os.path.join(bench, "jit")
    if os.path.isdir(jit):                 # lab/bench.sh --jit: a boot each
        rows = []
        added = measured(bench)
        for d in sorted(os.listdir(jit)):
            if os.path.isdir(os.path.join(jit, d)):
                rows += bpf_rows(os.path.join(jit, d))
        for r in rows:
            if r["config"] in added:
                r["measured_added"] = added[r["config"]]
        return rows
    tbs = {}
    counts = os.path.join(bench, "tb-counts.tsv")
    if os.path.exists(counts):
        with open(counts) as f:
            for line in f:
                m = re.match(r"^([0-9a-f]+)\t(\d+)\t(\d+)$", line.strip())
                if m:
                    blocks = tbs.setdefault(int(m.group(1), 16), {})
                    blocks[int(m.group(2))] = blocks.get(int(m.group(2)), 0) + int(m.group(3))
    configs = sorted(f[len("jit-progs-"):-len(".json")] for f in os.listdir(bench)
                     if f.startswith("jit-progs-") and f.endswith(".json"))
    if not configs:
        die("%s: no jit-progs-*.json (lab/bench.sh --jit writes them)" % bench)
    syms = []
    ks = os.path.join(bench, "kallsyms.txt.gz")
    if os.path.exists(ks):
        with gzip.open(ks, "rt") as f:
            syms = kallsyms(f)
    rows = []
    for config in configs:
        progs = attached(bench, config)
        if not progs:
            continue                       # a configuration of no BPF
        path, calls, code, names, image_insns, paths, runs = [], {}, 0, [], 0, set(), []
        for pid, (name, tag, how) in sorted(progs.items()):
            image = os.path.join(bench, "jit-%s-%s.bin" % (config, pid))
            funcs_file = os.path.join(bench, "jit-%s-%s.funcs" % (config, pid))
            if not os.path.exists(image) or not os.path.exists(funcs_file):
                why = os.path.join(bench, "jit-dump-%s.log" % config)
                die("%s: no JIT image of program %s (%s) of %s%s" % (
                    bench, pid, name, config,
                    " (%s)" % open(why).read().strip().replace("\n", "; ")
                    if os.path.exists(why) and os.path.getsize(why) else ""))
            funcs = program_funcs(image, funcs_file)
            image_insns += sum(len(f[2]) for f in funcs)
            if not funcs[0][2]:
                die("%s: objdump made no instruction of %s" % (bench, image))
            walked = traced_path(funcs, tbs, syms, calls) if tbs else []
            if walked:
                how_path = "traced"
                runs.append(traced_runs(funcs, tbs))
            else:
                walked = walk_image(funcs[0][2], funcs, syms, calls)
                how_path = "walked"
            paths.add(how_path)
            code += len({a // LINE for a, _ in walked})
            path += [t for _, t in walked]
            names.append("%s (%s)" % (name, how))
        row = {"vendor": info.get("cpu", "?"), "config": config,
               "what": "every exit: " + ", ".join(names)}
        row.update(classify(path))
        row["kernel_calls"] = calls
        row["image_insns"] = image_insns
        row["path_from"] = "traced" if paths == {"traced"} else "walked"
        if row["path_from"] == "traced":
            row["traced_runs"] = runs
        row["path"] = path
        rows.append(priced(row, len(data_lines([(0, t) for t in path])) + code))
    return rows


def table(rows):
    print("%s; hot: %s; cold: %s" % (UARCH, SOURCES["hot"], SOURCES["cold"]))
    print("%-6s %-24s %-20s %6s %6s %5s %6s %6s %5s %6s %6s %7s" % (
        "vendor", "config", "path", "insns", "rdtsc", "lock", "fence", "calls", "rets",
        "lines", "hot", "cold"))
    for r in rows:
        what = r["what"] if len(r["what"]) <= 20 else r["what"][:17] + "..."
        print("%-6s %-24s %-20s %6d %6d %5d %6d %6d %5d %6d %6d %7d" % (
            r["vendor"], r["config"], what, r["insns"], r["rdtsc"], r["lock"], r["fence"],
            r["calls"], r["rets"], r["lines"], r["hot_cycles"], r["cold_cycles"]))
        if r.get("image_insns"):
            print("%-6s %-24s %s; of %d instructions in the images;%s calls into the kernel: %s" % (
                "", "", "the path QEMU traced" if r["path_from"] == "traced"
                else "the path walked (branch heuristics)", r["image_insns"],
                " measured in all +%d emulated instructions per exit;" % r["measured_added"]
                if "measured_added" in r else "",
                ", ".join("%s x%d" % kv for kv in sorted(r["kernel_calls"].items())) or "none"))


def main(argv):
    as_json = "--json" in argv
    argv = [a for a in argv if a != "--json"]
    if len(argv) < 2:
        print(__doc__.split("\n\n")[-2].split("\n")[0], file=sys.stderr)
        return 2
    if not shutil.which("llvm-mca"):
        die("no llvm-mca (Debian: apt install llvm)")
    try:
        with open(argv[1]) as f:
            hc = json.load(f)
    except (OSError, ValueError) as e:
        die("%s: %s" % (argv[1], e))
    if hc.get("schema") != "exitscope.hook-cost/1":
        die("%s: not exitscope.hook-cost/1 (scripts/hook-cost.sh --json)" % argv[1])
    rows = module_rows(hc)
    for d in argv[2:]:
        rows += bpf_rows(d)
    if as_json:
        json.dump({"schema": "exitscope.cycle-model/1", "uarch": UARCH, "mcpu": MCPU,
                   "l3_hit_cycles": L3_HIT, "sources": SOURCES, "rows": rows},
                  sys.stdout, indent=1)
        print()
    else:
        table(rows)
    return 0


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    sys.exit(main(sys.argv))
