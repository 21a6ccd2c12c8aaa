# SPDX-License-Identifier: GPL-2.0
#
# rigb: user-facing targets. The module itself is built by the kernel's kbuild (see Kbuild).
#
#   make                 build rigb.ko against the project's test kernel (set up on first use)
#   make KDIR=<dir>      build against another Rust-enabled kernel build tree
#   make CLIPPY=1        the same, with clippy lints
#   make fmt | fmtcheck  format / check formatting with the kernel's rustfmt settings
#   make lint            fmtcheck, the module graph without cycles, a clean CLIPPY=1 rebuild
#                        that must print no warning; rustfmt and clippy on tools/
#   make tools           build tools/hostile-vf (rigb-hostile-vf) into $RIGB_CACHE
#   make demo            boot the VM, load rigb with max_vfs=7 and show the VFs
#   make test            the whole test suite (host unit tests, then VM selftests)
#   make test-debug      the whole suite again on the debug kernel (KASAN, lockdep,
#                        DEBUG_ATOMIC_SLEEP, kmemleak, Rust debug assertions and overflow
#                        checks; scripts/kernel-debug.config), built in its own tree;
#                        DEBUG_TESTS="a.sh b.sh" runs some programs only
#   make test-debug-ci   the part of it that .ci/run runs (about 35 minutes)
#   make bench           rigb against C igb in one VM boot, interleaved rounds: VF enable/
#                        disable, mailbox round trips, MMIO per transaction, traffic;
#                        tables, chart and raw numbers in $RIGB_CACHE/bench-results/latest
#   make test-upstream   the kernel's drivers/net tests (ping.py, stats.py, queues.py) against
#                        the PF interface, C igb and rigb in one boot: a table of sub-tests
#   make vm CMD='...'    run a command as root in the test VM; its exit status is returned
#   make shell           interactive shell in the test VM

SHELL := /bin/bash
RIGB_CACHE ?= $(HOME)/.cache/rigb
export RIGB_CACHE
DEFAULT_KDIR := $(RIGB_CACHE)/linux-build
KDIR ?= $(DEFAULT_KDIR)
KSRC = $(RIGB_CACHE)/linux-src
ENV := . scripts/common.sh && rigb_kernel_env &&

.PHONY: all modules setup clean fmt fmtcheck modgraph lint tools demo test test-debug \
	test-debug-ci vm shell bench test-upstream

all: modules

setup:
ifeq ($(KDIR),$(DEFAULT_KDIR))
	@scripts/setup.sh
endif

modules: setup
	@$(ENV) $(MAKE) -C $(KDIR) M=$(CURDIR) modules

clean:
	@$(ENV) $(MAKE) -C $(KDIR) M=$(CURDIR) clean

RUST_SOURCES = $(shell find rust tests/host -name '*.rs' -not -path '*/target/*')

fmt:
	@$(ENV) rustfmt --edition 2021 --config-path $(KSRC)/.rustfmt.toml $(RUST_SOURCES)

fmtcheck:
	@$(ENV) rustfmt --edition 2021 --check --config-path $(KSRC)/.rustfmt.toml $(RUST_SOURCES)

modgraph:
	@python3 scripts/modgraph.py rust >/dev/null || { python3 scripts/modgraph.py rust; exit 1; }

TOOLS := tools/hostile-vf/Cargo.toml
TOOLS_TARGET := CARGO_TARGET_DIR=$(RIGB_CACHE)/tools-target

tools:
	@scripts/build-tools.sh

lint: setup fmtcheck modgraph
	@$(TOOLS_TARGET) cargo fmt --check --manifest-path $(TOOLS)
	@$(TOOLS_TARGET) cargo clippy --quiet --offline --all-targets --manifest-path $(TOOLS) -- -D warnings
	@touch rust/rigb.rs c/rigb_netdev.c
	@out=$$($(ENV) $(MAKE) -C $(KDIR) M=$(CURDIR) CLIPPY=1 modules 2>&1); rc=$$?; \
	if [ $$rc -ne 0 ] || grep -q 'warning' <<<"$$out"; then \
		echo "$$out"; echo "lint: build failed or printed warnings"; exit 1; fi; \
	echo "lint: rustfmt clean, no module cycles, CLIPPY=1 build without warnings"

