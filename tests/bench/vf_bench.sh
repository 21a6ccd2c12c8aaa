#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The VF benchmark: rigb against the in-tree C igb in one boot of the test VM, the two drivers
# interleaved round by round (igb, rigb, igb, rigb, ...) so that the machine's drift cancels
# in the ratios. Figures only: pass/fail lives in the selftests.
#
# Each round of a driver measures, with igbvf loaded beforehand (the VFs are probed as they
# appear, as on a host with the module autoloaded):
#   load            insmod/modprobe of the PF driver until it is bound with its interface
#   enable_N        `echo N > sriov_numvfs` (N = 1, 3, 7) until all N VFs are bound to igbvf
#                   with an interface; split by kprobes (tracefs kprobe_events) into the
#                   time in sriov_numvfs_store (kernel), in pci_enable_sriov net of igbvf's
#                   probes (core), in igbvf_probe (vfdrv) and the rest of the store (pf: the PF
#                   driver's own work)
#   disable_N       `echo 0 > sriov_numvfs` with N VFs: the same split with pci_disable_sriov
#                   and igbvf_remove
#   bringup         `ip link set <vf> up` until carrier, median over the 7 VFs
#   mbx_<msg>       mailbox round trip of RESET, SET_MAC, SET_VLAN and SET_MULTICAST seen from
#                   the VF (tools/hostile-vf ping-pong): p50 and p99 of 1,000 requests, 2 ms
#                   apart (below rigb's budget of 64 requests per 100 ms)
#   mmio_<label>    register accesses of the PF in QEMU's igb model (trace events
#                   memory_region_ops_read/write on "igb-mmio") while the tool sends 200
#                   requests of one kind, or resets its VF 20 times; counted on the host
#   rtt, tcp_*      VF-VF ping RTT and iperf3 TCP (10 s) through the internal switch, VF to the
#                   wire peer, and 7 VFs to the wire peer at once (sum and Jain's fairness)
#   *_pf_*          the PF's own traffic: TCP PF -> wire peer (tx) and back (rx) with the
#                   guest's busy CPU time per thousand frames, 64-byte UDP frames per second
#                   to the wire peer, ping RTT, TCP PF -> VF 0 through the switch
#
#   make bench                       build rigb.ko and the tool, run this on the host
#   tests/bench/vf_bench.sh          the same; results in ${RIGB_CACHE:-~/.cache/rigb}/
#                                    bench-results/<time>/ (results.md/.json/.csv, ratios.png,
#                                    the VM log), "latest" links to the newest
#   tests/bench/vf_bench.sh --guest  in the test VM: "BENCH <driver> <round> <key> <value>"
#
# Environment: BENCH_ROUNDS (rounds per driver, default 3), BENCH_DRIVERS (default
# "igb rigb"), BENCH_MBX_COUNT (requests per mailbox figure, default 1000), BENCH_TCP_SECONDS
# (per iperf3 run, default 10), BENCH_VM_TIMEOUT (seconds, default 3600).

set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# --- guest: the measurements -----------------------------------------------------------------

TRACEFS=/sys/kernel/tracing
# The PCI core's entry points and igbvf's, timed by kprobes (entry "_in", return "_out").
BENCH_PROBES="numvfs:sriov_numvfs_store enable:pci_enable_sriov disable:pci_disable_sriov
	vfprobe:igbvf:igbvf_probe vfremove:igbvf:igbvf_remove"
MBX_MSGS="reset set-mac set-vlan set-mc"
MBX_COUNT=${BENCH_MBX_COUNT:-1000}
MBX_GAP_US=2000
MMIO_COUNT=200
MMIO_VFLR=20
TCP_SECONDS=${BENCH_TCP_SECONDS:-10}
WIRE_IP=10.0.0.100

out() { echo "BENCH $BENCH_DRV $BENCH_ROUND $*"; }
note() { echo "BENCH-NOTE $BENCH_DRV $BENCH_ROUND $*"; }
now_ns() { date +%s%N; }
secs() { awk -v n="$1" 'BEGIN { printf "%.4f", n / 1e9 }'; }

