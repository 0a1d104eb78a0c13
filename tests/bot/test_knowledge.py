"""The knowledge base loads, is fully sourced, and a broken entry fails loudly."""
import re

import pytest
import yaml

from bot.knowledge_base import (
    CONDITIONS,
    DOSE_PATTERN,
    MEDICATION_NAMES,
    PAIN_TYPES,
    RED_FLAGS,
    KnowledgeError,
    knowledge,
    load_knowledge,
)


def _edit(path, mutate):
    data = yaml.safe_load(path.read_text())
    mutate(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def test_loads_with_contract_values():
    kb = knowledge()
    assert set(kb.pain_types) == set(PAIN_TYPES)
    assert set(kb.red_flags) == set(RED_FLAGS)
    assert set(kb.conditions) == set(CONDITIONS)


def test_every_clinical_entry_names_a_known_source():
    kb = knowledge()
    groups = [kb.features, kb.red_flags, kb.pain_types, kb.management, kb.answers, kb.conditions]
    for group in groups:
        for entry in group.values():
            assert entry["sources"] and all(s in kb.sources for s in entry["sources"])


def test_public_guidance_only_where_articles_are_silent():
    kb = knowledge()
    seeds = {sid for sid, s in kb.sources.items() if s["kind"] == "seed"}
    # causes, features and management come from the seed articles only
    for group in (kb.features, kb.pain_types, kb.management):
        for name, entry in group.items():
            assert set(entry["sources"]) <= seeds, name
    # fever, saddle numbness and breathing are marked as public guidance
    for flag in ("fever", "saddle_numbness", "breathing"):
        assert any(kb.sources[s]["kind"] == "public_guidance" for s in kb.red_flags[flag]["sources"])


def test_unsourced_entry_fails_naming_file_and_entry(kb_copy):
    _edit(kb_copy / "features.yml", lambda d: d["features"]["burning"].pop("sources"))
    with pytest.raises(KnowledgeError) as err:
        load_knowledge(kb_copy)
    assert "features.yml" in str(err.value) and "burning" in str(err.value) and "unsourced" in str(err.value)


def test_unknown_source_fails(kb_copy):
    _edit(kb_copy / "management.yml", lambda d: d["management"]["water_therapy"].update(sources=["seed_999"]))
    with pytest.raises(KnowledgeError, match=r"management.yml: entry 'water_therapy': unknown source 'seed_999'"):
        load_knowledge(kb_copy)


def test_dose_in_text_fails(kb_copy):
    def mutate(d):
        d["management"]["ask_muscle_relaxant"]["text"] = "Ask the care team about baclofen 10 mg three times a day."
    _edit(kb_copy / "management.yml", mutate)
    with pytest.raises(KnowledgeError, match="ask_muscle_relaxant.*dose"):
        load_knowledge(kb_copy)


def test_medicine_without_care_team_framing_fails(kb_copy):
    _edit(kb_copy / "management.yml",
          lambda d: d["management"]["ask_muscle_relaxant"].update(text="Take baclofen for spasms."))
    with pytest.raises(KnowledgeError, match="ask_muscle_relaxant"):
        load_knowledge(kb_copy)


def test_broken_pattern_fails(kb_copy):
    _edit(kb_copy / "red_flags.yml", lambda d: d["red_flags"]["fever"]["phrases"].append("(burning up"))
    with pytest.raises(KnowledgeError, match=r"red_flags.yml: entry 'fever'.*bad phrase"):
        load_knowledge(kb_copy)


def test_unknown_feature_weight_fails(kb_copy):
    _edit(kb_copy / "pain_types.yml", lambda d: d["pain_types"]["spasticity"]["weights"].update(wobbliness=2))
    with pytest.raises(KnowledgeError, match=r"pain_types.yml: entry 'spasticity'.*wobbliness"):
        load_knowledge(kb_copy)


def test_unknown_triage_rule_fails(kb_copy):
    rule = {"rule": "gut_feeling", "reason": "x", "sources": ["seed_003"], "quote": {"seed_003": "x"}}
    _edit(kb_copy / "policy.yml", lambda d: d["triage"]["contact_care_team"].append(rule))
    with pytest.raises(KnowledgeError, match="gut_feeling"):
        load_knowledge(kb_copy)


def test_invalid_yaml_fails_naming_file(kb_copy):
    (kb_copy / "answers.yml").write_text("answers: [unclosed")
    with pytest.raises(KnowledgeError, match="answers.yml"):
        load_knowledge(kb_copy)


def _all_text(kb):
    for group in (kb.management, kb.answers):
        for name, entry in group.items():
            yield name, entry["text"]
    for name, p in kb.pain_types.items():
        for cond, why in p["why"].items():
            yield f"{name}.{cond}", why["text"]
    def walk(x, path):
        if isinstance(x, str):
            yield path, x
        elif isinstance(x, dict):
            for k, v in x.items():
                yield from walk(v, f"{path}.{k}")
        elif isinstance(x, list):
            for v in x:
                yield from walk(v, path)
    yield from walk(kb.messages, "messages")


def test_no_dose_anywhere_in_the_knowledge_base():
    for name, text in _all_text(knowledge()):
        assert not DOSE_PATTERN.search(text), (name, text)


def test_medicine_names_only_as_questions_for_the_care_team():
    for name, text in _all_text(knowledge()):
        if any(re.search(rf"\b{m}", text, re.I) for m in MEDICATION_NAMES):
            assert re.search(r"\bask\b", text, re.I), name
            assert re.search(r"care team|prescriber|pharmacist|doctor", text, re.I), name


@pytest.mark.parametrize("file,mutate,problem", [
    ("features.yml", lambda d: d["features"]["burning"].pop("quote"), "needs 'quote'"),
    ("red_flags.yml", lambda d: d["red_flags"]["chest_pain"]["quote"].update({"seed_001": "x"}), "not in its sources"),
    ("warning_signs.yml", lambda d: d["warning_signs"].pop("back_lump"), "contract values"),
    ("warning_signs.yml", lambda d: d["warning_signs"]["infection"].pop("check_question"), "check_question"),
    ("policy.yml", lambda d: d["triage"]["contact_care_team"][0].update({"conditions": ["pd"]}), "unknown condition"),
    ("sources.yml", lambda d: d["sources"]["nhs_sepsis"].pop("url"), "url"),
])
def test_a_broken_safety_entry_fails_loudly(kb_copy, file, mutate, problem):
    _edit(kb_copy / file, mutate)
    with pytest.raises(KnowledgeError, match=re.escape(problem)) as err:
        load_knowledge(kb_copy)
    assert err.value.file == file
