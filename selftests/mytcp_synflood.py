#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""mytcp_synflood.py - a spoofed SYN flood, and legitimate clients during it.

Two namespaces over veth: mt-fl-a (ADDR1) holds the attacker, which runs
tools/synflood (build/synflood/synflood, "make tools"), and the honest
client; mt-fl-s (ADDR2) holds a mytcp listener and, on the same port
number, a TCP listener, both listen(128) with the default SYN queue
limits.  The flood's sources, 10.99.0.0/16, are routed by the server
towards mt-fl-a, where they are not local and nothing forwards: their
SYN-ACKs are dropped there without an answer, as they would be at a
spoofed host that does not exist.

During a flood at the generator's highest rate (on the debug kernel:
50 SYNs/s, see FLOOD_RATE), the client makes
connect + request + response + close attempts, four at a time, each with
a budget of 10 s for the whole exchange: a real client keeps retrying its
SYN (after 1 s, then 3 s, then 7 s, as Linux does), so a connection that
needed a retransmitted SYN still counts as a success; one that did not
finish in 10 s is a failure.  With syncookies=1, at least 99% must
succeed and cookies must really have been sent and returned; with
syncookies=0, the drops must show in the counters.  Linux TCP gets the
same flood and the same clients; its numbers are printed beside mytcp's
(as KTAP comments), not judged.

Memory: during each flood a sampler reads the SYN_RECV rows of the
listener (never above the SYN queue limit) and the kernel's Slab total
from /proc/meminfo, whose rise above its value before the flood must stay
below FLOOD_SLAB_BOUND (plus, on a KASAN kernel, the quarantine of freed
objects, 1/32 of memory); the peak is printed.

Forged cookies (the drill s09-syncookies-forged and KUnit mytcp_cookie
cover a random ACK number, a wrong peer ISN, an MSS index beyond the
table, wrong keys and a stale clock): here, cookies captured from real
SYN-ACKs are replayed after the module was reloaded (a new secret), and,
in the long version only, after they expired (up to 192 s of waiting):
each is refused with a RST, counted in SyncookiesFailed, and makes no
socket; the same capture replayed while valid does make one.

