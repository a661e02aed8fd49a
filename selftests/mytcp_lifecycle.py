#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""mytcp_lifecycle.py - connections between two namespaces over veth.

Bulk data verified byte for byte, and the scenarios of SCENARIOS.md that
the socket API and /proc/net/mytcp can show: the state sequences of the
handshake (S1), teardown (S2), TIME-WAIT (S4), simultaneous open (S17)
and close (S18), a lost SYN (S13), keepalive (S8), with the sysctls
shortened so each runs in seconds; and a SYN and a FIN that the device
refused, once or again and again.  Lost segments come from tc netem, refused ones from a pfifo
with no room.
"""

import errno
import hashlib
import os
import select
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from mytcp import (ADDR1, ADDR2, CLOSE_WAIT, CLOSING, ESTABLISHED, FIN_WAIT2,  # noqa: E402
                   LISTEN, SOL_MYTCP, SYN_RECV, SYN_SENT, SYSCTL_DIR, TIME_WAIT, accept, check, connect,
                   del_netns, listener, load_module, main, mytcp_socket, netns,
                   parse_sockaddr, proc_rows, run, sockaddr, sys_bind, sys_connect,
                   settle, sys_getsockname, test, veth_pair, wait_for, write)

A, B = "mt-a", "mt-b"
MYTCP_KEEPIDLE, MYTCP_KEEPINTVL, MYTCP_KEEPCNT, MYTCP_SYNCNT = 4, 5, 6, 7


def setup():
    load_module()
    del_netns(A)
    del_netns(B)
    veth_pair(A, B)


def teardown():
    """Namespaces go once their connections closed: qdiscs a test left
    (refuse_all(), netem()) go first, so that the last FINs and ACKs pass."""
    for ns, dev in ((A, "veth1"), (B, "veth2")):
        run("ip", "netns", "exec", ns, "tc", "qdisc", "del", "dev", dev, "root",
            check_rc=False)
    settle(A, B)
    del_netns(A)
    del_netns(B)


def sysctl(ns, name, value):
    with netns(ns):
        write(SYSCTL_DIR + "/" + name, str(value))


def states(ns, port):
    """States of the rows of namespace ns that involve port."""
    with netns(ns):
        return sorted(r["st"] for r in proc_rows()
                      if port in (r["local"][1], r["remote"][1]))


def netem(ns, dev, *args):
    run("ip", "netns", "exec", ns, "tc", "qdisc", "replace", "dev", dev, "root",
        "netem", *args)


def server_in_b(port=0):
    with netns(B):
        return listener(ADDR2, port)


def client_in_a(port):
    with netns(A):
        return connect(ADDR2, port)


def transfer(size):
    """size random bytes from A to B over veth; both ends hash them."""
    lsk, port = server_in_b()
    result = {}

    def serve():
        srv = accept(lsk)
        h = hashlib.sha256()
        n = 0
        while True:
            chunk = srv.recv(1 << 16)
            if not chunk:
                break
            h.update(chunk)
            n += len(chunk)
        result["n"], result["digest"] = n, h.hexdigest()
        srv.close()
    t = threading.Thread(target=serve)
    t.start()
    cli = client_in_a(port)
    h = hashlib.sha256()
    block = os.urandom(1 << 20)
    sent = 0
    while sent < size:
        piece = block[: min(len(block), size - sent)]
        h.update(piece)
        cli.sendall(piece)
        sent += len(piece)
        block = block[1:] + block[:1]
    cli.shutdown(socket.SHUT_WR)
    t.join(600)
    cli.close()
    lsk.close()
    check(result.get("n") == size, "received %s of %d bytes" % (result.get("n"), size))
    check(result["digest"] == h.hexdigest(), "data differs")


@test
def bulk_100mb_over_veth():
    setup()
    try:
        transfer(100 << 20)
    finally:
        teardown()


@test
def handshake_states():
    """S1: LISTEN; SYN-SENT while the SYN is lost; then ESTABLISHED both."""
    setup()
    try:
        lsk, port = server_in_b()
        check(states(B, port) == [LISTEN], "server: %s" % states(B, port))
        netem(A, "veth1", "loss", "100%")
        with netns(A):
            cli = mytcp_socket(socket.SOCK_STREAM | socket.SOCK_NONBLOCK)
            try:
                sys_connect(cli, sockaddr(port, ADDR2))
            except OSError as e:
                check(e.errno == errno.EINPROGRESS, errno.errorcode[e.errno])
        check(wait_for(lambda: states(A, port) == [SYN_SENT]), "no SYN-SENT row")
        with netns(A):
            check(wait_for(lambda: any(r["retrnsmt"] >= 1 for r in proc_rows())),
                  "SYN not retransmitted")
        run("ip", "netns", "exec", A, "tc", "qdisc", "del", "dev", "veth1", "root")
        select.select([], [cli], [], 10)
        check(cli.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0, "connect failed")
        srv = accept(lsk)
        check(states(A, port) == [ESTABLISHED], "client: %s" % states(A, port))
        check(states(B, port) == [ESTABLISHED, LISTEN], "server: %s" % states(B, port))
        for s in (cli, srv, lsk):
            s.close()
    finally:
        teardown()


@test
def teardown_states_and_time_wait():
    """S2, S4: FIN-WAIT-2 / CLOSE-WAIT, then TIME-WAIT for 2 * MSL."""
    setup()
    try:
        sysctl(A, "msl", 2)
        lsk, port = server_in_b()
        cli = client_in_a(port)
        srv = accept(lsk)
        lsk.close()
        cli.shutdown(socket.SHUT_WR)
        check(wait_for(lambda: states(A, port) == [FIN_WAIT2]), "A: %s" % states(A, port))
        check(states(B, port) == [CLOSE_WAIT], "B: %s" % states(B, port))
        srv.close()
        check(wait_for(lambda: states(A, port) == [TIME_WAIT]), "A: %s" % states(A, port))
        t0 = time.monotonic()
        check(wait_for(lambda: states(B, port) == []), "B: %s" % states(B, port))
        check(cli.recv(1) == b"", "A did not read EOF")
        cli.close()
        check(wait_for(lambda: states(A, port) == [], timeout=10), "TIME-WAIT stayed")
        lasted = time.monotonic() - t0
        check(3.0 <= lasted <= 6.0, "TIME-WAIT lasted %.1f s, not 2 * MSL = 4 s" % lasted)
    finally:
        teardown()


@test
def time_wait_holds_the_tuple():
    """S5: a new connection on the 4-tuple of a TIME-WAIT entry is refused."""
    setup()
    try:
        lsk, port = server_in_b()
        with netns(A):
            cli = mytcp_socket()
            cli.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sys_bind(cli, sockaddr(0, ADDR1))
            cport = parse_sockaddr(sys_getsockname(cli))[2]
            sys_connect(cli, sockaddr(port, ADDR2))
        srv = accept(lsk)
        cli.close()
        srv.close()
        check(wait_for(lambda: TIME_WAIT in states(A, port)), "no TIME-WAIT in A")
        with netns(A):
            again = mytcp_socket()
            again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sys_bind(again, sockaddr(cport, ADDR1))
            try:
                sys_connect(again, sockaddr(port, ADDR2))
                raise AssertionError("connected over a TIME-WAIT entry")
            except OSError as e:
                check(e.errno == errno.EADDRNOTAVAIL, errno.errorcode[e.errno])
            again.close()
        lsk.close()
    finally:
        teardown()


@test
def lost_syn_gives_up():
    """S13: SYNs retransmitted with backoff, ETIMEDOUT after syn_retries."""
    setup()
    try:
        lsk, port = server_in_b()
        netem(A, "veth1", "loss", "100%")
        with netns(A):
            cli = mytcp_socket()
            cli.setsockopt(SOL_MYTCP, MYTCP_SYNCNT, 2)
            t0 = time.monotonic()
            try:
                sys_connect(cli, sockaddr(port, ADDR2))
                raise AssertionError("connected through 100% loss")
            except OSError as e:
                check(e.errno == errno.ETIMEDOUT, errno.errorcode[e.errno])
            took = time.monotonic() - t0
        # 1 s + 2 s + 4 s: the SYN and two retransmissions.
        check(6.5 <= took <= 9.0, "gave up after %.1f s, not 7 s" % took)
        cli.close()
        lsk.close()
    finally:
        teardown()


def refuse_all(ns, dev, on):
    """A pfifo with room for nothing: every send fails with NET_XMIT_DROP,
    as veth's does when its peer's input backlog is full."""
    if on:
        run("ip", "netns", "exec", ns, "tc", "qdisc", "replace", "dev", dev, "root",
            "pfifo", "limit", "0")
    else:
        run("ip", "netns", "exec", ns, "tc", "qdisc", "del", "dev", dev, "root")


def server_with_neighbours():
    """server_in_b(), after one connection that made both ends learn each
    other's MAC: later segments then need no neighbour resolution."""
    lsk, port = server_in_b()
    first = client_in_a(port)
    accept(lsk).close()
    first.close()
    return lsk, port


