"""The same trigger logged twice, on a phone: asked about first, both kept when meant."""

from playwright.sync_api import Page, expect

from journal.models import TriggerEvent
from tests.factories import TriggerEventFactory


def test_a_second_fever_on_the_same_day_is_asked_about_then_kept(
    page: Page, login, owner, child, shot, axe
):
    fever = TriggerEventFactory(child=child, start_date=child.today())
    login(owner)
    page.goto(f"/children/{child.pk}/events/add/?type=fever")
    page.get_by_label("Highest temperature").fill("39.4")
    page.get_by_role("button", name="Save").last.tap()

    warning = page.get_by_role("alert")
    expect(warning).to_contain_text("Fever on")
    expect(warning).to_contain_text("is already logged")
    expect(page.get_by_label("Highest temperature")).to_have_value("39.4")
    assert TriggerEvent.objects.filter(child=child).count() == 1
    shot(page, "event-same-trigger")
    axe(page)

    page.get_by_role("button", name="Keep both").tap()
    expect(page.get_by_text("Saved: fever.")).to_be_visible()
    assert TriggerEvent.objects.filter(child=child, start_date=fever.start_date).count() == 2
