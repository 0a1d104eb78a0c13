"""Hold a real conversation with a running Backline (REST channel) and print it as Markdown.

    .venv/bin/python scripts/transcript.py --url http://127.0.0.1:5005 "hi" "my wife has MS ..." ...

Used to write the transcripts in README.md from the real bot, not by hand.
"""
import argparse
import os
import uuid

import requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:5005")
    parser.add_argument("--slots", action="store_true", help="also print the contract slots at the end (HTTP API)")
    parser.add_argument("--token", default=os.environ.get("BACKLINE_API_TOKEN"), help="the HTTP API's auth token")
    parser.add_argument("messages", nargs="+")
    args = parser.parse_args()
    sender = f"transcript-{uuid.uuid4().hex[:8]}"
    for message in args.messages:
        print(f"> **Caregiver:** {message}")
        print(">")
        replies = requests.post(f"{args.url}/webhooks/rest/webhook", json={"sender": sender, "message": message},
                                timeout=30).json()
        for reply in replies:
            text = (reply.get("text") or "").replace("\n", "  \n> ")
            buttons = " ".join(f"`[{b['title']}]`" for b in reply.get("buttons") or [])
            print(f"> **Backline:** {text} {buttons}".rstrip())
            print(">")
        print()
    if args.slots:
        params = {"token": args.token} if args.token else {}
        response = requests.get(f"{args.url}/conversations/{sender}/tracker", params=params, timeout=30)
        if not response.ok:
            raise SystemExit(f"could not read the tracker ({response.status_code}): "
                             "is the HTTP API on (BACKLINE_API_TOKEN)?")
        slots = response.json()["slots"]
        shown = {k: slots.get(k) for k in ("condition", "red_flags", "triage", "pain_type", "requested_slot")}
        print(f"Tracker slots afterwards: `{shown}`")


if __name__ == "__main__":
    main()
