#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""mytcp_checksum.py - the checksums of what mytcp sends, as seen on veth.

A transfer between two namespaces joined by veth, with a packet socket
on the sender's veth capturing what leaves.  With the device's checksum
offload on, data segments leave CHECKSUM_PARTIAL (the packet socket says
TP_STATUS_CSUMNOTREADY): the test finishes each as a device would (sums
from the header on, with the pseudo-header sum the field holds) and the
result must be the right checksum.  With offload off (ethtool -K tx
off), every segment must carry its right checksum already, and the
receiver must count no checksum error.  Either way the data must arrive
intact.

Full-sized segments leave as GSO packets (offload.c).  veth carries them
whole, so the capture sees datagrams longer than the MTU; with the
device's SCTP segmentation feature off (the software-only GSO type mytcp
uses), mytcp's GSO callback cuts them before the device and every
datagram must fit the MTU, each with its own right checksum.

GRO: with the sender's veth cutting every packet (SCTP segmentation and
TSO off: veth takes no packet to its peer's NAPI from a device with
TSO) and the receiver's veth with GRO on, a second capture on the
receiver's veth (packet sockets see what GRO built) must see datagrams
longer than the MTU although none left longer: mytcp's GRO callback
merged them.  Merged packets go up CHECKSUM_PARTIAL with the
pseudo-header sum over their whole length in the field.  With GRO off on
the receiver, no datagram longer than the MTU may arrive.  With the
sender summing in software (tx off), GRO must check each segment's sum
before merging, and the receiver must count no checksum error.  Through
a router namespace whose ingress veth merges and whose egress veth cannot
take mytcp's GSO type, the merged packets are cut again by mytcp's GSO
callback: the router sees datagrams longer than the MTU, the receiver
none, each with its right checksum, and the data arrives intact.
"""

import os
import socket
import struct
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from mytcp import (ADDR1, ADDR2, IPPROTO_MYTCP, accept, add_netns, check,  # noqa: E402
                   connect, del_netns, inet_checksum, listener, load_module, main,
                   netns, ns_counter, run, test, veth_pair)

A, B, R = "mt-csum-a", "mt-csum-b", "mt-csum-r"
# The routed test: A (ADDR1) - R - B (ROUTED_B), one subnet on each side.
ROUTER_A, ROUTER_B, ROUTED_B = "198.18.0.254", "198.18.1.254", "198.18.1.2"
SIZE = 512 * 1024
ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_AUXDATA = 8
TP_STATUS_CSUMNOTREADY = 8
MTU = 1500



def capture_socket(ns=A, dev="veth1"):
    """A packet socket on dev of namespace ns, with the aux data on."""
    with netns(ns):
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        s.bind((dev, 0))
    s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    s.settimeout(0.2)
    return s


def capture(sock, packets, stop, direction=socket.PACKET_OUTGOING):
    """mytcp datagrams from ADDR1 going direction, as (status, IP datagram).

    Reads until stop is set and nothing more is queued: on a loaded host
    the transfer can end before this thread first runs.
    """
    while True:
        try:
            data, anc, _, addr = sock.recvmsg(70000, 512)
        except socket.timeout:
            if stop.is_set():
                break
            continue
        if addr[2] != direction:
            continue
        status = 0
        for level, kind, value in anc:
            if level == SOL_PACKET and kind == PACKET_AUXDATA:
                status = struct.unpack("I", value[:4])[0]
        ip = data[14:]
        if len(ip) >= 20 and ip[9] == IPPROTO_MYTCP and ip[12:16] == socket.inet_aton(ADDR1):
            packets.append((status, ip))


def finish_partial(seg):
    """What a device does to a CHECKSUM_PARTIAL segment: sum it all, store."""
    return seg[:16] + struct.pack("!H", inet_checksum(seg)) + seg[18:]


def transfer(dst=ADDR2):
    """SIZE bytes from A to B's address dst over mytcp, checked."""
    with netns(B):
        lsk, port = listener(dst)
    got = bytearray()

    def reader():
        c = accept(lsk)
        while True:
            b = c.recv(65536)
            if not b:
                break
            got.extend(b)
        c.close()

    t = threading.Thread(target=reader)
    t.start()
    data = bytes(range(256)) * (SIZE // 256)
    with netns(A):
        c = connect(dst, port)
    c.sendall(data)
    c.close()
    t.join(30)
    lsk.close()
    check(not t.is_alive(), "the reader finished")
    check(bytes(got) == data, "the data arrived intact")


def captured_transfer():
    """Run transfer() under a capture; return the captured datagrams."""
    return captured_transfer_taps(((A, "veth1", socket.PACKET_OUTGOING),))[0]


def captured_transfer_both():
    """Run transfer() under captures of what leaves A and what reaches B."""
    return captured_transfer_taps(((A, "veth1", socket.PACKET_OUTGOING),
                                   (B, "veth2", socket.PACKET_HOST)))


def captured_transfer_taps(taps, dst=ADDR2):
    """Run transfer(dst) under captures (namespace, device, direction).

    Returns the datagrams each captured, in the order of taps.
    """
    socks = [capture_socket(ns, dev) for ns, dev, _ in taps]
    captured = [[] for _ in taps]
    stop = threading.Event()
    threads = [threading.Thread(target=capture, args=(sock, packets, stop, direction))
               for sock, packets, (_, _, direction) in zip(socks, captured, taps)]
    for t in threads:
        t.start()
    try:
        transfer(dst)
    finally:
        stop.set()
        for t in threads:
            t.join()
        for sock in socks:
            sock.close()
    return captured


def check_segments(packets, offload, gso, long_ones="GSO packets went whole"):
    """Every segment's checksum right, once a device finished the partial ones.

    gso: whether datagrams longer than the MTU must be seen (True) or
    must not be (False); long_ones says what they prove.
    """
    partial = data = 0
    longest = max(struct.unpack("!H", ip[2:4])[0] for _, ip in packets) if packets else 0
    for status, ip in packets:
        ihl = (ip[0] & 15) * 4
        total = struct.unpack("!H", ip[2:4])[0]
        seg = ip[ihl:total]
        pseudo = ip[12:20] + struct.pack("!BBH", 0, IPPROTO_MYTCP, len(seg))
        doff = (seg[12] >> 4) * 4
        if len(seg) > doff:
            data += 1
        if status & TP_STATUS_CSUMNOTREADY:
            partial += 1
            # The field holds the pseudo-header's sum, not complemented.
            seed = ~inet_checksum(pseudo) & 0xffff
            check(struct.unpack("!H", seg[16:18])[0] == seed,
                  "a partial segment holds the pseudo-header sum")
            seg = finish_partial(seg)
        check(inet_checksum(pseudo + seg) == 0, "a segment's checksum is right")
    check(data > 0, "data segments were captured")
    if gso:
        check(longest > MTU, "%s (longest %d)" % (long_ones, longest))
    else:
        check(longest <= MTU, "every datagram fits the MTU (longest %d)" % longest)
    if offload:
        check(partial > 0, "data segments left for the device to checksum")
    else:
        check(partial == 0, "without offload, nothing is left to the device")


def setup():
    del_netns(A)
    del_netns(B)
    veth_pair(A, B)


def checked_transfer(features, offload, gso):
    """A fresh pair, veth1's ethtool features set, a captured transfer checked."""
    load_module()
    setup()
    if features:
        run("ip", "netns", "exec", A, "ethtool", "-K", "veth1", *features)
    errors = ns_counter(B, "InCsumErrors")
    check_segments(captured_transfer(), offload=offload, gso=gso)
    check(ns_counter(B, "InCsumErrors") == errors, "the receiver counted no bad checksum")


@test
def veth_with_checksum_offload():
    checked_transfer((), offload=True, gso=True)


@test
def veth_segmented_by_mytcp():
    checked_transfer(("tx-sctp-segmentation", "off"), offload=True, gso=False)


@test
def veth_without_checksum_offload():
    checked_transfer(("tx", "off"), offload=False, gso=False)


# The sender cuts every packet before its veth; TSO off too, since veth
# hands its peer's NAPI (and so GRO) nothing from a device with TSO.
CUT = ("tx-sctp-segmentation", "off", "tso", "off")


def datagram_len(ip):
    return struct.unpack("!H", ip[2:4])[0]


def gro_transfer(sender, gro, offload):
    """A transfer with veth1's features sender and veth2's GRO gro, checked.

    What leaves A must fit the MTU; what reaches B must have been merged
    (datagrams longer than the MTU) exactly when gro is on.
    """
    load_module()
    setup()
    run("ip", "netns", "exec", A, "ethtool", "-K", "veth1", *sender)
    run("ip", "netns", "exec", B, "ethtool", "-K", "veth2", "gro",
        "on" if gro else "off")
    errors = ns_counter(B, "InCsumErrors")
    sent, received = captured_transfer_both()
    check_segments(sent, offload=offload, gso=False)
    # Merged packets go up CHECKSUM_PARTIAL, whatever the segments were.
    check_segments(received, offload=offload or gro, gso=gro,
                   long_ones="GRO merged segments")
    merged = [status for status, ip in received if datagram_len(ip) > MTU]
    check(all(status & TP_STATUS_CSUMNOTREADY for status in merged),
          "every merged datagram is left partial (%d merged)" % len(merged))
    check(ns_counter(B, "InCsumErrors") == errors, "the receiver counted no bad checksum")


@test
def veth_gro_merges():
    gro_transfer(CUT, gro=True, offload=True)


@test
def veth_gro_off_does_not_merge():
    gro_transfer(CUT, gro=False, offload=True)


@test
def veth_gro_checks_software_sums():
    gro_transfer(CUT + ("tx", "off"), gro=True, offload=False)


def routed_setup():
    """A - R - B: R forwards between two veth pairs, one subnet each."""
    for ns in (A, B, R):
        del_netns(ns)
    veth_pair(A, R, addr1=ADDR1, addr2=ROUTER_A)
    add_netns(B)
    run("ip", "link", "add", "veth1", "netns", R, "type", "veth",
        "peer", "name", "veth2", "netns", B)
    for ns, dev, addr in ((R, "veth1", ROUTER_B), (B, "veth2", ROUTED_B)):
        run("ip", "-n", ns, "addr", "add", addr + "/24", "dev", dev)
        run("ip", "-n", ns, "link", "set", dev, "up")
    run("ip", "-n", A, "route", "add", "default", "via", ROUTER_A)
    run("ip", "-n", B, "route", "add", "default", "via", ROUTER_B)
    run("ip", "netns", "exec", R, "sysctl", "-qw", "net.ipv4.ip_forward=1")


@test
def routed_gro_packets_cut_again():
    load_module()
    routed_setup()
    run("ip", "netns", "exec", A, "ethtool", "-K", "veth1", *CUT)
    run("ip", "netns", "exec", R, "ethtool", "-K", "veth2", "gro", "on")
    run("ip", "netns", "exec", R, "ethtool", "-K", "veth1", *CUT)
    run("ip", "netns", "exec", B, "ethtool", "-K", "veth2", "gro", "off")
    errors = ns_counter(B, "InCsumErrors")
    at_router, at_b = captured_transfer_taps(((R, "veth2", socket.PACKET_HOST),
                                              (B, "veth2", socket.PACKET_HOST)),
                                             dst=ROUTED_B)
    check_segments(at_router, offload=True, gso=True,
                   long_ones="GRO merged segments on the router")
    check_segments(at_b, offload=True, gso=False)
    check(ns_counter(B, "InCsumErrors") == errors, "the receiver counted no bad checksum")


if __name__ == "__main__":
    try:
        main()
    finally:
        del_netns(A)
        del_netns(B)
        del_netns(R)