MYTCP_FLOOD_LONG=1 ("make flood") is the long version: 1,000 legitimate
connections spread over a flood of at least 60 s with syncookies=1, 48
with syncookies=0, and the expiry case; otherwise 100 (TCP: 50) and 12,
as fast as they go.
"""

import errno
import os
import select
import selectors
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from mytcp import (ADDR1, ADDR2, IPPROTO_MYTCP,  # noqa: E402
                   check, del_netns, inet_checksum, load_module, main,
                   mytcp_socket, netns, read, segment, sockaddr, sys_accept4,
                   sys_bind, sys_connect, test, unload_module, veth_pair,
                   wait_for, write)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(REPO, "build", "synflood", "synflood")
NS_A, NS_S = "mt-fl-a", "mt-fl-s"
FLOOD_NET = "10.99.0.0/16"
PORT = 8080
BACKLOG = 128
LONG = os.environ.get("MYTCP_FLOOD_LONG") == "1"
N_COOKIES = 1000 if LONG else 100      # mytcp's attempts with syncookies=1
N_COOKIES_TCP = 1000 if LONG else 50   # TCP's (only printed)
N_NO_COOKIES = 48 if LONG else 12      # attempts with syncookies=0
SPREAD = 60.0 if LONG else 0.0          # seconds the syncookies=1 attempts span
BUDGET = 10.0                           # seconds per attempt, retries included
PARALLEL = 4                            # attempts in flight at once
FLOOD_SLAB_BOUND = 64 << 20             # bytes of Slab growth allowed
SYN, RST, ACK = 2, 4, 16
SOCK_NONBLOCK = 0o4000
KASAN = os.environ.get("MYTCP_VM_KERNEL") == "debug"
# SYNs/s of the flood of the client measurements: 0 is as fast as the
# generator goes, except on the debug kernel, where a SYN costs some ms
# (KASAN under TCG): there a full-speed flood keeps the CPU's input
# backlog (1,000 packets) full, so that every packet, the clients' too,
# waits seconds in it, and TCP fails as often as mytcp (measured with one
# vCPU: 76% and 88% of attempts done in 10 s).  MYTCP_FLOOD_RATE overrides.
FLOOD_RATE = int(os.environ.get("MYTCP_FLOOD_RATE", "50" if KASAN else "0"))

EXT_NAMES = ["SyncookiesSent", "SyncookiesRecv", "SyncookiesFailed",
             "TCPReqQFullDrop", "TCPReqQFullDoCookies", "ListenDrops",
             "ListenOverflows"]


def ns_read(ns, name):
    """/proc/net/<name> as namespace ns sees it (this thread's view)."""
    with netns(ns):
        return read("/proc/thread-self/net/" + name)


def parse_snmp(text):
    """{name: value} of every pair of lines of /proc/net/snmp-style text."""
    out = {}
    lines = text.splitlines()
    for names, values in zip(lines[0::2], lines[1::2]):
        prefix = names.split(":")[0]
        for n, v in zip(names.split()[1:], values.split()[1:]):
            out[prefix + "." + n] = int(v)
    return out


def counters(proto):
    """The counters of the server namespace for proto ("mytcp" or "tcp"),
    by the names of EXT_NAMES (and PassiveOpens, InCsumErrors)."""
    if proto == "mytcp":
        c = parse_snmp(ns_read(NS_S, "mytcp_snmp"))
        ext, mib = "MytcpExt.", "Mytcp."
    else:
        c = parse_snmp(ns_read(NS_S, "netstat"))
        c.update(parse_snmp(ns_read(NS_S, "snmp")))
        ext, mib = "TcpExt.", "Tcp."
    out = {n: c[ext + n] for n in EXT_NAMES}
    out["EmbryonicRsts"] = c[ext + "EmbryonicRsts"]
    for n in ("PassiveOpens", "InCsumErrors", "InSegs"):
        out[n] = c[mib + n]
    return out


def delta(before, after):
    return {k: after[k] - before[k] for k in after}


def syn_recv_rows(proto):
    """How many SYN_RECV rows (half-open entries) the listener's port has."""
    text = ns_read(NS_S, "mytcp" if proto == "mytcp" else "tcp")
    n = 0
    for line in text.splitlines()[1:]:
        f = line.split()
        if f[3] == "03" and int(f[1].split(":")[1], 16) == PORT:
            n += 1
    return n


def slab_bytes():
    for line in read("/proc/meminfo").splitlines():
        if line.startswith("Slab:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no Slab in /proc/meminfo")


def slab_bound():
    """FLOOD_SLAB_BOUND, plus KASAN's quarantine on the debug kernel."""
    if not KASAN:
        return FLOOD_SLAB_BOUND
    for line in read("/proc/meminfo").splitlines():
        if line.startswith("MemTotal:"):
            return FLOOD_SLAB_BOUND + int(line.split()[1]) * 1024 // 32
    raise AssertionError("no MemTotal in /proc/meminfo")


def sysctl(proto, value):
    """Set syncookies of the server namespace."""
    path = "/proc/sys/net/mytcp/syncookies" if proto == "mytcp" else \
        "/proc/sys/net/ipv4/tcp_syncookies"
    with netns(NS_S):
        write(path, str(value))
        check(read(path).strip() == str(value), "%s did not take %d" % (path, value))


def topology():
    """The two namespaces, the veth and the route of the spoofed sources."""
    load_module()
    cleanup()
    veth_pair(NS_A, NS_S)
    run_in(NS_S, "ip", "route", "add", FLOOD_NET, "via", ADDR1)
    # The attacker's side must not forward (or answer) the SYN-ACKs.
    run_in(NS_A, "sysctl", "-qw", "net.ipv4.ip_forward=0")
    check(os.access(BIN, os.X_OK), "%s is not built (make tools)" % BIN)


def cleanup():
    del_netns(NS_A)
    del_netns(NS_S)


def run_in(ns, *cmd):
    r = subprocess.run(("ip", "netns", "exec", ns) + cmd, capture_output=True, text=True)
    check(r.returncode == 0, "%s: %s" % (" ".join(cmd), r.stderr.strip()))
    return r.stdout


class Flood:
    """tools/synflood in the attacker's namespace, until stopped."""

    def __init__(self, proto, seconds=3600, rate=0, count=0):
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", NS_A, BIN, "-P", proto, "-s", FLOOD_NET,
             "-r", str(rate), "-t", str(seconds), "-n", str(count), ADDR2, str(PORT)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def stop(self, wait=False):
        """Stop it (or wait for its end); return (SYNs sent, SYNs/s)."""
        if not wait and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        out, err = self.proc.communicate(timeout=30)
        check(self.proc.returncode == 0, "synflood failed: %s" % err.strip())
        f = out.split()
        check(len(f) >= 8 and f[0] == "sent", "synflood said %r" % out)
        return int(f[1]), float(f[6])


class Sampler(threading.Thread):
    """Peak SYN_RECV rows and Slab growth while a flood runs."""

    def __init__(self, proto):
        super().__init__(daemon=True)
        self.proto = proto
        self.base = slab_bytes()
        self.peak_slab = 0
        self.peak_rows = 0
        self.samples = 0
        self.done = threading.Event()

    def run(self):
        while not self.done.is_set():
            self.peak_rows = max(self.peak_rows, syn_recv_rows(self.proto))
            self.peak_slab = max(self.peak_slab, slab_bytes() - self.base)
            self.samples += 1
            self.done.wait(0.25)

    def stop(self):
        self.done.set()
        self.join()


class EchoServer(threading.Thread):
    """Answers each request on the listeners with "re: " + the request."""

    def __init__(self, listeners):
        super().__init__(daemon=True)
        self.sel = selectors.DefaultSelector()
        for lsk in listeners:
            lsk.setblocking(False)
            self.sel.register(lsk, selectors.EVENT_READ, None)
        self.done = threading.Event()

    def accept(self, lsk):
        try:
            fd = sys_accept4(lsk, SOCK_NONBLOCK)
        except OSError as e:
            if e.errno in (errno.EAGAIN, errno.ECONNABORTED):
                return
            raise
        self.sel.register(socket.socket(fileno=fd), selectors.EVENT_READ, b"")

    def serve(self, key):
        sk = key.fileobj
        try:
            data = sk.recv(256)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self.sel.unregister(sk)
            sk.close()
            return
        buf = key.data + data
        if buf.endswith(b"\n"):
            sk.sendall(b"re: " + buf)
            buf = b""
        self.sel.modify(sk, selectors.EVENT_READ, buf)

    def run(self):
        while not self.done.is_set():
            for key, _ in self.sel.select(0.2):
                if key.data is None:
                    self.accept(key.fileobj)
                else:
                    self.serve(key)
        for key in list(self.sel.get_map().values()):
            if key.data is not None:
                key.fileobj.close()

    def stop(self):
        self.done.set()
        self.join()


def attempt(proto, i):
    """One legitimate exchange within BUDGET; return None or what failed."""
    deadline = time.monotonic() + BUDGET
    if proto == "mytcp":
        s, addr = mytcp_socket(), sockaddr(PORT, ADDR2)
    else:
        s, addr = socket.socket(), sockaddr(PORT, ADDR2, socket.AF_INET)
    try:
        s.setblocking(False)
        try:
            sys_connect(s, addr)
        except OSError as e:
            if e.errno != errno.EINPROGRESS:
                return "connect: %s" % os.strerror(e.errno)
        if not wait_io(s, select.POLLOUT, deadline):
            return "connect: no answer in %.0f s" % BUDGET
        err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if err:
            return "connect: %s" % os.strerror(err)
        req = b"request %d\n" % i
        s.send(req)
        want, got = b"re: " + req, b""
        while len(got) < len(want):
            if not wait_io(s, select.POLLIN, deadline):
                return "no answer to the request in %.0f s" % BUDGET
            data = s.recv(256)
            if not data:
                return "connection closed before the answer"
            got += data
        return None if got == want else "answer %r" % got
    except OSError as e:
        return "%s: %s" % (type(e).__name__, e)
    finally:
        s.close()


def wait_io(s, events, deadline):
    p = select.poll()
    p.register(s, events | select.POLLERR)
    left = deadline - time.monotonic()
    return left > 0 and bool(p.poll(left * 1000))


def attempts(proto, n, spread=0.0):
    """n attempts, PARALLEL at a time, the i-th not before i * spread / n
    seconds from now; return (successes, failure reasons)."""
    start = time.monotonic()
    reasons = {}
    ok = [0]
    lock = threading.Lock()
    todo = iter(range(n))

    def worker():
        with netns(NS_A):
            while True:
                with lock:
                    i = next(todo, None)
                if i is None:
                    return
                wait = start + i * spread / n - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                why = attempt(proto, i)
                with lock:
                    if why is None:
                        ok[0] += 1
                    else:
                        reasons[why] = reasons.get(why, 0) + 1

    threads = [threading.Thread(target=worker) for _ in range(PARALLEL)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return ok[0], reasons


def listeners():
    """The mytcp and the TCP listener on ADDR2:PORT of the server."""
    with netns(NS_S):
        m = mytcp_socket()
        sys_bind(m, sockaddr(PORT, ADDR2))
        m.listen(BACKLOG)
        t = socket.socket()
        t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        t.bind((ADDR2, PORT))
        t.listen(BACKLOG)
    return m, t


def measure(proto, cookies, n, spread=0.0):
    """Flood proto's listener at full rate while n clients try; a dict."""
    sysctl(proto, cookies)
    before = counters(proto)
    sampler = Sampler(proto)
    flood = Flood(proto, rate=FLOOD_RATE)
    sampler.start()
    start = time.monotonic()
    # Let the flood fill the SYN queue before the clients come.
    full = wait_for(lambda: syn_recv_rows(proto) >= BACKLOG or
                    counters(proto)["TCPReqQFullDoCookies"] > before["TCPReqQFullDoCookies"] or
                    counters(proto)["TCPReqQFullDrop"] > before["TCPReqQFullDrop"], 30)
    ok, reasons = attempts(proto, n, spread)
    took = time.monotonic() - start
    sent, rate = flood.stop()
    sampler.stop()
    time.sleep(0.5)
    d = delta(before, counters(proto))
    r = {"proto": proto, "cookies": cookies, "n": n, "ok": ok, "reasons": reasons,
         "sent": sent, "rate": rate, "took": took, "full": bool(full),
         "rows": sampler.peak_rows, "slab": sampler.peak_slab,
         "samples": sampler.samples, "d": d}
    print("# %s syncookies=%d: %d/%d succeeded (%.1f%%) during %d SYNs at %.0f/s "
          "(%s) in %.0f s; peak SYN_RECV %d, peak Slab +%.1f MiB" % (
              proto, cookies, ok, n, 100.0 * ok / n, sent, rate,
              "capped at %d/s" % FLOOD_RATE if FLOOD_RATE else "full speed", took,
              r["rows"], r["slab"] / 2**20))
    print("#   counters: " + " ".join("%s+%d" % (k, v) for k, v in sorted(d.items()) if v))
    if reasons:
        print("#   failures: %s" % reasons)
    sys.stdout.flush()
    return r


def table(results):
    """mytcp beside TCP, one line per (protocol, syncookies)."""
    print("# %-6s %-10s %11s %9s %10s %8s %8s %8s %9s %9s" % (
        "proto", "syncookies", "succeeded", "SYNs/s", "CookSent", "CookRecv",
        "QFullDrop", "LstDrops", "SYN_RECV", "Slab MiB"))
    for r in results:
        d = r["d"]
        print("# %-6s %-10d %5d/%-5d %9.0f %10d %8d %8d %8d %9d %9.1f" % (
            r["proto"], r["cookies"], r["ok"], r["n"], r["rate"], d["SyncookiesSent"],
            d["SyncookiesRecv"], d["TCPReqQFullDrop"], d["ListenDrops"], r["rows"],
            r["slab"] / 2**20))
    sys.stdout.flush()


def check_bounded(r):
    check(r["samples"] >= 2, "the sampler took %d samples" % r["samples"])
    check(r["rows"] <= BACKLOG, "%d SYN_RECV rows, above the queue limit %d" % (
        r["rows"], BACKLOG))
    check(r["slab"] < slab_bound(), "Slab grew by %d bytes during the flood "
          "(bound %d)" % (r["slab"], slab_bound()))


def softnet_drops():
    """Packets the CPUs' input backlogs dropped, so far."""
    return sum(int(line.split()[1], 16)
               for line in read("/proc/net/softnet_stat").splitlines())


def flood_once(proto, **kw):
    """One flood to its end: (SYNs sent, SYNs/s, counter changes)."""
    before = counters(proto)
    sent, rate = Flood(proto, **kw).stop(wait=True)
    time.sleep(0.5)
    return sent, rate, delta(before, counters(proto))


@test
def generator_reaches_the_listeners():
    """Every spoofed SYN is a valid segment that draws a (lost) SYN-ACK;
    the generator's highest rate is printed."""
    topology()
    try:
        m, t = listeners()
        for proto in ("mytcp", "tcp"):
            sysctl(proto, 2)
            # 400 SYNs at 200/s (the debug kernel keeps up): every one
            # arrives and is answered, and nothing comes back from the
            # spoofed hosts.
            drops = softnet_drops()
            before = counters(proto)
            sent, rate = Flood(proto, rate=200, count=400).stop(wait=True)
            wait_for(lambda: counters(proto)["InSegs"] - before["InSegs"] >= sent, 10)
            time.sleep(0.5)
            d = delta(before, counters(proto))
            check(sent == 400, "synflood sent %d SYNs of 400" % sent)
            check(d["InCsumErrors"] == 0, "%d checksum errors" % d["InCsumErrors"])
            check(d["SyncookiesSent"] == sent and d["InSegs"] == sent,
                  "%d SYNs sent, %d dropped by the backlog: counters %s" % (
                      sent, softnet_drops() - drops, d))
            check(d["EmbryonicRsts"] == 0 and d["PassiveOpens"] == 0, "counters: %s" % d)
            # As fast as it goes, for 2 s (a full backlog may drop some).
            sent, rate, d = flood_once(proto, seconds=2)
            print("# %s: synflood at full speed: %d SYNs in 2 s, %.0f SYNs/s; "
                  "the listener answered %d" % (proto, sent, rate, d["SyncookiesSent"]))
            check(sent > 0 and 0 < d["SyncookiesSent"] <= sent and
                  d["InCsumErrors"] == 0, "%d SYNs sent: counters %s" % (sent, d))
        m.close()
        t.close()
    finally:
        cleanup()


class CookieWire:
    """SYNs and ACKs from a spoofed address written by hand in the
    attacker's namespace, and the server's answers seen on its veth."""

    SRC = "10.99.250.1"

    def __init__(self):
        with netns(NS_A):
            self.tx = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
        with netns(NS_S):
            # ETH_P_ALL: only such sockets see what goes out.
            self.rx = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM,
                                    socket.htons(3))
            self.rx.bind(("veth2", 3))
        self.rx.settimeout(0.2)

    def close(self):
        self.tx.close()
        self.rx.close()

    def send(self, sport, seq, ack, flags):
        seg = segment(sport, PORT, seq, ack, flags, src=self.SRC, dst=ADDR2,
                      options=b"\x02\x04\x05\xb4" if flags == SYN else b"")
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(seg), 0, 0, 64,
                         IPPROTO_MYTCP, 0, socket.inet_aton(self.SRC),
                         socket.inet_aton(ADDR2))
        ip = ip[:10] + struct.pack("!H", inet_checksum(ip)) + ip[12:]
        self.tx.sendto(ip + seg, (ADDR2, 0))

    def expect(self, sport, flags, timeout=5.0):
        """The next mytcp segment from the listener to sport with these
        flags: (seq, ack); None if none came."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                pkt, addr = self.rx.recvfrom(2048)
            except socket.timeout:
                continue
            if addr[1] != 0x0800 or len(pkt) < 40:
                continue
            ihl = (pkt[0] & 15) * 4
            if pkt[9] != IPPROTO_MYTCP or pkt[12:16] != socket.inet_aton(ADDR2):
                continue
            sp, dp, seq, ack, _, fl = struct.unpack("!HHIIBB", pkt[ihl:ihl + 14])
            if sp == PORT and dp == sport and fl & (SYN | RST | ACK) == flags:
                return seq, ack
        return None

    def capture(self, sport, isn):
        """Send a SYN; return the cookie of the SYN-ACK."""
        self.send(sport, isn, 0, SYN)
        got = self.expect(sport, SYN | ACK)
        check(got is not None and got[1] == isn + 1, "SYN-ACK to %d: %s" % (sport, got))
        return got[0]

    def replay(self, sport, isn, cookie):
        self.send(sport, isn + 1, (cookie + 1) & 0xffffffff, ACK)


def cookie_listener():
    """A non-blocking mytcp listener on ADDR2:PORT answering with cookies."""
    sysctl("mytcp", 2)
    with netns(NS_S):
        m = mytcp_socket()
        sys_bind(m, sockaddr(PORT, ADDR2))
        m.listen(BACKLOG)
    m.setblocking(False)
    return m


def accepted(m, timeout=5.0):
    """The connection accepted within timeout, or None."""
    def one():
        try:
            return socket.socket(fileno=sys_accept4(m, SOCK_NONBLOCK))
        except BlockingIOError:
            return None
    return wait_for(one, timeout)


def abort(s):
    """Close with a RST: the peer is a spoofed host that will not answer."""
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def rows_from(src):
    text = ns_read(NS_S, "mytcp")
    want = "%08X" % struct.unpack("<I", socket.inet_aton(src))[0]
    return [line for line in text.splitlines()[1:] if line.split()[2].startswith(want)]


def check_refused(w, m, sport, isn, cookie, before):
    """The replayed cookie draws a RST, is counted, makes no socket."""
    w.replay(sport, isn, cookie)
    rst = w.expect(sport, RST)
    check(rst is not None and rst[0] == (cookie + 1) & 0xffffffff,
          "no RST for the refused cookie: %s" % (rst,))
    d = delta(before, counters("mytcp"))
    check(d["SyncookiesFailed"] == 1 and d["SyncookiesRecv"] == 0 and
          d["PassiveOpens"] == 0, "counters: %s" % d)
    check(accepted(m, 1.0) is None, "a connection was accepted")
    check(not rows_from(w.SRC), "rows: %s" % rows_from(w.SRC))


def check_accepted(w, m, sport, isn, cookie, before):
    """The replayed cookie makes a connection."""
    w.replay(sport, isn, cookie)
    s = accepted(m)
    check(s is not None, "the valid cookie made no connection")
    d = delta(before, counters("mytcp"))
    check(d["SyncookiesRecv"] == 1 and d["SyncookiesFailed"] == 0 and
          d["PassiveOpens"] == 1, "counters: %s" % d)
    abort(s)


@test
def cookie_from_before_a_reload_is_refused():
    """The secret is drawn at load: after a reload, old cookies fail."""
    topology()
    try:
        w = CookieWire()
        m = cookie_listener()
        isn_a, isn_b = 1000, 2000000
        cookie_a = w.capture(40001, isn_a)
        cookie_b = w.capture(40002, isn_b)
        check_accepted(w, m, 40001, isn_a, cookie_a, counters("mytcp"))
        m.close()
        unload_module()
        load_module()
        m = cookie_listener()
        check_refused(w, m, 40002, isn_b, cookie_b, counters("mytcp"))
        m.close()
        w.close()
    finally:
        cleanup()


def wait_tick(tick):
    """Sleep until 1 s into cookie clock tick `tick` (64 s of CLOCK_MONOTONIC,
    which is the kernel's ktime_get_seconds())."""
    left = tick * 64 + 1 - time.monotonic()
    if left > 0:
        time.sleep(left)


def expired_cookie_is_refused():
    """A cookie is good for 2 ticks of its 64 s clock, not for 3."""
    topology()
    try:
        w = CookieWire()
        m = cookie_listener()
        t0 = time.monotonic()
        tick = int(t0) // 64
        cookie_a = w.capture(40003, 3000)
        cookie_b = w.capture(40004, 4000)
        check(int(time.monotonic()) // 64 == tick, "the clock ticked meanwhile")
        wait_tick(tick + 2)
        valid_at = time.monotonic()
        check_accepted(w, m, 40003, 3000, cookie_a, counters("mytcp"))
        wait_tick(tick + 3)
        check_refused(w, m, 40004, 4000, cookie_b, counters("mytcp"))
        print("# valid %.0f s after its capture, refused %.0f s after it" % (
            valid_at - t0, time.monotonic() - t0))
        m.close()
        w.close()
    finally:
        cleanup()


if LONG:
    test(expired_cookie_is_refused)

RESULTS = []


def flood_both(cookies, n_mytcp, n_tcp, spread=0.0):
    """Flood mytcp's listener, then TCP's; both results go to RESULTS.

    Returns mytcp's.
    """
    m, t = listeners()
    server = EchoServer([m, t])
    server.start()
    try:
        r = measure("mytcp", cookies, n_mytcp, spread)
        RESULTS.append(r)
        RESULTS.append(measure("tcp", cookies, n_tcp, spread))
    finally:
        server.stop()
        m.close()
        t.close()
    return r


@test
def cookies_keep_a_flooded_listener_open():
    """syncookies=1: at least 99% of the clients get through the flood."""
    topology()
    try:
        r = flood_both(1, N_COOKIES, N_COOKIES_TCP, SPREAD)
        table(RESULTS[-2:])
        check(r["full"], "the flood never filled the SYN queue")
        check(r["ok"] >= 0.99 * r["n"], "%d of %d succeeded" % (r["ok"], r["n"]))
        check(r["d"]["SyncookiesSent"] > 0 and r["d"]["SyncookiesRecv"] > 0,
              "cookies were not used: %s" % r["d"])
        check_bounded(r)
    finally:
        cleanup()


@test
def without_cookies_the_flood_shows_in_counters():
    """syncookies=0: SYNs dropped for a full queue, counted as such."""
    topology()
    try:
        r = flood_both(0, N_NO_COOKIES, N_NO_COOKIES)
        table(RESULTS)
        d = r["d"]
        check(r["full"], "the flood never filled the SYN queue")
        check(d["TCPReqQFullDrop"] > 0 and d["ListenDrops"] >= d["TCPReqQFullDrop"],
              "no drops counted: %s" % d)
        check(d["SyncookiesSent"] == 0, "cookies sent with syncookies=0: %s" % d)
        check_bounded(r)
    finally:
        cleanup()


if __name__ == "__main__":
    main()
