"""A day's temperature of 38.0 °C or more is a fever: counted once by the analysis, shown
wherever the day shows, and offered to be logged as a trigger with its temperature filled in."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from journal import services, summary, trends
from journal.models import TriggerEvent
from tests.factories import DailyEntryFactory, TriggerEventFactory
from tests.view_helpers import HTMX, child_url, html_of, text_of, value_of

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
LABEL = "Fever: 39.6 °C (day's temperature)"


@pytest.fixture
def today(child) -> datetime.date:
    return child.today()


@pytest.fixture
def feverish(child, today):
    """Today logged with 39.6 °C, two days ago with 37.2 °C."""
    DailyEntryFactory(child=child, date=today - 2 * DAY, max_temperature_c=Decimal("37.2"))
    return DailyEntryFactory(child=child, date=today, max_temperature_c=Decimal("39.6"))


def entry_url(child, day: datetime.date) -> str:
    return reverse("entry_form", kwargs={"child_id": child.pk, "day": day})


def fever_link(child, day: datetime.date, temperature: str = "39.6") -> str:
    query = f"type=fever&amp;start_date={day.isoformat()}&amp;temperature_c={temperature}"
    return f"{child_url('event_add', child)}?{query}"


def test_the_analysis_reads_the_days_fever_once(child, today, feverish):
    triggers = trends.load_history(child).triggers
    assert [(t.date, t.label) for t in triggers if t.type == "fever"] == [(today, LABEL)]

    TriggerEventFactory(child=child, start_date=today, temperature_c=Decimal("39.6"))
    child.refresh_from_db()
    fevers = [t for t in trends.load_history(child).triggers if t.type == "fever"]
    assert [(t.date, t.from_entries) for t in fevers] == [(today, False)]


def test_the_history_shows_each_days_temperature_and_says_fever(owner_client, child, feverish):
    text = text_of(owner_client.get(child_url("entry_list", child)))

    assert "Fever 39.6 °C" in text
    assert "Temperature 37.2 °C" in text
    assert "Fever 37.2" not in text


def test_the_dashboard_shows_todays_fever_and_offers_to_log_it(
    owner_client, child, today, feverish
):
    response = owner_client.get(child_url("child_detail", child))
    text = text_of(response)

    assert "out of 15. Fever 39.6 °C" in text
    assert f"Fever {today:%-d %b %Y}, 39.6 °C · Log it as a trigger" in text
    assert fever_link(child, today) in html_of(response)


def test_a_viewer_sees_the_fever_but_no_offer_to_log_it(viewer_client, child, today, feverish):
    response = viewer_client.get(child_url("child_detail", child))
    assert f"Fever {today:%-d %b %Y}, 39.6 °C" in text_of(response)
    assert "Log it as a trigger" not in text_of(response)


def test_the_days_page_offers_to_log_its_fever_until_a_fever_event_covers_it(
    owner, owner_client, child, today, feverish
):
    response = owner_client.get(entry_url(child, today))
    assert "39.6 °C is a fever: it counts as one for possible relapses." in text_of(response)
    assert fever_link(child, today) in html_of(response)

    event = TriggerEvent(child=child, type="fever", start_date=today - DAY, end_date=today)
    event.temperature_c = Decimal("39.6")
    services.event_save(event=event, user=owner)
    response = owner_client.get(entry_url(child, today))
    assert "is a fever" not in text_of(response)


def test_a_save_in_place_with_a_fever_brings_the_offer(owner_client, child, today):
    data = {"date": today.isoformat(), "opsoclonus": "1", "max_temperature_c": "38.4"}
    data["shown"] = "clean"
    response = owner_client.post(entry_url(child, today), data, headers=HTMX)

    html = html_of(response)
    assert 'id="fever-offer"' in html and 'hx-swap-oob="true"' in html
    assert "38.4 °C is a fever" in text_of(response)
    assert fever_link(child, today, "38.4") in html

    data["max_temperature_c"] = "37.0"
    data["version"] = str(feverish_version(child, today))
    response = owner_client.post(entry_url(child, today), data, headers=HTMX)
    assert "is a fever" not in text_of(response)
    assert 'id="fever-offer"' in html_of(response)  # the old offer is taken away


def feverish_version(child, day):
    return child.entries.get(date=day).version


def test_the_trigger_form_opens_with_the_fever_filled_in(owner_client, child, today):
    url = child_url("event_add", child)
    query = {"type": "fever", "start_date": today - DAY, "end_date": today, "temperature_c": "39.6"}
    response = owner_client.get(url, query)

    assert value_of(response, "type") == "fever"
    assert value_of(response, "start_date") == (today - DAY).isoformat()
    assert value_of(response, "end_date") == today.isoformat()
    assert value_of(response, "temperature_c") == "39.6"

    nonsense = {"start_date": "2024-02-30", "temperature_c": "hot", "end_date": "x"}
    response = owner_client.get(url, nonsense)
    assert response.status_code == 200
    assert value_of(response, "start_date") == today.isoformat()
    assert value_of(response, "temperature_c") == ""
    assert not TriggerEvent.objects.exists()


def test_the_summary_and_its_pdf_list_the_fever_once(owner_client, child, today, feverish):
    TriggerEventFactory(child=child, start_date=today - 2 * DAY)  # a logged fever, 38.9 °C
    child.refresh_from_db()
    visit = summary.visit_summary(child, today - 30 * DAY, today)

    assert [line.text for line in visit.triggers] == ["Fever: 38.9 °C", LABEL]
    page = text_of(owner_client.get(child_url("summary", child)))
    assert LABEL in page
    pdf = owner_client.get(child_url("summary_pdf", child))
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert LABEL in text


def test_the_trends_table_shows_the_fever_beside_its_day(owner_client, child, today, feverish):
    url = reverse("chart_table", kwargs={"child_id": child.pk, "kind": "score"})
    assert LABEL in text_of(owner_client.get(url, {"range": "4w"}))
