#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# rigb's whole test suite, run on the host:
#   1. the host unit tests (`cargo test` in tests/host and tools/hostile-vf),
#   2. the VM selftests: one boot of the test VM (scripts/vm.sh), in which the kselftest
#      collection tests/selftests/drivers/net/rigb is installed (its Makefile's
#      kselftest_install) and run by the kernel's run_kselftest.sh.
# DRIVER=rigb (default) tests rigb.ko; `DRIVER=igb tests/run.sh` runs the same VM tests
# against the in-tree C igb driver.
#
# The VM's output goes to the terminal and to a log in ${RIGB_CACHE:-~/.cache/rigb}/test-logs/.
# Every test counts, not every program: each program's own KTAP results (nested under "# " by
# the runner) are added up. The last line printed is "N passed, N failed" (", N skipped" when
# tests were skipped). The exit status is non-zero when a test failed, the host tests did not
# build, the VM's exit status is non-zero, or fewer tests ran than planned: a program that
# failed, timed out or crashed without a failing test counts as one failure, its missing
# tests as failures, and so does a program the runner never reached (a crashed VM must not
# look like a pass). A program that exits 4 (KSFT_SKIP) counts as skipped.
#
# Environment: DRIVER, RIGB_CACHE, RIGB_TEST_TIMEOUT (seconds for the VM, default 2700),
# RIGB_POWEROFF_GRACE (seconds the VM gets to power off after the tests, default 60),
# RIGB_PROGRAM_TIMEOUT (seconds per test program instead of the collection's settings file),
# RIGB_STRESS_NUMVFS, RIGB_STRESS_RELOAD and RIGB_FLR_CYCLES (cycles of the stress tests and of
# vf_flr, passed into the VM),
# RIGB_TESTS (the programs to run, e.g. "vf_ping.sh kernel_log.sh"; default all of them),
# RIGB_STALL_SECONDS (silence after which the VM is nudged, default 600; see watchdog),
# RIGB_STALL_CORE=1 (dump the guest's memory at the first nudge).

set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../scripts/common.sh
. "$root/scripts/common.sh"

DRIVER=${DRIVER:-rigb}
case $DRIVER in
rigb | igb) ;;
*) die "DRIVER must be rigb or igb" ;;
esac
vm_timeout=${RIGB_TEST_TIMEOUT:-2700}
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

# tests/host (rigb's pure modules) and tools/hostile-vf (the hostile-VF tool); the tool builds
# in $RIGB_CACHE/tools-target, like scripts/build-tools.sh.
for crate in tests/host tools/hostile-vf; do
	[ -f "$root/$crate/Cargo.toml" ] || continue
	hostlog=$logdir/$stamp-$(basename "$crate").log
	log "host unit tests ($crate), log: $hostlog"
	target=()
	[ "$crate" = tests/host ] || target=(env CARGO_TARGET_DIR="$RIGB_CACHE/tools-target")
	set +e
	(cd "$root/$crate" && "${target[@]}" cargo test --offline --color never) 2>&1 | tee "$hostlog"
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
			problems+=("cargo test in $crate failed (exit $cargo_rc) before reporting a failed test")
		fi
	fi
	log "host unit tests ($crate): $hp passed, $hf failed, $hi ignored"
done

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

# stall_nudge: the VM stopped and continued through QEMU's monitor; the first time also the
# vCPUs' registers into the log, and with RIGB_STALL_CORE=1 the guest's memory into
# $stall_core. A guest under TCG has been seen to sit idle, every task that touches its 9p
# root file system waiting, with the 9p request served by QEMU but its completion never seen
# by the guest, until QEMU stopped and resumed the VM (which delivers it); the tests then went
# on. The stop and continue does that on purpose.
stall_nudge() {
	if [ "$nudges" -eq 1 ]; then
		log "no output from the VM for ${stall_secs}s: stopping and continuing it (again after each ${stall_secs}s without output); its registers follow"
		"$root/scripts/qemu-monitor.py" "$monitor" "info status" "info registers -a" 2>&1 |
			sed 's/^/stall: /' >>"$log"
	fi
	if [ "${RIGB_STALL_CORE:-0}" = 1 ] && [ ! -e "$stall_core" ]; then
		"$root/scripts/qemu-monitor.py" "$monitor" "dump-guest-memory $stall_core" >/dev/null 2>&1 &&
			log "guest memory in $stall_core ($(du -h "$stall_core" | cut -f1))"
	fi
	"$root/scripts/qemu-monitor.py" "$monitor" "stop" >/dev/null 2>&1
	"$root/scripts/qemu-monitor.py" "$monitor" "cont" >/dev/null 2>&1
	echo "$nudges" >"$nudge_count"
}

