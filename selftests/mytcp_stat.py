#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""mytcp_stat.py - tools/mytcpstat against known sockets and files.

Sets up listeners, connections and TIME-WAIT entries over loopback and in
a namespace of their own, runs the mytcpstat binary built on the host
(build/mytcpstat/mytcpstat of this repository: "make tools") and checks
its text and JSON output, its counter deltas, -N, and that it fails with a
message when the module is not loaded or a file is malformed (fake files
through MYTCPSTAT_PROC_DIR).  Also checks the columns of /proc/net/mytcp
that only mytcpstat reads.

The tracepoints: the raw events in a tracefs instance of our own, with
their fields, for a RST from a closed port, a lost SYN, a lost SYN-ACK
and SYN cookies good and forged (drills play the peer); and "mytcpstat
trace": the ladder and JSON of a connection between two namespaces over
veth (both ends local: one ladder), and of a drill's (one end local).
And the kernel's skb:kfree_skb: a clean exchange reports no drop from
mytcp, a SYN to a closed port does.
"""

import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from mytcp import (PROC_NET, SYSCTL_DIR, add_netns, check, connect,  # noqa: E402
                   connected_pair, del_netns, listener, load_module, main,
                   netns, parse_sockaddr, read, sys_getsockname, test,
                   unload_module, wait_for, write, accept, veth_pair,
                   closed_port, mytcp_socket, module_loaded, ADDR1, ADDR2,
                   proc_rows, TIME_WAIT)
import drill  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(REPO, "build", "mytcpstat", "mytcpstat")
LO = "127.0.0.1"
NS = "mts-a"
HEADER = ("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when "
          "retrnsmt   uid  timeout inode")


def stat(*args, env=None, rc=0):
    """Run mytcpstat; check its exit status; return (stdout, stderr)."""
    check(os.access(BIN, os.X_OK), "%s is not built (make tools)" % BIN)
    e = dict(os.environ)
    e.pop("MYTCPSTAT_PROC_DIR", None)
    e.update(env or {})
    r = subprocess.run([BIN] + list(args), capture_output=True, text=True,
                       env=e, timeout=60)
    check(r.returncode == rc, "mytcpstat %s: exit %d, expected %d; stderr: %s" % (
        " ".join(args), r.returncode, rc, r.stderr.strip()))
    return r.stdout, r.stderr


def stat_json(*args, env=None):
    out, _ = stat("--json", *args, env=env)
    try:
        return json.loads(out)
    except ValueError as e:
        raise AssertionError("not JSON (%s): %r" % (e, out))


def text_rows(out):
    """The socket lines of text output, split in words (header checked)."""
    lines = out.splitlines()
    check(lines and lines[0].split()[:3] == ["State", "Recv-Q", "Send-Q"],
          "bad header: %r" % out)
    return [line.split() for line in lines[1:] if not line.startswith("\t")]


def local_port(sock):
    return parse_sockaddr(sys_getsockname(sock))[2]


def find(socks, state, lport, rport=None):
    return [s for s in socks if s["state"] == state and s["local"]["port"] == lport
            and (rport is None or s["peer"]["port"] == rport)]


@test
def module_not_loaded():
    unload_module()
    check(not os.path.exists(PROC_NET), "%s still there" % PROC_NET)
    for args in ((), ("-s",), ("-a", "--json")):
        out, err = stat(*args, rc=1)
        check(out == "", "output without the module: %r" % out)
        check("mytcp module loaded" in err, "unclear message: %r" % err)
    load_module()


def fake_dir(mytcp=None, snmp=None):
    d = tempfile.mkdtemp(prefix="mts-")
    if mytcp is not None:
        write(os.path.join(d, "mytcp"), mytcp)
    if snmp is not None:
        write(os.path.join(d, "mytcp_snmp"), snmp)
    return d


def pad(line):
    return line.ljust(149) + "\n"


# A listener, a half-open entry, a connection and a TIME-WAIT entry, as
# the module prints them (addresses in the byte order of this machine).
def hexaddr(a):
    return "%08X" % int.from_bytes(socket.inet_aton(a), sys.byteorder)


FAKE = "".join(pad(line) for line in [
    HEADER,
    "   0: 00000000:1388 00000000:0000 0A 00000000:00000002 00:00000000 "
    "00000000     0        0 1066 2 0000000000000000 100 0 0 0 0",
    "   1: %s:1388 %s:9C40 03 00000000:00000000 01:00000064 00000001     0"
    "        0 0 0 0000000000000000" % (hexaddr(LO), hexaddr("10.1.2.3")),
    "   2: %s:9C41 %s:1388 01 00000010:00000005 01:00000014 00000002  1000"
    "        0 2066 3 0000000000000000 20 0 0 2 -1" % (hexaddr(LO), hexaddr(LO)),
    "   3: %s:9C42 %s:1388 06 00000000:00000000 03:00000BB8 00000000     0"
    "        0 0 1 0000000000000000" % (hexaddr(LO), hexaddr(LO)),
])
FAKE_SNMP = ("Mytcp: ActiveOpens PassiveOpens\nMytcp: 3 4\n"
             "MytcpExt: TW\nMytcpExt: 7\n")


@test
def parses_known_file():
    """Every column of a fake file lands where it belongs."""
    d = fake_dir(FAKE, FAKE_SNMP)
    env = {"MYTCPSTAT_PROC_DIR": d, "MYTCPSTAT_HISTORY": os.path.join(d, "h")}
    rows = text_rows(stat("-a", "-e", env=env)[0])
    check(rows[0][:5] == ["LISTEN", "2", "0", "0.0.0.0:5000", "0.0.0.0:*"], rows[0])
    check(rows[1][:5] == ["SYN-RECV", "0", "0", "127.0.0.1:5000", "10.1.2.3:40000"],
          rows[1])
    check(rows[1][5] == "timer:(on,1.000sec,1)", rows[1])
    check(rows[2][:5] == ["ESTAB", "5", "16", "127.0.0.1:40001", "127.0.0.1:5000"],
          rows[2])
    check(rows[2][5:8] == ["timer:(on,200ms,2)", "uid:1000", "ino:2066"], rows[2])
    check(rows[3][:6] == ["TIME-WAIT", "0", "0", "127.0.0.1:40002", "127.0.0.1:5000",
                          "timer:(timewait,30sec,0)"], rows[3])
    # The default shows connections only, as ss does.
    check([r[0] for r in text_rows(stat(env=env)[0])] == ["ESTAB"], "default")
    check([r[0] for r in text_rows(stat("-l", env=env)[0])] == ["LISTEN"], "-l")
    j = stat_json("-a", "-e", "-i", env=env)["sockets"]
    check(len(j) == 4, j)
    check(j[2]["cwnd"] == 2 and j[2]["ssthresh"] is None and j[2]["rto_ms"] == 200
          and j[2]["ato_ms"] == 0 and j[2]["recv_q"] == 5 and j[2]["send_q"] == 16
          and j[2]["timer"] == {"name": "on", "expires_ms": 200, "retrans": 2}, j[2])
    check(j[0]["cwnd"] == 0 and j[0]["rto_ms"] == 1000, j[0])
    check("cwnd" not in j[1] and "cwnd" not in j[3], "internals of short rows")
    check(j[3]["timer"]["expires_ms"] == 30000, j[3])
    c = stat_json("-s", env=env)["counters"]
    check(c == {"MytcpActiveOpens": {"value": 3, "delta": 3},
                "MytcpPassiveOpens": {"value": 4, "delta": 4},
                "MytcpExtTW": {"value": 7, "delta": 7}}, c)
    write(os.path.join(d, "mytcp_snmp"), FAKE_SNMP.replace("3 4", "5 4"))
    c = stat_json("-s", env=env)["counters"]
    check(c["MytcpActiveOpens"] == {"value": 5, "delta": 2}, c)
    check(c["MytcpExtTW"] == {"value": 7, "delta": 0}, c)


@test
def malformed_files():
    bad = {
        "header": FAKE.replace("  sl  local", "  sl local"),
        "address": FAKE.replace(":9C41 ", ":9C4 "),
        "state": FAKE.replace(" 0A ", " 0Z "),
        "columns": FAKE.replace(" 20 0 0 2 -1", " 20 0 0 2"),
        "number": FAKE.replace(" 1066 ", " 10x6 "),
        "queue": FAKE.replace("00000010:00000005", "00000010"),
        "empty": "",
    }
    for what, text in bad.items():
        d = fake_dir(mytcp=text)
        _, err = stat("-a", env={"MYTCPSTAT_PROC_DIR": d}, rc=1)
        check("malformed" in err or "empty" in err, "%s: %r" % (what, err))
    bad_snmp = {
        "values": "Mytcp: A B\nMytcp: 1\n",
        "odd": "Mytcp: A B\n",
        "group": "Mytcp: A\nMytcpExt: 1\n",
        "number": "Mytcp: A\nMytcp: x\n",
    }
    for what, text in bad_snmp.items():
        d = fake_dir(snmp=text)
        _, err = stat("-s", env={"MYTCPSTAT_PROC_DIR": d,
                                 "MYTCPSTAT_HISTORY": os.path.join(d, "h")}, rc=1)
        check(d in err and ("malformed" in err or "without" in err),
              "%s: %r" % (what, err))
    _, err = stat("-s", env={"MYTCPSTAT_PROC_DIR": fake_dir()}, rc=1)
    check("module loaded" in err, err)
    stat("state", "nonsense", rc=2)
    stat("sport", "=", ":99999", rc=2)
    stat("src", "1.2.3", rc=2)


@test
def connections_over_loopback():
    load_module()
    lsk, cli, srv = connected_pair(LO)
    port, cport = local_port(lsk), local_port(cli)
    try:
        cli.send(b"x" * 100)
        wait_for(lambda: find(stat_json()["sockets"], "ESTAB", port, cport)
                 and find(stat_json()["sockets"], "ESTAB", port, cport)[0]["recv_q"] == 100)
        j = stat_json()["sockets"]
        check(find(j, "ESTAB", cport, port), "client row missing: %s" % j)
        s = find(j, "ESTAB", port, cport)
        check(len(s) == 1 and s[0]["recv_q"] == 100 and s[0]["local"]["addr"] == LO
              and s[0]["peer"]["addr"] == LO, s)
        check(not find(j, "LISTEN", port), "listener shown by default")
        rows = text_rows(stat()[0])
        check(["ESTAB", "100", "0", "%s:%d" % (LO, port), "%s:%d" % (LO, cport)]
              in [r[:5] for r in rows], rows)
        rows = text_rows(stat("-l")[0])
        check(all(r[0] == "LISTEN" for r in rows), rows)
        check(["LISTEN", "0", "0", "%s:%d" % (LO, port), "0.0.0.0:*"]
              in [r[:5] for r in rows], rows)
        j = stat_json("-a", "sport", "=", ":%d" % port)["sockets"]
        check(sorted(s["state"] for s in j) == ["ESTAB", "LISTEN"], j)
        j = stat_json("dport", "=", ":%d" % port)["sockets"]
        check([(s["local"]["port"], s["peer"]["port"]) for s in j] == [(cport, port)], j)
        j = stat_json("-a", "state", "listening", "sport", ":%d" % port)["sockets"]
        check([s["state"] for s in j] == ["LISTEN"], j)
        j = stat_json("state", "established", "src", LO, "dst", "127.0.0.0/8",
                      "dport", "eq", str(port))["sockets"]
        check(len(j) == 1 and j[0]["local"]["port"] == cport, j)
        check(not stat_json("src", "10.0.0.0/8", "sport", ":%d" % port)["sockets"],
              "src filter")
        check(not stat_json("state", "time-wait", "sport", ":%d" % port)["sockets"],
              "state filter")
        # -i: the columns only a full socket has.
        j = stat_json("-a", "-i", "-e", "sport", "=", ":%d" % port)["sockets"]
        e = find(j, "ESTAB", port)[0]
        ls = find(j, "LISTEN", port)[0]
        # The server got one segment: ato starts at TCP_ATO_MIN (40 ms),
        # one of its 16 quick ACKs is used, and it never replied.
        check(e["rto_ms"] >= 200 and e["ato_ms"] == 40 and e["qack"] == 15
              and not e["bidir"] and e["cwnd"] >= 1 and e["ssthresh"] is None, e)
        check(ls["cwnd"] == 0 and ls["ssthresh"] is None and ls["timer"] is None, ls)
        check(e["inode"] == os.fstat(srv.fileno()).st_ino, (e, os.fstat(srv.fileno())))
        out = stat("-i", "sport", "=", ":%d" % port)[0]
        check(re.search(r"\n\t rto:\d+ ato:40 qack:15 cwnd:\d+ recv_q:100 send_q:0\n", out), out)
        # The raw rows: 17 columns, ssthresh -1, listener 0 (no Fast Open);
        # ato in clock ticks (4: 40 ms) and quick << 1 | pingpong, as TCP's.
        for line in read(PROC_NET).splitlines()[1:]:
            f = line.split()
            if int(f[1].split(":")[1], 16) == port and f[3] in ("01", "0A"):
                want = ("0", "0") if f[3] == "0A" else ("4", "30")
                check(len(f) == 17 and (f[13], f[14]) == want, f)
                check(f[16] == ("0" if f[3] == "0A" else "-1"), f)
                check(int(f[15]) == (0 if f[3] == "0A" else e["cwnd"]), (f, e))
    finally:
        for s in (cli, srv, lsk):
            s.close()


@test
def time_wait_timer():
    load_module()
    msl = read(SYSCTL_DIR + "/msl").strip()
    write(SYSCTL_DIR + "/msl", "5")
    try:
        lsk, cli, srv = connected_pair(LO)
        port, cport = local_port(lsk), local_port(cli)
        cli.close()
        srv.settimeout(5)
        check(srv.recv(1) == b"", "no FIN")
        srv.close()
        lsk.close()
        tw = wait_for(lambda: find(stat_json("-e", "state", "time-wait")["sockets"],
                                   "TIME-WAIT", cport, port))
        check(len(tw) == 1, "no TIME-WAIT entry")
        t = tw[0]["timer"]
        check(t["name"] == "timewait" and t["retrans"] == 0
              and 5000 < t["expires_ms"] <= 10000, t)
        check(tw[0]["inode"] == 0 and tw[0]["peer"] == {"addr": LO, "port": port}, tw)
        out = stat("-e", "state", "time-wait", "dport", "=", ":%d" % port)[0]
        rows = text_rows(out)
        check(len(rows) == 1 and rows[0][0] == "TIME-WAIT" and
              re.fullmatch(r"timer:\(timewait,(\d\.\d{3}sec|10sec),0\)", rows[0][5]),
              out)
        # Not shown by default, as by ss; shown with -a.
        check(not find(stat_json()["sockets"], "TIME-WAIT", cport), "default")
        check(find(stat_json("-a")["sockets"], "TIME-WAIT", cport), "-a")
        check(wait_for(lambda: not find(stat_json("-a")["sockets"], "TIME-WAIT", cport),
                       timeout=15), "TIME-WAIT entry outlived 2 * msl")
    finally:
        write(SYSCTL_DIR + "/msl", msl)


@test
def counter_deltas():
    load_module()
    hist = tempfile.mktemp(prefix="mts-hist-")
    env = {"MYTCPSTAT_HISTORY": hist}
    first = stat_json("-s", env=env)["counters"]
    check(all(v["delta"] == v["value"] for v in first.values()),
          "first run: deltas since zero")
    check({"MytcpActiveOpens", "MytcpPassiveOpens", "MytcpCurrEstab",
           "MytcpExtTWCreated"} <= set(first), sorted(first))
    lsk, cli, srv = connected_pair(LO)
    for s in (cli, srv, lsk):
        s.close()
    c = stat_json("-s", env=env)["counters"]
    check(c["MytcpActiveOpens"]["delta"] == 1 and c["MytcpPassiveOpens"]["delta"] == 1,
          (c["MytcpActiveOpens"], c["MytcpPassiveOpens"]))
    check(c["MytcpActiveOpens"]["value"] == first["MytcpActiveOpens"]["value"] + 1, c)
    c = stat_json("-s", env=env)["counters"]
    check(c["MytcpActiveOpens"]["delta"] == 0, c["MytcpActiveOpens"])
    out = stat("-s", env=env)[0]
    check(re.search(r"^MytcpActiveOpens +\d+ +0$", out, re.M), out)
    # By default the snapshot is kept per namespace under /tmp (or
    # $XDG_RUNTIME_DIR).
    ino = os.stat("/proc/self/ns/net").st_ino
    dflt = "/tmp/mytcpstat.%d.%d" % (os.getuid(), ino)
    e = {"XDG_RUNTIME_DIR": "", "MYTCPSTAT_HISTORY": ""}
    stat("-s", env=e)
    check(os.path.exists(dflt), "no snapshot in %s" % dflt)
    c = stat_json("-s", env=e)["counters"]
    check(c["MytcpActiveOpens"]["delta"] == 0, c)
    os.unlink(dflt)
    os.unlink(hist)


@test
def other_namespace():
    load_module()
    del_netns(NS)
    add_netns(NS)
    try:
        with netns(NS):
            lsk, port = listener(LO)
            cli = connect(LO, port)
        # Reads /proc/self/net after setns: sees the namespace's sockets.
        j = stat_json("-N", NS, "-a")["sockets"]
        check(sorted(s["state"] for s in j) in (["ESTAB", "LISTEN", "SYN-RECV"],
                                                ["ESTAB", "ESTAB", "LISTEN"]), j)
        check(find(j, "LISTEN", port), j)
        ours = [s for s in stat_json("-a")["sockets"]
                if port in (s["local"]["port"], s["peer"]["port"])]
        check(not ours, "the namespace's sockets shown outside it: %s" % ours)
        hist = tempfile.mktemp(prefix="mts-hist-")
        c = stat_json("-N", NS, "-s", env={"MYTCPSTAT_HISTORY": hist})["counters"]
        check(c["MytcpActiveOpens"]["value"] == 1, c["MytcpActiveOpens"])
        os.unlink(hist)
        _, err = stat("-N", "mts-none", rc=1)
        check("mts-none" in err, err)
        cli.close()
        lsk.close()
    finally:
        del_netns(NS)


@test
def watch():
    load_module()
    lsk, port = listener(LO)
    try:
        start = time.monotonic()
        out, _ = stat("--json", "-l", "--watch", "0.3", "--count", "3")
        took = time.monotonic() - start
        docs = [json.loads(line) for line in out.splitlines()]
        check(len(docs) == 3 and all(find(d["sockets"], "LISTEN", port) for d in docs),
              out)
        check(took >= 0.6, "3 rounds in %.2f s" % took)
        out, _ = stat("-l", "--watch", "0.1", "--count", "2")
        check(out.count("State") == 2, out)
    finally:
        lsk.close()


TRACEFS = "/sys/kernel/tracing"
EVENT_RE = re.compile(r"\s(\d+\.\d+): mytcp_(\w+): (.*)$")


class RawTrace:
    """A tracefs instance of the test's own with the mytcp events on."""

    def __init__(self, name="mts-raw"):
        if not os.path.isdir(TRACEFS + "/instances"):
            subprocess.run(["mount", "-t", "tracefs", "nodev", TRACEFS], check=True)
        self.dir = "%s/instances/%s" % (TRACEFS, name)
        if os.path.isdir(self.dir):
            os.rmdir(self.dir)
        os.mkdir(self.dir)
        write(self.dir + "/events/mytcp/enable", "1")

    def events(self):
        """Every mytcp event so far: (name, {field: value}) in order."""
        out = []
        for line in read(self.dir + "/trace").splitlines():
            m = EVENT_RE.search(line)
            if m:
                out.append((m.group(2), dict(kv.split("=", 1) for kv in m.group(3).split())))
        return out

    def close(self):
        write(self.dir + "/events/mytcp/enable", "0")
        os.rmdir(self.dir)


