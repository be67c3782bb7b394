"""Which process did something, and whether it has ended: source leases and temporary
files name their process so that what a killed one left behind can be cleared at once
instead of waited out. No other module of feeder's depends on /proc."""

from __future__ import annotations

import os
from pathlib import Path


def process_space() -> str:
    """This boot of this kernel and this PID namespace: two machines (or containers)
    with one host name share neither, so their pids are never confused."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()[:8]
        return f"{boot}.{os.stat('/proc/self/ns/pid').st_ino}"
    except OSError:
        return "unknown"


def pid_has_ended(pid: int) -> bool:
    """True when no process `pid` runs in this PID namespace. A reused pid only makes an
    ended process look alive, so callers err on the side of waiting."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, as another user
    return False
