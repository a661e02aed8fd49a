#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Unmodified programs from Debian packages, run over mytcp by mytcpize.

The server runs in one network namespace and its client in another,
joined by a veth pair; both run under tools/mytcpize/mytcpize.  Each case
checks the program's own success, that the data arrived intact where
there is data, and that the connections really were mytcp: while the
client ran, /proc/net/mytcp of the server namespace had connection rows
on the port, and /proc/net/tcp of neither namespace had a row with it.

  1. mytcpize itself: addresses come back AF_INET, SO_DOMAIN says AF_INET,
     TCP options map to mytcp's (TCP_INFO through MYTCP_INFO), hints are
     ignored, unknown options refused with ENOPROTOOPT, UDP and IPv6 left
     alone, MYTCPIZE_PORTS selects by port and MYTCPIZE_VERBOSE logs.
  2. MYTCP_INFO on plain AF_MYTCP sockets.
  3. lighttpd serving static files, fetched with curl and with wget.
  4. iperf3 client and server, both directions.
  5. redis-server with redis-cli and redis-benchmark.
  6. python3 -m http.server with a python3 urllib client.

Sizes: 10 MB files, iperf3 -t 3, redis-benchmark -n 2000; on the debug
kernel (KASAN under TCG) 1 MB, -t 2 and -n 200.  MYTCP_REALWORLD_LONG=1
(make realworld): 100 MB files, -t 20, -n 10000.  The sizes used are
printed.
"""

import hashlib
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mytcp as m  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MYTCPIZE = os.path.join(REPO, "tools", "mytcpize", "mytcpize")
LIB = os.path.join(REPO, "build", "mytcpize", "libmytcpize.so")
CLI, SRV = "rwc", "rws"
KASAN = os.environ.get("MYTCP_VM_KERNEL") == "debug"
LONG = os.environ.get("MYTCP_REALWORLD_LONG") == "1"
if LONG:
    FILE_MB, IPERF_S, REDIS_N = 100, 20, 10000
elif KASAN:
    FILE_MB, IPERF_S, REDIS_N = 1, 2, 200
else:
    FILE_MB, IPERF_S, REDIS_N = 10, 3, 2000
# Seconds between /proc samples: reading them costs much under KASAN.
SAMPLE_S = 0.5 if KASAN else 0.05
REDIS_TESTS = "set,get,incr,lpush,lrange_100" if LONG else "set,get,incr"
SCRATCH = "/tmp/mytcp-realworld"
WWW = os.path.join(SCRATCH, "www")
TCP_INFO = 11
TCP_MD5SIG = 14


def setup():
    for ns in (CLI, SRV):
        m.del_netns(ns)
    m.unload_module()
    m.load_module()
    m.veth_pair(CLI, SRV)
    shutil.rmtree(SCRATCH, ignore_errors=True)
    os.makedirs(WWW)
    with open(os.path.join(WWW, "big.bin"), "wb") as f:
        for _ in range(FILE_MB):
            f.write(os.urandom(1 << 20))


def teardown():
    for ns in (CLI, SRV):
        m.del_netns(ns)
    shutil.rmtree(SCRATCH, ignore_errors=True)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def izecmd(ns, *cmd, env=()):
    """cmd run in namespace ns under mytcpize, with env ("K=V", ...)."""
    return ["ip", "netns", "exec", ns, "env", *env, MYTCPIZE, "run", *cmd]


def _ports(text):
    """(local port, remote port) of each row of a /proc/net/{tcp,mytcp}."""
    out = []
    for line in text.splitlines()[1:]:
        f = line.split()
        if len(f) > 3:
            out.append((int(f[1].split(":")[1], 16), int(f[2].split(":")[1], 16),
                        int(f[3], 16)))
    return out


class Watch:
    """Sample /proc/net/mytcp and /proc/net/tcp of both namespaces, every
    SAMPLE_S, while the with block runs.  The sampling thread enters each
    namespace in turn (setns changes only the calling thread) and reads
    the files under /proc/thread-self/net, which follow the thread."""

    def __init__(self, port):
        self.port = port
        self.mytcp_conns = 0    # most connection rows on port seen at once, one end
        self.tcp_rows = []      # TCP rows that had the port
        self.samples = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.loop, daemon=True)

    def sample(self):
        for ns in (SRV, CLI):
            with m.netns(ns):
                mt = _ports(m.read("/proc/thread-self/net/mytcp"))
                tcp = _ports(m.read("/proc/thread-self/net/tcp"))
            # The server's rows have the port as local port, the client's as
            # remote port.  Whichever end closes first keeps a TIME-WAIT row,
            # so a transfer shorter than SAMPLE_S is still seen.
            n = sum(1 for lp, rp, st in mt
                    if st != m.LISTEN and (rp if ns == CLI else lp) == self.port)
            self.mytcp_conns = max(self.mytcp_conns, n)
            self.tcp_rows += [row for row in tcp if self.port in row[:2]]
        self.samples += 1

    def loop(self):
        while not self.stop.is_set():
            self.sample()
            self.stop.wait(SAMPLE_S)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()

    def verify(self):
        print("# port %d: %d samples, up to %d mytcp connections, %d TCP rows"
              % (self.port, self.samples, self.mytcp_conns, len(self.tcp_rows)))
        m.check(self.mytcp_conns > 0, "no mytcp connection on port %d seen" % self.port)
        m.check(not self.tcp_rows, "TCP rows on port %d: %s" % (self.port, self.tcp_rows[:3]))


class Server:
    """A server program under mytcpize in SRV, until the with block ends."""

    def __init__(self, port, *cmd, env=()):
        self.port = port
        self.cmd = izecmd(SRV, *cmd, env=env)
        self.log = os.path.join(SCRATCH, "server-%d.log" % port)

    def listening(self):
        r = subprocess.run(["ip", "netns", "exec", SRV, "cat", "/proc/net/mytcp"],
                           capture_output=True, text=True)
        return any(lp == self.port and st == m.LISTEN for lp, rp, st in _ports(r.stdout))

    def __enter__(self):
        self.logf = open(self.log, "w")
        self.proc = subprocess.Popen(self.cmd, stdout=self.logf, stderr=subprocess.STDOUT)
        if not m.wait_for(lambda: self.listening() or self.proc.poll() is not None, 120):
            self.stop()
            raise AssertionError("%s: no mytcp listener on port %d" % (self.cmd, self.port))
        if self.proc.poll() is not None:
            self.stop()
            raise AssertionError("%s exited %d: %s" % (self.cmd, self.proc.returncode,
                                                       self.output()))
        return self

    def output(self):
        with open(self.log) as f:
            return f.read()[-2000:]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.logf.close()

    def __exit__(self, *exc):
        self.stop()


def client(*cmd, env=(), stdin=None, timeout=900):
    """Run a client under mytcpize in CLI; its CompletedProcess, rc checked."""
    start = time.monotonic()
    r = subprocess.run(izecmd(CLI, *cmd, env=env), capture_output=True, text=True,
                       input=stdin, timeout=timeout)
    took = time.monotonic() - start
    print("# %s: exit %d, %.1f s" % (cmd[0], r.returncode, took))
    m.check(r.returncode == 0, "%s failed (%d): %s" % (" ".join(cmd), r.returncode,
                                                       (r.stderr or r.stdout)[-2000:]))
    return r


# Run by test_mytcpize under mytcpize, in SRV: prints one JSON line of facts.
PROBE = r"""
import errno, json, socket, struct, sys
port = int(sys.argv[1])
out = {}
ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", port))
ls.listen(4)
c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
c.connect(("127.0.0.1", port))
a, peer = ls.accept()
out["peer"] = list(peer)
out["sockname"] = list(c.getsockname())
out["peername"] = list(c.getpeername())
out["domain"] = c.getsockopt(socket.SOL_SOCKET, socket.SO_DOMAIN)
out["protocol"] = c.getsockopt(socket.SOL_SOCKET, socket.SO_PROTOCOL)
c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
out["nodelay"] = c.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
c.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 77)
out["keepidle"] = c.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE)
c.setsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT, 1234)
out["user_timeout"] = c.getsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT)
out["congestion"] = c.getsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, 16).rstrip(b"\0").decode()
c.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 1)
out["cork"] = "ignored"
try:
    c.setsockopt(socket.IPPROTO_TCP, 14, b"\0" * 216)
    out["md5sig"] = "accepted"
