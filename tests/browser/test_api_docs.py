"""The API's reference page in a real browser: Swagger UI from our own static files (nothing from
another origin), under the site's Content-Security-Policy without a violation, and a caregiver
logged in tries a request with the session."""

import json
from urllib.parse import urlsplit

from playwright.sync_api import Page, expect

from tests.factories import DailyEntryFactory


def test_the_reference_page_runs_from_our_own_files_and_tries_a_request(
    page: Page, login, owner, child, live_server
):
    DailyEntryFactory(child=child, notes="Read from the reference page")
    problems: list[str] = []
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and problems.append(message.text),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    origins = set()
    page.on("request", lambda request: origins.add(urlsplit(request.url).netloc))
    login(owner)

    page.goto("/api/v1/docs/")
    expect(page.get_by_text("OMS Journal API").first).to_be_visible()
    operation = page.locator(".opblock").filter(has_text="/api/v1/children/{child_id}/days").first
    operation.locator(".opblock-summary").click()
    page.get_by_role("button", name="Try it out").click()
    page.locator("input[placeholder='child_id']").fill(str(child.pk))
    with page.expect_response(lambda answer: "/days" in answer.url) as answered:
        page.get_by_role("button", name="Execute").click()

    assert answered.value.status == 200
    days = json.loads(answered.value.body())["results"]
    assert [day["notes"] for day in days] == ["Read from the reference page"]
    assert origins == {urlsplit(live_server.url).netloc}
    assert problems == []
