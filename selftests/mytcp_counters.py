#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""mytcp_counters.py - the counters of /proc/net/mytcp_snmp.

Each test works in namespaces of its own, reads the counters, does one
real thing (a connection, a refused connect, a segment with a bad
checksum or header, an abortive close, an overflowing accept queue) and
checks the exact change of every counter it names; counters it does not
name may move (a namespace also counts what the test does not look at)
except where a test says so.
"""

import errno
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from mytcp import (ADDR1, ADDR2, IPPROTO_MYTCP, accept, add_netns, check,  # noqa: E402
                   check_errno, closed_port, connect, connected_pair, del_netns,
                   listener, load_module, main, netns, read, segment, test,
                   veth_pair, wait_for)

SNMP = "/proc/net/mytcp_snmp"
LO = "127.0.0.1"
NS1, NS2 = "mt-cnt-1", "mt-cnt-2"
FIN, SYN, RST, ACK = 1, 2, 4, 16

MIB = ["ActiveOpens", "PassiveOpens", "AttemptFails", "EstabResets", "CurrEstab",
       "InSegs", "OutSegs", "RetransSegs", "InErrs", "OutRsts", "InCsumErrors"]
EXT = ["EmbryonicRsts", "ListenOverflows", "ListenDrops", "TCPReqQFullDrop",
       "TWCreated", "TW", "TWKilled", "TWRecycled", "TCPTimeWaitOverflow",
       "TCPSynRetrans", "TCPTimeouts", "TCPAbortOnTimeout", "TCPKeepAlive",
       "TCPWinProbe", "FinWait2Timeouts", "TCPAbortOnClose", "TCPAbortOnData",
       "TCPAbortOnMemory", "TCPChallengeACK", "TCPSYNChallenge", "OutOfWindowDrops", "TCPRcvQDrop",
       "TCPBacklogDrop", "InNoSocket", "InShortSegs", "InBadOffset",
       "SyncookiesSent", "SyncookiesRecv", "SyncookiesFailed", "TCPReqQFullDoCookies",
       "TCPACKSkippedChallenge", "SynAckPressureDrops", "SynSourceDrops",
       # receiver: reassembly and receive memory
       "TCPOFOQueue", "TCPOFODrop", "TCPOFOMerge", "PruneCalled", "RcvPruned",
       "OfoPruned", "TCPZeroWindowDrop",
       # receiver: delayed ACKs
       "DelayedACKs", "DelayedACKLocked", "DelayedACKLost",
       # sender:
       "TCPFastRetrans", "TCPRenoRecovery", "TCPSlowStartRetrans",
       # memory
       "TCPMemoryPressures", "TCPMemoryPressuresChrono",
       # sender: SACK
       "TCPSackRecovery", "TCPSackRecoveryFail", "TCPSACKReneging",
       "TCPSACKDiscard", "TCPSACKReorder",
       # timestamps
       "PAWSEstab",
       "TCPLostRetransmit", "TCPLossProbes"]


def parse_snmp(text):
    """{prefix: [(name, value), ...]} of /proc/net/snmp-style text."""
    lines = text.splitlines()
    check(len(lines) % 2 == 0, "odd number of lines: %r" % text)
    out = {}
    for names, values in zip(lines[0::2], lines[1::2]):
        np, _, nrest = names.partition(": ")
        vp, _, vrest = values.partition(": ")
        check(np == vp and np not in out, "unpaired lines %r / %r" % (names, values))
        n, v = nrest.split(" "), vrest.split(" ")
        check(len(n) == len(v), "%s: %d names, %d values" % (np, len(n), len(v)))
        out[np] = list(zip(n, (int(x) for x in v)))
    return out


def counters(ns):
    """Every counter of namespace ns, by name."""
    with netns(ns):
        groups = parse_snmp(read(SNMP))
    return dict(groups["Mytcp"] + groups["MytcpExt"])


def delta(before, after):
    """Only the counters that moved, with their change."""
    return {k: after[k] - before[k] for k in after if after[k] != before[k]}


def check_delta(before, after, expected):
    """Each counter named in expected moved by exactly that much."""
    d = delta(before, after)
    wrong = {k: (d.get(k, 0), v) for k, v in expected.items() if d.get(k, 0) != v}
    check(not wrong, "counter: (change, expected): %s; all changes: %s" % (wrong, d))


def settle(ns, name, target, timeout=10.0):
    """Wait until counter name of ns reaches target; return all counters."""
    wait_for(lambda: counters(ns)[name] >= target, timeout)
    time.sleep(0.2)          # let anything that follows it land too
    return counters(ns)


def fresh(*names):
    load_module()
    for ns in names:
        del_netns(ns)
        add_netns(ns)


def cleanup(*names):
    for ns in names:
        del_netns(ns)


@test
def file_lists_every_counter_from_zero():
    """A new namespace has the file, every counter, all at zero."""
    fresh(NS1)
    try:
        with netns(NS1):
            groups = parse_snmp(read(SNMP))
        check(list(groups) == ["Mytcp", "MytcpExt"], "groups %s" % list(groups))
        check([n for n, _ in groups["Mytcp"]] == MIB, "Mytcp names %s" % groups["Mytcp"])
        check([n for n, _ in groups["MytcpExt"]] == EXT,
              "MytcpExt names %s" % groups["MytcpExt"])
        moved = [n for n, v in groups["Mytcp"] + groups["MytcpExt"] if v]
        check(not moved, "not zero in a new namespace: %s" % moved)
    finally:
        cleanup(NS1)


@test
def connection_opens_counts_and_closes():
    """ActiveOpens, PassiveOpens, the handshake's segments, CurrEstab."""
    fresh(NS1)
    try:
        c0 = counters(NS1)
        with netns(NS1):
            lsk, cli, srv = connected_pair(LO)
        c1 = counters(NS1)
        # SYN, SYN-ACK, ACK: each sent and received once in this namespace.
        check_delta(c0, c1, {"ActiveOpens": 1, "PassiveOpens": 1, "AttemptFails": 0,
                             "CurrEstab": 2, "OutSegs": 3, "InSegs": 3,
                             "RetransSegs": 0, "InErrs": 0, "OutRsts": 0})
        cli.sendall(b"ping")
        check(srv.recv(10) == b"ping", "no data")
        cli.close()                     # FIN-WAIT-2, and the server CLOSE-WAIT
        c2 = settle(NS1, "InSegs", c1["InSegs"] + 4)
        check_delta(c1, c2, {"CurrEstab": -1})
        srv.close()                     # LAST-ACK; the client goes to TIME-WAIT
        c3 = settle(NS1, "TWCreated", 1)
        check_delta(c0, c3, {"CurrEstab": 0, "EstabResets": 0, "TWCreated": 1,
                             "OutRsts": 0, "ActiveOpens": 1, "PassiveOpens": 1})
        check(c3["InSegs"] == c3["OutSegs"], "loopback: in %d, out %d" % (
            c3["InSegs"], c3["OutSegs"]))
        lsk.close()
    finally:
        cleanup(NS1)


