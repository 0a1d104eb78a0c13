"""`make bench`: Backline's latency, throughput, training, start-up and memory on this machine, against
a floor (the same Rasa server and REST channel with a trivial model), an action floor (the same server
answering every message through one stock custom action, with Rasa's SQLite tracker store) and a peer (the
stock `rasa init` pipeline and policies trained on Backline's own data). One long conversation per server
(bench/longconv.py) shows whether a turn's cost grows with the conversation; issue 13's done-when checks are
printed as PASS/MISS. Writes bench/results.md, bench/results.json and three plots; the previous run is moved
to bench/previous/ and compared with.

    .venv/bin/python -m bench.bench            # the full run (about 25 minutes on 2 cores)
    .venv/bin/python -m bench.bench --quick    # a smoke run (a few minutes, no accuracy tests): bench/work/quick/

It is a benchmark, not a test: it prints targets met or missed and exits 0 unless something broke
(a server that would not start, a training that failed). Loopback only; every load is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import aiohttp

from bench import longconv
from bench.caregivers import SCRIPTS, LoadResult, Script, Turn, converse, percentiles, question_topics, run_load
from harness.servers import RASA, ROOT, ActionServer, RasaServer, peak_memory_kb, server_env, warm_up_actions
from harness.stores import STORES
from ops.settings import process_environment

BENCH = ROOT / "bench"
WORK = BENCH / "work"
# Seconds a simulated caregiver waits before each message. CAREGIVER_PACE is still faster than anyone reads
# several replies and types an answer on a phone; FAST and no wait at all (saturation) show the headroom.
THINK = (2.0, 8.0)
FAST = (0.5, 1.5)
TARGETS = {"ratio_to_floor": 1.5, "p95_at_50_ms": 1000.0, "training_s": 300.0, "startup_s": 60.0}


class Settings:
    def __init__(self, quick: bool) -> None:
        self.quick = quick
        self.sequential_repeats = 2 if quick else 25  # x4 scripts: whole conversations at 1 caregiver
        self.levels = (1, 10, 50)
        self.duration = 8.0 if quick else 60.0  # seconds per concurrency level
        self.saturation_duration = 5.0 if quick else 30.0  # 50 caregivers, no think time
        self.peer_epochs = 2 if quick else None  # None: the template's own (100)
        # One conversation per server; 200 turns is the least that reaches issue 13's turns 180-200.
        self.long_turns = 200 if quick else 500
        self.long_repeats = 1 if quick else 3  # conversations per long series, pooled (bench/longconv.py)
        self.out = WORK / "quick" if quick else BENCH


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# ------------------------------------------------------------------ training


def peer_config(settings: Settings) -> Path:
    """Rasa's own default pipeline and policies, the ones `rasa init` trains with (its template's
    config.yml leaves them commented out, and Rasa fills them in from this file)."""
    import rasa

    source = Path(rasa.__file__).parent / "engine" / "recipes" / "config_files" / "default_config.yml"
    text = source.read_text().replace("assistant_id: placeholder_default", "assistant_id: backline_bench_peer")
    if settings.peer_epochs:
        text = text.replace("epochs: 100", f"epochs: {settings.peer_epochs}")
    path = WORK / "peer-config.yml"
    path.write_text(f"# Copied from {source.relative_to(source.parents[4])} by bench/bench.py\n" + text)
    return path


def train(name: str, config: Path, domain: Path, data: List[Path], timeout: float = 1800) -> Dict[str, Any]:
    """A full training (empty cache) into bench/work/models/NAME, timed, with its peak memory."""
    out = WORK / "models" / name
    cache = WORK / f"cache-{name}"
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(cache, ignore_errors=True)
    cmd = [
        str(RASA),
        "train",
        "--force",
        "--fixed-model-name",
        name,
        "--out",
        str(out),
        "--config",
        str(config),
        "--domain",
        str(domain),
        "--data",
        *map(str, data),
    ]
    log_path = WORK / "logs" / f"train-{name}.log"
    peak = 0
    started = time.monotonic()
    with open(log_path, "wb") as sink:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=server_env({"RASA_CACHE_DIRECTORY": str(cache)}), stdout=sink, stderr=subprocess.STDOUT
        )
        try:
            while proc.poll() is None:
                peak = max(peak, peak_memory_kb(proc.pid))
                if time.monotonic() - started > timeout:
                    raise RuntimeError(f"training {name} took more than {timeout} s")
                time.sleep(0.2)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    seconds = time.monotonic() - started
    shutil.rmtree(cache, ignore_errors=True)
    if proc.returncode != 0:
        raise RuntimeError(f"training {name} failed; see {log_path}")
    log(f"trained {name} in {seconds:.1f} s, peak {peak / 1024:.0f} MB")
    return {"model": out, "seconds": seconds, "peak_mb": peak / 1024}


# ------------------------------------------------------------------ conversations


async def _sequential(
    url: str, scripts: Tuple[Script, ...], repeats: int, run_id: str, replay: Optional[Dict[str, List[str]]] = None
) -> List[List[Turn]]:
    conversations: List[List[Turn]] = []
    questions = question_topics()
    async with aiohttp.ClientSession() as session:
        for repeat in range(repeats):
            for index, script in enumerate(scripts):
                conversations.append(
                    await converse(
                        session,
                        url,
                        f"seq-{run_id}-{repeat}-{index}",
                        script,
                        questions,
                        replay=(replay or {}).get(script.name),
                    )
                )
    return conversations


def sequential(
    server: RasaServer,
    repeats: int,
    run_id: str,
    check_outcome: bool = True,
    replay: Optional[Dict[str, List[str]]] = None,
) -> Dict[str, Any]:
    """Whole conversations one after another (1 caregiver, no think time); then each conversation's
    final triage read from the tracker (not timed)."""
    url = f"{server.url}/webhooks/rest/webhook"
    asyncio.run(_sequential(url, SCRIPTS, 1, f"{run_id}-warm", replay))  # first-call effects are not measured
    conversations = asyncio.run(_sequential(url, SCRIPTS, repeats, run_id, replay))
    turns = [t for c in conversations for t in c]
    reached = 0
    outcomes: Dict[str, List[str]] = {}
    if check_outcome:
        for conversation in conversations:
            script = next(s for s in SCRIPTS if s.name == conversation[0].script)
            slots = server.tracker(conversation[0].sender)["slots"]
            reached += slots.get("triage") == script.expected_triage
            outcomes.setdefault(script.name, []).append(f"{slots.get('triage')}/{slots.get('pain_type')}")
    by_kind: Dict[str, List[float]] = {}
    for turn in turns:
        by_kind.setdefault(turn.kind, []).append(turn.latency)
    return {
        "turns": turns,
        "latency": percentiles([t.latency for t in turns]),
        "by_kind": {k: percentiles(v) for k, v in by_kind.items()},
        "errors": sum(not t.ok for t in turns),
        "empty": sum(t.ok and not t.replies for t in turns),
        "conversations": len(conversations),
        "expected_outcome": reached,
        "outcomes": outcomes,
        "messages": {c[0].script: [t.text for t in c] for c in conversations if c},
    }


def load_level(server: RasaServer, caregivers: int, duration: float, think, run_id: str) -> Dict[str, Any]:
    result: LoadResult = run_load(f"{server.url}/webhooks/rest/webhook", caregivers, duration, think, run_id)
    stats = percentiles([t.latency for t in result.turns])
    log(
        f"{caregivers:>3} caregivers, think {think}: {len(result.turns)} turns, {result.throughput:.1f} turns/s, "
        f"p50 {stats['p50']:.0f} ms, p95 {stats['p95']:.0f} ms, errors {result.errors}, empty {result.empty}"
    )
    return {
        "caregivers": caregivers,
        "think": list(think),
        "turns": len(result.turns),
        "elapsed": result.elapsed,
        "throughput": result.throughput,
        "latency": stats,
        "errors": result.errors,
        "empty": result.empty,
        "conversations": result.conversations,
        "latencies": [t.latency for t in result.turns],
    }


# ------------------------------------------------------------------ accuracy


def rasa_test(name: str, model: Path) -> Dict[str, Any]:
    """Held-out NLU (tests/nlu/heldout.yml) and conversation tests (tests/stories/) for one model."""
    out = WORK / "results" / name
    shutil.rmtree(out, ignore_errors=True)
    model_file = next(model.glob("*.tar.gz"))
    result: Dict[str, Any] = {}
    suites = (("nlu", ["nlu", "--nlu", "tests/nlu/heldout.yml"]), ("stories", ["core", "--stories", "tests/stories"]))
    for kind, args in suites:
        with open(WORK / "logs" / f"test-{kind}-{name}.log", "wb") as sink:
            subprocess.run(
                [str(RASA), "test", *args, "--model", str(model_file), "--out", str(out / kind)],
                cwd=ROOT,
                env=server_env(),
                stdout=sink,
                stderr=subprocess.STDOUT,
                timeout=1200,
                check=False,
            )
    try:
        report = json.loads((out / "nlu" / "intent_report.json").read_text())
        result["intent_accuracy"] = report["accuracy"]
        result["intent_f1"] = report["weighted avg"]["f1-score"]
    except (OSError, KeyError, ValueError):
        log(f"no NLU report for {name}")
    try:
        stories = json.loads((out / "stories" / "story_report.json").read_text())["conversation_accuracy"]
        result["stories_correct"], result["stories_total"] = stories["correct"], stories["total"]
    except (OSError, KeyError, ValueError):
        log(f"no story report for {name}")
    return result


# ------------------------------------------------------------------ servers


def start_timed(server) -> float:
    started = time.monotonic()
    server.start()
    return time.monotonic() - started


def fresh_db(name: str) -> Dict[str, str]:
    path = WORK / f"{name}.db"
    path.unlink(missing_ok=True)
    return {"BACKLINE_SQLITE_PATH": str(path), "BACKLINE_RETENTION_DAYS": "0"}


def stock_sqlite_store(name: str) -> str:
    """Rasa's own SQL tracker store on a fresh SQLite file, as endpoints YAML (the action floor's store)."""
    path = WORK / f"{name}.db"
    path.unlink(missing_ok=True)
    return f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {path}\n"


def long_series(server: RasaServer, settings: Settings, name: str, run_id: str, series=longconv.SERIES) -> Dict:
    """The long conversation(s) against one server, each under a sender of its own."""
    out = {}
    for kind in series:
        # (Backline's growth is the target; the other servers are talked once, for comparison: Rasa's in-memory store
        # grows to a second a turn by turn 500, so three of them would add about six minutes)
        out[kind] = longconv.long_conversation(server, settings.long_turns, kind, f"long-{run_id}-{name}-{kind}",
                                               repeats=settings.long_repeats if name == "backline" else 1)
        log(longconv.summary(name, out[kind]))
    return out


def machine() -> Dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kb = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal:")
    )
    import rasa

    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10
        ).stdout.strip()
        dirty = bool(
            subprocess.run(
                ["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True, timeout=30
            ).stdout.strip()
        )
    except (OSError, subprocess.SubprocessError):
        commit, dirty = "unknown", False
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "rasa": rasa.__version__,
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit + (" (uncommitted changes)" if dirty else ""),
        "load_before": os.getloadavg()[0],
    }


# ------------------------------------------------------------------ the run


def run(settings: Settings) -> Dict[str, Any]:
    for sub in ("logs", "models", "results"):
        (WORK / sub).mkdir(parents=True, exist_ok=True)
    results: Dict[str, Any] = {"machine": machine(), "quick": settings.quick, "think": list(THINK), "fast": list(FAST)}
    run_id = time.strftime("%H%M%S")

    log("training (full, empty cache): Backline, floor, action floor, peer")
    main = train("backline", ROOT / "config.yml", ROOT / "domain.yml", [ROOT / "data"])
    floor = floor_model("floor")
    action_floor = floor_model("action_floor")
    peer = train("peer", peer_config(settings), ROOT / "domain.yml", [ROOT / "data"])
    results["training"] = {
        k: {"seconds": v["seconds"], "peak_mb": v["peak_mb"]}
        for k, v in (("backline", main), ("floor", floor), ("action_floor", action_floor), ("peer", peer))
    }

    logs = WORK / "logs"
    actions = ActionServer(logs)
    servers: List[Any] = [actions]
    try:
        results["actions"] = {"startup_s": start_timed(actions), "first_call_s": warm_up_actions(actions)}
        log(
            f"action server ready in {results['actions']['startup_s']:.1f} s, "
            f"first call {results['actions']['first_call_s']:.1f} s"
        )

        # Backline
        backline = RasaServer(
            logs, action_url=actions.webhook, model=main["model"], endpoints_extra=STORES, env=fresh_db("backline")
        )
        servers.append(backline)
        results["backline"] = {"startup_s": start_timed(backline)}
        log(f"Backline ready in {results['backline']['startup_s']:.1f} s; whole conversations, 1 caregiver")
        results["backline"]["sequential"] = sequential(backline, settings.sequential_repeats, run_id)
        log_latency("Backline", results["backline"]["sequential"])
        results["backline"]["long"] = long_series(backline, settings, "backline", run_id)
        results["backline"]["levels"] = [
            load_level(backline, n, settings.duration, THINK, f"{run_id}-{n}") for n in settings.levels
        ]
        results["backline"]["fast"] = load_level(backline, 50, settings.saturation_duration, FAST, f"{run_id}-fast")
        results["backline"]["saturation"] = load_level(
            backline, 50, settings.saturation_duration, (0.0, 0.0), f"{run_id}-sat"
        )
        results["backline"]["peak_mb"] = peak_memory_kb(backline.proc.pid) / 1024
        backline.stop()

        # Diagnostic: Backline without its SQLite tracker store (Rasa's in-memory one, as the floor has), to
        # show how much of a turn is persistence.
        in_memory = RasaServer(logs, action_url=actions.webhook, model=main["model"])
        servers.append(in_memory)
        start_timed(in_memory)
        results["backline_in_memory"] = {"sequential": sequential(in_memory, settings.sequential_repeats, run_id)}
        log_latency("Backline, in-memory store", results["backline_in_memory"]["sequential"])
        in_memory.stop()

        # Floor: same server and channel, trivial model, Rasa's default (in-memory) tracker store.
        floor_server = RasaServer(logs, action_url=actions.webhook, model=floor["model"])
        servers.append(floor_server)
        results["floor"] = reference(floor_server, "floor", settings, run_id, results["backline"])
        floor_server.stop()

        # Action floor: the same server, every message through one stock custom action on its own action
        # server, Rasa's SQL tracker store on SQLite: what stock Rasa pays for an action call and a stored tracker.
        floor_actions = ActionServer(logs, module="bench.action_floor.actions")
        servers.append(floor_actions)
        start_timed(floor_actions)
        action_floor_server = RasaServer(
            logs, action_url=floor_actions.webhook, model=action_floor["model"],
            endpoints_extra=stock_sqlite_store("action_floor"),
        )
        servers.append(action_floor_server)
        results["action_floor"] = reference(action_floor_server, "action_floor", settings, run_id, results["backline"])
        action_floor_server.stop()
        floor_actions.stop()

        # Peer: rasa init's pipeline and policies on Backline's data, same action server and store.
        peer_server = RasaServer(
            logs, action_url=actions.webhook, model=peer["model"], endpoints_extra=STORES, env=fresh_db("peer")
        )
        servers.append(peer_server)
        results["peer"] = {"startup_s": start_timed(peer_server)}
        results["peer"]["sequential"] = sequential(peer_server, settings.sequential_repeats, run_id)
        log_latency("peer", results["peer"]["sequential"])
        if not settings.quick:  # the slowest long conversation; the smoke run does without it
            results["peer"]["long"] = long_series(peer_server, settings, "peer", run_id, ("knowledge",))
        results["peer"]["levels"] = [load_level(peer_server, 50, settings.duration, THINK, f"{run_id}-p50")]
        results["peer"]["peak_mb"] = peak_memory_kb(peer_server.proc.pid) / 1024
        peer_server.stop()

        results["actions"]["peak_mb"] = peak_memory_kb(actions.proc.pid) / 1024
    finally:
        for server in servers:
            server.stop()

    if settings.quick:  # minutes of `rasa test` on 2 cores; the full run and `make test` measure accuracy
        results["accuracy"] = {"backline": {}, "peer": {}}
    else:
        log("accuracy: held-out NLU and conversation tests, Backline and peer")
        results["accuracy"] = {
            "backline": rasa_test("backline", main["model"]), "peer": rasa_test("peer", peer["model"])
        }
    results["machine"]["load_after"] = os.getloadavg()[0]
    return results


def reference(server: RasaServer, name: str, settings: Settings, run_id: str, backline: Dict[str, Any]) -> Dict:
    """A floor (no form, it asks nothing): started, given the messages Backline's conversations had, one long
    conversation, 50 caregivers with think time and with none (saturation), its peak memory."""
    result: Dict[str, Any] = {"startup_s": start_timed(server)}
    replay = backline["sequential"]["messages"]
    result["sequential"] = sequential(server, settings.sequential_repeats, run_id, check_outcome=False, replay=replay)
    log_latency(name, result["sequential"])
    result["long"] = long_series(server, settings, name, run_id, ("knowledge",))
    result["levels"] = [load_level(server, 50, settings.duration, THINK, f"{run_id}-{name}-50")]
    result["saturation"] = load_level(server, 50, settings.saturation_duration, (0.0, 0.0), f"{run_id}-{name}-sat")
    result["peak_mb"] = peak_memory_kb(server.proc.pid) / 1024
    return result


def floor_model(name: str) -> Dict[str, Any]:
    """Train one of the bench's own reference assistants (bench/<name>/: config, domain, data)."""
    folder = BENCH / name
    return train(name, folder / "config.yml", folder / "domain.yml", [folder / "data"])


def log_latency(name: str, sequential_result: Dict[str, Any]) -> None:
    stats = sequential_result["latency"]
    log(
        f"{name}: {stats['n']} turns, p50 {stats['p50']:.1f} ms, p95 {stats['p95']:.1f} ms, "
        f"errors {sequential_result['errors']}, empty {sequential_result['empty']}"
    )


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run; results under bench/work/quick/")
    args = parser.parse_args(argv)
    settings = Settings(args.quick)
    os.environ.update(process_environment(ROOT))
    started = time.monotonic()
    results = run(settings)
    results["bench_seconds"] = time.monotonic() - started
    from bench import report

    report.write(results, settings.out, previous_dir=None if settings.quick else BENCH / "previous")
    log(f"done in {results['bench_seconds'] / 60:.1f} min: {settings.out / 'results.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
