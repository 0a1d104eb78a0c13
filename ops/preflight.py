"""Start-up checks, run by scripts/run.sh (and the container entrypoint) before Rasa starts.

    python -m ops.preflight [--endpoints endpoints.yml] [--quiet]
    python -m ops.preflight --rasa-args --interface 127.0.0.1   # the checks, then the `rasa run` flags

Exits 0 with a one-line summary when the settings work, or 1 with one clear line per problem, naming
the setting (never only a stack trace): unreachable database, wrong password, missing database, Redis
not reachable, BACKLINE_ENABLE_API without a token, a placeholder or short secret, several Sanic workers with
in-memory locks, the store classes not importable.

With --rasa-args the summary goes to stderr and stdout carries the interface, API and CORS flags for
`rasa run`, NUL-separated (`mapfile -d ''` in bash), so the shell scripts never parse a setting again.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import List, Optional

from ops import settings

STORE = "ops.stores.BacklineTrackerStore"
LOCKS = "ops.stores.BacklineLockStore"


def check(endpoints: Optional[Path] = None) -> tuple[List[str], List[str], List[str]]:
    """Returns (problems, warnings, summary lines)."""
    problems: List[str] = []
    warnings: List[str] = []
    summary: List[str] = []

    try:
        api = settings.api()
        if api.enabled:
            how = "auth token" if api.token else "JWT secret"
            summary.append(f"HTTP API on, requires the {how}")
        else:
            summary.append("HTTP API off (set BACKLINE_API_TOKEN to turn it on)")
    except settings.ConfigError as error:
        problems.append(str(error))

    db = None
    try:
        db = settings.database()
        settings.check_database(db)
        summary.append(f"conversations in {db.kind} ({db.safe_url})")
    except settings.ConfigError as error:
        problems.append(str(error))

    try:
        url = settings.redis_url()
        if url:
            settings.check_redis(url)
            summary.append(f"locks in Redis ({settings.mask_redis(url)})")
            if db is not None and db.kind == "sqlite":
                warnings.append("BACKLINE_REDIS_URL is set but conversations are in a local SQLite file: several "
                                "servers need a shared database (BACKLINE_DB_URL).")
        else:
            summary.append("locks in memory (one Rasa server)")
    except settings.ConfigError as error:
        problems.append(str(error))

    try:
        if settings.sanic_workers() > 1 and not settings.redis_url():
            problems.append("SANIC_WORKERS: several Sanic workers need BACKLINE_REDIS_URL; in-memory locks "
                            "cannot keep one conversation's messages in order across workers.")
    except settings.ConfigError as error:
        problems.append(str(error))

    for read in (settings.cors, settings.web_origins, settings.rate_limit, settings.rate_limit_loopback,
                 settings.action_timeout, settings.store_timeout, settings.web_secret, settings.public_url,
                 settings.link_seconds, settings.action_secret, settings.web_session_seconds,
                 settings.trusted_proxies, settings.max_message_chars):
        try:
            read()
        except settings.ConfigError as error:
            problems.append(str(error))

    try:
        days = settings.retention_days()
        summary.append(f"retention {days} days" if days else "retention off (kept forever)")
    except settings.ConfigError as error:
        problems.append(str(error))

    try:
        settings.connect_timeout()
    except settings.ConfigError as error:
        problems.append(str(error))

    # Rasa replaces a custom store it cannot import by an in-memory one with only a warning.
    try:
        import ops.stores  # noqa: F401
    except Exception as error:  # noqa: BLE001
        problems.append(f"ops.stores cannot be imported ({error}); Rasa would keep conversations only in memory.")

    if endpoints is not None and endpoints.exists():
        import yaml

        config = yaml.safe_load(endpoints.read_text()) or {}
        store = (config.get("tracker_store") or {}).get("type")
        locks = (config.get("lock_store") or {}).get("type")
        if store != STORE:
            warnings.append(f"{endpoints}: tracker_store is {store!r}, not {STORE}; "
                            "the BACKLINE_DB_* settings do not apply.")
        if locks != LOCKS:
            warnings.append(f"{endpoints}: lock_store is {locks!r}, not {LOCKS}; BACKLINE_REDIS_URL does not apply.")
    return problems, warnings, summary


def check_action_server() -> List[str]:
    """What the action server itself uses (`--action-server`): the diary's database, the keys, the links.
    Not Redis, which it never uses (and which Kubernetes' NetworkPolicy keeps from it)."""
    problems = []
    for read in (settings.action_secret, settings.web_secret, settings.public_url, settings.link_seconds,
                 settings.store_timeout):
        try:
            read()
        except settings.ConfigError as error:
            problems.append(str(error))
    try:
        settings.check_database(settings.database())
    except settings.ConfigError as error:
        problems.append(str(error))
    return problems


def probe() -> int:
    """Exit 0 when the tracker database and (if set) Redis answer within a few seconds; for Kubernetes."""
    try:
        settings.check_database(settings.database(), timeout=0)
        url = settings.redis_url()
        if url:
            settings.check_redis(url, timeout=settings.store_timeout())
    except settings.ConfigError as error:
        print(f"probe: {error}", file=sys.stderr)
        return 1
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.preflight", description="Backline start-up checks.")
    parser.add_argument("--endpoints", type=Path, default=settings.ROOT / "endpoints.yml")
    parser.add_argument("--quiet", action="store_true", help="print only problems and warnings")
    parser.add_argument("--rasa-args", action="store_true",
                        help="print the `rasa run` flags (interface, API, CORS), NUL-separated, on stdout")
    parser.add_argument("--interface", default="127.0.0.1", help="with --rasa-args: where Rasa listens")
    parser.add_argument("--container", action="store_true",
                        help="also require the secrets every server of a deployment must share (not kept in var/)")
    parser.add_argument("--action-server", action="store_true",
                        help="only the checks for the action server (database, keys, links; no Redis)")
    parser.add_argument("--probe", action="store_true",
                        help="readiness probe: only check that the database and Redis answer (a few seconds)")
    args = parser.parse_args(argv)
    if args.probe:
        return probe()
    if args.action_server:
        problems, warnings, summary = check_action_server(), [], ["the action server's settings work"]
    else:
        problems, warnings, summary = check(args.endpoints)
    if args.container:
        problems += [str(problem) for problem in settings.container_problems()]
    flags: List[str] = []
    if args.rasa_args and not problems:
        try:
            flags = settings.rasa_args(args.interface)
        except settings.ConfigError as error:
            problems.append(str(error))
    for warning in warnings:
        print(f"preflight: warning: {warning}", file=sys.stderr)
    if problems:
        for problem in problems:
            print(f"preflight: ERROR: {problem}", file=sys.stderr)
        print("preflight: Backline was not started; fix the setting(s) above (docs/operations.md).", file=sys.stderr)
        return 1
    if args.rasa_args:
        sys.stdout.write("".join(flag + "\0" for flag in flags))
        if not args.quiet:
            print("preflight: OK: " + "; ".join(summary), file=sys.stderr)
    elif not args.quiet:
        print("preflight: OK: " + "; ".join(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
