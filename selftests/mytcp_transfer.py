#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""mytcp_transfer.py - data over a bad network, and TCP beside it.

Two namespaces joined by veth, tc netem on both ends (data and ACKs both
suffer): transfers verified byte for byte (SHA-256) in each direction,
under loss, reordering, duplication, corruption, delay, a blackout in the
middle and a reader that stops.  The same transfer over TCP, in the same
VM run, is timed beside each one and printed as a KTAP comment, with
the counters of how mytcp's sender recovered (timeouts, fast
retransmits, SACK recoveries...); only mytcp's results are asserted.  Under loss the retransmission counter
must move, and during a blackout the retrnsmt column of /proc/net/mytcp.

MYTCP_TRANSFER_MB sets the size of each transfer (default 2; "make
transfer" runs 50).
"""

import hashlib
import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from mytcp import (ADDR1, ADDR2, AF_MYTCP, accept, check, connect, del_netns,  # noqa: E402
                   listener, load_module, main, netns, proc_rows, read, run, test,
                   veth_pair)

A, B = "mt-xfer-a", "mt-xfer-b"
SIZE = int(float(os.environ.get("MYTCP_TRANSFER_MB", "2")) * (1 << 20))
# No single recv() or send() may wait longer than this.
STALL = 120
# How the sender recovered, printed after each mytcp transfer.
RECOVERY_COUNTERS = ("TCPTimeouts", "TCPFastRetrans", "TCPSlowStartRetrans",
                     "TCPRenoRecovery", "TCPSackRecovery", "TCPSackRecoveryFail",
                     "TCPLostRetransmit", "TCPLossProbes")


def netem(*args):
    """Apply the same netem to both ends; no arguments: a clean path."""
    for ns, dev in ((A, "veth1"), (B, "veth2")):
        if args:
            run("ip", "netns", "exec", ns, "tc", "qdisc", "replace", "dev", dev,
                "root", "netem", *args)
        else:
            run("ip", "netns", "exec", ns, "tc", "qdisc", "del", "dev", dev, "root",
                check_rc=False)


def counter(ns, name):
    """A Mytcp: or MytcpExt: counter of namespace ns."""
    with netns(ns):
        lines = read("/proc/net/mytcp_snmp").splitlines()
    for names, values in zip(lines[::2], lines[1::2]):
        fields = dict(zip(names.split()[1:], values.split()[1:]))
        if name in fields:
            return int(fields[name])
    raise KeyError(name)


def pattern(offset, n):
    """n bytes of the stream at offset: a hash chain, cheap to regenerate."""
    out = bytearray()
    block = offset >> 16
    skip = offset & 0xffff
    while len(out) < n + skip:
        out += hashlib.sha256(block.to_bytes(8, "big")).digest() * 2048
        block += 1
    return bytes(out[skip:skip + n])


class Watch:
    """Samples the largest retrnsmt of the connections of a namespace.

    The namespaces are the test's own: one connection at a time.
    """

    def __init__(self, ns):
        self.ns, self.max_retrnsmt = ns, 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def loop(self):
        while not self.stop.wait(0.02):
            with netns(self.ns):
                rows = proc_rows()
            for r in rows:
                self.max_retrnsmt = max(self.max_retrnsmt, r["retrnsmt"])

    def end(self):
        self.stop.set()
        self.thread.join()
        return self.max_retrnsmt


def transfer(family, sender_ns, pause=None, during=None):
    """SIZE bytes from sender_ns to the other namespace.

    pause: (at_bytes, seconds): the reader stops that long after at_bytes.
    during: (at_bytes, fn): the sender calls fn() after sending at_bytes.
    Returns the seconds it took; fails the test on any difference.
    """
    server_ns = B if sender_ns == A else A
    server_addr = ADDR2 if server_ns == B else ADDR1
    with netns(server_ns):
        if family == AF_MYTCP:
            lsk, port = listener(server_addr, backlog=4)
        else:
            lsk = socket.create_server((server_addr, 0), backlog=4)
            port = lsk.getsockname()[1]
    result = {}

    def receive():
        srv = accept(lsk) if family == AF_MYTCP else lsk.accept()[0]
        srv.settimeout(STALL)
        h, n, paused = hashlib.sha256(), 0, False
        try:
            while True:
                chunk = srv.recv(1 << 16)
                if not chunk:
                    break
                h.update(chunk)
                n += len(chunk)
                if pause and not paused and n >= pause[0]:
                    paused = True
                    time.sleep(pause[1])
        except OSError as e:
            result["error"] = e
        result["n"], result["digest"] = n, h.hexdigest()
        srv.close()

    reader = threading.Thread(target=receive)
    reader.start()
    start = time.monotonic()
    with netns(sender_ns):
        if family == AF_MYTCP:
            cli = connect(server_addr, port)
        else:
            cli = socket.create_connection((server_addr, port), timeout=STALL)
    cli.settimeout(STALL)
    h, sent, hooked = hashlib.sha256(), 0, False
    try:
        while sent < SIZE:
            piece = pattern(sent, min(1 << 16, SIZE - sent))
            h.update(piece)
            cli.sendall(piece)
            sent += len(piece)
            if during and not hooked and sent >= during[0]:
                hooked = True
                during[1]()
        cli.shutdown(socket.SHUT_WR)
    finally:
        reader.join(STALL * 4)
        cli.close()
        lsk.close()
    elapsed = time.monotonic() - start
    what = "AF_MYTCP" if family == AF_MYTCP else "TCP"
    check("error" not in result, "%s receiver: %s" % (what, result.get("error")))
    check(result.get("n") == SIZE, "%s: received %s of %d bytes" % (what, result.get("n"), SIZE))
    check(result["digest"] == h.hexdigest(), "%s: data differs" % what)
    return elapsed


def impaired(name, netem_args, pause=None, blackout=None, must_retransmit=True):
    """Both directions over mytcp, then over TCP, under netem_args.

    must_retransmit: RetransSegs must move.  A blackout must show in the
    retrnsmt column (timeouts in a row, as TCP's icsk_retransmits; fast
    retransmits leave it at 0, as in TCP).  A paused reader must make the
    sender probe its zero window.
    """
    load_module()
    del_netns(A)
    del_netns(B)
    veth_pair(A, B)
    try:
        netem(*netem_args)
        during = None
        if blackout:
            def black():
                netem("loss", "100%")
                time.sleep(blackout)
                netem(*netem_args)
            during = (SIZE // 3, lambda: threading.Thread(target=black).start())
        for sender in (A, B):
            recovery = {name: counter(sender, name) for name in RECOVERY_COUNTERS}
            before = counter(sender, "RetransSegs")
            probes = counter(sender, "TCPWinProbe")
            watch = Watch(sender)
            secs = transfer(AF_MYTCP, sender, pause=pause, during=during)
            most = watch.end()
            retrans = counter(sender, "RetransSegs") - before
            probes = counter(sender, "TCPWinProbe") - probes
            tsecs = transfer(socket.AF_INET, sender, pause=pause, during=during)
            print("# %s, %s sends %g MB: mytcp %.1f s (%d retransmitted, retrnsmt up to %d, "
                  "%d window probes), TCP %.1f s, TCP/mytcp speed %.2f"
                  % (name, "A" if sender == A else "B", SIZE / (1 << 20), secs, retrans,
                     most, probes, tsecs, tsecs / secs), flush=True)
            print("# ... mytcp's sender: %s" % ", ".join(
                "%s %d" % (name, counter(sender, name) - recovery[name])
                for name in RECOVERY_COUNTERS), flush=True)
            if must_retransmit:
                check(retrans > 0, "%s: RetransSegs did not move" % name)
            if blackout:
                # Timeouts in a row, each counted in the retrnsmt column.
                check(most >= 2, "%s: retrnsmt only reached %d" % (name, most))
            if pause:
                check(probes > 0, "%s: no zero-window probe" % name)
    finally:
        del_netns(A)
        del_netns(B)


@test
def loss_10_percent():
    impaired("10% loss", ("loss", "10%"))


@test
def loss_30_percent():
    impaired("30% loss", ("loss", "30%"))


@test
def reordering_25_percent():
    impaired("25% reordering", ("delay", "10ms", "reorder", "25%", "50%"),
             must_retransmit=False)


@test
def duplication_5_percent():
    impaired("5% duplication", ("duplicate", "5%"), must_retransmit=False)


@test
def corruption_1_percent():
    impaired("1% corruption", ("corrupt", "1%"))


@test
def delay_100ms_loss_1_percent():
    impaired("100 ms delay, 1% loss", ("delay", "100ms", "loss", "1%"))


@test
def blackout_10_seconds():
    impaired("10 s blackout", ("delay", "1ms"), blackout=10)


@test
def reader_stops_5_seconds():
    impaired("reader stops 5 s", ("delay", "1ms"), pause=(SIZE // 4, 5),
             must_retransmit=False)


if __name__ == "__main__":
    main()
