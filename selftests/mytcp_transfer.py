#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""mytcp_transfer.py - data over a bad network, and TCP beside it.

Two namespaces joined by veth, tc netem on both ends (data and ACKs both
suffer): transfers verified byte for byte (SHA-256) in each direction,
under loss, reordering, duplication, corruption, delay, a blackout in the
middle and a reader that stops.  The same transfer over TCP, in the same
VM run, is timed beside each one and printed as a KTAP comment, with
the counters of how mytcp's sender recovered (timeouts, fast
retransmits, SACK recoveries...); only mytcp's results are asserted.
Under loss the retransmission counters must move (RetransSegs always;
TCPFastRetrans under 10% loss, TCPTimeouts and the retrnsmt column of
/proc/net/mytcp, sampled during the transfer, under 30% loss and during
a blackout).  A blackout longer than the give-up limit (retries2 set to
5; the idle receiver uses keepalive, as a TCP receiver would need to)
ends with ETIMEDOUT on both sides, with no rows left in /proc/net/mytcp
and the protocol's memory and socket count (/proc/net/mytcp_sockstat)
back where they were.

MYTCP_TRANSFER_MB sets the size of each transfer (default 0.5 on the stock
kernel, 0.25 on the debug kernel; "make transfer-long" runs 50).
MYTCP_TRANSFER_TCP=0 leaves out the TCP runs beside them, and MYTCP_TESTS
picks tests by name (selftests/lib/mytcp.py).
"""

import errno
import hashlib
import os
import socket
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from mytcp import (ADDR1, ADDR2, AF_MYTCP, SOL_MYTCP, accept, check,  # noqa: E402
                   connect, del_netns, listener, load_module, main, netns,
                   ns_counter, proc_rows, run, settle, sockstat, test, veth_pair,
                   wait_for)

A, B = "mt-xfer-a", "mt-xfer-b"
DEBUG = os.environ.get("MYTCP_VM_KERNEL") == "debug"
SIZE = int(float(os.environ.get("MYTCP_TRANSFER_MB", "0.25" if DEBUG else "0.5")) * (1 << 20))
# make check's short run: without 30% loss (see loss_30_percent).
SHORT = "MYTCP_TRANSFER_MB" not in os.environ
# Under 1% corruption or loss, at least 1 MB: some 700 segments each way
# (GSO off there), so that RetransSegs not moving would be a failure, not
# luck; and as much for the reader that stops, to overflow its buffer.
LOW_RATE_SIZE = max(SIZE, 1 << 20) if SHORT else SIZE
MYTCP_KEEPIDLE, MYTCP_KEEPINTVL, MYTCP_KEEPCNT = 4, 5, 6
# No single recv() or send() may wait longer than this: more than twice
# the longest backoff (rto_max, 120 s), which 30% loss both ways can reach.
STALL = 250
# How the sender recovered, printed after each mytcp transfer.
RECOVERY_COUNTERS = ("TCPTimeouts", "TCPFastRetrans", "TCPSlowStartRetrans",
                     "TCPRenoRecovery", "TCPSackRecovery", "TCPSackRecoveryFail",
                     "TCPLostRetransmit", "TCPLossProbes", "TCPSACKReorder")


def netem(*args, first=None):
    """Apply the same netem to both ends; no arguments: a clean path.

    first: the namespace whose end changes first (A by default).
    """
    ends = [(A, "veth1"), (B, "veth2")]
    if first == B:
        ends.reverse()
    for ns, dev in ends:
        if args:
            run("ip", "netns", "exec", ns, "tc", "qdisc", "replace", "dev", dev,
                "root", "netem", *args)
        else:
            run("ip", "netns", "exec", ns, "tc", "qdisc", "del", "dev", dev, "root",
                check_rc=False)



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
        self.ns, self.max_retrnsmt, self.max_probes = ns, 0, 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def loop(self):
        while not self.stop.wait(0.02):
            try:
                with netns(self.ns):
                    # /proc/net is the main thread's namespace: this one's.
                    rows = proc_rows("/proc/thread-self/net/mytcp")
            except OSError:
                if not os.path.exists("/run/netns/" + self.ns):
                    return      # the namespace went away: the test failed
                continue
            for r in rows:
                self.max_retrnsmt = max(self.max_retrnsmt, r["retrnsmt"])
                self.max_probes = max(self.max_probes, r["probes"])

    def end(self):
        self.stop.set()
        self.thread.join()
        return self.max_retrnsmt


def transfer(family, sender_ns, pause=None, during=None, size=SIZE, stall=STALL):
    """size bytes from sender_ns to the other namespace.

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
        srv.settimeout(stall)
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
            cli = socket.create_connection((server_addr, port), timeout=stall)
    cli.settimeout(stall)
    h, sent, hooked = hashlib.sha256(), 0, False
    try:
        while sent < size:
            piece = pattern(sent, min(1 << 16, size - sent))
            h.update(piece)
            cli.sendall(piece)
            sent += len(piece)
            if during and not hooked and sent >= during[0]:
                hooked = True
                during[1]()
        cli.shutdown(socket.SHUT_WR)
    except BaseException:
        # Reset at once: the reader must not trickle on for minutes.
        cli.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        cli.close()
        reader.join(stall)
        lsk.close()
        raise
    reader.join(stall * 4)
    cli.close()
    lsk.close()
    elapsed = time.monotonic() - start
    what = "AF_MYTCP" if family == AF_MYTCP else "TCP"
    check("error" not in result, "%s receiver: %s" % (what, result.get("error")))
    check(result.get("n") == size, "%s: received %s of %d bytes" % (what, result.get("n"), size))
    check(result["digest"] == h.hexdigest(), "%s: data differs" % what)
    return elapsed


