"""The web chat in a real browser (Debian's headless Chromium through Playwright), against the real
Rasa, action server and page server started by the `live_assistant` fixture in conftest.py."""

from __future__ import annotations

import http.client
import json
import re
import shutil
import time
from pathlib import Path
from typing import Dict, Iterator, List, Optional
from urllib.parse import urljoin, urlsplit

import pytest
from playwright import sync_api

Page = sync_api.Page
expect = sync_api.expect

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "results" / "screenshots"
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"  # installed by web/install.sh
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
BOT_TIMEOUT_MS = 30_000

# What a person would click for each screening question, best first (matched in button titles),
# so that the screening ends with at least one program that fits and providers near Worcester, MA.
PREFERRED_ANSWERS: Dict[str, List[str]] = {
    "for_whom": [r"\bme\b", r"myself", r"\bself\b"],
    "location": [r"worcester", r"\bMA\b", r"massachusetts", r"boston"],
    "coverage": [r"masshealth.*(plan|managed)", r"masshealth.*not sure", r"masshealth"],
    "age": [r"18 or older", r"older|adult", r"^\s*[2-5]\d\b"],
    "diagnosis": [r"mental health", r"both", r"^yes"],
    "psych_discharge": [r"^yes"],
    "er_visits": [r"[2-9] or more", r"more", r"\b[2-9]\b", r"^yes"],
    "access_barriers": [r"^yes"],
    "housing": [r"housed", r"have (a )?(home|place)", r"stable", r"^no\b"],
    "move_in": [r"30", r"month", r"^yes"],
    "justice": [r"^no\b"],
    "daily_living": [r"^yes"],
    "consent": [r"^yes"],
}
# What to type when no button fits (questions answered with a number or a place).
TYPED_ANSWERS: Dict[str, str] = {
    "location": "Worcester, MA",
    "age": "34",
    "er_visits": "3",
    "move_in": "30",
    "psych_discharge": "3 weeks ago",
}
NOT_SURE = re.compile(r"not sure|don.?t know|skip|stop|back|restart|start over|human", re.I)


@pytest.fixture(scope="module")
def browser() -> Iterator[sync_api.Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is needed for the browser test: apt-get install -y chromium")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def open_chat(
    browser,
    live_assistant,
    viewport: Dict[str, int] = PHONE,
    path: str = "/",
    bot_messages: Optional[List[dict]] = None,
) -> Page:
    """The chat page, open at the greeting. `bot_messages` collects every message the bot sends
    over socket.io (as the widget receives it)."""
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.page_errors = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda error: page.page_errors.append(str(error)))  # type: ignore[attr-defined]
    if bot_messages is not None:
        page.on("websocket", lambda ws: ws.on("framereceived", lambda frame: collect_bot_message(frame, bot_messages)))
    page.goto(urljoin(live_assistant.web_url.rstrip("/") + "/", path.lstrip("/")))
    expect(page.locator(".rc-reply").first).to_be_visible(timeout=BOT_TIMEOUT_MS)
    return page


SOCKET_IO_EVENT = re.compile(r"^42(?:/[^,\[]*,)?(\[.*\])$", re.S)


def collect_bot_message(frame, into: List[dict]) -> None:
    """A socket.io event frame (`42["bot_uttered", {...}]`) carrying a bot message."""
    text = frame if isinstance(frame, str) else getattr(frame, "payload", frame)
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    match = SOCKET_IO_EVENT.match(text or "")
    if match:
        event = json.loads(match.group(1))
        if event and event[0] == "bot_uttered" and len(event) > 1 and isinstance(event[1], dict):
            into.append(event[1])


def card_payload(bot_messages: List[dict], kind: str) -> dict:
    found = [m["custom"] for m in bot_messages if isinstance(m.get("custom"), dict) and m["custom"].get("type") == kind]
    assert found, f"no {kind} payload was received over socket.io"
    return found[-1]


def bubble_texts(page: Page) -> List[str]:
    return [t.strip() for t in page.locator(".rc-log .rc-bubble").all_inner_texts()]


