"""The web page's controls and accessibility (issue 24), in Debian's chromium against the real servers, at a
laptop's size (1280x800) and a phone's (390x844): what loads, what can be reached and pressed, the text size,
focus after an answer button, tap-to-call numbers, the diary chart, keeping a copy, starting over, and a
deleted conversation that stays gone after a reload. axe-core (web/node_modules, `make install`) checks
WCAG 2.1 A and AA at each step."""
from __future__ import annotations

import json
import re
from contextlib import contextmanager

import pytest

from harness.servers import ROOT
from tests.channels.test_web import TURN, answer_options, bot_messages, send, wait_for_reply

pytestmark = pytest.mark.e2e

SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
TARGET = 44  # px: the smallest control the page offers
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
WCAG21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
MESSAGE_BOX = "Your message to Backline"
CONTROLS = ["Start over", "Delete", "Download", "Print"]
EMERGENCY_NUMBER = re.compile(r"(?<!\d)(999|911|112)(?!\d)")
DESCRIPTION = ("my husband has MS, he gets a burning, stabbing pain in his mid back that comes out of nowhere, "
               "worse when he is hot or stressed")
RED_FLAG = "my dad has ALS and since this morning he has wet himself twice and can't feel his legs, that never happens"


@pytest.fixture(params=list(SIZES))
def size(request) -> str:
    return request.param


@contextmanager
def chat_page(browser, web_page, channel_server, size):
    """A fresh browser context (a new conversation) at `size`; yields (page, problems) where problems collects
    console errors, page errors and any request to another host than this machine."""
    phone = size == "phone"
    context = browser.new_context(viewport=SIZES[size], device_scale_factor=1, is_mobile=phone, has_touch=phone,
                                  accept_downloads=True)
    problems = []

    def elsewhere(route):
        problems.append(f"asked another host: {route.request.url}")
        route.abort()

    context.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), elsewhere)
    page = context.new_page()
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    try:
        page.goto(f"{web_page}?server={channel_server.url}")
        page.locator(".rw-response", has_text="not a diagnosis").wait_for(timeout=TURN)
        wait_for_reply(page, 0)
        yield page, problems
    finally:
        context.close()


def press(page, size, locator):
    """A tap on a phone, a click on the laptop."""
    if size == "phone":
        locator.tap()
    else:
        locator.click()


def focused(page) -> str:
    """The focused element, as a person would name it."""
    return page.evaluate("""() => {
        const e = document.activeElement;
        return e.getAttribute('aria-label') || (e.tagName === 'SELECT' ? 'select#' + e.id : '') ||
               e.textContent.trim().slice(0, 40) || e.tagName; }""")


