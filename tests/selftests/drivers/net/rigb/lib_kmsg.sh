#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel log: marks written into it, so that a test reads only what came after its own,
# and reads of kernel messages only. Sourced by lib.sh.

# kmsg_mark NAME: put a unique mark into the kernel log; later kmsg_since reads from there.
KMSG_MARK=
KMSG_SEQ=0
kmsg_mark() {
	KMSG_SEQ=$((KMSG_SEQ + 1))
	KMSG_MARK="rigb-selftest: mark $$.$KMSG_SEQ $1"
	echo "<5>$KMSG_MARK" >/dev/kmsg
}

# kmsg_since_raw: kernel log lines after the last kmsg_mark, with their raw "<prio>" prefix
# (facility*8+level; kernel messages have facility 0). A mark the log no longer holds (it
# wrapped: the VM boots with log_buf_len=32M so that it should not) yields a WARNING line of
# its own, so that no check of the lines since the mark passes on an empty read.
kmsg_since_raw() {
	dmesg -r | awk -v m="$KMSG_MARK" 'found { print } index($0, m) { found = 1 }
		END { if (!found) print "<4>rigb-selftest: WARNING: the kernel log lost the mark \"" m "\"" }'
}

# kmsg_since: the same without the prefix.
kmsg_since() { kmsg_since_raw | sed 's/^<[0-9]*>//'; }

# kmsg_warnings_since: kernel (not user space) messages of level warning or worse, without
# their timestamps.
kmsg_warnings_since() { kmsg_since_raw | sed -n 's/^<[0-4]>\(\[[^]]*\] \)\{0,1\}//p'; }

# kmsg_kernel: the whole kernel log, kernel messages only (what user space wrote to /dev/kmsg
# is left out).
kmsg_kernel() { dmesg -r | sed -n 's/^<[0-7]>//p'; }