def assert_outcomes_shown_once_as_the_card(page: Page, eligibility: dict) -> None:
    """Each program's outcome is in the card, with the name the payload gives, and not also in a bubble."""
    programs = eligibility["programs"]
    assert eligibility.get("covers"), "the eligibility payload says which texts it shows again"
    names = [n.strip() for n in page.locator(".rc-eligibility .rc-program-name").all_inner_texts()]
    assert names == [p.get("name") or p["id"] for p in programs]
    assert all(p.get("name") for p in programs), "the payload names every program"
    bubbles = bubble_texts(page)
    for covered in eligibility["covers"]:
        first_line = covered.strip().splitlines()[0]
        assert not [b for b in bubbles if first_line in b], f"shown twice, as a bubble too: {first_line!r}"
    for program in programs:
        heading = f"{program['name']}: "
        assert not [b for b in bubbles if heading in b], f"{program['name']} has an outcome bubble"
        assert page.locator(".rc-eligibility .rc-program-name", has_text=program["name"]).count() == 1
    reasons = [r for p in programs for r in p.get("reasons") or []]
    shown = [r.strip() for r in page.locator(".rc-eligibility .rc-reasons li").all_inner_texts()]
    assert sorted(shown) == sorted(reasons), "each reason once per program, in the card"


def assert_provider_list_shown_once_as_the_card(page: Page, providers: dict) -> None:
    assert providers.get("covers"), "the providers payload says which texts it shows again"
    bubbles = bubble_texts(page)
    for covered in providers["covers"]:
        for line in covered.strip().splitlines()[:2]:  # the heading and the first provider
            assert not [b for b in bubbles if line.strip() in b], f"the provider list is also a bubble: {line!r}"
    assert page.locator(".rc-providers").count() == 1
    cards = page.locator(".rc-provider-name").all_inner_texts()
    assert [c.strip() for c in cards] == [item["name"] for item in providers["items"]]
    # Program names on the cards are the payload's, by id.
    program_names = providers.get("program_names") or {}
    first = providers["items"][0]
    assert first["programs"] and all(p in program_names for p in first["programs"])
    tags = page.locator(".rc-provider").first.locator(".rc-tag", has_text="Programs:").inner_text()
    assert tags.strip() == "Programs: " + ", ".join(program_names[p] for p in first["programs"])


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def assert_accessible(page: Page) -> None:
    """Runs the axe-core audit (WCAG 2.2 A and AA rules: contrast, labels, ARIA) on the page as shown."""
    if not AXE.exists():
        pytest.fail("axe-core is missing: run web/install.sh")
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;true")  # evaluated over CDP, so the CSP allows it
    violations = page.evaluate(
        """async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))
             .violations.map(v => `${v.id}: ${v.help} at ${v.nodes.map(n => n.target.join(' '))}`)""",
        WCAG_AA,
    )
    assert violations == []


def conversation_snapshot(page: Page) -> str:
    return page.evaluate(
        """() => [document.querySelectorAll('.rc-log > li').length,
                  Array.from(document.querySelectorAll('.rc-reply')).map(b => b.textContent).join('|'),
                  (document.querySelector('.rc-progress') || {}).textContent || ''].join('#')"""
    )


def wait_for_bot(page: Page, before: str, quiet_ms: int = 800) -> None:
    """Waits until the bot has answered (the page changed) and has been quiet for quiet_ms."""
    deadline = time.monotonic() + BOT_TIMEOUT_MS / 1000
    while conversation_snapshot(page) == before:
        if time.monotonic() > deadline:
            raise AssertionError("the bot did not answer in time")
        page.wait_for_timeout(100)
    last, stable_since = conversation_snapshot(page), time.monotonic()
    while time.monotonic() - stable_since < quiet_ms / 1000:
        page.wait_for_timeout(100)
        now = conversation_snapshot(page)
        if now != last:
            last, stable_since = now, time.monotonic()


def reply_titles(page: Page) -> List[str]:
    return [title.strip() for title in page.locator(".rc-reply").all_inner_texts()]


