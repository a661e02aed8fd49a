#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""mytcp_api.py - the socket calls of a connected AF_MYTCP socket.

Every call works as on a TCP socket and every misuse fails with the errno
TCP gives for it.  Over loopback, in the initial namespace (a blocking
connect that never completes uses a namespace of its own).  Where the
answer is deterministic, a test runs the same sequence on Linux TCP
sockets too and checks that mytcp gives the same results.
"""

import contextlib
import errno
import fcntl
import os
import select
import signal
import socket
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from mytcp import (ADDR2, AF_MYTCP, CLOSE, MYTCP_INFO, SOL_MYTCP, SYN_SENT,  # noqa: E402
                   SYSCTL_DIR, accept, closed_port, add_netns, check, check_errno,
                   connect, connected_pair, del_netns, listener, load_module, main,
                   mytcp_socket, netns, parse_sockaddr, proc_rows, read, run, sockaddr,
                   sys_accept4, sys_bind, sys_connect, sys_getpeername, sys_getsockname,
                   test, veth_pair, wait_for, write)

MYTCP_NODELAY, MYTCP_MAXSEG, MYTCP_KEEPIDLE, MYTCP_KEEPINTVL, MYTCP_KEEPCNT, \
    MYTCP_SYNCNT = 1, 2, 4, 5, 6, 7
LO = "127.0.0.1"


@test
def bind_errors():
    load_module()
    s = mytcp_socket()
    check_errno(errno.EINVAL, sys_bind, s, sockaddr(0, LO)[:15])
    check_errno(errno.EAFNOSUPPORT, sys_bind, s, sockaddr(0, LO, family=socket.AF_INET))
    check_errno(errno.EADDRNOTAVAIL, sys_bind, s, sockaddr(0, "192.0.2.1"))
    sys_bind(s, sockaddr(0, LO))
    check_errno(errno.EINVAL, sys_bind, s, sockaddr(0, LO))
    s.close()
    # AF_UNSPEC is taken for the wildcard address, as by TCP.
    s = mytcp_socket()
    sys_bind(s, sockaddr(0, "0.0.0.0", family=socket.AF_UNSPEC))
    s.close()


@test
def bind_conflicts_follow_tcp():
    a, port = listener("0.0.0.0")
    b = mytcp_socket()
    check_errno(errno.EADDRINUSE, sys_bind, b, sockaddr(port, LO))
    b.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    a.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # SO_REUSEADDR does not share a port with a listener.
    check_errno(errno.EADDRINUSE, sys_bind, b, sockaddr(port, LO))
    a.close()
    sys_bind(b, sockaddr(port, LO))
    c = mytcp_socket()
    c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sys_bind(c, sockaddr(port, LO))    # neither listens: shared
    b.close()
    c.close()


@test
def ephemeral_ports_come_from_the_range():
    path = SYSCTL_DIR + "/local_port_range"
    old = read(path)
    write(path, "40000 40001")
    try:
        socks = [mytcp_socket() for _ in range(3)]
        ports = []
        for s in socks[:2]:
            sys_bind(s, sockaddr(0, LO))
            ports.append(parse_sockaddr(sys_getsockname(s))[2])
        check(sorted(ports) == [40000, 40001], "ports %s" % ports)
        check_errno(errno.EADDRINUSE, sys_bind, socks[2], sockaddr(0, LO))
    finally:
        write(path, old)
        for s in socks:
            s.close()


@test
def connect_accept_and_names():
    lsk, cli, srv = connected_pair()
    lport = parse_sockaddr(sys_getsockname(lsk))[2]
    fam, addr, port = parse_sockaddr(sys_getpeername(cli))
    check((fam, addr, port) == (AF_MYTCP, LO, lport), "peer of client %s" % ((fam, addr, port),))
    cport = parse_sockaddr(sys_getsockname(cli))[2]
    check(parse_sockaddr(sys_getpeername(srv))[1:] == (LO, cport), "peer of server")
    check(parse_sockaddr(sys_getsockname(srv))[1:] == (LO, lport), "name of server")
    lo, hi = map(int, read(SYSCTL_DIR + "/local_port_range").split())
    check(lo <= cport <= hi, "client port %d outside %d-%d" % (cport, lo, hi))
    cli.sendall(b"ping")
    check(srv.recv(10) == b"ping", "server got no ping")
    srv.sendall(b"pong")
    check(cli.recv(10) == b"pong", "client got no pong")
    check_errno(errno.ENOTCONN, sys_getpeername, lsk)
    for s in (cli, srv, lsk):
        s.close()


@test
def connect_errors():
    check_errno(errno.ECONNREFUSED, connect, LO, closed_port())
    s = mytcp_socket()
    check_errno(errno.EINVAL, sys_connect, s, b"\x0d")
    check_errno(errno.EINVAL, sys_connect, s, sockaddr(1, LO)[:8])
    check_errno(errno.EAFNOSUPPORT, sys_connect, s, sockaddr(1, LO, family=socket.AF_INET))
    s.close()
    lsk, cli, srv = connected_pair()
    port = parse_sockaddr(sys_getsockname(lsk))[2]
    check_errno(errno.EISCONN, sys_connect, cli, sockaddr(port, LO))
    for s in (cli, srv, lsk):
        s.close()


@test
def nonblocking_connect():
    lsk, port = listener()
    s = mytcp_socket(socket.SOCK_STREAM | socket.SOCK_NONBLOCK)
    try:
        sys_connect(s, sockaddr(port, LO))
    except OSError as e:
        check(e.errno == errno.EINPROGRESS, "connect: %s" % errno.errorcode[e.errno])
    _, w, _ = select.select([], [s], [], 5)
    check(w == [s], "never writable")
    check(s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0, "SO_ERROR")
    check_errno(errno.EISCONN, sys_connect, s, sockaddr(port, LO))
    accept(lsk).close()
    s.close()
    # Refused: the error comes through SO_ERROR.
    s = mytcp_socket(socket.SOCK_STREAM | socket.SOCK_NONBLOCK)
    try:
        sys_connect(s, sockaddr(closed_port(), LO))
    except OSError as e:
        check(e.errno in (errno.EINPROGRESS, errno.ECONNREFUSED), errno.errorcode[e.errno])
    select.select([], [s], [], 5)
    check(s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == errno.ECONNREFUSED,
          "SO_ERROR is not ECONNREFUSED")
    s.close()
    lsk.close()


@test
def accept_modes():
    lsk, port = listener()
    lsk.setblocking(False)
    check_errno(errno.EAGAIN, sys_accept4, lsk, 0)
    c = connect(LO, port)
    select.select([lsk], [], [], 5)
    fd = sys_accept4(lsk, socket.SOCK_NONBLOCK | socket.SOCK_CLOEXEC)
    check(fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_NONBLOCK, "no O_NONBLOCK")
    check(fcntl.fcntl(fd, fcntl.F_GETFD) & fcntl.FD_CLOEXEC, "no FD_CLOEXEC")
    srv = socket.socket(fileno=fd)
    check_errno(errno.EAGAIN, srv.recv, 10)
    s = mytcp_socket()
    check_errno(errno.EINVAL, sys_accept4, s, 0)     # not listening
    check_errno(errno.EINVAL, c.listen, 5)            # connected
    for x in (s, srv, c, lsk):
        x.close()


@test
def send_and_recv_errors():
    s = mytcp_socket()
    check_errno(errno.EPIPE, s.send, b"x", socket.MSG_NOSIGNAL)
    check_errno(errno.ENOTCONN, s.recv, 1)
    s.close()
    lsk, port = listener()
    check_errno(errno.ENOTCONN, lsk.recv, 1)
    lsk.close()


@test
def recv_flags():
    lsk, cli, srv = connected_pair()
    check_errno(errno.EAGAIN, srv.recv, 10, socket.MSG_DONTWAIT)
    cli.sendall(b"abcdef")
    time.sleep(0.2)
    check(srv.recv(3, socket.MSG_PEEK) == b"abc", "peek")
    check(srv.recv(3, socket.MSG_PEEK) == b"abc", "peek twice")
    check(srv.recv(2) == b"ab", "read after peek")
    check(srv.recv(10) == b"cdef", "rest")
    # MSG_WAITALL waits for every byte, across segments.
    for part in (b"12", b"345", b"6789"):
        cli.send(part)
    check(srv.recv(9, socket.MSG_WAITALL) == b"123456789", "waitall")
    for s in (cli, srv, lsk):
        s.close()


@test
def epipe_and_sigpipe():
    lsk, cli, srv = connected_pair()
    cli.shutdown(socket.SHUT_WR)
    check_errno(errno.EPIPE, cli.send, b"x", socket.MSG_NOSIGNAL)
    got = []
    old = signal.signal(signal.SIGPIPE, lambda *a: got.append(1))
    try:
        check_errno(errno.EPIPE, cli.send, b"x")
    finally:
        signal.signal(signal.SIGPIPE, old)
    check(got == [1], "no SIGPIPE")
    for s in (cli, srv, lsk):
        s.close()


@test
def half_close():
    """S3: after A's FIN, B keeps sending and A reads it all."""
    lsk, a, b = connected_pair()
    a.shutdown(socket.SHUT_WR)
    check(b.recv(10) == b"", "B did not see EOF")
    payload = os.urandom(300000)
    sender = threading.Thread(target=b.sendall, args=(payload,))
    sender.start()
    got = bytearray()
    while len(got) < len(payload):
        chunk = a.recv(65536)
        check(chunk, "A saw EOF early")
        got += chunk
    sender.join()
    check(bytes(got) == payload, "data after half-close differs")
    b.close()
    check(a.recv(10) == b"", "A did not see B's FIN")
    a.close()
    lsk.close()


