#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Counts the PF's register accesses in QEMU's igb model for the VF benchmark.

Filters the test VM's output (stdin to stdout, line by line, carriage returns dropped). On a guest line
"BENCH-MMIO on DRV ROUND LABEL" it turns QEMU's trace events memory_region_ops_read/write on
through the human monitor (HMP socket), notes where the trace log ends, and writes
"on DRV ROUND LABEL" to the acknowledgement file the guest polls. On "BENCH-MMIO off ..." it
turns them off, counts the accesses logged since, acknowledges, and prints

    BENCH DRV ROUND mmio_LABEL N          accesses to the PF's BAR0 ("igb-mmio") between
                                          the first and the last access to a VF's BAR0
                                          ("igbvf-mmio"): what the PF did for the VF
    BENCH DRV ROUND mmio_LABEL_per_s N    for a window without VF accesses (idle): the
                                          PF's own accesses per second
    BENCH-MMIO-REGS DRV ROUND LABEL ...   the PF registers touched most (offset:reads/writes)

usage: qemu_mmio.py MONITOR_SOCKET TRACE_LOG ACK_FILE
"""

import os
import re
import socket
import sys
import time
from collections import Counter

ACCESS = re.compile(r"memory_region_ops_(read|write) .*addr 0x([0-9a-f]+) .*name '([^']*)'")
PF_REGION = "igb-mmio"
VF_REGION = "igbvf-mmio"
EVENTS = ("memory_region_ops_read", "memory_region_ops_write")
BAR0_SIZE = 128 * 1024


class Monitor:
    """QEMU's human monitor on a unix socket: one command at a time, up to the next prompt."""

    def __init__(self, path):
        self.path = path
        self.sock = None

    def _connect(self):
        for _ in range(600):
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(self.path)
                s.settimeout(10)
                self.sock = s
                self._read_prompt()
                return
            except OSError:
                time.sleep(0.1)
        raise OSError(f"no QEMU monitor on {self.path}")

    def _read_prompt(self):
        buf = b""
        while not buf.endswith(b"(qemu) "):
            chunk = self.sock.recv(4096)
            if not chunk:
                raise OSError("QEMU monitor closed")
            buf += chunk
        return buf

    def cmd(self, line):
        if self.sock is None:
            self._connect()
        self.sock.sendall(line.encode() + b"\n")
        return self._read_prompt()


def count(trace, offset):
    """PF accesses between the first and last VF access after offset, all PF accesses, the
    PF's registers by access count."""
    events = []
    with open(trace, "rb") as f:
        f.seek(offset)
        for raw in f:
            m = ACCESS.search(raw.decode("utf-8", "replace"))
            if m:
                # The address is the guest-physical one: keep the offset in the 128 KiB BAR.
                events.append((m.group(1), int(m.group(2), 16) & (BAR0_SIZE - 1), m.group(3)))
    vf = [i for i, e in enumerate(events) if e[2] == VF_REGION]
    pf_all = [e for e in events if e[2] == PF_REGION]
    inner = pf_all if not vf else [e for e in events[vf[0] : vf[-1] + 1] if e[2] == PF_REGION]
    regs = Counter((e[1], e[0]) for e in inner)
    return len(inner), bool(vf), regs


def main():
    mon_path, trace, ack = sys.argv[1:4]
    mon = Monitor(mon_path)
    window = None
    # Unbuffered and line by line: the guest waits for each acknowledgement.
    for line in iter(sys.stdin.readline, ""):
        line = line.replace("\r", "")
        sys.stdout.write(line)
        sys.stdout.flush()
        parts = line.split()
        if len(parts) != 5 or parts[0] != "BENCH-MMIO":
            continue
        what, drv, rnd, label = parts[1:]
        try:
            if what == "on":
                offset = os.path.getsize(trace) if os.path.exists(trace) else 0
                for ev in EVENTS:
                    mon.cmd(f"trace-event {ev} on")
                window = (drv, rnd, label, offset, time.monotonic())
            elif what == "off" and window and window[:3] == (drv, rnd, label):
                for ev in EVENTS:
                    mon.cmd(f"trace-event {ev} off")
                # The log is written by QEMU's threads as the events fire: give it a moment.
                time.sleep(0.3)
                seconds = time.monotonic() - window[4]
                n, had_vf, regs = count(trace, window[3])
                if had_vf:
                    print(f"BENCH {drv} {rnd} mmio_{label} {n}")
                else:
                    print(f"BENCH {drv} {rnd} mmio_{label}_per_s {n / seconds:.1f}")
                top = " ".join(
                    f"{off:#06x}{'r' if rw == 'read' else 'w'}:{c}" for (off, rw), c in regs.most_common(24)
                )
                print(f"BENCH-MMIO-REGS {drv} {rnd} {label} {top}")
                window = None
        except OSError as e:
            print(f"BENCH-NOTE {drv} {rnd} MMIO count for {label} failed: {e}")
        sys.stdout.flush()
        with open(ack, "w") as f:
            f.write(f"{what} {drv} {rnd} {label}")


if __name__ == "__main__":
    main()
