#!/usr/bin/env python3
# Mutation check of tests/unit/test_collector.c and test_explain.c (a
# mutation's fifth field names its test): each mutation below is put
# into the source, the unit test rebuilt and run, and must fail it; the
# source is restored after each. Prints one line per mutation: "caught by
# TESTS" or "SURVIVED". Run from the top of the tree after `make unit`.
# It works in a copy of the tree (build/mutate), never in the tree itself:
# the lab's lane of make check builds the tools from it meanwhile. The
# copy takes the tree's objects with their times, so that each mutation
# rebuilds only what it touches; after each, the source gets its time back
# and the build its files (from build.pristine), so that the next mutation
# does not rebuild the last one's files once more (65 mutations: about half
# the compiles).
import os, shutil, subprocess, sys
work = "build/mutate"
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work + "/build")
subprocess.run("tar --exclude=./build --exclude=./.git --exclude=./results -cf - . | tar -C %s -xf -" % work,
               shell=True, check=True)
subprocess.run("tar -cf - obj test kernel*.mk | tar -C ../%s/build -xf -" % work,
               shell=True, check=True, cwd="build")
muts = [
 ("tools/bpf/exitscope.h", "(reason & 0xffff);", "(reason & 0x7fffffff);", "fold: keep flag bits"),
 ("tools/bpf/exitscope.h", "return (reason & ES_BPF_VMX_FAILED) ? ES_BPF_VMX_FAILED", "return (reason & 0) ? ES_BPF_VMX_FAILED", "fold: failed entries not one row"),
 ("tools/bpf/exitscope.h", "	r |= (__u32)(v >> 1);\n", "", "log2: last step dropped"),
 ("tools/bpf/exitscope.h", "return b < ES_BPF_HIST_BUCKETS - 1 ? b : ES_BPF_HIST_BUCKETS - 1;", "return b;", "bucket: no cap at the last bucket"),
 ("tools/lib/model/hist.c", "(uint64_t)ceil((double)total * p / 100.0)", "(uint64_t)floor((double)total * p / 100.0)", "percentile: floor rank"),
 ("tools/lib/model/hist.c", "return ((uint64_t)1 << (b + 1)) - 1;", "return ((uint64_t)1 << (b + 1));", "bucket upper bound off by one"),
 ("tools/lib/model/hist.c", "*ns = lo + (uint64_t)llround(frac * (double)(hi - lo));", "*ns = hi + 0 * (uint64_t)frac;", "percentile: upper bound, no interpolation"),
 ("tools/lib/model/snapshot.c", "		if (!row_sub(&d, &a.rows[j], &b.rows[i]))\n				d = a.rows[j];", "		if (!row_sub(&d, &a.rows[j], &b.rows[i]))\n				continue;", "diff: a counter that went back dropped"),
 ("tools/lib/model/snapshot.c", "		if (!row_zero(&d) && es_snap_add(out, &d))", "		if ((row_zero(&d) || 1) && es_snap_add(out, &d))", "diff: unchanged rows kept"),
 ("tools/lib/model/snapshot.c", "		if (all_vms)\n			r.tgid = 0;", "		if (all_vms && 0)\n			r.tgid = 0;", "fold: VMs not summed"),
 ("tools/lib/model/record.c", "		if (add_row(vcpu, d->vendor, sr))\n			goto oom;", "", "record: vCPU rows lost"),
 ("tools/lib/json/record_json.c", "			if (q != p) {", "			if (0) {", "record JSON: percentiles not checked"),
 ("tools/lib/json/record_json.c", "		if (i && run->pid <= r->runs[i - 1].pid) {", "		if (0) {", "record JSON: VM order not checked"),
 ("tools/lib/export/openmetrics.c", "			cum += r->hist[b];", "			cum = r->hist[b];", "metrics: buckets not cumulative"),
 ("tools/lib/export/openmetrics.c", '"%" PRIu64 ".%09" PRIu64', '"%" PRIu64 ".%" PRIu64', "metrics: seconds without zero padding"),
 ("tools/lib/export/openmetrics.c", '\t\t\tfputs(s[i] == \'\\n\' ? "\\\\n" : s[i] == \'"\' ? "\\\\\\"" : "\\\\\\\\", out);', '\t\t\tfputc(s[i], out);', "metrics: label values unescaped"),
 ("tools/lib/export/openmetrics.c", "		if (r->vcpu != ES_VCPU_ALL)", "		if (0)", "metrics: no vcpu label"),
 ("tools/lib/write/top_table.c", "		if (f + 2 + want <= width)", "		if (f + want <= width)", "top: layout 2 columns too wide"),
 ("tools/lib/write/top_table.c", "	if (width && n > width)\n		n = width;", "	if (width && n > width && 0)\n		n = width;", "top: long header not cut"),
 ("tools/lib/write/top_table.c", "	if (!c)\n		c = desc(x->delta, y->delta);", "", "top: not sorted by rate"),
 ("tools/lib/export/http.c", '	if ((size_t)(sp1 - buf) != 3 || memcmp(buf, "GET", 3))\n		return ES_HTTP_METHOD;', "", "http: any method served"),
 ("tools/lib/export/http.c", "\t    ((size_t)(sp2 - sp1 - 1) > 8 && sp1[9] != '?'))", '\t    0)', "http: /metrics/ prefix served"),
 ("tools/lib/export/http.c", "		return len >= ES_HTTP_MAX_REQUEST ? ES_HTTP_TOO_BIG : ES_HTTP_MORE;", "		return ES_HTTP_MORE;", "http: an endless header waits forever"),
 ("tools/lib/model/verdict.c", "	if (h[ES_BPF_STATS_FULL])", "	if (0)", "verdict: lost exits pass"),
 ("tools/lib/model/verdict.c", "		if (sum != row->f.count)", "		if (0)", "verdict: vCPUs need not add up"),
 ("tools/lib/parse/parse_hist_keys.c", "	if (vendor == ES_INTEL)\n		k[2] = es_bpf_fold_reason(ES_BPF_ISA_VMX, (uint32_t)k[2]);", "	if (vendor == ES_INTEL && 0)\n		k[2] = 0;", "tracefs hist: VMX not folded"),
 ("tools/lib/parse/parse_hist_keys.c", "		if (at == HITS && v != sum)", "		if (0)", "tracefs hist: Hits not checked"),
 ("tools/lib/source/source_module.c", "		r->count += run.rows[i].f.count;", "		r->count = run.rows[i].f.count;", "module: two VMs of a process not added"),
 ("tools/lib/model/summary.c", "		c->median = c->median + n < c->median ? ES_FIG_MAX : c->median + n;", "		c->median = n;", "summary: record cells not summed"),
 ("tools/lib/model/record.c", '		snprintf(la, sizeof(la), "a");', '		snprintf(la, sizeof(la), "%s", a->meta.label);', "compare: equal labels kept"),
 ('tools/lib/model/snapshot.c', '\t\t\td.count -= b->details[i].count;\n', '', 'detail diff: not a difference'),
 ('tools/lib/model/snapshot.c', '\t\tif (all_vms)\n\t\t\td.tgid = 0;', '', 'detail fold: VMs not summed'),
 ('tools/lib/model/detail.c', 'keep = top && j - i > top ? top : j - i;', 'keep = top && j - i > top + 1 ? top : j - i;', 'detail groups: one key too many kept'),
 ('tools/lib/json/detail_json.c', 'if (keyed > count || none != count - keyed)', 'if (keyed > count)', 'detail JSON: none not checked'),
 ('tools/lib/json/detail_json.c', '\t\t\tfor (m = first; m < run->ndetails; m++)\n\t\t\t\tif (run->details[m].value == d.value && run->details[m].flags == d.flags)', '\t\t\tfor (m = first; m < run->ndetails; m++)\n\t\t\t\tif (0)', 'detail JSON: a key twice'),
 ('tools/lib/write/top_table.c', 'if (i - g < ES_TOP_KEYS) {', 'if (i - g <= ES_TOP_KEYS) {', 'top expand: one key too many'),
 ('tools/lib/write/top_table.c', '\t\tif (i < n && k[i].code == k[g].code)\n\t\t\tcontinue;', '', 'top expand: (no key) per kind, not per reason'),
 ('tools/lib/write/top_table.c', 'bool by_total = *(const enum es_top_sort *)arg == ES_TOP_BY_TOTAL;', 'bool by_total = *(const enum es_top_sort *)arg == ES_TOP_BY_NAME;', 'top expand: keys not sorted by total'),
 ('tools/lib/write/top_table.c', '\tif (o->mode != ES_TOP_REASONS || !o->expand[0])\n\t\treturn false;', '\tif (!o->expand[0])\n\t\treturn false;', 'top expand: keys in the VM view'),
 ('tools/lib/export/openmetrics.c', '\tif (dir[0])\n\t\tfprintf(c->out, ",dir=', '\tif (0 && dir[0])\n\t\tfprintf(c->out, ",dir=', 'metrics: a key without its direction'),
 ('tools/lib/export/openmetrics.c', 'top ? g[i].other : g[i].keyed', 'g[i].keyed', 'metrics: the rest counts the labelled keys too'),
 ('tools/lib/export/openmetrics.c', 'if (!(c->s->has & ES_SNAP_DETAIL))\n\t\treturn 0;', 'if (0)\n\t\treturn 0;', 'metrics: drill-down families without a drill-down'),
 ('tools/lib/explain/rules.c', 'if (p->nested == 1 || !busy(p, all, 20.0, 1e12))', 'if (!busy(p, all, 20.0, 1e12))', 'explain: shadow paging with nested paging on', 'test_explain'),
 ('tools/lib/explain/rules.c', '\tif (p50 > LONG_HALT_NS)\n\t\treturn false;', '', 'explain: idle halts as short ones', 'test_explain'),
 ('tools/lib/explain/rules.c', ' || !(d->flags & ES_BPF_DF_WRITE))', ')', 'explain: timer MSR reads count', 'test_explain'),
 ('tools/lib/explain/rules.c', 'es_profile_keyed(p, "npf", ES_BPF_DK_MMIO);', 'es_profile_count(p, "npf");', 'explain: every NPF as MMIO', 'test_explain'),
 ('tools/lib/explain/rules.c', 'device_of(d->value) == dev : d->value == port', 'd->value == port : d->value == port', 'explain: ports of a device apart', 'test_explain'),
 ('tools/lib/explain/rules.c', 'if (named_in(r->name, hlt_names) || r->count < OUTLIER_MIN_EXITS ||', 'if (named_in(r->name, pause_names) || r->count < OUTLIER_MIN_EXITS ||', 'explain: a halt\'s idle tail as an outlier', 'test_explain'),
 ('tools/lib/explain/rules.c', 'r->count < OUTLIER_MIN_EXITS ||', 'r->count < MIN_EXITS ||', 'explain: a p99 of a handful of exits as a tail', 'test_explain'),
 ('tools/lib/explain/rules.c', 'return n >= MIN_EXITS && (', 'return (', 'explain: a handful of exits a finding', 'test_explain'),
 ('tools/lib/explain/profile.c', 'for (i = 0; !record && runs > 1 && i < p->nkeys; i++)', 'for (i = 0; !record && runs > 100 && i < p->nkeys; i++)', 'explain: a lab mode\'s keys summed over its runs', 'test_explain'),
 ('tools/lib/explain/profile.c', '\t\tif (!(r->runs[i].sources & ES_SRC_DETAIL))\n\t\t\treturn false;\n', '', 'explain: a lab mode with the drill-down in one run only', 'test_explain'),
 ('tools/lib/explain/rules.c', 'if (pctl_floor(r, 99) < OUTLIER_P99_NS ||', 'if ((pctl_floor(r, 99) & 0) + p99 < OUTLIER_P99_NS ||', 'explain: an interpolated tail as a certain one', 'test_explain'),
 ('tools/lib/explain/explain.c', 'x->change[i] = ES_CHANGE_STILL;', 'x->change[i] = ES_CHANGE_NEW;', 'explain: a finding still there shows as new', 'test_explain'),
 ('tools/lib/explain/rules.c', 'vectors ? es_profile_key(p, "EXCEPTION_NMI", ES_BPF_DK_VECTOR, 14) :', 'vectors ? es_profile_count(p, "EXCEPTION_NMI") :', 'explain: VMX exceptions all #PF despite the keys', 'test_explain'),
 ('tools/lib/write/write_explain.c', '\t\t\tif (!es_rule_covers(f->rule, name))\n', '\t\t\tif (0)\n', 'report: a why-line from a rule about another reason', 'test_report'),
 ('tools/lib/write/write_explain.c', 'es_profile_share(&w->p[i], es_profile_count(&w->p[i], name))', 'es_profile_share(&w->p[i], es_profile_count(&w->p[0], name))', 'report: why-line shares all of the first mode', 'test_report'),
 ('tools/lib/json/detail_json.c', 'if (keyed > count || none != count - keyed)', 'if (keyed > count)', 'detail JSON in results.json: none not checked', 'test_report'),
 ('tools/lib/json/results_json.c', 'counted. */\n\tif (run->sources & ES_SRC_DETAIL)', 'counted. */\n\tif (0)', 'results.json: a run\'s drill-down not marked', 'test_report'),
 ('tools/lib/json/results_json.c', '\tif (!!a != !!(run->sources & ES_SRC_DETAIL))', '\tif (!a && (run->sources & ES_SRC_DETAIL))', 'results.json: a drill-down taken without the run\'s mark', 'test_report'),
 ('tools/lib/model/memslot.c', 'if (ms[i].tgid != tgid || ms[i].as_id)', 'if (ms[i].tgid != tgid)', 'memslots: SMM\'s slots name regions'),
 ('tools/lib/model/memslot.c', 'if (first && (first->id != m->id || strcmp(first->mapping, m->mapping)))', 'if (first && strcmp(first->mapping, m->mapping))', 'memslots: VMs summed that disagree on the slot'),
 ('tools/lib/model/memslot.c', "src[i] >= 0x20 && src[i] < 0x7f ? src[i] : '?'", 'src[i]', 'memslots: a VMM\'s control bytes passed on'),
 ('tools/lib/json/detail_json.c', 'if (i && es_memslot_cmp(&run->memslots[run->nmemslots - 1], &m) >= 0)', 'if (0)', 'memslots JSON: order and duplicates not checked'),
 ('tools/lib/model/snapshot.c', 'if (!all_vms && (!tgid || tmp.memslots[i].tgid == tgid))', 'if (!tgid || tmp.memslots[i].tgid == tgid)', 'memslots: kept when VMs are summed'),
 ('tools/lib/model/record.c', 'm[r->runs[j].nmemslots++] = s->memslots[i];', '(void)i;', 'record: memslots lost'),
]
pristine = work + "/build.pristine"
shutil.copytree(work + "/build", pristine, symlinks=True)
def files(top):
    for d, _, names in os.walk(top):
        for n in names:
            yield os.path.relpath(os.path.join(d, n), top)