demo: modules
	@scripts/vm.sh -- tests/demo.sh

test: modules
	@tests/run.sh

DEBUG_KBUILD := $(RIGB_CACHE)/linux-build-debug
# The kernel accepts KASAN with Rust only when C is compiled by clang: the debug kernel and
# rigb.ko for it are built with clang-19 and LLVM's tools (kbuild's LLVM=).
DEBUG_LLVM := -19
DEBUG_KMAKE = $(ENV) $(MAKE) -C $(DEBUG_KBUILD) M=$(CURDIR) LLVM=$(DEBUG_LLVM)

# The checks make everything several times slower under TCG (the whole suite takes about 70
# minutes here): the programs get 30 minutes each and the VM two hours, and the stress tests
# run a fifth of their cycles (40 sriov_numvfs cycles, 10 reloads): the debug kernel is there
# to see each path under its checks, the normal run to repeat them.
DEBUG_VM_SECONDS := 7200
# KASAN's shadow wants more than the normal VM's 1 GiB. It stays below 2.75 GiB so that q35
# puts all of it below 4 GiB: with guest memory above 4 GiB, igbvf's reset fails in QEMU's
# model (C igb's VFs and rigb's alike get no carrier).
DEBUG_VM_MEM := 2560M
DEBUG_STRESS_NUMVFS := 40
DEBUG_STRESS_RELOAD := 10
DEBUG_TESTS ?=

# The debug kernel's share that .ci/run runs after `make test`, sized to fit CI's 90 minutes
# with it (about 35 minutes here; its VM is stopped after 40, so that a hung run fails inside
# CI's limit): the SR-IOV lifetime, KUnit, the VF data path, the PF's own data path (its
# rings, pages and DMA mappings under KASAN and kmemleak), the denial-of-service attacks,
# both stress tests (with fewer cycles again) and the whole-log and kmemleak check. The
# message attacks (vf_hostile_msgs, 15 minutes on this kernel) run in `make test-debug`.
DEBUG_CI_TESTS := sriov_basic.sh sriov_remove.sh kunit.sh vf_ping.sh pf_datapath.sh \
	vf_hostile_dos.sh stress_sriov.sh stress_reload.sh kernel_log.sh

# rigb.ko is built for the debug kernel, tested, then rebuilt for the normal one.
test-debug: setup
	@RIGB_KBUILD=$(DEBUG_KBUILD) RIGB_KERNEL_EXTRA=scripts/kernel-debug.config \
		RIGB_KERNEL_LLVM=$(DEBUG_LLVM) scripts/setup.sh
	@$(DEBUG_KMAKE) -s clean
	@$(DEBUG_KMAKE) modules
	@rc=0; RIGB_KBUILD=$(DEBUG_KBUILD) RIGB_VM_MEM=$(DEBUG_VM_MEM) \
		RIGB_TEST_TIMEOUT=$(DEBUG_VM_SECONDS) RIGB_PROGRAM_TIMEOUT=1800 \
		RIGB_STRESS_NUMVFS=$(DEBUG_STRESS_NUMVFS) \
		RIGB_STRESS_RELOAD=$(DEBUG_STRESS_RELOAD) RIGB_TESTS="$(DEBUG_TESTS)" \
		tests/run.sh || rc=$$?; \
	$(DEBUG_KMAKE) -s clean; \
	$(ENV) $(MAKE) -s -C $(KDIR) M=$(CURDIR) modules; exit $$rc

test-debug-ci:
	@$(MAKE) --no-print-directory test-debug DEBUG_TESTS="$(DEBUG_CI_TESTS)" \
		DEBUG_STRESS_NUMVFS=10 DEBUG_STRESS_RELOAD=3 DEBUG_VM_SECONDS=2400

bench: modules
	@tests/bench/vf_bench.sh

test-upstream: modules
	@tests/upstream/drv_net.sh

vm: modules
	@scripts/vm.sh -- $(CMD)

shell: modules
	@scripts/vm.sh -i
