"""Command line: ``python -m bot assess "TEXT"`` prints one JSON object (the contract keys)."""
from __future__ import annotations

import argparse
import json
import sys
from typing import List, Optional

EPILOG = """examples:
  python -m bot assess "My wife has MS and a burning band around her middle back"
  echo "he has ALS and fell this morning" | python -m bot assess -

Output: one JSON object with condition, red_flags, triage, pain_type, confidence,
evidence, explanation, sources. Exit 0 on success, 2 on empty input or usage errors."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot",
                                     description="Backline clinical core: back pain in ALS / MS, "
                                                 "from a caregiver's description.",
                                     epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    assess_p = sub.add_parser("assess", help="assess one free-text description and print JSON",
                              description="Assess one free-text description of a person's back pain; "
                                          "prints one JSON object.")
    assess_p.add_argument("text", nargs="+", help='the description, or "-" to read it from stdin')
    sub.add_parser("check", help="load and check the knowledge base, then exit")
    statements_p = sub.add_parser("statements", help="write the clinician review pack (docs/safety/statements.md)")
    statements_p.add_argument("--out", default=None, help="where to write it (default docs/safety/statements.md)")
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "check":
        from .knowledge_base import knowledge
        kb = knowledge()
        print(json.dumps({"ok": True, "features": len(kb.features), "answers": len(kb.answers)}))
        return 0
    if args.command == "statements":
        from pathlib import Path

        from .statements import OUT, write
        print(write(Path(args.out) if args.out else OUT))
        return 0
    if args.command != "assess":
        parser.print_help(sys.stderr)
        return 2
    text = " ".join(args.text)
    if text == "-":
        data = sys.stdin.buffer.read()
        text = data.decode("utf-8", errors="replace")
    if not text.strip():
        print("error: the description is empty; pass the text to assess, "
              "e.g. python -m bot assess \"she has MS and burning back pain\"", file=sys.stderr)
        return 2
    from .assessment import assess
    result = assess(text)
    sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    return 0