@test
def refused_by_the_device_goes_again():
    """A SYN, data with a FIN, and a FIN alone, each refused by the device,
    are sent by the timer once it accepts them again; nothing waits behind
    window probes.  The data is one GSO packet: its segments must wait to
    go again, not be taken for sent, nor be tried again and again (that
    locked up shutdown() once)."""
    setup()
    try:
        lsk, port = server_with_neighbours()
        refuse_all(A, "veth1", True)
        with netns(A):
            cli = mytcp_socket()
            cli.setblocking(False)
            try:
                sys_connect(cli, sockaddr(port, ADDR2))
            except OSError as e:
                check(e.errno == errno.EINPROGRESS, errno.errorcode[e.errno])
        time.sleep(0.5)
        refuse_all(A, "veth1", False)
        # The SYN's timer (1 s) must send the SYN itself.
        _, w, _ = select.select([], [cli], [], 5)
        check(w and not cli.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR),
              "not connected 5 s after the device took packets again: %s" %
              states(A, port))
        srv = accept(lsk)
        # Six full segments and a short one that takes the FIN: one GSO
        # packet, within the first window.
        data = os.urandom(6 * 1448 + 700)
        refuse_all(A, "veth1", True)
        sent = cli.send(data)
        cli.shutdown(socket.SHUT_WR)
        time.sleep(0.5)
        refuse_all(A, "veth1", False)
        srv.settimeout(5)
        got = bytearray()
        while True:
            chunk = srv.recv(65536)
            if not chunk:
                break
            got.extend(chunk)
        check(bytes(got) == data[:sent], "%d of the %d bytes written while the device "
              "refused arrived, then the FIN" % (len(got), sent))
        check(wait_for(lambda: FIN_WAIT2 in states(A, port), timeout=5),
              "A: %s" % states(A, port))
        # A FIN alone, refused on B's side.
        refuse_all(B, "veth2", True)
        srv.shutdown(socket.SHUT_WR)
        time.sleep(0.5)
        refuse_all(B, "veth2", False)
        cli.setblocking(True)
        cli.settimeout(5)
        check(cli.recv(1) == b"", "data instead of B's FIN")
        cli.close()
        srv.close()
        lsk.close()
    finally:
        teardown()