def click_reply(page: Page, title: str) -> None:
    before = conversation_snapshot(page)
    page.locator(".rc-reply", has_text=title).first.click()
    wait_for_bot(page, before)


def type_message(page: Page, text: str) -> None:
    before = conversation_snapshot(page)
    page.get_by_label("Type your answer or question").fill(text)
    page.get_by_role("button", name="Send").click()
    wait_for_bot(page, before)


def choose_answer(question_id: str, titles: List[str]) -> Optional[str]:
    for pattern in PREFERRED_ANSWERS.get(question_id, []):
        for title in titles:
            if re.search(pattern, title, re.I):
                return title
    if question_id in TYPED_ANSWERS:
        return None
    for title in titles:
        if re.fullmatch(r"yes.*", title, re.I):
            return title
    usable = [title for title in titles if not NOT_SURE.search(title)]
    return usable[0] if usable else (titles[0] if titles else None)


def current_question(page: Page) -> str:
    progress = page.locator(".rc-progress")
    return (progress.get_attribute("data-question-id") or "") if progress.is_visible() else ""


def answer_current_question(page: Page) -> None:
    question_id = current_question(page)
    choice = choose_answer(question_id, reply_titles(page))
    if choice is not None:
        click_reply(page, choice)
    else:
        type_message(page, TYPED_ANSWERS.get(question_id, "yes"))


def answer_screening(page: Page, max_turns: int = 30) -> List[str]:
    """Answers every question until the eligibility summary shows; returns the progress texts seen."""
    progress_seen: List[str] = []
    for _ in range(max_turns):
        if page.locator(".rc-eligibility").count():
            return progress_seen
        if page.locator(".rc-progress").is_visible():
            progress_seen.append(page.locator(".rc-progress").inner_text().strip())
        answer_current_question(page)
    raise AssertionError(f"no eligibility summary after {max_turns} answers; progress: {progress_seen}")


def start_screening(page: Page) -> None:
    titles = reply_titles(page)
    start = next((t for t in titles if re.search(r"eligib|check|screen|qualif", t, re.I)), None)
    start = start or next((t for t in titles if re.fullmatch(r"me|for me|myself", t, re.I)), None)
    if start:
        click_reply(page, start)
    else:
        type_message(page, "Check my eligibility")


def show_providers(page: Page) -> None:
    if page.locator(".rc-provider").count():
        return
    titles = reply_titles(page)
    ask = next((t for t in titles if re.search(r"provider|near|find|show", t, re.I)), None)
    ask = ask or next((t for t in titles if re.fullmatch(r"yes.*", t, re.I)), None)
    if ask:
        click_reply(page, ask)
    else:
        type_message(page, "Find providers near me")
    expect(page.locator(".rc-provider").first).to_be_visible(timeout=BOT_TIMEOUT_MS)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "1280px"])
def test_a_person_completes_the_screening_by_clicking_and_sees_results_and_providers(
    browser, live_assistant, viewport
) -> None:
    bot_messages: List[dict] = []
    page = open_chat(browser, live_assistant, viewport, bot_messages=bot_messages)
    width = viewport["width"]
    screenshot(page, f"chat-{width}-greeting")
    start_screening(page)
    expect(page.locator(".rc-progress")).to_contain_text(re.compile(r"Question \d+ of \d+"))
    screenshot(page, f"chat-{width}-question")

    progress_seen = answer_screening(page)

    assert progress_seen and all(re.fullmatch(r"Question \d+ of \d+", p) for p in progress_seen)
    summary = page.locator(".rc-eligibility")
    expect(summary).to_be_visible()
    expect(summary.locator(".rc-program").first).to_be_visible()
    statuses = summary.locator(".rc-badge").all_inner_texts()
    assert statuses and all(re.search(r"(Likely|Possibly|Unlikely) a match", s) for s in statuses)
    assert any("Likely" in s or "Possibly" in s for s in statuses), statuses
    expect(summary).to_contain_text("Why:")
    assert_outcomes_shown_once_as_the_card(page, card_payload(bot_messages, "eligibility"))
    summary.scroll_into_view_if_needed()
    screenshot(page, f"chat-{width}-eligibility")

    show_providers(page)
    first_card = page.locator(".rc-provider").first
    expect(first_card.locator(".rc-provider-name")).not_to_be_empty()
    expect(first_card).to_contain_text(re.compile(r"miles? away"))
    phone_links = page.locator(".rc-provider a[href^='tel:']")
    assert phone_links.count() >= 1
    for href in page.locator(".rc-provider a[href]").evaluate_all("links => links.map(a => a.href)"):
        assert href.startswith(("tel:", "http://", "https://")), href
    assert_provider_list_shown_once_as_the_card(page, card_payload(bot_messages, "providers"))
    if page.locator(".rc-show-more").count():
        shown = page.locator(".rc-provider:visible").count()
        page.locator(".rc-show-more").click()
        assert page.locator(".rc-provider:visible").count() > shown
    first_card.scroll_into_view_if_needed()
    screenshot(page, f"chat-{width}-providers")
    assert page.page_errors == []  # type: ignore[attr-defined]
    assert_accessible(page)


