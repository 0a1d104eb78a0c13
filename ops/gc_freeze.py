"""The Rasa server's loaded model kept out of Python's garbage collector (speed-up "gc_freeze", issue 13).

Why. A loaded Backline model is about 495,000 objects that CPython's garbage collector tracks (TensorFlow, the
NLU pipeline, spaCy's patterns, the knowledge base), and none of them ever becomes garbage. A full (generation 2)
collection walks every one: 244 ms on this machine (measured after loading the model in one process), and it
comes round whenever enough new objects have survived, which the turns' own objects and the tracker cache make
regular under load. The caregiver whose message happens to trigger it waits a quarter of a second more, and the
server answers nobody meanwhile.

`gc.freeze()` moves everything alive at that moment into a permanent generation the collector skips: CPython's
documentation recommends it for exactly this case, a server that loads once and then serves. It is done once,
just before the first message is handled (every channel's messages pass through channels.guarded), when the
model, the stores and the channels are all loaded. What later turns create is collected as before.
"""
from __future__ import annotations

import gc
import logging

from ops.settings import speedup

logger = logging.getLogger(__name__)
_frozen = False


def freeze_once() -> None:
    """Freezes what is alive now, the first time it is called in this process (when the speed-up is on)."""
    global _frozen
    if _frozen or not speedup("gc_freeze"):
        return
    _frozen = True
    gc.collect()  # what start-up left as garbage is freed, not frozen
    gc.freeze()
    logger.info(f"Kept {gc.get_freeze_count()} start-up objects out of the garbage collector.")
