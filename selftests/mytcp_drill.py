#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Packet-level drills: every script in drill/ is one test case.

Each script plays the remote peer of a mytcp connection over a tun device
(see lib/drill.py for the notation) and fails at the first segment, call
result, state or timing that differs from what it expects.  Arguments, or
the environment variable MYTCP_DRILLS (space-separated), name scripts to
run instead of all of them.

The drills time the kernel's timers against the wall clock.  When the
host running the VM is busy, a whole VM can stall for a second, and a
timer then fires that late (seen once in CI: a 2.4 s persist probe 1.1 s
late).  So a drill that fails runs once more, in a fresh namespace, and
passes only if that second run passes; the first failure is printed
either way, and the summary counts the drills that needed it.
"""

import atexit
import glob
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import drill  # noqa: E402
import mytcp  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SECOND_RUNS = []


def make_case(path):
    name = os.path.basename(path)[:-len(".pkt")]

    def case():
        if not drill.AGAINST_TCP:
            mytcp.load_module()
        with open(path) as f:
            text = f.read()
        try:
            drill.Drill(name, text).run()
        except drill.DrillError as e:
            for line in ("first run failed, running it again: %s" % e).splitlines():
                print("# " + line)
            sys.stdout.flush()
            SECOND_RUNS.append(name)
            drill.Drill(name, text).run()
    case.__name__ = name
    return case


def scripts(names):
    if names:
        return [os.path.join(HERE, "drill", n if n.endswith(".pkt") else n + ".pkt")
                for n in names]
    return sorted(glob.glob(os.path.join(HERE, "drill", "*.pkt")))


if __name__ == "__main__":
    for p in scripts(sys.argv[1:] or os.environ.get("MYTCP_DRILLS", "").split()):
        mytcp.test(make_case(p))
    atexit.register(lambda: SECOND_RUNS and print(
        "# drills that needed a second run: %s" % " ".join(SECOND_RUNS)))
    mytcp.main()