COVERED_OUTCOME = "Alpha program: looks like a good match.\n- reason A"
COVERED_IN_PARTS = "BETA: might be a match.\n\nSecond part of it"


def test_a_text_that_a_card_covers_is_shown_once_whether_it_comes_before_or_after_the_card(
    browser, live_assistant
) -> None:
    # Bot messages handed to the widget as socket.io delivers them (Rasa splits a text at blank lines).
    page = open_chat(browser, live_assistant)
    messages = [
        {"text": COVERED_OUTCOME},
        {"text": "A line no card covers"},
        {
            "custom": {
                "type": "eligibility",
                "covers": [COVERED_OUTCOME, COVERED_IN_PARTS],
                "programs": [
                    {"id": "ALPHA", "name": "Alpha program", "status": "likely", "reasons": ["reason A"]},
                    {"id": "BETA", "status": "possible", "reasons": []},
                ],
            }
        },
        {"text": "BETA: might be a match."},
        {"text": "Second part of it"},
        {
            "custom": {
                "type": "providers",
                "near": {"town": "Worcester"},
                "covers": ["Here is the list:\n1. Provider One"],
                "program_names": {"ALPHA": "Alpha program"},
                "items": [
                    {
                        "id": "p1",
                        "name": "Provider One",
                        "programs": ["ALPHA", "GAMMA"],
                        "distance_miles": 1.2,
                        "phone": "(508) 555-0199",
                    }
                ],
            }
        },
        {"text": "Here is the list:\n1. Provider One"},
    ]
    page.evaluate("(messages) => messages.forEach((m) => window.referralChat.receive(m))", messages)

    def check() -> None:
        bubbles = bubble_texts(page)
        assert "A line no card covers" in bubbles
        for covered in ("Alpha program: looks", "BETA: might", "Second part of it", "Here is the list"):
            assert not [b for b in bubbles if covered in b], covered
        # Names from the payload; the program id where the payload gives none.
        names = page.locator(".rc-eligibility .rc-program-name").all_inner_texts()
        assert [n.strip() for n in names] == ["Alpha program", "BETA"]
        expect(page.locator(".rc-eligibility .rc-reasons li")).to_have_text(["reason A"])
        expect(page.locator(".rc-provider .rc-tag", has_text="Programs:")).to_have_text(
            "Programs: Alpha program, GAMMA"
        )

    check()
    page.reload()
    expect(page.locator(".rc-eligibility")).to_be_visible()
    check()  # the transcript was saved without the covered texts

    # A new turn: the same text, with no card of its own, is shown.
    type_message(page, "what is CSP?")
    page.evaluate("(text) => window.referralChat.receive({text: text})", COVERED_OUTCOME)
    assert [b for b in bubble_texts(page) if b == COVERED_OUTCOME]
    assert page.page_errors == []  # type: ignore[attr-defined]