@test
def shutdown_errors():
    s = mytcp_socket()
    check_errno(errno.ENOTCONN, s.shutdown, socket.SHUT_RDWR)
    check_errno(errno.EINVAL, s.shutdown, 7)
    s.close()
    lsk, cli, srv = connected_pair()
    cli.shutdown(socket.SHUT_RD)
    check(cli.recv(10) == b"", "read after SHUT_RD is not EOF")
    for s in (cli, srv, lsk):
        s.close()


@test
def poll_readiness():
    lsk, cli, srv = connected_pair()
    p = select.poll()
    p.register(srv, select.POLLIN | select.POLLOUT | select.POLLRDHUP)
    ev = dict(p.poll(1000))[srv.fileno()]
    check(ev & select.POLLOUT and not ev & select.POLLIN, "fresh: %#x" % ev)
    cli.send(b"x")
    time.sleep(0.2)
    check(dict(p.poll(1000))[srv.fileno()] & select.POLLIN, "no POLLIN on data")
    srv.recv(1)
    cli.shutdown(socket.SHUT_WR)
    time.sleep(0.2)
    ev = dict(p.poll(1000))[srv.fileno()]
    check(ev & select.POLLRDHUP and ev & select.POLLIN, "no RDHUP on FIN: %#x" % ev)
    # A reset: POLLERR and POLLHUP.
    cli.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    cli.close()
    time.sleep(0.2)
    ev = dict(p.poll(1000))[srv.fileno()]
    check(ev & select.POLLERR and ev & select.POLLHUP, "after RST: %#x" % ev)
    # A listener is readable when a connection waits.
    pl = select.poll()
    pl.register(lsk, select.POLLIN)
    check(not pl.poll(100), "idle listener readable")
    c2 = connect(LO, parse_sockaddr(sys_getsockname(lsk))[2])
    check(pl.poll(2000), "listener not readable with a connection queued")
    for s in (c2, srv, lsk):
        s.close()


