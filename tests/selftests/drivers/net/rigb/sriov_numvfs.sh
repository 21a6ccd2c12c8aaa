#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# sriov_numvfs semantics with the driver loaded with max_vfs=0: 0->2 succeeds and reads back
# 2; 2->3 fails with EBUSY; 8 fails with ERANGE; "abc" fails with EINVAL (each leaving 2 VFs);
# 2->0 succeeds and the VFs go; 0->7 brings 7 VFs; 7->0 removes them. Each write's errno is
# checked exactly.

lib_dir=$(dirname "$0")
# shellcheck source=lib.sh
source "$lib_dir/lib.sh"

# numvfs_from N: the state a transition starts from: the driver bound and N VFs. Without it a
# "2 -> 0" would pass as a no-op write.
numvfs_from() {
	pf_bound || {
		diag "$PF_BDF is not bound to $RIGB_PCI_DRIVER"
		return 1
	}
	[ "$(numvfs)" = "$1" ] && vf_count_is "$1" && return 0
	diag "precondition: expected $1 VFs, sriov_numvfs reads '$(numvfs)' and $(vf_count) exist"
	return 1
}

# numvfs_set FROM N: from FROM VFs, writing N succeeds, sriov_numvfs reads N and N VFs exist.
numvfs_set() {
	numvfs_from "$1" || return 1
	expect_write "$PF/sriov_numvfs" "$2" OK || return 1
	expect_numvfs "$2" || return 1
	wait_vf_count "$2"
}

# numvfs_reject VALUE ERRNO: writing VALUE fails with ERRNO and 2 VFs remain.
numvfs_reject() {
	numvfs_from 2 || return 1
	expect_write "$PF/sriov_numvfs" "$1" "$2" || return 1
	expect_numvfs 2 || return 1
	vf_count_is 2 || {
		diag "$(vf_count) VFs after the rejected write, expected 2"
		return 1
	}
}

numvfs_loaded_without_vfs() {
	drv_load 0 || return 1
	expect_numvfs 0 || return 1
	vf_count_is 0 || {
		diag "$(vf_count) VFs with max_vfs=0"
		return 1
	}
	igbvf_load
}

numvfs_all() {
	numvfs_set 0 7 || return 1
	diag "$(vf_count) VFs: $(vf_list | sed 's:.*/::' | tr '\n' ' ')"
}

sriov_numvfs_run() {
	drv_reset
	local f=sriov_numvfs
	check "$f: $DRIVER loads with max_vfs=0, no VFs" numvfs_loaded_without_vfs
	check "$f: 0 -> 2 succeeds, reads back 2" numvfs_set 0 2
	check "$f: 2 -> 3 fails with EBUSY" numvfs_reject 3 EBUSY
	check "$f: 8 fails with ERANGE" numvfs_reject 8 ERANGE
	check "$f: abc fails with EINVAL" numvfs_reject abc EINVAL
	check "$f: 2 -> 0 succeeds, VFs removed" numvfs_set 2 0
	check "$f: 0 -> 7 succeeds, 7 VFs appear" numvfs_all
	check "$f: 7 -> 0 succeeds, VFs removed" numvfs_set 7 0
}

rigb_run 8 sriov_numvfs_run
