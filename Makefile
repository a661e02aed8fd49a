# SPDX-License-Identifier: GPL-2.0
#
# mytcp - top-level Makefile.
#
#   make              build mytcp.ko against the stock Debian kernel headers
#                     (KDIR=<kernel build tree> builds against another kernel)
#                     and the tools (build/mytcpstat/mytcpstat,
#                     build/bench/bench, build/synflood/synflood,
#                     build/mytcpize/libmytcpize.so)
#   make tools        build the tools only
#   make install      install it for the stock kernel and run depmod
#   make check        build for both kernels, run KUnit and the selftests in
#                     VMs, print "N passed, N failed" (TESTS="a.py b.sh":
#                     only those selftests)
#   make demo         build, boot the stock kernel, load mytcp, show it working
#   make realworld    real programs over mytcp with mytcpize on the stock
#                     kernel, long runs: lighttpd with curl and wget (100 MB),
#                     iperf3, redis-benchmark, python3 -m http.server
#   make flood        the long SYN flood test on the stock kernel: mytcp and
#                     TCP, 1,000 connections during the flood, expired cookies
#   make transfer-long
#                     50 MB transfers each way under every netem condition
#                     of selftests/mytcp_transfer.py (KERNEL=stock|debug)
#   make vm-shell     a root shell in the VM (KERNEL=stock|debug)
#   make setup        install the Debian packages everything here needs
#   make debug-kernel build (once, cached) the debug kernel
#   make lint         checkpatch --strict, sparse and W=1 on both kernels
#   make bench        mytcp against TCP in one stock-kernel VM run: a table,
#                     CSV and a plot in results/bench-<date>/

STOCK_KVER ?= $(shell bash -c '. tools/vm/lib.sh && stock_kver' 2>/dev/null)
KDIR ?= /usr/src/linux-headers-$(STOCK_KVER)
KERNEL ?= stock

all: modules tools

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

tools:
	$(MAKE) -C tools/mytcpstat
	$(MAKE) -C tools/bench
	$(MAKE) -C tools/synflood
	$(MAKE) -C tools/mytcpize

install: modules
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install
	depmod -a $(STOCK_KVER)

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf build

setup:
	tools/setup

debug-kernel: setup
	tools/vm/build-debug-kernel

# Out-of-tree objects are written beside their sources, so each kernel's
# build happens in its own copy under build/.
build-stock build-debug: build-%: setup
	tools/build-for $*

check: setup
	tools/check $(TESTS)

demo: setup
	tools/demo

flood: setup
	tools/build-for stock
	$(MAKE) -s tools
	tools/vm/run --kernel stock --cpus 1 --timeout 1500 -- \
		env MYTCP_FLOOD_LONG=1 MYTCP_TEST_TIMEOUT=600 \
		selftests/run.sh mytcp_synflood.py

realworld: setup
	tools/build-for stock
	$(MAKE) -s tools
	tools/vm/run --kernel stock --cpus 1 --timeout 1800 -- \
		env MYTCP_REALWORLD_LONG=1 MYTCP_TEST_TIMEOUT=1500 \
		selftests/run.sh mytcp_realworld.py
transfer-long: setup
	tools/build-for $(KERNEL)
	tools/vm/run --kernel $(KERNEL) --cpus 1 --timeout 0 -- \
		env MYTCP_TRANSFER_MB=50 MYTCP_TEST_TIMEOUT=3600 MYTCP_RUN_TIMEOUT=0 \
		selftests/run.sh mytcp_transfer.py

vm-shell: setup
	tools/vm/run --kernel $(KERNEL) --timeout 0 -- bash -il

lint: setup
	tools/lint

bench: setup
	tools/bench/make-bench

.PHONY: all modules tools install clean setup debug-kernel build-stock build-debug check demo flood realworld \
	transfer-long vm-shell lint bench