@test
def zero_linger_resets():
    lsk, cli, srv = connected_pair()
    cli.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    cli.close()
    check_errno(errno.ECONNRESET, srv.recv, 10)
    check(srv.recv(10) == b"", "second read after reset")
    srv.close()
    lsk.close()


@test
def close_with_unread_data_resets():
    lsk, cli, srv = connected_pair()
    cli.sendall(b"unread")
    time.sleep(0.2)
    srv.close()
    time.sleep(0.2)
    check_errno(errno.ECONNRESET, cli.recv, 10)
    cli.close()
    lsk.close()


@test
def mytcp_options():
    s = mytcp_socket()
    for opt, val in ((MYTCP_NODELAY, 1), (MYTCP_KEEPIDLE, 30), (MYTCP_KEEPINTVL, 5),
                     (MYTCP_KEEPCNT, 4), (MYTCP_SYNCNT, 3), (MYTCP_MAXSEG, 1000)):
        s.setsockopt(SOL_MYTCP, opt, val)
        check(s.getsockopt(SOL_MYTCP, opt) == val, "option %d" % opt)
    for opt, bad in ((MYTCP_KEEPIDLE, 0), (MYTCP_KEEPINTVL, 40000), (MYTCP_KEEPCNT, 128),
                     (MYTCP_SYNCNT, 0), (MYTCP_MAXSEG, 10)):
        check_errno(errno.EINVAL, s.setsockopt, SOL_MYTCP, opt, bad)
    check_errno(errno.ENOPROTOOPT, s.setsockopt, SOL_MYTCP, 99, 1)
    check_errno(errno.ENOPROTOOPT, s.getsockopt, SOL_MYTCP, 99)
    check_errno(errno.EINVAL, s.setsockopt, SOL_MYTCP, MYTCP_NODELAY, b"\x01")
    s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    check(s.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) == 1, "SO_KEEPALIVE")
    s.close()