def run_drill(name, text):
    drill.Drill(name, text, log=lambda *a: None).run()


def find_events(evs, name, **fields):
    return [f for n, f in evs if n == name and
            all(f.get(k) == str(v) for k, v in fields.items())]


@test
def tracepoint_formats():
    load_module()
    want = {
        "state_change": "netns saddr daddr sport dport oldstate newstate",
        "segment_send": "netns saddr daddr sport dport seq ack len window flags",
        "segment_receive": "netns saddr daddr sport dport seq ack len window flags",
        "retransmit": "netns saddr daddr sport dport seq end_seq flags count state",
        "retransmit_synack": "netns saddr daddr sport dport seq count",
        "send_reset": "netns saddr daddr sport dport seq ack",
        "receive_reset": "netns saddr daddr sport dport seq ack",
        "syncookie_send": "netns saddr daddr sport dport cookie mss",
        "syncookie_check": "netns saddr daddr sport dport cookie mss",
    }
    have = sorted(os.listdir(TRACEFS + "/events/mytcp"))
    check(sorted(want) == [h[len("mytcp_"):] for h in have if h.startswith("mytcp_")],
          have)
    for ev, fields in want.items():
        fmt = read("%s/events/mytcp/mytcp_%s/format" % (TRACEFS, ev))
        got = re.findall(r"field:[^;]*?(\w+)(?:\[\d+\])?;", fmt)
        got = [g for g in got if not g.startswith("common_")]
        check(got == fields.split(), "%s: fields %s" % (ev, got))


