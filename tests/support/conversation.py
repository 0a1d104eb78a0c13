"""What the real-server tests share about a conversation: the question topics, a typical caregiver's
answers (to walk the symptom form to its end whatever it asks), and the stores `make run` uses."""
from bot.knowledge_base import TOPICS as CONTRACT_TOPICS

TOPICS = set(CONTRACT_TOPICS)

# endpoints.yml's tracker and lock stores, for servers started with their own endpoints file.
STORES = """tracker_store:
  type: ops.stores.BacklineTrackerStore
lock_store:
  type: ops.stores.BacklineLockStore
"""

# An MS husband with nerve pain: the assessment is neuropathic / self_care, whichever topics the core
# chooses to ask; anything else asked is answered "not sure".
ANSWERS = {
    "condition": "MS", "pain_location": "his mid back", "pain_feel": "burning and stabbing",
    "pain_trigger": "heat and stress make it worse", "pain_relief": "changing position does not help",
    "pain_timing": "it has been there for months, about the same", "mobility": "he walks with a cane",
    "red_flag_screen": "none of these",
}


def answer_for(topic: str) -> str:
    return ANSWERS.get(topic, "not sure")
