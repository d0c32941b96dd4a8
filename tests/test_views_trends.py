"""The dashboard, the trends page, the charts (SVG, cached, with an ETag) and their tables."""

import dataclasses
import datetime
import gzip
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journal import pages
from journal.models import Child, DailyEntry
from journal.trends import KINDS
from journal.views import trends as trends_views
from tests.factories import (
    ChildFactory,
    DailyEntryFactory,
    DoseChangeFactory,
    TreatmentCourseFactory,
    TriggerEventFactory,
)
from tests.view_helpers import error_beside, html_of, is_fragment, text_of, value_of

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
CALM, BAD = 2, 9
DASH = "\N{EN DASH}"  # between the dates of a period


def ratings_for(score: int) -> dict[str, int]:
    """Five core ratings summing to `score`, filled item by item."""
    names = ("opsoclonus", "myoclonus", "ataxia", "sleep", "rage")
    return {name: max(0, min(3, score - 3 * index)) for index, name in enumerate(names)}


def log_days(child: Child, scores: list[int | None], last: datetime.date | None = None) -> None:
    """One entry a day ending on `last` (the child's today by default); None leaves a gap."""
    last = last or child.today()
    first = last - (len(scores) - 1) * DAY
    for offset, score in enumerate(scores):
        if score is not None:
            DailyEntryFactory(child=child, date=first + offset * DAY, **ratings_for(score))


def dashboard(client, child):
    return client.get(reverse("child_detail", args=[child.pk]))


def status_text(response) -> str:
    return " ".join(text_of(response).split())


# --- the dashboard says where the child stands ---------------------------------------------------


def test_a_new_journal_has_not_enough_data_yet(owner_client, child):
    log_days(child, [CALM] * 4)
    text = status_text(dashboard(owner_client, child))
    assert "Not enough data yet" in text
    assert "4 of the last 14 days are logged" in text
    assert "needs 7" in text


def test_a_calm_fortnight_is_stable(owner_client, child):
    log_days(child, [CALM] * 20)
    text = status_text(dashboard(owner_client, child))
    assert "Stable" in text
    assert "a daily score of about 2" in text
    assert "Possible relapse" not in text


def test_two_bad_days_are_rising_not_yet_a_possible_relapse(owner_client, child):
    log_days(child, [CALM] * 20 + [BAD, BAD])
    text = status_text(dashboard(owner_client, child))
    assert "Rising" in text
    assert "The last 2 logged days were well above" in text
    assert "flagged after 3 such days in a row" in text
    assert "not a diagnosis" in text


@pytest.mark.parametrize(
    ("bad_days", "said"),
    [
        (1, ["Rising", "flagged after 2 such days in a row"]),
        (2, ["Possible relapse since", "9 days before Fever"]),
    ],
)
def test_after_a_trigger_two_bad_days_are_a_possible_relapse(owner_client, child, bad_days, said):
    """Eyes, Jerks and Balance well up after a fever: the dashboard says two such days flag a
    possible relapse, and flags it on the second."""
    TriggerEventFactory(child=child, start_date=child.today() - 10 * DAY)  # a fever
    log_days(child, [CALM] * 20 + [BAD] * bad_days)
    text = status_text(dashboard(owner_client, child))
    for words in said:
        assert words in text


def test_three_bad_days_are_a_possible_relapse_with_what_preceded_it(owner_client, child):
    today = child.today()
    TriggerEventFactory(child=child, start_date=today - 10 * DAY)  # a fever
    log_days(child, [CALM] * 20 + [BAD, BAD, BAD])
    text = status_text(dashboard(owner_client, child))
    onset = today - 2 * DAY
    assert f"Possible relapse since {onset:%a} {onset.day} {onset:%b %Y}" in text
    assert "A prompt to talk to" in text and "not a diagnosis" in text
    assert "8 days before Fever: 38.9 °C" in text


def test_the_dashboard_has_today_the_chart_and_the_weeks_compared(owner_client, child):
    log_days(child, [CALM] * 28 + [4] * 6 + [None])
    response = dashboard(owner_client, child)
    html = html_of(response)
    assert f"{reverse('chart', args=[child.pk, 'score'])}?range=3m" in html
    assert "Log today" in text_of(response)
    text = status_text(response)
    assert "Last 7 days against the 28 before" in text
    assert "Daily score (0-15) 4.0 2.0" in text
    assert "Days logged: 6 of 7, and 28 of 28" in text


