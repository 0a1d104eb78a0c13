"""The contract's "Signs and their levels": how an emergency is worded, heart-attack wording, fall grading."""
import pytest

from bot.assessment import assess
from bot.explain import escalation_message
from bot.knowledge_base import knowledge


def test_the_emergency_never_offers_urgent_care():
    texts = escalation_message({"condition": "ms", "red_flags": ["chest_pain"]})
    texts += [knowledge().messages["chat"]["trouble_safety"]]
    for text in texts:
        if "emergency number" in text:
            assert "urgent care" not in text.lower() and "walk-in" not in text.lower()
            assert "999" in text and "911" in text and "112" in text
            assert "A&E" in text and "ER" in text


@pytest.mark.parametrize("text", [
    "it's like someone is standing on his chest and he's gone grey and sweaty",
    "she says there's a heavy pressure in the middle of her chest going into her left arm",
    "his chest feels squeezed and he's clammy and feels sick",
])
def test_heart_attack_wording_without_pain_is_chest_pain(text):
    result = assess(text)
    assert "chest_pain" in result["red_flags"] and result["triage"] == "seek_care_now"


def test_a_gentle_slip_with_no_new_pain_is_a_minor_fall():
    result = assess("she had a gentle slip onto the carpet this morning, no new pain")
    assert result["red_flags"] == [] and "minor_fall" in result["warning_signs"]
    assert result["triage"] == "contact_care_team_today"


def test_a_fall_with_new_pain_is_an_injury():
    result = assess("he fell in the bathroom this morning and now his back is agony")
    assert "injury" in result["red_flags"] and result["triage"] == "seek_care_now"