@test
def tracepoint_reset_events():
    load_module()
    port = closed_port()
    t = RawTrace()
    try:
        s = mytcp_socket()
        try:
            connect(LO, port, s)
            raise AssertionError("connect to a closed port succeeded")
        except ConnectionRefusedError:
            pass
        cport = parse_sockaddr(sys_getsockname(s))[2]
        s.close()
        evs = t.events()
    finally:
        t.close()
    src, dst = "%s:%d" % (LO, cport), "%s:%d" % (LO, port)
    check(find_events(evs, "state_change", src=src, dst=dst, old="CLOSED",
                      new="SYN-SENT") or
          find_events(evs, "state_change", src=LO + ":0", dst=dst, old="CLOSED",
                      new="SYN-SENT"), evs)
    check(find_events(evs, "segment_send", src=src, dst=dst, flags="S", len=0), evs)
    check(find_events(evs, "segment_receive", src=src, dst=dst, flags="S"), evs)
    sent = find_events(evs, "send_reset", src=dst, dst=src, seq=0)
    check(len(sent) == 1, evs)
    syn = find_events(evs, "segment_send", src=src, dst=dst, flags="S")[0]
    check(sent[0]["ack"] == str((int(syn["seq"]) + 1) % 2**32), (sent, syn))
    check(find_events(evs, "segment_send", src=dst, dst=src, flags="RA"), evs)
    check(len(find_events(evs, "receive_reset", src=dst, dst=src, seq=0)) == 1, evs)
    check(find_events(evs, "state_change", src=src, dst=dst, old="SYN-SENT",
                      new="CLOSED"), evs)
    names = [n for n, _ in evs]
    check(names.index("send_reset") < names.index("receive_reset"), names)


