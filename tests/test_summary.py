"""The visit summary: its period, what it lists, its page, and its PDF read back and rendered."""

import datetime
import io
import re
import subprocess
from decimal import Decimal

import numpy as np
import pytest
from django.contrib.auth import get_user_model
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from pypdf import PdfReader

from journal import demo, services, summary, trends
from journal.models import Child, DailyEntry, Doses, TrackedItem
from tests.factories import (
    ChildFactory,
    DailyEntryFactory,
    DoseChangeFactory,
    TrackedItemFactory,
    TreatmentCourseFactory,
    TriggerEventFactory,
)
from tests.view_helpers import error_beside, text_of, value_of

DAY = datetime.timedelta(days=1)
A4 = (595, 842)  # points
LETTER = (612, 792)


def pdf_text(data: bytes) -> list[str]:
    """Each page's text, as a reader selecting it would get it."""
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def on(day: datetime.date) -> str:
    return f"{day:%-d %b %Y}"


# --- The period -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_without_a_last_visit_the_summary_covers_the_last_3_months(child):
    first, last = summary.default_period(child)
    assert last == child.today()
    assert (last - first).days + 1 == 91


@pytest.mark.django_db
def test_the_summary_starts_at_the_last_visit_the_family_entered(child):
    child.last_visit_date = child.today() - 40 * DAY
    assert summary.default_period(child) == (child.today() - 40 * DAY, child.today())


@pytest.mark.django_db
def test_a_last_visit_today_still_gives_a_summary_of_the_months_before(child):
    child.last_visit_date = child.today()
    first, _ = summary.default_period(child)
    assert first == child.today() - 90 * DAY


@pytest.mark.django_db
def test_the_default_period_never_starts_before_birth():
    baby = ChildFactory(birth_date=datetime.date.today() - 20 * DAY)
    assert summary.default_period(baby)[0] == baby.birth_date


# --- What it lists ----------------------------------------------------------------------------


@pytest.fixture
def logged(child) -> Child:
    """Twenty days logged, with a fever, a taper step, a missed dose and two questions."""
    today = child.today()
    for offset in range(20):
        DailyEntryFactory(child=child, date=today - offset * DAY)
    day = today - 5 * DAY
    DailyEntry.objects.filter(child=child, date=day).update(
        doses=Doses.NO, question="Should we give the next dose late?", notes="Vomited."
    )
    DailyEntry.objects.filter(child=child, date=today - 2 * DAY).update(
        doses=Doses.PARTLY, question="Is she sleeping enough?"
    )
    course = TreatmentCourseFactory(child=child, start_date=today - 10 * DAY)
    DoseChangeFactory(course=course, date=today - 4 * DAY, dose=Decimal("1.5"))
    TriggerEventFactory(child=child, start_date=today - 3 * DAY, notes="Up all night.")
    TriggerEventFactory(child=child, start_date=today - 200 * DAY)  # long before
    child.refresh_from_db()
    return child


@pytest.mark.django_db
def test_the_summary_lists_questions_missed_doses_triggers_and_treatment_changes(logged):
    today = logged.today()
    visit = summary.visit_summary(logged, today - 30 * DAY, today)

    assert [(q.date, q.text) for q in visit.questions] == [
        (today - 5 * DAY, "Should we give the next dose late?"),
        (today - 2 * DAY, "Is she sleeping enough?"),
    ]
    assert [(m.date, m.text, m.note) for m in visit.missed_doses] == [
        (today - 5 * DAY, "Not given (Prednisolone)", "Vomited."),  # the course going on
        (today - 2 * DAY, "Partly given (Prednisolone)", ""),
    ]
    assert [(t.date, t.text, t.note) for t in visit.triggers] == [
        (today - 3 * DAY, "Fever: 38.9 °C", "Up all night.")
    ]
    assert [(c.date, c.text) for c in visit.treatment_changes] == [
        (today - 10 * DAY, "Started Prednisolone 2 mg/kg"),
        (today - 4 * DAY, "Prednisolone lowered: 2 mg/kg to 1.5 mg/kg"),
    ]
    assert [line.text for line in visit.treatments_now] == ["Prednisolone 1.5 mg/kg"]
    assert (visit.logged, visit.days) == (20, 31)


@pytest.mark.django_db
def test_a_course_stopped_in_the_period_is_listed_on_its_last_day(child):
    today = child.today()
    TreatmentCourseFactory(child=child, start_date=today - 90 * DAY, end_date=today - 6 * DAY)
    visit = summary.visit_summary(child, today - 30 * DAY, today)
    assert [(c.date, c.text) for c in visit.treatment_changes] == [
        (today - 6 * DAY, "Stopped Prednisolone (last dose)")
    ]
    assert visit.treatments_now == ()


