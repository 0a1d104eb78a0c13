"""Delete conversations whose last message is older than N days.

    python -m ops.retention [--days N] [--dry-run]     (make purge DAYS=N)

N defaults to BACKLINE_RETENTION_DAYS (30 when unset; 0 keeps everything). A conversation is deleted
whole (every event of that sender id, all sessions) once its newest event is older than N days; an
active conversation is never cut in half. The database is the one the tracker store uses
(BACKLINE_DB_URL / BACKLINE_DB_* / BACKLINE_SQLITE_PATH). The tracker store also runs this at start-up
and then hourly, so a running server keeps to the setting without a cron job: one bounded step at a time
(at most CHUNK conversations, in the store's worker thread within BACKLINE_STORE_TIMEOUT), the next step
a minute later while more are due.

Pain diaries whose conversation has no event any more (an "orphan": the events were deleted or purged
but the diary was not, or the diary was written for a conversation whose events were never saved) are
deleted too, once their newest entry is ORPHAN_GRACE_SECONDS old, whatever the retention setting.
"""
from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime, timedelta, timezone
from typing import List, Optional, Tuple

import sqlalchemy as sa

from ops import diary_store, settings

DAY = 86400.0
CHUNK = 500
STEP_INTERVAL_SECONDS = 60  # between two steps of a purge that has more to do than one step takes
# A diary entry is written by the action server during a turn whose events the Rasa server saves a moment
# later: an hour is far beyond that, and short enough that an orphaned diary does not linger.
ORPHAN_GRACE_SECONDS = 3600


def _events_table(engine) -> Optional[sa.Table]:
    if not sa.inspect(engine).has_table("events"):
        return None
    return sa.Table("events", sa.MetaData(), autoload_with=engine)


def expired_senders(engine, days: int, now: Optional[float] = None, limit: Optional[int] = None) -> List[str]:
    table = _events_table(engine)
    if table is None or days <= 0:
        return []
    cutoff = (time.time() if now is None else now) - days * DAY
    query = (
        sa.select(table.c.sender_id)
        .group_by(table.c.sender_id)
        .having(sa.func.max(table.c.timestamp) < cutoff)
    )
    if limit is not None:
        query = query.limit(limit)
    with engine.connect() as conn:
        return [row[0] for row in conn.execute(query)]


def purge(engine, days: int, now: Optional[float] = None, limit: Optional[int] = None) -> Tuple[int, int]:
    """Deletes expired conversations (at most `limit`). Returns (conversations, events) deleted."""
    senders = expired_senders(engine, days, now, limit)
    if not senders:
        return 0, 0
    table = _events_table(engine)
    events = 0
    cutoff = (time.time() if now is None else now) - days * DAY
    with engine.begin() as conn:
        for start in range(0, len(senders), CHUNK):
            chunk = senders[start:start + CHUNK]
            # Re-checked in the DELETE: a conversation that got a message since the SELECT is kept.
            active = (
                sa.select(table.c.sender_id)
                .where(table.c.sender_id.in_(chunk), table.c.timestamp >= cutoff)
            )
            result = conn.execute(
                table.delete().where(table.c.sender_id.in_(chunk), table.c.sender_id.not_in(active))
            )
            events += result.rowcount or 0
    diary_store.purge_gone(engine, senders)  # a purged conversation's pain diary and files go too
    return len(senders), events


def purge_orphans(engine, now: Optional[datetime] = None, limit: int = CHUNK) -> int:
    """Deletes the pain diaries whose conversation is gone (see the module's docstring); how many rows."""
    cutoff = (now or datetime.now(timezone.utc)) - timedelta(seconds=ORPHAN_GRACE_SECONDS)
    return diary_store.purge_orphans(engine, cutoff.isoformat(), limit)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.retention", description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=None,
                        help="delete conversations inactive for more than this many days "
                             "(default: BACKLINE_RETENTION_DAYS, else 30; 0 deletes nothing)")
    parser.add_argument("--dry-run", action="store_true", help="only count what would be deleted")
    args = parser.parse_args(argv)
    try:
        days = settings.retention_days() if args.days is None else args.days
        if days < 0:
            raise settings.ConfigError("--days", "must be 0 or more.")
        db = settings.database()
        settings.check_database(db, timeout=5)
    except settings.ConfigError as error:
        print(f"retention: {error}", file=sys.stderr)
        return 2
    if days == 0:
        print("retention: 0 days means keep conversations; nothing deleted.")
        return 0
    engine = sa.create_engine(db.url)
    try:
        if args.dry_run:
            count = len(expired_senders(engine, days))
            print(f"retention: {count} conversation(s) in {db.safe_url} inactive for more than {days} days "
                  f"(dry run, nothing deleted).")
        else:
            conversations, events = purge(engine, days)
            orphans = 0
            while True:
                step = purge_orphans(engine)
                orphans += step
                if not step:
                    break
            print(f"retention: deleted {conversations} conversation(s) ({events} events) from {db.safe_url} "
                  f"inactive for more than {days} days, and {orphans} diary entries whose conversation was gone.")
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
