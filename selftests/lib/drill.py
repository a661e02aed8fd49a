# SPDX-License-Identifier: GPL-2.0
"""The drill harness: a scripted remote peer for mytcp, over a tun device.

A drill runs in a network namespace of its own.  The kernel under test
owns 192.0.2.1 on a tun device; the script plays 192.0.2.2, the far end
of that device: it injects the segments the peer would send, expects the
segments mytcp sends (flags, sequence and acknowledgment numbers, window,
options, payload length, each within a time window), makes socket calls
and checks their results, sets sysctls and reads /proc/net/mytcp.

The notation follows packetdrill's, so scripts read like its scripts.
A line is a time and an event; a time is absolute from the start of the
script (``1.5``) or relative to the previous event (``+1.5``); times are
seconds.  Relative times of an expected segment count from when it really
arrived, so that waits do not add up small errors.  Events:

``< FLAGS seq:end(len) [ack N] [win N] [<opt,...>]``
    Inject a segment from the peer.  FLAGS are S (SYN), F (FIN), R (RST),
    P (PSH), U (URG) and "." for ACK.  seq and end are relative to the
    peer's initial sequence number (a random number chosen per run), ack
    to mytcp's (absolute while mytcp has sent no SYN).  Options: ``mss N``,
    ``wscale N``, ``sackOK``, ``sack A:B C:D ...`` (SACK blocks, relative
    as ack is in the segments of the peer, as seq in mytcp's), ``TS val
    N ecr N`` (a timestamp option; ``ecr *`` echoes the TSval mytcp sent
    last), ``nop``, ``eol``.
``> FLAGS seq:end(len) [ack N] [win N] [<opt,...>] [newisn]``
    Expect mytcp to send that segment at that time (within the
    tolerance, or anywhere in ``T1~T2``; with ``+T1~T2`` both count from
    the previous event).  Any field written ``*`` is not
    checked, nor the TSval or TSecr of a timestamp option written ``*``;
    options are checked only when written.  mytcp's initial
    sequence number is learned from the first SYN it sends, and again
    from a SYN marked ``newisn`` (a new incarnation); until then numbers
    are absolute (a RST from a closed port has seq 0).
``call(args) [= RESULT | -> NAME]``
    A socket call: socket(), bind(s, port), listen(s, n), accept(s),
    connect(s), write(s, n), read(s, n), shutdown(s, SHUT_WR), close(s),
    nonblock(s), setsockopt(s, OPT, value) and getsockopt(s, OPT).  The
    peer's payload is byte n of its stream = n modulo 251 (n counted from
    its ISN), and read() fails unless it returns the stream's bytes in
    order, each read going on where the last one ended: reordered,
    overlapping or duplicate segments must come out right.  RESULT
    is a number, ``-1 EERRNO``, or an errno name for SO_ERROR; ``-> NAME``
    names a returned socket.  A blocking call is written ``T1...T2 call``
    (``+T1...T2`` counts both from the previous event): it starts at T1
    and must return at T2 while the script goes on.
``proc STATE [retrnsmt=N] [tr=N]`` and ``proc none``
    The /proc/net/mytcp row of the connection is in STATE (LISTEN means
    the listener's row), or there is no row for the connection; within
    0.1 s, since a timer changes the row just after it sends.
``ports KERNEL PEER``
    Go on with another connection: the one between these ports (the
    default is 8080 and 4000).  Each connection keeps its own ISN.
``counter NAME N``
    Counter NAME of /proc/net/mytcp_snmp went up by N since the start.
``isn clock`` and ``isn unrelated``
    The last two ISNs mytcp chose differ by the time between them in
    64 ns ticks (the same 4-tuple), or do not (another 4-tuple).
``silence``
    Nothing is sent until this time.  Segments are never allowed to
    arrive unexpected: every wait checks that, ``silence`` just waits.
``sysctl NAME VALUE``
    Set /proc/sys/net/mytcp/NAME in the drill's namespace.

Lines without a time are set-up: ``sysctl NAME VALUE``, ``tolerance S``,
``ports KERNEL PEER``.  ``#`` starts a comment.

MYTCP_DRILL_TOLERANCE (seconds, default 0.25) widens every time window;
what the kernel does after waiting T seconds may also come T/8 late, the
rounding of the kernel's timer wheel.
MYTCP_DRILL_VERBOSE=1 prints when each segment came and each call returned.
MYTCP_DRILL_TCP=1 plays the scripts against the kernel's own TCP instead
(IP protocol 6, AF_INET sockets, TCP_* socket options of the same
numbers, /proc/net/tcp, the Tcp and TcpExt counters, and sysctl NAME as
net.ipv4.tcp_NAME), to check that what a script expects of mytcp is what
Linux TCP does.  Scripts that use what TCP lacks (mytcp's own counters
or sysctls) fail there by name.

The first mismatch ends the drill with both segments printed.
"""

