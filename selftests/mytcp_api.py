#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""mytcp_api.py - the socket calls of a connected AF_MYTCP socket.

Every call works as on a TCP socket and every misuse fails with the errno
TCP gives for it.  Over loopback, in the initial namespace.
"""

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
from mytcp import (AF_MYTCP, SOL_MYTCP, SYSCTL_DIR, accept, check, check_errno,  # noqa: E402
                   connect, connected_pair, listener, load_module, main, mytcp_socket,
                   parse_sockaddr, read, sockaddr, sys_accept4, sys_bind, sys_connect,
                   sys_getpeername, sys_getsockname, test, write)

MYTCP_NODELAY, MYTCP_MAXSEG, MYTCP_KEEPIDLE, MYTCP_KEEPINTVL, MYTCP_KEEPCNT, \
    MYTCP_SYNCNT = 1, 2, 4, 5, 6, 7
LO = "127.0.0.1"


def closed_port():
    """A loopback port nobody listens on."""
    s = mytcp_socket()
    sys_bind(s, sockaddr(0, LO))
    port = parse_sockaddr(sys_getsockname(s))[2]
    s.close()
    return port


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


if __name__ == "__main__":
    main()
