"""A taper in the browser: steps added in place, a ten-step taper from the helper, one save;
and the same without JavaScript."""

import datetime
import re

from playwright.sync_api import Page, expect

from journal.models import TreatmentCourse

DAY = datetime.timedelta(days=1)


def test_a_ten_step_taper_is_made_in_place_and_saved_once(
    page: Page, login, owner, child, shot, axe
):
    login(owner)
    page.goto(f"/children/{child.pk}/treatments/add/")
    expect(page.get_by_text("---------")).to_have_count(0)
    expect(page.get_by_label("Other drug")).to_be_hidden()  # until Other is chosen
    page.locator("label.choice").filter(has_text="ACTH").tap()
    page.get_by_label("Regimen").select_option("taper")
    page.get_by_label("Starting dose").fill("150")
    page.evaluate("window.stayed = true")  # gone if the page were loaded again

    page.get_by_role("button", name="Add a step").tap()
    expect(page.locator(".step")).to_have_count(3)
    expect(page.locator("#id_changes-2-date")).to_be_focused()
    page.get_by_text("Make the steps of a taper").tap()
    expect(page.get_by_label("From")).to_have_value("150")
    page.get_by_label("Lower by").fill("15")
    page.get_by_label("Every (days)").fill("7")
    page.get_by_label("Down to").fill("0")
    shot(page, "treatment-taper-helper")
    page.get_by_role("button", name="Make the steps").tap()

    expect(page.get_by_text("10 steps added below: check them, then save.")).to_be_visible()
    expect(page.locator(".step")).to_have_count(10)
    assert page.evaluate("window.stayed") is True  # swapped in place, not a new page
    expect(page.locator("#id_changes-9-dose")).to_have_value("0")
    # The first step is focused once htmx settles the swap: typing before that would go there.
    expect(page.locator("#id_changes-0-date")).to_be_focused()
    expect(page.get_by_label("Starting dose")).to_have_value("150")  # the course kept as typed
    page.locator("#id_changes-9-note").fill("Stop")
    shot(page, "treatment-taper-steps")
    axe(page)

    page.get_by_role("button", name="Save", exact=True).last.tap()

    expect(page.get_by_text("Saved: ACTH.")).to_be_visible()
    course = TreatmentCourse.objects.get(child=child)
    steps = list(course.changes.all())
    assert [int(step.dose) for step in steps] == list(range(135, -1, -15))
    assert steps[0].date == child.today()
    assert steps[-1].date == child.today() + 63 * DAY
    assert steps[-1].note == "Stop"


def test_without_javascript_a_step_is_added_by_posting_the_form(phone, owner, child):
    page = phone(owner, java_script_enabled=False)
    page.goto(f"/children/{child.pk}/treatments/add/")
    page.locator("label.choice").filter(has_text=re.compile(r"^Prednisolone$")).click()
    page.get_by_label("Starting dose").fill("2")
    page.locator("#id_changes-0-dose").fill("1.5")
    page.get_by_role("button", name="Add a step").click()

    expect(page.locator(".step")).to_have_count(3)
    expect(page.locator("#id_changes-0-dose")).to_have_value("1.5")
    expect(page.get_by_label("Starting dose")).to_have_value("2")
    expect(page.locator("input[name=drug][value=prednisolone]")).to_be_checked()
    assert not TreatmentCourse.objects.exists()
