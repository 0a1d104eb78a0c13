"""The pain diary through the real dialogue: the trained model, the Rasa server and the action server, with
the caregiver's own words. In Debian's chromium (the real page and widget over socket.io) a diary is built
across several days, read back as a chart the widget loads from the Rasa server, handed over as a report,
and deleted with the conversation; over Slack and Telegram (their local fakes) the chart and the report
arrive as files, never as a link to this machine.

The dates are the caregiver's words, worked out from today, so the entries fall on different days."""
from __future__ import annotations

import re
import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import requests

from bot.when import in_words
from tests.channels.conftest import chromium_browser
from tests.channels.test_slack import event_body, signed_headers
from tests.channels.test_slack import webhook as slack_webhook
from tests.channels.test_telegram import SECRET, chat, message_update
from tests.channels.test_telegram import webhook as telegram_webhook
from tests.channels.test_web import DESKTOP, TURN, answer_options, bot_messages, open_chat, send, wait_for_reply

pytestmark = pytest.mark.e2e

PNG = b"\x89PNG\r\n\x1a\n"
ASSESSED = "pain diary"  # words of the offer after the assessment (messages.yml diary.offer)
SEVERITY_ASKED = "from 0 (none) to 10 (worst)"


def nine_days_ago() -> str:
    """"on Tuesday 24 November": a day more than a week back, named as a caregiver names it."""
    return "on " + in_words(datetime.now(timezone.utc) - timedelta(days=9))


def quick_entries() -> list:
    return ["log: 3 days ago, bad night with spasms, about 7, a warm bath helped",
            f"log: {nine_days_ago()}, burning after a hot shower, 5/10"]


def said_since(page, before: int) -> str:
    return " ".join(bot_messages(page).nth(i).inner_text() for i in range(before, bot_messages(page).count()))


def last_said(page) -> str:
    return bot_messages(page).nth(bot_messages(page).count() - 1).inner_text()


def assess_and_keep(page) -> None:
    """Describes the pain, answers the questions, gives a rating and says yes to the diary."""
    send(page, "my wife has MS and her lower back aches after sitting all day, better once we move her, "
               "it's been the same for months")
    for _ in range(10):
        last = last_said(page)
        if ASSESSED in last:
            break
        if SEVERITY_ASKED in last:
            send(page, "about a 6")
            continue
        names = [answer_options(page).nth(i).inner_text().strip() for i in range(answer_options(page).count())]
        choice = next((n for n in ["None of these", "Nothing helps", "Not sure"] if n in names), None)
        if choice:
            before = bot_messages(page).count()
            page.get_by_role("button", name=choice, exact=True).click()
            wait_for_reply(page, before)
        else:
            send(page, "not sure")
    assert ASSESSED in last_said(page), f"no diary offer after the assessment: {said_since(page, 0)!r}"
    before = bot_messages(page).count()
    send(page, "yes, keep it in the diary")
    assert "Saved in the diary" in said_since(page, before)


@pytest.fixture
def own_browser():
    """Chromium for this test only: the channel tests after this module call asyncio.run(), which cannot run
    inside Playwright's loop (the package's browser is for test_web*)."""
    with chromium_browser() as chromium:
        yield chromium


def test_a_diary_built_in_the_browser_is_shown_reported_and_deleted(own_browser, web_page, channel_server,
                                                                     screenshots_dir):
    browser = own_browser
    context, page, errors = open_chat(browser, web_page, channel_server, DESKTOP)
    try:
        assess_and_keep(page)  # first: once a quick entry has given consent, the assessment offers no diary
        for words in quick_entries():
            before = bot_messages(page).count()
            send(page, words)
            assert "Saved in the diary" in said_since(page, before), said_since(page, before)

        before = bot_messages(page).count()
        send(page, "show the diary")
        read_back = " ".join(said_since(page, before).split())
        nine_days = in_words(datetime.now(timezone.utc) - timedelta(days=9))
        assert f"3 entries, {nine_days} to " in read_back, read_back  # three days, the earliest first
        assert "highest 7" in read_back and "warm bath" in read_back, read_back
        image = page.locator("img[src*='/webhooks/rest/diary/chart.png']").last
        image.wait_for(timeout=TURN)
        src = image.get_attribute("src")
        assert src.startswith(channel_server.url + "/webhooks/rest/diary/chart.png?token="), src
        page.wait_for_timeout(1000)
        assert image.evaluate("img => img.complete && img.naturalWidth") > 500  # loaded, not a broken icon
        assert requests.get(src, timeout=60).content.startswith(PNG)
        image.scroll_into_view_if_needed()
        page.locator(".rw-conversation-container").screenshot(path=str(screenshots_dir / "web-diary-chart.png"))

        before = bot_messages(page).count()
        send(page, "send me the report")
        links = re.findall(r"https?://\S+/webhooks/rest/diary/report\.pdf\?token=[\w-]+", said_since(page, before))
        assert links, said_since(page, before)
        report = requests.get(links[0], timeout=60)
        assert report.status_code == 200 and report.content.startswith(b"%PDF"), (report.status_code, report.text[:200])
        assert report.headers["content-type"].startswith("application/pdf")

        before = bot_messages(page).count()
        send(page, "export the diary as csv")
        export = re.findall(r"https?://\S+/webhooks/rest/diary/diary\.csv\?token=[\w-]+", said_since(page, before))
        assert export, said_since(page, before)
        rows = requests.get(export[0], timeout=60).text.strip().splitlines()
        assert len(rows) == 4 and "warm bath" in " ".join(rows), rows  # the header and three entries

        before = bot_messages(page).count()
        send(page, "delete my conversation")
        assert answer_options(page).count(), said_since(page, before)
        # Once the bot has said it deleted the conversation, the page forgets it too and starts anew
        # (web/backline.js; tests/channels/test_web_page.py): its note is the bot's confirmation.
        with page.expect_navigation():
            page.get_by_role("button", name="Yes, delete it", exact=True).click()
        page.locator(".rw-response", has_text="not a diagnosis").wait_for(timeout=TURN)
        assert "conversation was deleted" in page.locator("#notice").inner_text()
        assert "warm bath" not in page.locator(".rw-messages-container").inner_text()
        # The links have not expired, but the diary they named is gone with the conversation.
        assert requests.get(export[0], timeout=60).text.strip().splitlines() == rows[:1]
        assert errors == []
    finally:
        context.close()


