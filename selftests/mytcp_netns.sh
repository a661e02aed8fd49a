#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# mytcp_netns.sh - mytcp's per-namespace state: /proc/net/mytcp and
# /proc/sys/net/mytcp/ in every namespace, sysctls independent and
# validated, namespaces going away under open sockets.
. "$(dirname "$0")/lib/mytcp.sh"

S=/proc/sys/net/mytcp

cleanup() {
	ns_del mt-a
	ns_del mt-b
	ns_del mt-c
}

t_proc_in_every_namespace() {
	ns_add mt-a
	ip netns exec mt-a cat /proc/net/mytcp >/tmp/proc-a
	head -n 1 /proc/net/tcp | cmp - /tmp/proc-a || fail "bad /proc/net/mytcp in mt-a"
	ip netns exec mt-a test -f $S/syn_retries || fail "no sysctls in mt-a"
	cleanup
}

t_sysctls_are_per_namespace() {
	ns_add mt-a
	ns_add mt-b
	ip netns exec mt-a sh -c "echo 3 >$S/syn_retries"
	[ "$(ip netns exec mt-a cat $S/syn_retries)" = 3 ] || fail "mt-a did not take 3"
	[ "$(ip netns exec mt-b cat $S/syn_retries)" = 6 ] || fail "mt-b changed"
	[ "$(cat $S/syn_retries)" = 6 ] || fail "init namespace changed"
	# A new namespace starts from the defaults, not from its parent.
	echo 4 >$S/syn_retries
	ns_add mt-c
	[ "$(ip netns exec mt-c cat $S/syn_retries)" = 6 ] || fail "mt-c did not start at 6"
	echo 6 >$S/syn_retries
	cleanup
}

# expect_rejected FILE VALUE: writing VALUE fails and FILE keeps its value.
expect_rejected() {
	local before
	before=$(cat "$S/$1")
	if echo "$2" >"$S/$1" 2>/dev/null; then
		fail "$1 accepted '$2'"
	fi
	[ "$(cat "$S/$1")" = "$before" ] || fail "$1 changed after rejecting '$2'"
}

t_sysctls_reject_bad_values() {
	expect_rejected syn_retries 0
	expect_rejected syn_retries 128
	expect_rejected synack_retries -1
	expect_rejected synack_retries 256
	expect_rejected keepalive_probes 0
	expect_rejected keepalive_time 32768
	expect_rejected msl 0
	expect_rejected fin_timeout 0
	expect_rejected local_port_range "5000 4000"
	expect_rejected local_port_range "0 100"
	expect_rejected local_port_range "1 65536"
	echo "40000 50000" >$S/local_port_range
	[ "$(cat $S/local_port_range)" = "$(printf '40000\t50000')" ] || fail "range not taken"
	echo "32768 60999" >$S/local_port_range
	echo 127 >$S/syn_retries
	echo 6 >$S/syn_retries
}

t_namespace_dies_under_open_socket() {
	ns_add mt-a
	# The socket outlives the namespace's name; closing it frees both.
	ip netns exec mt-a $PYTHON -c '
import os, socket, subprocess
s = socket.socket(13, socket.SOCK_STREAM, 0)
subprocess.run(["ip", "netns", "del", "mt-a"], check=True)
s.close()
'
	! ip netns list | grep -q mt-a || fail "mt-a still listed"
}

t_veth_pair_joins_namespaces() {
	veth_pair mt-a mt-b
	ip netns exec mt-a ping -c 1 -W 5 "$MYTCP_ADDR2" >/dev/null || fail "no ping over veth"
	ip netns exec mt-a cat /proc/net/mytcp | cmp -s - <(head -n 1 /proc/net/tcp) ||
		fail "proc file in mt-a"
	cleanup
}

trap cleanup EXIT
mytcp_load
ktap_plan 5
run_test proc_in_every_namespace t_proc_in_every_namespace
run_test sysctls_are_per_namespace t_sysctls_are_per_namespace
run_test sysctls_reject_bad_values t_sysctls_reject_bad_values
run_test namespace_dies_under_open_socket t_namespace_dies_under_open_socket
run_test veth_pair_joins_namespaces t_veth_pair_joins_namespaces
mytcp_unload
ktap_finish