def axe_violations(page) -> list:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now (never skipped: a missing axe fails)."""
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `make install` (npm ci in web/ installs axe-core)")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(url="node_modules/axe-core/axe.min.js")  # the page's own origin: its CSP allows it
    result = page.evaluate("""tags => axe.run(document, {runOnly: {type: 'tag', values: tags}}).then(r => ({
        passes: r.passes.length,
        violations: r.violations.map(v => v.id + ': ' + v.help + ' at ' +
                                          v.nodes.map(n => n.target.join(' ')).join(', '))
    }))""", WCAG21_AA)
    assert result["passes"] > 10, "axe-core checked almost nothing: is the page empty?"
    return result["violations"]


def in_view(page, box) -> bool:
    viewport = page.viewport_size
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"] + 0.5 \
        and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"] + 0.5


def assert_numbers_are_links(page, scope):
    """Every emergency number said in `scope` (the conversation, the alert) is a tel: link with a 44 px target."""
    for area in page.locator(scope).all():
        said = EMERGENCY_NUMBER.findall(area.inner_text())
        links = area.locator("a[href^='tel:']")
        linked = [links.nth(i).inner_text() for i in range(links.count())]
        assert sorted(n for n in linked if EMERGENCY_NUMBER.fullmatch(n)) == sorted(said), (said, linked)
        for i in range(links.count()):
            assert links.nth(i).get_attribute("href") == "tel:" + linked[i].replace(" ", "")
            assert links.nth(i).bounding_box()["height"] >= TARGET


def test_first_screen_controls_focus_order_and_accessibility(browser, web_page, channel_server, size):
    with chat_page(browser, web_page, channel_server, size) as (page, problems):
        # The message box and every control are on the first screen, big enough to press.
        box = page.get_by_role("textbox", name=MESSAGE_BOX)
        assert in_view(page, box.bounding_box()), f"the message box is below the fold: {box.bounding_box()}"
        controls = [page.get_by_role("button", name=name, exact=True) for name in CONTROLS]
        controls += [page.get_by_role("combobox", name="Text size"), page.get_by_role("button", name="Send"), box]
        for control in controls:
            where = control.bounding_box()
            assert in_view(page, where), control
            assert where["height"] >= TARGET and where["width"] >= TARGET, (control, where)
        # The emergency numbers are tap-to-call, on the page and in the bot's greeting.
        numbers = [a.get_attribute("href") for a in page.locator(".emergency a").all()]
        assert numbers == ["tel:999", "tel:911", "tel:112"]
        assert_numbers_are_links(page, ".emergency")
        assert_numbers_are_links(page, ".rw-messages-container")

        # Keyboard only, from the top: skip link, emergency numbers, the controls, then the conversation.
        assert page.evaluate("document.activeElement === document.body")
        order = []
        for _ in range(20):
            page.keyboard.press("Tab")
            order.append(focused(page))
            if order[-1] == MESSAGE_BOX:
                break
        expected = ["Skip to the chat", "999", "911", "112", *CONTROLS, "select#text-size",
                    "Conversation with Backline"]
        assert order[:len(expected)] == expected, order
        assert order[-1] == MESSAGE_BOX, order

        assert axe_violations(page) == []
        # Nothing blocked, nothing fetched from elsewhere (the widget's web font was both), no script error.
        assert problems == []
        assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]


def test_text_follows_the_browsers_size_and_the_text_size_control(browser, web_page, channel_server, size):
    with chat_page(browser, web_page, channel_server, size) as (page, problems):
        message = bot_messages(page).first

        def text_px(locator):
            return float(locator.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))

        assert text_px(message) == 16
        # The browser's own setting (Chrome: Settings > Appearance > Font size), as DevTools sets it.
        cdp = page.context.new_cdp_session(page)
        cdp.send("Page.setFontSizes", {"fontSizes": {"standard": 24, "fixed": 20}})
        page.wait_for_timeout(200)
        assert text_px(message) == 24
        assert text_px(page.get_by_role("textbox", name=MESSAGE_BOX)) == 24
        cdp.send("Page.setFontSizes", {"fontSizes": {"standard": 16, "fixed": 13}})
        page.wait_for_timeout(200)

        control = page.get_by_role("combobox", name="Text size")
        control.select_option(label="Larger")
        assert text_px(message) == 20  # 125 %
        assert text_px(page.get_by_role("button", name="Start over")) == 20
        # Remembered on this device: a reload keeps it.
        page.reload()
        bot_messages(page).first.wait_for(timeout=TURN)
        assert page.get_by_role("combobox", name="Text size").input_value() == "larger"
        assert text_px(bot_messages(page).first) == 20
        page.get_by_role("combobox", name="Text size").select_option(label="Normal")
        assert text_px(bot_messages(page).first) == 16
        assert problems == []


def test_after_an_answer_button_focus_stays_in_the_conversation(browser, web_page, channel_server, size,
                                                                  screenshots_dir):
    with chat_page(browser, web_page, channel_server, size) as (page, problems):
        send(page, DESCRIPTION)
        options = answer_options(page)
        options.first.wait_for(timeout=TURN)
        for i in range(options.count()):
            where = options.nth(i).bounding_box()
            assert where["height"] >= TARGET and where["width"] >= TARGET
        assert axe_violations(page) == []
        # The README's pictures of the page (docs/img/web-page-desktop.png, web-page-phone.png).
        page.screenshot(path=str(screenshots_dir / f"web-page-{size}.png"))

        # Pointer: tapped on a phone, focus goes to the conversation (the keyboard does not pop up over the
        # next answers); clicked on a laptop, to the message box.
        before = bot_messages(page).count()
        press(page, size, options.first)
        page.wait_for_timeout(100)
        assert focused(page) == ("Conversation with Backline" if size == "phone" else MESSAGE_BOX)
        wait_for_reply(page, before)
        assert focused(page) == ("Conversation with Backline" if size == "phone" else MESSAGE_BOX)

        # Keyboard: Shift+Tab from the message box to an answer button, Enter: back in the message box.
        if not answer_options(page).count():
            send(page, "not sure")
        answer_options(page).first.wait_for(timeout=TURN)
        page.get_by_role("textbox", name=MESSAGE_BOX).focus()
        for _ in range(6):
            page.keyboard.press("Shift+Tab")
            if page.evaluate("document.activeElement.getAttribute('role')") == "button":
                break
        assert page.evaluate("document.activeElement.closest('.rw-replies') !== null")
        before = bot_messages(page).count()
        page.keyboard.press("Enter")
        page.wait_for_timeout(100)
        assert focused(page) == MESSAGE_BOX
        wait_for_reply(page, before)
        assert focused(page) == MESSAGE_BOX
        assert problems == []


def test_an_emergency_gives_numbers_to_tap(browser, web_page, channel_server, size):
    with chat_page(browser, web_page, channel_server, size) as (page, problems):
        send(page, RED_FLAG)
        alert = page.get_by_role("alert")
        assert "Seek care now." in alert.inner_text()
        assert [a.get_attribute("href") for a in alert.locator("a").all()] == ["tel:999", "tel:911", "tel:112"]
        assert_numbers_are_links(page, "#escalation")
        assert_numbers_are_links(page, ".rw-messages-container")
        assert axe_violations(page) == []
        assert problems == []


def test_the_diary_chart_has_its_summary_as_text_and_opens_large(browser, web_page, channel_server, size):
    with chat_page(browser, web_page, channel_server, size) as (page, problems):
        send(page, "log: his back pain was 6 out of 10 this morning, a heat pad helped")
        send(page, "show the diary")
        chart = page.locator("img[src*='/webhooks/rest/diary/chart.png']")
        chart.wait_for(timeout=TURN)
        page.wait_for_timeout(500)
        assert chart.evaluate("img => img.complete && img.naturalWidth") > 500
        # Its text alternative is the diary summary the bot said with it.
        summaries = [m for m in bot_messages(page).all_inner_texts() if "out of 10" in m or "/10" in m]
        summary = " ".join(summaries[-1].split())
        alt = " ".join(chart.get_attribute("alt").split())
        assert alt.startswith("Pain diary chart.") and summary in alt, (alt, summary)

        small = chart.bounding_box()["width"]
        press(page, size, chart)
        dialog = page.get_by_role("dialog", name="Pain diary chart")
        assert dialog.is_visible()
        large = dialog.locator("img")
        assert large.evaluate("img => img.complete && img.naturalWidth") > 500
        assert large.bounding_box()["width"] > small
        assert summary in " ".join(dialog.inner_text().split())
        assert focused(page) == "Close"
        assert axe_violations(page) == []
        page.keyboard.press("Escape")
        assert not dialog.is_visible()
        assert focused(page) == "Enlarge the chart"
        # The button opens it too, and Close closes it.
        page.get_by_role("button", name="Enlarge the chart").click()
        assert dialog.is_visible()
        page.get_by_role("button", name="Close").click()
        assert not dialog.is_visible()
        assert problems == []


def stored(page) -> str:
    return page.evaluate("JSON.stringify(sessionStorage) + JSON.stringify(localStorage)")


def test_download_print_start_over_and_delete_then_reload(browser, web_page, channel_server, size, tmp_path):
    with chat_page(browser, web_page, channel_server, size) as (page, problems):
        send(page, RED_FLAG)
        assert page.get_by_role("alert").is_visible()
        token = json.loads(page.evaluate("sessionStorage.getItem('chat_session')"))["session_id"]

        # Download: the conversation as text, who said what.
        with page.expect_download() as download:
            press(page, size, page.get_by_role("button", name="Download", exact=True))
        path = tmp_path / "copy.txt"
        download.value.save_as(path)
        copy = path.read_text()
        assert download.value.suggested_filename.startswith("backline-conversation-")
        assert copy.startswith("Backline conversation, saved on ")
        assert f"You: {RED_FLAG}" in copy and "Backline: Seek care now." in copy

        # Print: the browser's print, of the whole conversation without the controls.
        page.evaluate("() => { window.print = () => { window.printed = (window.printed || 0) + 1; }; }")
        press(page, size, page.get_by_role("button", name="Print", exact=True))
        assert page.evaluate("window.printed") == 1
        page.emulate_media(media="print")
        assert not page.get_by_role("button", name="Start over").is_visible()
        assert page.locator("#print-heading").inner_text().startswith("Backline conversation, printed on ")
        log = page.locator(".rw-messages-container")
        assert log.evaluate("e => e.scrollHeight <= e.clientHeight + 1")  # nothing scrolled out of the paper
        assert page.get_by_text(RED_FLAG).is_visible()
        page.emulate_media(media="screen")

        # Start over: the bot's own command; the red box goes, focus stays in the conversation.
        before = bot_messages(page).count()
        press(page, size, page.get_by_role("button", name="Start over", exact=True))
        wait_for_reply(page, before)
        said = " ".join(bot_messages(page).all_inner_texts()[before:])
        assert "start again" in said
        assert page.locator("#escalation").inner_text() == ""
        assert focused(page) == MESSAGE_BOX

        # Delete: the bot asks once; yes deletes it on the server, and the page forgets it too.
        before = bot_messages(page).count()
        press(page, size, page.get_by_role("button", name="Delete", exact=True))
        wait_for_reply(page, before)
        with page.expect_navigation():
            press(page, size, page.get_by_role("button", name="Yes, delete it"))
        page.locator(".rw-response", has_text="not a diagnosis").wait_for(timeout=TURN)
        assert "deleted" in page.get_by_role("status").filter(has_text="deleted").inner_text()
        for attempt in ("after the delete", "after a reload"):
            wait_for_reply(page, 0)
            shown = page.locator(".rw-messages-container").inner_text()
            assert RED_FLAG not in shown and "Seek care now" not in shown, attempt
            assert page.locator("#escalation").inner_text() == "", attempt
            assert token not in stored(page) and RED_FLAG not in stored(page), attempt
            page.reload()
            page.locator(".rw-response", has_text="not a diagnosis").wait_for(timeout=TURN)
        assert page.locator("#notice").inner_text() == ""  # said once, not on every visit
        assert problems == []

