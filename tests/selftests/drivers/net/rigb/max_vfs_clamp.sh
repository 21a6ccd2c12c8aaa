#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# max_vfs=9 is more than the 82576 supports: the driver still loads, enables the maximum of
# 7 VFs, and says so with a warning in the kernel log: a message of level warning or worse
# from the driver ("<driver> 0000:01:00.0: ..." or "<driver>: ...") that mentions VFs and the
# number 7.

lib_dir=$(dirname "$0")
# shellcheck source=lib.sh
source "$lib_dir/lib.sh"

clamp_load() {
	kmsg_mark max_vfs_clamp
	drv_load 9 || return 1
	wait_vf_count 7 || return 1
	expect_numvfs 7
}

clamp_warning() {
	local lines
	lines=$(kmsg_warnings_since | grep -E "^${DRIVER}[ :]" | grep -i 'vf' | grep -E '\b7\b')
	if [ -n "$lines" ]; then
		diag "$lines"
		return 0
	fi
	diag "no warning from $DRIVER about the clamp; its messages since loading:"
	diag "$(kmsg_since | grep -E "^(\[[ 0-9.]*\] )?${DRIVER}[ :]")"
	return 1
}

max_vfs_clamp_run() {
	local f=max_vfs_clamp
	drv_reset
	check "$f: max_vfs=9 loads and gives 7 VFs" clamp_load
	check "$f: the clamp is logged as a warning" clamp_warning
}

rigb_run 2 max_vfs_clamp_run
