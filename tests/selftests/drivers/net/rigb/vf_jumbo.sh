#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Jumbo frames per VF (igbvf asks the PF with SET_LPE; the PF programs that pool's receive
# size limit), three VFs in namespaces of their own:
#   - vf0 and vf1 at MTU 9000 exchange 8000-byte pings with DF set (`ping -s 8000 -M do`, an
#     8042-byte frame each way);
#   - vf2, left at MTU 1500, answers 1000-byte pings from vf0,
#   - but not 8000-byte ones: the PF keeps vf2's pool at a 1522-byte limit, so the frame
#     addressed to it is dropped (vf2's counters are shown).

lib_dir=$(dirname "$0")
# shellcheck source=lib.sh
source "$lib_dir/lib.sh"

# jumbo_mtu I MTU: set VF I's MTU (igbvf resets the VF for it) and wait for carrier again.
jumbo_mtu() {
	local ns
	ns=$(vf_ns "$1")
	if ! ip -n "$ns" link set dev "vf$1" mtu "$2"; then
		diag "cannot set MTU $2 on vf$1"
		return 1
	fi
	ns_wait_carrier "$ns" "vf$1" || return 1
	[ "$(nsx "$ns" cat "/sys/class/net/vf$1/mtu")" = "$2" ] && return 0
	diag "vf$1's MTU reads $(nsx "$ns" cat "/sys/class/net/vf$1/mtu"), expected $2"
	return 1
}

vf_jumbo_setup() {
	vf_setup 3 || return 1
	vf_netns_setup 0 1 2 || return 1
	jumbo_mtu 0 9000 || return 1
	jumbo_mtu 1 9000 || return 1
	diag "MTU: vf0 9000, vf1 9000, vf2 $(nsx "$(vf_ns 2)" cat /sys/class/net/vf2/mtu)"
}

vf_jumbo_9000() {
	ping_ok "$VF0_NS" "$(vf_ip 1)" 5 -s 8000 -M "do" && return 0
	ns_link_stats "$VF0_NS" vf0
	ns_link_stats "$(vf_ns 1)" vf1
	return 1
}

vf_jumbo_small_to_1500() {
	ping_ok "$VF0_NS" "$(vf_ip 2)" 5 -s 1000 -M "do" && return 0
	ns_link_stats "$(vf_ns 2)" vf2
	return 1
}

vf_jumbo_big_to_1500() {
	local ok=0
	ping_silent "$VF0_NS" "$(vf_ip 2)" 3 -s 8000 -M "do" || ok=1
	ns_link_stats "$(vf_ns 2)" vf2
	return $ok
}

vf_jumbo_run() {
	local f=vf_jumbo
	check "$f: 3 VFs in namespaces, vf0 and vf1 at MTU 9000, vf2 at 1500" vf_jumbo_setup
	check "$f: vf0 -> vf1 (MTU 9000): ping -s 8000 -M do, 0% loss" vf_jumbo_9000
	check "$f: vf0 -> vf2 (MTU 1500): ping -s 1000, 0% loss" vf_jumbo_small_to_1500
	check "$f: vf0 -> vf2 (MTU 1500): ping -s 8000 gets no reply" vf_jumbo_big_to_1500
}

rigb_run 4 vf_jumbo_run
