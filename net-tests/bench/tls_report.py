#!/usr/bin/env python3
"""Table of the TLS benchmark (run-tls-bench.sh writes its results.jsonl).

usage: python3 net-tests/bench/tls_report.py RESULTS_JSONL [--ref netty-jdk]

Per scenario and server: the median throughput (MB/s for stream16, handshakes/s for hs-*; the rounds in
brackets), the median server CPU per unit (us per MB, us per handshake), and each server's ratios to the
reference, paired by round (median of the per-round ratios): throughput server/ref (>= 1.00: at least as
fast) and CPU per unit server/ref (<= 1.00: at most as much CPU). Then the CPU other processes used during
each window (noise) and the runs left out.
"""
import argparse
import json
import os
import statistics
from collections import defaultdict

ORDER = ["netty-jdk", "loomnet", "loomnet-pipe", "node"]
FIELD = {"stream16": ("mb_per_s", "MB/s", "us/MB"), "hs-full": ("handshakes_per_s", "hs/s", "us/hs"),
         "hs-resume": ("handshakes_per_s", "hs/s", "us/hs"),
         "stream16-staggered": ("mb_per_s", "MB/s", "us/MB")}


def cpu_per_unit(rec, field):
    rate, pct = rec.get(field), rec.get("server_cpu_pct")
    if isinstance(rate, (int, float)) and rate > 0 and isinstance(pct, (int, float)):
        return pct / 100.0 * 1e6 / rate
    return None


def other_cpu(rec):
    busy, srv, cli = rec.get("machine_busy_pct"), rec.get("server_cpu_pct"), rec.get("client_cpu_pct")
    if not all(isinstance(v, (int, float)) for v in (busy, srv, cli)):
        return None
    return max(0.0, busy * (os.cpu_count() or 1) - srv - cli)


def fmt(v):
    if v is None:
        return "-"
    return f"{v:,.0f}" if v >= 100 else (f"{v:.1f}" if v >= 10 else f"{v:.2f}")


def paired(a, b, f):
    by_round = {r["round"]: r for r in b}
    vals = []
    for x in a:
        y = by_round.get(x["round"])
        if y is None:
            continue
        fx, fy = f(x), f(y)
        if fx is not None and fy:
            vals.append(fx / fy)
    if not vals:
        return "-"
    return f"{statistics.median(vals):.2f} [" + ", ".join(f"{v:.2f}" for v in vals) + "]"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--ref", default="netty-jdk")
    args = ap.parse_args()
    runs = defaultdict(list)
    bad = []
    with open(args.results) as fh:
        for line in fh:
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                continue
            if rec.get("ok") is True:
                runs[(rec["name"], rec["server"])].append(rec)
            else:
                bad.append(rec)
    servers = sorted({s for (_, s) in runs} | {r.get("server") for r in bad if r.get("server")},
                     key=lambda s: (ORDER.index(s) if s in ORDER else 99, s))
    others = [s for s in servers if s != args.ref]
    print("### TLS: throughput and server CPU per unit (medians of rounds)\n")
    cols = ["scenario", "unit"] + servers + [f"{s}/{args.ref}" for s in others]
    for name, (field, unit, cpu_unit) in FIELD.items():
        if not any((name, s) in runs for s in servers):
            continue
        print(f"#### {name}\n")
        print("| " + " | ".join(cols) + " |")
        print("|" + "---|" * 2 + "---:|" * (len(cols) - 2))
        row = [name, unit]
        for s in servers:
            vals = [r[field] for r in runs.get((name, s), [])]
            row.append(fmt(statistics.median(vals)) + (" [" + ", ".join(fmt(v) for v in vals) + "]"
                                                        if len(vals) > 1 else "") if vals else "-")
        ref = runs.get((name, args.ref), [])
        for s in others:
            row.append(paired(runs.get((name, s), []), ref, lambda r: r.get(field)))
        print("| " + " | ".join(row) + " |")
        row = [name, cpu_unit]
        for s in servers:
            vals = [v for v in (cpu_per_unit(r, field) for r in runs.get((name, s), [])) if v is not None]
            row.append(fmt(statistics.median(vals)) if vals else "-")
        for s in others:
            row.append(paired(runs.get((name, s), []), ref, lambda r: cpu_per_unit(r, field)))
        print("| " + " | ".join(row) + " |")
        row = [name, "other CPU %"]
        for s in servers:
            vals = [v for v in (other_cpu(r) for r in runs.get((name, s), [])) if v is not None]
            row.append(f"{statistics.median(vals):.0f}" if vals else "-")
        print("| " + " | ".join(row + ["" for _ in others]) + " |\n")
    print("Throughput ratios: server/ref (>= 1.00 at least as fast). CPU ratios: server's CPU per unit over ref's"
          " (<= 1.00 at most as much CPU). Per-round pairs, median then each round. 'other CPU %': what other"
          " processes used of the 2 cores during the window (% of one core), the noise.\n")
    stats = defaultdict(list)
    for (name, s), recs in runs.items():
        for r in recs:
            if r.get("server_stats"):
                stats[(name, s)].append(r["server_stats"].replace("STATS ", ""))
    if stats:
        print("Server-side counts (TlsEchoLoomnet, tls-echo.js): " + "; ".join(
            f"{s} {n}: {v[-1]}" for (n, s), v in sorted(stats.items())) + "\n")
    if bad:
        print(f"Runs left out ({len(bad)}):")
        for r in bad:
            print(f"- {r.get('server')}/{r.get('name')} round {r.get('round')}: errors={r.get('errors')} "
                  f"verified={r.get('verified')} {r.get('error', '')} alive={r.get('server_alive_after')}"
                  f" {r.get('server_stats', '')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
