"""Expand the knowledge base's phrase-pattern syntax into plain phrases.

The syntax is documented at the top of bot/knowledge/language.yml:
``(a|b)`` one of, ``[a|b]`` or ``(a|b)?`` optional, ``<macro>``, ``...`` gap of up to 3 words.
Expansion is a pure string operation; bot/extract.py turns each phrase into spaCy Matcher
token patterns. Kept separate so the loader can validate patterns without building spaCy.
"""
from __future__ import annotations

import re
from typing import Dict, List

GAP = "..."
MAX_EXPANSIONS = 100000  # a guard against a pattern that would explode combinatorially

_MACRO = re.compile(r"<([a-z_]+)>")
# A group: (...) or (...)? or [...]; groups do not nest.
_GROUP = re.compile(r"\(([^()\[\]]*)\)(\?)?|\[([^()\[\]]*)\]")


class PatternError(ValueError):
    """A phrase pattern that cannot be expanded (unbalanced brackets, unknown macro...)."""


def _apply_macros(pattern: str, macros: Dict[str, str]) -> str:
    def replace(match: "re.Match[str]") -> str:
        name = match.group(1)
        if name not in macros:
            raise PatternError(f"unknown macro <{name}> in pattern {pattern!r}")
        return "(" + macros[name] + ")"

    return _MACRO.sub(replace, pattern)


def expand(pattern: str, macros: Dict[str, str] | None = None) -> List[str]:
    """All plain phrases a pattern stands for, lower-cased, whitespace-normalised."""
    if not isinstance(pattern, str) or not pattern.strip():
        raise PatternError(f"empty or non-text pattern {pattern!r}")
    text = _apply_macros(pattern.strip(), macros or {})
    results: List[str] = []
    _expand_into(text, results)
    phrases = []
    seen = set()
    for phrase in results:
        clean = " ".join(phrase.split()).lower()
        if clean and clean != GAP and clean not in seen:
            seen.add(clean)
            phrases.append(clean)
    if not phrases:
        raise PatternError(f"pattern {pattern!r} expands to nothing")
    return phrases


def _expand_into(text: str, out: List[str]) -> None:
    match = _GROUP.search(text)
    if match is None:
        if any(ch in text for ch in "()[]<>"):
            raise PatternError(f"unbalanced brackets in pattern {text!r}")
        out.append(text)
        if len(out) > MAX_EXPANSIONS:
            raise PatternError("pattern expands to too many phrases")
        return
    body = match.group(1) if match.group(1) is not None else match.group(3)
    optional = match.group(3) is not None or match.group(2) == "?"
    options = [opt.strip() for opt in body.split("|")]
    if optional:
        options.append("")
    head, tail = text[: match.start()], text[match.end():]
    for option in options:
        _expand_into(head + " " + option + " " + tail, out)


def parse(pattern: str, macros: Dict[str, str] | None = None) -> List[tuple]:
    """Split a pattern into elements for the matcher compiler, without expanding top-level groups.

    Returns a list of ("words", "w1 w2"), ("group", [alternatives], optional) and ("gap",).
    Nested groups inside an alternative are expanded into flat alternatives. Compiling
    single-word alternatives into one token test keeps the matcher small.
    """
    if not isinstance(pattern, str) or not pattern.strip():
        raise PatternError(f"empty or non-text pattern {pattern!r}")
    text = _apply_macros(pattern.strip().lower(), macros or {})
    elements: List[tuple] = []
    pos, i, n = 0, 0, len(text)
    closing = {"(": ")", "[": "]"}
    while i < n:
        ch = text[i]
        if ch in ")]":
            raise PatternError(f"unbalanced brackets in pattern {pattern!r}")
        if ch not in closing:
            i += 1
            continue
        _add_words(text[pos:i], elements)
        depth, j = 0, i
        while j < n:
            if text[j] in "([":
                depth += 1
            elif text[j] in ")]":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        if j >= n or text[j] != closing[ch]:
            raise PatternError(f"unbalanced brackets in pattern {pattern!r}")
        body = text[i + 1: j]
        optional = ch == "["
        end = j + 1
        if ch == "(" and end < n and text[end] == "?":
            optional, end = True, end + 1
        options: List[str] = []
        for alternative in _split_top_level(body):
            alternative = " ".join(alternative.split())
            if not alternative:
                optional = True
            elif any(c in alternative for c in "()[]"):
                options.extend(expand(alternative))
            else:
                options.append(alternative)
        elements.append(("group", options, optional))
        pos = i = end
    _add_words(text[pos:], elements)
    return elements


def _split_top_level(body: str) -> List[str]:
    parts, depth, current = [], 0, []
    for ch in body:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        if ch == "|" and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def _add_words(chunk: str, elements: List[tuple]) -> None:
    if any(ch in chunk for ch in "()[]<>"):
        raise PatternError(f"unbalanced brackets near {chunk!r}")
    words: List[str] = []
    for word in chunk.split():
        if word == GAP:
            if words:
                elements.append(("words", " ".join(words)))
                words = []
            elements.append(("gap",))
        else:
            words.append(word)
    if words:
        elements.append(("words", " ".join(words)))