def tcp_transfer(sender, pause, during, size):
    """The same over TCP, for comparison only: its failures are printed.

    TCP too can back off past a minute under 30% loss both ways; it gets
    a shorter stall so that it cannot eat the test's time.  With
    MYTCP_TRANSFER_TCP=0 it is not run (nan).
    """
    if os.environ.get("MYTCP_TRANSFER_TCP") == "0":
        return float("nan")
    try:
        return transfer(socket.AF_INET, sender, pause=pause, during=during, size=size,
                        stall=60)
    except (AssertionError, OSError) as e:
        print("# TCP did not finish: %s" % e, flush=True)
        return float("nan")


# A receiver's counters of data dropped for want of buffer.
RECEIVER_DROPS = ("TCPRcvQDrop", "RcvPruned", "TCPOFODrop", "TCPBacklogDrop")


def impaired(name, netem_args, pause=None, blackout=None, must_retransmit=True,
             must_move=(), min_retrnsmt=0, size=SIZE, gso=True):
    """Both directions over mytcp, then over TCP, under netem_args.

    gso=False turns segmentation offload off on both veth ends, for both
    runs (ethtool's gso, tso and tx-sctp-segmentation, see
    Documentation/mytcp.rst), so that netem acts on each segment: a GSO
    packet carries up to 45 of them, and a 1 MB transfer is then a few
    dozen packets, too few for a 1% rate to be sure to touch any.  TSO
    too: veth offers it, and with gso alone off TCP still sent 64 KB
    packets, so that netem dropped a TCP packet for every 45 of mytcp's
    segments and the two times compared different losses.

    must_retransmit: RetransSegs must move; must_move: these counters too;
    both counted over the two directions together, since a short transfer
    under 1% loss can go one way untouched.  A blackout must show in the
    retrnsmt column of each sender (timeouts in a row, as TCP's
    icsk_retransmits; fast retransmits leave it at 0, as in TCP), as must
    min_retrnsmt.  A paused reader must make each sender probe its zero
    window.
    """
    load_module()
    del_netns(A)
    del_netns(B)
    veth_pair(A, B)
    try:
        if not gso:
            for ns, dev in ((A, "veth1"), (B, "veth2")):
                run("ip", "netns", "exec", ns, "ethtool", "-K", dev, "gso", "off",
                    "tso", "off", "tx-sctp-segmentation", "off")
        netem(*netem_args)
        during = None
        if blackout:
            def black():
                # At once, in the sender's thread; it ends in the background.
                netem("loss", "100%")
                threading.Timer(blackout, netem, netem_args).start()
            during = (SIZE // 3, black)
        total = {c: 0 for c in ("RetransSegs",) + tuple(must_move)}
        for sender in (A, B):
            recovery = {name: ns_counter(sender, name) for name in RECOVERY_COUNTERS}
            before = ns_counter(sender, "RetransSegs")
            probes = ns_counter(sender, "TCPWinProbe")
            moved = {c: ns_counter(sender, c)
                     for c in ("TCPTimeouts", "TCPFastRetrans") + tuple(must_move)}
            receiver = B if sender == A else A
            lost = {c: ns_counter(receiver, c) for c in RECEIVER_DROPS}
            watch = Watch(sender)
            secs = transfer(AF_MYTCP, sender, pause=pause, during=during, size=size)
            most = watch.end()
            retrans = ns_counter(sender, "RetransSegs") - before
            probes = ns_counter(sender, "TCPWinProbe") - probes
            moved = {c: ns_counter(sender, c) - v for c, v in moved.items()}
            lost = {c: ns_counter(receiver, c) - v for c, v in lost.items()}
            tsecs = tcp_transfer(sender, pause, during, size)
            print("# %s, %s sends %g MB: mytcp %.1f s (%d retransmitted, %d timeouts, "
                  "%d fast retransmits, retrnsmt up to %d, %d window probes), TCP %.1f s, "
                  "TCP/mytcp speed %.2f"
                  % (name, "A" if sender == A else "B", size / (1 << 20), secs, retrans,
                     moved["TCPTimeouts"], moved["TCPFastRetrans"], most, probes, tsecs,
                     tsecs / secs), flush=True)
            print("# ... mytcp's sender: %s" % ", ".join(
                "%s %d" % (name, ns_counter(sender, name) - recovery[name])
                for name in RECOVERY_COUNTERS), flush=True)
            total["RetransSegs"] += retrans
            for c in must_move:
                total[c] += moved[c]
            check(most >= min_retrnsmt, "%s: retrnsmt only reached %d" % (name, most))
            if blackout:
                # Timeouts in a row, each counted in the retrnsmt column.
                check(most >= 2, "%s: retrnsmt only reached %d" % (name, most))
            if pause:
                check(probes > 0, "%s: no zero-window probe" % name)
                # The sender kept inside the window: nothing it sent may be
                # dropped for want of room (no loss here to cause timeouts).
                check(not any(lost.values()) and not moved["TCPTimeouts"],
                      "%s: receiver dropped in-window data (%s), %d timeouts"
                      % (name, lost, moved["TCPTimeouts"]))
        if must_retransmit:
            check(total["RetransSegs"] > 0, "%s: RetransSegs did not move" % name)
        for c in must_move:
            check(total[c] > 0, "%s: %s did not move" % (name, c))
    finally:
        netem()
        settle(A, B)
        del_netns(A)
        del_netns(B)


@test
def loss_10_percent():
    # Per segment, not per GSO packet: 0.5 MB is a dozen GSO packets, which
    # 10% loss missed altogether in both directions once (stock kernel).
    impaired("10% loss", ("loss", "10%"), must_move=("TCPFastRetrans",), gso=False)


def loss_30_percent():
    # The retrnsmt column, timeouts in a row, is asserted in the blackouts:
    # with SACK and loss probes a short transfer may have single timeouts
    # only, each shown for a moment between samples.
    impaired("30% loss", ("loss", "30%"), must_move=("TCPTimeouts",), gso=False)


# Only in the long run (make transfer-long): under 30% loss both ways a
# sender can back off to rto_max (120 s) twice in a row, TCP's as well as
# mytcp's (seen in make check: one sendall() waited over 250 s), which a
# short run in make check cannot tell from a hang.
if not SHORT:
    test(loss_30_percent)


@test
def reordering_25_percent():
    # The sender must see the reordering and raise DupThresh for it.  Per
    # segment: 0.25 MB is a few GSO packets, which netem once left in
    # order both ways (debug kernel).
    impaired("25% reordering", ("delay", "10ms", "reorder", "25%", "50%"),
             must_retransmit=False, must_move=("TCPSACKReorder",), gso=False)


@test
def duplication_5_percent():
    impaired("5% duplication", ("duplicate", "5%"), must_retransmit=False)


@test
def corruption_1_percent():
    impaired("1% corruption", ("corrupt", "1%"), size=LOW_RATE_SIZE, gso=False)


@test
def delay_100ms_loss_1_percent():
    impaired("100 ms delay, 1% loss", ("delay", "100ms", "loss", "1%"),
             size=LOW_RATE_SIZE, gso=False)


@test
def blackout_10_seconds():
    impaired("10 s blackout", ("delay", "1ms"), blackout=10, must_move=("TCPTimeouts",))


@test
def reader_stops_5_seconds():
    # What is left after the pause must overflow the receive buffer (some
    # 200 KB of payload in GSO packets), else no window closes.
    impaired("reader stops 5 s", ("delay", "1ms"), pause=(SIZE // 4, 5),
             must_retransmit=False, size=LOW_RATE_SIZE)


@test
def blackout_past_give_up():
    """A blackout longer than the give-up limit: ETIMEDOUT on both sides.

    retries2 is 5 (TCP's model: 12.6 s of backoff from a 200 ms RTO); the
    receiver, idle during the blackout, notices through keepalive (2 s
    idle, 3 probes 1 s apart), as a TCP receiver would have to.
    """
    load_module()
    del_netns(A)
    del_netns(B)
    veth_pair(A, B)
    base = sockstat()
    try:
        for ns in (A, B):
            with netns(ns):
                with open("/proc/sys/net/mytcp/retries2", "w") as f:
                    f.write("5")
        aborts = {ns: ns_counter(ns, "TCPAbortOnTimeout") for ns in (A, B)}
        with netns(B):
            lsk, port = listener(ADDR2, backlog=1)
        with netns(A):
            cli = connect(ADDR2, port)
        srv = accept(lsk)
        lsk.close()
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        for opt, val in ((MYTCP_KEEPIDLE, 2), (MYTCP_KEEPINTVL, 1), (MYTCP_KEEPCNT, 3)):
            srv.setsockopt(SOL_MYTCP, opt, val)
        result = {}
        received = threading.Event()

        def receive():
            n = 0
            try:
                while True:
                    chunk = srv.recv(1 << 16)
                    if not chunk:
                        result["rx"] = "EOF"
                        return
                    n += len(chunk)
                    if n >= SIZE // 4:
                        received.set()
            except OSError as e:
                result["rx"] = e.errno
                result["rx_at"] = time.monotonic()

        def send():
            sent = 0
            try:
                while True:
                    sent += cli.send(pattern(sent, 1 << 16))
            except OSError as e:
                result["tx"] = e.errno
                result["tx_at"] = time.monotonic()

        threads = [threading.Thread(target=receive), threading.Thread(target=send)]
        for t in threads:
            t.start()
        check(received.wait(STALL), "no data before the blackout")
        watch = Watch(A)
        start = time.monotonic()
        # The receiver's end first: a tc command can take seconds on the
        # debug kernel, and the receiver's keepalive must not give up,
        # and its reset reach the sender, before the sender's end is dark.
        netem("loss", "100%", first=B)
        for t in threads:
            t.join(90)
        most = watch.end()
        print("# blackout: receiver %s after %.1f s, sender %s after %.1f s, retrnsmt up to %d,"
              " unanswered window probes up to %d"
              % (result.get("rx"), result.get("rx_at", 0) - start, result.get("tx"),
                 result.get("tx_at", 0) - start, most, watch.max_probes), flush=True)
        check(not any(t.is_alive() for t in threads), "still blocked 90 s into the blackout")
        check(result.get("rx") == errno.ETIMEDOUT, "receiver: %s" % result.get("rx"))
        check(result.get("tx") == errno.ETIMEDOUT, "sender: %s" % result.get("tx"))
        # Data in flight is retransmitted (retrnsmt); data held back by a
        # zero window (a slow receiver, as on the debug kernel) is probed
        # (the timeout column).  retries2 is a time (d06 drills its count):
        # with the long RTO of a debug VM two timeouts may use it up.
        check(most >= 1 or watch.max_probes >= 1,
              "retrnsmt only reached %d, window probes %d" % (most, watch.max_probes))
        for ns in (A, B):
            check(ns_counter(ns, "TCPAbortOnTimeout") > aborts[ns],
                  "%s: TCPAbortOnTimeout did not move" % ns)
        cli.close()
        srv.close()
        netem()
        for ns in (A, B):
            def gone():
                with netns(ns):
                    return not proc_rows()
            check(wait_for(gone, 5), "%s: rows left in /proc/net/mytcp" % ns)
        now = wait_for(lambda: (lambda s: s if s["alloc"] <= base["alloc"] and
                                s["mem"] <= base["mem"] else None)(sockstat()), 10)
        check(now, "sockets or memory left: %s, before %s" % (sockstat(), base))
    finally:
        del_netns(A)
        del_netns(B)


if __name__ == "__main__":
    main()