# probes_setup: the kprobe events of $BENCH_PROBES in tracefs, enabled; fails without them.
probes_setup() {
	local p name sym
	mountpoint -q "$TRACEFS" || mount -t tracefs none "$TRACEFS" 2>/dev/null || return 1
	[ -w "$TRACEFS/kprobe_events" ] || return 1
	echo 0 >"$TRACEFS/tracing_on"
	echo >"$TRACEFS/kprobe_events"
	for p in $BENCH_PROBES; do
		name=${p%%:*}
		sym=${p#*:}
		echo "p:rigbbench/${name}_in $sym" >>"$TRACEFS/kprobe_events" || return 1
		echo "r:rigbbench/${name}_out $sym" >>"$TRACEFS/kprobe_events" || return 1
	done
	echo 1 >"$TRACEFS/events/rigbbench/enable"
	echo 16384 >"$TRACEFS/buffer_size_kb"
}

probes_start() {
	echo >"$TRACEFS/trace"
	echo 1 >"$TRACEFS/tracing_on"
}

# probes_split PREFIX CORE VFDRV: stops tracing and prints PREFIX_kernel (time in
# sriov_numvfs_store), PREFIX_core (in CORE net of VFDRV), PREFIX_vfdrv (in VFDRV),
# PREFIX_pf (the store net of CORE) from the trace, in seconds.
probes_split() {
	echo 0 >"$TRACEFS/tracing_on"
	awk -v pre="$1" -v core="$2" -v vfdrv="$3" '
		# "<task>-<pid> [cpu] flags <seconds>: rigbbench/<name>_in: ..." (or "<name>_in:")
		{
			ev = ""
			for (i = 1; i <= NF; i++)
				if ($i ~ /^[0-9]+\.[0-9]+:$/) { t = substr($i, 1, length($i) - 1) + 0; ev = $(i + 1); break }
			if (ev == "") next
			sub(/^rigbbench\//, "", ev); sub(/:$/, "", ev)
			n = ev; sub(/_(in|out)$/, "", n)
			if (ev ~ /_in$/) { start[n] = t; next }
			if (!(n in start)) next
			d = t - start[n]; delete start[n]
			sum[n] += d
		}
		END {
			printf "%s_kernel %.4f\n", pre, sum["numvfs"]
			printf "%s_core %.4f\n", pre, sum[core] - sum[vfdrv]
			printf "%s_vfdrv %.4f\n", pre, sum[vfdrv]
			printf "%s_pf %.4f\n", pre, sum["numvfs"] - sum[core]
		}' "$TRACEFS/trace" | while read -r k v; do out "$k" "$v"; done
}

# bench_poll SECONDS CMD...: CMD every 10 ms until it succeeds; fail after SECONDS. The
# checks below fork nothing (under TCG a fork costs milliseconds): builtins and globs only.
bench_poll() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.01
	done
}

# all_bound N: VFs 0..N-1 bound to igbvf, each with an interface.
all_bound() {
	local i n
	for ((i = 0; i < $1; i++)); do
		[ -e "$PF/virtfn$i/driver/module" ] || return 1
		for n in "$PF/virtfn$i"/net/*; do
			[ -e "$n" ] || return 1
		done
	done
}

pf_ready() {
	local n
	[ -e "$PF/driver" ] || return 1
	for n in "$PF"/net/*; do
		[ -e "$n" ] || return 1
	done
}

# carrier_of FILE: FILE (a carrier attribute) reads 1.
carrier_is_up() {
	local c=
	read -r c <"$1" 2>/dev/null
	[ "$c" = 1 ]
}

# bench_load: the PF driver loaded with no VFs, until it is bound with its interface. For igb
# its dependencies are loaded first, so that both drivers load one module.
bench_load() {
	local t0 t1
	drv_reset >/dev/null 2>&1
	if [ "$BENCH_DRV" = igb ]; then
		modprobe --show-depends igb | awk '$1 == "insmod" && $2 !~ /\/igb\.ko/ { print $2 }' |
			while read -r m; do modprobe "$(basename "${m%%.ko*}")" 2>/dev/null; done
	fi
	t0=$(now_ns)
	if [ "$BENCH_DRV" = igb ]; then
		modprobe igb max_vfs=0 || return 1
	else
		insmod "$RIGB_KO" max_vfs=0 || return 1
	fi
	bench_poll 30 pf_ready || return 1
	t1=$(now_ns)
	out load_s "$(secs $((t1 - t0)))"
	udev_settle
	pf_if_up >/dev/null
}

# bench_numvfs N: enable N VFs, split; for N = 7 also the bring-up of each; disable, split.
bench_numvfs() {
	local n=$1 t0 t1 t2 i ifc f ms=()
	probes_start
	t0=$(now_ns)
	echo "$n" >"$PF/sriov_numvfs" || { note "echo $n > sriov_numvfs failed"; return 1; }
	t1=$(now_ns)
	bench_poll 60 all_bound "$n" || { note "not all $n VFs bound"; return 1; }
	t2=$(now_ns)
	probes_split "enable_$n" enable vfprobe
	out "enable_${n}_write_s" "$(secs $((t1 - t0)))"
	out "enable_${n}_s" "$(secs $((t2 - t0)))"
	udev_settle
	if [ "$n" = 7 ]; then
		for ((i = 0; i < n; i++)); do
			ifc=$(vf_ifc "$i")
			f=/sys/class/net/$ifc/carrier
			t0=$(now_ns)
			ip link set dev "$ifc" up
			bench_poll 20 carrier_is_up "$f" || note "VF $i: no carrier"
			t1=$(now_ns)
			ms+=($(((t1 - t0) / 1000)))
		done
		out bringup_s "$(printf '%s\n' "${ms[@]}" | sort -n |
			awk '{ v[NR] = $1 } END { printf "%.4f", v[int((NR + 1) / 2)] / 1e6 }')"
	fi
	probes_start
	t0=$(now_ns)
	echo 0 >"$PF/sriov_numvfs" || { note "echo 0 > sriov_numvfs failed"; return 1; }
	t1=$(now_ns)
	probes_split "disable_$n" disable vfremove
	out "disable_${n}_s" "$(secs $((t1 - t0)))"
	bench_poll 30 vf_count_is 0 || note "VFs left after echo 0"
	udev_settle
}

# mmio_window LABEL CMD...: CMD with QEMU's MMIO trace on. The host (qemu_mmio.py) turns the
# trace on when it reads "BENCH-MMIO on", acknowledges through $BENCH_ACK, counts when it
# reads "BENCH-MMIO off".
mmio_window() {
	local label=$1 i
	shift
	[ -n "${BENCH_ACK:-}" ] || { "$@" >/dev/null; return; }
	echo "BENCH-MMIO on $BENCH_DRV $BENCH_ROUND $label"
	for ((i = 0; i < 500; i++)); do
		[ "$(cat "$BENCH_ACK" 2>/dev/null)" = "on $BENCH_DRV $BENCH_ROUND $label" ] && break
		sleep 0.01
	done
	[ "$i" -lt 500 ] || note "no acknowledgement of the MMIO trace for $label"
	"$@" >/dev/null
	echo "BENCH-MMIO off $BENCH_DRV $BENCH_ROUND $label"
	for ((i = 0; i < 500; i++)); do
		[ "$(cat "$BENCH_ACK" 2>/dev/null)" = "off $BENCH_DRV $BENCH_ROUND $label" ] && break
		sleep 0.01
	done
}

# bench_mailbox: 1 VF taken over by the tool: round-trip percentiles of each message, then
# the MMIO windows.
bench_mailbox() {
	local bdf m o p50 p99
	echo 1 >"$PF/sriov_numvfs" || return 1
	bench_poll 60 all_bound 1 || { note "VF 0 not bound"; return 1; }
	udev_settle
	bdf=$(basename "$(readlink -f "$PF/virtfn0")")
	tool() { taskset -c 0 "$RIGB_HOSTILE_VF" --vf "$bdf" "$@"; }
	for m in $MBX_MSGS; do
		o=$(tool ping-pong --count "$MBX_COUNT" --msg "$m" --gap-us "$MBX_GAP_US" 2>&1)
		p50=$(sed -n 's/.*median_us=\([0-9]*\).*/\1/p' <<<"$o")
		p99=$(sed -n 's/.*p99_us=\([0-9]*\).*/\1/p' <<<"$o")
		[ -n "$p50" ] || { note "ping-pong $m: $o"; continue; }
		grep -q 'timeouts=0 nacks=0' <<<"$o" || note "ping-pong $m: $o"
		out "mbx_${m//-/_}_p50_us" "$p50"
		out "mbx_${m//-/_}_p99_us" "$p99"
	done
	mmio_window idle sleep 1
	mmio_window reset0 tool ping-pong --count 0 --msg reset
	for m in $MBX_MSGS; do
		mmio_window "${m//-/_}$MMIO_COUNT" tool ping-pong --count "$MMIO_COUNT" --msg "$m" \
			--gap-us "$MBX_GAP_US"
	done
	mmio_window "vflr$MMIO_VFLR" tool vflr --count "$MMIO_VFLR" --delay-us 20000
	echo 0 >"$PF/sriov_numvfs"
	bench_poll 30 vf_count_is 0 || note "VFs left after the mailbox rounds"
	udev_settle
}

# iperf_mbps NS SERVER PORT: iperf3 TCP for $TCP_SECONDS s from NS, Mbit/s received.
iperf_mbps() {
	nsx "$1" iperf3 -c "$2" -p "$3" -t "$TCP_SECONDS" -J 2>/dev/null |
		python3 -c 'import json, sys
try:
    print("%.1f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e6))
except Exception:
    print("none")'
}

# bench_traffic: 7 VFs in namespaces and the wire peer: RTT, VF-VF, VF-wire, 7 VFs at once.
bench_traffic() {
	local i ns pids=() f sum jain
	echo 7 >"$PF/sriov_numvfs" || return 1
	bench_poll 60 all_bound 7 || { note "not all 7 VFs bound"; return 1; }
	udev_settle
	vf_netns_setup 0 1 2 3 4 5 6 >/dev/null || { note "VF namespaces: setup failed"; return 1; }
	wire_netns_setup "$WIRE_IP/24" >/dev/null || { note "wire peer: setup failed"; return 1; }
	ping_run "$(vf_ns 0)" -c 100 -i 0.05 -W 2 "$(vf_ip 1)"
	out rtt_ms "${PING_AVG:-none}"
	nsx "$(vf_ns 1)" iperf3 -s -D -p 5201 >/dev/null 2>&1
	for ((i = 0; i < 7; i++)); do
		nsx "$WIRE_NS" iperf3 -s -D -p $((5300 + i)) >/dev/null 2>&1
	done
	sleep 0.5
	out tcp_vf_vf_mbps "$(iperf_mbps "$(vf_ns 0)" "$(vf_ip 1)" 5201)"
	out tcp_vf_wire_mbps "$(iperf_mbps "$(vf_ns 0)" "$WIRE_IP" 5300)"
	f=$(mktemp -d /tmp/rigb-bench.XXXXXX)
	for ((i = 0; i < 7; i++)); do
		ns=$(vf_ns "$i")
		iperf_mbps "$ns" "$WIRE_IP" $((5300 + i)) >"$f/$i" &
		pids+=($!)
	done
	wait "${pids[@]}"
	read -r sum jain < <(cat "$f"/? | awk '$1 != "none" { n++; s += $1; q += $1 * $1 }
		END { if (n == 7 && q > 0) printf "%.1f %.3f\n", s, s * s / (n * q); else print "none none" }')
	out tcp_7vf_wire_sum_mbps "$sum"
	out tcp_7vf_wire_jain "$jain"
	rm -rf "$f"
	pkill -x iperf3
	vf_netns_cleanup
	echo 0 >"$PF/sriov_numvfs"
	bench_poll 30 vf_count_is 0 || note "VFs left after the traffic rounds"
	udev_settle
}

# cpu_busy: jiffies (USER_HZ) all CPUs spent busy since boot.
cpu_busy() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }

# pf_packets IFC: frames the interface sent and received.
pf_packets() {
	echo $(($(cat "/sys/class/net/$1/statistics/tx_packets") + \
		$(cat "/sys/class/net/$1/statistics/rx_packets")))
}

# iperf_json ARGS...: iperf3 from the init namespace with ARGS, its JSON output.
iperf_json() { timeout $((TCP_SECONDS + 30)) iperf3 -J "$@" 2>/dev/null; }

# json_get EXPR: EXPR (Python, on the JSON object `j`) of iperf3's output on stdin.
json_get() {
	python3 -c 'import json, sys
try:
    j = json.load(sys.stdin)
    print(eval(sys.argv[1]))
except Exception:
    print("none")' "$1"
}

# bench_pf: the PF's own traffic: TCP PF -> wire peer and back with the guest's CPU time per
# frame, 64-byte UDP frames per second PF -> wire, ping RTT, and TCP PF -> VF 0 through the
# internal switch.
PF_IP=10.0.0.50
bench_pf() {
	local ifc c0 p0 mbps
	ifc=$(pf_netdev)
	[ -n "$ifc" ] || { note "PF: no interface"; return 1; }
	ip addr add "$PF_IP/24" dev "$ifc" && ip link set dev "$ifc" up || return 1
	bench_poll 10 carrier_is_up "/sys/class/net/$ifc/carrier" || { note "PF: no carrier"; return 1; }
	wire_netns_setup "$WIRE_IP/24" >/dev/null || { note "wire peer: setup failed"; return 1; }
	nsx "$WIRE_NS" iperf3 -s -D -p 5400 >/dev/null 2>&1
	sleep 0.5
	ping_run "$WIRE_NS" -c 100 -i 0.05 -W 2 "$PF_IP"
	out rtt_pf_wire_ms "${PING_AVG:-none}"
	for dir in tx rx; do
		c0=$(cpu_busy)
		p0=$(pf_packets "$ifc")
		mbps=$(iperf_json -c "$WIRE_IP" -p 5400 -t "$TCP_SECONDS" $([ $dir = rx ] && echo -R) |
			json_get '"%.1f" % (j["end"]["sum_received"]["bits_per_second"] / 1e6)')
		out "tcp_pf_${dir}_mbps" "$mbps"
		out "cpu_pf_${dir}_us_per_kframe" "$(awk -v c=$(($(cpu_busy) - c0)) \
			-v p=$(($(pf_packets "$ifc") - p0)) 'BEGIN { if (p > 0) printf "%.1f", c * 1e7 / p; else print "none" }')"
	done
	out udp64_pf_kpps "$(iperf_json -c "$WIRE_IP" -p 5400 -t 5 -u -b 0 -l 18 |
		json_get '"%.1f" % ((j["end"]["sum"]["packets"] - j["end"]["sum"]["lost_packets"]) / j["end"]["sum"]["seconds"] / 1e3)')"
	if echo 1 >"$PF/sriov_numvfs" && bench_poll 30 all_bound 1; then
		udev_settle
		if vf_netns_setup 0 >/dev/null; then
			nsx "$(vf_ns 0)" iperf3 -s -D -p 5401 >/dev/null 2>&1
			sleep 0.5
			out tcp_pf_vf_mbps "$(iperf_json -c "$(vf_ip 0)" -p 5401 -t "$TCP_SECONDS" |
				json_get '"%.1f" % (j["end"]["sum_received"]["bits_per_second"] / 1e6)')"
		fi
	else
		note "PF -> VF: VF 0 did not come up"
	fi
	pkill -x iperf3
	vf_netns_cleanup
	echo 0 >"$PF/sriov_numvfs"
	bench_poll 30 vf_count_is 0 || note "VFs left after the PF rounds"
	ip addr flush dev "$ifc"
	udev_settle
}