@test
def refused_connect_fails_and_resets():
    """A SYN to a closed port: AttemptFails on one side, OutRsts on the other."""
    fresh(NS1)
    try:
        with netns(NS1):
            port = closed_port()
            c0 = counters(NS1)
            check_errno(errno.ECONNREFUSED, connect, LO, port)
        c1 = counters(NS1)
        check_delta(c0, c1, {"ActiveOpens": 1, "AttemptFails": 1, "OutRsts": 1,
                             "InNoSocket": 1, "OutSegs": 2, "InSegs": 2,
                             "CurrEstab": 0, "EstabResets": 0})
    finally:
        cleanup(NS1)


class Wire:
    """Segments written by hand, sent from NS1 to ADDR2 in NS2 over veth."""

    def __enter__(self):
        load_module()
        cleanup(NS1, NS2)
        veth_pair(NS1, NS2)
        with netns(NS1):
            self.tx = socket.socket(socket.AF_INET, socket.SOCK_RAW, IPPROTO_MYTCP)
        return self

    def __exit__(self, *exc):
        self.tx.close()
        cleanup(NS1, NS2)

    def send(self, seg):
        self.tx.sendto(seg, (ADDR2, 0))


@test
def bad_checksum_is_an_input_error():
    with Wire() as w:
        a0, b0 = counters(NS1), counters(NS2)
        w.send(segment(4000, 4001, 1, 0, SYN, src=ADDR1, dst=ADDR2, good_sum=False))
        b1 = settle(NS2, "InSegs", b0["InSegs"] + 1)
        check_delta(b0, b1, {"InSegs": 1, "InErrs": 1, "InCsumErrors": 1,
                             "InNoSocket": 0, "OutRsts": 0, "OutSegs": 0})
        check(delta(b0, b1).keys() == {"InSegs", "InErrs", "InCsumErrors"},
              "more moved: %s" % delta(b0, b1))
        # The raw socket's namespace counted nothing: mytcp did not send it.
        check(delta(a0, counters(NS1)) == {}, "sender's counters moved")
        # The same segment with a good checksum is answered with a RST.
        w.send(segment(4000, 4001, 1, 0, SYN, src=ADDR1, dst=ADDR2))
        b2 = settle(NS2, "OutRsts", b1["OutRsts"] + 1)
        check_delta(b1, b2, {"InSegs": 1, "InErrs": 0, "InCsumErrors": 0,
                             "InNoSocket": 1, "OutRsts": 1, "OutSegs": 1})


