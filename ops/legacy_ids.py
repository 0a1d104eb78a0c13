"""Conversations stored under bare Slack and Telegram ids, from before the channels namespaced them (issue 23).

Why. The channels store `slack:<user id>` and `telegram:<chat id>` (channels/__init__.py), and REST refuses
those prefixes; but conversations saved before that change kept the platform's bare id ("987654321",
"U024BE7LH"), which a REST client could still name as its `sender` and so continue, summarise or delete.

What. Once per database (a row in `backline_migrations` remembers it), when the tracker store starts, every
conversation whose bare id carries user messages from Slack or Telegram (the `input_channel` Rasa stored in
each message) is moved, events and pain diary, to its namespaced id, where that caregiver's channel finds
it again. If the namespaced conversation already exists (the caregiver wrote again after the upgrade), the
old one is not merged into it: it moves to `<namespaced id>` + APART + a number, which no channel can name,
and retention deletes it in time. REST conversations, whatever their id looks like, are left alone.
"""
from __future__ import annotations

import logging
from typing import Dict, Optional

import sqlalchemy as sa

from ops import diary_store

logger = logging.getLogger(__name__)

NAME = "namespace bare slack and telegram ids (issue 23)"
CHANNELS = ("slack", "telegram")
APART = "#before-namespacing-"
_metadata = sa.MetaData()
migrations = sa.Table("backline_migrations", _metadata, sa.Column("name", sa.String(200), primary_key=True))


def bare_conversations(conn) -> Dict[str, str]:
    """{bare id: its channel} for conversations with Slack or Telegram messages stored under a bare id."""
    found: Dict[str, str] = {}
    for channel in CHANNELS:
        rows = conn.execute(sa.text(
            "SELECT DISTINCT sender_id FROM events WHERE type_name = 'user' AND data LIKE :stored "
            "AND sender_id NOT LIKE 'slack:%' AND sender_id NOT LIKE 'telegram:%' AND sender_id NOT LIKE 'web:%'"),
            {"stored": f'%"input_channel": "{channel}"%'})
        for (sender,) in rows:
            found.setdefault(sender, channel)
    return found


def _new_id(conn, bare: str, channel: str) -> str:
    target = f"{channel}:{bare}"
    taken = conn.execute(sa.text("SELECT 1 FROM events WHERE sender_id = :id LIMIT 1"), {"id": target}).first()
    if taken is None:
        return target
    number = 1
    while conn.execute(sa.text("SELECT 1 FROM events WHERE sender_id = :id LIMIT 1"),
                       {"id": f"{target}{APART}{number}"}).first() is not None:
        number += 1
    return f"{target}{APART}{number}"


def migrate(engine) -> Optional[int]:
    """Moves the bare-id conversations once per database; how many moved (None when done before)."""
    _metadata.create_all(engine, checkfirst=True)
    has_diary = sa.inspect(engine).has_table(diary_store.TABLE)
    with engine.begin() as conn:
        if conn.execute(sa.select(migrations.c.name).where(migrations.c.name == NAME)).first() is not None:
            return None
        moved = 0
        if sa.inspect(conn).has_table("events"):
            for bare, channel in bare_conversations(conn).items():
                target = _new_id(conn, bare, channel)
                conn.execute(sa.text("UPDATE events SET sender_id = :new WHERE sender_id = :old"),
                             {"new": target, "old": bare})
                if has_diary:
                    conn.execute(sa.text(f"UPDATE {diary_store.TABLE} SET conversation = :new "
                                         "WHERE conversation = :old"), {"new": target, "old": bare})
                moved += 1
        conn.execute(migrations.insert().values(name=NAME))
    if moved:
        logger.info(f"Moved {moved} conversation(s) stored under bare Slack or Telegram ids into their channel's "
                    "namespace (issue 23).")
    return moved


def migrate_safely(engine) -> None:
    """`migrate`, for the tracker store's start-up: two servers starting at once both try; one wins."""
    try:
        migrate(engine)
    except sa.exc.IntegrityError:
        pass  # the other server recorded it in the same moment
    except sa.exc.SQLAlchemyError as error:
        logger.warning(f"Conversations under bare Slack or Telegram ids could not be moved ({type(error).__name__}); "
                       "the next start tries again.")
