#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""mytcp_memory.py - socket buffers and the protocol's global memory limits.

The sysctls mem, rmem and wmem of /proc/sys/net/mytcp (TCP's tcp_mem,
tcp_rmem and tcp_wmem; global, shown in the initial namespace only): new
sockets take rmem[1] and wmem[1] as SO_RCVBUF and SO_SNDBUF, as TCP's do,
and SO_RCVBUF/SO_SNDBUF still win.  With mem set low, many connections
whose readers stopped must stay within mem[2] (plus the per-CPU reserve
of the socket core and one forced segment per socket), writers must get
EAGAIN or block, the protocol must enter memory pressure (the counter
TCPMemoryPressures, /proc/net/protocols, /proc/net/mytcp_sockstat), and
everything must arrive intact once the readers resume, with the memory
back to where it started after the connections close.
"""

import errno
import os
import select
import socket
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from mytcp import (ADDR2, MYTCP_INFO, SOL_MYTCP, SYSCTL_DIR, accept, check,  # noqa: E402
                   connect, del_netns, listener, load_module, main, mytcp_socket,
                   netns, ns_counter, read, sockstat, test, veth_pair, wait_for, write)

A, B = "mt-mem-a", "mt-mem-b"
DEBUG = os.environ.get("MYTCP_VM_KERNEL") == "debug"
PAGE = os.sysconf("SC_PAGE_SIZE")
# The socket core keeps up to 1 MB per CPU in a reserve before it shows
# in the protocol's total (sysctl net.core.mem_pcpu_rsv, in pages).
PCPU_RSV = int(read("/proc/sys/net/core/mem_pcpu_rsv")) \
    if os.path.exists("/proc/sys/net/core/mem_pcpu_rsv") else (1 << 20) // PAGE


def sysctl(name, value=None):
    """Read (and with value, first write) a global mytcp sysctl."""
    path = os.path.join(SYSCTL_DIR, name)
    if value is not None:
        write(path, value)
    return [int(x) for x in read(path).split()]


def protocols_row():
    """mytcp's row of /proc/net/protocols as {column: value}."""
    lines = read("/proc/net/protocols").splitlines()
    head = lines[0].split()
    for line in lines[1:]:
        f = line.split()
        if f[0] == "MYTCP":
            return dict(zip(head, f))
    raise AssertionError("no MYTCP row in /proc/net/protocols")



@test
def buffer_sysctls_defaults():
    """TCP's tcp_rmem and tcp_wmem, and tcp_mem from the memory."""
    load_module()
    check(sysctl("rmem") == [4096, 131072, 6291456], "rmem %s" % sysctl("rmem"))
    check(sysctl("wmem") == [4096, 16384, 4194304], "wmem %s" % sysctl("wmem"))
    mem = sysctl("mem")
    tcp_mem = [int(x) for x in read("/proc/sys/net/ipv4/tcp_mem").split()]
    print("# mem %s, TCP's tcp_mem %s" % (mem, tcp_mem))
    check(len(mem) == 3 and 0 < mem[0] < mem[1] < mem[2], "mem %s" % mem)
    # Both come from the free buffer pages at load time: within 10%.
    check(abs(mem[1] - tcp_mem[1]) <= tcp_mem[1] // 10,
          "mem %s far from tcp_mem %s" % (mem, tcp_mem))
    row = protocols_row()
    check(row["memory"] != "-1", "/proc/net/protocols: no memory accounting: %s" % row)
    check(row["press"] == "no", "pressure at rest: %s" % row)


@test
def new_sockets_take_rmem_wmem():
    """SO_SNDBUF of a new socket is wmem[1]; SO_RCVBUF rmem[1] or more.

    SO_RCVBUF is at least net.core.rmem_default (see mem.c: a loopback
    segment's truesize is over 128 KB).
    """
    load_module()
    rmem, wmem = sysctl("rmem"), sysctl("wmem")
    tcp = socket.socket()
    s = mytcp_socket()
    try:
        got = (s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF),
               s.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF))
        tcp_got = (tcp.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF),
                   tcp.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF))
        print("# mytcp SO_RCVBUF/SO_SNDBUF %s, TCP's %s" % (got, tcp_got))
        rmem_default = int(read("/proc/sys/net/core/rmem_default"))
        check(got == (max(rmem[1], rmem_default), wmem[1]),
              "new socket: %s, sysctls %s %s" % (got, rmem, wmem))
        check(got[1] == tcp_got[1], "mytcp %s, TCP %s" % (got, tcp_got))
        # SO_SNDBUF wins over the default, doubled as the socket core does.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 65536)
        check(s.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF) == 131072, "SO_SNDBUF not set")
    finally:
        s.close()
        tcp.close()
    old, old_r = sysctl("wmem"), sysctl("rmem")
    try:
        sysctl("wmem", "4096 32768 4194304")
        sysctl("rmem", "4096 1048576 6291456")
        s = mytcp_socket()
        got = (s.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF),
               s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF))
        s.close()
        check(got == (32768, 1048576), "after wmem[1]=32768, rmem[1]=1 MB: %s" % (got,))
    finally:
        sysctl("wmem", " ".join(map(str, old)))
        sysctl("rmem", " ".join(map(str, old_r)))
    for bad in ("0 16384 4194304", "4096 -1 4194304"):
        try:
            sysctl("wmem", bad)
            ok = False
        except OSError as e:
            ok = e.errno == errno.EINVAL
        check(ok, "wmem %r accepted" % bad)
    check(sysctl("wmem") == old, "wmem changed by a refused write")


