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

# kmsg_set_aside [COUNT_FILE]: the kernel log lines on stdin without the PCI core's own report
# that every test of driver unbind or rmmod with VFs meets on a lockdep kernel (see
# kernel_log.sh): since 7.3, pci_stop_and_remove_bus_device() asserts pci_rescan_remove_lock,
# which a driver's remove callback does not hold when it disables SR-IOV. Only a whole report
# ("cut here" to "end trace") whose warning is that assertion and whose trace goes from
# pci_device_remove through pci_disable_sriov is left out; their number goes to COUNT_FILE.
kmsg_set_aside() {
	awk -v out="${1:-/dev/null}" '
		function flush(   i) {
			if (blk ~ /WARNING: drivers\/pci\/remove\.c/ && blk ~ /pci_disable_sriov/ &&
			    blk ~ /pci_device_remove/) {
				known++
			} else {
				for (i = 1; i <= n; i++)
					print line[i]
			}
			n = 0; blk = ""; inblk = 0
		}
		/cut here/ { if (inblk) flush(); inblk = 1 }
		inblk { line[++n] = $0; blk = blk "\n" $0; if (/end trace/) flush(); next }
		{ print }
		END { if (inblk) flush(); print known + 0 > out }'
}

# kmsg_reports_since: the first lines of any kernel report (BUG, WARNING, Oops, lockdep, GPF)
# since the last mark, the PCI core's report above set aside; empty when there is none.
kmsg_reports_since() {
	kmsg_since | kmsg_set_aside |
		grep -E 'BUG|WARNING|Oops|INFO: possible|general protection|RIP:' | head -n5
}