import errno
import fcntl
import os
import random
import re
import select
import socket
import struct
import threading
import time

import mytcp

KERNEL_ADDR, PEER_ADDR = "192.0.2.1", "192.0.2.2"
STATS_FILE = "/proc/net/mytcp_snmp"
# MYTCP_DRILL_TCP=1: the kernel's TCP plays the part of mytcp.
AGAINST_TCP = os.environ.get("MYTCP_DRILL_TCP") == "1"
PROTO = socket.IPPROTO_TCP if AGAINST_TCP else mytcp.IPPROTO_MYTCP
FAMILY = socket.AF_INET if AGAINST_TCP else mytcp.AF_MYTCP
PROC_FILE = "/proc/thread-self/net/tcp" if AGAINST_TCP else mytcp.PROC_NET
TUNSETIFF = 0x400454ca
IFF_TUN, IFF_NO_PI = 0x0001, 0x1000

FLAG_BITS = {"F": 0x01, "S": 0x02, "R": 0x04, "P": 0x08, ".": 0x10,
             "U": 0x20, "E": 0x40, "W": 0x80}
FLAG_ORDER = "SFRPUEW."

STATES = {"ESTABLISHED": 1, "SYN_SENT": 2, "SYN_RECV": 3, "FIN_WAIT1": 4,
          "FIN_WAIT2": 5, "TIME_WAIT": 6, "CLOSE": 7, "CLOSE_WAIT": 8,
          "LAST_ACK": 9, "LISTEN": 10, "CLOSING": 11}

# Socket options a script may name: (level, option).
SOCKOPTS = {
    "SO_KEEPALIVE": (socket.SOL_SOCKET, socket.SO_KEEPALIVE),
    "SO_ERROR": (socket.SOL_SOCKET, socket.SO_ERROR),
    "SO_RCVBUF": (socket.SOL_SOCKET, socket.SO_RCVBUF),
    "SO_SNDBUF": (socket.SOL_SOCKET, socket.SO_SNDBUF),
    "SO_REUSEADDR": (socket.SOL_SOCKET, socket.SO_REUSEADDR),
    "SO_LINGER": (socket.SOL_SOCKET, socket.SO_LINGER),
    "MYTCP_NODELAY": (mytcp.SOL_MYTCP, 1),
    "MYTCP_MAXSEG": (mytcp.SOL_MYTCP, 2),
    "MYTCP_KEEPIDLE": (mytcp.SOL_MYTCP, 4),
    "MYTCP_KEEPINTVL": (mytcp.SOL_MYTCP, 5),
    "MYTCP_KEEPCNT": (mytcp.SOL_MYTCP, 6),
    "MYTCP_SYNCNT": (mytcp.SOL_MYTCP, 7),
    "MYTCP_LINGER2": (mytcp.SOL_MYTCP, 8),
    "MYTCP_USER_TIMEOUT": (mytcp.SOL_MYTCP, 18),
}
SHUTS = {"SHUT_RD": socket.SHUT_RD, "SHUT_WR": socket.SHUT_WR,
         "SHUT_RDWR": socket.SHUT_RDWR}


def timer_slack(length):
    """How late a kernel timer of `length` seconds may fire.

    The timer wheel rounds an expiry up to the granularity of its level,
    at most an eighth of the time to go; mytcp's timers, like TCP's, are
    wheel timers.
    """
    return max(0.0, length) / 8


STREAM_PATTERN = bytes(range(251))


