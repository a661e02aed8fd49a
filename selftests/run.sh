#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# selftests/run.sh [--kunit] [TEST...] - run mytcp's tests in this (VM)
# kernel and print one KTAP document: one entry per test program, each with
# its own test cases nested, plus "kunit" for the KUnit suites when asked.
# TESTs default to TEST_PROGS of the Makefile.  MYTCP_MODDIR names the
# tree the modules were built in (default: build/<kernel>/src of the repo).
# Exit status: 0 when everything passed.
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
export MYTCP_MODDIR=${MYTCP_MODDIR:-$repo/build/${MYTCP_VM_KERNEL:-stock}/src}
export PYTHONDONTWRITEBYTECODE=1

kunit=0
if [ "${1:-}" = --kunit ]; then
	kunit=1
	shift
fi
if [ $# -gt 0 ]; then
	tests=("$@")
else
	mapfile -t tests < <(sed -n 's/^TEST_PROGS *[:+]\?= *//p' "$here/Makefile")
fi
# Each program's limit; MYTCP_RUN_TIMEOUT overrides it (0: none).
timeout=${MYTCP_RUN_TIMEOUT:-$(sed -n 's/^timeout=//p' "$here/settings")}

total=$((${#tests[@]} + kunit))
echo "KTAP version 1"
echo "1..$total"
n=0 failed=0

# report NAME STATUS: the parent result of a program.
report() {
	n=$((n + 1))
	if [ "$2" -eq 0 ]; then
		echo "ok $n $1"
	elif [ "$2" -eq 4 ]; then
		echo "ok $n $1 # SKIP"
	else
		echo "not ok $n $1 # exit=$2"
		failed=$((failed + 1))
	fi
}

# unload_mytcp: rmmod, waiting up to 10 s for sockets that are closing.
unload_mytcp() {
	for _ in $(seq 10); do
		! grep -q '^mytcp ' /proc/modules || rmmod mytcp 2>/dev/null && return 0
		sleep 1
	done
	! grep -q '^mytcp ' /proc/modules
}

# left_behind NAME: program NAME left mytcp sockets.  Say which (every
# one still allocated, from debugfs), abort its orphans, unload.
left_behind() {
	local dbg=/sys/kernel/debug/mytcp
	mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
	echo "# $1 left the module in use: $(cat /proc/net/mytcp_sockstat 2>/dev/null)"
	sed 's/^/# left: /' "$dbg/sockets" 2>/dev/null
	echo 1 >"$dbg/abort_orphans" 2>/dev/null
	unload_mytcp ||
		echo "# still in use after aborting the orphans: $(cat /proc/net/mytcp_sockstat)"
}

for t in "${tests[@]}"; do
	start=$SECONDS
	timeout -k 5 "$timeout" "$here/$t" 2>&1 | sed -u 's/^/  /'
	rc=${PIPESTATUS[0]}
	echo "# $t: $((SECONDS - start)) s"
	# Whatever a program left behind must not spoil the next one.
	# Sockets closing in a namespace just deleted may hold the module a
	# little longer: wait for them, then say what is still there.
	unload_mytcp
	if grep -q '^mytcp ' /proc/modules; then
		# The program that left a socket fails, not those after it.
		left_behind "$t"
		rc=1
	fi
	report "$t" "$rc"
done

if [ "$kunit" = 1 ]; then
	mark="mytcp-selftest: kunit $$"
	echo "$mark" >/dev/kmsg
	rc=0
	insmod "$MYTCP_MODDIR/mytcp/mytcp.ko" &&
		insmod "$MYTCP_MODDIR/mytcp/mytcp_kunit.ko" || rc=1
	rmmod mytcp_kunit 2>/dev/null
	rmmod mytcp 2>/dev/null
	# The suites' KTAP, from the kernel log, without timestamps.
	out=$(dmesg | sed -n "/$mark/,\$p" | sed '1d; s/^\[[ 0-9.]*\] //' |
		grep -E '^ *(KTAP version|TAP version|#|[0-9]+\.\.[0-9]+|ok |not ok )')
	sed 's/^/  /' <<<"$out"
	grep -qE '^ *not ok ' <<<"$out" && rc=1
	grep -qE '^ *ok ' <<<"$out" || rc=1
	report kunit "$rc"
fi
[ "$failed" -eq 0 ]
