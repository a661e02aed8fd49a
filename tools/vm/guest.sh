# SPDX-License-Identifier: GPL-2.0
# Runs inside the VM as pid 1, in the host root, with the
# variables the host's tools/vm/run put in front of it: runs the command
# with its output on the second serial port, then has kmemleak scan (on
# kernels that have it) and leaves the command's status for the host.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/tmp TERM=${TERM:-vt100} MYTCP_VM=1 MYTCP_VM_KERNEL
KMEMLEAK=/sys/kernel/debug/kmemleak
hostname mytcp-vm
ip link set lo up

# Leaks from before the command are not the command's.  kmemleak's own
# thread would scan every 10 minutes, taking a CPU for half a minute under
# TCG and KASAN in the middle of timed tests; the scans here, before and
# after the command, are the ones that count, so the thread is stopped.
if [ -w "$KMEMLEAK" ]; then
	echo scan=off >"$KMEMLEAK"
	echo scan >"$KMEMLEAK"
	echo clear >"$KMEMLEAK"
fi
echo "mytcp-vm: command starts" >/dev/kmsg

cd "$MYTCP_CWD" 2>/dev/null || cd /
if [ "$MYTCP_INTERACTIVE" = 1 ]; then
	setsid -c "${MYTCP_CMD[@]}" </dev/ttyS1 >/dev/ttyS1 2>&1
else
	# Plain newlines, as a pipe would carry them.
	stty -F /dev/ttyS1 -onlcr 2>/dev/null
	"${MYTCP_CMD[@]}" </dev/null >/dev/ttyS1 2>&1
fi
status=$?
echo "mytcp-vm: command ended with status $status" >/dev/kmsg

if [ -w "$KMEMLEAK" ]; then
	# kmemleak ignores objects younger than 5 s; scan twice to settle.
	sleep 6
	echo scan >"$KMEMLEAK"
	echo scan >"$KMEMLEAK"
	cat "$KMEMLEAK" >"$MYTCP_WORK/kmemleak"
fi
echo "$status" >"$MYTCP_WORK/status"
# This script is pid 1: rebooting (with qemu's -no-reboot) ends the VM.
sync
exec /bin/busybox reboot -f
