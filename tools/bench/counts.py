#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""tools/bench/counts.py - packets each end sends per MB, mytcp and TCP.

    counts.py [WORKLOAD]

Runs one veth workload of tools/bench/run.py (default: veth bulk, four
streams) over AF_MYTCP and over TCP, MYTCP_BENCH_ROUNDS times each, and
prints per MB moved the packets the client sent (in bulk: the data) and
the packets the server sent (in bulk: the ACKs), with their average
payload.  Each end counts what it received in its own namespace (InSegs
of /proc/net/mytcp_snmp, and of /proc/net/snmp for TCP), where a GSO
packet that veth passes whole counts once, as it crossed; so the two
protocols are counted alike.  Counts, unlike timings, hold under TCG and
on a busy host.  Run it inside the VM, e.g.

    tools/vm/run --kernel stock -- env MYTCP_MODDIR=$(tools/build-for stock) \\
        tools/bench/counts.py "veth:bulk, 4 streams, MB/s"
"""

import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ab  # noqa: E402
import run  # noqa: E402
from mytcp import del_netns, netns, ns_counter, read  # noqa: E402

DEFAULT = "veth:bulk, 4 streams, MB/s"


def in_segs(ns, family):
    """InSegs of @family in namespace @ns."""
    if family == "mytcp":
        return ns_counter(ns, "InSegs")
    with netns(ns):
        rows = [line.split() for line in read("/proc/thread-self/net/snmp").splitlines()
                if line.startswith("Tcp:")]
    return int(rows[1][rows[0].index("InSegs")])


def main():
    spec = sys.argv[1] if len(sys.argv) > 1 else DEFAULT
    if not spec.startswith("veth:"):
        sys.exit("counts.py: veth workloads only: over loopback both ends share the counters")
    args = ab.workload(spec)
    run.prepare()
    seen = {}
    print("%-6s %9s %9s %14s %12s %14s" % ("family", "MB/s", "MB", "client pkt/MB",
                                           "avg bytes", "server pkt/MB"))
    for rnd in range(run.ROUNDS):
        for family in (("mytcp", "tcp") if rnd % 2 == 0 else ("tcp", "mytcp")):
            before = [in_segs(ns, family) for ns in (run.B, run.A)]
            r = run.bench(family, args)
            after = [in_segs(ns, family) for ns in (run.B, run.A)]
            mb = int(r["bytes"]) / 1e6
            cli, srv = (a - b for a, b in zip(after, before))
            row = (float(r["rate"]), mb, cli / mb, int(r["bytes"]) / max(cli, 1), srv / mb)
            seen.setdefault(family, []).append(row)
            print("%-6s %9.1f %9.0f %14.1f %12.0f %14.1f" % ((family,) + row), flush=True)
    print("\nmedians, %s, %d rounds of %g s, kernel %s:" % (spec, run.ROUNDS, run.SECONDS,
                                                        os.uname().release))
    for family, rows in seen.items():
        med = [statistics.median(col) for col in zip(*rows)]
        print("%-6s %9.1f %9.0f %14.1f %12.0f %14.1f" % tuple([family] + med))
    del_netns(run.A)
    del_netns(run.B)


if __name__ == "__main__":
    main()
