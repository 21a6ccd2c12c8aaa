#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# rigb's KUnit suites. rigb.ko carries KUnit suites (names starting with "rigb") that the
# kernel runs when the module loads; their results appear in /sys/kernel/debug/kunit/<suite>/
# results while the module is loaded. Each suite's result becomes one KTAP test here (ok, not
# ok, or skip as KUnit reported it). With DRIVER=rigb, finding no rigb suite is a failure;
# with DRIVER=igb this test is skipped.
#
# The number of suites is only known after loading rigb, so kunit_prepare loads it once
# (max_vfs=0), saves every results file and unloads it before the plan is printed; nothing
# here assumes how many suites there are or what they are called beyond the prefix.

lib_dir=$(dirname "$0")
# shellcheck source=lib.sh
source "$lib_dir/lib.sh"

KUNIT_SAVED=
KUNIT_SUITES=()

# kunit_collect DIR: load rigb, copy each rigb* suite's results to DIR/<suite>, unload.
kunit_collect() {
	local dir=$1 d
	debugfs_mount || {
		diag "cannot mount debugfs on $DEBUGFS"
		return 1
	}
	drv_reset
	drv_load 0 || return 1
	if [ ! -d "$DEBUGFS/kunit" ]; then
		diag "no $DEBUGFS/kunit (kernel without CONFIG_KUNIT_DEBUGFS?)"
	fi
	for d in "$DEBUGFS"/kunit/rigb*; do
		[ -r "$d/results" ] || continue
		cat "$d/results" >"$dir/${d##*/}"
	done
	drv_reset
}

kunit_prepare() {
	local f
	[ "$DRIVER" = rigb ] || return 0
	KUNIT_SAVED=$(mktemp -d /tmp/rigb-kunit.XXXXXX) || return 0
	defer rm -rf "$KUNIT_SAVED"
	kunit_collect "$KUNIT_SAVED" 2>&1
	for f in "$KUNIT_SAVED"/*; do
		[ -f "$f" ] && KUNIT_SUITES+=("${f##*/}")
	done
	return 0
}

# kunit_report SUITE: one KTAP test from the suite's saved results.
kunit_report() {
	local suite=$1 file=$KUNIT_SAVED/$1 last
	last=$(grep -E "^(not )?ok [0-9]+ $suite( |$)" "$file" | tail -n1)
	case $last in
	"ok "*"# SKIP"*)
		ktap_test_skip_reason "kunit: $suite" "${last#*# SKIP }"
		;;
	"ok "*)
		diag "$(grep -cE '^ +ok ' "$file") test case(s) passed"
		ktap_test_pass "kunit: $suite"
		;;
	*)
		if [ -z "$last" ]; then
			diag "no result line for $suite in its results file"
		fi
		diag "$(head -n 80 "$file")"
		ktap_test_fail "kunit: $suite"
		;;
	esac
}

kunit_run() {
	local s
	if [ "$DRIVER" != rigb ]; then
		ktap_test_skip_reason "kunit: rigb suites" "DRIVER=$DRIVER has no rigb KUnit suites"
		return 0
	fi
	if [ "${#KUNIT_SUITES[@]}" -eq 0 ]; then
		diag "no KUnit suite named rigb* in $DEBUGFS/kunit after loading $RIGB_KO"
		ktap_test_fail "kunit: rigb suites"
	fi
	for s in "${KUNIT_SUITES[@]}"; do
		kunit_report "$s"
	done
	return 0
}

rigb_begin
kunit_prepare
# One test per suite found; without any, the one test that says so.
ktap_set_plan "$((${#KUNIT_SUITES[@]} > 0 ? ${#KUNIT_SUITES[@]} : 1))"
kunit_run
rigb_end