@test
def refused_together_go_again_spread():
    """FINs the device refuses together (veth with its peer's input backlog
    full) go again at spread times.  Timed alike, they were all tried at
    the same moments again, refused together again each time, with the
    timeout doubled: a client's FIN waited a minute, and connections of
    the scale test were left behind after 20 s."""
    n = 40
    setup()
    try:
        lsk, port = server_with_neighbours()
        clients, servers = [], []
        for _ in range(n):
            clients.append(client_in_a(port))
            servers.append(accept(lsk))
        # Every FIN refused at once; then room for 5 packets, each held
        # 20 ms: most of a burst is refused.
        refuse_all(A, "veth1", True)
        t0 = time.monotonic()
        for c in clients:
            c.shutdown(socket.SHUT_WR)
        time.sleep(1)
        netem(A, "veth1", "delay", "20ms", "limit", "5")
        for i, s in enumerate(servers):
            s.settimeout(max(1, 20 - (time.monotonic() - t0)))
            try:
                check(s.recv(1) == b"", "data instead of the FIN")
            except socket.timeout:
                check(False, "server %d of %d: no FIN 20 s after the shutdowns; "
                      "A: %s" % (i + 1, n, states(A, port)))
        print("# %d FINs through in %.1f s" % (n, time.monotonic() - t0))
        for s in clients + servers + [lsk]:
            s.close()
    finally:
        teardown()


