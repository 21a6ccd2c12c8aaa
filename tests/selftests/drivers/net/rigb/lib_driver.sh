#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The driver under test, DRIVER=rigb (insmod $RIGB_KO) or DRIVER=igb (modprobe igb), and the
# in-tree VF driver igbvf: loading, unloading, waiting for them to bind. Sourced by lib.sh.

mod_loaded() { grep -q "^$1 " /proc/modules; }
mod_absent() { ! mod_loaded "$1"; }

pf_bound() { [ "$(dev_driver "$PF")" = "$RIGB_PCI_DRIVER" ]; }

# drv_load [MAX_VFS]: load the driver under test (with max_vfs=MAX_VFS when given) and wait
# until it is bound to the PF.
drv_load() {
	local out rc t=$SECONDS
	case $DRIVER in
	rigb)
		if [ ! -f "$RIGB_KO" ]; then
			diag "$RIGB_KO does not exist (build it with 'make')"
			return 1
		fi
		out=$(run_to "$RIGB_TIMEOUT" insmod "$RIGB_KO" ${1:+max_vfs=$1} 2>&1)
		;;
	igb) out=$(run_to "$RIGB_TIMEOUT" modprobe igb ${1:+max_vfs=$1} 2>&1) ;;
	*)
		diag "unknown DRIVER '$DRIVER' (rigb or igb)"
		return 1
		;;
	esac
	rc=$?
	if [ "$rc" -ne 0 ]; then
		diag "loading $DRIVER${1:+ max_vfs=$1} failed ($rc): $out"
		return 1
	fi
	slow_note "loading $DRIVER${1:+ max_vfs=$1}" "$t"
	drv_wait_bound
}

# drv_wait_bound: the driver is loaded and bound to the PF (probe may be asynchronous).
drv_wait_bound() {
	if slowwait "$RIGB_TIMEOUT" pf_bound; then
		return 0
	fi
	diag "$DRIVER is loaded but $PF_BDF is bound to '$(dev_driver "$PF")', not $RIGB_PCI_DRIVER"
	return 1
}

# mod_unload NAME: rmmod NAME if it is loaded and wait until it is gone.
mod_unload() {
	local out t=$SECONDS
	mod_loaded "$1" || return 0
	if ! out=$(run_to "$RIGB_TIMEOUT" rmmod "$1" 2>&1); then
		diag "rmmod $1 failed: $out"
		return 1
	fi
	if ! slowwait "$RIGB_TIMEOUT" mod_absent "$1"; then
		diag "$1 still loaded ${RIGB_TIMEOUT}s after rmmod"
		return 1
	fi
	slow_note "rmmod $1" "$t"
}

drv_unload() { mod_unload "$DRIVER"; }

# drv_reset: a clean start for a test: neither rigb nor igb bound, no VFs.
drv_reset() {
	local ok=0
	mod_unload rigb || ok=1
	mod_unload igb || ok=1
	slowwait "$RIGB_TIMEOUT" vf_count_is 0 || {
		diag "VFs still present after unloading the PF drivers"
		ok=1
	}
	return $ok
}

# igbvf_load: the in-tree VF driver, loaded explicitly (udev in the VM does not autoload it).
igbvf_load() {
	local out
	mod_loaded igbvf && return 0
	if ! out=$(run_to "$RIGB_TIMEOUT" modprobe igbvf 2>&1); then
		diag "modprobe igbvf failed: $out"
		return 1
	fi
}

# udev_settle: let udev finish renaming interfaces and setting MACs (the guest's udev does
# both right after a probe), so that an interface is not moved or renamed under it.
udev_settle() {
	command -v udevadm >/dev/null 2>&1 || return 0
	udevadm settle -t 10 >/dev/null 2>&1
	return 0
}

# pf_if_up: the C igb serves its VFs' mailbox only with the PF interface up (igb_up sets
# PFRSTD; with it down igbvf logs "PF still in reset state"), so bring it up for DRIVER=igb.
# rigb serves its VFs without a PF interface: nothing to do (even if it had one, the VF tests
# must pass with it down).
pf_has_netdev() { [ -n "$(pf_netdev)" ]; }
pf_if_up() {
	local ifc
	[ "$DRIVER" = igb ] || return 0
	if ! slowwait 10 pf_has_netdev; then
		diag "$DRIVER is bound but $PF_BDF has no network interface"
		return 1
	fi
	ifc=$(pf_netdev)
	if ! run_to "$RIGB_TIMEOUT" ip link set dev "$ifc" up; then
		diag "could not bring the PF interface $ifc up"
		return 1
	fi
}

# vf_setup N: a clean start with N VFs ready for traffic: no driver loaded, then the driver
# under test with max_vfs=N, its PF interface up (igb), then igbvf (loaded last, so it probes
# the VFs with the PF ready), N VFs bound with interfaces, udev done with them.
vf_setup() {
	drv_reset || return 1
	mod_unload igbvf || return 1
	drv_load "$1" || return 1
	pf_if_up || return 1
	igbvf_load || return 1
	wait_vfs_bound "$1" || return 1
	udev_settle
}
