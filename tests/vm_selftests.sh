#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest's half of tests/run.sh, run as root in the test VM (scripts/vm.sh):
#   vm_selftests.sh SELFTESTS_DIR INSTALL_DIR [PROGRAM_TIMEOUT] [-t drivers/net/rigb:PROG ...]
# It clears kmemleak's list where the kernel has one (kernel_log.sh then counts only what the
# tests leaked, not the boot), copies kernel reports (BUG, WARNING, hung tasks, stalls) to the
# output as they happen ("kmsg: ..."; a VM that stops answering still leaves them in the log),
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

make -s --no-print-directory -C "$selftests" KSRC="$RIGB_KSRC" KSFT_INSTALL_PATH="$install" \
	kselftest_install || exit
exec "$install/run_kselftest.sh" ${program_timeout:+-o "$program_timeout"} "$@"
