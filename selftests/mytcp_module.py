#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""mytcp_module.py - loading, unloading, autoloading and slot conflicts.

Each test leaves the module unloaded.
"""

import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from mytcp import (MODDIR, MODULE, PROC_NET, SYSCTL_DIR, add_netns,  # noqa: E402
                   check, check_errno, del_netns, load_module, main, module_loaded,
                   mytcp_socket, netns, read, run, test, unload_module, write)

SQUAT_DIR = os.path.join(MODDIR, "selftests", "modules")
SYSCTLS = ("syn_retries", "synack_retries", "fin_timeout", "msl", "keepalive_time",
           "keepalive_intvl", "keepalive_probes", "local_port_range", "max_syn_backlog",
           "abort_on_overflow", "syncookies", "invalid_ratelimit", "challenge_ack_limit",
           "synack_retries_pressure", "max_syn_per_source",
           # sender:
           "rto_min_ms", "rto_max_ms", "retries2", "orphan_retries", "slow_start_after_idle",
           "congestion_control", "available_congestion_control", "sack", "timestamps",
           # memory (global: the initial namespace's only):
           "mem", "rmem", "wmem", "max_orphans")


def dmesg_since(mark):
    """Kernel log lines written after the line containing `mark`."""
    lines = run("dmesg").stdout.splitlines()
    for i in range(len(lines) - 1, -1, -1):
        if mark in lines[i]:
            return "\n".join(lines[i + 1:])
    return "\n".join(lines)


def mark_kmsg(text):
    write("/dev/kmsg", "mytcp-selftest: %s\n" % text)
    return "mytcp-selftest: %s" % text


def check_nothing_left():
    check(not module_loaded(), "module still loaded")
    check(not os.path.exists(PROC_NET), PROC_NET + " still exists")
    check(not os.path.exists(SYSCTL_DIR), SYSCTL_DIR + " still exists")
    check("MYTCP" not in read("/proc/net/protocols"), "MYTCP still in /proc/net/protocols")
    slabs = read("/proc/slabinfo") if os.path.exists("/proc/slabinfo") else ""
    check(not re.search(r"^MYTCP\s", slabs, re.M), "MYTCP slab cache still exists")
    check_errno(97, mytcp_socket)  # EAFNOSUPPORT: nobody serves the family


@test
def load_announces_itself():
    unload_module()
    mark = mark_kmsg("load")
    load_module()
    log = dmesg_since(mark)
    check("mytcp: loaded: AF_MYTCP 13, IP protocol 253" in log, "no load message:\n" + log)
    check("MYTCP" in read("/proc/net/protocols"), "no MYTCP row in /proc/net/protocols")
    unload_module()


@test
def proc_header_is_tcps():
    load_module()
    ours = read(PROC_NET).splitlines()
    theirs = read("/proc/net/tcp").splitlines()[0]
    check(ours[0] == theirs, "header differs:\n%r\n%r" % (ours[0], theirs))
    check(len(ours) == 1, "rows without any socket: %r" % ours[1:])
    unload_module()


@test
def sysctl_defaults_are_tcps():
    load_module()
    check(sorted(os.listdir(SYSCTL_DIR)) == sorted(SYSCTLS),
          "sysctls: %s" % sorted(os.listdir(SYSCTL_DIR)))
    tcp = "/proc/sys/net/ipv4/"
    pairs = {"syn_retries": "tcp_syn_retries", "synack_retries": "tcp_synack_retries",
             "fin_timeout": "tcp_fin_timeout", "keepalive_time": "tcp_keepalive_time",
             "keepalive_intvl": "tcp_keepalive_intvl",
             "keepalive_probes": "tcp_keepalive_probes",
             "local_port_range": "ip_local_port_range",
             "abort_on_overflow": "tcp_abort_on_overflow",
             "syncookies": "tcp_syncookies",
             "invalid_ratelimit": "tcp_invalid_ratelimit",
             "challenge_ack_limit": "tcp_challenge_ack_limit",
             "retries2": "tcp_retries2", "orphan_retries": "tcp_orphan_retries",
             "slow_start_after_idle": "tcp_slow_start_after_idle",
             "sack": "tcp_sack", "timestamps": "tcp_timestamps",
             "rmem": "tcp_rmem", "wmem": "tcp_wmem"}
    for ours, theirs in pairs.items():
        a = read(os.path.join(SYSCTL_DIR, ours)).split()
        b = read(tcp + theirs).split()
        check(a == b, "%s is %s, TCP's %s is %s" % (ours, a, theirs, b))
    # TCP's TIME-WAIT lasts 60 s: 2 * MSL.
    check(int(read(SYSCTL_DIR + "/msl")) * 2 == 60, "msl is not 30")
    # TCP has no sysctls for these on 6.1: Linux's TCP_RTO_MIN and TCP_RTO_MAX.
    check(read(SYSCTL_DIR + "/rto_min_ms").split() == ["200"], "rto_min_ms")
    check(read(SYSCTL_DIR + "/rto_max_ms").split() == ["120000"], "rto_max_ms")
    # TCP's default algorithm is cubic; mytcp's is still Reno, TCP's fallback.
    check(read(SYSCTL_DIR + "/congestion_control").split() == ["reno"],
          "congestion_control")
    check(read(SYSCTL_DIR + "/available_congestion_control").split() == ["reno", "cubic"],
          "available_congestion_control")
    unload_module()


@test
def open_socket_pins_module():
    load_module()
    s = mytcp_socket()
    r = run("rmmod", "mytcp", check_rc=False)
    check(r.returncode != 0 and module_loaded(), "rmmod succeeded with a socket open")
    check("in use" in r.stderr, "rmmod said: " + r.stderr)
    s.close()
    unload_module()
    check_nothing_left()


@test
def unload_leaves_nothing():
    add_netns("mytcp-t1")
    try:
        load_module()
        socks = [mytcp_socket() for _ in range(64)]
        for s in socks:
            s.close()
        unload_module()
        check_nothing_left()
    finally:
        del_netns("mytcp-t1")


@test
def family_autoloads_module():
    """socket(AF_MYTCP) makes the kernel run modprobe for net-pf-13."""
    unload_module()
    kver = os.uname().release
    helper_path = "/proc/sys/kernel/modprobe"
    old = read(helper_path).strip()
    with tempfile.TemporaryDirectory() as root:
        moddir = os.path.join(root, "lib", "modules", kver, "extra")
        os.makedirs(moddir)
        run("cp", MODULE, moddir)
        run("depmod", "-b", root, kver)
        aliases = read(os.path.join(root, "lib", "modules", kver, "modules.alias"))
        check("alias net_pf_13 mytcp" in aliases or "alias net-pf-13 mytcp" in aliases,
              "no net-pf-13 alias in modinfo: " + aliases)
        wrapper = os.path.join(root, "modprobe")
        write(wrapper, "#!/bin/sh\nexec /sbin/modprobe -d %s \"$@\"\n" % root)
        os.chmod(wrapper, 0o755)
        write(helper_path, wrapper)
        try:
            s = mytcp_socket()
            s.close()
        finally:
            write(helper_path, old)
    check(module_loaded(), "module not loaded by socket()")
    unload_module()


def refuse_when_taken(squatter, expected):
    unload_module()
    run("insmod", os.path.join(SQUAT_DIR, squatter + ".ko"))
    try:
        mark = mark_kmsg("squat " + squatter)
        r = run("insmod", MODULE, check_rc=False)
        check(r.returncode != 0, "mytcp loaded although %s holds its slot" % squatter)
        log = dmesg_since(mark)
        check(re.search(expected, log), "no message naming %s:\n%s" % (squatter, log))
        check_nothing_left_but_squatter()
    finally:
        run("rmmod", squatter)
    load_module()
    unload_module()


def check_nothing_left_but_squatter():
    check(not module_loaded(), "module loaded")
    check(not os.path.exists(PROC_NET), PROC_NET + " left behind")
    check(not os.path.exists(SYSCTL_DIR), SYSCTL_DIR + " left behind")


@test
def refuses_taken_family():
    refuse_when_taken("mytcp_squat_family",
                      r"mytcp: address family 13 \(AF_NETBEUI's slot\) is already "
                      r"registered by mytcp_squat_family; not loading")


@test
def refuses_taken_protocol():
    refuse_when_taken("mytcp_squat_proto",
                      r"mytcp: IP protocol 253 is already handled by "
                      r"mytcp_squat_receive\+0x0/0x[0-9a-f]+ \[mytcp_squat_proto\]")


@test
def load_unload_cycles():
    """100 cycles, each with a socket in the initial and in another netns."""
    add_netns("mytcp-cycle")
    try:
        for i in range(100):
            load_module()
            mytcp_socket().close()
            with netns("mytcp-cycle"):
                s = mytcp_socket()
                check(read(PROC_NET).count("\n") == 1, "cycle %d: bad proc file" % i)
                s.close()
            unload_module()
        check_nothing_left()
    finally:
        del_netns("mytcp-cycle")


if __name__ == "__main__":
    main()