@test
def keepalive_detects_dead_peer():
    """S8: probes every intvl after idle, ETIMEDOUT after probes."""
    setup()
    try:
        lsk, port = server_in_b()
        cli = client_in_a(port)
        srv = accept(lsk)
        cli.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        cli.setsockopt(SOL_MYTCP, MYTCP_KEEPIDLE, 1)
        cli.setsockopt(SOL_MYTCP, MYTCP_KEEPINTVL, 1)
        cli.setsockopt(SOL_MYTCP, MYTCP_KEEPCNT, 2)
        time.sleep(2.5)     # answered probes keep it alive
        check(states(A, port) == [ESTABLISHED], "died while the peer answered")
        netem(B, "veth2", "loss", "100%")   # the peer is gone
        t0 = time.monotonic()
        r, _, _ = select.select([cli], [], [], 15)
        check(r == [cli], "no error after the probes")
        try:
            cli.recv(1)
            raise AssertionError("recv succeeded")
        except OSError as e:
            check(e.errno == errno.ETIMEDOUT, errno.errorcode[e.errno])
        check(time.monotonic() - t0 <= 6, "took %.1f s" % (time.monotonic() - t0))
        for s in (cli, srv, lsk):
            s.close()
    finally:
        teardown()


def bound_pair(delay_ms):
    """Sockets on fixed ports in A and B, with netem delay on both sides."""
    netem(A, "veth1", "delay", "%dms" % delay_ms)
    netem(B, "veth2", "delay", "%dms" % delay_ms)
    with netns(A):
        a = mytcp_socket(socket.SOCK_STREAM | socket.SOCK_NONBLOCK)
        sys_bind(a, sockaddr(5001, ADDR1))
    with netns(B):
        b = mytcp_socket(socket.SOCK_STREAM | socket.SOCK_NONBLOCK)
        sys_bind(b, sockaddr(5002, ADDR2))
    return a, b


@test
def simultaneous_open():
    """S17: crossing SYNs make exactly one connection."""
    setup()
    try:
        a, b = bound_pair(200)
        for s, addr, port in ((a, ADDR2, 5002), (b, ADDR1, 5001)):
            try:
                sys_connect(s, sockaddr(port, addr))
            except OSError as e:
                check(e.errno == errno.EINPROGRESS, errno.errorcode[e.errno])
        # Each end gets the other's SYN first: both pass through SYN-RECEIVED.
        check(wait_for(lambda: states(A, 5001) == [SYN_RECV], timeout=2, step=0.01),
              "A never in SYN-RECEIVED: %s" % states(A, 5001))
        for s in (a, b):
            select.select([], [s], [], 10)
            check(s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0, "connect failed")
        check(states(A, 5001) == [ESTABLISHED], "A: %s" % states(A, 5001))
        check(states(B, 5002) == [ESTABLISHED], "B: %s" % states(B, 5002))
        a.setblocking(True)
        b.setblocking(True)
        a.sendall(b"hello")
        check(b.recv(10) == b"hello", "no data over the simultaneous connection")
        a.close()
        b.close()
    finally:
        teardown()


@test
def simultaneous_close():
    """S18: crossing FINs take both ends through CLOSING to TIME-WAIT."""
    setup()
    try:
        lsk, port = server_in_b()
        cli = client_in_a(port)
        srv = accept(lsk)
        lsk.close()
        netem(A, "veth1", "delay", "200ms")
        netem(B, "veth2", "delay", "200ms")
        cli.shutdown(socket.SHUT_WR)
        srv.shutdown(socket.SHUT_WR)
        check(wait_for(lambda: states(A, port) == [CLOSING], timeout=2, step=0.01),
              "A never in CLOSING: %s" % states(A, port))
        check(wait_for(lambda: states(A, port) == [TIME_WAIT], timeout=5),
              "A: %s" % states(A, port))
        check(wait_for(lambda: states(B, port) == [TIME_WAIT], timeout=5),
              "B: %s" % states(B, port))
        cli.close()
        srv.close()
    finally:
        teardown()


if __name__ == "__main__":
    main()
