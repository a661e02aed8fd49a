#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""tools/bench/ab.py - two builds of mytcp against each other, one boot.

    ab.py MODDIR_A MODDIR_B [WORKLOAD ...]

Loads each build's mytcp.ko in turn (A, B, B, A, ...: each goes first
in half the rounds) and runs the chosen workloads of tools/bench/run.py
over AF_MYTCP, with TCP once per round beside them, so that a change on
the fast path is measured against the build before it in the same boot,
not against a run of another day.  Prints each figure's min/median/max
for A, B and TCP, and B/A and B/TCP.

WORKLOAD: "path:name", a path (loopback, veth) and a row name of
run.py's WORKLOADS that is a rate, e.g. "veth:bulk, 1 stream, MB/s".
Default: veth bulk, 1 and 4 streams.  MYTCP_BENCH_ROUNDS (default 3)
and MYTCP_BENCH_SECONDS (5) as for run.py.
"""

import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402
from mytcp import del_netns, run as sh, unload_module  # noqa: E402

DEFAULT = ["veth:bulk, 1 stream, MB/s", "veth:bulk, 4 streams, MB/s"]


def workload(spec):
    """The bench arguments of a "path:name" workload."""
    path, _, name = spec.partition(":")
    paths = dict(run.PATHS)
    rows = {w[0]: w[1] for w in run.WORKLOADS if w[2] == "rate"}
    if path not in paths or name not in rows:
        sys.exit("ab.py: no workload %r (paths %s, rows %s)" %
                 (spec, ", ".join(paths), "; ".join(rows)))
    return rows[name] + paths[path]


def load(moddir):
    """Replace whatever mytcp is loaded by @moddir's build."""
    unload_module()
    sh("insmod", os.path.join(moddir, "mytcp", "mytcp.ko"))


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    builds = {"A": sys.argv[1], "B": sys.argv[2]}
    specs = sys.argv[3:] or DEFAULT
    args = {s: workload(s) for s in specs}
    load(builds["A"])
    run.prepare()
    figures = {}
    for rnd in range(run.ROUNDS):
        order = ("A", "B") if rnd % 2 == 0 else ("B", "A")
        for who in order:
            load(builds[who])
            for s in specs:
                r = run.bench("mytcp", args[s])
                figures.setdefault((s, who), []).append(float(r["rate"]))
                print("# round %d, %s, %s: %s" % (rnd + 1, who, s, r["rate"]), flush=True)
        for s in specs:
            r = run.bench("tcp", args[s])
            figures.setdefault((s, "TCP"), []).append(float(r["rate"]))
            print("# round %d, TCP, %s: %s" % (rnd + 1, s, r["rate"]), flush=True)
    unload_module()
    print("\n%-32s %24s %24s %24s %6s %6s" % ("figure", "A min/median/max",
                                              "B min/median/max", "TCP min/median/max",
                                              "B/A", "B/TCP"))
    for s in specs:
        cells, med = [], {}
        for who in ("A", "B", "TCP"):
            v = figures[(s, who)]
            med[who] = statistics.median(v)
            cells.append("%.1f/%.1f/%.1f" % (min(v), med[who], max(v)))
        print("%-32s %24s %24s %24s %6.2f %6.2f" % (s, *cells, med["B"] / med["A"],
                                                    med["B"] / med["TCP"]))
    print("\n(%d rounds of %g s, kernel %s)" % (run.ROUNDS, run.SECONDS, os.uname().release))
    del_netns(run.A)
    del_netns(run.B)


if __name__ == "__main__":
    main()
