#!/usr/bin/env python3
"""Every query of the Grafana dashboard and of the Prometheus rules must name
only metrics and labels that exist: the exporter's (from real scrapes), the
recording rules' own, and Prometheus's (up, instance, job, le).

Usage: check-queries.py RULES.yml DASHBOARD.json SCRAPE...
Prints one line per query with an unknown name, and exits 1 if any.
"""
import json
import re
import sys

FUNCS_AND_WORDS = {
    "by", "without", "on", "ignoring", "group_left", "group_right", "offset",
    "bool", "and", "or", "unless", "atan2", "inf", "nan",
}
PROMETHEUS_LABELS = {"instance", "job", "le", "__name__"}
PROMETHEUS_METRICS = {"up"}
GROUPING = re.compile(r"\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)")
MATCHERS = re.compile(r"\{([^}]*)\}")
STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'')
NUMBERS = re.compile(r"(?<![A-Za-z0-9_:])\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
IDENT = re.compile(r"[A-Za-z_:][A-Za-z0-9_:]*")


def names(expr):
    """The metric names and the label names a PromQL expression uses."""
    labels = set()
    for m in GROUPING.finditer(expr):
        labels.update(x.strip() for x in m.group(2).split(",") if x.strip())
    expr = GROUPING.sub(" ", expr)
    for m in MATCHERS.finditer(STRINGS.sub('""', expr)):
        for matcher in m.group(1).split(","):
            label = re.split(r"=~|!~|!=|=", matcher)[0].strip()
            if label:
                labels.add(label)
    expr = MATCHERS.sub(" ", STRINGS.sub('""', expr))
    expr = re.sub(r"\[[^\]]*\]", " ", expr)
    expr = re.sub(r"\boffset\s+\w+", " ", expr)
    expr = NUMBERS.sub(" ", expr)
    metrics = set()
    for m in IDENT.finditer(expr):
        rest = expr[m.end():].lstrip()
        if rest.startswith("(") or m.group(0) in FUNCS_AND_WORDS:
            continue
        metrics.add(m.group(0))
    return metrics, labels


def rules(path):
    """(name, expr, is_record) of each rule, from the narrow YAML we write."""
    out, lines, i = [], open(path).read().split("\n"), 0
    while i < len(lines):
        m = re.match(r"\s*- (record|alert): (\S+)", lines[i])
        if not m:
            i += 1
            continue
        kind, name, expr = m.group(1), m.group(2), None
        i += 1
        while i < len(lines) and not re.match(r"\s*- (record|alert):", lines[i]):
            e = re.match(r"(\s*)expr: (.*)$", lines[i])
            if e and e.group(2).strip() == "|":
                body, i = [], i + 1
                while i < len(lines) and (lines[i].startswith(e.group(1) + "  ") or not lines[i].strip()):
                    body.append(lines[i].strip())
                    i += 1
                expr = " ".join(body)
                continue
            if e:
                expr = e.group(2)
            i += 1
        if not expr:
            sys.exit("check-queries: %s: no expr for rule %s" % (path, name))
        out.append((name, expr, kind == "record"))
    return out


def scraped(paths):
    """Metric names and label names of real scrapes (text format)."""
    metrics, labels = set(), set()
    for p in paths:
        for line in open(p, errors="replace"):
            if not line.strip() or line.startswith("#"):
                continue
            m = re.match(r"([A-Za-z_:][A-Za-z0-9_:]*)(\{[^}]*\})?\s", line)
            if not m:
                continue
            metrics.add(m.group(1))
            for lm in re.finditer(r"([A-Za-z_][A-Za-z0-9_]*)=\"", m.group(2) or ""):
                labels.add(lm.group(1))
    return metrics, labels


def dashboard_queries(path):
    d = json.load(open(path))
    out = []
    for p in d.get("panels", []):
        for t in p.get("targets", []):
            out.append(("panel %r" % p.get("title"), t["expr"]))
    for v in d.get("templating", {}).get("list", []):
        q = v.get("query")
        q = q.get("query") if isinstance(q, dict) else q
        if v.get("type") == "query" and q:
            m = re.match(r"label_values\((.*),\s*(\w+)\)$", q)
            if not m:
                sys.exit("check-queries: variable %s: not label_values(...): %s" % (v["name"], q))
            out.append(("variable %s" % v["name"], m.group(1)))
            out.append(("variable %s (label)" % v["name"], "x{%s=\"\"}" % m.group(2)))
    return out


def main(argv):
    if len(argv) < 4:
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    rule_list = rules(argv[1])
    metrics, labels = scraped(argv[3:])
    if not metrics:
        print("check-queries: the scrapes hold no metric", file=sys.stderr)
        return 2
    metrics |= PROMETHEUS_METRICS | {n for n, _, rec in rule_list if rec}
    labels |= PROMETHEUS_LABELS
    bad = 0
    queries = [("rule %s" % n, e) for n, e, _ in rule_list] + dashboard_queries(argv[2])
    for where, expr in queries:
        m, l = names(expr)
        m.discard("x")
        unknown = sorted(m - metrics) + ["label " + x for x in sorted(l - labels)]
        if unknown:
            print("unknown in %s: %s (%s)" % (where, ", ".join(unknown), expr))
            bad += 1
    print("%d queries checked, %d with unknown names" % (len(queries), bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