def test_the_dashboard_costs_the_same_queries_for_a_month_and_two_years(owner_client, child):
    log_days(child, [CALM] * 30)
    with CaptureQueriesContext(connection) as month:
        assert dashboard(owner_client, child).status_code == 200
    long_child = ChildFactory(owner=child.memberships.get().user)
    log_days(long_child, [CALM, 3, 1] * 243)
    with CaptureQueriesContext(connection) as years:
        assert dashboard(owner_client, long_child).status_code == 200
    assert len(years) == len(month)


PAGES_OF_A_CHILD = {
    "dashboard": lambda child: reverse("child_detail", args=[child.pk]),
    "trends": lambda child: reverse("trends", args=[child.pk]) + "?range=all",
    "chart": lambda child: reverse("chart", args=[child.pk, "score"]) + "?range=all",
    "table": lambda child: reverse("chart_table", args=[child.pk, "items"]) + "?range=1y",
}


# Session, user and membership (with the child and its rule), then reading the journal (four
# queries) on a miss; the dashboard adds the last fortnight, treatments and triggers.
MAX_QUERIES = {
    "dashboard": {"drawn": 11, "cached": 6},
    "trends": {"drawn": 8, "cached": 3},
    "chart": {"drawn": 8, "cached": 3},
    "table": {"drawn": 8, "cached": 3},
}


@pytest.mark.parametrize("page", PAGES_OF_A_CHILD)
def test_queries_do_not_grow_with_history_drawn_or_cached(owner_client, child, page):
    """The same count for a month and for two years, when drawn and when from the cache."""
    long_child = ChildFactory(owner=child.memberships.get().user)
    log_days(child, [CALM] * 30)
    log_days(long_child, [CALM, 3, 1] * 243)
    for when in ("drawn", "cached"):
        counts = []
        for journal in (child, long_child):
            with CaptureQueriesContext(connection) as queries:
                assert owner_client.get(PAGES_OF_A_CHILD[page](journal)).status_code == 200
            counts.append(len(queries))
        assert counts[0] == counts[1], f"{page} {when}: {counts}"
        assert counts[0] <= MAX_QUERIES[page][when], f"{page} {when}: {counts[0]} queries"


# --- charts -----------------------------------------------------------------------------------


def chart_url(child, kind="score", query="range=3m"):
    return f"{reverse('chart', args=[child.pk, kind])}?{query}"


@pytest.mark.parametrize("kind", ["score", "items", "sleep", "rage"])
def test_each_chart_is_svg_kept_private(owner_client, child, kind):
    log_days(child, [CALM] * 20 + [BAD] * 3)
    response = owner_client.get(chart_url(child, kind))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    root = ET.fromstring(response.content)  # noqa: S314 - our own server's SVG
    assert root.tag.endswith("svg")
    assert "private" in response["Cache-Control"] and "no-cache" in response["Cache-Control"]
    assert response["ETag"].startswith('W/"')  # weak: the same chart, compressed or not


def test_the_score_chart_shades_the_possible_relapse(owner_client, child):
    log_days(child, [CALM] * 20 + [BAD] * 3)
    assert b"Possible relapse" in owner_client.get(chart_url(child)).content
    calm_child = ChildFactory(owner=child.memberships.get().user)
    log_days(calm_child, [CALM] * 23)
    assert b"Possible relapse" not in owner_client.get(chart_url(calm_child)).content


