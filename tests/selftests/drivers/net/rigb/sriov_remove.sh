#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Unloading the PF driver while VFs are enabled (and bound to igbvf) removes the VFs, and the
# PCI core does not report "driver left SR-IOV enabled after remove"; loading the driver
# again brings the VFs back.

lib_dir=$(dirname "$0")
# shellcheck source=lib.sh
source "$lib_dir/lib.sh"

REMOVE_VFS=()
REMOVE_DONE=0

remove_setup() {
	drv_load 2 || return 1
	igbvf_load || return 1
	wait_vfs_bound 2 || return 1
	mapfile -t REMOVE_VFS < <(vf_list)
}

vf_devices_gone() {
	local vf
	for vf in "${REMOVE_VFS[@]}"; do
		[ -e "$PCI_DEVICES/${vf##*/}" ] && return 1
	done
	return 0
}

remove_rmmod() {
	local vf
	REMOVE_DONE=0
	if ! mod_loaded "$DRIVER" || [ "${#REMOVE_VFS[@]}" -eq 0 ] || vf_count_is 0; then
		diag "precondition: $DRIVER loaded with VFs enabled (has $(vf_count) VFs)"
		return 1
	fi
	kmsg_mark sriov_remove
	drv_unload || return 1
	REMOVE_DONE=1
	if ! slowwait "$RIGB_TIMEOUT" vf_count_is 0; then
		diag "$(vf_count) virtfn links remain after rmmod $DRIVER (sriov_numvfs: $(numvfs))"
		return 1
	fi
	if ! slowwait "$RIGB_TIMEOUT" vf_devices_gone; then
		for vf in "${REMOVE_VFS[@]}"; do
			[ -e "$PCI_DEVICES/${vf##*/}" ] && diag "VF ${vf##*/} still exists"
		done
		return 1
	fi
}

remove_no_leftover_warning() {
	local lines
	if [ "$REMOVE_DONE" != 1 ]; then
		diag "no rmmod with VFs enabled took place"
		return 1
	fi
	lines=$(kmsg_since | grep 'driver left SR-IOV enabled after remove')
	[ -z "$lines" ] && return 0
	diag "$lines"
	return 1
}

remove_reload() {
	drv_load 2 || return 1
	wait_vfs_bound 2 && vf_table
}

sriov_remove_run() {
	local f=sriov_remove
	drv_reset
	check "$f: 2 VFs enabled and bound to igbvf" remove_setup
	check "$f: rmmod $DRIVER succeeds and removes the VFs" remove_rmmod
	check "$f: no 'driver left SR-IOV enabled after remove'" remove_no_leftover_warning
	check "$f: reload brings the 2 VFs back" remove_reload
}

rigb_run 4 sriov_remove_run