def fill(conns, deadline):
    """Non-blocking sends on every connection until all say EAGAIN."""
    sent = [0] * len(conns)
    chunk = b"m" * 65536
    stuck = set()
    while len(stuck) < len(conns) and time.monotonic() < deadline:
        for i, (cli, _) in enumerate(conns):
            if i in stuck:
                continue
            try:
                sent[i] += cli.send(chunk, socket.MSG_DONTWAIT)
            except BlockingIOError:
                stuck.add(i)
        if len(stuck) == len(conns):
            # Let ACKs in flight free more room; stuck only if still so.
            time.sleep(0.3)
            for i, (cli, _) in enumerate(conns):
                try:
                    sent[i] += cli.send(chunk, socket.MSG_DONTWAIT)
                    stuck.discard(i)
                except BlockingIOError:
                    pass
    return sent, len(stuck) == len(conns)


@test
def global_limit_stopped_readers():
    """Connections with stopped readers stay within mem; all recovers."""
    load_module()
    n = 24
    old = sysctl("mem")
    base = sockstat()["mem"]
    # Low enough that 24 connections' buffers need far more; high enough
    # that the per-CPU reserve does not hide it all.
    low, press, high = PCPU_RSV * 5 // 4, PCPU_RSV * 3 // 2, 2 * PCPU_RSV
    del_netns(A)
    del_netns(B)
    veth_pair(A, B)
    conns = []
    try:
        sysctl("mem", "%d %d %d" % (low, press, high))
        before = ns_counter(A, "TCPMemoryPressures") + ns_counter(B, "TCPMemoryPressures")
        with netns(B):
            lsk, port = listener(ADDR2, backlog=n)
        with netns(A):
            for _ in range(n):
                cli = connect(ADDR2, port)
                conns.append((cli, accept(lsk)))
        sent, stuck = fill(conns, time.monotonic() + (240 if DEBUG else 60))
        peak = sockstat()
        row = protocols_row()
        after = ns_counter(A, "TCPMemoryPressures") + ns_counter(B, "TCPMemoryPressures")
        total = sum(sent)
        print("# mem %d %d %d pages, %d connections: %d bytes queued, mytcp holds %d pages "
              "(protocols: %s pages, pressure %s), pressures %d"
              % (low, press, high, n, total, peak["mem"] - base, row["memory"], row["press"],
                 after - before))
        check(stuck, "writers never got EAGAIN")
        # The limit, the per-CPU reserve, and one forced segment a socket.
        limit = high + PCPU_RSV + 2 * n * (65536 // PAGE + 1)
        check(peak["mem"] - base <= limit, "%d pages held, limit %d" % (peak["mem"] - base, limit))
        check(total > high * PAGE // 4, "only %d bytes queued" % total)
        check(after > before, "TCPMemoryPressures did not move")
        check(peak["pressure"] == 1 and row["press"] == "yes",
              "not under pressure: %s, %s" % (peak, row))
        # A blocking writer blocks (here: until its timeout).
        cli = conns[0][0]
        cli.settimeout(1.0)
        try:
            cli.send(b"b" * 65536)
            cli.send(b"b" * 65536)
            blocked = False
        except socket.timeout:
            blocked = True
        except OSError as e:
            blocked = e.errno == errno.EAGAIN
        check(blocked, "a blocking writer did not block")
        cli.settimeout(None)
        # All readers resume: each gets exactly what its writer queued.
        for cli, srv in conns:
            cli.shutdown(socket.SHUT_WR)
            srv.setblocking(False)
        got, done = [0] * n, set()
        index = {srv.fileno(): i for i, (cli, srv) in enumerate(conns)}
        deadline = time.monotonic() + 120
        while len(done) < n and time.monotonic() < deadline:
            ready, _, _ = select.select([srv for i, (cli, srv) in enumerate(conns)
                                         if i not in done], [], [], 1.0)
            for srv in ready:
                i = index[srv.fileno()]
                try:
                    b = srv.recv(1 << 16)
                except BlockingIOError:
                    continue
                if b:
                    got[i] += len(b)
                else:
                    done.add(i)
        check(len(done) == n, "%d of %d connections ended in 120 s: %s of %s bytes"
              % (len(done), n, got, sent))
        # The blocking writer may have queued part of a send.
        check(all(g >= s for g, s in zip(got, sent)) and got[1:] == sent[1:],
              "received %s, sent %s" % (got, sent))
        check(wait_for(lambda: sockstat()["pressure"] == 0, 10),
              "still under pressure once drained: %s" % sockstat())
        lsk.close()
    finally:
        for cli, srv in conns:
            cli.close()
            srv.close()
        sysctl("mem", " ".join(map(str, old)))
        del_netns(A)
        del_netns(B)
    # Closed and gone (TIME-WAIT keeps no buffers): the memory returns.
    check(wait_for(lambda: sockstat()["mem"] <= base, 30),
          "memory not back: %d pages, %d before" % (sockstat()["mem"], base))


def bulk_transfer(size, user_rcvbuf=None):
    """Send size bytes over veth to a reader, verified.

    Returns (seconds, the sender's SO_SNDBUF after, the reader's SO_RCVBUF
    before and after); user_rcvbuf: the reader sets SO_RCVBUF first.
    """
    del_netns(A)
    del_netns(B)
    veth_pair(A, B)
    try:
        with netns(B):
            lsk, port = listener(ADDR2)
        with netns(A):
            cli = connect(ADDR2, port)
        srv = accept(lsk)
        if user_rcvbuf:
            srv.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, user_rcvbuf)
        before = srv.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
        data = os.urandom(size)
        got = bytearray()

        def reader():
            while True:
                b = srv.recv(1 << 18)
                if not b:
                    return
                got.extend(b)
        start = time.monotonic()
        t = threading.Thread(target=reader)
        t.start()
        cli.sendall(data)
        cli.shutdown(socket.SHUT_WR)
        t.join(120)
        secs = time.monotonic() - start
        sndbuf = cli.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF)
        after = srv.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
        check(bytes(got) == data, "data differs")
        cli.close()
        srv.close()
        lsk.close()
        return secs, sndbuf, before, after
    finally:
        del_netns(A)
        del_netns(B)


