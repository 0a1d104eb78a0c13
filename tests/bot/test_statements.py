"""The clinician review pack (docs/safety/statements.md) is current and covers every kind of statement."""
from bot.knowledge_base import knowledge
from bot.statements import OUT, render


def test_the_review_pack_is_current():
    assert OUT.read_text(encoding="utf-8") == render(), "run: .venv/bin/python -m bot statements"


def test_every_sign_text_and_triage_reason_is_in_it():
    kb = knowledge()
    pack = render()
    for sign in list(kb.red_flags.values()) + list(kb.warning_signs.values()):
        assert sign["plain"] in pack and sign["check_question"] in pack
    for rules in kb.policy["triage"].values():
        assert all(rule["reason"] in pack for rule in rules)
    assert kb.messages["escalation"]["what_to_do"] in pack


def test_a_condition_only_sign_is_listed_under_that_condition():
    pack = render()
    als = pack.split("## ALS / MND")[1].split("## MS")[0]
    assert knowledge().warning_signs["breathing_change"]["plain"] in als


def test_the_pack_says_where_each_cited_public_source_can_be_read():
    """A clinician checks a quote on the page it was read from: every public source is listed with its url."""
    kb = knowledge()
    index = render().split("## Sources")[-1]
    for sid, src in kb.sources.items():
        if src["kind"] == "public_guidance":
            assert f"`{sid}`" in index and src["url"] in index, sid
        else:
            assert f"`{sid}`" in index and src["file"] in index, sid