SYN_LOST = """
0     socket() -> s
+0    bind(s, 8080) = 0
+0...1.1 connect(s) = 0
+0    > S 0:0(0)
+1    > S 0:0(0)
+0.1  < S. 0:0(0) ack 1 win 65535 <mss 1460,nop,wscale 2>
+0    > . 1:1(0) ack 1
+0    proc ESTABLISHED
"""

SYNACK_LOST = """
0     socket() -> s
+0    bind(s, 8080) = 0
+0    listen(s, 1) = 0
+0.1  < S 0:0(0) win 65535 <mss 1460,nop,wscale 2>
+0    > S. 0:0(0) ack 1 <mss 1460,nop,wscale 7>
+1    > S. 0:0(0) ack 1 <mss 1460,nop,wscale 7>
+0.1  < . 1:1(0) ack 1 win 65535
+0    accept(s) -> c
+0    proc ESTABLISHED
"""


@test
def tracepoint_retransmit_events():
    load_module()
    t = RawTrace()
    try:
        run_drill("trace-syn-lost", SYN_LOST)
        evs = t.events()
        k, p = drill.KERNEL_ADDR, drill.PEER_ADDR
        rtx = find_events(evs, "retransmit", src=k + ":8080", dst=p + ":4000",
                          flags="S", count=1,
                          state="SYN-SENT")
        check(len(rtx) == 1, evs)
        syns = find_events(evs, "segment_send", dst=p + ":4000", flags="S")
        check(len(syns) == 2 and syns[0]["seq"] == syns[1]["seq"] == rtx[0]["seq"],
              syns)
        check(rtx[0]["end_seq"] == str((int(rtx[0]["seq"]) + 1) % 2**32), rtx)
        check(not find_events(evs, "retransmit_synack"), evs)
        run_drill("trace-synack-lost", SYNACK_LOST)
        evs = t.events()
        rs = find_events(evs, "retransmit_synack", src=k + ":8080",
                         dst=p + ":4000", count=1)
        check(len(rs) == 1, evs)
        sa = find_events(evs, "segment_send", src=k + ":8080", dst=p + ":4000",
                         flags="SA")
        check(len(sa) == 2 and sa[1]["seq"] == rs[0]["seq"], sa)
        check(find_events(evs, "state_change", src=k + ":8080", dst=p + ":4000",
                          old="SYN-RECEIVED", new="ESTABLISHED"), evs)
    finally:
        t.close()


