#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Loading the PF driver with max_vfs=3 creates exactly three VFs: three virtfn* links under
# the PF, each VF is 8086:10ca, sriov_numvfs reads 3 and sriov_totalvfs reads 7; igbvf
# (loaded explicitly) binds every VF and each gets a network interface.

lib_dir=$(dirname "$0")
# shellcheck source=lib.sh
source "$lib_dir/lib.sh"

basic_vf_ids() {
	local vf ok=0
	vf_count_is 0 && {
		diag "no VFs"
		return 1
	}
	for vf in $(vf_list); do
		if [ "$(dev_id "$vf")" != "$PF_VENDOR:$VF_DEVICE" ]; then
			diag "${vf##*/} is $(dev_id "$vf"), expected $PF_VENDOR:$VF_DEVICE"
			ok=1
		fi
	done
	return $ok
}

basic_totalvfs() {
	local t
	t=$(totalvfs)
	[ "$t" = "$PF_TOTALVFS" ] && return 0
	diag "sriov_totalvfs reads '$t', expected $PF_TOTALVFS"
	return 1
}

basic_igbvf_bound() {
	igbvf_load || return 1
	wait_vfs_bound 3 && vf_table
}

basic_vf_netdevs() {
	local vf ok=0
	vf_count_is 0 && {
		diag "no VFs"
		return 1
	}
	for vf in $(vf_list); do
		if [ -z "$(dev_netdevs "$vf")" ]; then
			diag "${vf##*/} has no network interface"
			ok=1
		fi
	done
	return $ok
}

sriov_basic_run() {
	drv_reset
	check "sriov_basic: $DRIVER loads with max_vfs=3 and binds the PF" drv_load 3
	check "sriov_basic: exactly 3 virtfn links" wait_vf_count 3
	check "sriov_basic: every VF is 8086:10ca" basic_vf_ids
	check "sriov_basic: sriov_numvfs reads 3" expect_numvfs 3
	check "sriov_basic: sriov_totalvfs reads 7" basic_totalvfs
	check "sriov_basic: igbvf binds every VF" basic_igbvf_bound
	check "sriov_basic: every VF has a network interface" basic_vf_netdevs
}

rigb_run 7 sriov_basic_run
