#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Sends commands to a running QEMU's human monitor (HMP) on a unix socket and prints each
reply, for looking into a test VM that stopped making progress (tests/run.sh does so on a
stall: "info registers -a", "dump-guest-memory FILE").

usage: qemu-monitor.py SOCKET COMMAND [COMMAND ...]
"""

import socket
import sys

PROMPT = b"(qemu) "


def read_prompt(sock):
    """Everything up to the next prompt, without it."""
    buf = b""
    while not buf.endswith(PROMPT):
        chunk = sock.recv(65536)
        if not chunk:
            raise OSError("QEMU monitor closed")
        buf += chunk
    return buf[: -len(PROMPT)]


def main():
    if len(sys.argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    # dump-guest-memory of a 1 GiB guest takes a while under load.
    sock.settimeout(600)
    try:
        sock.connect(sys.argv[1])
        read_prompt(sock)
        for cmd in sys.argv[2:]:
            sock.sendall(cmd.encode() + b"\n")
            reply = read_prompt(sock).decode(errors="replace").replace("\r", "")
            # The monitor echoes the command first.
            lines = reply.split("\n", 1)
            print(f"(qemu) {cmd}")
            print(lines[1] if len(lines) > 1 else "", end="")
    except OSError as e:
        print(f"qemu-monitor: {sys.argv[1]}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