@test
def sender_options():
    """MYTCP_USER_TIMEOUT and MYTCP_CONGESTION, as TCP's options 18 and 13,
    and the congestion_control sysctls."""
    MYTCP_USER_TIMEOUT = 18
    s = mytcp_socket()
    check(s.getsockopt(SOL_MYTCP, MYTCP_USER_TIMEOUT) == 0, "user timeout default")
    s.setsockopt(SOL_MYTCP, MYTCP_USER_TIMEOUT, 2500)
    check(s.getsockopt(SOL_MYTCP, MYTCP_USER_TIMEOUT) == 2500, "user timeout")
    check_errno(errno.EINVAL, s.setsockopt, SOL_MYTCP, MYTCP_USER_TIMEOUT, -1)
    name = s.getsockopt(SOL_MYTCP, MYTCP_CONGESTION, 16)
    check(name.rstrip(b"\0") == b"reno" and len(name) == 16, name)
    check(s.getsockopt(SOL_MYTCP, MYTCP_CONGESTION, 2) == b"re", "cut to the buffer")
    s.setsockopt(SOL_MYTCP, MYTCP_CONGESTION, b"cubic")
    check(cong_of(s) == "cubic", "MYTCP_CONGESTION cubic")
    s.setsockopt(SOL_MYTCP, MYTCP_CONGESTION, b"reno")
    check(cong_of(s) == "reno", "MYTCP_CONGESTION reno")
    check_errno(errno.ENOENT, s.setsockopt, SOL_MYTCP, MYTCP_CONGESTION, b"bbr")
    check_errno(errno.ENOENT, write, SYSCTL_DIR + "/congestion_control", "bbr")
    check(read(SYSCTL_DIR + "/congestion_control").split() == ["reno"], "sysctl kept")
    check(read(SYSCTL_DIR + "/available_congestion_control").split() == ["reno", "cubic"],
          "available_congestion_control")
    check_errno(errno.EACCES, write, SYSCTL_DIR + "/available_congestion_control", "x")
    write(SYSCTL_DIR + "/congestion_control", "cubic")
    try:
        t = mytcp_socket()
        check(cong_of(t) == "cubic", "a new socket takes the sysctl's cubic")
        t.close()
    finally:
        write(SYSCTL_DIR + "/congestion_control", "reno")
    s.close()


MYTCP_CONGESTION = 13
CUBIC_A, CUBIC_B = "mt-cubic-a", "mt-cubic-b"


def cong_of(sock):
    """The name MYTCP_CONGESTION reports for sock."""
    return sock.getsockopt(SOL_MYTCP, MYTCP_CONGESTION, 16).rstrip(b"\0").decode()


def cwnd_of(sock):
    """(snd_ssthresh, snd_cwnd) from MYTCP_INFO (struct tcp_info)."""
    info = sock.getsockopt(SOL_MYTCP, MYTCP_INFO, 104)
    return struct.unpack_from("=II", info, 8 + 17 * 4)


def lossy_transfer(cong, size):
    """size bytes from CUBIC_A to CUBIC_B under netem with algorithm cong
    (the sender's by MYTCP_CONGESTION, the receiver's from the sysctl of
    its namespace); returns (seconds, the sender's socket, still open)."""
    data = os.urandom(size)
    with netns(CUBIC_B):
        write(SYSCTL_DIR + "/congestion_control", cong)
        lsk, port = listener("0.0.0.0")
    got = {}

    def receive():
        srv = accept(lsk)
        got["cong"] = cong_of(srv)
        buf = bytearray()
        while True:
            chunk = srv.recv(65536)
            if not chunk:
                break
            buf += chunk
        got["data"] = bytes(buf)
        srv.close()
    reader = threading.Thread(target=receive)
    reader.start()
    with netns(CUBIC_A):
        cli = mytcp_socket()
    cli.setsockopt(SOL_MYTCP, MYTCP_CONGESTION, cong.encode())
    start = time.monotonic()
    connect(ADDR2, port, cli)
    cli.sendall(data)
    cli.shutdown(socket.SHUT_WR)
    reader.join(120)
    took = time.monotonic() - start
    check(not reader.is_alive(), "%s: the transfer did not end" % cong)
    lsk.close()
    check(got.get("data") == data, "%s: data differs" % cong)
    check(got["cong"] == cong, "%s: the accepted socket has %s" % (cong, got["cong"]))
    return took, cli


