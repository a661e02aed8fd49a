#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""mytcp_orphan.py - connections their application closed (orphans).

An orphan whose path vanished gives up after orphan_retries, as TCP's
does after tcp_orphan_retries (this is what held the module for the 15
minutes of retries2 after mytcp_api.py deleted the namespaces of a
connection still in LAST-ACK); max_orphans resets what would exceed it,
as tcp_max_orphans does; the orphan count shows in mytcp_sockstat; and
the test runner's view of every socket (debugfs mytcp/sockets) lists an
orphan, which mytcp/abort_orphans ends.  Each case runs the same steps
on Linux TCP where TCP has the same knob, and compares.
"""

import os
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from mytcp import (ADDR2, FIN_WAIT1, LAST_ACK, SYSCTL_DIR, accept, check,  # noqa: E402
                   connect, del_netns, listener, load_module, main, mytcp_socket,
                   netns, ns_counter, proc_rows, read, run, sockstat, test, veth_pair,
                   wait_for, write)

A, B = "mt-orph-a", "mt-orph-b"
DEBUGFS = "/sys/kernel/debug/mytcp"


def fresh_pair():
    load_module()
    for ns in (A, B):
        del_netns(ns)
    veth_pair(A, B)


def drop_pair():
    for ns in (A, B):
        run("ip", "netns", "del", ns, check_rc=False)


def sysctl(ns, path, value):
    with netns(ns):
        write(path, str(value))


def rows_of(kind, ns, port):
    """Rows of namespace ns (mytcp's or TCP's /proc/net table) with port."""
    path = "/proc/thread-self/net/" + ("tcp" if kind == "tcp" else "mytcp")
    with netns(ns):
        return [r for r in proc_rows(path) if port in (r["local"][1], r["remote"][1])]


def pair(kind):
    """(client in A, server in B, port): a connection of kind over veth."""
    family = socket.AF_INET if kind == "tcp" else None
    with netns(B):
        if family:
            lsk = socket.socket(family, socket.SOCK_STREAM)
            lsk.bind((ADDR2, 0))
            lsk.listen(4)
            port = lsk.getsockname()[1]
        else:
            lsk, port = listener(ADDR2)
    with netns(A):
        cli = socket.socket(family, socket.SOCK_STREAM) if family else mytcp_socket()
    if family:
        cli.connect((ADDR2, port))
        srv, _ = lsk.accept()
    else:
        connect(ADDR2, port, cli)
        srv = accept(lsk)
    lsk.close()
    return cli, srv, port


def last_ack_orphan(kind):
    """A server in B orphaned in LAST-ACK, the ACK of its FIN lost, then
    the link deleted: return (its port, when it closed and sent the FIN)."""
    cli, srv, port = pair(kind)
    cli.shutdown(socket.SHUT_WR)
    check(srv.recv(10) == b"", "%s: no FIN at the server" % kind)
    run("tc", "-n", A, "qdisc", "replace", "dev", "veth1", "root", "netem", "loss", "100%")
    srv.close()
    closed = time.monotonic()
    check(cli.recv(10) == b"", "%s: no FIN at the client" % kind)
    cli.close()
    check(wait_for(lambda: [r["st"] for r in rows_of(kind, B, port)] == [LAST_ACK], 2),
          "%s: the server is not in LAST-ACK: %s" % (kind, rows_of(kind, B, port)))
    run("ip", "-n", A, "link", "del", "veth1")
    return port, closed


def orphan_lifetime(kind, limit):
    """Seconds the LAST-ACK orphan of kind lived after its close(); its
    link went a moment after the close."""
    fresh_pair()
    try:
        if kind == "tcp":
            run("ip", "netns", "exec", B, "sysctl", "-qw", "net.ipv4.tcp_orphan_retries=2")
        else:
            sysctl(B, SYSCTL_DIR + "/orphan_retries", 2)
        port, closed = last_ack_orphan(kind)
        wait_for(lambda: not rows_of(kind, B, port), limit)
        took = time.monotonic() - closed
        check(not rows_of(kind, B, port), "%s: the orphan still lives after %.1f s: %s" % (
            kind, took, rows_of(kind, B, port)))
        return took
    finally:
        drop_pair()


@test
def orphan_retries_end_an_orphan_whose_path_vanished():
    """orphan_retries 2: the orphan retries its FIN for the 1.4 s that 2
    backoffs from rto_min take, counted from its first sending, then goes,
    as TCP's with tcp_orphan_retries 2; before, it retried for the 15
    minutes of retries2 and held the module."""
    tcp = orphan_lifetime("tcp", 20)
    mine = orphan_lifetime("mytcp", 20)
    print("# orphan lifetime after close(): TCP %.2f s, mytcp %.2f s" % (tcp, mine))
    check(mine <= 2 * tcp + 1, "mytcp's orphan lived %.2f s, TCP's %.2f s" % (mine, tcp))
    check(mine >= 1.3, "mytcp's orphan went after %.2f s, before 2 backoffs" % mine)
    check(wait_for(lambda: sockstat()["orphan"] == 0, 2),
          "orphans still counted: %s" % sockstat())


@test
def orphan_retries_defaults_to_tcps():
    """Both sysctls exist with TCP's defaults: orphan_retries 0 (meaning
    8 while the orphan's timeout backs off), max_orphans TCP's rule."""
    load_module()
    check(read(SYSCTL_DIR + "/orphan_retries").strip() == "0",
          "orphan_retries is %s" % read(SYSCTL_DIR + "/orphan_retries").strip())
    mine = int(read(SYSCTL_DIR + "/max_orphans"))
    tcp = int(read("/proc/sys/net/ipv4/tcp_max_orphans"))
    print("# max_orphans: mytcp %d, TCP %d" % (mine, tcp))
    check(tcp / 2 <= mine <= tcp * 2, "max_orphans %d, TCP's %d" % (mine, tcp))


def tcp_abort_on_memory(ns):
    with netns(ns):
        lines = read("/proc/thread-self/net/netstat").splitlines()
    names, values = lines[0].split(), lines[1].split()
    return int(values[names.index("TCPAbortOnMemory")])


def close_over_the_limit(kind):
    """With the orphan limit at 0, close a connection whose FIN cannot be
    acknowledged: (its rows 2 s later, AbortOnMemory's increase).  TCP
    compares a count cached every 100 ms, so its orphan goes at its first
    timeout; mytcp's exact count resets it in close() already."""
    fresh_pair()
    try:
        count = (lambda: tcp_abort_on_memory(B)) if kind == "tcp" else \
            (lambda: ns_counter(B, "TCPAbortOnMemory"))
        cli, srv, port = pair(kind)
        run("tc", "-n", A, "qdisc", "replace", "dev", "veth1", "root", "netem", "loss", "100%")
        before = count()
        srv.close()
        wait_for(lambda: not rows_of(kind, B, port), 2)
        rows = rows_of(kind, B, port)
        after = count()
        cli.close()
        return rows, after - before
    finally:
        drop_pair()


@test
def max_orphans_resets_what_exceeds_it():
    """max_orphans 0: the orphan is reset instead of left to retry,
    counted in TCPAbortOnMemory, as TCP does."""
    load_module()
    mine_old = read(SYSCTL_DIR + "/max_orphans").strip()
    tcp_old = read("/proc/sys/net/ipv4/tcp_max_orphans").strip()
    try:
        write(SYSCTL_DIR + "/max_orphans", "0")
        write("/proc/sys/net/ipv4/tcp_max_orphans", "0")
        tcp = close_over_the_limit("tcp")
        mine = close_over_the_limit("mytcp")
    finally:
        write(SYSCTL_DIR + "/max_orphans", mine_old)
        write("/proc/sys/net/ipv4/tcp_max_orphans", tcp_old)
    print("# rows after close, abort count: TCP %s, mytcp %s" % (tcp, mine))
    check(tcp == ([], 1), "TCP does not do what the test expects: %s" % (tcp,))
    check(mine == tcp, "mytcp %s, TCP %s" % (mine, tcp))


@test
def runner_sees_and_aborts_orphans():
    """debugfs mytcp/sockets lists an orphan in FIN-WAIT-1 whose peer is
    unreachable, with its namespace; mytcp/abort_orphans resets it."""
    fresh_pair()
    try:
        cli, srv, port = pair("mytcp")
        run("tc", "-n", B, "qdisc", "replace", "dev", "veth2", "root", "netem", "loss", "100%")
        cli.close()
        check([r["st"] for r in rows_of("mytcp", A, port)] == [FIN_WAIT1],
              "the client is not in FIN-WAIT-1: %s" % rows_of("mytcp", A, port))
        inum = os.stat("/run/netns/" + A).st_ino
        listed = [line for line in read(DEBUGFS + "/sockets").splitlines()
                  if line.startswith("FIN-WAIT-1") and " orphan " in line and
                  " net %d " % inum in line and ":%d " % port in line]
        check(len(listed) == 1, "mytcp/sockets:\n%s" % read(DEBUGFS + "/sockets"))
        check(sockstat()["orphan"] == 1, "sockstat: %s" % sockstat())
        write(DEBUGFS + "/abort_orphans", "1")
        check(not rows_of("mytcp", A, port), "still there: %s" % rows_of("mytcp", A, port))
        check(sockstat()["orphan"] == 0, "sockstat: %s" % sockstat())
        # Its reset reached the server, which closes without an orphan.
        check(wait_for(lambda: not rows_of("mytcp", B, port), 2),
              "the server missed the reset: %s" % rows_of("mytcp", B, port))
        srv.close()
    finally:
        drop_pair()


if __name__ == "__main__":
    main()
