#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The 82576 PF and its VFs, found through /sys/bus/pci/devices (never by interface name), and
# sysfs writes with the errno they fail with. Sourced by lib.sh.

# shellcheck disable=SC2034 # used by the test programs
{
	PF_VENDOR=0x8086
	PF_DEVICE=0x10c9
	VF_DEVICE=0x10ca
	PF_TOTALVFS=7
}
PCI_DEVICES=/sys/bus/pci/devices

dev_id() { # DEV -> "vendor:device" as in sysfs, e.g. 0x8086:0x10c9
	echo "$(cat "$1/vendor" 2>/dev/null):$(cat "$1/device" 2>/dev/null)"
}

# pf_find: the PF's sysfs path: $RIGB_PF_BDF if it is an 82576 PF, else the first one found.
pf_find() {
	local d
	if [ "$(dev_id "$PCI_DEVICES/$RIGB_PF_BDF")" = "$PF_VENDOR:$PF_DEVICE" ]; then
		readlink -f "$PCI_DEVICES/$RIGB_PF_BDF"
		return 0
	fi
	for d in "$PCI_DEVICES"/*; do
		if [ "$(dev_id "$d")" = "$PF_VENDOR:$PF_DEVICE" ]; then
			readlink -f "$d"
			return 0
		fi
	done
	return 1
}

PF=$(pf_find) || PF=
PF_BDF=${PF##*/}

dev_driver() { # DEV -> name of the bound driver, or nothing
	local l
	l=$(readlink "$1/driver" 2>/dev/null) || return 0
	echo "${l##*/}"
}

dev_netdevs() { # DEV -> its network interfaces, one a line
	local n
	for n in "$1"/net/*; do
		[ -e "$n" ] && echo "${n##*/}"
	done
	return 0
}

pf_netdev() { dev_netdevs "$PF" | head -n1; }

# vf_list: sysfs paths of the PF's VFs (from its virtfn* links), in VF order.
vf_list() {
	local i
	for ((i = 0; i < 64; i++)); do
		[ -L "$PF/virtfn$i" ] && readlink -f "$PF/virtfn$i"
	done
	return 0
}

vf_count() { # number of virtfn* links under the PF
	local n=0 l
	for l in "$PF"/virtfn*; do
		[ -L "$l" ] && n=$((n + 1))
	done
	echo "$n"
}

numvfs() { cat "$PF/sriov_numvfs" 2>/dev/null; }
totalvfs() { cat "$PF/sriov_totalvfs" 2>/dev/null; }

vf_count_is() { [ "$(vf_count)" -eq "$1" ]; }

# vfs_bound N: exactly N VFs, all bound to igbvf, each with a network interface.
vfs_bound() {
	local vf
	vf_count_is "$1" || return 1
	for vf in $(vf_list); do
		[ "$(dev_driver "$vf")" = igbvf ] || return 1
		[ -n "$(dev_netdevs "$vf")" ] || return 1
	done
}

# pf_bound_for_vfs N: VFs can only appear with the driver bound; don't wait for them otherwise.
pf_bound_for_vfs() {
	[ "$1" -eq 0 ] && return 0
	pf_bound && return 0
	diag "no VFs to wait for: $PF_BDF is not bound to $RIGB_PCI_DRIVER (driver: '$(dev_driver "$PF")')"
	return 1
}

# wait_vf_count N: wait for exactly N virtfn links; diagnose otherwise.
wait_vf_count() {
	pf_bound_for_vfs "$1" || return 1
	if slowwait "$RIGB_TIMEOUT" vf_count_is "$1"; then
		return 0
	fi
	diag "expected $1 VFs, found $(vf_count) after ${RIGB_TIMEOUT}s (sriov_numvfs: $(numvfs))"
	return 1
}

# wait_vfs_bound N: wait for N VFs bound to igbvf with interfaces; diagnose otherwise.
wait_vfs_bound() {
	local vf
	pf_bound_for_vfs "$1" || return 1
	if slowwait "$RIGB_TIMEOUT" vfs_bound "$1"; then
		return 0
	fi
	diag "expected $1 VFs bound to igbvf with an interface, after ${RIGB_TIMEOUT}s:"
	for vf in $(vf_list); do
		diag "  ${vf##*/}: driver '$(dev_driver "$vf")', net '$(dev_netdevs "$vf" | tr '\n' ' ')'"
	done
	return 1
}

# vf_table: one diagnostic line per VF (BDF, IDs, driver, interface).
vf_table() {
	local vf
	for vf in $(vf_list); do
		diag "${vf##*/} $(dev_id "$vf") driver=$(dev_driver "$vf") net=$(dev_netdevs "$vf" | tr '\n' ' ')"
	done
}


vf_sysfs() { readlink -f "$PF/virtfn$1"; }     # VF index -> its PCI device in sysfs

# vf_ifc I: the interface of VF I in the init namespace (empty when it has none there).
vf_ifc() { dev_netdevs "$PF/virtfn$1" | head -n1; }

# --- sysfs writes with their errno -----------------------------------------------------------

# sysfs_write FILE VALUE: write VALUE (one write(2)) and print the outcome: OK, an errno name
# (EBUSY, ERANGE, EINVAL, ...), TIMEOUT, or the shell's message if it is not a known errno.
sysfs_write() {
	local out rc msg
	# shellcheck disable=SC2016 # expanded by the inner shell
	out=$(run_to "$RIGB_TIMEOUT" bash -c 'printf "%s\n" "$1" >"$2"' _ "$2" "$1" 2>&1)
	rc=$?
	if [ "$rc" -eq 0 ]; then
		echo OK
		return 0
	fi
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		echo TIMEOUT
		return 0
	fi
	msg=${out##*: }
	case $msg in
	"Device or resource busy") echo EBUSY ;;
	"Numerical result out of range") echo ERANGE ;;
	"Invalid argument") echo EINVAL ;;
	"Operation not permitted") echo EPERM ;;
	"Cannot allocate memory") echo ENOMEM ;;
	"No such device") echo ENODEV ;;
	"Input/output error") echo EIO ;;
	"No such file or directory") echo ENOENT ;;
	"Operation not supported") echo EOPNOTSUPP ;;
	"No space left on device") echo ENOSPC ;;
	"Function not implemented") echo ENOSYS ;;
	"Permission denied") echo EACCES ;;
	*) echo "$out" ;;
	esac
}

# expect_write FILE VALUE WANT: the write's outcome is WANT (OK or an errno name).
expect_write() {
	local got
	got=$(sysfs_write "$1" "$2")
	if [ "$got" = "$3" ]; then
		diag "echo $2 > ${1##*/}: $got"
		return 0
	fi
	diag "echo $2 > ${1##*/}: expected $3, got $got"
	return 1
}

# expect_numvfs N: sriov_numvfs reads N.
expect_numvfs() {
	local n
	n=$(numvfs)
	[ "$n" = "$1" ] && return 0
	diag "sriov_numvfs reads '$n', expected $1"
	return 1
}
