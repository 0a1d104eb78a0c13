"""Store calls that cannot silence a turn, and failures the caregiver is told about.

Rasa runs the tracker store's and lock store's synchronous database and Redis calls on the server's
event loop and wraps the tracker store in a FailSafeTrackerStore that, when a save fails, keeps the
tracker in an unbounded in-memory store for the life of the process and lets the bot say "Done" to a
deletion that never happened. Backline's stores instead:

- run every database and Redis call in a worker thread, bounded by BACKLINE_STORE_TIMEOUT, so a hung
  PostgreSQL or Redis never blocks the other conversations and a red-flag message still gets its
  escalation within seconds (`bounded`);
- never raise from `save` (so the fail-safe never copies a tracker into memory): a failed save or
  deletion is recorded here (`record_failure`), and the channel that carried the message tells the
  caregiver, after the turn, that this part was not saved or that the conversation was NOT deleted
  (`channels.turn_guard`). Nothing of the message text is logged.
"""
from __future__ import annotations

import asyncio
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Dict, Optional, Text

logger = logging.getLogger(__name__)

SAVE_FAILED = "save"
DELETE_FAILED = "delete"  # the store said no: its rows are all still there (a rolled-back transaction)
DELETE_UNCERTAIN = "delete-uncertain"  # no answer in time: the deletion may still finish, or not
DELETE_PARTIAL = "delete-partial"  # the rows are gone, something outside the database (a file) is not
DELETIONS = (DELETE_FAILED, DELETE_UNCERTAIN, DELETE_PARTIAL)
# Failures not collected by a channel (a turn started by the HTTP API, say) must not pile up.
MAX_PENDING_FAILURES = 10_000

_failures: Dict[Text, Text] = {}
_failures_lock = threading.Lock()


class StoreUnavailable(Exception):
    """A store call failed or took too long; the message names the store, never conversation content."""

    timed_out = False  # True: the call may still be running, so its effect is unknown


class StoreTimeout(StoreUnavailable):
    timed_out = True


def record_failure(sender_id: Text, kind: Text) -> None:
    with _failures_lock:
        if len(_failures) >= MAX_PENDING_FAILURES:
            _failures.pop(next(iter(_failures)))
        # A failed deletion outranks a failed save in the same turn: it is the one the caregiver asked for.
        if _failures.get(sender_id) not in DELETIONS:
            _failures[sender_id] = kind


def take_failure(sender_id: Text) -> Optional[Text]:
    """The failure recorded for this conversation since the last call, if any (and forgets it)."""
    with _failures_lock:
        return _failures.pop(sender_id, None)


class StoreCalls:
    """Runs one store's blocking calls in its own worker threads, each bounded by `timeout` seconds.

    `workers=1` keeps the calls in order, as SQLite needs (one writer at a time); a call that hangs
    keeps its thread, so later calls time out too until the dependency answers again."""

    def __init__(self, name: Text, timeout: float, workers: int) -> None:
        self.name = name
        self.timeout = timeout
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"backline-{name}")

    async def run(self, call: Callable[[], Any]) -> Any:
        loop = asyncio.get_running_loop()
        try:
            return await asyncio.wait_for(loop.run_in_executor(self.executor, call), self.timeout)
        except asyncio.TimeoutError:
            raise StoreTimeout(f"the {self.name} did not answer within {self.timeout:g} s") from None
        except StoreUnavailable:
            raise
        except Exception as error:  # noqa: BLE001 - the driver's message may carry SQL parameters
            raise StoreUnavailable(f"the {self.name} failed ({type(error).__name__})") from None

    async def run_coroutine(self, make: Callable[[], Any]) -> Any:
        """Runs Rasa's `async def` store method, whose body only makes blocking calls, in a worker thread."""
        return await self.run(lambda: run_in_worker(make()))


_worker_loops = threading.local()


def run_in_worker(coroutine) -> Any:
    """Runs a coroutine whose body only makes blocking calls, in this worker thread, on the thread's own event loop.

    `asyncio.run` would make and close a new loop each time (about 0.1 ms, twice a turn on a new conversation)."""
    loop = getattr(_worker_loops, "loop", None)
    if loop is None or loop.is_closed():
        loop = _worker_loops.loop = asyncio.new_event_loop()
    return loop.run_until_complete(coroutine)