COOKIE_OK = """
sysctl syncookies 2
0     socket() -> s
+0    bind(s, 8080) = 0
+0    listen(s, 1) = 0
+0.1  < S 0:0(0) win 65535 <mss 1460,nop,wscale 2>
+0    > S. 0:0(0) ack 1 <mss 1460>
+0.1  < . 1:1(0) ack 1 win 65535
+0    accept(s) -> c
+0    proc ESTABLISHED
"""

COOKIE_FORGED = """
sysctl syncookies 2
0     socket() -> s
+0    bind(s, 8080) = 0
+0    listen(s, 1) = 0
+0.1  < . 1:1(0) ack 12345 win 65535
+0    > R 12345:12345(0)
"""


@test
def tracepoint_syncookie_events():
    load_module()
    t = RawTrace()
    try:
        k, p = drill.KERNEL_ADDR + ":8080", drill.PEER_ADDR + ":4000"
        run_drill("trace-cookie", COOKIE_OK)
        evs = t.events()
        sent = find_events(evs, "syncookie_send", src=k, dst=p, mss=1460)
        check(len(sent) == 1, evs)
        sa = find_events(evs, "segment_send", src=k, dst=p, flags="SA")
        check(len(sa) == 1 and sa[0]["seq"] == sent[0]["cookie"], (sa, sent))
        ok = find_events(evs, "syncookie_check", src=k, dst=p, result="ok", mss=1460)
        check(len(ok) == 1 and ok[0]["cookie"] == sent[0]["cookie"], evs)
        run_drill("trace-cookie-forged", COOKIE_FORGED)
        evs = t.events()
        bad = find_events(evs, "syncookie_check", src=k, dst=p, result="failed", mss=0)
        check(len(bad) == 1, evs)
        check(find_events(evs, "send_reset", src=k, dst=p), evs)
    finally:
        t.close()