@pytest.mark.django_db
def test_what_changed_compares_the_period_with_as_many_days_before_it(child):
    today = child.today()
    for offset in range(10):  # this period: score 5 a day
        DailyEntryFactory(child=child, date=today - offset * DAY)
    for offset in range(10, 20):  # the 10 days before: score 10 a day
        DailyEntryFactory(
            child=child, date=today - offset * DAY, opsoclonus=2, myoclonus=2, ataxia=3, rage=3
        )
    visit = summary.visit_summary(child, today - 9 * DAY, today)
    score = visit.changes[0]
    assert (score.before, score.now, score.difference_text) == (10, 5, "\N{MINUS SIGN}5.0")
    assert visit.before_logged == 10
    assert [change.label for change in visit.changes[1:]] == [
        "Eyes",
        "Jerks",
        "Balance",
        "Sleep",
        "Rage",
    ]


@pytest.mark.parametrize(
    ("before", "now", "text"),
    [(1.0, 1.04, "same"), (1.0, 1.5, "+0.5"), (2.0, 0.5, "\N{MINUS SIGN}1.5"), (None, 1.0, "")],
)
def test_a_change_in_words(before, now, text):
    assert summary.MeanChange("Eyes", before, now).difference_text == text


# --- The PDF, read back -------------------------------------------------------------------------


@pytest.fixture
def maya(client) -> Child:
    """The demo child, 18 months logged with three relapses and a cold flagged as possible ones;
    her mother logged in."""
    demo.seed()
    client.force_login(get_user_model().objects.get(username="demo"))
    return Child.objects.get(name="Maya")


