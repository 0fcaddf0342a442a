#!/usr/bin/env python3
"""killon.py FILE STATE PID TIMEOUT-S: SIGKILL PID the moment the JSON
file FILE, replaced by rename (the agent's journal), says "state": STATE.

Woken by inotify (IN_MOVED_TO in FILE's directory), so that a state the
agent holds for a few milliseconds is caught; run it under chrt -f so
that it runs before the agent goes on.  Exit 0 once killed, 1 when
TIMEOUT-S passed first, 2 on a usage or system error."""
import ctypes
import json
import os
import select
import signal
import struct
import sys
import time

IN_MOVED_TO = 0x80
IN_CLOSE_WRITE = 0x08


def state_of(path):
    try:
        with open(path) as f:
            return json.load(f).get("state")
    except (OSError, ValueError):
        return None


def main():
    if len(sys.argv) != 5:
        print(__doc__.splitlines()[0], file=sys.stderr)
        return 2
    path, want, pid, timeout = sys.argv[1], sys.argv[2], \
        int(sys.argv[3]), float(sys.argv[4])
    libc = ctypes.CDLL(None, use_errno=True)
    fd = libc.inotify_init1(os.O_NONBLOCK)
    if fd < 0 or libc.inotify_add_watch(
            fd, os.path.dirname(path).encode() or b".",
            IN_MOVED_TO | IN_CLOSE_WRITE) < 0:
        print("killon: inotify: %s" % os.strerror(ctypes.get_errno()),
              file=sys.stderr)
        return 2
    name = os.path.basename(path).encode()
    deadline = time.monotonic() + timeout
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            print("killon: %s never said %s in %g s" % (path, want, timeout))
            return 1
        if not poller.poll(left * 1000):
            continue
        buf = os.read(fd, 65536)
        off, seen = 0, False
        while off < len(buf):
            _, _, _, n = struct.unpack_from("iIII", buf, off)
            seen |= buf[off + 16:off + 16 + n].rstrip(b"\0") == name
            off += 16 + n
        if seen and state_of(path) == want:
            os.kill(pid, signal.SIGKILL)
            print("killon: %d killed: %s said %s" % (pid, path, want))
            return 0


sys.exit(main())
