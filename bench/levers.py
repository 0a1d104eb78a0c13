"""What each speed-up bought (issue 13): the same measurements with every speed-up off, with each one switched
off alone, and with all on, side by side in one run. Writes bench/levers.md (and bench/levers.json,
bench/levers-long.png).

    .venv/bin/python -m bench.levers             # 8 configurations, about 20 minutes on 2 cores
    .venv/bin/python -m bench.levers --quick     # a smoke run: short loads, results under bench/work/levers/
    .venv/bin/python -m bench.levers --profile   # also py-spy the Rasa server during each saturation run

A configuration is only an environment: BACKLINE_SPEEDUPS_OFF (ops/settings.py, SPEEDUPS) given to both
servers, so the run means the same before and after a speed-up lands (one not built yet changes nothing).
Per configuration, with a fresh SQLite tracker store: the bench's whole scripted conversations at 1 caregiver
(p50/p95, ratio to the trivial floor), one long conversation of knowledge questions (growth of p50 from turns
10-30 to 180-200), and saturation (50 caregivers, no think time: turns/s, errors). The machine is shared: the
load average is recorded per configuration. Loopback only; every load is bounded.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from bench import longconv
from bench.bench import WORK, fresh_db, load_level, log, sequential, train
from bench.report import ISSUE13, SATURATION_BASELINE, SATURATION_BASELINE_SOURCE, _strip, long_plot, ms
from harness.servers import ROOT, ActionServer, RasaServer, warm_up_actions
from harness.stores import STORES
from ops.settings import SPEEDUPS, process_environment

BENCH = ROOT / "bench"
OUT = WORK / "levers"
PY_SPY = ROOT / ".venv" / "bin" / "py-spy"
ALL_ON = "all on"
ALL_OFF = "all off"


def configurations() -> List[Tuple[str, str]]:
    """(label, BACKLINE_SPEEDUPS_OFF) for every configuration, in the order they run: the two ends first, so a
    run cut short still compares them."""
    return [(ALL_OFF, "all"), (ALL_ON, ""), *((f"{name} off", name) for name in SPEEDUPS)]


def model(name: str, config: Path, domain: Path, data: Path) -> Path:
    """The bench's trained model bench/work/models/NAME (from `make bench`), trained now if it is missing."""
    path = WORK / "models" / name
    if not any(path.glob("*.tar.gz")):
        (WORK / "logs").mkdir(parents=True, exist_ok=True)
        train(name, config, domain, [data])
    return path


