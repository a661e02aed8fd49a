#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""mytcp_socket.py - socket(AF_MYTCP) and the calls on the socket.

Creation errnos are inet_create()'s; calls that are not implemented yet
must fail with EOPNOTSUPP and nothing else.
"""

import errno
import fcntl
import os
import socket
import resource
import sys
import termios

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from mytcp import (AF_MYTCP, IPPROTO_MYTCP, check, check_errno,  # noqa: E402
                   load_module, main, mytcp_socket, read, test)

SO_DOMAIN, SO_PROTOCOL = 39, 38


@test
def create_stream_socket():
    load_module()
    for proto in (0, IPPROTO_MYTCP):
        s = mytcp_socket(socket.SOCK_STREAM, proto)
        check(s.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE) == socket.SOCK_STREAM, "SO_TYPE")
        check(s.getsockopt(socket.SOL_SOCKET, SO_DOMAIN) == AF_MYTCP, "SO_DOMAIN")
        check(s.getsockopt(socket.SOL_SOCKET, SO_PROTOCOL) == IPPROTO_MYTCP, "SO_PROTOCOL")
        s.close()


@test
def create_with_flags():
    s = mytcp_socket(socket.SOCK_STREAM | socket.SOCK_NONBLOCK | socket.SOCK_CLOEXEC)
    check(fcntl.fcntl(s.fileno(), fcntl.F_GETFD) & fcntl.FD_CLOEXEC, "no FD_CLOEXEC")
    check(fcntl.fcntl(s.fileno(), fcntl.F_GETFL) & os.O_NONBLOCK, "no O_NONBLOCK")
    s.close()


@test
def wrong_type_is_esocktnosupport():
    for kind in (socket.SOCK_DGRAM, socket.SOCK_SEQPACKET, socket.SOCK_RAW, socket.SOCK_RDM):
        check_errno(errno.ESOCKTNOSUPPORT, mytcp_socket, kind)


@test
def wrong_protocol_is_eprotonosupport():
    for proto in (socket.IPPROTO_TCP, socket.IPPROTO_UDP, 254, 1000):
        check_errno(errno.EPROTONOSUPPORT, mytcp_socket, socket.SOCK_STREAM, proto)


@test
def unsupported_calls_are_eopnotsupp():
    s = mytcp_socket()
    check_errno(errno.EOPNOTSUPP, s.send, b"x", socket.MSG_OOB)
    s.close()
    try:
        socket.socketpair(AF_MYTCP, socket.SOCK_STREAM)
    except OSError as e:
        check(e.errno == errno.EOPNOTSUPP, "socketpair: %s" % errno.errorcode.get(e.errno))
    else:
        raise AssertionError("socketpair succeeded")


@test
def socket_level_options_work():
    s = mytcp_socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 65536)
    check(s.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF) == 2 * 65536, "SO_SNDBUF")
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    check(s.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR) == 1, "SO_REUSEADDR")
    check(s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0, "SO_ERROR")
    s.close()


@test
def unknown_ioctl_is_enotty():
    s = mytcp_socket()
    check_errno(errno.ENOTTY, fcntl.ioctl, s.fileno(), termios.TCGETS, bytes(64))
    s.close()


@test
def many_sockets_come_and_go():
    def used():
        line = [x for x in read("/proc/net/sockstat").splitlines() if x.startswith("sockets:")]
        return int(line[0].split()[2])
    resource.setrlimit(resource.RLIMIT_NOFILE, (4096, 4096))
    before = used()
    socks = [mytcp_socket() for _ in range(2000)]
    check(used() >= before + 2000, "sockstat did not count the sockets")
    for s in socks:
        s.close()
    check(used() <= before, "sockets still counted after close: %d > %d" % (used(), before))


if __name__ == "__main__":
    main()
