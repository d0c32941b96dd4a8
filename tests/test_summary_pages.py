"""The visit summary's PDF for 3 months, a year and five years, read back: one to three pages,
and page 1 holding the story (where the child stands, the score chart, the possible relapses
with their triggers, the questions). Each is also rendered to PNGs with pdftoppm, to look at."""

import datetime
import io
import os
import random
import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from journal import demo, summary
from journal.models import Child, DailyEntry, DoseChange, Doses, TreatmentCourse, TriggerEvent
from journal.pdf import LIST_ROWS, largest_fitting
from tests.factories import ChildFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
CORE = ("opsoclonus", "myoclonus", "ataxia", "sleep", "rage")


def read(data: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]


def chart_pages(data: bytes) -> list[int]:
    """The pages (from 1) that hold a chart, in the order the charts were placed."""
    reader = PdfReader(io.BytesIO(data))
    found = []
    for number, page in enumerate(reader.pages, start=1):
        names = page["/Resources"].get("/XObject", {}).keys()
        found += [number] * sum(1 for name in names if name.startswith("/OMSChart"))
    return found


def pdf(client, child: Child, first: datetime.date, last: datetime.date) -> bytes:
    response = client.get(f"/children/{child.pk}/summary.pdf", {"start": first, "end": last})
    assert response.status_code == 200
    return response.content