def test_a_crisis_message_shows_a_banner_with_call_and_text_links_that_stays(browser, live_assistant) -> None:
    page = open_chat(browser, live_assistant)
    type_message(page, "I want to kill myself")

    banner = page.locator(".rc-crisis")
    expect(banner).to_be_visible(timeout=BOT_TIMEOUT_MS)
    expect(banner.locator("a[href^='tel:']").first).to_be_visible()
    assert banner.locator("a[href^='sms:']").count() >= 1
    screenshot(page, "chat-360-crisis")
    assert_accessible(page)

    type_message(page, "hello")
    expect(banner).to_be_visible()
    page.reload()
    expect(page.locator(".rc-crisis")).to_be_visible()


def test_a_script_tag_typed_by_the_user_shows_as_text(browser, live_assistant) -> None:
    page = open_chat(browser, live_assistant)
    typed = '<script>window.__injected = 1</script><img src=x onerror="window.__injected = 2">'
    type_message(page, typed)

    bubble = page.locator(".rc-from-user .rc-bubble").last
    expect(bubble).to_have_text(typed)
    assert bubble.locator("script, img").count() == 0
    assert page.evaluate("() => window.__injected") is None


def test_a_reload_keeps_the_conversation_and_its_random_session(browser, live_assistant) -> None:
    page = open_chat(browser, live_assistant)
    start_screening(page)
    session_id = page.evaluate("() => JSON.parse(sessionStorage.getItem('referralChat.sessionId'))")
    assert re.fullmatch(r"[0-9a-f]{32,}", session_id)
    before = page.locator(".rc-log > li").all_inner_texts()

    page.reload()
    expect(page.locator(".rc-log > li")).to_have_count(len(before))
    assert page.locator(".rc-log > li").all_inner_texts() == before
    assert page.evaluate("() => JSON.parse(sessionStorage.getItem('referralChat.sessionId'))") == session_id
    # The same conversation goes on: the next answer moves the screening forward.
    question_before = current_question(page)
    assert question_before, "no screening question was shown after the reload"
    answer_current_question(page)
    assert page.locator(".rc-log > li").count() > len(before)
    assert current_question(page) != question_before

    other = open_chat(browser, live_assistant)
    other_id = other.evaluate("() => JSON.parse(sessionStorage.getItem('referralChat.sessionId'))")
    assert other_id != session_id


def test_end_chat_forgets_the_session_on_this_device(browser, live_assistant) -> None:
    page = open_chat(browser, live_assistant)
    old_id = page.evaluate("() => JSON.parse(sessionStorage.getItem('referralChat.sessionId'))")
    type_message(page, "hello")
    page.get_by_role("button", name="End chat").click()
    page.get_by_role("button", name="Yes, end and clear").click()

    expect(page.locator(".rc-from-user")).to_have_count(0)
    expect(page.locator(".rc-reply").first).to_be_visible(timeout=BOT_TIMEOUT_MS)
    new_id = page.evaluate("() => JSON.parse(sessionStorage.getItem('referralChat.sessionId'))")
    assert new_id != old_id


def test_the_chat_works_with_the_keyboard_alone(browser, live_assistant) -> None:
    page = open_chat(browser, live_assistant)
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.classList.contains('rc-reply')"):
            break
    else:
        raise AssertionError("Tab never reached an answer button")
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none"), "the focused button shows no focus outline"

    before = conversation_snapshot(page)
    page.keyboard.press("Enter")
    wait_for_bot(page, before)
    # Focus follows to the next answer choices, so Enter again answers the next question.
    assert page.evaluate("() => document.activeElement.classList.contains('rc-reply')")


def test_the_page_is_labelled_for_screen_readers_and_keeps_988_in_reach(browser, live_assistant) -> None:
    page = open_chat(browser, live_assistant)
    log = page.locator("[role='log']")
    expect(log).to_have_attribute("aria-live", "polite")
    expect(page.get_by_label("Type your answer or question")).to_be_visible()
    unnamed = page.locator("button").evaluate_all(
        "buttons => buttons.filter(b => !(b.textContent.trim() || b.getAttribute('aria-label'))).length"
    )
    assert unnamed == 0
    expect(page.locator("header")).to_contain_text("does not replace a clinician")
    footer = page.locator("footer")
    expect(footer.locator("a[href='tel:988']")).to_be_visible()
    expect(footer.locator("a[href='sms:988']")).to_be_visible()
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the page scrolls sideways at 360 px"


