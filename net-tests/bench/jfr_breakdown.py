#!/usr/bin/env python3
"""Where a server's CPU goes, from a JFR recording's CPU-time samples (profile-server.sh writes them).

usage: python3 net-tests/bench/jfr_breakdown.py RECORDING.json [--us-per-unit US] [--top N]

RECORDING.json is `jfr print --json --events jdk.CPUTimeSample` (JDK 25: samples every thread on CPU time,
the time a thread spends in a system call included, attributed to the Java frame that made it), or of
jdk.ExecutionSample on older JDKs (Java code only). Each sample is put in the first category below whose
test matches its stack, and the shares are printed; with --us-per-unit (the server's CPU per message from
the harness's /proc figures) each share is also given in microseconds per message.
"""
import argparse
import collections
import json


def frame_name(frame):
    method = frame["method"]
    return method["type"]["name"].replace("/", ".") + "." + method["name"]


# (category, test on the stack's frame names, innermost first); the first match wins.
CATEGORIES = [
    ("socket write syscall", lambda s, top: any(n.endswith((".write0", ".writev0", ".sendAddress", ".writeAddress",
                                                            ".sendTo", ".writevAddresses")) for n in s[:3])),
    ("socket read syscall", lambda s, top: any(n.endswith((".read0", ".readv0", ".recvAddress", ".readAddress"))
                                               for n in s[:3])),
    ("epoll_wait (JDK pollers / event loop)", lambda s, top: any(n.endswith((".EPoll.wait", ".epollWait0",
                                                                            ".epollWait")) for n in s[:3])),
    ("epoll_ctl (re-arming interest on park)", lambda s, top: any(n.endswith(".EPoll.ctl") for n in s[:3])),
    ("carrier idle: ForkJoinPool spin and park", lambda s, top: any(n.startswith("java.util.concurrent.ForkJoinPool.")
                                                                    and n.endswith((".deactivate", ".awaitWork",
                                                                                    ".runWorker", ".scan"))
                                                                    for n in s[:2])),
    ("virtual thread park/unpark, freeze/thaw, FJP signal",
     lambda s, top: any(k in n for n in s[:6] for k in ("Continuation.", "VirtualThread.", "ForkJoinPool.signalWork",
                                                        "ForkJoinPool.push", "Unsafe.park", "Unsafe.unpark",
                                                        "LockSupport.", "Poller."))),
    ("configureBlocking", lambda s, top: any(n.endswith(".configureBlocking") for n in s[:4])),
    ("loomnet code (and the JDK code it calls)", lambda s, top: any(n.startswith("dev.loomnet.") for n in s)),
    ("netty code (and the JDK code it calls)", lambda s, top: any(n.startswith("io.netty.") for n in s)),
    ("JFR itself", lambda s, top: any(n.startswith("jdk.jfr.") for n in s)),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("recording")
    ap.add_argument("--us-per-unit", type=float)
    ap.add_argument("--top", type=int, default=15)
    args = ap.parse_args()
    events = json.load(open(args.recording))["recording"]["events"]
    cats = collections.Counter()
    tops = collections.Counter()
    threads = collections.Counter()
    total = 0
    for event in events:
        trace = event["values"].get("stackTrace")
        thread = event["values"].get("eventThread") or event["values"].get("sampledThread") or {}
        threads[(thread.get("javaName") or thread.get("osName") or "?").rstrip("0123456789-#")] += 1
        total += 1
        if not trace or not trace["frames"]:
            cats["(no Java stack)"] += 1
            continue
        names = [frame_name(f) for f in trace["frames"]]
        tops[names[0]] += 1
        cats[next((c for c, test in CATEGORIES if test(names, names[0])), "other JDK code")] += 1
    if total == 0:
        print("no samples")
        return

    def row(label, count):
        share = count * 100.0 / total
        us = f"  {share * args.us_per_unit / 100:6.2f} us" if args.us_per_unit else ""
        return f"  {share:5.1f}%{us}  {label}"

    print(f"{total} samples" + (f", {args.us_per_unit:.2f} us of server CPU per unit" if args.us_per_unit else ""))
    print("by category:")
    for c, n in cats.most_common():
        print(row(c, n))
    print("by thread:")
    for c, n in threads.most_common(8):
        print(row(c, n))
    print(f"top {args.top} innermost frames:")
    for c, n in tops.most_common(args.top):
        print(row(c, n))


if __name__ == "__main__":
    main()