except OSError as e:
    out["md5sig"] = errno.errorcode[e.errno]
c.sendall(b"x" * 5000)
got = b""
while len(got) < 5000:
    got += a.recv(65536)
info = c.getsockopt(socket.IPPROTO_TCP, 11, 232)
out["info_len"] = len(info)
out["info_state"] = info[0]
out["info_snd_mss"] = struct.unpack_from("I", info, 16)[0]
out["info_cwnd"] = struct.unpack_from("I", info, 80)[0]
out["info_rtt"] = struct.unpack_from("I", info, 68)[0]
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
out["udp_domain"] = u.getsockopt(socket.SOL_SOCKET, socket.SO_PROTOCOL)
s6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
out["tcp6_protocol"] = s6.getsockopt(socket.SOL_SOCKET, socket.SO_PROTOCOL)
print(json.dumps(out))
"""

# Run under mytcpize with MYTCPIZE_PORTS: which port became which.
PROBE_PORTS = r"""
import socket, sys, time
for port in map(int, sys.argv[1:]):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port))
    ls.listen(4)
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    c.bind(("127.0.0.1", 0))
    c.connect(("127.0.0.1", port))
    a, _ = ls.accept()
    a.sendall(b"hi")
    assert c.recv(2) == b"hi"
    print(port, c.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY), flush=True)
    sys.stdin.readline()