def mytcp_text_range():
    """The lowest and highest address of mytcp's functions (/proc/kallsyms),
    the highest with room for its function's length."""
    addrs = [int(line.split()[0], 16) for line in read("/proc/kallsyms").splitlines()
             if line.endswith("\t[mytcp]") and line.split()[1] in "tT"]
    check(addrs and min(addrs) > 0, "no addresses of mytcp's functions in /proc/kallsyms")
    return min(addrs), max(addrs) + 4096


def mytcp_drops(inst):
    """skb:kfree_skb events of a tracefs instance (filtered to mytcp's
    callers: the event's text hashes the address)."""
    return [line.strip() for line in read(inst + "/trace").splitlines()
            if "kfree_skb:" in line]


@test
def drops_are_real_drops():
    """skb:kfree_skb, what drop monitors read, sees mytcp's drops only.

    A clean exchange over loopback (handshake, 200 one-byte requests and
    replies, 1 MB one way, both closes) frees what mytcp is done with by
    consume_skb(): no skb:kfree_skb event may come from mytcp.  A SYN to a
    closed port, answered with a RST and dropped, must show there.  The
    event is filtered on its caller's address, inside mytcp's functions.
    """
    load_module()
    if not os.path.isdir(TRACEFS + "/instances"):
        subprocess.run(["mount", "-t", "tracefs", "nodev", TRACEFS], check=True)
    inst = TRACEFS + "/instances/mts-drops"
    if os.path.isdir(inst):
        os.rmdir(inst)
    os.mkdir(inst)
    event = inst + "/events/skb/kfree_skb"
    try:
        write(inst + "/buffer_size_kb", "1024")
        write(event + "/filter", "location >= 0x%x && location < 0x%x" % mytcp_text_range())
        write(event + "/enable", "1")
        lsk, cli, srv = connected_pair(LO)
        for _ in range(200):
            cli.send(b"q")
            check(srv.recv(1) == b"q", "request")
            srv.send(b"r")
            check(cli.recv(1) == b"r", "reply")
        size = 1 << 20
        writer = threading.Thread(target=cli.sendall, args=(b"x" * size,))
        writer.start()
        got = 0
        while got < size:
            got += len(srv.recv(1 << 16))
        writer.join()
        cli.close()
        check(srv.recv(1) == b"", "EOF")
        srv.close()
        lsk.close()
        wait_for(lambda: not [r for r in proc_rows() if r["local"][0] == LO
                              and r["st"] != TIME_WAIT], timeout=5)
        drops = mytcp_drops(inst)
        check(not drops, "%d drops reported in a clean exchange: %s"
              % (len(drops), drops[:4]))
        try:
            connect(LO, closed_port()).close()
            check(False, "connected to a closed port")
        except ConnectionRefusedError:
            pass
        check(wait_for(lambda: mytcp_drops(inst), timeout=2),
              "the SYN to a closed port was not reported as a drop")
    finally:
        write(event + "/enable", "0")
        os.rmdir(inst)


