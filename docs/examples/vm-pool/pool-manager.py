"""Stand-in for a VM pool's manager daemon: the long-running process whose memory the load test
watches (`watch = { pid_file = "pool.pid" }`). It holds a steady working set; with POOL_LEAK=1 it
keeps 256 KiB more every 50 ms (5 MiB/s), the leak the gate must catch."""

import os
import signal
import sys
import time

signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
working_set = bytearray(32 * 1024 * 1024)  # touched, so it is resident
for i in range(0, len(working_set), 4096):
    working_set[i] = 1
leak = os.environ.get("POOL_LEAK") == "1"
held = []
while True:
    if leak:
        chunk = bytearray(256 * 1024)
        for i in range(0, len(chunk), 4096):
            chunk[i] = 1
        held.append(chunk)
    time.sleep(0.05)