@test
def cubic_transfer():
    """1 MB over veth under 20 ms delay and 2% loss (GSO off), with cubic
    and with reno: both arrive whole, each side reports its algorithm, and
    cubic's losses set ssthresh (the times are printed only).
    MYTCP_CUBIC_NETEM replaces the netem arguments, MYTCP_CUBIC_ROUNDS
    (default 1) repeats the pair, for a comparison."""
    del_netns(CUBIC_A)
    del_netns(CUBIC_B)
    veth_pair(CUBIC_A, CUBIC_B)
    try:
        for ns, dev in ((CUBIC_A, "veth1"), (CUBIC_B, "veth2")):
            run("ip", "netns", "exec", ns, "ethtool", "-K", dev, "gso", "off",
                "tx-sctp-segmentation", "off")
        args = os.environ.get("MYTCP_CUBIC_NETEM", "delay 20ms loss 2%").split()
        run("tc", "-n", CUBIC_A, "qdisc", "add", "dev", "veth1", "root", "netem", *args)
        for _ in range(int(os.environ.get("MYTCP_CUBIC_ROUNDS", "1"))):
            for cong in ("cubic", "reno"):
                took, cli = lossy_transfer(cong, 1 << 20)
                check(cong_of(cli) == cong, "%s: the sender has %s" % (cong, cong_of(cli)))
                ssthresh, cwnd = cwnd_of(cli)
                check(ssthresh < 0x7fffffff, "%s: no loss set ssthresh" % cong)
                print("# %s (%s): 1 MB in %.2f s, ssthresh %d, cwnd %d" % (
                    cong, " ".join(args), took, ssthresh, cwnd))
                cli.close()
    finally:
        for ns in (CUBIC_A, CUBIC_B):
            del_netns(ns)


@test
def timeouts_and_signals():
    lsk, cli, srv = connected_pair()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack("ll", 0, 300000))
    t = time.monotonic()
    check_errno(errno.EAGAIN, srv.recv, 10)
    check(time.monotonic() - t >= 0.25, "SO_RCVTIMEO returned early")

    class Interrupted(Exception):
        pass

    def on_alarm(*_):
        raise Interrupted()
    old = signal.signal(signal.SIGALRM, on_alarm)
    left = signal.alarm(0)
    signal.setitimer(signal.ITIMER_REAL, 0.3)
    try:
        sys_accept4(lsk, 0)
        raise AssertionError("accept returned")
    except Interrupted:
        pass
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
        signal.alarm(left)
    for s in (cli, srv, lsk):
        s.close()


@test
def ioctls():
    import array
    import termios
    lsk, cli, srv = connected_pair()
    cli.sendall(b"12345")
    time.sleep(0.2)
    buf = array.array("i", [0])
    fcntl.ioctl(srv.fileno(), termios.FIONREAD, buf)
    check(buf[0] == 5, "FIONREAD %d" % buf[0])
    fcntl.ioctl(cli.fileno(), termios.TIOCOUTQ, buf)
    check(buf[0] == 0, "SIOCOUTQ %d" % buf[0])
    check_errno(errno.EINVAL, fcntl.ioctl, lsk.fileno(), termios.FIONREAD, buf)
    for s in (cli, srv, lsk):
        s.close()


# --- epoll, timeouts and signals, each compared with Linux TCP -----------

EPOLL_NAMES = ((select.EPOLLIN, "IN"), (select.EPOLLOUT, "OUT"), (select.EPOLLERR, "ERR"),
               (select.EPOLLHUP, "HUP"), (select.EPOLLRDHUP, "RDHUP"))


def mask_names(mask):
    """An epoll mask as text, e.g. IN|OUT."""
    names = [n for bit, n in EPOLL_NAMES if mask & bit]
    rest = mask & ~sum(bit for bit, _ in EPOLL_NAMES)
    return "|".join(names + (["%#x" % rest] if rest else [])) or "0"


def tcp_listener():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((LO, 0))
    s.listen(16)
    return s


def tcp_pair():
    """(listener, client, server): a TCP connection over loopback."""
    lsk = tcp_listener()
    cli = socket.create_connection(lsk.getsockname())
    return lsk, cli, lsk.accept()[0]


def new_listener(kind):
    return tcp_listener() if kind == "tcp" else listener()[0]


