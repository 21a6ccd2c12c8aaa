#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest's half of tests/run.sh, run as root in the test VM (scripts/vm.sh):
#   vm_selftests.sh SELFTESTS_DIR INSTALL_DIR [PROGRAM_TIMEOUT] [-t drivers/net/rigb:PROG ...]
# It clears kmemleak's list where the kernel has one (kernel_log.sh then counts only what the
# tests leaked, not the boot), copies kernel reports (BUG, WARNING, hung tasks, stalls) to the
# output as they happen ("kmsg: ..."; a VM that stops answering still leaves them in the log),
# and the kernel stack of any task stuck in uninterruptible sleep ("stall: ..."),
# installs the collection with the kernel's runner into INSTALL_DIR (the host's file system is
# read-only in the guest) and runs run_kselftest.sh, whose exit status is this script's.
# The environment (DRIVER, RIGB_KSRC, RIGB_KO, ...) is the collection's; see tests/run.sh.

selftests=$1
install=$2
program_timeout=$3
shift 3

kmemleak=/sys/kernel/debug/kmemleak
{
	mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
	[ ! -w "$kmemleak" ] || echo clear >"$kmemleak"
} 2>/dev/null

dmesg -w -l emerg,alert,crit,err,warn 2>/dev/null |
	grep --line-buffered -E "BUG:|WARNING:|INFO:|Oops|RIP:|blocked for more|stall" |
	sed -u "s/^/kmsg: /" &

# A task found in uninterruptible sleep at two looks a minute apart (the kernels here have no
# hung-task detector): its kernel stack goes to the output, once, so that a run that stops
# making progress says where.
(
	declare -A dstate reported
	while sleep 60; do
		declare -A now=()
		while read -r pid stat comm; do
			[[ $stat == D* ]] || continue
			now[$pid]=1
			if [ -n "${dstate[$pid]:-}" ] && [ -z "${reported[$pid]:-}" ]; then
				reported[$pid]=1
				echo "stall: $comm (pid $pid) in uninterruptible sleep for over a minute:"
				sed "s/^/stall:   /" "/proc/$pid/stack" 2>/dev/null
			fi
		done < <(ps -eo pid=,stat=,comm=)
		dstate=()
		for pid in "${!now[@]}"; do dstate[$pid]=1; done
		unset now
	done
) &

make -s --no-print-directory -C "$selftests" KSRC="$RIGB_KSRC" KSFT_INSTALL_PATH="$install" \
	kselftest_install || exit
exec "$install/run_kselftest.sh" ${program_timeout:+-o "$program_timeout"} "$@"
