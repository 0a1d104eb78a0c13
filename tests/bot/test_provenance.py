"""Provenance: every quote in bot/knowledge is really in the source it cites.

Two checks, so that a fresh clone with nothing beside it can run the first:
  * every knowledge-base quote is one of the passages the repository carries for its source
    (bot/knowledge/excerpts.yml: publisher, where, when read, and the exact passages);
  * every passage of a seed article is in that article's full text, in ../shared/seeds beside the repository.
    Without the seeds (a person's clone) that check says so and is skipped; in CI (CI=true), where shared/
    is laid beside the clone, their absence fails the run.
Public guidance is read only from an official copy of its publisher's own page (OFFICIAL_DOMAINS), never from
a content farm, a business blog or an unofficial mirror, and every such source carries the passages it is
quoted for (or says why it is cited without a quote).
"""
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from bot.knowledge_base import KNOWLEDGE_DIR, knowledge

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT.parent / "shared" / "seeds"
EXCERPTS = yaml.safe_load((KNOWLEDGE_DIR / "excerpts.yml").read_text(encoding="utf-8"))["excerpts"]
# sections whose entries are clinical statements (the loader requires their quotes; here we read them)
CLINICAL_FILES = ("features", "pain_types", "management", "red_flags", "warning_signs", "answers", "policy",
                  "conditions", "messages")
_SAME = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.translate(_SAME)).strip()


def seed_texts():
    if not SEEDS.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"seed articles not found at {SEEDS}: CI lays shared/ beside the clone, so this is an error")
        pytest.skip(f"no seed articles at {SEEDS} (a clone without ../shared): the passages were checked against "
                    "the carried excerpts only")
    return {sid: normalise((SEEDS / src["file"]).read_text(encoding="utf-8"))
            for sid, src in knowledge().sources.items() if src["kind"] == "seed"}


def quotes_in(node, where=""):
    """(where, source id, sentence) for every quote: mapping (or name_quote: mapping) in a knowledge file."""
    if isinstance(node, dict):
        for key, value in node.items():
            if (key == "quote" or key.endswith("_quote")) and isinstance(value, dict):
                here = where if key == "quote" else f"{where}.{key}" if where else key
                for sid, sentences in value.items():
                    for sentence in sentences if isinstance(sentences, list) else [sentences]:
                        yield here, sid, sentence
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


def not_carried(quotes, excerpts):
    """The quotes that are not among the passages the repository carries for their source."""
    carried = {sid: {normalise(p) for p in entry.get("passages") or []} for sid, entry in excerpts.items()}
    return [(where, sid, sentence) for where, sid, sentence in quotes
            if normalise(sentence) not in carried.get(sid, ())]


def test_every_quote_is_a_carried_passage_of_its_source():
    bad = not_carried(ALL_QUOTES, EXCERPTS)
    assert not bad, "\n".join(f"{w}: {sid}: {s!r} is not in bot/knowledge/excerpts.yml" for w, sid, s in bad)


def test_every_source_carries_who_where_and_when():
    sources = knowledge().sources
    assert set(EXCERPTS) == set(sources)
    for sid, entry in EXCERPTS.items():
        assert entry.get("publisher") and entry.get("read"), sid
        assert entry.get("url") or entry.get("file"), sid
        if sources[sid]["kind"] == "public_guidance":
            assert entry["url"] == sources[sid]["url"], sid


def test_the_carried_check_catches_a_made_up_quote():
    made_up = [("features.yml:x", "nhs_sepsis", "Sepsis is always cured by rest.")]
    assert not_carried(made_up, EXCERPTS) == made_up


def test_every_seed_passage_is_in_its_article():
    seeds = seed_texts()
    passages = [(f"excerpts.yml:{sid}", sid, p) for sid, entry in EXCERPTS.items()
                for p in entry.get("passages") or []]
    bad = misquoted(passages, seeds, knowledge().sources)
    assert not bad, "\n".join(f"{w}: {sid}: {s!r}" for w, sid, s in bad)


def test_the_seed_check_catches_a_made_up_quote():
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