def test_a_chart_the_browser_has_is_a_304_until_an_entry_is_saved(owner_client, child):
    log_days(child, [CALM] * 10, last=child.today() - DAY)
    first = owner_client.get(chart_url(child))
    etag = first["ETag"]
    again = owner_client.get(chart_url(child), headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again.content == b""

    owner_client.post(
        reverse("entry_form", args=[child.pk, child.today()]),
        {**ratings_for(BAD), "date": child.today().isoformat(), "version": "0"},
    )
    assert DailyEntry.objects.filter(child=child, date=child.today()).exists()
    after = owner_client.get(chart_url(child), headers={"if-none-match": etag})
    assert after.status_code == 200
    assert after["ETag"] != etag


def test_a_chart_is_sent_compressed_to_a_browser_that_takes_gzip(owner_client, child):
    log_days(child, [CALM] * 20 + [BAD] * 3)
    plain = owner_client.get(chart_url(child))
    packed = owner_client.get(chart_url(child), headers={"accept-encoding": "br, gzip"})
    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.content) == plain.content
    assert len(packed.content) < len(plain.content) / 3
    for response in (plain, packed):
        assert "Accept-Encoding" in response["Vary"]
        assert response["ETag"] == plain["ETag"]


def test_a_chart_is_drawn_once_then_served_from_the_cache(owner_client, child, monkeypatch):
    log_days(child, [CALM] * 10)
    drawn = []
    score = KINDS["score"]

    def draw_and_count(**arguments):  # the real drawing, counted
        drawn.append(arguments["last"])
        return score.draw(**arguments)

    monkeypatch.setitem(KINDS, "score", dataclasses.replace(score, draw=draw_and_count))
    first = owner_client.get(chart_url(child)).content
    second = owner_client.get(chart_url(child)).content
    assert first == second
    assert drawn == [child.today()]


def in_language(client, language: str, url: str):
    """A request in `language`: the active language around the call, and the browser's header
    (which the locale middleware reads where it is installed)."""
    with translation.override(language):
        return client.get(url, headers={"accept-language": language})


def test_a_chart_cached_in_english_is_not_served_to_a_french_request(
    owner_client, child, monkeypatch
):
    log_days(child, [CALM] * 10)
    drawn = []
    score = KINDS["score"]

    def draw_and_count(**arguments):  # the real drawing, counted, with the language it is for
        drawn.append(translation.get_language())
        return score.draw(**arguments)

    monkeypatch.setitem(KINDS, "score", dataclasses.replace(score, draw=draw_and_count))
    english = in_language(owner_client, "en", chart_url(child))
    french = in_language(owner_client, "fr", chart_url(child))
    again = in_language(owner_client, "en", chart_url(child))
    assert drawn == ["en", "fr"]  # each language drawn once, English then served from the cache
    assert english["ETag"] != french["ETag"]
    assert again["ETag"] == english["ETag"] and again.content == english.content


def test_a_page_cached_in_english_is_not_served_to_a_french_request(
    owner_client, child, monkeypatch
):
    log_days(child, [CALM] * 10)
    rendered = []
    render = pages.render_to_string

    def render_and_count(template, context, request):
        rendered.append((template, translation.get_language()))
        return render(template, context, request)

    monkeypatch.setattr(pages, "render_to_string", render_and_count)
    dashboard = reverse("child_detail", args=[child.pk])
    for language in ("en", "fr", "en", "fr"):
        assert in_language(owner_client, language, dashboard).status_code == 200
    assert [language for _, language in rendered] == ["en", "fr"]


def test_an_unknown_chart_is_a_404(owner_client, child):
    assert owner_client.get(chart_url(child, "weather")).status_code == 404
    table = reverse("chart_table", args=[child.pk, "weather"])
    assert owner_client.get(table).status_code == 404


def test_another_familys_chart_is_a_404(stranger_client, child):
    log_days(child, [CALM] * 10)
    assert stranger_client.get(chart_url(child)).status_code == 404
    assert stranger_client.get(reverse("trends", args=[child.pk])).status_code == 404


# --- the trends page and the range picker ------------------------------------------------------


def trends(client, child, **query):
    return client.get(reverse("trends", args=[child.pk]), query)


def test_the_trends_page_shows_every_chart_with_words_and_a_table_link(owner_client, child):
    log_days(child, [CALM] * 20 + [BAD] * 3)
    response = trends(owner_client, child)
    html = html_of(response)
    for kind in ("score", "items", "sleep", "rage"):
        assert chart_url(child, kind).replace("&", "&amp;") in html
        assert reverse("chart_table", args=[child.pk, kind]) in html
    text = status_text(response)
    assert "23 of 91 days logged" in text
    assert "Possible relapses in this period" in text


