# SPDX-License-Identifier: GPL-2.0
"""Shared library of mytcp's Python selftests.

A KTAP test runner (the ``test`` decorator and ``main``), the module's
constants, loading and unloading the module, and network namespaces and
veth pairs.  Runs as root inside the test VM.
"""

import ctypes
import errno
import os
import socket
import struct
import subprocess
import sys
import traceback

AF_MYTCP = 13
IPPROTO_MYTCP = 253
SOL_MYTCP = IPPROTO_MYTCP
MYTCP_INFO = 11  # struct tcp_info, as TCP_INFO

MODDIR = os.environ.get("MYTCP_MODDIR", "")
MODULE = os.path.join(MODDIR, "mytcp", "mytcp.ko")
# The calling thread's namespace: /proc/net is the main thread's.
PROC_NET = "/proc/thread-self/net/mytcp"
SYSCTL_DIR = "/proc/sys/net/mytcp"

# Addresses of the test hosts: RFC 2544's benchmarking range, only ever
# used between namespaces inside the VM.
ADDR1, ADDR2 = "198.18.0.1", "198.18.0.2"


class Skip(Exception):
    """Raised by a test that cannot run here; reported as SKIP."""


_tests = []


def test(fn):
    """Register fn as a test case; cases run in definition order."""
    _tests.append(fn)
    return fn


def check(cond, what):
    """Fail the current test with `what` unless cond holds."""
    if not cond:
        raise AssertionError(what)


def check_errno(expected, fn, *args):
    """Call fn(*args) and check that it fails with errno `expected`."""
    try:
        fn(*args)
    except OSError as e:
        check(e.errno == expected, "%s: expected %s, got %s" % (
            getattr(fn, "__name__", fn), errno.errorcode[expected],
            errno.errorcode.get(e.errno, e.errno)))
        return
    raise AssertionError("%s: succeeded, expected %s" % (
        getattr(fn, "__name__", fn), errno.errorcode[expected]))


class TestTimeout(Exception):
    """A test ran past its time limit."""


def _on_test_alarm(signum, frame):
    raise TestTimeout("test ran past %d s" % TEST_TIMEOUT)


# Seconds one test may take before it fails with its traceback.
TEST_TIMEOUT = int(os.environ.get("MYTCP_TEST_TIMEOUT", "450"))


def main():
    """Run the registered tests and print KTAP; exit 1 if any failed.

    MYTCP_TESTS, a comma-separated list of test names, runs only those;
    the others are reported as skipped, and a program with none of them
    exits 4, which run.sh reports as skipped.
    """
    import signal
    chosen = set(filter(None, os.environ.get("MYTCP_TESTS", "").split(",")))
    here = {fn.__name__ for fn in _tests}
    if chosen and not chosen & here:
        # run.sh reports the program as skipped, not passed.
        print("# MYTCP_TESTS: none of %s here" % ", ".join(sorted(chosen)))
        sys.exit(4)
    print("KTAP version 1")
    print("1..%d" % len(_tests))
    if chosen - here:
        print("# MYTCP_TESTS: not here: %s" % ", ".join(sorted(chosen - here)))
    failed = 0
    signal.signal(signal.SIGALRM, _on_test_alarm)
    import time
    for i, fn in enumerate(_tests, 1):
        name = fn.__name__
        if chosen and name not in chosen:
            print("ok %d %s # SKIP not in MYTCP_TESTS" % (i, name))
            continue
        start = time.monotonic()
        try:
            signal.alarm(TEST_TIMEOUT)
            fn()
            signal.alarm(0)
        except Skip as e:
            signal.alarm(0)
            print("ok %d %s # SKIP %s" % (i, name, e))
        except Exception as e:  # noqa: BLE001 - every failure is reported
            signal.alarm(0)
            failed += 1
            text = str(e) if getattr(e, "plain", False) else traceback.format_exc()
            for line in text.rstrip().splitlines():
                print("# " + line)
            print("not ok %d %s" % (i, name))
        else:
            print("ok %d %s" % (i, name))
        print("# %s: %.1f s" % (name, time.monotonic() - start))
        sys.stdout.flush()
    sys.exit(1 if failed else 0)


def ns_counters(ns):
    """All Mytcp: and MytcpExt: counters of network namespace ns, by name."""
    with netns(ns):
        lines = read("/proc/thread-self/net/mytcp_snmp").splitlines()
    counters = {}
    for names, values in zip(lines[::2], lines[1::2]):
        counters.update(zip(names.split()[1:], map(int, values.split()[1:])))
    return counters


def ns_counter(ns, name):
    """Counter `name` (a Mytcp: or MytcpExt: one) of network namespace ns."""
    return ns_counters(ns)[name]