def connect_to(kind, lsk):
    if kind == "tcp":
        return socket.create_connection(lsk.getsockname())
    return connect(LO, parse_sockaddr(sys_getsockname(lsk))[2])


def new_pair(kind):
    return tcp_pair() if kind == "tcp" else connected_pair()


def state_of(kind, s, local, remote):
    """The state number (as in /proc/net/tcp) of s, named local -> remote."""
    if kind == "tcp":
        return s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)[0]
    rows = [r for r in proc_rows() if r["local"] == local and r["remote"] == remote]
    return rows[0]["st"] if rows else CLOSE


def names_of(s):
    """(local, remote) of a mytcp socket as proc_rows() shows them."""
    return (parse_sockaddr(sys_getsockname(s))[1:], parse_sockaddr(sys_getpeername(s))[1:])


def ready(ep, sock, timeout=0):
    """The events epoll ep reports for sock within timeout seconds (0: none)."""
    return dict(ep.poll(timeout)).get(sock.fileno(), 0)


def epoll_run(kind):
    """Every epoll result of the sequence epoll_readiness checks, for kind."""
    IN, OUT, RDHUP = select.EPOLLIN, select.EPOLLOUT, select.EPOLLRDHUP
    out = {}

    # Level-triggered, through a whole orderly teardown.
    lsk, cli, srv = new_pair(kind)
    local, remote = names_of(srv) if kind == "mytcp" else (None, None)
    ep = select.epoll()
    ep.register(srv, IN | OUT | RDHUP)

    def settled(bit):
        wait_for(lambda: ready(ep, srv) & bit)
        return ready(ep, srv)
    out["fresh"] = ready(ep, srv, 1)
    cli.send(b"x")
    out["data"] = settled(IN)
    check(srv.recv(10) == b"x", "%s: data" % kind)
    out["data read"] = ready(ep, srv)
    cli.shutdown(socket.SHUT_WR)
    out["peer FIN"] = settled(RDHUP)
    srv.shutdown(socket.SHUT_WR)
    check(cli.recv(10) == b"", "%s: our FIN did not arrive" % kind)
    # Our FIN acknowledged: LAST-ACK is over.
    wait_for(lambda: state_of(kind, srv, local, remote) == CLOSE)
    out["both shut, acked"] = ready(ep, srv)
    out["state"] = state_of(kind, srv, local, remote)
    ep.close()
    for s in (cli, srv, lsk):
        s.close()

    # A reset.
    lsk, cli, srv = new_pair(kind)
    ep = select.epoll()
    ep.register(srv, IN | OUT | RDHUP)
    cli.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    cli.close()
    out["reset"] = settled(select.EPOLLERR)
    out["SO_ERROR"] = srv.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    out["reset, SO_ERROR read"] = ready(ep, srv)
    ep.close()
    for s in (srv, lsk):
        s.close()

    # Edge-triggered: each arrival is reported once.
    lsk, cli, srv = new_pair(kind)
    ep = select.epoll()
    ep.register(srv, IN | select.EPOLLET)
    out["ET idle"] = ready(ep, srv, 0.2)
    cli.send(b"a")
    out["ET first arrival"] = ready(ep, srv, 5)
    out["ET again, unread"] = ready(ep, srv, 0.2)
    cli.send(b"b")
    out["ET second arrival"] = ready(ep, srv, 5)
    out["ET again, still unread"] = ready(ep, srv, 0.2)
    check(srv.recv(2, socket.MSG_WAITALL) == b"ab", "%s: ET data" % kind)
    ep.close()
    for s in (cli, srv, lsk):
        s.close()

    # A listener: readable while a connection waits, never writable.
    lsk = new_listener(kind)
    ep = select.epoll()
    ep.register(lsk, IN | OUT | RDHUP)
    out["listener idle"] = ready(ep, lsk, 0.2)
    c = connect_to(kind, lsk)
    out["listener, one queued"] = ready(ep, lsk, 5)
    if kind == "tcp":
        a = lsk.accept()[0]
    else:
        a = accept(lsk)
    out["listener, accepted"] = ready(ep, lsk, 0.2)
    ep.close()
    for s in (a, c, lsk):
        s.close()
    return out


