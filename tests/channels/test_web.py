"""The website chat, in Debian's chromium, against the real servers: a caregiver's conversation from
description to assessment, and a red flag that must be impossible to miss. Screenshots are saved for
the README (see conftest.screenshots_dir)."""
from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.e2e

TURN = 45_000  # ms to wait for the bot's answer to one message

DESKTOP = {"width": 1100, "height": 1000}
PHONE = {"width": 390, "height": 844}
SUMMARY = "Summary for the care team"  # the diary offer's button (messages.yml diary.offer_buttons)


def open_chat(browser, web_page, channel_server, viewport):
    context = browser.new_context(viewport=viewport, device_scale_factor=1,
                                  is_mobile=viewport["width"] < 500, has_touch=viewport["width"] < 500)
    # Only this machine: the widget's stylesheet asks for a web font, which stays unloaded.
    context.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda route: route.abort())
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{web_page}?server={channel_server.url}")
    # The greeting says what Backline is and is not.
    page.locator(".rw-response", has_text="not a diagnosis").wait_for(timeout=TURN)
    return context, page, errors


def bot_messages(page):
    return page.locator(".rw-response")


def send(page, text):
    """Types a message with the keyboard only and sends it with Enter."""
    before = bot_messages(page).count()
    box = page.get_by_role("textbox", name="Your message to Backline")
    box.focus()
    page.keyboard.type(text)
    page.keyboard.press("Enter")
    wait_for_reply(page, before)


def wait_for_reply(page, before, quiet_ms=2000):
    """Waits for the bot's first new message, then until no more arrive for `quiet_ms` (the widget shows
    a turn's messages one by one)."""
    # (Not wait_for_function: the page's Content-Security-Policy forbids the eval it uses.)
    bot_messages(page).nth(before).wait_for(timeout=TURN)
    count, quiet = bot_messages(page).count(), 0
    while quiet < quiet_ms:
        page.wait_for_timeout(250)
        now = bot_messages(page).count()
        count, quiet = now, (quiet + 250 if now == count else 0)


def answer_options(page):
    return page.locator(".rw-replies [role=button]")


def test_description_quick_replies_and_assessment(browser, web_page, channel_server, screenshots_dir):
    context, page, errors = open_chat(browser, web_page, channel_server, DESKTOP)
    try:
        # The page itself states what Backline is not, and what to do in an emergency.
        assert page.get_by_role("heading", name="What Backline is, and is not").is_visible()
        assert "not a diagnosis" in page.locator(".about").inner_text()
        assert "emergency number" in page.locator(".emergency").inner_text()

        send(page, "my husband has MS, he gets a burning, stabbing pain in his mid back that comes out of "
                   "nowhere, worse when he is hot or stressed")
        clicked = False
        for _ in range(8):
            if page.locator(".bl-sources a").count():
                break
            options = answer_options(page)
            if options.count():
                names = [options.nth(i).inner_text().strip() for i in range(options.count())]
                # "Sources" is one of the assessment's "more" quick replies (issue 24: one short answer)
                name = next((p for p in ["Sources", "None of these", "Nothing helps", "Not sure"] if p in names),
                            names[0])
                if not clicked:
                    page.locator("#chat").screenshot(path=str(screenshots_dir / "web-quick-replies.png"))
                before = bot_messages(page).count()
                page.get_by_role("button", name=name, exact=True).click()  # a quick reply, clicked
                clicked = True
                wait_for_reply(page, before)
            else:
                send(page, "not sure")
        assert clicked, "the form never offered answer buttons"

        transcript = page.locator(".rw-messages-container").inner_text()
        assert "This sounds most like nerve pain" in transcript
        links = page.locator(".bl-sources a")
        assert links.count() >= 1, "the Sources line should link to the page's source list"
        target = links.first.get_attribute("href")
        assert target.startswith("#source-") and page.locator(target).count() == 1
        assert not page.locator(".bl-escalation").count()
        page.locator("#chat").screenshot(path=str(screenshots_dir / "web-assessment.png"))

        # After the assessment: how bad it is now (issue 14), then the diary offer, which has the summary.
        before = bot_messages(page).count()
        page.get_by_role("button", name="Not sure", exact=True).click()
        wait_for_reply(page, before)

        # Keyboard only: from the message box, Shift+Tab reaches the answer buttons; Enter chooses one.
        page.get_by_role("textbox", name="Your message to Backline").focus()
        for _ in range(8):  # past the "more" options (Sources, What helps?, Why?) that follow the offer's own
            page.keyboard.press("Shift+Tab")
            if page.evaluate("document.activeElement.textContent.trim()") == SUMMARY:
                break
        assert page.evaluate("document.activeElement.getAttribute('role')") == "button"
        assert page.evaluate("document.activeElement.textContent.trim()") == SUMMARY
        before = bot_messages(page).count()
        page.keyboard.press("Enter")
        wait_for_reply(page, before)
        summary = " ".join(bot_messages(page).nth(i).inner_text() for i in range(before, bot_messages(page).count()))
        assert "MS" in summary and "Seek care now" not in summary

        links.first.click()
        assert page.evaluate("location.hash") == target
        assert errors == []
    finally:
        context.close()


def test_red_flag_escalation_cannot_be_missed_on_a_phone(browser, web_page, channel_server, screenshots_dir):
    context, page, errors = open_chat(browser, web_page, channel_server, PHONE)
    try:
        page.screenshot(path=str(screenshots_dir / "web-phone-start.png"))
        send(page, "my dad has ALS and his back hurts")
        send(page, "and since this morning he has wet himself twice and can't feel his legs, that never happens")
        escalated = page.locator(".rw-response.bl-escalation")
        escalated.wait_for(timeout=TURN)
        said = " ".join(escalated.inner_text().split())
        assert said.startswith(("Urgent: Seek care now.", "Seek care now.")), said
        alert = page.get_by_role("alert")
        assert alert.is_visible()
        assert "Seek care now." in alert.inner_text()
        assert "emergency number" in alert.inner_text()
        assert alert.bounding_box()["width"] <= PHONE["width"]
        # Nothing on the page is wider than the phone's screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        alert.scroll_into_view_if_needed()
        page.screenshot(path=str(screenshots_dir / "web-escalation-phone.png"))
        assert errors == []
    finally:
        context.close()


def test_keyboard_only_focus_order(browser, web_page, channel_server):
    context, page, errors = open_chat(browser, web_page, channel_server, DESKTOP)
    try:
        # The page starts at the top: the widget does not steal focus on load.
        assert page.evaluate("document.activeElement === document.body")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Skip to the chat"
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Your message to Backline"
        # Every control in the chat has a name a screen reader can read.
        assert page.get_by_role("button", name="Send").count() == 1
        assert page.get_by_role("log", name="Conversation with Backline").count() == 1
        assert errors == []
    finally:
        context.close()


def test_the_page_talks_only_to_its_configured_server(browser, web_page, channel_server):
    """A link naming another server (?server=) is ignored: the page still talks to its own Rasa server."""
    context = browser.new_context()
    context.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda route: route.abort())
    asked = []
    context.on("request", lambda request: asked.append(request.url))
    page = context.new_page()
    try:
        page.goto(f"{web_page}?server=http://127.0.0.1:9")
        page.locator(".rw-response", has_text="not a diagnosis").wait_for(timeout=TURN)
        assert not any(url.startswith("http://127.0.0.1:9/") for url in asked)
        assert any(url.startswith(channel_server.url + "/socket.io/") for url in asked)
    finally:
        context.close()