"""


@m.test
def test_mytcpize():
    """The shim's own promises, on loopback in SRV."""
    r = subprocess.run(izecmd(SRV, "/usr/bin/python3", "-c", PROBE, "7001",
                              env=("MYTCPIZE_VERBOSE=1",)),
                       capture_output=True, text=True, timeout=60)
    m.check(r.returncode == 0, "probe failed: %s" % r.stderr[-2000:])
    out = json.loads(r.stdout)
    print("# " + r.stdout.strip())
    m.check(out["peername"] == ["127.0.0.1", 7001], "getpeername: %s" % out["peername"])
    m.check(out["sockname"][0] == "127.0.0.1", "getsockname: %s" % out["sockname"])
    m.check(out["peer"] == out["sockname"], "accept: %s" % out["peer"])
    m.check(out["domain"] == socket.AF_INET, "SO_DOMAIN %d" % out["domain"])
    m.check(out["protocol"] == socket.IPPROTO_TCP, "SO_PROTOCOL %d" % out["protocol"])
    m.check(out["nodelay"] == 1 and out["keepidle"] == 77 and out["user_timeout"] == 1234,
            "options did not round-trip: %s" % out)
    m.check(out["congestion"] == "reno", "TCP_CONGESTION %s" % out["congestion"])
    m.check(out["md5sig"] == "ENOPROTOOPT", "TCP_MD5SIG: %s" % out["md5sig"])
    m.check(out["info_len"] == 232 and out["info_state"] == m.ESTABLISHED,
            "TCP_INFO: %s" % out)
    m.check(out["info_snd_mss"] > 0 and out["info_cwnd"] >= 10 and out["info_rtt"] > 0,
            "TCP_INFO fields: %s" % out)
    m.check(out["udp_domain"] == socket.IPPROTO_UDP, "UDP touched")
    m.check(out["tcp6_protocol"] == socket.IPPROTO_TCP, "IPv6 touched")
    for want in ("made AF_MYTCP", "option 3 ignored", "option 14 refused"):
        m.check(want in r.stderr, "verbose log lacks %r: %s" % (want, r.stderr))

    # MYTCPIZE_PORTS: 7002 becomes mytcp, 7003 stays TCP.
    p = subprocess.Popen(izecmd(SRV, "/usr/bin/python3", "-c", PROBE_PORTS, "7002", "7003",
                                env=("MYTCPIZE_PORTS=7000-7002,9999",)),
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        for port, proc in ((7002, "/proc/net/mytcp"), (7003, "/proc/net/tcp")):
            line = p.stdout.readline().split()
            m.check(line == [str(port), "1"], "probe for %d said %s" % (port, line))
            rows = _ports(subprocess.run(["ip", "netns", "exec", SRV, "cat", proc],
                                         capture_output=True, text=True).stdout)
            est = [r for r in rows if port in r[:2] and r[2] == m.ESTABLISHED]
            m.check(len(est) == 2, "port %d: %d established rows in %s" % (port, len(est), proc))
            p.stdin.write("\n")
            p.stdin.flush()
        m.check(p.wait(30) == 0, "ports probe failed")
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    bad = subprocess.run(izecmd(SRV, "/bin/true", env=("MYTCPIZE_PORTS=80,x",)),
                         capture_output=True, text=True)
    m.check(bad.returncode == 2 and "MYTCPIZE_PORTS" in bad.stderr,
            "a bad MYTCPIZE_PORTS: exit %d, %r" % (bad.returncode, bad.stderr))


@m.test
def test_mytcp_info():
    """MYTCP_INFO: struct tcp_info of a listener and of a connection."""
    ls, c, a = m.connected_pair()
    info = ls.getsockopt(m.SOL_MYTCP, TCP_INFO, 232)
    m.check(len(info) == 232 and info[0] == m.LISTEN, "listener: %r" % info[:8])
    c.sendall(b"y" * 100000)
    got = 0
    while got < 100000:
        got += len(a.recv(65536))
    info = c.getsockopt(m.SOL_MYTCP, TCP_INFO, 232)
    rto, _, snd_mss = struct.unpack_from("III", info, 8)
    rtt, _, ssthresh, cwnd = struct.unpack_from("IIII", info, 68)
    m.check(info[0] == m.ESTABLISHED and rto >= 200000 and snd_mss > 0 and rtt > 0
            and cwnd >= 10, "connection: rto %d mss %d rtt %d cwnd %d"
            % (rto, snd_mss, rtt, cwnd))
    short = c.getsockopt(m.SOL_MYTCP, TCP_INFO, 8)
    m.check(short == info[:8], "a short buffer gets the head")
    for s in (a, c, ls):
        s.close()


def fetch_check(port, *cmd, out):
    client(*cmd)
    got, want = sha256(out), sha256(os.path.join(WWW, "big.bin"))
    m.check(got == want, "%s: checksum %s, want %s" % (cmd[0], got, want))
    os.unlink(out)


@m.test
def test_lighttpd():
    """lighttpd serves a file; curl and wget fetch it intact over mytcp."""
    port = 8080
    conf = os.path.join(SCRATCH, "lighttpd.conf")
    with open(conf, "w") as f:
        f.write('server.document-root = "%s"\nserver.bind = "%s"\nserver.port = %d\n'
                'server.errorlog = "%s/lighttpd-error.log"\n'
                % (WWW, m.ADDR2, port, SCRATCH))
    url = "http://%s:%d/big.bin" % (m.ADDR2, port)
    out = os.path.join(SCRATCH, "got.bin")
    print("# %d MB file" % FILE_MB)
    with Server(port, "/usr/sbin/lighttpd", "-D", "-f", conf), Watch(port) as w:
        fetch_check(port, "curl", "-sS", "--fail", "-o", out, url, out=out)
        fetch_check(port, "wget", "-q", "-O", out, url, out=out)
    w.verify()


@m.test
def test_iperf3():
    """iperf3 client and server, upload then download, over mytcp."""
    port = 5201
    with Server(port, "iperf3", "-s", "-B", m.ADDR2, "-p", str(port)), Watch(port) as w:
        for extra in ([], ["-R"]):
            r = client("iperf3", "-c", m.ADDR2, "-p", str(port), "-t", str(IPERF_S),
                       "-J", *extra)
            res = json.loads(r.stdout)
            m.check("error" not in res, "iperf3: %s" % res.get("error"))
            recv = res["end"]["sum_received"]
            print("# iperf3 %s-t %d: %.1f Mbit/s, %d bytes, retransmits %s"
                  % (" ".join(extra) + " " if extra else "", IPERF_S,
                     recv["bits_per_second"] / 1e6, recv["bytes"],
                     res["end"]["sum_sent"].get("retransmits")))
            m.check(recv["bytes"] > 0, "iperf3 moved no data")
    w.verify()


@m.test
def test_redis():
    """redis-server with redis-cli and redis-benchmark over mytcp."""
    port = 6379
    with Server(port, "redis-server", "--bind", m.ADDR2, "--port", str(port),
                "--save", "", "--appendonly", "no", "--dir", SCRATCH,
                "--protected-mode", "no", "--tcp-keepalive", "60"), Watch(port) as w:
        r = client("redis-cli", "-h", m.ADDR2, "-p", str(port),
                   stdin="SET mytcp works\nGET mytcp\n")
        m.check(r.stdout.split() == ["OK", "works"], "redis-cli set, get: %r" % r.stdout)
        r = client("redis-benchmark", "-h", m.ADDR2, "-p", str(port), "-n", str(REDIS_N),
                   "-c", "20", "-t", REDIS_TESTS, "-q")
        lines = [x.strip() for x in r.stdout.replace("\r", "\n").splitlines()
                 if "requests per second" in x]
        for x in lines:
            print("# " + x)
        for t in REDIS_TESTS.split(","):
            m.check(any(x.lower().startswith(t + ":") or x.lower().startswith(t + " ")
                        for x in lines), "redis-benchmark %s: %r" % (t, r.stdout[-2000:]))
        r = client("redis-cli", "-h", m.ADDR2, "-p", str(port), "dbsize")
        m.check(int(r.stdout) > 0, "redis: no keys after the benchmark")
    w.verify()


# The client of test_http_server: fetch a URL into a file.
FETCH = r"""
import sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=600) as r, open(sys.argv[2], "wb") as f:
    while True:
        b = r.read(1 << 20)
        if not b:
            break
        f.write(b)
"""


@m.test
def test_http_server():
    """python3 -m http.server with a python3 urllib client over mytcp."""
    port = 8000
    out = os.path.join(SCRATCH, "got.bin")
    with Server(port, "/usr/bin/python3", "-m", "http.server", str(port), "--bind", m.ADDR2,
                "--directory", WWW), Watch(port) as w:
        fetch_check(port, "/usr/bin/python3", "-c", FETCH,
                    "http://%s:%d/big.bin" % (m.ADDR2, port), out, out=out)
    w.verify()


if __name__ == "__main__":
    if not os.access(LIB, os.R_OK):
        print("Bail out! %s not built (make tools)" % LIB)
        sys.exit(1)
    print("# sizes: %d MB files, iperf3 -t %d, redis-benchmark -n %d%s"
          % (FILE_MB, IPERF_S, REDIS_N, " (debug kernel)" if KASAN else ""))
    setup()
    try:
        m.main()
    finally:
        teardown()
