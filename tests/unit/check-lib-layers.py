#!/usr/bin/env python3
# The library's architecture, checked (tools/README.md):
#  - every include of a lib header is "folder/file.h", and a lib folder
#    includes only the folders tools/README.md's table allows it;
#  - the users outside lib/ keep to theirs (the VMM, the guests, the BPF
#    collector);
#  - no two lib files call each other both ways (nm on the built objects:
#    each undefined symbol to the object that defines it, then the
#    strongly connected components of that graph).
# One "ok - " or "not ok - " line per check. Usage: check-lib-layers.py
# [TOP [OBJDIR]]; OBJDIR defaults to TOP/build/obj/lib (make tools-bin).
import os
import re
import subprocess
import sys

top = sys.argv[1] if len(sys.argv) > 1 else "."
objdir = sys.argv[2] if len(sys.argv) > 2 else os.path.join(top, "build/obj/lib")
lib = os.path.join(top, "tools/lib")
failed = 0


def result(ok, name, why=()):
    global failed
    print(("ok - " if ok else "not ok - ") + name)
    for w in [] if ok else why:
        print("#   " + w)
    failed += not ok


def rules():
    """The 'may include' table of tools/README.md: folder -> allowed set."""
    text = open(os.path.join(top, "tools/README.md")).read()
    sec = text.split("## What may include what", 1)
    if len(sec) != 2:
        sys.exit("tools/README.md: no 'What may include what' section")
    allow = {}
    for line in sec[1].splitlines():
        m = re.match(r"^\| *([a-z]+) *\| *([a-z, ]*?) *\|$", line)
        if m and m.group(1) != "folder":
            allow[m.group(1)] = {x.strip() for x in m.group(2).split(",") if x.strip()}
        elif allow and not line.startswith("|"):
            break
    if not allow:
        sys.exit("tools/README.md: the 'may include' table is empty")
    return allow


def includes(path):
    """(line number, text) of every #include "..." of @path."""
    out = []
    with open(path, errors="replace") as f:
        for n, line in enumerate(f, 1):
            m = re.match(r'\s*#\s*include\s+"([^"]+)"', line)
            if m:
                out.append((n, m.group(1)))
    return out


def files(under, exts=(".c", ".h", ".S", ".lds")):
    for d, _, names in os.walk(os.path.join(top, under)):
        for n in sorted(names):
            if n.endswith(exts):
                yield os.path.join(d, n)


allow = rules()
folders = sorted(d for d in os.listdir(lib) if os.path.isdir(os.path.join(lib, d)))
lib_headers = {}
for d in folders:
    for n in os.listdir(os.path.join(lib, d)):
        if n.endswith(".h"):
            lib_headers.setdefault(n, []).append(d)

result(sorted(allow) == folders, "every folder of tools/lib has a row in tools/README.md, and no more",
       ["folders: " + " ".join(folders), "rows:    " + " ".join(sorted(allow))])

# Inside lib: "folder/file.h" only, to allowed folders.
bad = []
for d in folders:
    for path in files(os.path.join("tools/lib", d)):
        rel = os.path.relpath(path, top)
        for n, inc in includes(path):
            if inc == "../../bpf/exitscope.h" and rel.startswith("tools/lib/model/"):
                continue
            parts = inc.split("/")
            if len(parts) != 2 or parts[0] not in folders:
                bad.append(f"{rel}:{n}: \"{inc}\" is not \"folder/file.h\"")
            elif not os.path.exists(os.path.join(lib, inc)):
                bad.append(f"{rel}:{n}: \"{inc}\" does not exist")
            elif parts[0] != d and parts[0] not in allow.get(d, ()):
                bad.append(f"{rel}:{n}: {d}/ may not include {parts[0]}/")
result(not bad, "tools/lib: each folder includes only what tools/README.md allows", bad)

# Outside lib: the folder form, and each user's own limits.
limits = {
    "tools/vmm": {"abi", "util"},
    "tools/bpf": {"model", "source", "util"},
    "guest/bench": {"abi"},
    "guest/linux": {"model"},
    "lab/bpf-floor": {"source", "util", "model"},
}
bad = []
for under in ["tools/exitscope", "tools/vmm", "tools/bpf", "guest", "lab", "tests", "fuzz"]:
    lim = next((v for k, v in limits.items() if under == k or under.startswith(k + "/")), None)
    for path in files(under):
        rel = os.path.relpath(path, top)
        lim = next((v for k, v in limits.items() if rel.startswith(k + "/")), None)
        for n, inc in includes(path):
            if re.search(r"(^|/)lib/", inc):
                bad.append(f"{rel}:{n}: \"{inc}\": include lib headers as \"folder/file.h\"")
                continue
            parts = inc.split("/")
            if len(parts) == 2 and parts[0] in folders and os.path.exists(os.path.join(lib, inc)):
                if lim is not None and parts[0] not in lim:
                    bad.append(f"{rel}:{n}: may not include {parts[0]}/")
result(not bad, "outside tools/lib: lib headers as \"folder/file.h\"; the VMM, the guests and the collector within their limits", bad)

# Lib never includes the programs above it.
bad = []
for path in files("tools/lib"):
    for n, inc in includes(path):
        if re.search(r"(exitscope|vmm)/", inc) or (inc.startswith("../") and inc != "../../bpf/exitscope.h"):
            bad.append(f"{os.path.relpath(path, top)}:{n}: \"{inc}\"")
result(not bad, "tools/lib includes nothing of tools/exitscope, tools/vmm or tools/bpf but the map layout", bad)

# Call cycles between lib objects.
objs = []
for d, _, names in os.walk(objdir):
    objs += [os.path.join(d, n) for n in sorted(names) if n.endswith(".o")]
srcs = {os.path.relpath(p, lib)[:-2] for p in files("tools/lib", (".c",))}
objs = [o for o in objs if os.path.relpath(o, objdir)[:-2] in srcs]
if len(objs) != len(srcs):
    result(False, "call cycles: every lib file built",
           [f"{len(objs)} objects in {objdir} for {len(srcs)} sources: run make tools-bin"])
else:
    defs, undef = {}, {}
    for o in objs:
        name = os.path.relpath(o, objdir)[:-2]
        out = subprocess.run(["nm", "--defined-only", "-g", o], capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            f = line.split()
            if len(f) == 3 and f[1] not in "wWvV":
                defs[f[2]] = name
        out = subprocess.run(["nm", "-u", o], capture_output=True, text=True, check=True).stdout
        undef[name] = {line.split()[-1] for line in out.splitlines() if line.strip()}
    graph = {n: sorted({defs[s] for s in u if s in defs and defs[s] != n}) for n, u in undef.items()}
    # Tarjan's strongly connected components.
    index, low, stack, on, sccs, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                sccs.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    result(not sccs and len(graph) == len(srcs),
           f"no two of the {len(srcs)} lib files call each other both ways (nm)",
           ["a cycle: " + " <-> ".join(c) for c in sccs])

sys.exit(1 if failed else 0)