@test
def epoll_readiness():
    """epoll gives what it gives for TCP, at every step, and what we expect."""
    IN, OUT, ERR, HUP, RDHUP = (select.EPOLLIN, select.EPOLLOUT, select.EPOLLERR,
                                select.EPOLLHUP, select.EPOLLRDHUP)
    expected = {
        "fresh": OUT,
        "data": IN | OUT,
        "data read": OUT,
        "peer FIN": IN | OUT | RDHUP,
        "both shut, acked": IN | OUT | RDHUP | HUP,
        "state": CLOSE,
        "reset": IN | OUT | RDHUP | HUP | ERR,
        "SO_ERROR": errno.ECONNRESET,
        "reset, SO_ERROR read": IN | OUT | RDHUP | HUP,
        "ET idle": 0,
        "ET first arrival": IN,
        "ET again, unread": 0,
        "ET second arrival": IN,
        "ET again, still unread": 0,
        "listener idle": 0,
        "listener, one queued": IN,
        "listener, accepted": 0,
    }

    def show(k, v):
        if k == "SO_ERROR":
            return errno.errorcode.get(v, str(v))
        return str(v) if k == "state" else mask_names(v)
    tcp = epoll_run("tcp")
    wrong = ["%s: %s" % (k, show(k, tcp[k])) for k in expected if tcp[k] != expected[k]]
    check(not wrong, "TCP itself does not give what the test expects: %s" % wrong)
    mine = epoll_run("mytcp")
    wrong = ["%s: mytcp %s, TCP %s" % (k, show(k, mine[k]), show(k, tcp[k]))
             for k in expected if mine[k] != tcp[k]]
    check(not wrong, "mytcp differs from TCP: %s" % "; ".join(wrong))


def small_buffers_pair():
    """A connection whose buffers are small: the client's send buffer and
    the server's receive buffer (set on the listener, before the handshake)."""
    lsk, port = listener()
    lsk.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    cli = mytcp_socket()
    cli.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    connect(LO, port, cli)
    return lsk, cli, accept(lsk)


def timed_send(sock, data):
    """(send's count or errno name, seconds it took)."""
    t = time.monotonic()
    try:
        r = sock.send(data)
    except OSError as e:
        r = errno.errorcode.get(e.errno, e.errno)
    return r, time.monotonic() - t


def send_until_timeout(sock, timeo):
    """Blocking sends under SO_SNDTIMEO = timeo until one times out (the
    peer never reads); return the results of that call and of the next."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO,
                    struct.pack("ll", int(timeo), int(timeo % 1 * 1e6)))
    data = bytes(65536)
    for _ in range(500):
        r, took = timed_send(sock, data)
        if r != len(data):
            return (r, took), timed_send(sock, data)
    raise AssertionError("32 MB sent to a peer that never reads")


@test
def send_timeout():
    """SO_SNDTIMEO: a send on a full buffer gives up after the timeout."""
    lsk, cli, srv = small_buffers_pair()
    (r1, t1), (r2, t2) = send_until_timeout(cli, 0.3)
    if r1 == "EAGAIN":
        # Nothing fitted: EAGAIN after the timeout, and again next time.
        check(t1 >= 0.25, "EAGAIN after %.3f s, before SO_SNDTIMEO" % t1)
    else:
        # What fitted was sent, after waiting the timeout for the rest.
        check(isinstance(r1, int) and 0 < r1 < 65536, "send gave %r" % (r1,))
        check(t1 >= 0.25, "partial send after %.3f s, before SO_SNDTIMEO" % t1)
    check(r2 == "EAGAIN", "the next send on a full buffer gave %r" % (r2,))
    check(t2 >= 0.25, "the next send gave EAGAIN after %.3f s" % t2)
    check(t1 < 5 and t2 < 5, "SO_SNDTIMEO of 0.3 s took %.1f s, %.1f s" % (t1, t2))
    # The connection still works: the server reads what was sent.
    check(srv.recv(100) == bytes(100), "server reads no zeros")
    for s in (cli, srv, lsk):
        s.close()


class Interrupted(Exception):
    """Raised by the SIGALRM handler of interrupt_after()."""


@contextlib.contextmanager
def interrupt_after(seconds):
    """A SIGALRM after `seconds`, whose handler raises Interrupted (so that
    Python does not retry the call, PEP 475) and does not restart it."""
    def on_alarm(*_):
        raise Interrupted()
    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.siginterrupt(signal.SIGALRM, True)
    left = signal.alarm(0)          # the test runner's own time limit
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
        signal.alarm(left)


def interrupted(fn, *args, after=0.3):
    """Whether fn(*args) blocked until a signal `after` seconds later
    interrupted it: "interrupted", else what it returned or its errno."""
    t = time.monotonic()
    try:
        with interrupt_after(after):
            r = fn(*args)
    except Interrupted:
        r = "interrupted"
    except OSError as e:
        r = "interrupted" if e.errno == errno.EINTR else errno.errorcode.get(e.errno, e.errno)
    took = time.monotonic() - t
    if r == "interrupted":
        check(took >= after - 0.05, "%s interrupted after %.3f s, before the signal" % (
            getattr(fn, "__name__", fn), took))
    return r


def outcome(fn, *args):
    """fn(*args)'s errno name, or "ok"."""
    try:
        fn(*args)
    except OSError as e:
        return errno.errorcode.get(e.errno, e.errno)
    return "ok"


