#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# VFs come up under igbvf: with the PF driver loaded with max_vfs=3 (its interface up for C
# igb) and igbvf loaded afterwards, the 3 VFs bind; each VF interface has a valid unicast MAC
# (not zero, not multicast; read from the interface, as udev may replace igbvf's); each has
# carrier within 3 s of `ip link set up` (the time is reported); and igbvf never logged "PF
# still in reset state" (probe) or "PF still resetting" (open): its RESET mailbox exchange
# with the PF succeeded every time.

lib_dir=$(dirname "$0")
# shellcheck source=lib.sh
source "$lib_dir/lib.sh"

VF_BASIC_VFS=3
VF_BASIC_CARRIER_LIMIT_MS=3000

# mac_valid_unicast MAC: not all-zero and the group bit (bit 0 of the first octet) clear.
mac_valid_unicast() {
	local first
	[[ $1 =~ ^[0-9a-f]{2}(:[0-9a-f]{2}){5}$ ]] || return 1
	[ "$1" != 00:00:00:00:00:00 ] || return 1
	first=$((16#${1%%:*}))
	[ $((first & 1)) -eq 0 ]
}

vf_basic_macs() {
	local i ifc mac ok=0 seen=" "
	for ((i = 0; i < VF_BASIC_VFS; i++)); do
		ifc=$(vf_ifc "$i")
		if [ -z "$ifc" ]; then
			diag "VF $i has no interface"
			ok=1
			continue
		fi
		mac=$(cat "/sys/class/net/$ifc/address")
		if ! mac_valid_unicast "$mac"; then
			diag "VF $i ($ifc): '$mac' is not a valid unicast MAC"
			ok=1
		elif [[ $seen == *" $mac "* ]]; then
			diag "VF $i ($ifc): $mac is also another VF's MAC"
			ok=1
		else
			diag "VF $i ($ifc): $mac"
		fi
		seen+="$mac "
	done
	return $ok
}

# vf_basic_carrier_one I: `ip link set up` on VF I, then poll its carrier every 20 ms (up to
# 10 s so a slow one is still measured); the time as a diagnostic.
vf_basic_carrier_one() {
	local i=$1 ifc t0 ms
	ifc=$(vf_ifc "$i")
	[ -n "$ifc" ] || {
		diag "VF $i has no interface"
		return 1
	}
	t0=$(date +%s%N)
	if ! ip link set dev "$ifc" up; then
		diag "ip link set $ifc up failed"
		return 1
	fi
	while [ "$(cat "/sys/class/net/$ifc/carrier" 2>/dev/null)" != 1 ]; do
		[ $((($(date +%s%N) - t0) / 1000000)) -lt 10000 ] || break
		sleep 0.02
	done
	ms=$((($(date +%s%N) - t0) / 1000000))
	if [ "$(cat "/sys/class/net/$ifc/carrier" 2>/dev/null)" != 1 ]; then
		diag "VF $i ($ifc): no carrier ${ms} ms after ip link set up"
		diag_cmd ip -d link show dev "$ifc"
		return 1
	fi
	if [ "$ms" -gt "$VF_BASIC_CARRIER_LIMIT_MS" ]; then
		diag "VF $i ($ifc): carrier after ${ms} ms, more than ${VF_BASIC_CARRIER_LIMIT_MS} ms"
		return 1
	fi
	diag "VF $i ($ifc): carrier ${ms} ms after ip link set up"
}

vf_basic_carrier() {
	local i ok=0
	for ((i = 0; i < VF_BASIC_VFS; i++)); do
		vf_basic_carrier_one "$i" || ok=1
	done
	return $ok
}

vf_basic_no_pf_reset() {
	local lines n
	lines=$(kmsg_since | grep -E 'PF still in reset|PF still resetting')
	if [ -z "$lines" ]; then
		n=$(kmsg_since | grep -cE '^(\[[^]]*\] )?igbvf')
		diag "none among igbvf's $n kernel log lines"
		return 0
	fi
	diag "$lines"
	# The PF's own events next to the VFs' resets (a PF message such as a link-change
	# notification written while a VF waits for its RESET reply replaces that reply).
	diag "--- PF and igbvf events since the driver was loaded:"
	diag "$(kmsg_since | grep -E "$PF_BDF|igbvf [0-9a-f:.]+: (enabling|PF still|Address)" | head -n 40)"
	return 1
}

vf_basic_run() {
	local f=vf_basic
	drv_reset
	mod_unload igbvf
	kmsg_mark vf_basic
	check "$f: $DRIVER max_vfs=$VF_BASIC_VFS, then igbvf binds every VF" vf_setup "$VF_BASIC_VFS"
	check "$f: every VF has a valid, distinct unicast MAC" vf_basic_macs
	check "$f: every VF has carrier within 3 s of ip link set up" vf_basic_carrier
	check "$f: no 'PF still in reset' or 'PF still resetting' from igbvf" vf_basic_no_pf_reset
}

rigb_run 4 vf_basic_run