@pytest.mark.parametrize(("preset", "days"), [("4w", 28), ("3m", 91), ("6m", 182), ("1y", 365)])
def test_each_preset_shows_its_days(owner_client, child, preset, days):
    response = trends(owner_client, child, range=preset)
    first = child.today() - (days - 1) * DAY
    assert f"{first.day} {first:%b %Y}" in text_of(response)
    assert f"range={preset}" in html_of(response)


def test_all_starts_at_the_first_logged_day(owner_client, child):
    log_days(child, [CALM] * 400)
    first = child.today() - 399 * DAY
    assert f"{first.day} {first:%b %Y} {DASH}" in text_of(trends(owner_client, child, range="all"))


@pytest.mark.parametrize(
    "query",
    [
        "",
        "range=1y",
        "range=all",
        "range=4w&range=all",  # the last one counts, as in the form
        "range=",
        "range=bogus",
        "range=custom&start=2026-01-01&end=2026-02-01",
        "range=1y&start=garbage",  # an invalid form: the default range
        "range=1y&other=1",
    ],
)
def test_a_chart_reads_the_period_the_trends_page_reads(rf, child, query):
    log_days(child, [CALM] * 40, last=child.today() - 100 * DAY)
    request = rf.get("/", QUERY_STRING=query)
    assert trends_views._period_of(request, child) == trends_views._period_for(request, child)[1]


def test_custom_dates_are_shown_and_kept(owner_client, child):
    today = child.today()
    start, end = today - 40 * DAY, today - 10 * DAY
    response = trends(owner_client, child, range="custom", start=start, end=end)
    assert f"{start.day} {start:%b %Y} {DASH} {end.day} {end:%b %Y}" in text_of(response)
    assert value_of(response, "start") == start.isoformat()
    assert f"start={start}" in html_of(response)
    assert "Not enough data yet" in text_of(response)  # where the child stands today


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        (5, 10, "start", "The first day must come before the last."),
        (None, 3, "start", "Pick the first day to show."),
        (3, -2, "end", "This day hasn't happened yet."),
        ("garbage", 3, "start", "Enter a valid date."),
        (365 * 5, 3, "start", "The journal starts at birth"),  # the child is about four
    ],
)
def test_bad_custom_dates_say_why_beside_the_field(owner_client, child, start, end, field, message):
    today = child.today()

    def day(value):
        if value is None:
            return ""
        return value if isinstance(value, str) else (today - value * DAY).isoformat()

    response = trends(owner_client, child, range="custom", start=day(start), end=day(end))
    assert response.status_code == 200
    assert message in error_beside(response, field)
    assert value_of(response, "start") == day(start)
    assert "Showing the last 3 months" in text_of(response)


def test_htmx_gets_only_the_charts(owner_client, child):
    response = owner_client.get(
        reverse("trends", args=[child.pk]), {"range": "4w"}, headers={"hx-request": "true"}
    )
    assert is_fragment(response)
    assert 'id="charts"' in html_of(response)


def test_episodes_in_the_period_are_listed_with_their_triggers(owner_client, child):
    today = child.today()
    TriggerEventFactory(
        child=child, type="illness", illness_kind="respiratory", start_date=today - 5 * DAY
    )
    log_days(child, [CALM] * 20 + [BAD] * 3)
    text = status_text(trends(owner_client, child))
    onset = today - 2 * DAY
    assert f"{onset.day} {onset:%b %Y} {DASH} ongoing" in text
    assert "Illness-associated" in text
    assert "3 days before Illness: Respiratory" in text


def test_triggers_in_perspective_warn_when_few(owner_client, child):
    today = child.today()
    TriggerEventFactory(child=child, start_date=today - 10 * DAY)
    TriggerEventFactory(child=child, start_date=today - 60 * DAY)
    log_days(child, [CALM] * 80 + [BAD] * 3)
    text = status_text(trends(owner_client, child))
    assert "Fever 2 1 8" in text
    assert "too small to mean much" in text


def test_a_taper_step_is_a_possible_trigger(owner_client, child):
    today = child.today()
    course = TreatmentCourseFactory(child=child, start_date=today - 60 * DAY)
    DoseChangeFactory(course=course, date=today - 6 * DAY)
    log_days(child, [CALM] * 20 + [BAD] * 3)
    text = status_text(trends(owner_client, child))
    assert "4 days before Prednisolone lowered 2 → 1.5 mg/kg" in text


