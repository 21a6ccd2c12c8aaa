#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel log of the whole VM run (boot included) has no "BUG:", "WARNING:", "Oops",
# "Call Trace", "kernel BUG at" or "Kernel panic" (kernel messages only: text user space
# wrote to /dev/kmsg does not count). It is the last of TEST_PROGS in the Makefile, so the
# runner gets to it after every other test has run and cleaned up; offending lines are
# printed as diagnostics.
#
# One report is the PCI core's own and is set aside (counted and printed, not failed): since
# 7.3, pci_stop_and_remove_bus_device() asserts that pci_rescan_remove_lock is held. Writing
# sriov_numvfs and removing a device hold it; unbinding a driver and rmmod do not, so every PF
# driver that disables SR-IOV in its remove callback meets the assertion once per VF; C igb
# takes the same path (igb_remove -> igb_disable_sriov -> pci_disable_sriov). A driver cannot take
# the lock itself there without deadlocking device removal, which calls remove with the lock
# held. Only a whole report (from "cut here" to "end trace") whose warning is that assertion and
# whose trace goes from pci_device_remove through pci_disable_sriov is set aside
# (kmsg_set_aside in lib_kmsg.sh; the stress and attack tests use the same filter).
#
# On a kernel with kmemleak (the debug kernel, `make test-debug`), the drivers are then
# unloaded and kmemleak scans: no object allocated since tests/run.sh cleared its list at the
# start of the run (the boot's own are not counted) may be unreferenced. Without kmemleak that
# test is skipped.

lib_dir=$(dirname "$0")
# shellcheck source=lib.sh
source "$lib_dir/lib.sh"

KERNEL_LOG_BAD='BUG:|WARNING:|Oops|Call Trace|kernel BUG at|Kernel panic'
KMEMLEAK=$DEBUGFS/kmemleak

kernel_log_clean() {
	local lines n known log
	# The log must still reach back to the boot (the VM boots with log_buf_len=32M);
	# otherwise what scrolled out would go unchecked.
	if ! kmsg_kernel | head -n 5 | grep -q 'Linux version'; then
		diag "the kernel log wrapped: it no longer starts at the boot, so it cannot be checked"
		return 1
	fi
	known=$(mktemp)
	log=$(kmsg_kernel | kmsg_set_aside "$known")
	n=$(cat "$known")
	rm -f "$known"
	[ "$n" -eq 0 ] ||
		diag "$n report(s) of the PCI core's rescan-remove lock assertion on SR-IOV disable in a driver's remove, set aside"
	lines=$(grep -E "$KERNEL_LOG_BAD" <<<"$log")
	[ -z "$lines" ] && return 0
	n=$(wc -l <<<"$lines")
	diag "$n offending kernel log line(s):"
	diag "$(head -n 50 <<<"$lines")"
	# The context of the first one.
	diag "--- kernel log around the first:"
	diag "$(grep -m1 -A 30 -E "$KERNEL_LOG_BAD" <<<"$log")"
	return 1
}

# kmemleak_clean: after the drivers are gone, two scans (an object must be unreferenced for
# 5 s before kmemleak reports it) find nothing.
kmemleak_clean() {
	local report n
	drv_reset && mod_unload igbvf || return 1
	echo scan >"$KMEMLEAK" || return 1
	sleep 6
	echo scan >"$KMEMLEAK" || return 1
	report=$(cat "$KMEMLEAK")
	[ -z "$report" ] && return 0
	n=$(grep -c '^unreferenced object' <<<"$report")
	diag "kmemleak: $n unreferenced object(s):"
	diag "$(head -n 80 <<<"$report")"
	return 1
}

kernel_log_run() {
	check "kernel_log: no BUG, WARNING, Oops or Call Trace in the kernel log" kernel_log_clean
	if debugfs_mount && [ -w "$KMEMLEAK" ]; then
		check "kernel_log: kmemleak finds no leak after the drivers are unloaded" kmemleak_clean
	else
		ktap_test_skip "kernel_log: kmemleak (a kernel without CONFIG_DEBUG_KMEMLEAK)"
	fi
}

rigb_run 2 kernel_log_run
