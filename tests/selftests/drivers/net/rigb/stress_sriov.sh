#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Stress and faults: many sriov_numvfs enable/disable cycles with igbvf bound, processes
# writing sriov_numvfs concurrently, and PF unbind/bind with traffic (module reloads with
# traffic: stress_reload.sh). After each: the state is consistent (the
# VF count in sysfs is what the PF reports), and the kernel logged no BUG, WARNING, Oops or
# lockdep report. Count: RIGB_STRESS_NUMVFS (default 200).

lib_dir=$(dirname "$0")
# shellcheck source=lib.sh
source "$lib_dir/lib.sh"

NUMVFS_CYCLES=${RIGB_STRESS_NUMVFS:-200}

# no_kernel_report: nothing alarming in the kernel log since the last mark.
no_kernel_report() {
	local out
	out=$(kmsg_reports_since)
	[ -z "$out" ] && return 0
	diag "kernel report:"
	diag "$out"
	return 1
}

consistent() { [ "$(numvfs)" = "$(vf_count)" ]; }

st_numvfs_cycles() {
	local i n=0 w
	kmsg_mark numvfs-cycles
	vf_setup 2 || return 1
	for i in $(seq "$NUMVFS_CYCLES"); do
		w=$(sysfs_write "$PF/sriov_numvfs" 0)
		[ "$w" = OK ] || { diag "cycle $i: disable: $w"; return 1; }
		w=$(sysfs_write "$PF/sriov_numvfs" 2)
		[ "$w" = OK ] || { diag "cycle $i: enable: $w"; return 1; }
		n=$i
	done
	wait_vfs_bound 2 || return 1
	diag "$n enable/disable cycles with igbvf bound"
	consistent && no_kernel_report
}

st_concurrent_writers() {
	local p pids=() end
	kmsg_mark concurrent-writers
	vf_setup 1 || return 1
	end=$((SECONDS + 20))
	for p in 1 2 3 4; do
		(
			while [ $SECONDS -lt $end ]; do
				printf '%s\n' $((RANDOM % 4)) >"$PF/sriov_numvfs" 2>/dev/null
				printf '0\n' >"$PF/sriov_numvfs" 2>/dev/null
			done
		) &
		pids+=($!)
	done
	wait "${pids[@]}"
	udev_settle
	diag "4 writers for 20 s; now $(numvfs) VFs, $(vf_count) virtfn links"
	consistent && no_kernel_report && [ "$(sysfs_write "$PF/sriov_numvfs" 0)" = OK ] &&
		[ "$(sysfs_write "$PF/sriov_numvfs" 2)" = OK ] && wait_vfs_bound 2
}

st_unbind_bind() {
	local i
	kmsg_mark unbind-bind
	vf_setup 2 && vf_netns_setup 0 1 || return 1
	nsx "$(vf_ns 0)" ping -q -c 100 -i 0.05 "$(vf_ip 1)" >/dev/null 2>&1 &
	for i in 1 2 3 4 5; do
		echo "$PF_BDF" >"$PF/driver/unbind" || return 1
		echo "$PF_BDF" >"/sys/bus/pci/drivers/$RIGB_PCI_DRIVER/bind" || return 1
		drv_wait_bound || return 1
	done
	wait
	diag "5 unbind/bind cycles with traffic; $(numvfs) VFs after"
	consistent && no_kernel_report
}

stress_run() {
	local f=stress_sriov
	check "$f: $NUMVFS_CYCLES sriov_numvfs enable/disable cycles with igbvf bound" st_numvfs_cycles
	check "$f: 4 processes writing sriov_numvfs at once" st_concurrent_writers
	check "$f: PF unbind/bind with VF traffic" st_unbind_bind
}

rigb_run 3 stress_run
