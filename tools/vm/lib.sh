# SPDX-License-Identifier: GPL-2.0
# tools/vm/lib.sh - where the two kernels mytcp is tested on live.
# Sourced by the VM scripts and used by the top-level Makefile.

MYTCP_CACHE=${MYTCP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mytcp}
VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Newest installed stock Debian kernel release that also has its headers.
stock_kver() {
	local d r best=
	for d in /usr/src/linux-headers-*-amd64; do
		[ -d "$d" ] || continue
		r=${d#/usr/src/linux-headers-}
		[ -f "/boot/vmlinuz-$r" ] || continue
		best=$(printf '%s\n%s\n' "$best" "$r" | sed '/^$/d' | sort -V | tail -n 1)
	done
	[ -n "$best" ] || { echo "no stock kernel with headers: run tools/setup" >&2; return 1; }
	echo "$best"
}

# Cache folder of the debug kernel: keyed by the source package version,
# the config fragment and the build script, so a change to any rebuilds it.
debug_kernel_dir() {
	local ver key
	ver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null) ||
		{ echo "linux-source-6.1 missing: run tools/setup" >&2; return 1; }
	key=$(cat "$VM_DIR/debug.config" "$VM_DIR/build-debug-kernel" | sha256sum | cut -c1-12)
	echo "$MYTCP_CACHE/debug-kernel/$ver-$key"
}