def stream_bytes(seq, length):
    """The payload the peer sends at relative sequence number seq.

    Byte n of the peer's stream is n modulo 251 (a prime, so that no
    power-of-two slip goes unnoticed); read() checks what it gets.
    """
    start = seq % 251
    return (STREAM_PATTERN * ((start + length) // 251 + 1))[start:start + length]


class DrillError(AssertionError):
    """A drill did not go as its script says."""

    plain = True    # the message says it all: no traceback


class Segment:
    """One segment, with its numbers as sent on the wire."""

    def __init__(self, flags, seq, ack, win, options=b"", payload=b"",
                 sport=0, dport=0):
        self.flags, self.seq, self.ack, self.win = flags, seq, ack, win
        self.options, self.payload = options, payload
        self.sport, self.dport = sport, dport

    def pack(self, src, dst):
        """The segment in an IPv4 packet from src to dst."""
        seg = mytcp.segment(self.sport, self.dport, self.seq, self.ack, self.flags,
                            self.payload, window=self.win, src=src, dst=dst,
                            options=self.options, proto=PROTO)
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(seg),
                         random.getrandbits(16), 0x4000, 64,
                         PROTO, 0, socket.inet_aton(src),
                         socket.inet_aton(dst))
        ip = ip[:10] + struct.pack("!H", mytcp.inet_checksum(ip)) + ip[12:]
        return ip + seg


def parse_ip_packet(pkt):
    """(src, dst, Segment) of an IPv4 mytcp packet, or None for others.

    Raises DrillError when mytcp sent something malformed.
    """
    if len(pkt) < 20 or pkt[0] >> 4 != 4 or pkt[9] != PROTO:
        return None
    ihl = (pkt[0] & 15) * 4
    total = struct.unpack("!H", pkt[2:4])[0]
    src, dst = socket.inet_ntoa(pkt[12:16]), socket.inet_ntoa(pkt[16:20])
    seg = pkt[ihl:total]
    if len(seg) < 20:
        raise DrillError("mytcp sent a %d-byte segment" % len(seg))
    sport, dport, seq, ack, off, flags, win, _csum, _urg = struct.unpack(
        "!HHIIBBHHH", seg[:20])
    doff = (off >> 4) * 4
    if doff < 20 or doff > len(seg):
        raise DrillError("mytcp sent a segment with data offset %d" % doff)
    pseudo = pkt[12:20] + struct.pack("!BBH", 0, PROTO, len(seg))
    if mytcp.inet_checksum(pseudo + seg) != 0:
        raise DrillError("mytcp sent a segment with a bad checksum")
    return src, dst, Segment(flags, seq, ack, win, seg[20:doff], seg[doff:],
                             sport, dport)


def set_sysctl(name, value):
    """sysctl NAME VALUE: mytcp's, or TCP's tcp_NAME against TCP."""
    if AGAINST_TCP:
        mytcp.write("/proc/sys/net/ipv4/tcp_" + name, value)
    else:
        mytcp.write(os.path.join(mytcp.SYSCTL_DIR, name), value)


def format_flags(bits):
    return "".join(c for c in FLAG_ORDER if bits & FLAG_BITS[c]) or "-"


def parse_options(text):
    """Bytes of an option list such as "mss 1460,nop,wscale 7"."""
    out = b""
    for item in filter(None, (x.strip() for x in text.split(","))):
        words = item.split()
        if words[0] == "mss":
            out += struct.pack("!BBH", 2, 4, int(words[1]))
        elif words[0] == "wscale":
            out += struct.pack("!BBB", 3, 3, int(words[1]))
        elif words[0] == "sackOK":
            out += b"\4\2"
        elif words[0] == "sack":
            edges = [int(x) for w in words[1:] for x in w.split(":")]
            if not edges or len(edges) % 2:
                raise DrillError("bad SACK blocks %r" % item)
            out += struct.pack("!BB%dI" % len(edges), 5, 2 + 4 * len(edges), *edges)
        elif words[0] == "TS" and len(words) == 5 and words[1] == "val" and \
                words[3] == "ecr":
            out += struct.pack("!BBII", 8, 10, *(0 if w == "*" else int(w)
                                                 for w in (words[2], words[4])))
        elif words[0] == "nop":
            out += b"\1"
        elif words[0] == "eol":
            out += b"\0"
        else:
            raise DrillError("unknown option %r" % item)
    return out


def ts_wildcards(text):
    """(TSval, TSecr) of the timestamp option in text: True where "*"."""
    for item in (x.split() for x in text.split(",")):
        if item and item[0] == "TS" and len(item) == 5:
            return item[2] == "*", item[4] == "*"
    return False, False


def ts_offset(raw):
    """Where the timestamp option starts in option bytes, or None."""
    i = 0
    while i < len(raw):
        kind = raw[i]
        if kind == 0:
            return None
        if kind == 1:
            i += 1
            continue
        size = raw[i + 1] if i + 1 < len(raw) else 0
        if size < 2:
            return None
        if kind == 8 and size == 10 and i + 10 <= len(raw):
            return i
        i += size
    return None


def get_ts(raw):
    """(TSval, TSecr) of option bytes, or None."""
    i = ts_offset(raw)
    return None if i is None else struct.unpack("!II", raw[i + 2:i + 10])


def set_ts(raw, val=None, ecr=None):
    """Option bytes with TSval and/or TSecr replaced (None: kept)."""
    i = ts_offset(raw)
    if i is None:
        return raw
    out = bytearray(raw)
    if val is not None:
        out[i + 2:i + 6] = struct.pack("!I", val)
    if ecr is not None:
        out[i + 6:i + 10] = struct.pack("!I", ecr)
    return bytes(out)


def shift_sack(raw, base):
    """Option bytes with base added to each SACK block edge (mod 2^32)."""
    out, i = bytearray(raw), 0
    while i < len(out):
        kind = out[i]
        if kind == 0:
            break
        if kind == 1:
            i += 1
            continue
        size = out[i + 1] if i + 1 < len(out) else 0
        if size < 2:
            break
        if kind == 5 and base is not None:
            for j in range(i + 2, i + size - 3, 4):
                edge = struct.unpack("!I", out[j:j + 4])[0]
                out[j:j + 4] = struct.pack("!I", (edge + base) & 0xffffffff)
        i += size
    return bytes(out)


def format_options(raw, base=None):
    """An option list in the script's notation, from its bytes.

    SACK block edges are shown relative to base when it is known.
    """
    items, i = [], 0
    while i < len(raw):
        kind = raw[i]
        if kind == 0:
            break
        if kind == 1:
            items.append("nop")
            i += 1
            continue
        size = raw[i + 1] if i + 1 < len(raw) else 0
        if size < 2:
            items.append("bad option %d" % kind)
            break
        body = raw[i + 2:i + size]
        if kind == 2 and size == 4:
            items.append("mss %d" % struct.unpack("!H", body)[0])
        elif kind == 3 and size == 3:
            items.append("wscale %d" % body[0])
        elif kind == 4 and size == 2:
            items.append("sackOK")
        elif kind == 8 and size == 10:
            items.append("TS val %d ecr %d" % struct.unpack("!II", body))
        elif kind == 5 and size % 8 == 2:
            edges = [(struct.unpack("!I", body[j:j + 4])[0] - (base or 0)) & 0xffffffff
                     for j in range(0, len(body), 4)]
            items.append("sack " + " ".join("%d:%d" % (edges[j], edges[j + 1])
                                            for j in range(0, len(edges), 2)))
        else:
            items.append("opt%d:%s" % (kind, body.hex()))
        i += size
    return ",".join(items)


class PacketSpec:
    """A segment line of a script: `< ...` or `> ...`."""

    RE = re.compile(r"^([SFRPUEW.]+)\s+(\*|\d+):(\*|\d+)\((\*|\d+)\)"
                    r"(?:\s+ack\s+(\*|\d+))?(?:\s+win\s+(\*|\d+))?"
                    r"(?:\s+<([^>]*)>)?(\s+newisn)?\s*$")

    def __init__(self, text):
        m = self.RE.match(text)
        if not m:
            raise DrillError("cannot read segment %r" % text)
        self.text = text
        self.flags = sum(FLAG_BITS[c] for c in m.group(1))

        def num(x):
            return None if x is None or x == "*" else int(x)
        self.seq, self.end, self.len = num(m.group(2)), num(m.group(3)), num(m.group(4))
        if None not in (self.seq, self.end, self.len) and self.end - self.seq != self.len:
            raise DrillError("%r: end - seq is not the length" % text)
        self.ack = num(m.group(5))
        self.win = num(m.group(6))
        self.options = None if m.group(7) is None else parse_options(m.group(7))
        self.ts_any = ts_wildcards(m.group(7) or "")
        self.newisn = bool(m.group(8))


class Event:
    def __init__(self, lineno, text, t, rel):
        self.lineno, self.text, self.t, self.rel = lineno, text, t, rel
        self.t2 = self.block_end = None


TIME_RE = re.compile(r"^(\+?)(\d+(?:\.\d*)?)(?:(~|\.\.\.)(\+?)(\d+(?:\.\d*)?))?\s+(.*)$")


def parse_script(text):
    """(set-up lines, events) of a script."""
    setup, events = [], []
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        m = TIME_RE.match(line)
        if not m:
            setup.append((lineno, line))
            continue
        rel, t, sep, rel2, t2, body = m.groups()
        ev = Event(lineno, body, float(t), bool(rel))
        if rel2:
            raise DrillError("line %d: the end of a range takes no +" % lineno)
        if sep == "~":
            ev.t2 = float(t2)
        elif sep == "...":
            ev.block_end = float(t2)
        events.append(ev)
    return setup, events


class Drill:
    """One run of one script."""

    runs = 0

    def __init__(self, name, text, tolerance=None, log=print):
        self.name, self.log = name, log
        self.setup, self.events = parse_script(text)
        self.tol = tolerance if tolerance is not None else float(
            os.environ.get("MYTCP_DRILL_TOLERANCE", "0.25"))
        self.kport, self.pport = 8080, 4000
        self.peer_isn = random.getrandbits(32)
        self.kernel_isn = None
        self.kernel_tsval = 0       # the TSval mytcp sent last
        self.socks = {}
        self.read_pos = {}      # socket: the next byte read() must return
        self.isns = {}
        self.isn_log = []
        self.pending = []
        self.verbose = bool(os.environ.get("MYTCP_DRILL_VERBOSE"))
        Drill.runs += 1
        self.ns = "drill%d-%d" % (os.getpid(), Drill.runs)

    def trace(self, line):
        """Report what happened when, with MYTCP_DRILL_VERBOSE set."""
        if self.verbose:
            self.log("# " + line)

    # --- time -----------------------------------------------------------

    def now(self):
        return time.monotonic() - self.start

    def fail(self, ev, what):
        raise DrillError("%s:%d: `%s`: %s" % (self.name, ev.lineno, ev.text, what))

    # --- the tun device ---------------------------------------------------

    def open_tun(self):
        if not os.path.exists("/dev/net/tun"):
            mytcp.run("modprobe", "tun")
        fd = os.open("/dev/net/tun", os.O_RDWR)
        fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", b"drill0", IFF_TUN | IFF_NO_PI))
        self.tun = fd
        mytcp.run("ip", "-n", self.ns, "addr", "add", KERNEL_ADDR + "/24", "dev", "drill0")
        mytcp.run("ip", "-n", self.ns, "link", "set", "drill0", "up")

    def receive(self, deadline):
        """The next mytcp segment from the kernel, or None at deadline."""
        while True:
            left = deadline - self.now()
            if left <= 0:
                return None, None
            r, _, _ = select.select([self.tun], [], [], left)
            if not r:
                return None, None
            pkt = os.read(self.tun, 65536)
            at = self.now()
            parsed = parse_ip_packet(pkt)
            if parsed is None:
                continue
            src, dst, seg = parsed
            if src != KERNEL_ADDR or dst != PEER_ADDR:
                raise DrillError("mytcp sent %s -> %s" % (src, dst))
            return seg, at

    def drain_until(self, ev, t):
        """Wait until script time t; any segment on the way is a failure."""
        seg, at = self.receive(t)
        if seg is not None:
            self.fail(ev, "unexpected segment at %.3f: %s" % (at, self.show(seg)))

    # --- segments -----------------------------------------------------------

    def rel(self, value, base):
        """value relative to base; the value itself while base is unknown."""
        return value if base is None else (value - base) & 0xffffffff

    def show(self, seg):
        """A sent segment in the script's notation."""
        seq = self.rel(seg.seq, self.kernel_isn)
        s = "> %s %d:%d(%d)" % (format_flags(seg.flags), seq,
                                (seq + len(seg.payload)) & 0xffffffff,
                                len(seg.payload))
        if seg.flags & FLAG_BITS["."]:
            s += " ack %d" % self.rel(seg.ack, self.peer_isn)
        s += " win %d" % seg.win
        if seg.options:
            s += " <%s>" % format_options(seg.options, self.peer_isn)
        if (seg.sport, seg.dport) != (self.kport, self.pport):
            s += " (ports %d>%d)" % (seg.sport, seg.dport)
        return s

    def inject(self, ev):
        spec = PacketSpec(ev.text[1:].strip())
        if spec.seq is None or spec.len is None:
            self.fail(ev, "an injected segment needs its numbers")
        ack = 0
        if spec.ack is not None:
            ack = (spec.ack + (self.kernel_isn or 0)) & 0xffffffff
        if spec.ts_any[0]:
            self.fail(ev, "an injected timestamp needs its TSval")
        opts = shift_sack(spec.options or b"", self.kernel_isn or 0)
        if spec.ts_any[1]:
            opts = set_ts(opts, ecr=self.kernel_tsval)
        seg = Segment(spec.flags, (self.peer_isn + spec.seq) & 0xffffffff, ack,
                      65535 if spec.win is None else spec.win, opts,
                      stream_bytes(spec.seq, spec.len),
                      self.pport, self.kport)
        os.write(self.tun, seg.pack(PEER_ADDR, KERNEL_ADDR))

    def expect(self, ev, t, t2, last):
        spec = PacketSpec(ev.text[1:].strip())
        late = t2 + self.tol + timer_slack(t2 - last)
        seg, at = self.receive(late)
        if seg is None:
            self.fail(ev, "nothing sent by %.3f" % late)
        if at < t - self.tol:
            self.fail(ev, "sent too early, at %.3f, expected at %.3f: %s" % (
                at, t, self.show(seg)))
        if seg.flags & FLAG_BITS["S"] and (self.kernel_isn is None or spec.newisn):
            if spec.seq is not None:
                self.kernel_isn = (seg.seq - spec.seq) & 0xffffffff
                self.note_isn(seg, at)
        self.trace("%.3f %s" % (at, self.show(seg)))
        ts = get_ts(seg.options)
        if ts:
            self.kernel_tsval = ts[0]
        problems = []
        if (seg.sport, seg.dport) != (self.kport, self.pport):
            problems.append("ports")
        if seg.flags != spec.flags:
            problems.append("flags")
        if spec.seq is not None and self.rel(seg.seq, self.kernel_isn) != spec.seq:
            problems.append("seq")
        if spec.len is not None and len(seg.payload) != spec.len:
            problems.append("length")
        if spec.ack is not None and self.rel(seg.ack, self.peer_isn) != spec.ack:
            problems.append("ack")
        if spec.win is not None and seg.win != spec.win:
            problems.append("window")
        if spec.options is not None:
            want = shift_sack(spec.options, self.peer_isn)
            if ts:
                want = set_ts(want, ts[0] if spec.ts_any[0] else None,
                              ts[1] if spec.ts_any[1] else None)
            if seg.options.rstrip(b"\0") != want:
                problems.append("options")
        if problems:
            self.fail(ev, "%s differ: at %.3f mytcp sent\n    %s" % (
                ", ".join(problems), at, self.show(seg)))
        return at

    # --- socket calls -------------------------------------------------------------

    CALL_RE = re.compile(r"^(\w+)\(([^)]*)\)\s*(?:(=|->)\s*(.*))?$")

    def sock(self, ev, name):
        if name not in self.socks:
            self.fail(ev, "no socket named %r" % name)
        return self.socks[name]

    def value(self, ev, word):
        if re.fullmatch(r"-?\d+", word):
            return int(word)
        if word in SHUTS:
            return SHUTS[word]
        self.fail(ev, "cannot read %r" % word)

    def do_call(self, ev, name, args):
        """Perform a socket call; return its result (raises OSError)."""
        if name == "socket":
            if AGAINST_TCP:
                return socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            return mytcp.mytcp_socket()
        s = self.sock(ev, args[0])
        rest = [self.value(ev, a) for a in args[1:]] if name not in (
            "setsockopt", "getsockopt") else args[1:]
        if name == "bind":
            return mytcp.sys_bind(s, mytcp.sockaddr(rest[0], KERNEL_ADDR, FAMILY))
        if name == "listen":
            s.listen(rest[0])
            return 0
        if name == "accept":
            return socket.socket(fileno=mytcp.sys_accept(s))
        if name == "connect":
            return mytcp.sys_connect(s, mytcp.sockaddr(self.pport, PEER_ADDR, FAMILY))
        if name == "write":
            return s.send(b"d" * rest[0])
        if name == "read":
            data = s.recv(rest[0])
            # The first read may start anywhere (a new incarnation's ISN
            # is another); each one after goes on from the one before.
            pos = self.read_pos.get(s, data[0] if data else 0)
            if data != stream_bytes(pos, len(data)):
                raise DrillError("line %d: read %d bytes that are not the peer's stream "
                                 "going on from the last read" % (ev.lineno, len(data)))
            self.read_pos[s] = (pos + len(data)) % 251
            return len(data)
        if name == "shutdown":
            s.shutdown(rest[0])
            return 0
        if name == "close":
            s.close()
            return 0
        if name == "nonblock":
            s.setblocking(False)
            return 0
        if name in ("setsockopt", "getsockopt"):
            if args[1] not in SOCKOPTS:
                self.fail(ev, "unknown option %s" % args[1])
            level, opt = SOCKOPTS[args[1]]
            if AGAINST_TCP and level == mytcp.SOL_MYTCP:
                level = socket.IPPROTO_TCP  # TCP_* has the same numbers
            if name == "getsockopt":
                return s.getsockopt(level, opt)
            if args[1] == "SO_LINGER":
                val = struct.pack("ii", int(args[2]), int(args[3]))
            else:
                val = int(args[2])
            s.setsockopt(level, opt, val)
            return 0
        self.fail(ev, "unknown call %s" % name)

    def start_call(self, ev, t_end):
        m = self.CALL_RE.match(ev.text)
        if not m:
            self.fail(ev, "cannot read this line")
        name, argtext, op, want = m.groups()
        args = [a.strip() for a in argtext.split(",") if a.strip()]
        box = {}

        def runner():
            try:
                box["ret"] = self.do_call(ev, name, args)
            except OSError as e:
                box["err"] = e.errno
            except Exception as e:  # noqa: BLE001 - reported by check_call
                box["exc"] = e
            box["at"] = self.now()
        th = threading.Thread(target=runner, daemon=True)
        th.start()
        return (ev, th, box, name, args, op, want, t_end, self.now())

    def check_call(self, call):
        ev, th, box, name, args, op, want, t_end, t_start = call
        late = t_end + self.tol + timer_slack(t_end - t_start)
        th.join(max(0.0, late - self.now()))
        if th.is_alive():
            self.fail(ev, "still blocked at %.3f" % self.now())
        if "exc" in box:
            raise box["exc"]
        self.trace("%.3f %s returned" % (box["at"], ev.text))
        if box["at"] > late:
            self.fail(ev, "returned late, at %.3f, expected %.3f" % (box["at"], t_end))
        if box["at"] < t_end - self.tol:
            self.fail(ev, "returned too early, at %.3f, expected %.3f" % (box["at"], t_end))
        if name == "close" and args[0] in self.socks:
            del self.socks[args[0]]
        got = ("-1 " + errno.errorcode.get(box["err"], str(box["err"]))
               if "err" in box else box["ret"])
        if op == "->":
            if "err" in box:
                self.fail(ev, "failed with %s" % got)
            self.socks[want.strip()] = box["ret"]
            return
        if op is None:
            if "err" in box:
                self.fail(ev, "failed with %s" % got)
            return
        want = want.strip()
        if re.fullmatch(r"E[A-Z0-9]+", want):
            ok = "err" not in box and box["ret"] == getattr(errno, want, None)
            if not ok and "err" not in box:
                got = errno.errorcode.get(box["ret"], box["ret"]) or 0
        elif want.startswith("-1 "):
            ok = got == want
        else:
            ok = "err" not in box and box["ret"] == int(want)
        if not ok:
            self.fail(ev, "returned %s" % (got,))

    def settle(self, before):
        """Check the blocking calls due before script time `before`.

        A call is checked once its time and the tolerance have passed, so
        that the events that make it return can happen first.
        """
        for call in [c for c in self.pending
                     if c[7] + self.tol + timer_slack(c[7] - c[8]) < before]:
            self.pending.remove(call)
            self.check_call(call)

    # --- connections, counters, ISNs ------------------------------------------

    def switch_ports(self, kport, pport):
        """Go on with the connection kport <-> pport, each with its ISN."""
        self.isns[(self.kport, self.pport)] = self.kernel_isn
        self.kport, self.pport = kport, pport
        self.kernel_isn = self.isns.get((kport, pport))

    def counters(self):
        """The namespace's counters by name: mytcp_snmp, or TCP's Tcp and TcpExt."""
        if AGAINST_TCP:
            lines = (mytcp.read("/proc/thread-self/net/snmp") +
                     mytcp.read("/proc/thread-self/net/netstat")).splitlines()
            lines = [line for line in lines if line.startswith(("Tcp:", "TcpExt:"))]
        else:
            lines = mytcp.read(STATS_FILE).splitlines()
        values = {}
        for names, nums in zip(lines[0::2], lines[1::2]):
            values.update(zip(names.split()[1:], map(int, nums.split()[1:])))
        return values

    def check_counter(self, ev, name, want):
        now = self.counters()
        if name not in now:
            self.fail(ev, "no counter %s" % name)
        got = now[name] - self.counters0.get(name, 0)
        if got != want:
            self.fail(ev, "%s went up by %d" % (name, got))

    def note_isn(self, seg, at):
        """Remember when mytcp chose which ISN, for `isn` checks."""
        self.isn_log.append((self.kernel_isn, at))

    def check_isn(self, ev, how):
        """The last two ISNs mytcp chose, against RFC 6528's clock.

        ``clock``: they differ by the time between them in 64 ns ticks
        (the same 4-tuple: the same hash).  ``unrelated``: they do not
        (another 4-tuple: another hash).
        """
        if len(self.isn_log) < 2:
            self.fail(ev, "needs two SYNs from mytcp")
        (a, ta), (b, tb) = self.isn_log[-2:]
        ticks = ((b - a) & 0xffffffff) * 64e-9
        near = abs(ticks - (tb - ta)) <= self.tol
        if how == "clock" and not near:
            self.fail(ev, "ISN grew by %.3f s of clock in %.3f s" % (ticks, tb - ta))
        if how == "unrelated" and near:
            self.fail(ev, "ISN grew by the clock alone (%.3f s in %.3f s)" % (
                ticks, tb - ta))
        if how not in ("clock", "unrelated"):
            self.fail(ev, "isn clock or isn unrelated")

    # --- /proc/net/mytcp --------------------------------------------------------

    # A timer that sends a segment changes the connection's state or
    # rearms itself just after: the row may lag the segment a moment.
    PROC_SETTLE = 0.1

    def check_proc(self, ev, words):
        if words[0] not in STATES and words[0] not in ("none", "LISTEN"):
            self.fail(ev, "unknown state %s" % words[0])
        end = time.monotonic() + self.PROC_SETTLE
        while True:
            wrong = self.proc_mismatch(words)
            if not wrong:
                return
            if time.monotonic() > end:
                self.fail(ev, wrong)
            time.sleep(0.005)

    def proc_mismatch(self, words):
        """What differs between /proc/net/mytcp and `proc WORDS`, or None."""
        rows = mytcp.proc_rows(PROC_FILE)
        if words[0] == "LISTEN":
            mine = [r for r in rows if r["local"][1] == self.kport and r["st"] == mytcp.LISTEN]
        else:
            mine = [r for r in rows if r["local"] == (KERNEL_ADDR, self.kport)
                    and r["remote"] == (PEER_ADDR, self.pport)]
        if words[0] == "none":
            return "rows remain: %s" % mine if mine else None
        if len(mine) != 1 or mine[0]["st"] != STATES[words[0]]:
            return "rows are %s" % (mine or rows)
        for w in words[1:]:
            key, val = w.split("=")
            if mine[0][key] != int(val):
                return "%s is %d" % (key, mine[0][key])
        return None

    # --- the script ------------------------------------------------------------

    def run_setup(self):
        for lineno, line in self.setup:
            words = line.split()
            ev = Event(lineno, line, 0, False)
            if words[0] == "sysctl" and len(words) == 3:
                set_sysctl(words[1], words[2])
            elif words[0] == "tolerance" and len(words) == 2:
                self.tol = max(self.tol, float(words[1]))
            elif words[0] == "ports" and len(words) == 3:
                self.switch_ports(int(words[1]), int(words[2]))
            else:
                self.fail(ev, "unknown set-up line")

    def run_event(self, ev, t, t2, last):
        text = ev.text
        if text.startswith("<"):
            self.drain_until(ev, t)
            self.inject(ev)
            return t
        if text.startswith(">"):
            return self.expect(ev, t, t2, last)
        self.drain_until(ev, t)
        words = text.split()
        if words[0] == "proc":
            self.check_proc(ev, words[1:])
        elif words[0] == "silence":
            pass
        elif words[0] == "sysctl":
            set_sysctl(words[1], words[2])
        elif words[0] == "ports" and len(words) == 3:
            self.switch_ports(int(words[1]), int(words[2]))
        elif words[0] == "counter" and len(words) == 3:
            self.check_counter(ev, words[1], int(words[2]))
        elif words[0] == "isn" and len(words) == 2:
            self.check_isn(ev, words[1])
        else:
            end = t
            if ev.block_end is not None:
                end = ev.block_end + (t - ev.t)
            call = self.start_call(ev, end)
            if ev.block_end is None:
                self.check_call(call)
            else:
                self.pending.append(call)
        return t

    def run(self):
        mytcp.add_netns(self.ns)
        try:
            with mytcp.netns(self.ns):
                # No IPv6 chatter (router solicitations) on the device.
                v6 = "/proc/sys/net/ipv6/conf/default/disable_ipv6"
                if os.path.exists(v6):
                    mytcp.write(v6, "1")
                self.open_tun()
                self.run_setup()
                self.counters0 = self.counters()
                self.start = time.monotonic()
                last = 0.0
                for ev in self.events:
                    t = ev.t + (last if ev.rel else 0)
                    base = last if ev.rel else 0
                    t2 = t if ev.t2 is None else ev.t2 + base
                    self.settle(t)
                    last = self.run_event(ev, t, t2, last)
                self.settle(float("inf"))
                self.abort_all()
        finally:
            # After a failure too: no orphan may outlive the drill.
            for s in list(self.socks.values()):
                try:
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    s.close()
                except OSError:
                    pass
            if hasattr(self, "tun"):
                os.close(self.tun)
            mytcp.del_netns(self.ns)

    def abort_all(self):
        """Reset what the script left open; check nothing else is left.

        A socket still open is closed with a zero linger (a RST), so that
        no orphan outlives the drill, pins the module and retransmits
        into a namespace that is gone.  A connection the script closed
        itself must have finished, or wait in TIME-WAIT (which namespace
        exit ends).
        """
        for name, s in list(self.socks.items()):
            try:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                s.close()
            except OSError:
                pass
            del self.socks[name]

        def leftovers():
            return [r for r in mytcp.proc_rows(PROC_FILE) if r["st"] != mytcp.TIME_WAIT]
        left = mytcp.wait_for(lambda: not leftovers(), timeout=2)
        if not left:
            raise DrillError("%s: connections left behind: %s" % (self.name, leftovers()))
