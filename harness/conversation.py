"""A conversation seen from the caregiver's side: the question topics the symptom form asks, a typical
caregiver's answers (to walk the form to its end whatever it asks), and fresh conversation ids."""
import uuid
from typing import Dict, List

from bot.knowledge_base import TOPICS as CONTRACT_TOPICS

TOPICS = frozenset(CONTRACT_TOPICS)

# An MS husband with nerve pain: the assessment is neuropathic / self_care, whichever topics the core
# chooses to ask; anything else asked is answered "not sure".
ANSWERS: Dict[str, str] = {
    "condition": "MS", "pain_location": "his mid back", "pain_feel": "burning and stabbing",
    "pain_trigger": "heat and stress make it worse", "pain_relief": "changing position does not help",
    "pain_timing": "it has been there for months, about the same", "mobility": "he walks with a cane",
    "red_flag_screen": "none of these",
}
UNSURE = "not sure"


def answer_for(topic: str) -> str:
    return ANSWERS.get(topic, UNSURE)


def new_sender(prefix: str = "e2e") -> str:
    """A REST conversation id no other test uses: `<prefix>-<hex>`. The prefix may not hold a colon, so
    the id can never take the shape of another channel's ids (`slack:`, `telegram:`, `web:`), which the
    REST channel refuses (docs/interface.md, Conversation identity)."""
    if not prefix or ":" in prefix:
        raise ValueError(f"a REST sender prefix is a plain word without ':', got {prefix!r}")
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def texts(replies: List[dict]) -> str:
    """The bot's reply texts of one turn, as one string (buttons and images carry no text)."""
    return " ".join(reply.get("text") or "" for reply in replies)
