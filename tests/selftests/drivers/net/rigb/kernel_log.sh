#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel log of the whole VM run (boot included) has no "BUG:", "WARNING:", "Oops",
# "Call Trace", "kernel BUG at" or "Kernel panic" (kernel messages only: text user space
# wrote to /dev/kmsg does not count). It is the last of TEST_PROGS in the Makefile, so the
# runner gets to it after every other test has run and cleaned up; offending lines are
# printed as diagnostics.

lib_dir=$(dirname "$0")
# shellcheck source=lib.sh
source "$lib_dir/lib.sh"

KERNEL_LOG_BAD='BUG:|WARNING:|Oops|Call Trace|kernel BUG at|Kernel panic'

kernel_log_clean() {
	local lines n
	lines=$(kmsg_kernel | grep -E "$KERNEL_LOG_BAD")
	[ -z "$lines" ] && return 0
	n=$(wc -l <<<"$lines")
	diag "$n offending kernel log line(s):"
	diag "$(head -n 50 <<<"$lines")"
	# The context of the first one.
	diag "--- kernel log around the first:"
	diag "$(kmsg_kernel | grep -m1 -A 30 -E "$KERNEL_LOG_BAD")"
	return 1
}

kernel_log_run() {
	check "kernel_log: no BUG, WARNING, Oops or Call Trace in the kernel log" kernel_log_clean
}

rigb_run 1 kernel_log_run
