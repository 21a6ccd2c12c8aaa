#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Traffic between namespaces: ping with its statistics parsed, packet capture with tcpdump,
# and TCP with iperf3. Sourced by lib.sh.

# ping_run NS ARGS...: ping in NS (time-limited); sets PING_OUT, PING_TX, PING_RX, PING_LOSS
# (percent, as printed) and PING_AVG (ms, empty without replies). Returns ping's status.
PING_OUT=
PING_TX=0
PING_RX=0
PING_LOSS=
PING_AVG=
ping_run() {
	local ns=$1 rc
	shift
	PING_OUT=$(run_to 300 ip netns exec "$ns" ping "$@" 2>&1)
	rc=$?
	PING_TX=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' <<<"$PING_OUT")
	PING_RX=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' <<<"$PING_OUT")
	PING_LOSS=$(sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' <<<"$PING_OUT")
	# shellcheck disable=SC2034 # read by the tests
	PING_AVG=$(sed -n 's:^rtt min/avg/max/mdev = [0-9.]*/\([0-9.]*\)/.*:\1:p' <<<"$PING_OUT")
	PING_TX=${PING_TX:-0}
	PING_RX=${PING_RX:-0}
	return $rc
}

# ping_summary: ping's statistics lines, for diagnostics.
ping_summary() { grep -E 'packets transmitted|^rtt' <<<"$PING_OUT"; }

# ping_ok NS DEST COUNT ARGS...: COUNT pings (0.2 s apart unless ARGS say otherwise) from NS
# to DEST all answered; the summary (and on failure the whole output) as diagnostics.
ping_ok() {
	local ns=$1 dest=$2 count=$3
	shift 3
	ping_run "$ns" -c "$count" -i 0.2 -W 2 "$@" "$dest"
	if [ "$PING_TX" -eq "$count" ] && [ "$PING_RX" -eq "$count" ]; then
		diag "ping${*:+ $*} $dest from $ns: $(ping_summary | tr '\n' ' ')"
		return 0
	fi
	diag "ping${*:+ $*} $dest from $ns: $PING_RX of $count answered ($PING_LOSS% loss):"
	diag "$PING_OUT"
	return 1
}

# ping_silent NS DEST COUNT ARGS...: COUNT pings from NS to DEST, none answered.
ping_silent() {
	local ns=$1 dest=$2 count=$3
	shift 3
	ping_run "$ns" -c "$count" -i 0.2 -W 1 "$@" "$dest"
	if [ "$PING_TX" -gt 0 ] && [ "$PING_RX" -eq 0 ]; then
		diag "ping${*:+ $*} $dest from $ns: no reply, as expected ($(ping_summary | head -n1))"
		return 0
	fi
	diag "ping${*:+ $*} $dest from $ns: expected no reply, got $PING_RX of $PING_TX:"
	diag "$PING_OUT"
	return 1
}

# ns_link_stats NS IFC: `ip -s link` of IFC in NS, for diagnostics.
ns_link_stats() { diag_cmd ip -n "$1" -s -d link show dev "$2"; }

# --- packet capture ---------------------------------------------------------------------------

# cap_start NS IFC FILTER...: capture on IFC in NS in the background, without promiscuous mode
# (-p: only what the NIC's filters deliver); waits until tcpdump listens. cap_stop ends it and
# prints one line per captured frame (with link-level headers).
CAP_PID=
CAP_DIR=
cap_start() {
	local ns=$1 ifc=$2
	shift 2
	CAP_DIR=$(mktemp -d /tmp/rigb-cap.XXXXXX)
	ip netns exec "$ns" timeout 300 tcpdump -p -n -e -l -i "$ifc" "$@" \
		>"$CAP_DIR/out" 2>"$CAP_DIR/err" &
	CAP_PID=$!
	if ! slowwait 10 grep -q 'listening on' "$CAP_DIR/err"; then
		diag "tcpdump on $ifc in $ns did not start: $(cat "$CAP_DIR/err")"
		return 1
	fi
}

cap_stop() {
	[ -n "$CAP_PID" ] || return 0
	sleep 0.3
	kill -TERM "$CAP_PID" 2>/dev/null
	wait "$CAP_PID" 2>/dev/null
	CAP_PID=
	cat "$CAP_DIR/out"
	rm -rf "$CAP_DIR"
}

# iperf_server NS PORT: an iperf3 server in NS on PORT, in the background (stopped by
# iperf_servers_stop, and by the clean-up).
IPERF_PIDS=()
iperf_server() {
	ip netns exec "$1" iperf3 -s -p "$2" >/dev/null 2>&1 &
	IPERF_PIDS+=($!)
	# Ready once it listens.
	slowwait 10 ip netns exec "$1" sh -c "ss -ltn | grep -q ':$2 '"
}

# iperf_servers_stop: stops the servers iperf_server started.
iperf_servers_stop() {
	[ "${#IPERF_PIDS[@]}" -gt 0 ] || return 0
	kill "${IPERF_PIDS[@]}" 2>/dev/null
	wait "${IPERF_PIDS[@]}" 2>/dev/null
	IPERF_PIDS=()
}

# iperf_run NS SERVER PORT SECONDS ARGS...: iperf3 TCP from NS (- for the init namespace) to
# SERVER; sets IPERF_MBPS (Mbit/s received) and IPERF_RETRANS; fails if iperf3 failed or
# nothing arrived.
IPERF_MBPS=
IPERF_RETRANS=
iperf_run() {
	local ns=$1 server=$2 port=$3 secs=$4 out
	shift 4
	if [ "$ns" = - ]; then
		out=$(run_to $((secs + 30)) iperf3 -c "$server" -p "$port" -t "$secs" -J "$@" 2>&1)
	else
		out=$(run_to $((secs + 30)) ip netns exec "$ns" iperf3 -c "$server" -p "$port" \
			-t "$secs" -J "$@" 2>&1)
	fi
	read -r IPERF_MBPS IPERF_RETRANS < <(python3 -c 'import json, sys
try:
    e = json.load(sys.stdin)["end"]
    print("%.1f %s" % (e["sum_received"]["bits_per_second"] / 1e6,
                       e.get("sum_sent", {}).get("retransmits", "?")))
except Exception:
    print("none none")' <<<"$out")
	if [ "$IPERF_MBPS" = none ] || [ "$IPERF_MBPS" = 0.0 ]; then
		diag "iperf3 to $server:$port ${*}: $(tail -n 5 <<<"$out")"
		return 1
	fi
	diag "iperf3 to $server:$port${*:+ $*}: $IPERF_MBPS Mbit/s, $IPERF_RETRANS retransmits"
}
