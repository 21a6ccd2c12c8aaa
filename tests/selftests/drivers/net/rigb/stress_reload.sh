#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Module unload/load cycles with VFs enabled and traffic in flight: each cycle loads the
# driver with 2 VFs (igbvf stays loaded and binds them), puts them in namespaces, starts a
# fast ping between them and unloads the driver 0.3 s later. The kernel must log no BUG,
# WARNING, Oops or lockdep report. Count: RIGB_STRESS_RELOAD (default 50).

lib_dir=$(dirname "$0")
# shellcheck source=lib.sh
source "$lib_dir/lib.sh"

RELOAD_CYCLES=${RIGB_STRESS_RELOAD:-50}

st_reload_cycles() {
	local i done=0 out
	kmsg_mark reload-cycles
	drv_reset >/dev/null 2>&1
	igbvf_load || return 1
	for i in $(seq "$RELOAD_CYCLES"); do
		if ! { drv_load 2 && pf_if_up && wait_vfs_bound 2 && udev_settle &&
			vf_netns_setup 0 1; } >/dev/null 2>&1; then
			diag "cycle $i: no 2 VFs with carrier"
			return 1
		fi
		nsx "$(vf_ns 0)" ping -q -c 50 -i 0.02 "$(vf_ip 1)" >/dev/null 2>&1 &
		sleep 0.3
		drv_unload >/dev/null 2>&1 || { diag "cycle $i: the driver did not unload"; return 1; }
		wait
		vf_netns_cleanup
		done=$i
		[ $((i % 5)) -ne 0 ] || diag "$i of $RELOAD_CYCLES cycles done"
	done
	diag "$done unload/load cycles with VFs enabled and traffic in flight"
	out=$(kmsg_reports_since)
	[ -z "$out" ] || { diag "$out"; return 1; }
}

stress_reload_run() {
	check "stress_reload: $RELOAD_CYCLES unload/load cycles with VFs enabled and traffic" \
		st_reload_cycles
}

rigb_run 1 stress_reload_run
