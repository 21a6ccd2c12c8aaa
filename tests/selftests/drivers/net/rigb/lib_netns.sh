#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# VFs and the wire peer in network namespaces (net/lib.sh's setup_ns: random names, removed by
# cleanup_all_ns). Sourced by lib.sh.
#
# The VF data-path tests put each VF interface in a namespace of its own (VF I: $VF<I>_NS, the
# interface renamed vf<I>, address 10.0.0.<I+1>/24) so that traffic between two VFs must cross
# the 82576's internal switch instead of the local stack. IPv6 is off in those namespaces:
# fewer frames under TCG and a known multicast filter (only 224.0.0.1's hash). The virtio-net
# NIC on the same QEMU hub (the "wire peer") can be moved into $WIRE_NS.

WIRE_NS=
WIRE_IFC=wire0
WIRE_MAC=52:54:00:00:00:99
WIRE_ORIG_NAME=

vf_ns_var() { echo "VF$1_NS"; }                # VF index -> the name of its namespace variable
vf_ns() { local v=VF$1_NS; echo "${!v:-}"; }   # VF index -> its namespace (once set up)
vf_ip() { echo "10.0.0.$(($1 + 1))"; }         # VF index -> its address

# nsx NS CMD...: CMD in namespace NS.
nsx() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

# ns_new VAR: a fresh namespace (setup_ns: its random name in VAR, lo up) with IPv6 off if the
# kernel has it.
ns_new() {
	setup_ns "$1" >/dev/null || return 1
	nsx "${!1}" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	return 0
}

# vf_move_try I NS NAME: move VF I's interface into NS and rename it NAME. Retried by the
# caller: udev may still rename the interface while we look at it.
vf_move_try() {
	local ifc
	ifc=$(vf_ifc "$1")
	[ -n "$ifc" ] || return 1
	ip link set dev "$ifc" netns "$2" 2>/dev/null || return 1
	ip -n "$2" link set dev "$ifc" name "$3"
}

# ns_carrier NS IFC: IFC in NS has carrier.
ns_carrier() { [ "$(nsx "$1" cat "/sys/class/net/$2/carrier" 2>/dev/null)" = 1 ]; }

# ns_wait_carrier NS IFC: wait (up to 10 s) for carrier; diagnose otherwise.
ns_wait_carrier() {
	slowwait 10 ns_carrier "$1" "$2" && return 0
	diag "$2 in $1 has no carrier 10 s after it was set up"
	diag_cmd ip -n "$1" -d link show dev "$2"
	return 1
}

# vf_netns_setup I...: VF I's interface into a namespace of its own ($VF<I>_NS) as vf<I>,
# 10.0.0.<I+1>/24, up, with carrier.
vf_netns_setup() {
	local i ns
	for i in "$@"; do
		ns_new "$(vf_ns_var "$i")" || {
			diag "could not create a namespace for VF $i"
			return 1
		}
		ns=$(vf_ns "$i")
		if ! slowwait 10 vf_move_try "$i" "$ns" "vf$i"; then
			diag "could not move VF $i ($(vf_ifc "$i")) into $ns"
			return 1
		fi
		ip -n "$ns" addr add "$(vf_ip "$i")/24" dev "vf$i" || return 1
		ip -n "$ns" link set dev "vf$i" up || return 1
	done
	for i in "$@"; do
		ns_wait_carrier "$(vf_ns "$i")" "vf$i" || return 1
	done
}

# wire_ifc: the wire peer's interface in the init namespace (found by its MAC).
wire_ifc() {
	local n
	for n in /sys/class/net/*; do
		[ "$(cat "$n/address" 2>/dev/null)" = "$WIRE_MAC" ] && {
			echo "${n##*/}"
			return 0
		}
	done
	return 1
}

# wire_netns_setup ADDR/LEN: the wire peer into a namespace of its own ($WIRE_NS) as wire0
# with ADDR, up.
wire_netns_setup() {
	local ifc
	if ! slowwait 10 wire_ifc >/dev/null; then
		diag "no interface with the wire peer's MAC $WIRE_MAC"
		return 1
	fi
	ifc=$(wire_ifc)
	WIRE_ORIG_NAME=$ifc
	ns_new WIRE_NS || return 1
	ip link set dev "$ifc" netns "$WIRE_NS" || return 1
	ip -n "$WIRE_NS" link set dev "$ifc" name "$WIRE_IFC" || return 1
	ip -n "$WIRE_NS" addr add "$1" dev "$WIRE_IFC" || return 1
	ip -n "$WIRE_NS" link set dev "$WIRE_IFC" up || return 1
	ns_wait_carrier "$WIRE_NS" "$WIRE_IFC"
}

# vf_netns_cleanup: the wire peer back to the init namespace under its old name, then every
# namespace set up here (VF interfaces go with their VFs, see vf_teardown).
vf_netns_cleanup() {
	if [ -n "$WIRE_NS" ] && ip netns list 2>/dev/null | grep -qw "$WIRE_NS"; then
		ip -n "$WIRE_NS" link set dev "$WIRE_IFC" down 2>/dev/null
		ip -n "$WIRE_NS" addr flush dev "$WIRE_IFC" 2>/dev/null
		[ -n "$WIRE_ORIG_NAME" ] &&
			ip -n "$WIRE_NS" link set dev "$WIRE_IFC" name "$WIRE_ORIG_NAME" 2>/dev/null
		ip -n "$WIRE_NS" link set dev "${WIRE_ORIG_NAME:-$WIRE_IFC}" netns 1 2>/dev/null
	fi
	cleanup_all_ns >/dev/null
	return 0
}

# vf_teardown: the PF driver and igbvf unloaded (the VFs and their interfaces go), then the
# namespaces.
vf_teardown() {
	[ -z "$CAP_PID" ] || cap_stop >/dev/null
	drv_reset
	mod_unload igbvf
	vf_netns_cleanup
}
