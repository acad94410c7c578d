#!/usr/bin/env python3
"""Ratio table for loomnet from the harness's results (run-harness.sh writes them).

usage: python3 net-tests/bench/harness_report.py RESULTS_DIR [--ref raw-vt] [--cpu-refs netty,raw-vt]

Every server whose name starts with "loomnet" is a subject (loomnet, loomnet-pipe, ..., or A/B names such
as loomnet-main / loomnet-exp); the others are peers.

Reads RESULTS_DIR/*.jsonl (one JSON object per scenario run, written by ../shared/bench/run.sh), takes the
median over runs of each scenario's headline figure per server, and prints Markdown tables:

1. the headline figure per server (median, with the runs in brackets when there are several), then for each
   loomnet variant the ratio to raw-vt and to the best peer (the best non-loomnet server in that row);
2. server CPU per unit of work (us per message / MB / connection), the steadier comparison on a shared
   2-core machine (see the harness's NOTES.md), and for each loomnet variant its CPU per unit as a multiple
   of Netty's and of raw-vt's (median of the per-round ratios: < 1.00 means loomnet spends less CPU);
   then the CPU the rest of the machine used during each window (other processes: machine busy minus
   server and load generator), to judge how noisy the runs were;
3. each loomnet variant's ratio to the reference per round: the k-th run of the variant (in time order) over the
   k-th run of the reference, and the median of those ratios. A round runs every server within a few minutes,
   so this cancels the drift of the machine between rounds (on a shared machine a whole round can run 10-25%
   slower than the one before), which the ratio of the medians does not.

Ratios are oriented so that >= 1.00 means loomnet is at least as good: for throughput loomnet / peer, for
memory per connection peer / loomnet. Runs with ok=false are left out and counted in the "bad runs" line.
"""
import argparse
import glob
import json
import os
import statistics
import sys
from collections import defaultdict

SCENARIOS = ["pingpong1", "pingpong50", "pingpong1000", "stream1", "stream16", "churn", "idle10k", "idlemax"]
# scenario -> (field, unit, higher is better)
HEADLINE = {
    "pingpong": ("msgs_per_s", "msg/s", True),
    "stream": ("mb_per_s", "MB/s", True),
    "churn": ("conns_per_s", "conn/s", True),
    "idle": ("bytes_per_conn", "B/conn", False),
}
# throughput field -> CPU-per-unit label
CPU_UNIT = {"msgs_per_s": "us/msg", "mb_per_s": "us/MB", "conns_per_s": "us/conn"}
def is_subject(server):
    return server.startswith("loomnet")
ORDER = ["loomnet-base", "loomnet", "loomnet-base-pipe", "loomnet-pipe", "loomnet-streams", "loomnet-onread", "raw-vt", "raw-platform", "netty", "vertx", "node"]


def headline(rec):
    name = rec.get("name", "")
    for prefix, spec in HEADLINE.items():
        if name.startswith(prefix):
            return spec
    return None


def load(results_dir):
    runs = defaultdict(list)          # (scenario name, server) -> [record]
    bad = []
    for path in sorted(glob.glob(os.path.join(results_dir, "*.jsonl"))):
        with open(path) as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if rec.get("ok") is not True:
                    bad.append(f"{rec.get('server')}/{rec.get('name')} ({rec.get('run_id')}): "
                               f"{rec.get('fail_reason', 'ok=' + str(rec.get('ok')))}")
                    continue
                runs[(rec.get("name"), rec.get("server"))].append(rec)
    return runs, bad


def median_of(recs, field):
    vals = [r[field] for r in recs if isinstance(r.get(field), (int, float))]
    return (statistics.median(vals), vals) if vals else (None, [])


def cpu_per_unit(rec, field):
    rate, pct = rec.get(field), rec.get("server_cpu_pct")
    if isinstance(rate, (int, float)) and rate > 0 and isinstance(pct, (int, float)):
        return pct / 100.0 * 1e6 / rate
    return None


def cpu_ratio(runs, name, subj, ref, field):
    """Subject's CPU per unit over ref's, per round (runs paired in time order): median [each]."""
    a = sorted(runs.get((name, subj), []), key=lambda r: r.get("ts", ""))
    b = sorted(runs.get((name, ref), []), key=lambda r: r.get("ts", ""))
    ratios = []
    for x, y in zip(a, b):
        cx, cy = cpu_per_unit(x, field), cpu_per_unit(y, field)
        if cx is not None and cy:
            ratios.append(cx / cy)
    if not ratios:
        return "-"
    cell = f"{statistics.median(ratios):.2f}"
    if len(ratios) > 1:
        cell += " [" + ", ".join(f"{r:.2f}" for r in ratios) + "]"
    return cell


def other_cpu(rec):
    """CPU % (of one core) used by processes other than server and load generator during the window."""
    busy, srv, cli = rec.get("machine_busy_pct"), rec.get("server_cpu_pct"), rec.get("client_cpu_pct")
    if not all(isinstance(v, (int, float)) for v in (busy, srv, cli)):
        return None
    return max(0.0, busy * (os.cpu_count() or 1) - srv - cli)


def fmt(v):
    if v is None:
        return "-"
    if v >= 100:
        return f"{v:,.0f}"
    return f"{v:.1f}" if v >= 10 else f"{v:.2f}"


def ratio(subject, peer, higher_better):
    if subject is None or peer is None or subject == 0 or peer == 0:
        return "-"
    return f"{(subject / peer) if higher_better else (peer / subject):.2f}"