def test_a_site_embeds_the_launcher_with_one_script_tag(browser, live_assistant) -> None:
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(urljoin(live_assistant.web_url.rstrip("/") + "/", "embed.html"))
    launcher = page.locator(".rc-launcher")
    expect(launcher).to_be_visible()
    launcher.click()
    expect(page.get_by_role("dialog")).to_be_visible()
    expect(page.locator(".rc-reply").first).to_be_visible(timeout=BOT_TIMEOUT_MS)
    screenshot(page, "embed-1280-open")
    assert_accessible(page)
    page.keyboard.press("Escape")
    expect(launcher).to_be_focused()


def test_the_page_server_sends_security_headers_and_serves_only_the_chat(live_assistant) -> None:
    web = urlsplit(live_assistant.web_url)

    def get(path: str) -> http.client.HTTPResponse:
        connection = http.client.HTTPConnection(web.hostname, web.port, timeout=10)
        connection.request("GET", path)  # sent as written: "../" is not tidied away by the client
        return connection.getresponse()

    page = get("/")
    assert page.status == 200
    policy = page.getheader("Content-Security-Policy")
    rasa = urlsplit(live_assistant.rasa_url)
    assert "script-src 'self'" in policy and "default-src 'none'" in policy
    assert re.search(rf"connect-src [^;]*{rasa.port}", policy)
    assert page.getheader("X-Content-Type-Options") == "nosniff"
    assert page.getheader("Referrer-Policy") == "no-referrer"
    config = get("/config.js").read().decode()
    assert f":{rasa.port}" in config and "socketUrl" in config
    modules = sorted((ROOT / "web" / "chat").glob("*.js"))
    assert len(modules) >= 4
    for module in modules:
        response = get(f"/chat/{module.name}")
        assert response.status == 200, module.name
        assert response.getheader("Content-Type").startswith("text/javascript"), module.name
    for hidden in [
        "/package.json",
        "/install.sh",
        "/node_modules/axe-core/axe.min.js",
        "/chat/",
        "/../tools/serve_web.py",
        "/%2e%2e/Makefile",
    ]:
        assert get(hidden).status == 404, hidden


def test_a_site_on_another_origin_embeds_the_widget_with_one_module_tag(browser, live_assistant, another_site) -> None:
    # Module scripts are fetched with CORS: without the page server's permission they never run.
    page = browser.new_context(viewport=DESKTOP).new_page()
    page.goto(another_site + "/")
    page.evaluate(
        """(src) => { const tag = document.createElement('script'); tag.type = 'module'; tag.src = src;
                      document.body.appendChild(tag); }""",
        live_assistant.web_url.rstrip("/") + "/chat/widget.js",
    )
    expect(page.locator(".rc-launcher")).to_be_visible(timeout=BOT_TIMEOUT_MS)
    expect(page.locator(".rc-window")).to_be_hidden()


# ----- Only allowed origins reach the bot (rasa-webchat, the usual community widget) -----

WEBCHAT = ROOT / "web" / "node_modules" / "rasa-webchat" / "lib" / "index.js"  # dev dependency
SOCKET_IO = ROOT / "web" / "vendor" / "socket.io.min.js"


def webchat_script(rasa_url: str) -> str:
    """Starts rasa-webchat 1.0.1 with its default transports (polling, then websocket), and beside
    it a websocket-only socket.io client like ours; both send /greet."""
    settings = json.dumps(
        {
            "selector": "#webchat",
            "initPayload": "/greet",
            "socketUrl": rasa_url,
            "socketPath": "/socket.io/",
            "title": "Test",
            "embedded": True,
            "params": {"storage": "session"},
        }
    )
    return f"""
  window.WebChat.default({settings}, null);
  window.websocketAnswers = [];
  var socket = io({json.dumps(rasa_url)}, {{transports: ["websocket"], reconnection: true}});
  socket.on("connect", function () {{ socket.emit("session_request", {{session_id: "ws-" + Date.now()}}); }});
  socket.on("session_confirm", function (id) {{ socket.emit("user_uttered", {{message: "/greet", session_id: id}}); }});
  socket.on("bot_uttered", function (m) {{ window.websocketAnswers.push(m); }});
"""


