"""Profile Backline's servers under load with py-spy (requirements/dev.txt): where a turn's time goes.

    .venv/bin/python -m bench.profile [--seconds 30] [--caregivers 10] [--model bench/work/models/backline]

Starts the action server and the Rasa server (as bench/bench.py does), runs simulated caregivers with no
think time, and records both servers with `py-spy record` (speedscope JSON and a top-functions summary)
into bench/work/profile/. Loopback only, bounded by --seconds.
"""
from __future__ import annotations

import argparse
import collections
import json
import subprocess
import sys
import time
from pathlib import Path

from bench.caregivers import percentiles, run_load
from harness.servers import ROOT, ActionServer, RasaServer, warm_up_actions
from harness.stores import STORES

OUT = ROOT / "bench" / "work" / "profile"
PY_SPY = ROOT / ".venv" / "bin" / "py-spy"


def top(speedscope: Path, limit: int = 25) -> str:
    """Inclusive time per function from a py-spy speedscope file, as text."""
    data = json.loads(speedscope.read_text())
    frames = data["shared"]["frames"]
    inclusive = collections.Counter()
    total = 0
    for profile in data["profiles"]:
        for sample, weight in zip(profile["samples"], profile["weights"], strict=True):
            total += weight
            for index in set(sample):
                frame = frames[index]
                inclusive[f"{frame['name']} ({Path(frame.get('file') or '?').name}:{frame.get('line')})"] += weight
    lines = [f"{count / total * 100:5.1f}%  {name}" for name, count in inclusive.most_common(limit)]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--caregivers", type=int, default=10)
    parser.add_argument("--model", type=Path, default=ROOT / "bench" / "work" / "models" / "backline")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    actions = ActionServer(OUT)
    rasa = RasaServer(OUT, action_url=actions.webhook, model=args.model, endpoints_extra=STORES,
                      env={"BACKLINE_SQLITE_PATH": str(OUT / "profile.db")})
    spies = []
    try:
        actions.start()
        warm_up_actions(actions)
        rasa.start()
        run_load(f"{rasa.url}/webhooks/rest/webhook", 1, 5, (0, 0), "warm")
        for name, proc in (("rasa", rasa.proc), ("actions", actions.proc)):
            spies.append((name, subprocess.Popen(
                [str(PY_SPY), "record", "--pid", str(proc.pid), "--duration", str(int(args.seconds)), "--rate", "200",
                 "--format", "speedscope", "--output", str(OUT / f"{name}.speedscope.json"), "--nonblocking"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)))
        time.sleep(1)
        result = run_load(f"{rasa.url}/webhooks/rest/webhook", args.caregivers, args.seconds - 3, (0, 0),
                          f"p{time.time():.0f}")
        stats = percentiles([t.latency for t in result.turns])
        print(f"{len(result.turns)} turns, {result.throughput:.1f} turns/s, "
              f"p50 {stats['p50']:.0f} ms, p95 {stats['p95']:.0f} ms")
        for _name, spy in spies:
            spy.wait(timeout=args.seconds + 60)
    finally:
        for _, spy in spies:
            if spy.poll() is None:
                spy.kill()
        rasa.stop()
        actions.stop()
    for name, _ in spies:
        path = OUT / f"{name}.speedscope.json"
        if path.exists():
            summary = top(path)
            (OUT / f"{name}-top.txt").write_text(summary)
            print(f"--- {name}\n{summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