# The bodies whose own pages public guidance may be read from (issue 22): a host is official when it is one of
# these domains or a subdomain of one. NHS England, NHS trusts and GP practices publish under nhs.uk; NHS
# Scotland's boards under nhs.scot / <board>.scot and scot.nhs.uk; Northern Ireland's health service (its
# Health and Social Care trusts) under hscni.net.
OFFICIAL_DOMAINS = {
    "nhs.uk": "NHS England, NHS trusts, NHS GP practices",
    "nhs.scot": "NHS Scotland",
    "nhslothian.scot": "NHS Lothian",
    "scottishambulance.com": "Scottish Ambulance Service (an NHS Scotland special health board)",
    "nhs.wales": "NHS Wales",
    "hscni.net": "Health and Social Care trusts (Northern Ireland's NHS)",
    "nice.org.uk": "NICE",
    "mndassociation.org": "MND Association",
    "mnd.org.nz": "MND New Zealand",
    "mssociety.org.uk": "MS Society",
    "mstrust.org.uk": "MS Trust",
    "brainandspine.org.uk": "The Brain & Spine Foundation",
    "samaritans.org": "Samaritans",
    "988lifeline.org": "988 Suicide & Crisis Lifeline",
}


def official(url: str) -> bool:
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    return any(host == domain or host.endswith("." + domain) for domain in OFFICIAL_DOMAINS)


def unofficial_copies(sources, excerpts):
    """(where, address) for every url or read_at of a public-guidance source that is not an official host."""
    bad = []
    for file, entries in (("sources.yml", sources), ("excerpts.yml", excerpts)):
        for sid, entry in entries.items():
            if file == "sources.yml" and entry.get("kind") != "public_guidance":
                continue
            for field in ("url", "read_at"):
                if entry.get(field) and not official(entry[field]):
                    bad.append((f"{file}:{sid}.{field}", entry[field]))
    return bad


def test_every_public_source_is_read_from_an_official_copy():
    sources = yaml.safe_load((KNOWLEDGE_DIR / "sources.yml").read_text(encoding="utf-8"))["sources"]
    bad = unofficial_copies(sources, {sid: e for sid, e in EXCERPTS.items() if sources[sid]["kind"] != "seed"})
    assert not bad, "\n".join(f"{where}: {url} is not an official copy (OFFICIAL_DOMAINS)" for where, url in bad)


def test_the_official_check_catches_a_content_farm_and_a_look_alike():
    farm = {"x": {"kind": "public_guidance", "url": "https://www.nhs.uk/conditions/back-pain/",
                  "read_at": "https://3slastxawesome.info/2025/01/06/nhs-warns"}}
    assert unofficial_copies(farm, {}) == [("sources.yml:x.read_at", farm["x"]["read_at"])]
    for url in ("https://nhs.uk.example.com/back-pain", "https://fakenhs.uk/back-pain",
                "http://www.ncbi.nlm.nih.gov./books/n/niceng234guid/", "https://childdynamix.co.uk/?p=6700"):
        assert not official(url), url
    for url in ("https://www.nhs.uk/conditions/sepsis/", "https://bridgwaterbayhealth.nhs.uk/back-pain",
                "https://apps.nhslothian.scot/refhelp/", "https://www.nice.org.uk/guidance/ng234"):
        assert official(url), url


def test_every_public_source_carries_its_passages_or_says_why_not():
    """A public source cited with no passage (the NHS cauda equina page had none) must say why it is not quoted."""
    sources = knowledge().sources
    silent = [sid for sid, entry in EXCERPTS.items() if sources[sid]["kind"] == "public_guidance"
              and not entry.get("passages") and not str(entry.get("not_quoted") or "").strip()]
    assert not silent, f"public sources with no passage and no reason: {silent}"
    quoted = {sid for _, sid, _ in ALL_QUOTES}
    unexplained = [sid for sid, entry in EXCERPTS.items() if entry.get("not_quoted") and sid in quoted]
    assert not unexplained, f"sources said to be unquoted are quoted: {unexplained}"


def test_a_named_quote_outside_quote_is_checked_too():
    """policy.yml's cancer_red_flags_quote is a quote like any other: it must be a carried passage."""
    where = [w for w, sid, _ in ALL_QUOTES if "cancer_red_flags_quote" in w]
    assert where, "the NG234 rule's quote is not among the checked quotes"