# --- tables ---------------------------------------------------------------------------------------


def test_the_score_table_has_each_day_newest_first(owner_client, child):
    log_days(child, [CALM] * 10 + [None, BAD])
    url = reverse("chart_table", args=[child.pk, "score"])
    text = status_text(owner_client.get(url, {"range": "4w"}))
    assert "A possible relapse is a prompt to talk to the doctor, not a diagnosis." in text
    today, yesterday = child.today(), child.today() - DAY
    assert f"Day Score 7-day mean Possible relapse Triggers {today.day} {today:%b %Y} 9" in text
    assert f"{yesterday.day} {yesterday:%b %Y} Not logged" in text
    assert text.index(f"{today.day} {today:%b %Y} 9") < text.index("Not logged")


def test_the_items_table_has_a_column_per_item(owner_client, child):
    log_days(child, [BAD])
    url = reverse("chart_table", args=[child.pk, "items"])
    text = status_text(owner_client.get(url, {"range": "4w"}))
    assert "Each item from 0 (none) to 3 (most)." in text
    assert "Day Eyes Jerks Balance Sleep Rage" in text
    assert "3 3 3 0 0" in text


def test_htmx_gets_only_the_table(owner_client, child):
    url = reverse("chart_table", args=[child.pk, "sleep"])
    response = owner_client.get(url, {"range": "4w"}, headers={"hx-request": "true"})
    assert is_fragment(response)
    assert "Hours slept" in text_of(response)


def test_home_says_where_each_child_stands(owner_client, child):
    log_days(child, [CALM] * 20 + [BAD] * 3)
    calm = ChildFactory(owner=child.memberships.get().user, name="Ada")
    log_days(calm, [CALM] * 20)
    text = status_text(owner_client.get(reverse("home")))
    onset = child.today() - 2 * DAY
    assert "Ada Stable" in text
    assert f"Mia Possible relapse since {onset.day} {onset:%b}" in text
    assert "A prompt to talk to Mia's doctor, not a diagnosis." in text
    assert "Ada's doctor" not in text


def test_every_flag_shows_the_rule_with_the_childs_numbers(owner_client, child):
    from journal import services

    services.relapse_settings_save(
        child=child, user=child.memberships.get().user, values={"trigger_window_days": 21}
    )
    log_days(child, [CALM] * 20 + [BAD] * 3)
    for response in (dashboard(owner_client, child), trends(owner_client, child)):
        text = status_text(response)
        assert "How possible relapses are flagged" in text
        assert "Possible triggers: those in the 21 days before it began." in text
    # The flag's own words link to the numbers: the dashboard has no second link beside them.
    settings_url = reverse("relapse_settings", args=[child.pk])
    assert dashboard(owner_client, child).content.decode().count(f'href="{settings_url}"') == 1


@pytest.fixture
def logged_child(child) -> Child:
    log_days(child, [CALM] * 20 + [BAD] * 3)
    return child


# The database fixtures are set up once for all the examples, which only read.
@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    query=st.dictionaries(
        st.sampled_from(["range", "start", "end", "v"]),
        st.one_of(
            st.sampled_from(["4w", "3m", "6m", "1y", "all", "custom", ""]),
            st.dates(min_value=datetime.date(1, 1, 1)).map(str),
            st.text(max_size=20),
        ),
    ),
    kind=st.sampled_from(["score", "items", "sleep", "rage"]),
)
def test_any_query_gets_a_page_or_a_chart_never_an_error(owner_client, logged_child, query, kind):
    """Whatever the address bar holds, the range picker answers with the default or the
    period asked for, its errors beside the fields: never a 500, never a period longer than
    the child's life."""
    child = logged_child
    for name in ("trends", "chart"):
        url = reverse(name, args=[child.pk] if name == "trends" else [child.pk, kind])
        assert owner_client.get(url, query).status_code == 200, (url, query)
    table = owner_client.get(reverse("chart_table", args=[child.pk, kind]), query)
    assert table.status_code == 200
    days_lived = (child.today() - child.birth_date).days + 1
    assert html_of(table).count("<tr") <= days_lived + 1  # and the header row
