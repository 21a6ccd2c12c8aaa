#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# VF benchmark, rigb against the in-tree C igb (figures only; pass/fail lives in the selftests):
#   (a) VF-VF ping RTT: VF0 and VF1 in namespaces of their own, 100 pings at -i 0.05 through
#       the 82576's internal switch (avg, and min/max/mdev/loss for context);
#   (b) enable 7 VFs: the driver loaded with max_vfs=0 and igbvf already loaded; from
#       `echo 7 > sriov_numvfs` until all 7 VF interfaces exist, and until all 7 have carrier
#       after `ip link set up` (times taken with `date +%s.%N`);
#   (c) disable 7 VFs: the time `echo 0 > sriov_numvfs` takes with the 7 VFs up.
# (b) and (c) are repeated (BENCH_REPS, default 3): the table shows the mean with min/max.
# For DRIVER=igb the PF interface is brought up first (C igb serves VFs only then).
#
#   tests/bench/vf_bench.sh [rigb|igb]...   on the host: one VM boot per driver (default both),
#                                          log in ${RIGB_CACHE:-~/.cache/rigb}/bench-logs/
#   make bench                             the same for both drivers, after building rigb.ko
#   tests/bench/vf_bench.sh --guest        in the test VM: the measurements for $DRIVER, as
#                                          "BENCH <key> <value>" lines

set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# --- guest: the measurements -----------------------------------------------------------------

bench_guest() {
	# shellcheck source=../selftests/drivers/net/rigb/lib.sh
	. "$root/tests/selftests/drivers/net/rigb/lib.sh"
	local reps=${BENCH_REPS:-3} r

	out() { echo "BENCH $*"; }
	now() { date +%s.%N; }
	elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

	in_test_vm || {
		echo "--guest runs in the test VM only" >&2
		exit 1
	}
	[ -n "$PF" ] || {
		echo "no 82576 PF" >&2
		exit 1
	}
	out driver "$DRIVER"
	out vcpus "$(nproc)"

	# (a) VF-VF ping RTT.
	kmsg_mark bench
	if vf_setup 2 >/dev/null && vf_netns_setup 0 1 >/dev/null; then
		ping_run "$(vf_ns 0)" -c 100 -i 0.05 -W 2 "$(vf_ip 1)"
		out rtt_avg_ms "${PING_AVG:-none}"
		out rtt_mdev "$(sed -n 's:^rtt min/avg/max/mdev = \([0-9.]*\)/[0-9.]*/\([0-9.]*\)/\([0-9.]*\).*:min \1 max \2 mdev \3:p' <<<"$PING_OUT")"
		out rtt_loss "${PING_LOSS:-?}%"
	else
		out rtt_avg_ms "setup-failed"
	fi
	vf_teardown >/dev/null 2>&1

	# (b) and (c): sriov_numvfs 0 -> 7 -> 0.
	if ! { igbvf_load && drv_load 0 && pf_if_up; } >/dev/null; then
		out enable_exist_s setup-failed
		vf_teardown >/dev/null 2>&1
		return 0
	fi
	udev_settle
	kmsg_mark bench-numvfs
	for ((r = 1; r <= reps; r++)); do
		local t0 t_write t_exist t_carrier t1 t2 vf c i ok=1
		t0=$(now)
		if [ "$(sysfs_write "$PF/sriov_numvfs" 7)" != OK ]; then
			out "enable_exist_s" "write-failed"
			break
		fi
		t_write=$(now)
		bench_poll 60 bench_all_exist || ok=0
		t_exist=$(now)
		# Up as soon as each interface is there (retried: udev may be renaming it).
		for ((i = 0; i < 7; i++)); do
			slowwait 10 bench_up_try "$i" || ok=0
		done
		bench_poll 60 bench_all_carrier || ok=0
		t_carrier=$(now)
		[ "$ok" = 1 ] || out note "run $r: not all 7 VFs came up ($(vf_count) VFs)"
		out enable_write_s "$(elapsed "$t0" "$t_write")"
		out enable_exist_s "$(elapsed "$t0" "$t_exist")"
		out enable_carrier_s "$(elapsed "$t0" "$t_carrier")"
		udev_settle
		t1=$(now)
		c=$(sysfs_write "$PF/sriov_numvfs" 0)
		t2=$(now)
		[ "$c" = OK ] || out note "run $r: echo 0 > sriov_numvfs: $c"
		out disable_s "$(elapsed "$t1" "$t2")"
		slowwait 30 vf_count_is 0 || out note "run $r: VFs left after echo 0"
		udev_settle
	done
	out pf_reset_msgs "$(kmsg_since | grep -cE 'PF still in reset|PF still resetting')"
	kmsg_since | grep -E 'PF still in reset|PF still resetting|link (up|down)' | sed 's/^/BENCH note kernel: /'
	vf_teardown >/dev/null 2>&1
}

bench_up_try() {
	local ifc
	ifc=$(vf_ifc "$1")
	[ -n "$ifc" ] && ip link set dev "$ifc" up 2>/dev/null
}

# The polls below fork nothing (under TCG a fork costs milliseconds): builtins and globs only.

# bench_poll SECONDS CMD...: CMD every 20 ms until it succeeds; fail after SECONDS.
bench_poll() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.02
	done
}