def profile(pid: int, seconds: float, slug: str) -> Optional[subprocess.Popen]:
    if not PY_SPY.exists():
        return None
    return subprocess.Popen(
        [str(PY_SPY), "record", "--pid", str(pid), "--duration", str(max(1, int(seconds))), "--rate", "100",
         "--format", "speedscope", "--output", str(OUT / f"{slug}-rasa.speedscope.json"), "--nonblocking"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


# Frames every request passes through (the server's main loop, Sanic's HTTP handling): on top of any
# profile, they say nothing about where a turn's time goes.
SERVER_FRAMES = ("serve ", "serve_single ", "run ", "serve_application ", "main ", "<module> ", "connection_task ",
                 "http1 ", "handle_request ", "handler ", "_run_once ", "run_forever ", "run_until_complete ",
                 "_worker ", "_bootstrap_inner ", "_bootstrap ")


def top_functions(slug: str, limit: int = 15) -> Optional[str]:
    from bench.profile import top

    path = OUT / f"{slug}-rasa.speedscope.json"
    if not path.exists():
        return None
    lines = [line for line in top(path, 60).splitlines() if not line[8:].startswith(SERVER_FRAMES)]
    summary = "\n".join(lines[:limit])
    (OUT / f"{slug}-rasa-top.txt").write_text(summary)
    return summary


def landed(root: Path = ROOT) -> List[str]:
    """The speed-ups the code in this tree actually reads (`speedup("name")`); a lever nothing reads is only a
    name, and its row measures the noise."""
    text = "\n".join(path.read_text(errors="replace") for folder in ("ops", "components", "channels", "actions")
                     for path in (root / folder).rglob("*.py"))
    return [name for name in SPEEDUPS if f'speedup("{name}"' in text or f"speedup('{name}'" in text]


def measure(label: str, off: str, args, backline: Path, run_id: str) -> Dict[str, Any]:
    slug = label.replace(" ", "-")
    env = {"BACKLINE_SPEEDUPS_OFF": off}
    result: Dict[str, Any] = {"label": label, "off": off, "load_before": os.getloadavg()[0]}
    actions = ActionServer(OUT, env=env)
    rasa = RasaServer(OUT, action_url=actions.webhook, model=backline, endpoints_extra=STORES,
                      env={**fresh_db(f"levers-{slug}"), **env})
    try:
        actions.start()
        warm_up_actions(actions)
        rasa.start()
        result["sequential"] = sequential(rasa, args.repeats, f"{run_id}-{slug}")
        seq = result["sequential"]["latency"]
        log(f"{label}: scripts p50 {seq['p50']:.1f} ms, p95 {seq['p95']:.1f} ms, "
            f"errors {result['sequential']['errors']}")
        result["long"] = longconv.long_conversation(rasa, args.turns, "knowledge", f"levers-{run_id}-{slug}")
        log(longconv.summary(label, result["long"]))
        spy = profile(rasa.proc.pid, args.saturation, slug) if args.profile else None
        result["saturation"] = load_level(rasa, 50, args.saturation, (0.0, 0.0), f"{run_id}-{slug}-sat")
        if spy is not None:
            try:
                spy.wait(timeout=args.saturation + 60)
            except subprocess.TimeoutExpired:
                spy.kill()
            result["profile"] = top_functions(slug)
    finally:
        rasa.stop()
        actions.stop()
    result["load_after"] = os.getloadavg()[0]
    return result


def floor_p95(args, messages: Dict[str, List[str]], run_id: str) -> Dict[str, Any]:
    """The trivial floor on the same messages (bench/floor, Rasa's in-memory store), for the p95 ratio."""
    floor = model("floor", BENCH / "floor" / "config.yml", BENCH / "floor" / "domain.yml", BENCH / "floor" / "data")
    actions = ActionServer(OUT)
    server = RasaServer(OUT, action_url=actions.webhook, model=floor)
    try:
        server.start()
        return sequential(server, args.repeats, f"{run_id}-floor", check_outcome=False, replay=messages)
    finally:
        server.stop()


def errors(result: Dict[str, Any]) -> int:
    parts = (result["sequential"], result["long"], result["saturation"])
    return sum(part["errors"] + part["empty"] for part in parts)


def fmt(value: float, unit: str = "", digits: int = 1) -> str:
    return "–" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.{digits}f}{unit}"


def markdown(run: Dict[str, Any]) -> str:
    results: List[Dict[str, Any]] = run["configurations"]
    floor = run["floor"]["latency"]["p95"]
    by_label = {r["label"]: r for r in results}
    lines: List[str] = []
    add = lines.append
    add("# What each speed-up bought")
    add("")
    if run["quick"]:
        add("**QUICK smoke run** (`python -m bench.levers --quick`): short loads; not comparable to a full run.")
        add("")
    m = run["machine"]
    add(f"`python -m bench.levers`, {m['date']}, commit {m['commit']}, {m['cores']} cores, Rasa {m['rasa']}. "
        f"The run took {run['seconds'] / 60:.0f} min for {len(results)} of {len(configurations())} "
        f"configurations. Every configuration is the same Backline model and servers "
        "with a fresh SQLite tracker store; only `BACKLINE_SPEEDUPS_OFF` (ops/settings.py) differs. The machine is "
        "shared with other work: the load average (1 min) before each configuration is in the table, and "
        "differences of a few ms between rows are within the noise.")
    read = run.get("landed", [])
    add(f"Speed-ups the code of this tree reads: {', '.join(read) if read else 'none yet'}. A configuration that "
        "differs from another only in levers nothing reads runs the same code: their difference is the noise.")
    add("")
    add(f"Per configuration: the bench's scripted conversations at 1 caregiver ({run['repeats']} passes of 4 scripts "
        f"after a warm-up pass; the trivial floor on the same messages: p95 {ms(floor)} ms), one conversation of "
        f"{run['long_turns']} knowledge questions (growth = p50 of turns 180-200 / p50 of turns 10-30), and saturation "
        f"(50 caregivers, no think time, {run['saturation']:g} s). Issue 13's targets: "
        f"growth ≤ {ISSUE13['growth']:g}×, p95 ≤ {ISSUE13['p95_x_floor']:g}× the floor, saturation ≥ "
        f"{SATURATION_BASELINE * ISSUE13['saturation_factor']:.1f} turns/s ({ISSUE13['saturation_factor']:g}× "
        f"{SATURATION_BASELINE}, {SATURATION_BASELINE_SOURCE}), no errors.")
    add("")
    add("| configuration | load avg | scripts p50 ms | scripts p95 ms | p95 × floor | long p50 10-30 ms | "
        "long p50 180-200 ms | growth | long p95 last window ms | saturation turns/s | saturation p95 ms | errors |")
    add("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        seq, long, sat = r["sequential"]["latency"], r["long"], r["saturation"]
        last = long["windows"][-1]["p95"] if long["windows"] else float("nan")
        add(f"| {r['label']} | {r['load_before']:.2f} | {ms(seq['p50'])} | {ms(seq['p95'])} | "
            f"{seq['p95'] / floor:.2f}× | {ms(long['early_p50'])} | {ms(long['late_p50'])} | "
            f"{fmt(long['growth'], '×', 2)} | {ms(last)} | {sat['throughput']:.1f} | {ms(sat['latency']['p95'])} | "
            f"{errors(r)} |")
    add("")
    on = by_label.get(ALL_ON)
    if on:
        add("## What each lever bought")
        add("")
        add("Each lever's worth with all the others on: the configuration with only that lever off against all on "
            "(a lever whose code has not landed shows ~0, inside the noise).")
        add("")
        add("| lever | scripts p95 ms, off → on | growth, off → on | long p50 180-200 ms, off → on | "
            "saturation turns/s, off → on |")
        add("|---|---|---|---|---|")
        rows = [(name, by_label.get(f"{name} off")) for name in SPEEDUPS]
        rows.append(("all together (all off → all on)", by_label.get(ALL_OFF)))
        for name, off in rows:
            if not off:
                continue
            add(f"| {name} | {ms(off['sequential']['latency']['p95'])} → {ms(on['sequential']['latency']['p95'])} | "
                f"{fmt(off['long']['growth'], '×', 2)} → {fmt(on['long']['growth'], '×', 2)} | "
                f"{ms(off['long']['late_p50'])} → {ms(on['long']['late_p50'])} | "
                f"{off['saturation']['throughput']:.1f} → {on['saturation']['throughput']:.1f} |")
        add("")
    add("![p50 and p95 per 20-turn window along one conversation, per configuration](levers-long.png)")
    add("")
    profiles = [(r["label"], r["profile"]) for r in results if r.get("profile")]
    if profiles:
        add("## Where the Rasa server's time goes (py-spy, during saturation)")
        add("")
        add("Inclusive share of samples per function, top 15 below the server's own loop "
            "(`py-spy record --rate 100`); the speedscope files are in bench/work/levers/.")
        for label, summary in profiles:
            add("")
            add(f"{label}:")
            add("")
            add("```")
            add(summary)
            add("```")
        add("")
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run; results under bench/work/levers/")
    parser.add_argument("--turns", type=int, help="turns of the long conversation (default 500, quick 200)")
    parser.add_argument("--repeats", type=int, help="passes over the scripts (default 5, quick 1)")
    parser.add_argument("--saturation", type=float, help="seconds of saturation (default 30, quick 8)")
    parser.add_argument("--profile", action="store_true", help=f"py-spy the Rasa server ({PY_SPY.name} if installed)")
    parser.add_argument("--only", help="comma separated configuration labels, e.g. 'all off,all on'")
    args = parser.parse_args(argv)
    args.turns = args.turns or (200 if args.quick else 500)
    args.repeats = args.repeats or (1 if args.quick else 5)
    args.saturation = args.saturation or (8.0 if args.quick else 30.0)
    if args.profile and not PY_SPY.exists():
        log(f"no {PY_SPY}: running without profiles")
    os.environ.update(process_environment(ROOT))
    OUT.mkdir(parents=True, exist_ok=True)
    from bench.bench import machine

    started = time.monotonic()
    run_id = time.strftime("%H%M%S")
    backline = model("backline", ROOT / "config.yml", ROOT / "domain.yml", ROOT / "data")
    wanted = {label.strip() for label in args.only.split(",")} if args.only else None
    run: Dict[str, Any] = {"machine": machine(), "quick": args.quick, "long_turns": args.turns, "repeats": args.repeats,
                           "saturation": args.saturation, "configurations": [], "landed": landed()}
    out = OUT if args.quick else BENCH
    for label, off in configurations():
        if wanted is not None and label not in wanted:
            continue
        run["configurations"].append(measure(label, off, args, backline, run_id))
        if "floor" not in run:  # the floor on the first configuration's messages (the same in every one)
            run["floor"] = floor_p95(args, run["configurations"][0]["sequential"]["messages"], run_id)
        # Written after every configuration: a run cut short still leaves the rows it measured.
        run["seconds"] = time.monotonic() - started
        write(run, out)
    log(f"done in {run['seconds'] / 60:.1f} min: {out / 'levers.md'}")
    return 0


def write(run: Dict[str, Any], out: Path) -> None:
    run["machine"]["date"] = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    (out / "levers.md").write_text(markdown(run))
    (out / "levers.json").write_text(json.dumps(_strip(run), indent=1, default=str))
    results = run["configurations"]
    long_plot([(r["label"], r["long"], None, 2.0 if r["label"] in (ALL_ON, ALL_OFF) else 1.0) for r in results],
              out / "levers-long.png", "One conversation of knowledge questions, per speed-up configuration")


if __name__ == "__main__":
    sys.exit(main())