def paired_rows(runs, names, subjects, ref):
    """Per-round ratios of each subject to ref, for scenarios where both have the same number of runs."""
    rows = []
    for name in names:
        refs = sorted(runs.get((name, ref), []), key=lambda r: r.get("ts", ""))
        spec = headline(refs[0]) if refs else None
        if spec is None:
            continue
        field, _, higher = spec
        row = [name]
        for subj in subjects:
            recs = sorted(runs.get((name, subj), []), key=lambda r: r.get("ts", ""))
            pairs = [(a.get(field), b.get(field)) for a, b in zip(recs, refs)]
            ratios = [float(ratio(a, b, higher)) for a, b in pairs
                      if isinstance(a, (int, float)) and isinstance(b, (int, float)) and a and b]
            if len(recs) != len(refs) or not ratios:
                row.append("-")
                continue
            row.append(f"{statistics.median(ratios):.2f} [" + ", ".join(f"{r:.2f}" for r in ratios) + "]")
        rows.append(row)
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--ref", default="raw-vt")
    ap.add_argument("--cpu-refs", default="netty,raw-vt")
    args = ap.parse_args()
    runs, bad = load(args.results)
    servers = {s for (_, s) in runs}
    servers = [s for s in ORDER if s in servers] + sorted(servers - set(ORDER))
    subjects = [s for s in servers if is_subject(s)]
    peers = [s for s in servers if not is_subject(s)]
    cpu_refs = [r for r in args.cpu_refs.split(",") if r in servers]
    names = [n for n in SCENARIOS if any((n, s) in runs for s in servers)]
    names += sorted({n for (n, _) in runs} - set(names))

    cols = ["scenario", "unit"] + servers
    for subj in subjects:
        cols += [f"{subj}/{args.ref}", f"{subj}/best peer"]
    print(f"### Headline figures (median of runs; ratios >= 1.00 mean loomnet is as good or better)\n")
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * 2 + "---:|" * (len(cols) - 2))
    cpu_rows = []
    other_rows = []
    for name in names:
        spec = None
        med = {}
        for s in servers:
            recs = runs.get((name, s), [])
            if recs and spec is None:
                spec = headline(recs[0])
            if recs and spec:
                med[s] = median_of(recs, spec[0])
        if spec is None:
            continue
        field, unit, higher = spec
        cells = [name, unit]
        for s in servers:
            m, vals = med.get(s, (None, []))
            cell = fmt(m)
            if len(vals) > 1:
                cell += " [" + ", ".join(fmt(v) for v in vals) + "]"
            cells.append(cell)
        peer_meds = {p: med[p][0] for p in peers if p in med and med[p][0] is not None}
        best = None
        if peer_meds:
            best = (max if higher else min)(peer_meds, key=peer_meds.get)
        for subj in subjects:
            sm = med.get(subj, (None, []))[0]
            cells.append(ratio(sm, med.get(args.ref, (None, []))[0], higher))
            cells.append(ratio(sm, peer_meds.get(best), higher) + (f" ({best})" if best else ""))
        print("| " + " | ".join(cells) + " |")
        if field in CPU_UNIT:
            row = [name, CPU_UNIT[field]]
            for s in servers:
                vals = [v for v in (cpu_per_unit(r, field) for r in runs.get((name, s), [])) if v is not None]
                row.append(fmt(statistics.median(vals)) if vals else "-")
            for subj in subjects:
                for ref in cpu_refs:
                    row.append(cpu_ratio(runs, name, subj, ref, field))
            cpu_rows.append(row)
            others = [name]
            for s in servers:
                vals = [v for v in (other_cpu(r) for r in runs.get((name, s), [])) if v is not None]
                others.append(f"{statistics.median(vals):.0f}" if vals else "-")
            other_rows.append(others)

    if cpu_rows:
        print(f"\n### Server CPU per unit of work (median; lower is better)\n")
        ratio_cols = [f"{subj}/{ref}" for subj in subjects for ref in cpu_refs]
        print("Ratios: the loomnet variant's CPU per unit over the reference's (median of per-round ratios, each\n"
              "round in brackets); below 1.00 loomnet spends less CPU per message or MB.\n")
        print("| " + " | ".join(["scenario", "unit"] + servers + ratio_cols) + " |")
        print("|" + "---|" * 2 + "---:|" * (len(servers) + len(ratio_cols)))
        for row in cpu_rows:
            print("| " + " | ".join(row) + " |")
        print(f"\n### CPU used by other processes during the window (median % of one core; noise indicator)\n")
        print("| " + " | ".join(["scenario"] + servers) + " |")
        print("|---|" + "---:|" * len(servers))
        for row in other_rows:
            print("| " + " | ".join(row) + " |")
    paired = paired_rows(runs, names, subjects, args.ref)
    if paired:
        print(f"\n### Ratio to {args.ref} per round (runs paired in time order; median, then each round)\n")
        print("| " + " | ".join(["scenario"] + subjects) + " |")
        print("|---|" + "---:|" * len(subjects))
        for row in paired:
            print("| " + " | ".join(row) + " |")
    counts = {f"{s}": sum(len(runs.get((n, s), [])) for n in names) for s in servers}
    print(f"\nRuns kept per server: " + ", ".join(f"{s} {c}" for s, c in counts.items()))
    if bad:
        print(f"\nBad runs left out ({len(bad)}):")
        for b in bad:
            print(f"- {b}")
    if not runs:
        print("no results in " + args.results, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
