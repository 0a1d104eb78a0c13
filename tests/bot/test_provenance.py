"""Provenance: every seed quote in bot/knowledge is really in the seed article it cites.

The seeds live in ../shared/seeds relative to the repository root (in CI the repository is cloned
beside a copy of shared/). A missing seed folder is a failure, not a skip: without it nothing here
would be checked.
"""
import re
from pathlib import Path

import pytest
import yaml

from bot.knowledge_base import KNOWLEDGE_DIR, knowledge

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT.parent / "shared" / "seeds"
# sections whose entries are clinical statements (the loader requires their quotes; here we read them)
CLINICAL_FILES = ("features", "pain_types", "management", "red_flags", "warning_signs", "answers", "policy",
                  "conditions")
_SAME = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.translate(_SAME)).strip()


def seed_texts():
    if not SEEDS.is_dir():
        pytest.fail(f"seed articles not found at {SEEDS}: the provenance check needs ../shared/seeds beside the repo")
    return {sid: normalise((SEEDS / src["file"]).read_text(encoding="utf-8"))
            for sid, src in knowledge().sources.items() if src["kind"] == "seed"}


def quotes_in(node, where=""):
    """(where, source id, sentence) for every quote: mapping in a knowledge file."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "quote" and isinstance(value, dict):
                for sid, sentences in value.items():
                    for sentence in sentences if isinstance(sentences, list) else [sentences]:
                        yield where, sid, sentence
            else:
                yield from quotes_in(value, f"{where}.{key}" if where else str(key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from quotes_in(value, f"{where}[{i}]")


ALL_QUOTES = [(f"{name}.yml:{where}", sid, sentence) for name in CLINICAL_FILES
              for where, sid, sentence in quotes_in(yaml.safe_load((KNOWLEDGE_DIR / f"{name}.yml").read_text()))]


def misquoted(quotes, seeds, sources):
    """The quotes that cite a seed whose text does not contain them."""
    return [(where, sid, sentence) for where, sid, sentence in quotes
            if sources[sid]["kind"] == "seed" and normalise(sentence) not in seeds[sid]]


def test_every_seed_quote_is_in_the_cited_seed():
    bad = misquoted(ALL_QUOTES, seed_texts(), knowledge().sources)
    assert not bad, "\n".join(f"{w}: {sid}: {s!r}" for w, sid, s in bad)


def test_the_check_catches_a_made_up_quote():
    made_up = [("features.yml:x", "seed_001", "MS back pain is always cured by rest.")]
    assert misquoted(made_up, seed_texts(), knowledge().sources) == made_up


def test_quotes_cover_every_kind_of_clinical_statement():
    kb = knowledge()
    quoted = {where.split(":")[1].split(".")[0] for where, _, _ in ALL_QUOTES}
    for section in ("features", "pain_types", "management", "red_flags", "warning_signs", "answers", "triage"):
        assert section in quoted, section
    # every emergency and same-day sign rests on a quoted sentence from a seed or named public guidance
    for signs in (kb.red_flags, kb.warning_signs):
        for sign in signs.values():
            assert sign["quote"]
            assert all(kb.sources[sid]["kind"] in ("seed", "public_guidance") for sid in sign["quote"])


def test_public_guidance_names_where_it_was_read():
    for sid, src in knowledge().sources.items():
        if src["kind"] == "public_guidance":
            assert src["url"].startswith("http"), sid
            assert src["title"].strip(), sid