def open_webchat_page(browser, rasa_url: str, page_url: str, attempts: Optional[List[str]] = None) -> Page:
    """A page of `page_url`'s site with rasa-webchat added to it. The page really comes from that
    site (a server on this machine), so the browser sends that origin; the scripts are added by
    the test, which is why the site's own Content-Security-Policy is set aside for it."""
    if not WEBCHAT.exists():
        pytest.fail("rasa-webchat is missing: run web/install.sh (it is a dev dependency in web/package.json)")
    context = browser.new_context(viewport=DESKTOP, bypass_csp=True)
    page = context.new_page()
    if attempts is not None:  # every socket.io request the page makes, on either transport
        page.on("request", lambda r: attempts.append(r.url) if "/socket.io/" in r.url else None)
        page.on("websocket", lambda ws: attempts.append(ws.url) if "/socket.io/" in ws.url else None)
    page.goto(page_url)
    page.evaluate("() => { document.body.innerHTML = '<div id=\"webchat\"></div>'; }")
    page.add_script_tag(content=WEBCHAT.read_text(encoding="utf-8"))
    page.add_script_tag(content=SOCKET_IO.read_text(encoding="utf-8"))
    page.add_script_tag(content=webchat_script(rasa_url))
    return page


@pytest.fixture
def another_site() -> Iterator[str]:
    """A web server on this machine with another origin (its own port), serving an empty page."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class EmptyPage(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"<!doctype html><html lang='en'><head><title>Another site</title></head><body></body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), EmptyPage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def test_rasa_webchat_with_its_default_transports_talks_to_the_bot_from_an_allowed_origin(
    browser, live_assistant
) -> None:
    # A page of the chat's own site (its 404 page will do): an allowed origin.
    page_url = live_assistant.web_url.rstrip("/") + "/rasa-webchat-test"
    page = open_webchat_page(browser, live_assistant.rasa_url, page_url)
    # The answer to its /greet, shown whole: it ends with the greeting's buttons.
    expect(page.locator(".rw-response", has_text="Who is the support for").first).to_be_visible(timeout=BOT_TIMEOUT_MS)
    expect(page.locator(".rw-reply").first).to_be_visible(timeout=BOT_TIMEOUT_MS)
    page.wait_for_function("() => window.websocketAnswers.length > 0", timeout=BOT_TIMEOUT_MS)
    page.wait_for_timeout(1000)
    seen = page.locator(".rw-response").all_inner_texts()
    page.locator(".rw-new-message").fill("what is CSP?")
    page.keyboard.press("Enter")
    # A new answer in words, after the person's message (rasa-webchat shows our custom payloads
    # as empty bubbles).
    page.wait_for_function(
        """(seen) => {
             const asked = Array.from(document.querySelectorAll('.rw-client')).pop();
             return !!asked && asked.textContent.includes('what is CSP?') &&
               Array.from(document.querySelectorAll('.rw-response')).some(b =>
                 (asked.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING) &&
                 /\\w/.test(b.innerText) && !seen.includes(b.innerText));
           }""",
        arg=seen,
        timeout=BOT_TIMEOUT_MS,
    )
    screenshot(page, "rasa-webchat-allowed-origin")


def test_a_page_on_another_origin_gets_nothing_over_either_transport(browser, live_assistant, another_site) -> None:
    attempts: List[str] = []
    page = open_webchat_page(browser, live_assistant.rasa_url, another_site + "/", attempts)
    page.wait_for_timeout(6000)  # several reconnection attempts on both transports
    # It tried both transports (the server refuses both: tests/e2e/test_hardening.py) and got nothing.
    assert any("transport=polling" in url for url in attempts), attempts
    assert any("transport=websocket" in url for url in attempts), attempts
    assert page.locator(".rw-response").count() == 0
    assert page.evaluate("() => window.websocketAnswers.length") == 0