# --- Slack and Telegram: a quick entry, then the chart and the report as files -------------------------

def one_turn(api, post, method, **match):
    """Posts the caregiver's message with `post()`, waits for the bot's `method` call (any case: Telegram's
    methods are case-insensitive) matching `match`, then until the turn has settled; the calls of the turn."""
    def made(calls):
        return [c for c in calls if c.method.lower() == method.lower()
                and all(str(c.params.get(k)) == str(v) for k, v in match.items())]

    before = len(api.calls)
    response = post()
    assert response.status_code == 200, response.text
    for _ in range(600):  # up to two minutes: a busy machine slows every turn
        if made(api.calls[before:]):
            break
        time.sleep(0.2)
    assert made(api.calls[before:]), f"no {method} {match}; calls: {[c.method for c in api.calls[before:]]}"
    api.settle()
    return api.calls[before:]


def slack_say(server, slack_api, user, channel, text, method="chat.postMessage"):
    body = event_body(user, channel, text)
    match = {"channel_id": channel} if method.startswith("files.") else {"channel": channel}
    return one_turn(slack_api, lambda: requests.post(slack_webhook(server), data=body, headers=signed_headers(body),
                                                     timeout=30), method, **match)


def test_slack_uploads_the_chart_and_the_report_of_a_real_conversation(channel_server, slack_api):
    user = "U" + uuid.uuid4().hex[:9].upper()
    channel = "D" + user[1:]
    calls = slack_say(channel_server, slack_api, user, channel, quick_entries()[0],
                      "chat.postMessage")
    assert any("Saved in the diary" in c.params.get("text", "") for c in calls), [c.params for c in calls]

    shown = slack_say(channel_server, slack_api, user, channel, "show the diary",
                      "files.completeUploadExternal")
    uploads = [c for c in shown if c.method == "upload"]
    assert len(uploads) == 1 and uploads[0].params["data"].startswith(PNG)
    assert [c.params.get("filename") for c in shown if c.method == "files.getUploadURLExternal"] == \
        ["pain-diary-chart.png"]

    reported = slack_say(channel_server, slack_api, user, channel, "send me the report",
                         "files.completeUploadExternal")
    uploads = [c for c in reported if c.method == "upload"]
    assert len(uploads) == 1 and uploads[0].params["data"].startswith(b"%PDF")
    for call in shown + reported:
        assert "localhost" not in str(call.params) and "127.0.0.1" not in str(call.params)
        assert "token=" not in str(call.params)


def telegram_say(server, telegram_api, person, text, method="sendMessage"):
    return one_turn(telegram_api, lambda: requests.post(telegram_webhook(server), json=message_update(person, text),
                                                        headers=SECRET, timeout=120), method, chat_id=person["id"])


def test_telegram_sends_the_chart_as_a_photo_and_the_report_as_a_document(channel_server, telegram_api):
    person = chat()
    calls = telegram_say(channel_server, telegram_api, person, quick_entries()[1])
    assert any("Saved in the diary" in str(c.params.get("text", "")) for c in calls), [c.params for c in calls]

    shown = telegram_say(channel_server, telegram_api, person, "show the diary", "sendPhoto")
    photos = [c for c in shown if c.method.lower() == "sendphoto"]
    assert len(photos) == 1 and photos[0].params["photo"].startswith(PNG)
    assert str(photos[0].params["chat_id"]) == str(person["id"])

    reported = telegram_say(channel_server, telegram_api, person, "send me the report", "sendDocument")
    documents = [c for c in reported if c.method.lower() == "senddocument"]
    assert len(documents) == 1 and documents[0].params["document"].startswith(b"%PDF")
    for call in shown + reported:
        assert "localhost" not in str(call.params) and "127.0.0.1" not in str(call.params)
        assert "token=" not in str(call.params)
