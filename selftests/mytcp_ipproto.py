#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""mytcp_ipproto.py - the IPv4 protocol handler for protocol 253.

With mytcp loaded, IP datagrams of protocol 253 are mytcp's: the stack no
longer answers them with ICMP "protocol unreachable", and no datagram,
however malformed, does harm.
"""

import os
import random
import select
import socket
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from mytcp import (ADDR1, ADDR2, IPPROTO_MYTCP, check, del_netns, inet_checksum,  # noqa: E402
                   load_module, main, netns, test, unload_module, veth_pair)


def datagram(payload, src="127.0.0.1", dst="127.0.0.1", proto=IPPROTO_MYTCP):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), random.getrandbits(16),
                      0, 64, proto, 0, socket.inet_aton(src), socket.inet_aton(dst))
    hdr = hdr[:10] + struct.pack("!H", inet_checksum(hdr)) + hdr[12:]
    return hdr + payload


def send_raw(packet, dst):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    s.sendto(packet, (dst, 0))
    s.close()


def protocol_unreachables(payload, src="127.0.0.1", dst="127.0.0.1"):
    """Send one protocol-253 datagram; count ICMP type 3 code 2 answers."""
    icmp = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    send_raw(datagram(payload, src, dst), dst)
    seen = 0
    while select.select([icmp], [], [], 0.5)[0]:
        pkt = icmp.recv(2048)
        ihl = (pkt[0] & 0xf) * 4
        if pkt[ihl] == 3 and pkt[ihl + 1] == 2 and pkt[ihl + 8 + 9] == IPPROTO_MYTCP:
            seen += 1
    icmp.close()
    return seen


@test
def without_module_253_is_unreachable():
    """The control: the probe itself works."""
    unload_module()
    check(protocol_unreachables(b"\0" * 20) == 1, "no ICMP protocol unreachable")


@test
def with_module_253_is_taken():
    load_module()
    check(protocol_unreachables(b"\0" * 20) == 0, "ICMP protocol unreachable with mytcp loaded")


@test
def malformed_datagrams_are_consumed():
    load_module()
    rnd = random.Random(253)
    sizes = [0, 1, 2, 7, 19, 20, 21, 59, 60, 61, 536, 1400, 1480]
    for size in sizes + [rnd.randrange(0, 1480) for _ in range(50)]:
        payload = bytes(rnd.getrandbits(8) for _ in range(size))
        send_raw(datagram(payload), "127.0.0.1")
    check(protocol_unreachables(b"\xff" * 40) == 0, "handler gone after garbage")


@test
def datagrams_over_veth_are_consumed():
    load_module()
    veth_pair("mt-ip1", "mt-ip2")
    try:
        with netns("mt-ip1"):
            check(protocol_unreachables(b"\0" * 20, ADDR1, ADDR2) == 0,
                  "ICMP protocol unreachable over veth")
            for size in (0, 20, 1000, 1480):
                send_raw(datagram(os.urandom(size), ADDR1, ADDR2), ADDR2)
    finally:
        del_netns("mt-ip1")
        del_netns("mt-ip2")
    unload_module()


if __name__ == "__main__":
    main()