def sockstat():
    """{orphan, alloc, mem, pressure} of /proc/net/mytcp_sockstat (global)."""
    f = read("/proc/net/mytcp_sockstat").split()
    check(f[0] == "MYTCP:", "sockstat: %r" % f)
    return {k: int(v) for k, v in zip(f[1::2], f[2::2])}


def run(*cmd, check_rc=True, capture=True):
    """Run a command; return its CompletedProcess (text output)."""
    r = subprocess.run(cmd, capture_output=capture, text=True)
    if check_rc and r.returncode:
        raise AssertionError("%s failed (%d): %s" % (
            " ".join(cmd), r.returncode, (r.stderr or "").strip()))
    return r


def module_loaded(name="mytcp"):
    with open("/proc/modules") as f:
        return any(line.split()[0] == name for line in f)


def load_module():
    """Load mytcp.ko unless it is loaded already."""
    if not module_loaded():
        run("insmod", MODULE)


def unload_module():
    """Unload mytcp if it is loaded."""
    if module_loaded():
        run("rmmod", "mytcp")


def mytcp_socket(kind=socket.SOCK_STREAM, proto=0):
    return socket.socket(AF_MYTCP, kind, proto)


def read(path):
    with open(path) as f:
        return f.read()


def write(path, value):
    with open(path, "w") as f:
        f.write(value)


_libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWNET = 0x40000000


class netns:
    """Context manager: the calling thread lives in namespace `name`.

    Sockets created inside belong to that namespace, and so does
    /proc/thread-self/net (/proc/net only in a single-threaded process).
    """

    def __init__(self, name):
        self.name = name

    def __enter__(self):
        # The thread's own: /proc/self is the main thread's.
        self.home = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
        fd = os.open("/run/netns/" + self.name, os.O_RDONLY)
        try:
            if _libc.setns(fd, CLONE_NEWNET):
                e = ctypes.get_errno()
                raise OSError(e, os.strerror(e))
        finally:
            os.close(fd)
        return self

    def __exit__(self, *exc):
        _libc.setns(self.home, CLONE_NEWNET)
        os.close(self.home)


def add_netns(name):
    """Create namespace `name` with loopback up."""
    run("ip", "netns", "add", name)
    run("ip", "-n", name, "link", "set", "lo", "up")


def del_netns(name):
    """Delete namespace `name`, once no connection of any namespace is
    still closing (settle()): its peer may be the one that needs it."""
    if os.path.exists("/run/netns/" + name):
        settle(*os.listdir("/run/netns"), timeout=5.0)
    run("ip", "netns", "del", name, check_rc=False)


def veth_pair(ns1, ns2, addr1=ADDR1, addr2=ADDR2, prefix=24):
    """Create ns1 and ns2 joined by a veth pair, addressed and up."""
    add_netns(ns1)
    add_netns(ns2)
    run("ip", "link", "add", "veth1", "netns", ns1, "type", "veth",
        "peer", "name", "veth2", "netns", ns2)
    for ns, dev, addr in ((ns1, "veth1", addr1), (ns2, "veth2", addr2)):
        run("ip", "-n", ns, "addr", "add", "%s/%d" % (addr, prefix), "dev", dev)
        run("ip", "-n", ns, "link", "set", dev, "up")


def inet_checksum(data):
    """The Internet checksum (RFC 1071) of data."""
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return ~total & 0xffff


def segment(sport, dport, seq, ack, flags, payload=b"", doff=None, window=65535,
            good_sum=True, src=ADDR1, dst=ADDR2, options=b"", proto=IPPROTO_MYTCP):
    """A hand-made mytcp header (+ options, payload), checksummed for src -> dst.

    doff defaults to what the options need; another value pads the header
    with zeros or cuts it short; good_sum=False spoils the checksum; proto
    is the protocol number of the pseudo header (6 for a TCP segment).
    """
    opts = options + b"\0" * (-len(options) % 4)
    if doff is None:
        doff = 5 + len(opts) // 4
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, doff << 4, flags,
                      window, 0, 0) + opts
    body = hdr + b"\0" * max(0, doff * 4 - len(hdr)) + payload
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack(
        "!BBH", 0, proto, len(body))
    c = inet_checksum(pseudo + body)
    if not good_sum:
        c ^= 0x5a5a
    return body[:16] + struct.pack("!H", c) + body[18:]


def sockaddr(port=0, addr="0.0.0.0", family=AF_MYTCP):
    """A struct sockaddr_mytcp (struct sockaddr_in's layout) as bytes."""
    return (family.to_bytes(2, sys.byteorder) + port.to_bytes(2, "big") +
            socket.inet_aton(addr) + bytes(8))


def _errcheck(ret):
    if ret < 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    return ret


def sys_bind(sock, addr):
    """bind(2) with a raw address: Python cannot build AF_MYTCP ones."""
    return _errcheck(_libc.bind(sock.fileno(), addr, len(addr)))


