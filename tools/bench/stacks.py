#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""tools/bench/stacks.py - who calls a kernel function, and how often, per MB.

    stacks.py FUNCTION [FAMILY [WORKLOAD]]

Puts a kprobe on FUNCTION with a histogram trigger keyed by the kernel
stack, runs one workload of tools/bench/run.py (default: veth bulk, one
stream) over FAMILY (mytcp, the default, or tcp), and prints the calls
per MB moved and the call stacks, most frequent first.  Counts, unlike
timings, hold under TCG and on a busy host: "__alloc_skb" shows the
buffers each side allocates per MB, "__dev_queue_xmit" the packets.
Needs a kernel with kprobe events and hist triggers (Debian's has them);
run it inside the VM, e.g.

    tools/vm/run --kernel stock -- env MYTCP_MODDIR=$(tools/build-for stock) \\
        tools/bench/stacks.py __alloc_skb mytcp
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ab  # noqa: E402
import run  # noqa: E402
from mytcp import del_netns, read, write  # noqa: E402

TRACING = "/sys/kernel/tracing"
EVENT = "mytcp_stacks"


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    func = sys.argv[1]
    family = sys.argv[2] if len(sys.argv) > 2 else "mytcp"
    spec = sys.argv[3] if len(sys.argv) > 3 else ab.DEFAULT[0]
    args = ab.workload(spec)
    if not os.path.exists(os.path.join(TRACING, "kprobe_events")):
        os.system("mount -t tracefs nodev %s" % TRACING)
    run.prepare()
    write(os.path.join(TRACING, "kprobe_events"), "p:%s %s\n" % (EVENT, func))
    event = os.path.join(TRACING, "events", "kprobes", EVENT)
    try:
        write(os.path.join(event, "trigger"),
              "hist:keys=stacktrace:vals=hitcount:sort=hitcount.descending")
        r = run.bench(family, args)
        hist = read(os.path.join(event, "hist"))
    finally:
        write(os.path.join(event, "trigger"),
              "!hist:keys=stacktrace:vals=hitcount:sort=hitcount.descending")
        # Opening kprobe_events for writing (truncating) removes the probe.
        write(os.path.join(TRACING, "kprobe_events"), "")
    mb = float(r["rate"]) * float(r["secs"])
    total = sum(int(line.split()[-1]) for line in hist.splitlines()
                if line.startswith("} hitcount:"))
    print("%s, %s, %s: %.1f MB/s, %.0f MB, %d calls of %s, %.1f per MB" %
          (family, spec, os.uname().release, float(r["rate"]), mb, total, func,
           total / mb if mb else float("nan")))
    print(hist)
    del_netns(run.A)
    del_netns(run.B)


if __name__ == "__main__":
    main()
