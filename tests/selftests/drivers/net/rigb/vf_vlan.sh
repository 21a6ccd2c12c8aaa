#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 802.1Q on VF interfaces (8021q, igbvf asks the PF for each VLAN with SET_VLAN), two VFs in
# namespaces of their own:
#   - vf0.100 (10.1.0.1/24) and vf1.100 (10.1.0.2/24) ping each other;
#   - VLANs isolate: VF1 then leaves VLAN 100 and puts the same address 10.1.0.2/24 on
#     vf1.200. Pings from vf0.100 get no reply, and VF1 receives no frame tagged 100 at all
#     (tcpdump -p, i.e. what the 82576's VLAN filter lets through to VF1's pool);
#   - the control for the above: vf0.200 (10.2.0.1/24) reaches vf1.200 (10.2.0.2/24), so
#     VLAN 200 on VF1 works and the silence on VLAN 100 is the VLAN boundary; the same capture
#     on VF1 sees the VLAN 200 frames, so it can see tagged frames.

lib_dir=$(dirname "$0")
# shellcheck source=lib.sh
source "$lib_dir/lib.sh"

# vlan_add NS PARENT VID ADDR/LEN...: PARENT.VID in NS with the addresses, up.
vlan_add() {
	local ns=$1 parent=$2 vid=$3 a
	shift 3
	if ! ip -n "$ns" link add link "$parent" name "$parent.$vid" type vlan id "$vid"; then
		diag "cannot create $parent.$vid in $ns"
		return 1
	fi
	for a in "$@"; do
		ip -n "$ns" addr add "$a" dev "$parent.$vid" || return 1
	done
	ip -n "$ns" link set dev "$parent.$vid" up || return 1
	ns_wait_carrier "$ns" "$parent.$vid"
}

vf_vlan_setup() {
	vf_setup 2 || return 1
	vf_netns_setup 0 1 || return 1
	vlan_add "$VF0_NS" vf0 100 10.1.0.1/24 || return 1
	vlan_add "$VF1_NS" vf1 100 10.1.0.2/24
}

vf_vlan_100() {
	ping_ok "$VF0_NS" 10.1.0.2 5 -I vf0.100 && return 0
	ns_link_stats "$VF0_NS" vf0
	ns_link_stats "$VF1_NS" vf1
	return 1
}

VLAN_CAPTURE=
VLAN_CAPTURED=0
vf_vlan_isolated() {
	local ok=0
	VLAN_CAPTURED=0
	ip -n "$VF1_NS" link del dev vf1.100 || return 1
	vlan_add "$VF1_NS" vf1 200 10.1.0.2/24 10.2.0.2/24 || return 1
	ip -n "$VF0_NS" neigh flush all
	diag_cmd ip -n "$VF1_NS" -br addr show
	cap_start "$VF1_NS" vf1 vlan 100 || return 1
	ping_silent "$VF0_NS" 10.1.0.2 5 -I vf0.100 || ok=1
	VLAN_CAPTURE=$(cap_stop)
	VLAN_CAPTURED=1
	return $ok
}

vf_vlan_no_leak() {
	local n
	if [ "$VLAN_CAPTURED" != 1 ]; then
		diag "no capture on VF1 took place (the previous test did not get that far)"
		return 1
	fi
	n=$(grep -c . <<<"$VLAN_CAPTURE")
	if [ "$n" -eq 0 ]; then
		diag "VF1 received no frame tagged with VLAN 100"
		return 0
	fi
	diag "VF1 (not in VLAN 100) received $n frame(s) tagged with VLAN 100:"
	diag "$(head -n 10 <<<"$VLAN_CAPTURE")"
	return 1
}

# Also the control for the capture: the same tcpdump filter sees VLAN 200's frames on VF1.
vf_vlan_200() {
	local cap n ok=0
	vlan_add "$VF0_NS" vf0 200 10.2.0.1/24 || return 1
	cap_start "$VF1_NS" vf1 vlan 200 || return 1
	ping_ok "$VF0_NS" 10.2.0.2 5 -I vf0.200 || ok=1
	cap=$(cap_stop)
	n=$(grep -c . <<<"$cap")
	if [ "$n" -eq 0 ]; then
		diag "tcpdump -p on vf1 saw no frame tagged 200 (the capture cannot see tagged frames)"
		ok=1
	else
		diag "tcpdump -p on vf1 saw $n frame(s) tagged 200"
	fi
	[ "$ok" -eq 0 ] && return 0
	ns_link_stats "$VF0_NS" vf0.200
	ns_link_stats "$VF1_NS" vf1.200
	return 1
}

vf_vlan_run() {
	local f=vf_vlan
	check "$f: 2 VFs in namespaces, vf0.100 and vf1.100 up" vf_vlan_setup
	check "$f: vf0.100 -> vf1.100: 5 pings, 0% loss" vf_vlan_100
	check "$f: vf0.100 -> 10.1.0.2 on vf1.200 (VLAN 200): no reply" vf_vlan_isolated
	check "$f: VF1, not in VLAN 100, receives no frame tagged 100" vf_vlan_no_leak
	check "$f: vf0.200 -> vf1.200: 5 pings, 0% loss, tagged frames seen on VF1" vf_vlan_200
}

rigb_run 5 vf_vlan_run