bench_round() {
	local n
	bench_load || { note "loading failed"; return 1; }
	for n in 1 3 7; do
		bench_numvfs "$n" || return 1
	done
	bench_mailbox || note "mailbox rounds failed"
	bench_traffic || note "traffic rounds failed"
	bench_pf || note "PF rounds failed"
	drv_unload >/dev/null 2>&1
}

bench_guest() {
	# The kernel's net/lib.sh (setup_ns) is not written for nounset, nor are the selftests.
	set +u
	# shellcheck source=../selftests/drivers/net/rigb/lib.sh
	. "$root/tests/selftests/drivers/net/rigb/lib.sh"
	local r d
	in_test_vm || {
		echo "--guest runs in the test VM only" >&2
		exit 1
	}
	[ -n "$PF" ] || {
		echo "no 82576 PF" >&2
		exit 1
	}
	echo "BENCH-INFO vcpus $(nproc)"
	echo "BENCH-INFO kernel $(uname -r)"
	drv_reset >/dev/null 2>&1
	igbvf_load || exit 1
	if ! probes_setup; then
		echo "BENCH-INFO no kprobe events in tracefs: the enable/disable split is missing"
		BENCH_PROBES=
	fi
	for ((r = 1; r <= ${BENCH_ROUNDS:-3}; r++)); do
		for d in ${BENCH_DRIVERS:-igb rigb}; do
			BENCH_DRV=$d BENCH_ROUND=$r DRIVER=$d RIGB_PCI_DRIVER=$d
			export DRIVER
			echo "BENCH-ROUND $d $r"
			bench_round
			drv_reset >/dev/null 2>&1
		done
	done
	echo "BENCH-DONE"
}

