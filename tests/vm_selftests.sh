#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest's half of tests/run.sh, run as root in the test VM (scripts/vm.sh):
#   vm_selftests.sh SELFTESTS_DIR INSTALL_DIR [PROGRAM_TIMEOUT] [-t drivers/net/rigb:PROG ...]
# It clears kmemleak's list where the kernel has one (kernel_log.sh then counts only what the
# tests leaked, not the boot), copies kernel reports (BUG, WARNING, hung tasks, stalls) to the
# output as they happen ("kmsg: ..."; a VM that stops answering still leaves them in the log),
# and the kernel stack of any task stuck in the kernel for over a minute ("stall: ..."),
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

# A user task found at two looks a minute apart in uninterruptible sleep, or sleeping at the
# same kernel wait channel that is not one of a shell or daemon waiting for input, output, a
# child or a timer (a sysfs write stuck in the kernel sleeps interruptibly, too): its kernel
# stack goes to the output, once, so that a run that stops making progress says where (the
# kernels here have no hung-task detector).
(
	benign='^(-|0|.*do_wait.*|.*pipe_read.*|.*pipe_write.*|.*nanosleep.*|.*poll.*|.*select.*|.*sigsuspend.*|.*sigtimedwait.*|.*futex.*|wait_woken|.*n_tty_.*|.*unix_.*|.*skb_wait.*|.*accept.*|.*epoll.*|wait_for_partner|devtmpfs.*|devkmsg_read|do_syslog|.*wait4.*|.*pause.*)$'
	declare -A seen reported
	while sleep 60; do
		declare -A now=()
		while read -r pid ppid stat wchan comm; do
			[ "$ppid" != 2 ] && [ "$pid" != 2 ] || continue
			[[ $stat == D* ]] || { [[ $stat == S* ]] && ! [[ $wchan =~ $benign ]]; } || continue
			now[$pid]=$wchan
			if [ "${seen[$pid]:-}" = "$wchan" ] && [ -z "${reported[$pid]:-}" ]; then
				reported[$pid]=1
				echo "stall: $comm (pid $pid, $stat) waiting in $wchan for over a minute:"
				sed "s/^/stall:   /" "/proc/$pid/stack" 2>/dev/null
			fi
		done < <(ps -eo pid=,ppid=,stat=,wchan:40=,comm=)
		seen=()
		for pid in "${!now[@]}"; do seen[$pid]=${now[$pid]}; done
		unset now
	done
) &

make -s --no-print-directory -C "$selftests" KSRC="$RIGB_KSRC" KSFT_INSTALL_PATH="$install" \
	kselftest_install || exit
exec "$install/run_kselftest.sh" ${program_timeout:+-o "$program_timeout"} "$@"
