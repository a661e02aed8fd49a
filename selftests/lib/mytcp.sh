# SPDX-License-Identifier: GPL-2.0
# Shared library of mytcp's shell selftests: KTAP output, the module's
# paths, and loading and unloading it.  Source it; runs as root in the VM.

MYTCP_MODDIR=${MYTCP_MODDIR:?MYTCP_MODDIR must name the built module tree}
MYTCP_KO=$MYTCP_MODDIR/mytcp/mytcp.ko
MYTCP_SQUAT_DIR=$MYTCP_MODDIR/selftests/modules
PYTHON=/usr/bin/python3

ktap_n=0
ktap_failed=0

# ktap_plan N: print the header for N tests.
ktap_plan() {
	echo "KTAP version 1"
	echo "1..$1"
}

# ktap_result NAME STATUS: STATUS 0 is ok, 4 is a skip, anything else fails.
ktap_result() {
	ktap_n=$((ktap_n + 1))
	case "$2" in
	0) echo "ok $ktap_n $1" ;;
	4) echo "ok $ktap_n $1 # SKIP" ;;
	*) echo "not ok $ktap_n $1"; ktap_failed=$((ktap_failed + 1)) ;;
	esac
}

# run_test NAME FUNCTION: run FUNCTION in a subshell with -e, comment its
# output, and report it.
run_test() {
	local rc out
	# Not on the left of || : that would switch set -e off inside.
	out=$(set -e; "$2" 2>&1)
	rc=$?
	[ -n "$out" ] && sed 's/^/# /' <<<"$out"
	ktap_result "$1" "$rc"
}

ktap_finish() {
	[ "$ktap_failed" -eq 0 ]
}

# fail MESSAGE: print it and fail the current test.
fail() {
	echo "$*"
	return 1
}

mytcp_loaded() {
	grep -q '^mytcp ' /proc/modules
}

mytcp_load() {
	mytcp_loaded || insmod "$MYTCP_KO"
}

mytcp_unload() {
	! mytcp_loaded || rmmod mytcp
}

# mytcp_socket_errno [TYPE] [PROTO]: try socket(AF_MYTCP, ...) and print
# the errno name, or "ok".
mytcp_socket_errno() {
	$PYTHON - "${1:-1}" "${2:-0}" <<'PY'
import errno, socket, sys
try:
    socket.socket(13, int(sys.argv[1]), int(sys.argv[2])).close()
    print("ok")
except OSError as e:
    print(errno.errorcode[e.errno])
PY
}

# Addresses of the test hosts: RFC 2544's benchmarking range, only ever
# used between namespaces inside the VM.
MYTCP_ADDR1=198.18.0.1
MYTCP_ADDR2=198.18.0.2

# ns_add NAME: a network namespace with loopback up.
ns_add() {
	ip netns add "$1"
	ip -n "$1" link set lo up
}

ns_del() {
	ip netns del "$1" 2>/dev/null || true
}

# veth_pair NS1 NS2: both namespaces, joined by veth1 (MYTCP_ADDR1) in NS1
# and veth2 (MYTCP_ADDR2) in NS2, up.
veth_pair() {
	ns_add "$1"
	ns_add "$2"
	ip link add veth1 netns "$1" type veth peer name veth2 netns "$2"
	ip -n "$1" addr add "$MYTCP_ADDR1/24" dev veth1
	ip -n "$2" addr add "$MYTCP_ADDR2/24" dev veth2
	ip -n "$1" link set veth1 up
	ip -n "$2" link set veth2 up
}
