#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""mytcp_badinput.py - malformed and unexpected segments.

Segments are written by hand and injected from namespace A into B, where
mytcp answers; a raw socket in A sees the answers.  Short, badly summed
or badly offset segments draw nothing and are counted, each kind by
exactly the number sent; segments for no socket draw the RST of RFC 9293
3.10.7.1; garbage aimed at live connections in every state breaks
nothing.  The kernel log scan catches the rest.
"""

import os
import random
import select
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from mytcp import (ADDR1, ADDR2, IPPROTO_MYTCP, accept, check, connect,  # noqa: E402
                   del_netns, inet_checksum, listener, load_module, main, netns,
                   parse_sockaddr, read, segment, sys_getsockname, test, veth_pair)

A, B = "mt-bad-a", "mt-bad-b"
FIN, SYN, RST, PSH, ACK, URG = 1, 2, 4, 8, 16, 32


class Wire:
    """Inject from A, and watch what comes back to A."""

    def __enter__(self):
        load_module()
        del_netns(A)
        del_netns(B)
        veth_pair(A, B)
        with netns(A):
            self.tx = socket.socket(socket.AF_INET, socket.SOCK_RAW, IPPROTO_MYTCP)
            self.rx = socket.socket(socket.AF_INET, socket.SOCK_RAW, IPPROTO_MYTCP)
        return self

    def __exit__(self, *exc):
        self.tx.close()
        self.rx.close()
        del_netns(A)
        del_netns(B)

    def send(self, seg):
        self.tx.sendto(seg, (ADDR2, 0))

    def replies(self, wait=0.5):
        """Segments that reached A from B: (sport, dport, seq, ack, flags)."""
        out = []
        end = time.monotonic() + wait
        while True:
            left = end - time.monotonic()
            if left <= 0 or not select.select([self.rx], [], [], left)[0]:
                return out
            pkt = self.rx.recv(65535)
            ihl = (pkt[0] & 15) * 4
            if socket.inet_ntoa(pkt[12:16]) != ADDR2:
                continue
            sp, dp, seq, ack, _, flags = struct.unpack("!HHIIBB", pkt[ihl:ihl + 14])
            out.append((sp, dp, seq, ack, flags))

    def barrier(self, sport=4999, dport=4998, timeout=10.0):
        """Send a SYN to B's closed port dport and wait for its RST: B has
        then processed every segment sent before it (they share one path,
        in order).  Returns the other replies seen meanwhile."""
        self.send(segment(sport, dport, 5000, 0, SYN))
        got = []
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for r in self.replies(0.1):
                if r == (dport, sport, 0, 5001, RST | ACK):
                    return got
                got.append(r)
        raise AssertionError("no RST for the barrier SYN; replies %s" % got)


@test
def closed_port_answers_rst():
    """S19 on the wire: RFC 9293 3.10.7.1's two forms of reset."""
    with Wire() as w:
        w.send(segment(4000, 4001, 1000, 0, SYN))
        check(w.replies() == [(4001, 4000, 0, 1001, RST | ACK)], "reply to SYN")
        w.send(segment(4000, 4001, 1000, 777, ACK, b"data"))
        check(w.replies() == [(4001, 4000, 777, 0, RST)], "reply to ACK")
        w.send(segment(4000, 4001, 1000, 0, FIN, b"xy"))
        check(w.replies() == [(4001, 4000, 0, 1003, RST | ACK)], "reply to FIN + data")
        w.send(segment(4000, 4001, 1000, 0, RST))
        check(w.replies() == [], "a RST was answered")


@test
def malformed_segments_draw_nothing():
    with Wire() as w:
        bad = [
            segment(4000, 4001, 1, 0, SYN)[:19],          # shorter than a header
            segment(4000, 4001, 1, 0, SYN, good_sum=False),
            segment(4000, 4001, 1, 0, SYN, doff=4),       # offset inside the header
            segment(4000, 4001, 1, 0, SYN)[:20],          # fine, but...
        ]
        # ... with doff = 15 the header claims 60 bytes it does not have.
        bad[3] = bad[3][:12] + bytes([15 << 4]) + bad[3][13:]
        bad.append(segment(4000, 4001, 1, 0, SYN | RST))  # contradictory
        for seg in bad:
            w.send(seg)
        check(w.replies() == [], "a malformed segment was answered")


@test
def flag_combinations_to_a_listener():
    with Wire() as w:
        with netns(B):
            lsk, port = listener(ADDR2)
        rnd = random.Random(9293)
        for flags in range(64):
            w.send(segment(4100 + flags, port, rnd.getrandbits(32), rnd.getrandbits(32),
                           flags, b"z" * (flags % 3)))
        w.replies(1.0)
        # The listener still works.
        with netns(A):
            c = connect(ADDR2, port)
        s = accept(lsk)
        c.sendall(b"still here")
        check(s.recv(20) == b"still here", "listener broken by garbage")
        for x in (c, s, lsk):
            x.close()