@test
def short_and_badly_offset_headers_are_input_errors():
    with Wire() as w:
        b0 = counters(NS2)
        good = segment(4000, 4001, 1, 0, SYN, src=ADDR1, dst=ADDR2)
        w.send(good[:19])                                   # shorter than a header
        w.send(segment(4000, 4001, 1, 0, SYN, src=ADDR1, dst=ADDR2, doff=4))
        w.send(good[:12] + bytes([15 << 4]) + good[13:])    # claims 60 bytes
        b1 = settle(NS2, "InSegs", b0["InSegs"] + 3)
        check_delta(b0, b1, {"InSegs": 3, "InErrs": 3, "InShortSegs": 1,
                             "InBadOffset": 2, "InCsumErrors": 0, "OutRsts": 0})


@test
def zero_linger_close_aborts():
    """SO_LINGER 0: a RST, TCPAbortOnData, and both ends reset."""
    fresh(NS1)
    try:
        with netns(NS1):
            lsk, cli, srv = connected_pair(LO)
        c0 = counters(NS1)
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        srv.close()
        c1 = settle(NS1, "InSegs", c0["InSegs"] + 1)
        check_delta(c0, c1, {"OutRsts": 1, "TCPAbortOnData": 1, "TCPAbortOnClose": 0,
                             "EstabResets": 2, "CurrEstab": -2, "OutSegs": 1,
                             "InSegs": 1})
        check_errno(errno.ECONNRESET, cli.recv, 10)
        cli.close()
        lsk.close()
    finally:
        cleanup(NS1)


@test
def close_with_unread_data_aborts():
    """RFC 2525 2.17: a RST, and TCPAbortOnClose."""
    fresh(NS1)
    try:
        with netns(NS1):
            lsk, cli, srv = connected_pair(LO)
        cli.sendall(b"never read")
        wait_for(lambda: srv.recv(1, socket.MSG_PEEK) == b"n")
        c0 = counters(NS1)
        srv.close()
        c1 = settle(NS1, "InSegs", c0["InSegs"] + 1)
        check_delta(c0, c1, {"OutRsts": 1, "TCPAbortOnClose": 1, "TCPAbortOnData": 0,
                             "EstabResets": 2, "CurrEstab": -2})
        cli.close()
        lsk.close()
    finally:
        cleanup(NS1)


@test
def full_accept_queue_overflows():
    """A SYN to a listener whose accept queue is full is dropped and counted."""
    fresh(NS1)
    try:
        with netns(NS1):
            lsk, port = listener(LO, backlog=1)
            # Backlog 1 holds two connections, as in TCP.
            clients = [connect(LO, port) for _ in range(2)]
            raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, IPPROTO_MYTCP)
        c0 = settle(NS1, "PassiveOpens", 2)
        check(c0["PassiveOpens"] == 2, "two connections queued")
        raw.sendto(segment(4000, port, 1, 0, SYN, src=LO, dst=LO), (LO, 0))
        c1 = settle(NS1, "ListenDrops", c0["ListenDrops"] + 1)
        check_delta(c0, c1, {"ListenOverflows": 1, "ListenDrops": 1, "TCPReqQFullDrop": 0,
                             "InSegs": 1, "OutSegs": 0, "PassiveOpens": 0})
        # Accepting makes room again: the same SYN is now answered.
        accept(lsk).close()
        raw.sendto(segment(4002, port, 1, 0, SYN, src=LO, dst=LO), (LO, 0))
        # Its SYN-ACK finds no socket at port 4002; the exact RST that
        # answers it ends the half-open entry.
        c2 = settle(NS1, "EmbryonicRsts", c1["EmbryonicRsts"] + 1)
        check_delta(c1, c2, {"ListenOverflows": 0, "ListenDrops": 0, "InNoSocket": 1,
                             "EmbryonicRsts": 1, "AttemptFails": 1, "OutRsts": 1,
                             "PassiveOpens": 0})
        raw.close()
        for s in clients + [lsk]:
            s.close()
    finally:
        cleanup(NS1)


@test
def counters_are_per_namespace():
    """What one namespace does moves none of another's counters."""
    fresh(NS1, NS2)
    try:
        a0, b0 = counters(NS1), counters(NS2)
        with netns(NS1):
            lsk, cli, srv = connected_pair(LO)
            check_errno(errno.ECONNREFUSED, connect, LO, closed_port())
        for s in (cli, srv, lsk):
            s.close()
        a1 = settle(NS1, "TWCreated", 1)
        check_delta(a0, a1, {"ActiveOpens": 2, "PassiveOpens": 1, "AttemptFails": 1})
        check(delta(b0, counters(NS2)) == {}, "the other namespace counted: %s" %
              delta(b0, counters(NS2)))
    finally:
        cleanup(NS1, NS2)


if __name__ == "__main__":
    main()
