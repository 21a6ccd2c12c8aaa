#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A hostile VF sends what igbvf never would: unknown ids, requests before RESET or with reply
# bits, out-of-range counts, VLAN ids, MACs and frame sizes, and tries to take other VFs'
# addresses, table entries and port VLANs. Every request gets a reply (observed by the tool),
# a refused one leaves the VF's state unchanged (debugfs), and the checks of lib_hostile.sh
# hold after each (see there). VF 2 is the attacker; VF 0 and VF 1 ping each other.

lib_dir=$(dirname "$0")
# shellcheck source=lib.sh
source "$lib_dir/lib.sh"
# shellcheck source=lib_hostile.sh
source "$lib_dir/lib_hostile.sh"

STATE_KEYS=(mac port_vlan max_frame multicast_hashes multicast_promisc clear_to_send)

a_unknown_ids() {
	local id out
	hv_snap "$HV_VF" "${STATE_KEYS[@]}"
	for id in 0x07 0x08 0x0a 0x10 0x7f 0xff 0x1234 0xffff; do
		out=$(hv_tool send "$id" 1 2 3) || { diag "$out"; return 1; }
		hv_expect nack "$out" || return 1
	done
	diag "8 unknown ids, 8 NACKs; last: $out"
	hv_same "$HV_VF"
}

a_before_reset() {
	local out
	hv_tool vflr >/dev/null || return 1
	sleep 0.2
	hv_snap "$HV_VF" "${STATE_KEYS[@]}"
	out=$(hv_tool send 0x05 0x5f2)
	hv_expect nack "$out" || return 1
	# Without CTS: the VF is told it has not reset.
	if [ "$(hv_field "$out" cts)" != 0 ]; then
		diag "reply to a request before RESET carries CTS: $out"
		return 1
	fi
	out=$(hv_tool set-mac 02:00:00:00:66:01)
	hv_expect nack "$out" || return 1
	hv_same "$HV_VF" || return 1
	hv_reset
}

a_reply_bits() {
	local w out
	hv_snap "$HV_VF" "${STATE_KEYS[@]}"
	for w in 0x80000005 0x40000005 0x20000004 0xe0000003; do
		out=$(hv_tool send "$w" 0x5f2)
		hv_expect nack "$out" || return 1
	done
	hv_same "$HV_VF"
}

a_mc_counts() {
	local out n
	for n in 31 255; do
		out=$(hv_tool set-mc "$n")
		hv_expect ack "$out" || return 1
		[ "$(dbg_vf "$HV_VF" multicast_promisc)" = true ] || {
			diag "count $n: multicast_promisc is $(dbg_vf "$HV_VF" multicast_promisc)"
			return 1
		}
		[ "$(dbg_vf "$HV_VF" multicast_hashes)" -le 30 ] || return 1
	done
	out=$(hv_tool set-mc 0)
	hv_expect ack "$out" && [ "$(dbg_vf "$HV_VF" multicast_promisc)" = false ]
}

a_vlan_ids() {
	local out v
	out=$(hv_tool set-vlan 4095)
	[ -n "$(hv_field "$out" result)" ] && [ "$(hv_field "$out" result)" != timeout ] || return 1
	hv_tool set-vlan 4095 --remove >/dev/null
	hv_snap "$HV_VF" "${STATE_KEYS[@]}"
	for v in 4096 65535 4294967295; do
		out=$(hv_tool send 0x10004 "$(printf '0x%x' "$v")")
		hv_expect nack "$out" || return 1
	done
	hv_same "$HV_VF"
}

a_bad_macs() {
	local m out
	hv_snap "$HV_VF" "${STATE_KEYS[@]}"
	for m in 01:00:5e:00:00:01 00:00:00:00:00:00 ff:ff:ff:ff:ff:ff 33:33:00:00:00:01; do
		out=$(hv_tool set-mac "$m")
		hv_expect nack "$out" || return 1
	done
	hv_same "$HV_VF"
}

a_bad_lpe() {
	local s out
	hv_snap "$HV_VF" "${STATE_KEYS[@]}"
	for s in 0 63 9999 0xffffffff; do
		out=$(hv_tool set-lpe "$s")
		hv_expect nack "$out" || return 1
	done
	hv_same "$HV_VF"
}

a_mac_theft() {
	local victim out i
	victim=$(nsx "$(vf_ns 0)" cat /sys/class/net/vf0/address)
	out=$(hv_tool set-mac "$victim")
	hv_expect nack "$out" || return 1
	# igbvf down/up resets VF 0 (VFLR); the attacker keeps asking meanwhile.
	HV_VICTIM_DOWN=1
	nsx "$(vf_ns 0)" ip link set vf0 down
	for i in 1 2 3 4 5; do
		out=$(hv_tool set-mac "$victim")
		hv_expect nack "$out" || { nsx "$(vf_ns 0)" ip link set vf0 up; return 1; }
	done
	nsx "$(vf_ns 0)" ip link set vf0 up
	ns_wait_carrier "$(vf_ns 0)" vf0 || return 1
	[ "$(nsx "$(vf_ns 0)" cat /sys/class/net/vf0/address)" = "$victim" ] || return 1
	[ "$(dbg_vf 0 mac)" = "$victim" ] || return 1
	slowwait 10 nsx "$(vf_ns 0)" ping -c 1 -W 1 "$(vf_ip 1)" >/dev/null
}