@test
def garbage_into_live_connections():
    """Random segments on the 4-tuples of connections in several states."""
    with Wire() as w:
        with netns(B):
            lsk, port = listener(ADDR2)
        conns = []
        with netns(A):
            for _ in range(3):
                conns.append(connect(ADDR2, port))
        peers = [accept(lsk) for _ in conns]
        conns[1].shutdown(socket.SHUT_WR)       # B side: CLOSE-WAIT
        peers[2].shutdown(socket.SHUT_WR)       # B side: FIN-WAIT-2
        time.sleep(0.3)
        rnd = random.Random(5961)
        cports = [parse_sockaddr(sys_getsockname(c))[2] for c in conns]
        for _ in range(400):
            # Random sequence numbers: an exact RST is a 1 in 2^32 chance.
            w.send(segment(rnd.choice(cports), port, rnd.getrandbits(32),
                           rnd.getrandbits(32), rnd.getrandbits(6),
                           os.urandom(rnd.randrange(0, 200)), window=rnd.getrandbits(16)))
        time.sleep(0.5)
        # Connection 0 still carries data both ways.
        conns[0].sendall(b"ping")
        check(peers[0].recv(10) == b"ping", "A->B broken")
        peers[0].sendall(b"pong")
        check(conns[0].recv(10) == b"pong", "B->A broken")
        for x in conns + peers + [lsk]:
            x.close()


SNMP = "/proc/net/mytcp_snmp"
# What a barrier() moves in B: its SYN, for no socket, answered by a RST.
BARRIER = {"InSegs": 1, "InNoSocket": 1, "OutSegs": 1, "OutRsts": 1}


def counters(ns):
    """Every counter of /proc/net/mytcp_snmp in namespace ns, by name."""
    with netns(ns):
        lines = read(SNMP).splitlines()
    out = {}
    for names, values in zip(lines[0::2], lines[1::2]):
        check(names.split(":")[0] == values.split(":")[0], "unpaired %r" % names)
        out.update(zip(names.split()[1:], (int(v) for v in values.split()[1:])))
    return out


def moved(before, after):
    return {k: after[k] - before[k] for k in after if after[k] != before[k]}


def resum(seg, src=ADDR1, dst=ADDR2):
    """seg with its checksum made right for whatever its bytes are now."""
    seg = seg[:16] + b"\0\0" + seg[18:]
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack(
        "!BBH", 0, IPPROTO_MYTCP, len(seg))
    return seg[:16] + struct.pack("!H", inet_checksum(pseudo + seg)) + seg[18:]


def with_doff(seg, doff):
    """seg with data offset doff (and a right checksum)."""
    return resum(seg[:12] + bytes([doff << 4]) + seg[13:])


@test
def bad_input_is_counted():
    """Each kind of malformed segment moves InSegs, InErrs and its own
    counter by exactly the number sent, and nothing else; segments for a
    closed port move InNoSocket, and OutRsts for those answered."""
    good = segment(4000, 4001, 1, 0, SYN)
    data = segment(4000, 4001, 1, 1, ACK | PSH, b"12345678")
    cases = [
        ("shorter than a header", "InShortSegs",
         [good[:1], good[:8], good[:12], good[:19]]),
        ("bad checksum", "InCsumErrors",
         [segment(4000, 4001, 1, 0, SYN, good_sum=False),
          segment(4000, 4001, 1, 1, ACK | PSH, b"12345678", good_sum=False),
          segment(4000, 4001, 1, 0, SYN, doff=6, good_sum=False)]),
        ("bad data offset", "InBadOffset",
         [with_doff(good, 0), with_doff(good, 4),
          with_doff(good, 6),               # 24 bytes of header in 20
          with_doff(data, 15)]),            # 60 in 28
    ]
    with Wire() as w:
        check(w.barrier() == [], "replies before the test")
        for what, name, segs in cases:
            # Each one a sound segment for a closed port, but for its flaw.
            b0 = counters(B)
            for seg in segs:
                w.send(seg)
            stray = w.barrier()
            b1 = counters(B)
            check(stray == [], "%s: answered: %s" % (what, stray))
            n = len(segs)
            want = dict(BARRIER, InSegs=n + 1, InErrs=n, **{name: n})
            check(moved(b0, b1) == want, "%s, %d sent: counters moved %s, expected %s" % (
                what, n, moved(b0, b1), want))

        # Sound segments for a closed port: each is counted as for no
        # socket, and each but the RST is answered with a RST.
        b0 = counters(B)
        closed = [segment(4100, 4001, 1000, 0, SYN),
                  segment(4101, 4001, 1000, 777, ACK, b"data"),
                  segment(4102, 4001, 1000, 0, FIN, b"xy"),
                  segment(4103, 4001, 1000, 0, RST),
                  segment(4104, 4001, 1000, 5, RST | ACK)]
        for seg in closed:
            w.send(seg)
        replies = w.barrier()
        b1 = counters(B)
        check(sorted(r[1] for r in replies) == [4100, 4101, 4102],
              "RSTs answered %s" % replies)
        check(all(r[4] & RST for r in replies), "not all RSTs: %s" % replies)
        answered = 3
        want = {"InSegs": len(closed) + 1, "InNoSocket": len(closed) + 1,
                "OutSegs": answered + 1, "OutRsts": answered + 1}
        check(moved(b0, b1) == want, "closed port: counters moved %s, expected %s" % (
            moved(b0, b1), want))


if __name__ == "__main__":
    main()
