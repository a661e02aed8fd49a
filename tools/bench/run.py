#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""tools/bench/run.py - mytcp against TCP, in this (VM) kernel.

Runs each workload of build/bench/bench over AF_MYTCP and over TCP,
alternating which goes first, ROUNDS times, over loopback and over veth
between two namespaces; measures memory per idle connection and per
TIME-WAIT entry; prints a table, then the same figures as CSV between
"--- csv" and "--- end" for tools/bench/make-bench.

Every ratio is written so that 1.0 means "as good as TCP" and more is
better: mytcp/TCP for rates, TCP/mytcp for costs (CPU, memory).

Environment: MYTCP_BENCH_ROUNDS (3), MYTCP_BENCH_SECONDS (5),
MYTCP_BENCH_IDLE (idle connections for the memory rows, 1000),
MYTCP_MODDIR (the module's build tree).
"""

import csv
import os
import resource
import socket
import statistics
import subprocess
import sys
import time

top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(top, "selftests", "lib"))
from mytcp import (ADDR2, SYSCTL_DIR, accept, connect, del_netns, listener,  # noqa: E402
                   load_module, netns, veth_pair, write)

BENCH = os.path.join(top, "build", "bench", "bench")
ROUNDS = int(os.environ.get("MYTCP_BENCH_ROUNDS", "3"))
SECONDS = float(os.environ.get("MYTCP_BENCH_SECONDS", "5"))
IDLE = int(os.environ.get("MYTCP_BENCH_IDLE", "1000"))
A, B = "bench-a", "bench-b"

# (row name, bench arguments, what is measured, True if more is better)
WORKLOADS = [
    ("connections/s", ["-w", "conn"], "rate", True),
    ("1-byte request/response/s", ["-w", "rr", "-b", "1"], "rate", True),
    ("4 KB request/response/s", ["-w", "rr", "-b", "4096"], "rate", True),
    ("bulk, 1 stream, MB/s", ["-w", "bulk", "-P", "1"], "rate", True),
    ("bulk, 4 streams, MB/s", ["-w", "bulk", "-P", "4"], "rate", True),
    ("CPU ticks per 1000 connections", ["-w", "conn"], "ticks_per_kop", False),
    ("CPU ticks per MB, 1 stream", ["-w", "bulk", "-P", "1"], "ticks_per_mb", False),
]
PATHS = [("loopback", ["-a", "127.0.0.1"]),
         ("veth", ["-a", ADDR2, "-S", B, "-C", A])]


def bench(family, args):
    """One run of the bench program: its key=value line as a dict."""
    out = subprocess.run([BENCH, "-f", family, "-t", str(SECONDS)] + args,
                         capture_output=True, text=True, timeout=SECONDS * 10 + 60)
    if out.returncode:
        raise RuntimeError("bench %s %s: %s" % (family, " ".join(args), out.stderr.strip()))
    return dict(kv.split("=", 1) for kv in out.stdout.split())


def prepare():
    """Module, namespaces and port ranges wide enough for the connection rows."""
    load_module()
    del_netns(A)
    del_netns(B)
    veth_pair(A, B)
    widen_port_ranges()
    for ns in (A, B):
        with netns(ns):
            widen_port_ranges()


def widen_port_ranges():
    write("/proc/sys/net/ipv4/ip_local_port_range", "1024 65535")
    write(SYSCTL_DIR + "/local_port_range", "1024 65535")


def slab_kb():
    """Slab memory in kB, after the RCU-deferred frees have run."""
    time.sleep(1.5)
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("Slab:"):
                return int(line.split()[1])
    raise RuntimeError("no Slab: in /proc/meminfo")


# The slab cache of each family's TIME-WAIT entries.
TW_CACHES = {"mytcp": "MYTCP_tw", "tcp": "tw_sock_TCP"}


def tw_cache_bytes(family):
    """Bytes held by the objects of the family's TIME-WAIT cache.

    Counted in the cache itself (objects times the size of a slot):
    /proc/meminfo's Slab is swamped by what the closes free.  make bench
    boots with slub_nomerge: a cache merged with others of its size
    counts their objects too.  And main() counts before any other
    workload, whose entries would expire meanwhile: either made the
    difference negative.
    """
    time.sleep(1.5)
    d = os.path.join("/sys/kernel/slab", TW_CACHES[family])
    with open(os.path.join(d, "objects")) as f:
        objects = int(f.read().split()[0])
    with open(os.path.join(d, "slab_size")) as f:
        return objects * int(f.read())


def tcp_pair(server):
    cli = socket.create_connection(server.getsockname())
    return cli, server.accept()[0]


def memory_rows():
    """kB per idle connection end and per TIME-WAIT entry, each family."""
    result = {}
    for family in ("mytcp", "tcp"):
        base = slab_kb()
        if family == "mytcp":
            lsk, port = listener("127.0.0.1", backlog=1024)
            pairs = []
            for _ in range(IDLE):
                c = connect("127.0.0.1", port)
                pairs.append((c, accept(lsk)))
        else:
            lsk = socket.create_server(("127.0.0.1", 0), backlog=1024)
            pairs = [tcp_pair(lsk) for _ in range(IDLE)]
        idle = slab_kb()
        tw_base = tw_cache_bytes(family)
        # The clients close first: each leaves a TIME-WAIT entry.
        for c, s in pairs:
            c.close()
        for c, s in pairs:
            s.close()
        lsk.close()
        del pairs
        tw = tw_cache_bytes(family)
        result[family] = ((idle - base) / (2 * IDLE),
                          (tw - tw_base) / 1024 / IDLE)
    return result


def main():
    if not os.access(BENCH, os.X_OK):
        sys.exit("run.py: %s is missing: make tools" % BENCH)
    # Both ends of every idle connection are ours.
    resource.setrlimit(resource.RLIMIT_NOFILE, (2 * IDLE + 256, 2 * IDLE + 256))
    prepare()
    # First, on a fresh boot: the TIME-WAIT entries the connection rates
    # leave would expire during the count of the new ones.
    mem = memory_rows()
    rows = []
    for path, path_args in PATHS:
        runs = {}
        for rnd in range(ROUNDS):
            order = ("mytcp", "tcp") if rnd % 2 == 0 else ("tcp", "mytcp")
            for name, args, key, _ in WORKLOADS:
                if key != "rate":
                    continue
                for family in order:
                    r = bench(family, args + path_args)
                    runs.setdefault((tuple(args), family), []).append(r)
                    print("# %s, %s, round %d, %s: %s" % (path, name, rnd + 1, family,
                                                          r["rate"]), flush=True)
        for name, args, key, higher in WORKLOADS:
            vals = {f: [float(r[key]) for r in runs[(tuple(args), f)]] for f in ("mytcp", "tcp")}
            rows.append((path, name, vals, higher))
    rows.append(("loopback", "kB per idle connection end",
                 {f: [mem[f][0]] for f in mem}, False))
    rows.append(("loopback", "kB per TIME-WAIT entry",
                 {f: [mem[f][1]] for f in mem}, False))

    def ratio(vals, higher):
        m, t = statistics.median(vals["mytcp"]), statistics.median(vals["tcp"])
        if higher:
            return m / t if t else float("nan")
        return t / m if m else float("nan")

    print("\n%-9s %-32s %32s %32s %6s" % ("path", "figure", "mytcp min/median/max",
                                          "TCP min/median/max", "ratio"))
    for path, name, vals, higher in rows:
        cells = ["%.1f/%.1f/%.1f" % (min(vals[f]), statistics.median(vals[f]), max(vals[f]))
                 for f in ("mytcp", "tcp")]
        print("%-9s %-32s %32s %32s %6.2f" % (path, name, cells[0], cells[1], ratio(vals, higher)))
    print("\n(ratio: 1.0 is TCP's figure, more is better for mytcp; %d rounds of %g s, "
          "kernel %s)" % (ROUNDS, SECONDS, os.uname().release))
    print("--- csv", flush=True)
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["path", "figure", "mytcp_min", "mytcp_median", "mytcp_max", "tcp_min",
                  "tcp_median", "tcp_max", "ratio"])
    for path, name, vals, higher in rows:
        fields = [path, name]
        for f in ("mytcp", "tcp"):
            fields += ["%.3f" % x for x in (min(vals[f]), statistics.median(vals[f]),
                                            max(vals[f]))]
        fields.append("%.3f" % ratio(vals, higher))
        out.writerow(fields)
    sys.stdout.flush()
    print("--- end")
    del_netns(A)
    del_netns(B)


if __name__ == "__main__":
    main()
