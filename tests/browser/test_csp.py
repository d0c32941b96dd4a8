"""The Content-Security-Policy in a real browser: htmx saves the day's entry and Chromium reports
no violation (it logs each one to the console as "... violates the following Content Security
Policy directive ...")."""

import re

from playwright.sync_api import Page, expect

from journal.models import DailyEntry


def test_htmx_saves_under_the_csp_without_a_violation(page: Page, login, owner, child):
    problems: list[str] = []
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and problems.append(message.text),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    login(owner)

    response = page.goto(f"/children/{child.pk}/entries/{child.today()}/")

    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    expect(page.locator("body")).to_have_attribute("hx-headers", re.compile("X-CSRFToken"))
    assert page.evaluate("typeof window.htmx") == "object"  # the page's own scripts ran

    page.get_by_role("group", name="Eyes", exact=True).locator("label").filter(
        has_text=re.compile(r"^2:")
    ).tap()
    with page.expect_response(lambda answer: answer.request.method == "POST") as posted:
        page.get_by_role("button", name="Save", exact=True).tap()
    assert posted.value.request.headers.get("hx-request") == "true"  # htmx sent it, in place
    expect(page.locator(".save-state")).to_contain_text("Saved at")

    assert DailyEntry.objects.get(child=child).opsoclonus == 2
    assert problems == []


def test_an_inline_script_would_be_reported(page: Page, login, owner, child):
    """The listener above hears violations: an inline script added to the page is refused."""
    login(owner)
    page.goto("/")

    with page.expect_console_message(lambda m: "Content Security Policy" in m.text) as message:
        page.evaluate(
            """() => {
                const script = document.createElement("script");
                script.textContent = "window.injected = true";
                document.body.append(script);
            }"""
        )

    assert "script-src" in message.value.text
    assert page.evaluate("window.injected === undefined")
