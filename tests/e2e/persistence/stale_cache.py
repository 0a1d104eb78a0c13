"""A test double: Backline's tracker store with a cache that trusts itself instead of checking the database
(ops/tracker_cache.py without its freshness check). The scale-out test runs it to show what the check
prevents when several servers answer one conversation; nothing else may use it."""
from __future__ import annotations

from harness.stores import STORES
from ops.stores import BacklineTrackerStore
from ops.tracker_cache import TrackerCache, twin

STALE_STORES = STORES.replace("ops.stores.BacklineTrackerStore", f"{__name__}.StaleCacheTrackerStore")
assert STALE_STORES != STORES, STORES


class TrustingCache(TrackerCache):
    def _fresh(self, conn, sender_id, now):
        with self._lock:
            entry = self._entries.get(sender_id)
        return twin(entry[0]) if entry else None  # whatever the database holds now


class StaleCacheTrackerStore(BacklineTrackerStore):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.cache = TrustingCache(self.engine, self.table)
