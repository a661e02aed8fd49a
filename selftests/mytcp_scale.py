#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""mytcp_scale.py - many connections, then nothing left behind.

10,000 sequential connect/transfer/close cycles (3,000 on the debug
kernel, where KASAN under TCG makes each one about ten times slower and
10,000 would outrun the test's time limit) and 1,000 concurrent
connections on one listener, between two namespaces over veth; once
TIME-WAIT (2 * MSL, shortened to 2 s) has passed, /proc/net/mytcp holds
only the listener.  Then the connection workload of tools/bench (a server
process in an accept loop, a client connecting, sending at once and
closing, as fast as it can) for 20 s: every connection must complete.
"""

import collections
import os
import resource
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from mytcp import (ADDR2, LISTEN, SYSCTL_DIR, accept, check, connect,  # noqa: E402
                   del_netns, listener, load_module, main, netns, ns_counters,
                   proc_rows, read, run, test, veth_pair, wait_for, write)

A, B = "mt-scale-a", "mt-scale-b"
SEQUENTIAL = 3000 if os.environ.get("MYTCP_VM_KERNEL") == "debug" else 10000
CONCURRENT = 1000
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(REPO, "build", "bench", "bench")


def setup():
    load_module()
    del_netns(A)
    del_netns(B)
    veth_pair(A, B)
    for ns in (A, B):
        with netns(ns):
            write(SYSCTL_DIR + "/msl", "1")
    resource.setrlimit(resource.RLIMIT_NOFILE, (8192, 8192))


def teardown():
    del_netns(A)
    del_netns(B)


def only_listener_left(port):
    def rows(ns):
        with netns(ns):
            return [r for r in proc_rows() if port in (r["local"][1], r["remote"][1])]
    ok = wait_for(lambda: not rows(A) and [r["st"] for r in rows(B)] == [LISTEN],
                  timeout=20)
    if not ok:
        check(False, "left behind after 20 s:\n%s\n%s" % (describe(A, rows(A)),
                                                           describe(B, rows(B))))


def describe(ns, rows):
    """What a namespace holds: rows by state and timer, sockstat, counters."""
    kinds = collections.Counter("st=%d tr=%d retrnsmt=%d probes=%d" % (
        r["st"], r["tr"], r["retrnsmt"], r["probes"]) for r in rows)
    counters = ["%s=%d" % nv for nv in ns_counters(ns).items() if nv[1]]
    # Segments the path itself dropped: the veth pair and the per-CPU
    # input backlogs (/proc/net/softnet_stat, second column).
    with netns(ns):
        sockstat = read("/proc/net/mytcp_sockstat").strip()
        link = run("ip", "-s", "-s", "link", "show").stdout
    drops = [line.split()[1] for line in read("/proc/net/softnet_stat").splitlines()]
    return "%s: %d rows: %s\n  %s\n  %s\n  backlog drops per CPU (hex): %s\n%s" % (
        ns, len(rows), dict(kinds.most_common(8)), sockstat.replace("\n", "; "),
        " ".join(counters), " ".join(drops),
        "\n".join("  " + line for line in link.splitlines()))


@test
def sequential_connections():
    setup()
    try:
        with netns(B):
            lsk, port = listener(ADDR2, backlog=128)
        print("# %d connections, one after the other" % SEQUENTIAL)
        for i in range(SEQUENTIAL):
            with netns(A):
                c = connect(ADDR2, port)
            s = accept(lsk)
            c.sendall(b"q")
            check(s.recv(1) == b"q", "cycle %d: request lost" % i)
            s.sendall(b"r")
            check(c.recv(1) == b"r", "cycle %d: response lost" % i)
            c.close()
            s.close()
        only_listener_left(port)
        lsk.close()
    finally:
        teardown()


@test
def concurrent_connections():
    setup()
    try:
        with netns(B):
            lsk, port = listener(ADDR2, backlog=1024)
        with netns(A):
            clients = [connect(ADDR2, port) for _ in range(CONCURRENT)]
        servers = [accept(lsk) for _ in clients]
        with netns(B):
            est = [r for r in proc_rows() if r["local"][1] == port and r["st"] != LISTEN]
        check(len(est) == CONCURRENT, "%d connections in B's /proc/net/mytcp" % len(est))
        for i, c in enumerate(clients):
            c.sendall(i.to_bytes(4, "big"))
        for i, s in enumerate(servers):
            check(s.recv(4) == i.to_bytes(4, "big"), "connection %d mixed up" % i)
        for c in clients:
            c.close()
        for s in servers:
            check(s.recv(1) == b"", "no EOF")
            s.close()
        only_listener_left(port)
        lsk.close()
    finally:
        teardown()


@test
def busy_listener_20s():
    """Segments that wait in a busy listener's backlog behind a third ACK.

    They belong to the connection that ACK makes; the listener once
    answered them with a reset (about one connection in a thousand).
    """
    check(os.access(BENCH, os.X_OK), "%s is not built (make tools)" % BENCH)
    setup()
    try:
        r = subprocess.run([BENCH, "-f", "mytcp", "-w", "conn", "-t", "20", "-a", ADDR2,
                            "-S", B, "-C", A], capture_output=True, text=True, timeout=120)
        print("# %s" % (r.stdout.strip() or r.stderr.strip()))
        check(r.returncode == 0, "bench conn: exit %d: %s" % (r.returncode, r.stderr.strip()))
    finally:
        teardown()


if __name__ == "__main__":
    main()
