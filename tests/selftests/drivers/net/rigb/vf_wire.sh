#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A VF talks to the outside: the virtio-net NIC on the 82576's QEMU hub (the "wire peer",
# MAC 52:54:00:00:00:99), in a namespace of its own as 10.0.0.100/24, and VF 0 (10.0.0.1/24)
# ping each other, 10 pings in each direction, 0% loss. VF -> wire leaves the 82576 through
# its port (the internal switch has no pool with the peer's MAC); wire -> VF comes in from the
# port and is switched to VF 0's pool by its MAC filter.

lib_dir=$(dirname "$0")
# shellcheck source=lib.sh
source "$lib_dir/lib.sh"

WIRE_IP=10.0.0.100

vf_wire_setup() {
	vf_setup 2 || return 1
	vf_netns_setup 0 || return 1
	wire_netns_setup "$WIRE_IP/24"
}

vf_wire_diag() {
	ns_link_stats "$(vf_ns 0)" vf0
	ns_link_stats "$WIRE_NS" "$WIRE_IFC"
	diag_cmd ip -n "$(vf_ns 0)" neigh show
	diag_cmd ip -n "$WIRE_NS" neigh show
}

vf_wire_out() {
	ping_ok "$(vf_ns 0)" "$WIRE_IP" 10 && return 0
	vf_wire_diag
	return 1
}

vf_wire_in() {
	ping_ok "$WIRE_NS" "$(vf_ip 0)" 10 && return 0
	vf_wire_diag
	return 1
}

vf_wire_run() {
	local f=vf_wire
	check "$f: VF0 and the wire peer (virtio-net) in namespaces, with carrier" vf_wire_setup
	check "$f: VF0 -> wire peer: 10 pings, 0% loss" vf_wire_out
	check "$f: wire peer -> VF0: 10 pings, 0% loss" vf_wire_in
}

rigb_run 3 vf_wire_run
