#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# rigb's whole test suite, run on the host:
#   1. the host unit tests (`cargo test` in tests/host, when tests/host/Cargo.toml exists),
#   2. the VM selftests: one boot of the test VM (scripts/vm.sh) running
#      tests/selftests/rigb/run.sh, which prints KTAP.
# DRIVER=rigb (default) tests rigb.ko; `DRIVER=igb tests/run.sh` runs the same VM tests
# against the in-tree C igb driver.
#
# The VM's output goes to the terminal and to a log in ${RIGB_CACHE:-~/.cache/rigb}/test-logs/.
# The last line printed is "N passed, N failed" (", N skipped" when tests were skipped). The
# exit status is non-zero when a test failed, the host tests did not build, the VM's exit
# status is non-zero, or fewer tests ran than the KTAP plan announced (a crashed VM must not
# look like a pass).
#
# Environment: DRIVER, RIGB_CACHE, RIGB_TEST_TIMEOUT (seconds for the VM, default 1200),
# RIGB_POWEROFF_GRACE (seconds the VM gets to power off after the tests, default 60).

set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../scripts/common.sh
. "$root/scripts/common.sh"

DRIVER=${DRIVER:-rigb}
case $DRIVER in
rigb | igb) ;;
*) die "DRIVER must be rigb or igb" ;;
esac
vm_timeout=${RIGB_TEST_TIMEOUT:-1200}
# After the guest's KTAP stream has ended, the VM gets this long to power off.
poweroff_grace=${RIGB_POWEROFF_GRACE:-60}

logdir=$RIGB_CACHE/test-logs
mkdir -p "$logdir"
stamp=$(date +%Y%m%d-%H%M%S)-$$
log=$logdir/$stamp-$DRIVER.log

passed=0
failed=0
skipped=0
status=0
problems=()

# --- 1. host unit tests ----------------------------------------------------------------------

if [ -f "$root/tests/host/Cargo.toml" ]; then
	hostlog=$logdir/$stamp-host.log
	log "host unit tests (tests/host), log: $hostlog"
	set +e
	(cd "$root/tests/host" && cargo test --color never) 2>&1 | tee "$hostlog"
	cargo_rc=${PIPESTATUS[0]}
	set -e
	# Every test binary (and the doc tests) ends with
	# "test result: ok. 12 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; ...".
	read -r hp hf hi < <(awk '/^test result:/ {
			for (i = 1; i <= NF; i++) {
				if ($(i) ~ /^passed;?$/) p += $(i - 1)
				if ($(i) ~ /^failed;?$/) f += $(i - 1)
				if ($(i) ~ /^ignored;?$/) s += $(i - 1)
			}
		} END { printf "%d %d %d\n", p, f, s }' "$hostlog")
	passed=$((passed + hp))
	failed=$((failed + hf))
	skipped=$((skipped + hi))
	if [ "$cargo_rc" -ne 0 ]; then
		status=1
		if [ "$hf" -eq 0 ]; then
			# It did not get as far as running tests: count the build itself as a failure.
			failed=$((failed + 1))
			problems+=("cargo test failed (exit $cargo_rc) before reporting a failed test")
		fi
	fi
	log "host unit tests: $hp passed, $hf failed, $hi ignored"
fi

# --- 2. VM selftests -------------------------------------------------------------------------

if [ "$DRIVER" = rigb ] && [ ! -f "$root/rigb.ko" ]; then
	log "warning: $root/rigb.ko does not exist; the VM tests will fail (build it with 'make')"
fi

# Every process of this VM run carries this ID in its environment; it is how the watchdog
# finds them (and only them) if the VM has to be stopped.
run_id=rigb-test-$$-$RANDOM$RANDOM
killed_mark=$log.stopped

stop_run_processes() {
	local p pids=() sig
	for p in /proc/[0-9]*; do
		if tr '\0' '\n' <"$p/environ" 2>/dev/null | grep -qx "RIGB_RUN_ID=$run_id"; then
			pids+=("${p#/proc/}")
		fi
	done
	[ ${#pids[@]} -gt 0 ] || return 0
	for sig in TERM KILL; do
		kill "-$sig" "${pids[@]}" 2>/dev/null || true
		sleep 5
	done
}

# The VM must not outlive the run: scripts/vm.sh's own timeout stops vng but not always QEMU
# (whose open stdout then keeps the pipe below from ever ending), and a kernel that cannot
# power off leaves QEMU running after the tests are done.
watchdog() {
	local start=$SECONDS done_at=
	while sleep 2; do
		if [ -z "$done_at" ] && grep -qE '^(# Totals:|Bail out!)' "$log" 2>/dev/null; then
			done_at=$SECONDS
		fi
		if [ -n "$done_at" ] && [ $((SECONDS - done_at)) -ge "$poweroff_grace" ]; then
			echo "VM still running ${poweroff_grace}s after the tests ended" >"$killed_mark"
		elif [ $((SECONDS - start)) -ge $((vm_timeout + 60)) ]; then
			echo "VM still running after ${vm_timeout}s" >"$killed_mark"
		else
			continue
		fi
		log "$(cat "$killed_mark"); stopping it"
		stop_run_processes
		return 0
	done
}

log "VM selftests with DRIVER=$DRIVER, log: $log"
cd "$root"
: >"$log"
watchdog &
watchdog_pid=$!
set +e
env RIGB_RUN_ID="$run_id" scripts/vm.sh -t "$vm_timeout" -- \
	env DRIVER="$DRIVER" RIGB_KSRC="$RIGB_KSRC" tests/selftests/rigb/run.sh 2>&1 |
	tee -a "$log"
vm_rc=${PIPESTATUS[0]}
set -e
kill "$watchdog_pid" 2>/dev/null || true
wait "$watchdog_pid" 2>/dev/null || true

# Top-level KTAP lines only: "1..N", "ok N name", "not ok N name", "ok N name # SKIP why".
read -r plan vp vf vs < <(tr -d '\r' <"$log" | awk '
	/^1\.\.[0-9]+/ && plan == "" { plan = substr($1, 4) + 0 }
	/^ok [0-9]+/ { if (toupper($0) ~ /# *SKIP/) s++; else p++ }
	/^not ok [0-9]+/ { f++ }
	END { printf "%s %d %d %d\n", plan == "" ? "none" : plan, p, f, s }')
passed=$((passed + vp))
failed=$((failed + vf))
skipped=$((skipped + vs))
ran=$((vp + vf + vs))

[ "$vf" -eq 0 ] || status=1
if [ -f "$killed_mark" ]; then
	status=1
	problems+=("$(cat "$killed_mark"); it was stopped")
	rm -f "$killed_mark"
fi
if [ "$vm_rc" -ne 0 ]; then
	status=1
	problems+=("the VM run exited with status $vm_rc")
fi
if [ "$plan" = none ]; then
	status=1
	problems+=("no KTAP plan in the VM output: the selftests did not start")
elif [ "$ran" -ne "$plan" ]; then
	status=1
	problems+=("the KTAP plan announced $plan VM tests but $ran reported")
	if [ "$ran" -lt "$plan" ]; then
		failed=$((failed + plan - ran))
		problems+=("counting the $((plan - ran)) missing test(s) as failed")
	fi
fi

[ "$failed" -eq 0 ] || status=1
for p in "${problems[@]}"; do
	log "error: $p"
done
log "log: $log"
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
exit "$status"
