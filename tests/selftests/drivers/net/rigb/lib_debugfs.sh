#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# debugfs: mounted on demand (KUnit's results live there), and rigb's view of each VF in it,
# /sys/kernel/debug/rigb-<PF BDF>/vf<N>, one "key: value" a line. C igb has no such files.
# Sourced by lib.sh.

DEBUGFS=/sys/kernel/debug

debugfs_mounted() { awk -v d="$DEBUGFS" '$2 == d && $3 == "debugfs" { f = 1 } END { exit !f }' /proc/mounts; }

# debugfs_mount: debugfs on $DEBUGFS unless it is there already; fails when it cannot be.
debugfs_mount() {
	debugfs_mounted || mount -t debugfs none "$DEBUGFS" 2>/dev/null
	debugfs_mounted
}

dbg_vf_file() { echo "$DEBUGFS/rigb-$PF_BDF/vf$1"; }

# dbg_vf VF KEY: the value of "KEY: value" in rigb's debugfs file of VF.
dbg_vf() {
	sed -n "s/^$2: //p" "$(dbg_vf_file "$1")" 2>/dev/null | head -n1
}

# dbg_vf_dump VF: the debugfs file as diagnostics.
dbg_vf_dump() { diag_cmd cat "$(dbg_vf_file "$1")"; }