def year_pdf(client, child: Child, paper: str = "a4") -> tuple[bytes, datetime.date]:
    first = child.today() - 364 * DAY
    response = client.get(
        f"/children/{child.pk}/summary.pdf",
        {"start": first, "end": child.today(), "paper": paper},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return response.content, first


@pytest.mark.django_db
def test_the_year_pdf_says_what_the_neurologist_needs(client, maya):
    data, first = year_pdf(client, maya)
    pages = pdf_text(data)
    text = "\n".join(pages)
    today = maya.today()

    assert 1 <= len(pages) <= 3
    assert "Maya: visit summary" in pages[0]
    assert f"{on(first)} \N{EN DASH} {on(today)}" in pages[0]
    visit = summary.visit_summary(maya, first, today)
    assert f"{visit.logged} of 365 days logged" in pages[0]
    assert visit.episodes, "the demo's year has possible relapses"
    for episode in visit.episodes:
        assert on(episode.onset) in text
        for possible in episode.possible_triggers:
            days = possible.days_before_onset
            before = {0: "same day", 1: "1 day before"}.get(days, f"{days} days before")
            assert f"{before}: {possible.trigger.label}" in _joined(text)
    assert visit.questions
    for question in visit.questions:
        assert question.text in _joined(text)
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
        assert "Parent-reported" in page


@pytest.mark.django_db
def test_the_pdf_charts_are_vector_with_their_text_selectable(client, maya):
    data, _ = year_pdf(client, maya)
    text = "\n".join(pdf_text(data))
    for words in ("Daily score (0-15)", "7-day mean", "Hours slept", "Rage episodes a day"):
        assert words in text
    reader = PdfReader(io.BytesIO(data))
    forms = [
        xobject.get_object()
        for page in reader.pages
        for xobject in page["/Resources"].get("/XObject", {}).values()
    ]
    assert len([form for form in forms if form["/Subtype"] == "/Form"]) == 4


@pytest.mark.django_db
def test_the_pdf_comes_in_a4_and_letter(client, maya):
    for paper, size in (("a4", A4), ("letter", LETTER)):
        data, _ = year_pdf(client, maya, paper)
        box = PdfReader(io.BytesIO(data)).pages[0].mediabox
        assert (round(box.width), round(box.height)) == size


@pytest.mark.django_db
def test_every_page_renders_with_its_charts_drawn(client, maya, tmp_path):
    data, _ = year_pdf(client, maya)
    (tmp_path / "summary.pdf").write_bytes(data)
    subprocess.run(  # noqa: S603 - a fixed command on our own file
        ["pdftoppm", "-r", "40", "-png", tmp_path / "summary.pdf", tmp_path / "page"],  # noqa: S607
        check=True,
    )
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == len(PdfReader(io.BytesIO(data)).pages)
    for image in images:
        grey = np.asarray(Image.open(image).convert("L"))
        assert (grey < 200).mean() > 0.02, f"{image.name} is nearly blank"
    # The first page carries the daily-score chart: its shaded episodes and coloured lines make
    # colour that text alone never would.
    first = np.asarray(Image.open(images[0]).convert("RGB")).astype(int)
    coloured = (first.max(axis=2) - first.min(axis=2)) > 60
    assert coloured.sum() > 500


@pytest.mark.django_db
def test_names_and_notes_with_markup_are_printed_as_typed(owner_client, child):
    child.name = "Zoë <b>& Łucja"
    child.save()
    today = child.today()
    DailyEntryFactory(child=child, date=today, question="Is 5 < 7 & <i>normal</i>?")
    response = owner_client.get(f"/children/{child.pk}/summary.pdf")
    text = _joined("\n".join(pdf_text(response.content)))
    assert "Zoë <b>& Łucja: visit summary" in text
    assert "Is 5 < 7 & <i>normal</i>?" in text


@pytest.mark.django_db
def test_a_journal_with_nothing_logged_still_gets_a_summary(owner_client, child):
    response = owner_client.get(f"/children/{child.pk}/summary.pdf")
    text = "\n".join(pdf_text(response.content))
    assert "0 of 91 days logged" in text
    assert "None flagged in this period." in text
    assert "No days logged in this period" in text  # the charts say so


@pytest.mark.django_db
def test_the_pdf_is_named_for_the_child_and_the_period(owner_client, child):
    response = owner_client.get(
        f"/children/{child.pk}/summary.pdf", {"start": "2026-01-02", "end": "2026-03-04"}
    )
    assert response["Content-Disposition"] == (
        f'attachment; filename="oms-journal-{child.name.lower()}-visit-summary-'
        '2026-01-02-to-2026-03-04.pdf"'
    )
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_the_pdf_follows_the_journal(owner_client, child):
    first = owner_client.get(f"/children/{child.pk}/summary.pdf").content
    assert owner_client.get(f"/children/{child.pk}/summary.pdf").content == first
    DailyEntryFactory(child=child, date=child.today())
    services.touch(child.pk)
    text = "\n".join(pdf_text(owner_client.get(f"/children/{child.pk}/summary.pdf").content))
    assert "1 of 91 days logged" in text


def _joined(text: str) -> str:
    """Text with the line breaks of wrapped table cells undone."""
    return re.sub(r"\s*\n\s*", " ", text)


# --- The page -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_page_shows_the_summary_with_its_charts_inline(owner_client, logged):
    response = owner_client.get(f"/children/{logged.pk}/summary/")
    assert response.status_code == 200
    page = text_of(response)
    assert "visit summary" in page
    assert "Should we give the next dose late?" in page
    assert "Prednisolone lowered: 2 mg/kg to 1.5 mg/kg" in page
    html = response.content.decode()
    assert html.count('src="data:image/svg+xml;base64,') == len(trends.KINDS)
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        ("2026-05-01", "2026-04-01", "start", "The first day must come before the last."),
        ("", "2026-04-01", "start", "Pick the first day."),
        ("2020-13-45", "2026-04-01", "start", "Enter a valid date."),
        ("1990-01-01", "2026-04-01", "start", "The journal starts at birth"),
        ("2026-01-01", "2999-01-01", "end", "This day hasn't happened yet."),
    ],
)
def test_bad_dates_are_explained_beside_the_field_and_kept(
    owner_client, child, start, end, field, message
):
    for url in (f"/children/{child.pk}/summary/", f"/children/{child.pk}/summary.pdf"):
        response = owner_client.get(url, {"start": start, "end": end})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")
        assert message in error_beside(response, field)
        assert value_of(response, "start") == start
        assert value_of(response, "end") == end


@pytest.mark.django_db
def test_queries_do_not_grow_with_the_journal(owner_client, child, django_assert_max_num_queries):
    def fill(days: int) -> None:
        today = child.today()
        DailyEntry.objects.filter(child=child).delete()
        for offset in range(days):
            DailyEntryFactory(child=child, date=today - offset * DAY, question="Why?")
        services.touch(child.pk)

    for days in (30, 730):
        fill(days)
        query = {"start": child.today() - (days - 1) * DAY, "end": child.today()}
        with django_assert_max_num_queries(MAX_QUERIES["page"]):
            owner_client.get(f"/children/{child.pk}/summary/", query)
        with django_assert_max_num_queries(MAX_QUERIES["pdf"]):
            owner_client.get(f"/children/{child.pk}/summary.pdf", query)


# Session, user, membership with the child; on a miss, the history (5, and 1 for the dose
# changes when there are courses) and the period's notable days (1) and trigger events (1).
MAX_QUERIES = {"page": 11, "pdf": 11}


