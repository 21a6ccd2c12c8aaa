#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A hostile VF tries to take the host's CPU or its neighbours' service: it holds its mailbox
# lock (with REQ raised), floods requests without waiting, resets itself 500 times, replays a
# seeded random stream, churns the receive address table, and holds its lock while the
# administrator and sriov_numvfs act. After each, the checks of lib_hostile.sh hold: no
# kernel report, no ping lost between VF 0 and VF 1, VF 0's requests served within 1 s, the
# other CPU's work kept, the attacker's log lines bounded.

lib_dir=$(dirname "$0")
# shellcheck source=lib.sh
source "$lib_dir/lib.sh"
# shellcheck source=lib_hostile.sh
source "$lib_dir/lib_hostile.sh"

a_hold_lock_req() {
	local out
	out=$(hv_tool hold-lock --seconds 10 --raise-req)
	diag "hold-lock 10 s with REQ: $out"
	diag "VF $HV_VF: lock_busy $(dbg_vf "$HV_VF" lock_busy), lock_breaks $(dbg_vf "$HV_VF" lock_breaks)"
	[ "$(dbg_vf "$HV_VF" lock_breaks)" -gt 0 ]
}

a_hold_lock_forever() {
	hv_tool_bg hold-lock
	sleep 20
	hv_tool_stop
	hv_reset
}

a_flood() {
	local out
	out=$(hv_tool flood --count 100000)
	diag "flood: $out"
	diag "VF $HV_VF: requests $(dbg_vf "$HV_VF" requests), throttled $(dbg_vf "$HV_VF" throttled)"
	sleep 0.5
	hv_reset
}

a_resets() {
	local before out
	before=$(dbg_vf "$HV_VF" resets)
	out=$(hv_tool vflr --count 500)
	diag "500 VF resets: $out; resets seen $before -> $(dbg_vf "$HV_VF" resets)"
	hv_reset
	[ "$(dbg_vf "$HV_VF" resets)" -gt "$before" ]
}

a_random() {
	local out1 out2
	out1=$(hv_tool random --seed 8 --count 10000)
	diag "random stream: $out1"
	out2=$(hv_tool random --seed 8 --count 10000)
	hv_reset
	[ "$(hv_field "$out1" stream_hash)" = "$(hv_field "$out2" stream_hash)" ]
}

a_rar_churn() {
	local out
	out=$(hv_tool flood --count 5000 --words 0x20002,0x0a000002,0x00000100)
	diag "filter add flood: $out"
	out=$(hv_tool flood --count 5000 --words 0x10002,0,0)
	diag "filter clear flood: $out"
	hv_reset
}

# two_state_changes: ms for the administrator's "state disable" then "state auto" on VF 2.
two_state_changes() {
	local pf t0
	pf=$(pf_netdev)
	t0=$(date +%s%N)
	ip link set dev "$pf" vf "$HV_VF" state disable || return 1
	ip link set dev "$pf" vf "$HV_VF" state auto || return 1
	echo $((($(date +%s%N) - t0) / 1000000))
}

a_admin_vs_held_lock() {
	local base ms
	base=$(two_state_changes) || return 1
	hv_tool_bg hold-lock --seconds 8
	sleep 1
	ms=$(two_state_changes) || { hv_tool_stop; return 1; }
	diag "two link-state changes: $base ms, $ms ms while VF $HV_VF holds its lock"
	wait "$HV_BG"
	hv_reset
	# A spin on the VF's lock would cost its whole hold; trying once costs nothing.
	[ "$ms" -le $((base + 500)) ]
}

# Last, outside hv_attack: disabling SR-IOV takes the well-behaved VFs away too.
a_disable_mid_request() {
	local t0 s report w
	kmsg_mark disable-mid-request
	hv_tool_bg hold-lock --seconds 30 --raise-req
	sleep 1
	t0=$SECONDS
	w=$(sysfs_write "$PF/sriov_numvfs" 0)
	s=$((SECONDS - t0))
	hv_tool_stop
	[ "$w" = OK ] || { diag "sriov_numvfs 0: $w"; return 1; }
	diag "sriov_numvfs 0 while VF $HV_VF held its lock with REQ raised: $s s"
	report=$(kmsg_reports_since)
	[ -z "$report" ] || { diag "$report"; return 1; }
	[ "$(numvfs)" = 0 ] && [ "$s" -lt 10 ]
}

vf_hostile_dos_run() {
	local f=vf_hostile_dos
	check "$f: 3 VFs; VF 0 and VF 1 pinging, VF 2 taken over by the tool" hv_setup || {
		for _ in $(seq 8); do ktap_test_skip "$f: no set-up"; done
		return
	}
	if [ "$DRIVER" = igb ]; then
		# C igb spins up to 11 ms per lock attempt in hard-IRQ context: this froze the VM.
		ktap_test_skip "$f: holding the lock with REQ raised (C igb: freezes the VM)"
		ktap_test_skip "$f: holding the lock for good (C igb: freezes the VM)"
	else
		hv_attack "$f: holding the lock with REQ raised for 10 s" a_hold_lock_req
		hv_attack "$f: holding the lock for good (20 s, then killed)" a_hold_lock_forever
	fi
	hv_attack "$f: a 100,000-message flood" a_flood
	hv_attack "$f: 500 VF resets in a row" a_resets
	hv_attack "$f: a seeded random stream of 10,000 messages" a_random
	hv_attack "$f: 10,000 filter add/clear requests" a_rar_churn
	hv_attack "$f: the administrator is not held up by a held lock" a_admin_vs_held_lock
	check "$f: disabling SR-IOV while a VF holds its lock mid-request" a_disable_mid_request
	pkill -f "$HV_TOOL" 2>/dev/null
}

rigb_run 9 vf_hostile_dos_run
