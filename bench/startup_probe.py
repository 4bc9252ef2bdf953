#!/usr/bin/python3
"""startup_probe.py CABIND CONFIG RUNS

Starts `CABIND --config CONFIG` RUNS times with NOTIFY_SOCKET pointing at a socket this
script owns (as systemd does) and reports, per run, the time from just before exec to the
READY=1 datagram and the daemon's VmRSS (/proc/PID/status) right after READY; then stops it
with SIGTERM. Prints one JSON line with the runs and their medians. The bus must exist
(READY waits for it): run inside tools/vcan-vm."""
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

cabind, config, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
ready_ms, rss_kib = [], []
with tempfile.TemporaryDirectory() as work:
    path = os.path.join(work, "notify.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(path)
    listener.settimeout(20)
    for _ in range(runs):
        env = dict(os.environ, NOTIFY_SOCKET=path, SPDLOG_LEVEL="warn")
        start = time.monotonic()
        daemon = subprocess.Popen([cabind, "--config", config, "--control-socket",
                                   os.path.join(work, "control.sock")], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while b"READY=1" not in listener.recv(4096):
                pass
            ready_ms.append((time.monotonic() - start) * 1000)
            with open(f"/proc/{daemon.pid}/status") as status:
                rss_kib.append(next(int(l.split()[1]) for l in status if l.startswith("VmRSS:")))
        finally:
            daemon.send_signal(signal.SIGTERM)
            daemon.wait(timeout=10)
print(json.dumps({
    "config": config, "runs": runs,
    "ready_ms_median": round(statistics.median(ready_ms), 2),
    "ready_ms_min": round(min(ready_ms), 2), "ready_ms_max": round(max(ready_ms), 2),
    "rss_kib_median": statistics.median(rss_kib), "rss_kib_max": max(rss_kib),
    "ready_ms": [round(x, 2) for x in ready_ms]}))
