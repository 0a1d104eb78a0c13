"""CPU per turn of each process, and latency, in one quick side-by-side measurement (issue 13).

    .venv/bin/python -m bench.cpu_per_turn [--caregivers 50] [--seconds 15] [--off NAMES]

Starts the action server and the Rasa server (Backline's model in models/, a fresh SQLite store), warms up,
then runs the bench's scripted caregivers with no think time, once with 1 caregiver and once with
--caregivers, and prints turns/s, latency percentiles and the CPU each process used per turn (from
/proc/<pid>/stat; the load generator's from its own rusage). --off is passed as BACKLINE_SPEEDUPS_OFF, so two
runs, one after the other, price a speed-up. Loopback only; not a test. `make bench` is the full measurement.
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from bench.caregivers import percentiles, run_load
from harness.servers import ROOT, ActionServer, RasaServer, warm_up_actions
from harness.stores import STORES


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--caregivers", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--off", default="", help="BACKLINE_SPEEDUPS_OFF for the Rasa server")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="cpu-per-turn-"))
    actions = ActionServer(workdir)
    rasa = RasaServer(workdir, action_url=actions.webhook, model=ROOT / "models", endpoints_extra=STORES,
                      env={"BACKLINE_SQLITE_PATH": str(workdir / "store.db"), "BACKLINE_SPEEDUPS_OFF": args.off})
    try:
        actions.start()
        warm_up_actions(actions)
        rasa.start()
        url = f"{rasa.url}/webhooks/rest/webhook"
        run_load(url, 1, 5, (0, 0), "warm")
        for caregivers in (1, args.caregivers):
            before = cpu_seconds(rasa.proc.pid), cpu_seconds(actions.proc.pid), own_cpu_seconds()
            result = run_load(url, caregivers, args.seconds, (0, 0), f"cpu{time.time():.0f}")
            after = cpu_seconds(rasa.proc.pid), cpu_seconds(actions.proc.pid), own_cpu_seconds()
            turns = len(result.turns)
            stats = percentiles([turn.latency for turn in result.turns])
            rasa_ms, actions_ms, client_ms = ((b - a) / turns * 1000 for a, b in zip(before, after, strict=True))
            print(f"{caregivers} caregiver(s): {turns} turns, {result.throughput:.1f} turns/s, p50 {stats['p50']:.1f} "
                  f"p95 {stats['p95']:.1f} p99 {stats['p99']:.1f} max {stats['max']:.0f} ms; CPU per turn: Rasa "
                  f"server {rasa_ms:.2f} ms, action server {actions_ms:.2f} ms, load generator {client_ms:.2f} ms")
    finally:
        rasa.stop()
        actions.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