# bench_all_exist: 7 VFs, each bound to igbvf with an interface.
bench_all_exist() {
	local i n
	for ((i = 0; i < 7; i++)); do
		[ -e "$PF/virtfn$i/driver/module" ] || return 1
		for n in "$PF/virtfn$i"/net/*; do
			[ -e "$n" ] || return 1
		done
	done
}

# bench_all_carrier: the 7 VF interfaces have carrier.
bench_all_carrier() {
	local i f c
	for ((i = 0; i < 7; i++)); do
		for f in "$PF/virtfn$i"/net/*/carrier; do
			c=
			read -r c <"$f" 2>/dev/null
			[ "$c" = 1 ] || return 1
		done
	done
}

# --- host: one VM per driver, then the tables ------------------------------------------------

# stats KEY: "mean (min-max)" of the KEY values in the log, or the single value.
stats() {
	awk -v k="$1" '$1 == "BENCH" && $2 == k {
			if ($3 !~ /^[0-9.]+$/) { bad = $3; next }
			n++; s += $3; if (n == 1 || $3 < lo) lo = $3; if (n == 1 || $3 > hi) hi = $3
		}
		END {
			if (n == 0) { print (bad == "" ? "-" : bad); exit }
			if (n == 1) printf "%.3f\n", s
			else printf "%.3f (%.3f-%.3f, n=%d)\n", s / n, lo, hi, n
		}' "$2"
}

value() { awk -v k="$1" '$1 == "BENCH" && $2 == k { $1 = ""; $2 = ""; sub(/^ +/, ""); print; exit }' "$2"; }

table() {
	local d=$1 f=$2
	printf '\n%s (guest: %s vCPUs, %s; log %s)\n' "$d" "$(value vcpus "$f")" "$accel" "$(basename "$f")"
	printf '  %-52s %s\n' "(a) VF-VF ping RTT avg, 100 x -i 0.05 [ms]" \
		"$(value rtt_avg_ms "$f")  ($(value rtt_mdev "$f"), loss $(value rtt_loss "$f"))"
	printf '  %-52s %s\n' "(b) echo 7 > sriov_numvfs returns [s]" "$(stats enable_write_s "$f")"
	printf '  %-52s %s\n' "(b) ... until 7 VF interfaces exist [s]" "$(stats enable_exist_s "$f")"
	printf '  %-52s %s\n' "(b) ... until all 7 have carrier after up [s]" "$(stats enable_carrier_s "$f")"
	printf '  %-52s %s\n' "(c) echo 0 > sriov_numvfs with 7 VFs [s]" "$(stats disable_s "$f")"
	printf '  %-52s %s\n' "igbvf 'PF still in reset/resetting' during (b)" "$(value pf_reset_msgs "$f")"
	grep '^BENCH note' "$f" | sed 's/^BENCH note /  note: /' | grep -v ' 0 other QEMU'
}

bench_host() {
	# shellcheck source=scripts/common.sh
	. "$root/scripts/common.sh"
	local drivers=("$@") d logdir stamp f rc status=0 logs=() accel others
	# What scripts/vm.sh will use.
	case ${RIGB_ACCEL:-auto} in
	auto) [ "$(cat "$RIGB_CACHE/kvm-works" 2>/dev/null)" = yes ] && accel=KVM || accel=TCG ;;
	*) accel=${RIGB_ACCEL^^} ;;
	esac
	[ ${#drivers[@]} -gt 0 ] || drivers=(rigb igb)
	for d in "${drivers[@]}"; do
		case $d in
		rigb | igb) ;;
		*) die "unknown driver '$d' (rigb or igb)" ;;
		esac
	done
	if [[ " ${drivers[*]} " == *" rigb "* ]] && [ ! -f "$root/rigb.ko" ]; then
		die "$root/rigb.ko does not exist; build it with 'make'"
	fi
	logdir=$RIGB_CACHE/bench-logs
	mkdir -p "$logdir"
	stamp=$(date +%Y%m%d-%H%M%S)-$$
	cd "$root" || exit 1
	for d in "${drivers[@]}"; do
		f=$logdir/$stamp-$d.log
		log "VF benchmark with DRIVER=$d, log: $f"
		# Other VMs on this host share its CPUs; say so next to the figures.
		others=$(pgrep -c qemu-system 2>/dev/null) || others=0
		[ "$others" -eq 0 ] || log "warning: $others other QEMU process(es) running; figures will be inflated"
		"$root/scripts/vm.sh" -t "${BENCH_VM_TIMEOUT:-900}" -- env DRIVER="$d" \
			BENCH_REPS="${BENCH_REPS:-3}" RIGB_KSRC="$RIGB_KSRC" \
			tests/bench/vf_bench.sh --guest 2>&1 | tr -d '\r' | tee "$f" | grep '^BENCH' >&2
		rc=${PIPESTATUS[0]}
		echo "BENCH note $others other QEMU process(es) were running when this VM started" >>"$f"
		[ "$rc" -eq 0 ] || {
			log "error: the VM run for $d exited with status $rc"
			status=1
		}
		logs+=("$d:$f")
	done
	echo
	echo "VF benchmark ($(date -u '+%Y-%m-%d %H:%M UTC'), host $(nproc) CPUs)"
	for d in "${logs[@]}"; do
		table "${d%%:*}" "${d#*:}"
	done
	return $status
}

if [ "${1:-}" = --guest ]; then
	bench_guest
	exit 0
fi
if [ $# -eq 0 ] && [ -n "${DRIVER:-}" ]; then
	set -- "$DRIVER"
fi
bench_host "$@"