# The database fixtures are set up once for all the examples, which only read.
@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    query=st.dictionaries(
        st.sampled_from(["start", "end", "paper"]),
        st.one_of(
            st.sampled_from(["a4", "letter", "A5", ""]),
            st.dates(min_value=datetime.date(1, 1, 1)).map(str),
            st.text(max_size=20),
        ),
    )
)
def test_any_query_gets_the_summary_or_its_errors_never_a_failure(owner_client, logged, query):
    """Whatever the address bar holds: the summary, its PDF, or the page with the errors beside
    the fields; never a 500, never a period before birth or after today."""
    for url in (f"/children/{logged.pk}/summary/", f"/children/{logged.pk}/summary.pdf"):
        response = owner_client.get(url, query)
        assert response.status_code == 200, (url, query)
        if response["Content-Type"] == "application/pdf":
            first, last = re.search(
                r"(\d{4}-\d\d-\d\d)-to-(\d{4}-\d\d-\d\d)", response["Content-Disposition"]
            ).groups()
            assert logged.birth_date.isoformat() <= first <= last <= logged.today().isoformat()


def pdf_objects(data: bytes):
    """Every object of the PDF, each dictionary and stream resolved once."""
    reader = PdfReader(io.BytesIO(data))
    seen, stack = set(), [reader.trailer["/Root"]]
    while stack:
        node = stack.pop()
        if hasattr(node, "idnum"):
            if node.idnum in seen:
                continue
            seen.add(node.idnum)
            node = node.get_object()
        yield node
        if isinstance(node, dict):
            stack.extend(value for key, value in node.items() if key != "/Parent")
        elif isinstance(node, list):
            stack.extend(node)


IMAGE = "docs/screenshots/02-home.png"  # a file on the server, the name within 80 characters
MARKUP_NAMES = [
    "Eve & <x",
    '<a href="javascript:app.alert(1)">Eve</a>',
    f'<img src="{IMAGE}" width="200" height="200"/>',
    '<font size="40" color="red" face="Courier">Eve</font>',
    "<link href='https://example.org'>Eve</link> <b>bold</b> <br/> &amp; &#60;",
]


def pdf_features(data: bytes) -> dict:
    """What markup could add to a PDF: images, annotations (links), actions, fonts."""
    dictionaries = [obj for obj in pdf_objects(data) if isinstance(obj, dict)]
    return {
        "images": sum(obj.get("/Subtype") == "/Image" for obj in dictionaries),
        "links or actions": {key for obj in dictionaries for key in obj} & ACTIONS,
        "fonts": {  # without the subset's tag: "/ABCDEF+DejaVuSans" is DejaVuSans
            str(font.get_object()["/BaseFont"]).split("+")[-1]
            for obj in dictionaries
            if "/Font" in obj
            for font in obj["/Font"].get_object().values()
        },
    }


ACTIONS = {"/Annots", "/URI", "/JS", "/JavaScript", "/OpenAction", "/AA", "/Link"}


def name_everything(child: Child, name: str) -> None:
    """The child, an item, a drug, the notes and questions all named `name`: the PDF."""
    Child.objects.filter(pk=child.pk).update(name=name)
    TrackedItem.objects.filter(child=child).delete()
    TrackedItemFactory(child=child, name=name[:40])
    course = child.treatments.get()
    course.drug, course.drug_other, course.notes = "other", name, name
    course.save()
    DailyEntry.objects.filter(child=child).update(question=name, notes=name)
    services.touch(child.pk)  # the summary is cached by the data version


@pytest.mark.django_db
@pytest.mark.parametrize("name", MARKUP_NAMES)
def test_no_user_text_can_add_a_link_an_image_or_a_font_change_to_the_pdf(
    owner_client, logged, name
):
    """Every piece of user text reaches ReportLab escaped: the child's name (which the status
    sentence repeats), an item's name, a drug's, notes and questions. The PDF has what the same
    journal with plain names has: no more images, no link, no action, no other font."""
    url = f"/children/{logged.pk}/summary.pdf"
    name_everything(logged, "Eve")
    plain = owner_client.get(url).content
    name_everything(logged, name)
    response = owner_client.get(url)
    assert response.status_code == 200
    # Wrapped lines may break the name anywhere: compare without white space. (The title's
    # words come out between those of the period beside it.)
    text = re.sub(r"\s", "", "".join(pdf_text(response.content)))
    for shown in (f"Near {name}'s usual level", f"Treatments: {name}"):
        assert re.sub(r"\s", "", shown) in text
    assert pdf_features(response.content) == pdf_features(plain)
    assert pdf_features(plain)["links or actions"] == set()


@pytest.mark.django_db
def test_a_question_longer_than_a_page_goes_on_over_the_next(owner_client, child):
    """A 4,000-character question (as the form takes) made a table row taller than the page:
    ReportLab's LayoutError, a 500 on the PDF."""
    question = " ".join(f"word{n}" for n in range(800))[:4000]
    DailyEntryFactory(child=child, date=child.today(), question=question)
    response = owner_client.get(f"/children/{child.pk}/summary.pdf")
    assert response.status_code == 200
    # Every word, in order, over the pages it runs across (their header and footer between).
    assert re.findall(r"word\d+", " ".join(pdf_text(response.content))) == question.split()