@test
def pressure_then_fresh_connection_works():
    """After pressure, a new connection moves data at the usual pace."""
    load_module()
    secs, sndbuf, _, _ = bulk_transfer(4 << 20)
    print("# 4 MB in %.2f s, SO_SNDBUF grew to %d" % (secs, sndbuf))
    # The send buffer grows with the window, as TCP's (tcp_sndbuf_expand).
    check(sndbuf > sysctl("wmem")[1], "SO_SNDBUF did not grow: %d" % sndbuf)


@test
def receive_buffer_autotuning():
    """A bulk reader's SO_RCVBUF grows, up to rmem[2]; not if the user set it."""
    load_module()
    rmax = sysctl("rmem")[2]
    secs, _, before, after = bulk_transfer(32 << 20)
    print("# 32 MB in %.2f s, SO_RCVBUF %d -> %d" % (secs, before, after))
    check(before < after <= rmax, "SO_RCVBUF %d -> %d (rmem[2] %d)" % (before, after, rmax))
    secs, _, before, after = bulk_transfer(8 << 20, user_rcvbuf=65536)
    print("# SO_RCVBUF set: 8 MB in %.2f s, SO_RCVBUF %d -> %d" % (secs, before, after))
    check(before == after == 131072, "SO_RCVBUF set, changed: %d -> %d" % (before, after))



def rcv_ssthresh(sock):
    """tcpi_rcv_ssthresh of MYTCP_INFO (struct tcp_info, at byte 64)."""
    return struct.unpack_from("I", sock.getsockopt(SOL_MYTCP, MYTCP_INFO, 104), 64)[0]


@test
def receive_window_cap():
    """rcv_ssthresh starts at the first window and grows as data is read."""
    load_module()
    lsk, port = listener("127.0.0.1")
    # A buffer that is not autotuned, and holds well over the first window
    # whatever the payload to truesize ratio.
    lsk.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 212992)
    cli = connect("127.0.0.1", port)
    srv = accept(lsk)
    rcvbuf = srv.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
    first = rcv_ssthresh(srv)
    check(first == min(rcvbuf // 2, 65535),
          "rcv_ssthresh %d at the start, SO_RCVBUF %d" % (first, rcvbuf))
    caps = []
    for _ in range(20):
        cli.sendall(b"w" * 8192)
        got = 0
        while got < 8192:
            got += len(srv.recv(65536))
        caps.append(rcv_ssthresh(srv))
    rcvbuf = srv.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
    print("# rcv_ssthresh %d -> %s, SO_RCVBUF %d" % (first, caps, rcvbuf))
    check(caps == sorted(caps) and first < caps[-1] < rcvbuf,
          "rcv_ssthresh %d -> %s, SO_RCVBUF %d" % (first, caps, rcvbuf))
    for s in (cli, srv, lsk):
        s.close()


if __name__ == "__main__":
    main()
