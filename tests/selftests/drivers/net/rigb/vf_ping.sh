#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Two VFs talk through the 82576's internal switch: VF 0 and VF 1, each in a network namespace
# of its own (so nothing is short-circuited by the local stack), answer 20 pings
# (`ping -c 20 -i 0.2`) with 0% loss; the average RTT is reported as a diagnostic.

lib_dir=$(dirname "$0")
# shellcheck source=lib.sh
source "$lib_dir/lib.sh"

vf_ping_setup() {
	vf_setup 2 && vf_netns_setup 0 1
}

vf_ping_20() {
	if ping_ok "$(vf_ns 0)" "$(vf_ip 1)" 20; then
		diag "VF0 -> VF1: avg RTT $PING_AVG ms"
		return 0
	fi
	ns_link_stats "$(vf_ns 0)" vf0
	ns_link_stats "$(vf_ns 1)" vf1
	diag_cmd ip -n "$(vf_ns 0)" neigh show
	return 1
}

vf_ping_run() {
	local f=vf_ping
	check "$f: 2 VFs, each in its own namespace, with carrier" vf_ping_setup
	check "$f: VF0 -> VF1: 20 pings, 0% loss" vf_ping_20
}

rigb_run 2 vf_ping_run