# --- host: one VM, the MMIO counter, the report ----------------------------------------------

bench_host() {
	# shellcheck source=scripts/common.sh
	. "$root/scripts/common.sh"
	local dir stamp mon trace tool rc others
	[ -f "$root/rigb.ko" ] || die "$root/rigb.ko does not exist; build it with 'make'"
	tool=$("$root/scripts/build-tools.sh") || die "the hostile-VF tool did not build"
	command -v iperf3 >/dev/null || die "no iperf3 on the host (scripts/setup.sh installs it)"
	stamp=$(date +%Y%m%d-%H%M%S)
	dir=$RIGB_CACHE/bench-results/$stamp
	mkdir -p "$dir"
	mon=$dir/qemu-monitor.sock
	trace=$dir/qemu-trace.log
	# Other VMs on this host share its CPUs; say so next to the figures.
	others=$(pgrep -c qemu-system 2>/dev/null) || others=0
	log "VF benchmark, ${BENCH_ROUNDS:-3} interleaved rounds of ${BENCH_DRIVERS:-igb rigb}; results in $dir"
	cd "$root" || exit 1
	# -trace enable=<an event that never fires here> opens QEMU's trace log for the events the
	# monitor turns on later.
	RIGB_QEMU_OPTS="-monitor unix:$mon,server=on,wait=off -trace enable=igb_core_vf_reset -D $trace" \
		"$root/scripts/vm.sh" -t "${BENCH_VM_TIMEOUT:-3600}" -- env \
		BENCH_ROUNDS="${BENCH_ROUNDS:-3}" BENCH_DRIVERS="${BENCH_DRIVERS:-igb rigb}" \
		${BENCH_MBX_COUNT:+BENCH_MBX_COUNT=$BENCH_MBX_COUNT} \
		${BENCH_TCP_SECONDS:+BENCH_TCP_SECONDS=$BENCH_TCP_SECONDS} \
		BENCH_ACK="$dir/ack" RIGB_KO="$root/rigb.ko" RIGB_HOSTILE_VF="$tool" \
		RIGB_KSRC="$RIGB_KSRC" tests/bench/vf_bench.sh --guest 2>&1 |
		python3 -u "$root/tests/bench/qemu_mmio.py" "$mon" "$trace" "$dir/ack" | tee "$dir/vm.log" |
		grep --line-buffered -E '^BENCH(-NOTE|-INFO|-ROUND)? '
	rc=${PIPESTATUS[0]}
	rm -f "$mon" "$trace"
	{
		echo "BENCH-INFO host_cpus $(nproc)"
		echo "BENCH-INFO host_cpu $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)"
		echo "BENCH-INFO accel $( [ "$(cat "$RIGB_CACHE/kvm-works" 2>/dev/null)" = yes ] && echo KVM || echo TCG)"
		echo "BENCH-INFO other_qemu $others"
		echo "BENCH-INFO qemu $(qemu-system-x86_64 --version | head -n1)"
	} >>"$dir/vm.log"
	ln -sfn "$stamp" "$RIGB_CACHE/bench-results/latest"
	python3 "$root/tests/bench/report.py" "$dir" || rc=1
	[ "$rc" -eq 0 ] || log "error: the benchmark VM exited with status $rc"
	grep -q '^BENCH-DONE' "$dir/vm.log" || {
		log "error: the benchmark did not finish (see $dir/vm.log)"
		rc=1
	}
	return "$rc"
}

if [ "${1:-}" = --guest ]; then
	bench_guest
	exit 0
fi
bench_host