def sys_connect(sock, addr):
    """connect(2) with a raw address."""
    return _errcheck(_libc.connect(sock.fileno(), addr, len(addr)))


def sys_accept(sock):
    """accept(2) without asking for the peer's address."""
    return _errcheck(_libc.accept(sock.fileno(), None, None))


def _sys_name(fn, sock):
    buf = ctypes.create_string_buffer(128)
    size = ctypes.c_uint(128)
    _errcheck(fn(sock.fileno(), buf, ctypes.byref(size)))
    return buf.raw[:size.value]


def sys_getsockname(sock):
    """getsockname(2), returning the raw address."""
    return _sys_name(_libc.getsockname, sock)


def sys_getpeername(sock):
    """getpeername(2), returning the raw address."""
    return _sys_name(_libc.getpeername, sock)


def sys_sendto(sock, data, addr, flags=0):
    """sendto(2) with a raw address."""
    return _errcheck(_libc.sendto(sock.fileno(), data, len(data), flags, addr, len(addr)))


def sys_accept4(sock, flags):
    """accept4(2) without the peer's address; returns the new fd."""
    return _errcheck(_libc.accept4(sock.fileno(), None, None, flags))


def parse_sockaddr(raw):
    """(family, address, port) of a raw struct sockaddr_mytcp."""
    return (int.from_bytes(raw[:2], sys.byteorder), socket.inet_ntoa(raw[4:8]),
            int.from_bytes(raw[2:4], "big"))


def closed_port(addr="127.0.0.1"):
    """A port of addr nobody listens on (bound a moment, then freed)."""
    s = mytcp_socket()
    sys_bind(s, sockaddr(0, addr))
    port = parse_sockaddr(sys_getsockname(s))[2]
    s.close()
    return port


def accept(listener):
    """accept(2) on a mytcp listener; returns a socket object."""
    return socket.socket(fileno=sys_accept(listener))


def listener(addr="127.0.0.1", port=0, backlog=16):
    """A listening mytcp socket; returns (socket, port)."""
    sock = mytcp_socket()
    sys_bind(sock, sockaddr(port, addr))
    sock.listen(backlog)
    return sock, parse_sockaddr(sys_getsockname(sock))[2]


def connect(addr, port, sock=None):
    """A mytcp socket connected to addr:port."""
    sock = sock or mytcp_socket()
    sys_connect(sock, sockaddr(port, addr))
    return sock


def connected_pair(addr="127.0.0.1"):
    """(listener, client, server): a connection over addr."""
    lsk, port = listener(addr)
    cli = connect(addr, port)
    return lsk, cli, accept(lsk)


def proc_rows(path=PROC_NET):
    """Rows of /proc/net/mytcp (or path) as dicts: local, remote (addr, port),
    st, tr, retrnsmt and probes (the timeout column: unanswered probes)."""
    rows = []
    for line in read(path).splitlines()[1:]:
        f = line.split()
        def addr(x):
            a, p = x.split(":")
            return socket.inet_ntoa(int(a, 16).to_bytes(4, sys.byteorder)), int(p, 16)
        rows.append({"local": addr(f[1]), "remote": addr(f[2]), "st": int(f[3], 16),
                     "tr": int(f[5].split(":")[0], 16), "retrnsmt": int(f[6], 16),
                     "probes": int(f[8])})
    return rows


def wait_for(cond, timeout=10.0, step=0.05):
    """Poll cond() until it is true or timeout passes; return its value."""
    import time
    end = time.monotonic() + timeout
    while True:
        v = cond()
        if v or time.monotonic() > end:
            return v
        time.sleep(step)


# State numbers, as in /proc/net/tcp.
ESTABLISHED, SYN_SENT, SYN_RECV, FIN_WAIT1, FIN_WAIT2, TIME_WAIT, CLOSE, \
    CLOSE_WAIT, LAST_ACK, LISTEN, CLOSING = range(1, 12)


def settle(*namespaces, timeout=15.0):
    """Wait, up to timeout, until no connection of the namespaces is still
    delivering its FIN or waiting for its last ACK (FIN-WAIT-1, CLOSING,
    LAST-ACK): call before deleting them.  Such an orphan, once its device
    vanishes, has no route left; it retries until retries2 gives up,
    minutes later, and holds the module meanwhile.  A namespace that does
    not exist counts as settled.  Return: whether they settled."""
    closing = (FIN_WAIT1, CLOSING, LAST_ACK)

    def settled():
        for ns in namespaces:
            try:
                with netns(ns):
                    if any(r["st"] in closing for r in proc_rows()):
                        return False
            except FileNotFoundError:
                pass
        return True
    return wait_for(settled, timeout=timeout)