def restore_build():
    """Put back every file of build/ a mutation's build changed or added."""
    for rel in list(files(work + "/build")):
        cur, old = work + "/build/" + rel, pristine + "/" + rel
        if not os.path.lexists(old):
            os.remove(cur)
        elif os.lstat(cur).st_mtime_ns != os.lstat(old).st_mtime_ns:
            os.remove(cur)
            shutil.copy2(old, cur, follow_symlinks=False)
res=[]
for m in muts:
    f,old,new,what=m[:4]
    test=m[4] if len(m)>4 else "test_collector"
    f=work+"/"+f
    src=open(f).read()
    st=os.stat(f)
    if old not in src:
        res.append((what,"NOT APPLIED")); continue
    open(f,'w').write(src.replace(old,new,1))
    try:
        b=subprocess.run(["make","-s","-C",work,"build/test/"+test],capture_output=True,text=True)
        if b.returncode!=0:
            res.append((what,"build failed")); continue
        r=subprocess.run(["timeout","60",work+"/build/test/"+test],capture_output=True,text=True)
        out=r.stdout+r.stderr
        failed=[l.split()[-1] for l in out.splitlines() if l.startswith("[  FAILED  ] test_")]
        res.append((what,"caught by "+",".join(failed) if r.returncode!=0 else "SURVIVED"))
    finally:
        open(f,'w').write(src)
        os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))
        restore_build()
for w,r in res: print(f"{w}: {r}")
sys.exit(1 if any(not r.startswith("caught") for _, r in res) else 0)