class Tracer:
    """mytcpstat trace in the background, started and ready."""

    def __init__(self, *args):
        check(os.access(BIN, os.X_OK), "%s is not built (make tools)" % BIN)
        self.p = subprocess.Popen([BIN, "trace"] + list(args), stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        line = self.p.stderr.readline()
        check("tracing mytcp events" in line, "mytcpstat trace: %r" % line)

    def stop(self, rc=0):
        if self.p.poll() is None:
            self.p.send_signal(2)
        out, err = self.p.communicate(timeout=30)
        check(self.p.returncode == rc, "mytcpstat trace: exit %d: %s" % (self.p.returncode, err))
        return out


ARROW_RE = re.compile(r"(?:--(\S+) seq=(\d+)(?: ack=(\d+))? len=(\d+) win=\d+ -*->)|"
                      r"(?:<-- (\S+) seq=(\d+)(?: ack=(\d+))? len=(\d+) win=\d+ -*)")
STATE_NAMES = ("SYN-SENT", "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1", "FIN-WAIT-2",
               "TIME-WAIT", "CLOSE-WAIT", "LAST-ACK", "CLOSING", "CLOSED")


def ladder_lines(out, conn=1):
    """The ladder of connection `conn`: ("->"/"<-", flags, seq, ack, len)
    for arrows, ("L"/"R", state) for state changes, in order."""
    items = []
    for line in out.splitlines():
        if not re.match(r"\s*%d\s+\d+\.\d+ " % conn, line):
            continue
        m = ARROW_RE.search(line)
        if m:
            g = m.groups()
            if g[0] is not None:
                items.append(("->", g[0], int(g[1]), g[2] and int(g[2]), int(g[3])))
            else:
                items.append(("<-", g[4], int(g[5]), g[6] and int(g[6]), int(g[7])))
            continue
        words = line.split()
        if len(words) >= 3 and words[2] in STATE_NAMES:
            # The left column starts at 16; the right one after the arrows.
            side = "L" if line[16:30].strip() == words[2] else "R"
            items.append((side, words[2]))
    return items


def subsequence(want, have):
    """Where each item of want matches, in order, or the first missing."""
    i = 0
    for w in want:
        while i < len(have) and not w(have[i]):
            i += 1
        if i == len(have):
            return w
        i += 1
    return None


def arrow(d, flags, seq=None, ack=None, length=None):
    def match(item):
        return (item[0] == d and flags(item[1]) and
                (seq is None or item[2] == seq) and
                (ack is None or item[3] == ack) and
                (length is None or item[4] == length))
    match.__name__ = "%s %s seq=%s ack=%s len=%s" % (d, flags.__doc__, seq, ack, length)
    return match


def flags_are(want):
    def f(x):
        return x == want
    f.__doc__ = want
    return f


def flags_have(letter):
    def f(x):
        return letter in x
    f.__doc__ = "with " + letter
    return f


def state(side, name):
    def match(item):
        return item == (side, name)
    match.__name__ = "%s %s" % (side, name)
    return match


NS_C, NS_S = "mts-client", "mts-server"


@test
def trace_ladder_two_namespaces():
    load_module()
    del_netns(NS_C)
    del_netns(NS_S)
    veth_pair(NS_C, NS_S)
    try:
        with netns(NS_S):
            lsk, port = listener(ADDR2)
        text = Tracer("--port", str(port), "--timeout", "60")
        js = Tracer("--json", "-N", NS_C, "--port", str(port), "--timeout", "60")
        with netns(NS_C):
            cli = connect(ADDR2, port)
        srv = accept(lsk)
        cli.sendall(b"x" * 100)
        check(srv.recv(1000) == b"x" * 100, "data")
        srv.sendall(b"y" * 50)
        got = b""
        while len(got) < 50:
            got += cli.recv(1000)
        cli.close()
        wait_for(lambda: srv.recv(10) == b"")
        srv.close()
        lsk.close()
        time.sleep(0.5)
        out = text.stop()
        jout = js.stop()
    finally:
        del_netns(NS_C)
        del_netns(NS_S)
    c, s = "%s:" % ADDR1, "%s:%d" % (ADDR2, port)
    head = re.search(r"connection 1: (\S+) <-> (\S+)", out)
    check(head and head.group(1).startswith(c) and head.group(2) == s, out)
    check("connection 2" not in out, "one ladder for both ends:\n" + out)
    items = ladder_lines(out)
    want = [state("L", "SYN-SENT"),
            arrow("->", flags_are("S"), 0, None, 0),
            arrow("<-", flags_are("SA"), 0, 1, 0),
            state("L", "ESTABLISHED"),
            arrow("->", flags_are("A"), 1, 1, 0),
            state("R", "SYN-RECEIVED"),
            state("R", "ESTABLISHED"),
            arrow("->", flags_have("A"), 1, 1, 100),
            arrow("<-", flags_have("A"), 1, 101, 50),
            state("L", "FIN-WAIT-1"),
            arrow("->", flags_are("FA"), 101, 51, 0),
            state("R", "CLOSE-WAIT"),
            arrow("<-", flags_are("A"), 51, 102, 0),
            state("L", "FIN-WAIT-2"),
            state("R", "LAST-ACK"),
            arrow("<-", flags_are("FA"), 51, 102, 0),
            state("L", "TIME-WAIT"),
            arrow("->", flags_are("A"), 102, 52, 0),
            state("R", "CLOSED")]
    missing = subsequence(want, items)
    check(missing is None, "ladder lacks %s after what came before:\n%s\n%s" % (
        missing and missing.__name__, out, items))
    # Every segment is one arrow: the receiving end does not draw it again.
    check(len([i for i in items if i[0] == "->" and i[1] == "S"]) == 1, out)
    # JSON, the client's namespace only: every line parses; the server's
    # segments are drawn from its receive events, its states are not there.
    docs = [json.loads(line) for line in jout.splitlines()]
    check(docs, "no JSON output")
    check(all(d["net"] == docs[0]["net"] for d in docs), jout)
    segs = [(d["dir"], d["flags"], d["rel_seq"], d["rel_ack"], d["len"])
            for d in docs if d["event"].startswith("segment_")]
    check(segs[:3] == [("right", "S", 0, 0, 0), ("left", "SA", 0, 1, 0),
                       ("right", "A", 1, 1, 0)], segs)
    check(("right", "PA", 1, 1, 100) in segs or ("right", "A", 1, 1, 100) in segs, segs)
    check([d["event"] for d in docs if d["dir" if "dir" in d else "event"] == "left"][:1]
          == ["segment_receive"], docs)
    states = [d["new"] for d in docs if d["event"] == "state_change"]
    # The socket leaves TIME-WAIT to its entry at once: CLOSED.
    check(states == ["SYN-SENT", "ESTABLISHED", "FIN-WAIT-1", "FIN-WAIT-2", "TIME-WAIT",
                     "CLOSED"], states)


PASSIVE = """
0     socket() -> s
+0    bind(s, 8080) = 0
+0    listen(s, 1) = 0
+0.1  < S 0:0(0) win 65535 <mss 1460,nop,wscale 2>
+0    > S. 0:0(0) ack 1 <mss 1460,nop,wscale 7>
+0.1  < . 1:1(0) ack 1 win 65535
+0    accept(s) -> c
+0.1  < P. 1:11(10) ack 1 win 65535
+0    > . 1:1(0) ack 11
+0    read(c, 100) = 10
"""


@test
def trace_ladder_one_local_end():
    load_module()
    text = Tracer("--port", "8080", "--timeout", "60", "--count", "9")
    try:
        run_drill("trace-ladder", PASSIVE)
    finally:
        out = text.stop()
    k, p = drill.KERNEL_ADDR + ":8080", drill.PEER_ADDR + ":4000"
    check(re.search(r"connection 1: %s <-> %s\n" % (k, p), out), out)
    items = ladder_lines(out)
    want = [arrow("<-", flags_are("S"), 0, None, 0),
            arrow("->", flags_are("SA"), 0, 1, 0),
            arrow("<-", flags_are("A"), 1, 1, 0),
            state("L", "SYN-RECEIVED"),
            state("L", "ESTABLISHED"),
            arrow("<-", flags_are("PA"), 1, 1, 10),
            arrow("->", flags_are("A"), 1, 11, 0)]
    missing = subsequence(want, items)
    check(missing is None, "ladder lacks %s:\n%s" % (missing and missing.__name__, out))


@test
def trace_without_module():
    load_module()

    def unloaded():
        subprocess.run(["rmmod", "mytcp"], capture_output=True)
        return not module_loaded()
    # Namespaces of earlier cases go away in the background, with their
    # sockets and their hold on the module.
    check(wait_for(unloaded, timeout=30), "mytcp stays loaded")
    out, err = stat("trace", "--timeout", "1", rc=1)
    check("mytcp" in err and "loaded" in err, err)
    check(not os.path.exists(TRACEFS + "/instances/mytcpstat"), "instance left behind")
    load_module()
    stat("trace", "--port", "x", rc=2)
    out, err = stat("trace", "--timeout", "0.5")
    check(out == "" and "tracing mytcp events" in err, (out, err))
    check(not os.path.exists(TRACEFS + "/instances/mytcpstat"), "instance left behind")


if __name__ == "__main__":
    main()
