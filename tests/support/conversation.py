"""A typical caregiver's answers, for tests that walk the symptom form to its end whatever it asks."""

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