a_admin_mac_in_use() {
	local victim pf err
	victim=$(dbg_vf 1 mac)
	pf=$(pf_netdev)
	err=$(ip link set dev "$pf" vf "$HV_VF" mac "$victim" 2>&1) && {
		diag "the administrator gave VF $HV_VF the MAC of VF 1"
		return 1
	}
	diag "ip link set vf $HV_VF mac <VF 1's>: $err"
	grep -qi "in use" <<<"$err"
}

a_vlan_hog() {
	local v acked=0 pf
	for v in $(seq 100 140); do
		[ "$(hv_field "$(hv_tool set-vlan "$v")" result)" = ack ] && acked=$((acked + 1))
	done
	diag "VF $HV_VF got $acked of 41 VLANs"
	[ "$acked" -lt 41 ] || return 1
	# VF 0 (igbvf) still joins a VLAN, and the administrator still sets a port VLAN.
	nsx "$(vf_ns 0)" ip link add link vf0 name vf0.10 type vlan id 10 || return 1
	nsx "$(vf_ns 0)" ip link set vf0.10 up
	sleep 1
	if kmsg_since | grep -q "VF 0: VLAN.*refused"; then
		diag "VF 0's VLAN was refused"
		return 1
	fi
	nsx "$(vf_ns 0)" ip link del vf0.10
	pf=$(pf_netdev)
	ip link set dev "$pf" vf "$HV_VF" vlan 3000 || return 1
	ip link set dev "$pf" vf "$HV_VF" vlan 0
	hv_reset
}

a_filter_hog() {
	local i acked=0
	for i in $(seq 10 19); do
		[ "$(hv_field "$(hv_tool send 0x20002 "0x0a000002" "0x0000$(printf '%02x' "$i")00")" \
			result)" = ack ] && acked=$((acked + 1))
	done
	diag "VF $HV_VF got $acked of 10 unicast filters"
	[ "$acked" -le 3 ] || return 1
	hv_tool send 0x10002 0 0 >/dev/null
}

# The administrator puts VF 0 and VF 1 on port VLAN 100 before the attack (and takes them off
# after it), so that the pings run on that VLAN while VF 2 tries to join it.
pvlan_set() {
	local pf
	pf=$(pf_netdev)
	ip link set dev "$pf" vf 0 vlan "$1" && ip link set dev "$pf" vf 1 vlan "$1" &&
		slowwait 10 nsx "$(vf_ns 0)" ping -c 1 -W 1 "$(vf_ip 1)" >/dev/null
}

a_port_vlan_join() {
	local out
	out=$(hv_tool set-vlan 100)
	diag "VF $HV_VF asks for VF 0's port VLAN 100: $out"
	hv_expect nack "$out"
}

vf_hostile_msgs_run() {
	local f=vf_hostile_msgs
	check "$f: 3 VFs; VF 0 and VF 1 pinging, VF 2 taken over by the tool" hv_setup || {
		for _ in $(seq 12); do ktap_test_skip "$f: no set-up"; done
		return
	}
	hv_attack "$f: unknown message ids are NACKed" a_unknown_ids
	hv_attack "$f: requests before RESET are NACKed without CTS" a_before_reset
	hv_attack "$f: requests carrying reply bits are NACKed" a_reply_bits
	hv_attack "$f: multicast counts 31 and 255 mean all-multicast, never more" a_mc_counts
	hv_attack "$f: VLAN ids 4096, 0xFFFF and 2^32-1 are NACKed, 4095 answered" a_vlan_ids
	hv_attack "$f: multicast, zero and broadcast MACs are NACKed" a_bad_macs
	hv_attack "$f: LPE 0, 63, 9999 and 0xFFFFFFFF are NACKed" a_bad_lpe
	hv_attack "$f: a neighbour's MAC cannot be taken, even across its reset" a_mac_theft
	hv_attack "$f: the administrator cannot give a VF another VF's MAC" a_admin_mac_in_use
	hv_attack "$f: a VLAN hog leaves its neighbours and the administrator entries" a_vlan_hog
	hv_attack "$f: a unicast filter hog gets at most its share" a_filter_hog
	if pvlan_set 100; then
		hv_attack "$f: another VF's port VLAN cannot be joined" a_port_vlan_join
	else
		ktap_test_fail "$f: another VF's port VLAN cannot be joined (no port VLAN set-up)"
	fi
	pvlan_set 0 || diag "VF 0 and VF 1 did not come back from port VLAN 100"
}

rigb_run 13 vf_hostile_msgs_run
