"""Whatever a caregiver types: always an answer, never raw markup in a reply, and a red flag buried in a
long or messy message is still caught in that turn (seek_care_now in the tracker)."""
from __future__ import annotations

import re

import pytest

from .conftest import new_sender, texts

RAW_MARKUP = re.compile(r"<\s*/?\s*(script|b|i|img|iframe|a|svg|div|style)\b|onerror\s*=|javascript:", re.I)
LONG_FILLER = "he has been a bit tired and grumpy, we had soup for lunch, the weather is grey. "

MESSY = {
    "empty": "",
    "spaces and newlines": "   \n\t  ",
    "10,000 characters": ("my wife has MS and her lower back aches, " * 300)[:10_000],
    "one 10,000-character word": "a" * 10_000,
    "emoji only": "😩😩🙏💔",
    "another language": "mi madre tiene esclerosis múltiple y le duele mucho la espalda",
    "another script": "我的父亲有渐冻症，背很痛",
    "html tags": "my husband has <b>MS</b> and his back <i>burns</i> <img src=x onerror=alert(1)>",
    "script tags": "<script>alert('x')</script> my mum has ALS and her back aches",
    "control characters": "my dad has\x00 ALS\x07 and his\x1b[31m back\x08 hurts\r\x0c",
    "right-to-left and zero-width": "\u202emy dad has ALS\u200b\u200d and his back hurts\ufeff",
}

BURIED = {
    "in a long message": (LONG_FILLER * 40 + "oh and last night he fell out of bed and hit his back. "
                          + LONG_FILLER * 40),
    "inside html": "<div><p>my dad has ALS</p><p>since this morning he <b>can't feel his legs</b></p></div>",
    "with control characters and emoji": ("😩😩 mum has MS\x00\x07 and today she suddenly "
                                          "can't control her bladder 😢\x1b[0m"),
    "in shouting with no punctuation": "MY WIFE HAS MS HER BACK HURTS AND SHE HAS A FEVER SINCE THIS MORNING HELP",
    "after 9,000 characters": (LONG_FILLER * 120)[:9_000] + " he is struggling to breathe since an hour",
}


@pytest.mark.parametrize("message", list(MESSY.values()), ids=list(MESSY))
def test_messy_input_gets_an_answer_and_no_raw_markup(healthy, message):
    sender = new_sender("messy")
    replies = healthy.say(sender, message)
    assert replies, "a reply, not silence"
    assert not RAW_MARKUP.search(texts(replies)), replies
    assert "having trouble" not in texts(replies).lower()
    # The conversation goes on normally afterwards.
    assert healthy.say(sender, "hi")


def test_html_is_not_echoed_in_the_summary(healthy):
    sender = new_sender("html")
    healthy.say(sender, "<b>my husband</b> has <i>MS</i>, his <u>mid back</u> <b>burns</b> and tingles, worse when hot")
    assert healthy.slots(sender)["condition"] == "ms", "tags glued to words do not hide them"
    replies = healthy.say(sender, "<script>alert(1)</script> a summary for the care team please")
    assert not RAW_MARKUP.search(texts(replies)), replies


@pytest.mark.parametrize("message", list(BURIED.values()), ids=list(BURIED))
def test_a_buried_red_flag_is_caught_in_that_turn(healthy, message):
    sender = new_sender("buried")
    replies = healthy.say(sender, message)
    assert "seek care now" in texts(replies).lower()
    state = healthy.slots(sender)
    assert state["triage"] == "seek_care_now"
    assert state["red_flags"]


def test_a_buried_red_flag_mid_form_is_caught(healthy):
    sender = new_sender("buried-form")
    healthy.say(sender, "my husband has MS and his back hurts")
    assert healthy.slots(sender)["requested_slot"]
    message = (LONG_FILLER * 30 + " and this afternoon his legs suddenly went weak and he can barely stand "
               + LONG_FILLER * 30)
    healthy.say(sender, message)
    state = healthy.slots(sender)
    assert state["triage"] == "seek_care_now"
    assert "leg_weakness" in state["red_flags"]


def test_a_red_flag_that_also_names_the_condition_mid_form_is_caught(healthy):
    """Found by `make soak`: naming the condition in the same message used to fill the form's `condition`
    slot, so the form went on to its next question and the red flag was not escalated."""
    sender = new_sender("buried-cond")
    healthy.say(sender, "my husband has MS and his back hurts")
    assert healthy.slots(sender)["requested_slot"]
    replies = healthy.say(sender, "my husband has MS and he is struggling to breathe since an hour")
    assert "seek care now" in texts(replies).lower()
    state = healthy.slots(sender)
    assert state["triage"] == "seek_care_now" and "breathing" in state["red_flags"]
    assert healthy.active_loop(sender) is None


def test_a_shouted_red_flag_with_a_contraction_is_caught(healthy):
    sender = new_sender("shout")
    replies = healthy.say(sender, "SINCE THIS MORNING SHE CAN'T FEEL HER LEGS")
    assert "seek care now" in texts(replies).lower()
    assert healthy.slots(sender)["triage"] == "seek_care_now"