# The VM must not outlive the run: scripts/vm.sh's own timeout stops vng but not always QEMU
# (whose open stdout then keeps the pipe below from ever ending), and a kernel that cannot
# power off leaves QEMU running after the tests are done.
#
# A VM whose output stops for stall_secs is stopped and continued through QEMU's monitor
# (stall_nudge), again after every stall_secs without output (a last resort, not a routine:
# stopping QEMU 10.0's TCG while the guest adds or removes VFs has crashed it once, in
# iotlb_to_section); the first time its vCPUs'
# registers go to the run's log (and with RIGB_STALL_CORE=1 its memory to a core file beside
# it: `strings` finds the kernel's log in it, gdb with vmlinux the rest). The count of nudges
# is logged at the end. The run goes on until the VM's own timeout.
watchdog() {
	local start=$SECONDS done_at= size=-1 still_since=$SECONDS now nudges=0
	while sleep 2; do
		if [ -z "$done_at" ] && grep -qE '^(# Totals:|Bail out!)' "$log" 2>/dev/null; then
			done_at=$SECONDS
		fi
		now=$(stat -c %s "$log" 2>/dev/null || echo 0)
		if [ "$now" != "$size" ]; then
			size=$now still_since=$SECONDS
		elif [ $((SECONDS - still_since)) -ge "$stall_secs" ]; then
			nudges=$((nudges + 1))
			still_since=$SECONDS
			stall_nudge
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

# In the VM, tests/vm_selftests.sh installs the collection and runs it. virtme-ng passes the
# command on the kernel's command line, which is short: the guest's work is in that script.
selftests=tests/selftests/drivers/net/rigb
ksft=/tmp/rigb-kselftest

# run_kselftest.sh's selection: -t drivers/net/rigb:<program> for each of RIGB_TESTS.
selection=()
for t in ${RIGB_TESTS:-}; do
	[ -f "$root/$selftests/$t" ] || die "RIGB_TESTS: no test program $selftests/$t"
	selection+=(-t "drivers/net/rigb:$t")
done

# The hostile-VF tool the vf_hostile_* tests drive (built on the host; the VM shares its files).
hostile_vf=
if hostile_vf=$("$root/scripts/build-tools.sh" 2>"$logdir/$stamp-tools.log"); then
	log "hostile-VF tool: $hostile_vf"
else
	log "warning: the hostile-VF tool did not build (see $logdir/$stamp-tools.log); the vf_hostile_* tests will fail"
	hostile_vf=
fi

# QEMU's monitor, for looking into a VM that stopped making progress (see watchdog).
monitor=$logdir/$stamp.monitor
stall_core=$logdir/$stamp-stall.core
nudge_count=$logdir/$stamp.nudges
stall_secs=${RIGB_STALL_SECONDS:-600}
export RIGB_QEMU_OPTS="${RIGB_QEMU_OPTS:-} -monitor unix:$monitor,server=on,wait=off"

log "VM selftests with DRIVER=$DRIVER, log: $log"
cd "$root"
: >"$log"
watchdog &
watchdog_pid=$!
set +e
env RIGB_RUN_ID="$run_id" scripts/vm.sh -t "$vm_timeout" -- \
	env DRIVER="$DRIVER" RIGB_KSRC="$RIGB_KSRC" RIGB_KO="$root/rigb.ko" \
	RIGB_HOSTILE_VF="$hostile_vf" \
	${RIGB_STRESS_NUMVFS:+RIGB_STRESS_NUMVFS=$RIGB_STRESS_NUMVFS} \
	${RIGB_STRESS_RELOAD:+RIGB_STRESS_RELOAD=$RIGB_STRESS_RELOAD} \
	${RIGB_FLR_CYCLES:+RIGB_FLR_CYCLES=$RIGB_FLR_CYCLES} \
	tests/vm_selftests.sh "$selftests" "$ksft" "${RIGB_PROGRAM_TIMEOUT:-}" "${selection[@]}" 2>&1 |
	tee -a "$log"
vm_rc=${PIPESTATUS[0]}
set -e
kill "$watchdog_pid" 2>/dev/null || true
wait "$watchdog_pid" 2>/dev/null || true
rm -f "$monitor"

# The runner's KTAP: a plan of N programs; for each "# selftests: <dir>: <prog>", the
# program's own KTAP nested under "# " ("# 1..7", "# ok 3 name", "# not ok 4 name",
# "# ok 5 name # SKIP why"), then its verdict "ok N selftests: <dir>: <prog>" (" # SKIP" when
# it exited 4) or "not ok N ... # exit=1" / "# TIMEOUT 900 seconds". Prints the totals, the
# number of programs planned and seen, then one line per problem.
vm_counts=$(tr -d '\r' <"$log" | awk '
	function verdict(name, res,   pl, ran, miss) {
		ran = p[name] + f[name] + s[name]
		pl = (name in plan) ? plan[name] : -1
		miss = pl > ran ? pl - ran : 0
		tp += p[name]; tf += f[name]; ts += s[name]
		if (res == "skip") {
			# Whatever it planned and did not run was skipped with it.
			ts += miss
			if (ran == 0 && miss == 0)
				ts++
		} else if (res == "ok") {
			if (miss > 0) {
				tf += miss
				problem[++np] = name ": passed but reported " ran " of " pl " planned tests"
			} else if (ran == 0 && pl < 0) {
				tp++
			}
		} else {
			tf += miss
			if (f[name] == 0 && miss == 0)
				tf++
			problem[++np] = name ": " (res == "" ? "no verdict (the run ended inside it)" : res) \
				(miss > 0 ? "; " miss " of its " pl " planned tests missing, counted as failed" : "")
		}
		done[name] = 1
	}
	/^1\.\.[0-9]+/ && top == "" { top = substr($1, 4) + 0 }
	/^# selftests: / {
		if (cur != "" && !(cur in done))
			verdict(cur, "")
		cur = substr($0, 14); seen++
		p[cur] = f[cur] = s[cur] = 0
		next
	}
	cur != "" && /^# 1\.\.[0-9]+/ && !(cur in plan) { plan[cur] = substr($2, 4) + 0 }
	cur != "" && /^# ok [0-9]+ / { if (toupper($0) ~ / # *SKIP/) s[cur]++; else p[cur]++ }
	cur != "" && /^# not ok [0-9]+ / { f[cur]++ }
	/^(not )?ok [0-9]+ selftests: / && cur != "" {
		res = "ok"
		if ($0 ~ /^not ok/) {
			res = $0; sub(/^[^#]*# */, "", res)
			if (res == $0 || res == "") res = "failed"
		} else if (toupper($0) ~ / # *SKIP/) {
			res = "skip"
		} else if (toupper($0) ~ / # *X(FAIL|PASS)/) {
			# No rigb test exits 2 or 3: the runner itself failed to start it (a shell
			# redirection error exits 2), which must not pass as "ok".
			res = "exit 2 or 3 (XFAIL/XPASS): the program did not run properly"
		}
		verdict(cur, res)
		cur = ""
	}
	END {
		if (cur != "" && !(cur in done))
			verdict(cur, "")
		if (top != "" && seen < top) {
			tf += top - seen
			problem[++np] = (top - seen) " of " top " test programs never started, counted as one failure each"
		}
		printf "%d %d %d %s %d\n", tp, tf, ts, top == "" ? "none" : top, seen
		for (i = 1; i <= np; i++)
			print problem[i]
	}')
read -r vp vf vs plan seen <<<"$(head -n1 <<<"$vm_counts")"
while IFS= read -r line; do
	[ -n "$line" ] && problems+=("$line")
done < <(tail -n +2 <<<"$vm_counts")
passed=$((passed + vp))
failed=$((failed + vf))
skipped=$((skipped + vs))
[ ! -s "$nudge_count" ] ||
	log "the VM was stopped and continued $(cat "$nudge_count") time(s), each after ${stall_secs}s without output"
log "VM selftests: $seen of ${plan/none/?} test programs ran: $vp passed, $vf failed, $vs skipped"

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
	failed=$((failed + 1))
	problems+=("no KTAP plan in the VM output: the selftests did not start")
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