def look(data: bytes, name: str, tmp_path: Path) -> list[Path]:
    """The pages as PNGs (in PDF_SHOTS when set, to keep them), each a real page."""
    folder = Path(os.environ.get("PDF_SHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / f"{name}.pdf"
    source.write_bytes(data)
    subprocess.run(  # noqa: S603 - a fixed command on our own file
        ["pdftoppm", "-r", "60", "-png", source, folder / name],  # noqa: S607
        check=True,
    )
    pages = sorted(folder.glob(f"{name}-*.png"))
    assert len(pages) == len(read(data))
    return pages


def on(day: datetime.date) -> str:
    return f"{day:%-d %b %Y}"


def assert_page_one_tells_the_story(page: str, visit: summary.VisitSummary) -> None:
    headline, _ = summary.status_words(visit)
    assert headline in page
    assert "Daily score" in page
    assert "Possible relapses in this period" in page
    assert "Questions for the neurologist" in page
    if visit.episodes:
        assert on(visit.episodes[-1].onset) in page
        assert "days before:" in page or "same day:" in page  # its triggers, days to onset
    else:
        assert "None flagged in this period." in page
    assert visit.questions[-1].text[:40] in page


@pytest.fixture
def maya(client) -> Child:
    demo.seed()
    client.force_login(get_user_model().objects.get(username="demo"))
    return Child.objects.get(name="Maya")


@pytest.mark.parametrize("days", [91, 365], ids=["3 months", "a year"])
def test_the_demo_pdf_fits_one_to_three_pages_with_the_story_on_page_one(
    client, maya, days, tmp_path
):
    last = maya.today()
    first = last - (days - 1) * DAY
    data = pdf(client, maya, first, last)
    look(data, f"summary-{days}d", tmp_path)
    pages = read(data)
    visit = summary.visit_summary(maya, first, last)

    assert 1 <= len(pages) <= 3
    assert visit.questions
    assert visit.episodes or days < 365  # the demo's year has possible relapses
    assert_page_one_tells_the_story(pages[0], visit)
    assert chart_pages(data)[0] == 1  # the score chart, on page 1
    assert "What changed" not in pages[0]


@pytest.fixture
def five_years(client) -> Child:
    """Five years of a diary as families keep it: most days logged, a flare every eight months
    or so after an illness with fever, a taper after each, questions, doses partly given."""
    today = datetime.date.today()
    child = ChildFactory(
        name="Sam",
        birth_date=today - 7 * 365 * DAY,
        diagnosis_date=today - 5 * 365 * DAY,
        time_zone="UTC",
    )
    client.force_login(child.memberships.get().user)
    rng = random.Random(5)
    first = today - (5 * 365 - 1) * DAY
    flares = [first + offset * DAY for offset in range(120, 5 * 365 - 30, 240)]
    entries, events = [], []
    for offset in range(5 * 365):
        day = first + offset * DAY
        if rng.random() < 0.12:
            continue
        flaring = any(0 <= (day - onset).days < 12 for onset in flares)
        level = 2 if flaring else 0
        ratings = {name: min(3, level + rng.choice((0, 0, 1))) for name in CORE}
        entry = DailyEntry(child=child, date=day, **ratings, sleep_hours=Decimal("9.5"))
        if flaring and (day - max(f for f in flares if f <= day)).days == 0:
            entry.max_temperature_c = Decimal("39.1")
        if rng.random() < 0.02:
            entry.question = f"Question {offset}: is this dose right for her weight now?"
        if rng.random() < 0.015:
            entry.doses = Doses.PARTLY
        entries.append(entry)
    DailyEntry.objects.bulk_create(entries)
    for onset in flares:
        events.append(
            TriggerEvent(
                child=child,
                type="illness",
                start_date=onset - 3 * DAY,
                end_date=onset + 2 * DAY,
                illness_kind="respiratory",
            )
        )
        events.append(TriggerEvent(child=child, type="stress", start_date=onset - 10 * DAY))
        course = TreatmentCourse.objects.create(
            child=child,
            drug="prednisolone",
            purpose="immunotherapy",
            regimen="taper",
            dose=Decimal("2"),
            unit="mg/kg",
            route="oral",
            start_date=onset + 3 * DAY,
            end_date=onset + 70 * DAY if onset + 70 * DAY < today else None,
        )
        for step, dose in enumerate(("1.5", "1", "0.5"), start=1):
            DoseChange.objects.create(
                course=course, date=onset + (3 + 14 * step) * DAY, dose=Decimal(dose)
            )
    TriggerEvent.objects.bulk_create(events)
    return child


def test_five_years_fit_three_pages_condensed_with_the_story_on_page_one(
    client, five_years, tmp_path
):
    last = five_years.today()
    first = last - (5 * 365 - 1) * DAY
    data = pdf(client, five_years, first, last)
    look(data, "summary-5y", tmp_path)
    pages = read(data)
    visit = summary.visit_summary(five_years, first, last)

    assert 1 <= len(pages) <= 3
    assert len(visit.episodes) >= 6 and len(visit.questions) >= 20
    assert_page_one_tells_the_story(pages[0], visit)
    assert "earlier possible relapses on the next pages" in pages[0]
    assert "earlier ones on the next pages" in pages[0]
    assert "Weekly mean of the daily score" in pages[0]  # condensed week by week
    later = " ".join(pages[1:])
    assert "Earlier possible relapses in this period" in later
    # Five years of tapers would fill a fourth page: the oldest dose changes are left to the
    # journal, and the page says so; the most recent are there.
    assert re.search(r"\d+ earlier ones, not shown here: the journal holds them", later)
    assert on(visit.treatment_changes[-1].date) in later
    assert "Earlier questions" in later
    assert visit.questions[0].text in later
    assert "Partly given (Prednisolone" in " ".join(pages) or "partly given (Prednisolone" in (
        " ".join(pages)
    )


def test_a_year_of_doses_often_partly_given_is_condensed_to_fit(client, maya, tmp_path):
    """The doses missed are condensed as the other long lists are: a year with one day in six
    partly given had run onto a fourth page."""
    last = maya.today()
    first = last - 364 * DAY
    entries = list(DailyEntry.objects.filter(child=maya, date__gte=first).order_by("date"))
    for entry in entries[::6]:
        entry.doses = Doses.PARTLY
    DailyEntry.objects.bulk_update(entries, ["doses"])
    data = pdf(client, maya, first, last)
    look(data, "summary-doses", tmp_path)
    pages = read(data)
    visit = summary.visit_summary(maya, first, last)

    assert len(visit.missed_doses) >= 50
    assert 1 <= len(pages) <= 3
    later = " ".join(pages[1:])
    assert re.search(r"\d+ earlier ones, not shown here: the journal holds them", later)
    assert on(visit.missed_doses[-1].date) in later


# --- The headline and the comparison ------------------------------------------------------------


def logged_child(days_ago: list[int], score: int = 2) -> Child:
    child = ChildFactory(time_zone="UTC")
    today = child.today()
    for ago in days_ago:
        ratings = dict.fromkeys(CORE, 0) | {"opsoclonus": score}
        DailyEntry.objects.create(child=child, date=today - ago * DAY, **ratings)
    return child


@pytest.mark.parametrize("logged", [0, 1, 2])
def test_the_headline_needs_three_logged_days(logged):
    child = logged_child(list(range(logged)))
    today = child.today()
    visit = summary.visit_summary(child, today - 27 * DAY, today)

    headline, detail = summary.status_words(visit)
    assert headline == f"On {on(today)}: too few days logged to say"
    words = {0: "No day", 1: "1 day", 2: "2 days"}[logged]
    assert detail.startswith(f"{words} of this period logged")
    assert "(s)" not in detail


def test_one_raised_day_is_said_in_the_singular():
    child = logged_child(list(range(1, 15)), score=1)
    DailyEntry.objects.create(child=child, date=child.today(), opsoclonus=3, myoclonus=3)
    today = child.today()
    visit = summary.visit_summary(child, today - 27 * DAY, today)

    assert visit.status.kind == "rising"
    _, detail = summary.status_words(visit)
    assert detail.startswith("The last logged day was well above")
    assert "(s)" not in detail


def test_the_before_comparison_starts_no_earlier_than_the_first_logged_day():
    child = logged_child(list(range(40)))  # 40 days logged, the period is the last 28
    today = child.today()
    visit = summary.visit_summary(child, today - 27 * DAY, today)
    assert visit.before_first == today - 39 * DAY  # not 56 days back: nothing was logged then
    assert visit.before_logged == 12

    fresh = logged_child(list(range(10)))
    visit = summary.visit_summary(fresh, today - 27 * DAY, today)
    assert visit.before_first is None and visit.before_logged == 0


@settings(max_examples=300, deadline=None)
@given(
    lo=st.integers(0, 3),
    heights=st.lists(st.integers(1, 40), min_size=1, max_size=60),
    room=st.integers(0, 400),
)
@example(lo=0, heights=[20] * 25, room=150)  # 5 rows as a table fit, and 20 as running text
def test_page_one_shows_as_many_as_a_measurement_of_each_count_would(lo, heights, room):
    """`largest_fitting` finds the count a measurement of every count from the top finds, with
    blocks shaped as page 1's: growing with the count within one layout, running text past
    LIST_ROWS (shorter again), and no line on the earlier ones when all are shown."""
    hi = lo + len(heights) - 1

    def height(n: int) -> int:
        if n == hi:
            return sum(heights[: n - lo + 1])
        rows = heights[: n - lo + 1]
        shown = sum(rows) if n < LIST_ROWS + 1 else sum(rows) // 3
        return shown + EARLIER_LINE

    def fits(n: int) -> bool:
        return height(n) <= room

    one_by_one = next((n for n in range(hi, lo - 1, -1) if fits(n)), lo)
    assert largest_fitting(lo, hi, fits, layout_changes=(LIST_ROWS + 1,)) == one_by_one


EARLIER_LINE = 12