DARK_NS, DARK_NET, DARK_PEER = "mt-api-dark", "198.51.100.1/24", "198.51.100.2"


def connect_into_the_dark(kind):
    """A blocking connect whose SYNs vanish, interrupted; then how the
    socket behaves, for kind "tcp" or "mytcp"."""
    out = {}
    with netns(DARK_NS):
        if kind == "tcp":
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            addr = sockaddr(9, DARK_PEER, family=socket.AF_INET)
        else:
            s = mytcp_socket()
            addr = sockaddr(9, DARK_PEER)
        out["connect"] = interrupted(sys_connect, s, addr)
        if kind == "tcp":
            local, remote = None, None
        else:
            local, remote = parse_sockaddr(sys_getsockname(s))[1:], (DARK_PEER, 9)
        out["state"] = state_of(kind, s, local, remote)
        out["SO_ERROR"] = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        out["getpeername"] = outcome(sys_getpeername, s)
        out["connect again"] = interrupted(sys_connect, s, addr)
        s.setblocking(False)
        out["connect again, nonblocking"] = outcome(sys_connect, s, addr)
        out["send, nonblocking"] = outcome(s.send, b"x")
        out["recv, nonblocking"] = outcome(s.recv, 1)
        out["state at the end"] = state_of(kind, s, local, remote)
        s.close()
    return out


@test
def signals_interrupt_blocking_calls():
    """A signal whose handler does not restart interrupts blocking recv,
    send and connect; an interrupted connect goes on as TCP's does."""
    lsk, cli, srv = small_buffers_pair()
    check(interrupted(srv.recv, 10) == "interrupted", "recv was not interrupted")
    cli.send(b"after")
    check(srv.recv(10) == b"after", "no data after an interrupted recv")
    (r1, _), (r2, _) = send_until_timeout(cli, 0.2)
    check(r2 == "EAGAIN", "the send buffer did not fill: %r" % (r2,))
    cli.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, struct.pack("ll", 0, 0))
    check(interrupted(cli.send, bytes(1000)) == "interrupted", "send was not interrupted")
    check(srv.recv(5) == bytes(5), "no data after an interrupted send")
    for s in (cli, srv, lsk):
        s.close()

    del_netns(DARK_NS)
    add_netns(DARK_NS)
    try:
        # An address whose SYNs vanish: sent on a veth to a hardware
        # address nobody has, which its peer drops (the debug kernel has
        # no dummy device).
        run("ip", "-n", DARK_NS, "link", "add", "d0", "type", "veth", "peer", "name", "d1")
        run("ip", "-n", DARK_NS, "addr", "add", DARK_NET, "dev", "d0")
        run("ip", "-n", DARK_NS, "neigh", "add", DARK_PEER, "lladdr", "02:00:00:00:00:02",
            "dev", "d0", "nud", "permanent")
        for dev in ("d0", "d1"):
            run("ip", "-n", DARK_NS, "link", "set", dev, "up")
        expected = {
            "connect": "interrupted",
            "state": SYN_SENT,
            "SO_ERROR": 0,
            "getpeername": "ENOTCONN",
            "connect again": "interrupted",    # it waits again, as TCP does
            "connect again, nonblocking": "EALREADY",
            "send, nonblocking": "EAGAIN",
            "recv, nonblocking": "EAGAIN",
            "state at the end": SYN_SENT,
        }
        tcp = connect_into_the_dark("tcp")
        wrong = ["%s: %s" % (k, tcp[k]) for k in expected if tcp[k] != expected[k]]
        check(not wrong, "TCP itself does not give what the test expects: %s" % wrong)
        mine = connect_into_the_dark("mytcp")
        wrong = ["%s: mytcp %s, TCP %s" % (k, mine[k], tcp[k])
                 for k in expected if mine[k] != tcp[k]]
        check(not wrong, "mytcp differs from TCP: %s" % "; ".join(wrong))
    finally:
        del_netns(DARK_NS)


if __name__ == "__main__":
    main()
