"""The visit summary as a PDF: text laid out by ReportLab, charts drawn by matplotlib.

The charts stay vector and their text stays text: matplotlib writes each chart as a one-page
PDF, and each is placed on the summary's page as a form XObject, its content stream copied as
it is (parsing and rewriting it, as a page merge does, took a quarter of a second a year).
"""

import datetime
import io
from dataclasses import dataclass
from pathlib import Path

import matplotlib
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, ContentStream, DictionaryObject, IndirectObject, NameObject
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch, mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from journal import summary, trends
from journal.dates import day_month, short_date
from journal.summary import Line, VisitSummary

PAPERS = {"a4": A4, "letter": LETTER}
MARGIN = 15 * mm
FOOTER_ROOM = 14 * mm
INK = colors.HexColor("#222222")
MUTED = colors.HexColor("#555555")
RULE = colors.HexColor("#BBBBBB")
SHADE = colors.HexColor("#F2F2F2")
ALERT = colors.HexColor("#8C1D18")
FOOTER = gettext_lazy(
    "Parent-reported: the scores are rated by the child's parents and caregivers, not by a "
    "clinician, and are not a Mitchell-Pike or OMS-ES score. A possible relapse is a prompt to "
    "talk about, not a diagnosis."
)

# DejaVu Sans, as the charts use: the same letters throughout, and glyphs for any name.
FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONT, BOLD = "DejaVuSans", "DejaVuSans-Bold"
pdfmetrics.registerFont(TTFont(FONT, FONT_DIR / "DejaVuSans.ttf"))
pdfmetrics.registerFont(TTFont(BOLD, FONT_DIR / "DejaVuSans-Bold.ttf"))


def _style(name: str, **values) -> ParagraphStyle:
    base = {"fontName": FONT, "fontSize": 9, "leading": 12, "textColor": INK}
    return ParagraphStyle(name, **{**base, **values})


TITLE = _style("title", fontName=BOLD, fontSize=16, leading=20)
PERIOD = _style("period", fontName=BOLD, fontSize=11, leading=20, alignment=TA_RIGHT)
HEADING = _style("heading", fontName=BOLD, fontSize=11, leading=14, spaceBefore=6, spaceAfter=2)
BODY = _style("body")
SMALL = _style("small", fontSize=8, leading=10, textColor=MUTED)  # 8 pt: the least in print
CELL = _style("cell", fontSize=8.5, leading=10.5)
CELL_BOLD = _style("cell-bold", fontName=BOLD, fontSize=8.5, leading=10.5)
RUNNING = _style("running", fontSize=8, leading=10)  # a long list as running text
STATUS = _style("status", fontName=BOLD, fontSize=10, leading=13)


MOST_PAGES = 3  # the visit summary's promise: one to three pages
# The most recent lines the long lists (dose changes, doses missed, triggers) keep, tried in turn
# until the summary fits its pages: a long period is condensed, never a fourth page. The
# caregivers' questions are all kept: they are what the visit is for.
LIST_LIMITS = (None, 40, 20, 10, 5)


def summary_pdf(visit: VisitSummary, *, paper: str = "a4", made: datetime.date) -> bytes:
    """The visit summary as PDF bytes, on A4 or Letter paper, in at most MOST_PAGES pages."""
    drawings = {}  # each chart is drawn once, whichever condensing the pages need
    for most in LIST_LIMITS:
        if most is not None and not _condenses(visit, most):
            continue  # the same pages as the last tried
        document = _summary_pdf(visit, paper, made, most, drawings)
        if len(PdfReader(io.BytesIO(document)).pages) <= MOST_PAGES:
            break
    return document


def _condenses(visit: VisitSummary, most: int) -> bool:
    """Whether keeping the `most` recent lines of each long list leaves any out: the dated
    lists are condensed past LIST_ROWS lines only (_dated_rows), the doses missed always."""
    dated = (visit.triggers, visit.treatment_changes)
    return any(len(lines) > max(most, LIST_ROWS) for lines in dated) or (
        len(visit.missed_doses) > most
    )


def _summary_pdf(
    visit: VisitSummary, paper: str, made: datetime.date, most: int | None, drawings: dict
) -> bytes:
    size = PAPERS[paper]
    width = size[0] - 2 * MARGIN
    charts = ChartSet(drawings)
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=size,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + FOOTER_ROOM,
        title=_("%(name)s: visit summary, %(period)s")
        % {"name": visit.name, "period": _period(visit)},
        author="OMS Journal",
        subject=_("Parent-reported diary summary for a neurologist visit"),
        creator="OMS Journal",
    )
    footer = _Footer(visit, made)
    story = _story(visit, width, document.height - 2 * FRAME_PADDING, charts, most)
    document.build(story, onFirstPage=footer, onLaterPages=footer, canvasmaker=_NumberedCanvas)
    return charts.place(buffer.getvalue())


# --- The story: what the pages say, top to bottom ----------------------------------------------

FRAME_PADDING = 6  # ReportLab's frame keeps this much inside the margins, on each side
PAGE_ONE_SCORE_HEIGHT = 1.3  # inches: the score panel on page 1, lower than on a phone
EPISODE_TRIGGERS = 5  # on page 1, the possible triggers nearest the onset; the list has all


def _story(
    visit: VisitSummary, width: float, height: float, charts: "ChartSet", most: int | None
) -> list:
    """Page 1 tells the story: where the child stands, the score chart, the possible relapses
    with their triggers, and the questions, the most recent of those that fit. The rest
    follows on one or two pages, long lists condensed (to their `most` recent lines, if given)."""
    page_one, earlier_episodes, earlier_questions = _page_one(visit, width, height, charts)
    chart_width = width / inch
    story = [
        *page_one,
        PageBreak(),
        *_section(_("What changed"), _changes(visit, width)),
        # Page 1's score chart in words: its ranges, relapses, triggers and treatments.
        Paragraph(_text(visit.chart_words("score")), SMALL),
        KeepTogether(_chart_section(visit, "items", charts, chart_width)),
        _side_by_side(
            [
                _chart_section(visit, kind, charts, (width / 2 - GUTTER) / inch, panel_height=0.7)
                for kind in PAIRED
            ],
            width,
        ),
    ]
    # Questions first: running text over a long period, they may fill the foot of a page.
    if earlier_questions:
        story += _section(_("Earlier questions"), _dated_rows(earlier_questions, width))
    if earlier_episodes:
        title = _("Earlier possible relapses in this period")
        story += _section(title, _episodes(visit, width, earlier_episodes))
    story += [
        *_section(_("Treatments"), _treatments(visit, width, most)),
        *_section(
            _("Triggers logged in this period"), _dated_rows(visit.triggers, width, most=most)
        ),
        *_section(_("How possible relapses are flagged"), _rule(visit)),
    ]
    return story


def _page_one(visit: VisitSummary, width: float, height: float, charts: "ChartSet"):
    """Page 1's flowables, and the possible relapses and questions left for later pages: the
    most recent that fit, measured, so that nothing of page 1 spills onto page 2."""
    top = [
        _header(visit, width),
        Spacer(1, 4),
        Paragraph(_facts(visit), BODY),
        Spacer(1, 6),
        _status(visit, width),
        *_chart_section(
            visit, "score", charts, width / inch, words=False, score_height=PAGE_ONE_SCORE_HEIGHT
        ),
    ]
    room = height - _height(top, width) - 4  # a little slack for rounding
    episodes, questions = list(visit.episodes), list(visit.questions)

    def blocks(shown_episodes: int, shown_questions: int) -> list:
        kept = episodes[len(episodes) - shown_episodes :]
        asked = questions[len(questions) - shown_questions :]
        # Measured to fit: no KeepTogether is needed (and one cannot be measured off a page).
        return [
            Paragraph(_("Possible relapses in this period"), HEADING),
            *_episodes(visit, width, kept, earlier=len(episodes) - len(kept), page_one=True),
            Paragraph(_("Questions for the neurologist"), HEADING),
            *_dated_rows(tuple(asked), width, earlier=len(questions) - len(asked)),
        ]

    shown_e, shown_q = _most_that_fit(
        len(episodes), len(questions), lambda e, q: _height(blocks(e, q), width) <= room
    )
    page_one = [*top, *blocks(shown_e, shown_q)]
    return page_one, episodes[: len(episodes) - shown_e], questions[: len(questions) - shown_q]


def _most_that_fit(episodes: int, questions: int, fits) -> tuple[int, int]:
    """How many of the latest episodes and questions page 1 shows: at least a few questions
    (the most useful part of a short visit), then as many episodes, then more questions."""
    least_questions = min(questions, PAGE_ONE_LEAST_QUESTIONS)
    while least_questions and not fits(0, least_questions):
        least_questions -= 1
    shown_e = largest_fitting(0, episodes, lambda e: fits(e, least_questions))
    shown_q = largest_fitting(
        least_questions, questions, lambda q: fits(shown_e, q), layout_changes=(LIST_ROWS + 1,)
    )
    return shown_e, shown_q


def largest_fitting(lo: int, hi: int, fits, layout_changes: tuple[int, ...] = ()) -> int:
    """The largest n in lo..hi for which `fits(n)`, else lo, in a few measurements rather than
    one per n: two years of daily questions made page 1 lay out their rows 730 times.

    All of them (n = hi) is measured first, as it alone has no line on the earlier ones. Below
    it a block only grows with n, except where its layout changes (`layout_changes`: the first
    n of each new layout, as a list longer than LIST_ROWS turns into running text); each
    stretch of one layout is bisected, the highest first."""
    if hi <= lo or fits(hi):
        return hi
    top = hi - 1
    for start in [*sorted((n for n in layout_changes if lo < n <= top), reverse=True), lo]:
        found = _last_fitting(start, top, fits)
        if found is not None:
            return found
        top = start - 1
    return lo


def _last_fitting(lo: int, hi: int, fits) -> int | None:
    """The largest n in lo..hi for which `fits(n)`, where it holds up to some n and not past."""
    found = None
    while lo <= hi:
        middle = (lo + hi) // 2
        if fits(middle):
            found, lo = middle, middle + 1
        else:
            hi = middle - 1
    return found


PAGE_ONE_LEAST_QUESTIONS = 3


def _height(flowables: list, width: float) -> float:
    """The height the flowables take one after another, their spacing included."""
    total = 0.0
    for flowable in flowables:
        total += flowable.wrap(width, 10_000)[1]
        total += flowable.getSpaceBefore() + flowable.getSpaceAfter()
    return total


def _period(visit: VisitSummary) -> str:
    return f"{_day(visit.first)} \N{EN DASH} {_day(visit.last)}"


def _day(day: datetime.date) -> str:
    return short_date(day)


def _header(visit: VisitSummary, width: float) -> Table:
    cells = [
        [
            Paragraph(_("%(name)s: visit summary") % {"name": _text(visit.name)}, TITLE),
            Paragraph(_period(visit), PERIOD),
        ]
    ]
    table = Table(cells, colWidths=[width * 0.55, width * 0.45])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("LINEBELOW", (0, 0), (-1, 0), 1, INK),
            ]
        )
    )
    return table


def _facts(visit: VisitSummary) -> str:
    facts = [_("Born %(day)s") % {"day": _day(visit.birth_date)}]
    if visit.diagnosis_date:
        facts.append(_("diagnosed %(day)s") % {"day": _day(visit.diagnosis_date)})
    if visit.last_visit_date:
        facts.append(_("last visit %(day)s") % {"day": _day(visit.last_visit_date)})
    logged = ngettext(
        "%(logged)s of %(days)s day logged (%(share)s)",
        "%(logged)s of %(days)s days logged (%(share)s)",
        visit.days,
    ) % {"logged": visit.logged, "days": visit.days, "share": f"{visit.share_logged:.0%}"}
    facts.append(f"<b>{logged}</b>")
    return " · ".join(facts)


def _status(visit: VisitSummary, width: float) -> Table:
    headline, detail = summary.status_words(visit)
    rows = [[Paragraph(_text(headline), STATUS)], [Paragraph(_text(detail), BODY)]]
    table = Table(rows, colWidths=[width])
    style = [("BACKGROUND", (0, 0), (-1, -1), SHADE), ("LEFTPADDING", (0, 0), (-1, -1), 6)]
    if visit.status.kind in ("relapse", "rising"):
        style.append(("LINEBEFORE", (0, 0), (0, -1), 3, ALERT))
    table.setStyle(TableStyle(style))
    return table


SECTION_LEAST = 0.9 * inch  # a heading starts a new page unless this much room is left


def _section(title: str, flowables: list) -> list:
    """A heading with what follows it, which may run on to the next page (tables by rows,
    running text by lines): a page's foot is filled, and a long period fits three pages."""
    return [CondPageBreak(SECTION_LEAST), Paragraph(title, HEADING), *flowables]


def _grid(rows: list[list], widths: list[float], header: bool = True) -> Table:
    # splitInRow: a row taller than a page (a 4,000-character question) goes on over the next
    # page; without it ReportLab gave up with a LayoutError, a 500.
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0, splitInRow=1)
    style = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        style.append(("LINEBELOW", (0, 0), (-1, 0), 0.8, INK))
    table.setStyle(TableStyle(style))
    return table


def _cell(text: str, style: ParagraphStyle = CELL) -> Paragraph:
    return Paragraph(_text(text), style)


def _text(text: str) -> str:
    """Plain text as a Paragraph's markup: escaped, line breaks kept."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return escaped.replace("\n", "<br/>")


def _changes(visit: VisitSummary, width: float) -> list:
    """The mean of a logged day, before the period and in it: one column per item."""
    if visit.before_first is None:
        return [
            Paragraph(_("No day before this period was logged: nothing to compare with."), BODY)
        ]
    heading = [_cell(_("Average of a logged day"), CELL_BOLD)]
    heading += [_cell(change.label, CELL_BOLD) for change in visit.changes]
    before = ngettext(
        "Before: %(count)s day logged from %(day)s",
        "Before: %(count)s days logged from %(day)s",
        visit.before_logged,
    ) % {"count": visit.before_logged, "day": _day(visit.before_first)}
    rows = [
        heading,
        [_cell(before)] + [_cell(change.before_text) for change in visit.changes],
        [_cell(_("This period: %(count)s days logged") % {"count": visit.logged})]
        + [_cell(change.now_text) for change in visit.changes],
        [_cell(_("Change"), CELL_BOLD)]
        + [_cell(change.difference_text, CELL_BOLD) for change in visit.changes],
    ]
    first = width * 0.31
    rest = (width - first) / len(visit.changes)
    return [_grid(rows, [first] + [rest] * len(visit.changes))]


def _days(count: int) -> str:
    return ngettext("%(count)s day", "%(count)s days", count) % {"count": count}


def _episodes(
    visit: VisitSummary, width: float, episodes, earlier: int = 0, page_one: bool = False
) -> list:
    """A table of the episodes; on page 1 each with its nearest possible triggers, and a word
    on the earlier episodes page 2 holds."""
    if not visit.episodes:
        return [Paragraph(_("None flagged in this period."), BODY)]
    if not episodes:
        words = ngettext(
            "%(count)s possible relapse: on the next pages.",
            "%(count)s possible relapses: on the next pages.",
            earlier,
        )
        return [Paragraph(words % {"count": earlier}, BODY)]
    more = [
        Paragraph(
            ngettext(
                "%(count)s earlier possible relapse on the next pages.",
                "%(count)s earlier possible relapses on the next pages.",
                earlier,
            )
            % {"count": earlier},
            SMALL,
        )
    ]
    heading = [
        _("Onset"),
        pgettext("of a possible relapse", "End"),
        _("Length"),
        _("Peak"),
        pgettext("usual level", "Usual"),
        _("Possible triggers"),
    ]
    rows = [[_cell(text, CELL_BOLD) for text in heading]]
    for episode in episodes:
        triggers = _episode_triggers(visit, episode, EPISODE_TRIGGERS if page_one else None)
        length = episode.length_days(visit.last)
        rows.append(
            [
                _cell(_day(episode.onset)),
                _cell(_day(episode.end) if episode.end else _("ongoing")),
                _cell(_days(length)),
                _cell(f"{episode.peak_score}, {day_month(episode.peak_date)}"),
                _cell(f"{episode.baseline.score:g}"),
                _cell("; ".join(triggers)),
            ]
        )
    widths = [0.12, 0.12, 0.09, 0.1, 0.07, 0.5]
    note = Paragraph(
        _(
            "Usual: the usual level, the daily score before the onset the rule compared "
            "against. Possible triggers: with the days from each to the onset."
        ),
        SMALL,
    )
    table = [_grid(rows, [width * share for share in widths]), Spacer(1, 2), note]
    return [*table, *more] if earlier else table


def _episode_triggers(visit: VisitSummary, episode, most: int | None) -> list[str]:
    """The episode's possible triggers with the days before onset, the nearest `most` of
    them (all with None), and whether it was illness-associated."""
    found = episode.possible_triggers
    shown = found[len(found) - most :] if most and len(found) > most else found
    triggers = [f"{_days_before(p.days_before_onset)}: {p.trigger.label}" for p in shown]
    if len(shown) < len(found):
        left = len(found) - len(shown)
        triggers.insert(
            0,
            ngettext(
                "%(count)s earlier trigger: see the list",
                "%(count)s earlier triggers: see the list",
                left,
            )
            % {"count": left},
        )
    if not found:
        triggers = [
            _("None logged in the %(days)s days before") % {"days": visit.rule.trigger_window_days}
        ]
    if episode.illness_associated:
        triggers.insert(0, _("Illness-associated"))
    return triggers


def _days_before(days: int) -> str:
    if days == 0:
        return _("same day")
    return ngettext("%(count)s day before", "%(count)s days before", days) % {"count": days}


LIST_ROWS = 16  # a longer list is condensed into running text


def _dated_rows(
    lines: tuple[Line, ...],
    width: float,
    empty: str = "",
    earlier: int = 0,
    most: int | None = None,
) -> list:
    """Dated lines as a table (their notes beside them); a long list as running text, its
    `most` recent lines if given; and a word on the earlier ones page 2 holds."""
    if not lines and earlier:
        words = ngettext(
            "%(count)s question: on the next pages.",
            "%(count)s questions: on the next pages.",
            earlier,
        )
        return [Paragraph(words % {"count": earlier}, BODY)]
    more = []
    if earlier:
        words = ngettext(
            "%(count)s earlier one on the next pages.",
            "%(count)s earlier ones on the next pages.",
            earlier,
        )
        more = [Paragraph(words % {"count": earlier}, SMALL)]
    if not lines:
        return [Paragraph(empty or _("None."), BODY)]
    if len(lines) > LIST_ROWS:
        return [*_running_text(lines, most), *more]
    rows = [[_cell(short_date(line.date)), _cell(line.text), _cell(line.note)] for line in lines]
    widths = [width * 0.16, width * 0.42, width * 0.42]
    if not any(line.note for line in lines):
        widths = [width * 0.16, width * 0.84]
        rows = [row[:2] for row in rows]
    return [_grid(rows, widths, header=False), *more]


def _running_text(lines: tuple[Line, ...], most: int | None) -> list:
    """A long list as running text: its `most` recent lines if given, after a word on the
    earlier ones left to the journal."""
    left_out = max(0, len(lines) - most) if most else 0
    running = "; ".join(f"<b>{_day(line.date)}</b> {_text(line.text)}" for line in lines[left_out:])
    if not left_out:
        return [Paragraph(running + ".", RUNNING)]
    return [Paragraph(_left_out_words(left_out), SMALL), Paragraph(running + ".", RUNNING)]


def _left_out_words(count: int) -> str:
    words = ngettext(
        "%(count)s earlier one, not shown here: the journal holds it.",
        "%(count)s earlier ones, not shown here: the journal holds them.",
        count,
    )
    return words % {"count": count}


def _treatments(visit: VisitSummary, width: float, most: int | None = None) -> list:
    now = ", ".join(line.text for line in visit.treatments_now) or _("none")
    going_on = _("Going on at %(day)s:") % {"day": _day(visit.last)}
    parts = [Paragraph(f"<b>{going_on}</b> {_text(now)}", BODY)]
    parts += [Spacer(1, 4), Paragraph(f"<b>{_('Changes in this period')}</b>", BODY)]
    parts += _dated_rows(
        visit.treatment_changes,
        width,
        empty=_("No course started, changed or stopped."),
        most=most,
    )
    left_out = max(0, len(visit.missed_doses) - most) if most else 0
    shown = visit.missed_doses[left_out:]
    missed = "; ".join(
        f"{short_date(line.date)} {_text(line.text[:1].lower() + line.text[1:])}" for line in shown
    )
    count = len(shown)
    if count:
        missed = ngettext("%(count)s day: %(days)s.", "%(count)s days: %(days)s.", count) % {
            "count": count,
            "days": missed,
        }
    else:
        missed = _("none logged.")
    heading = _("Doses missed or partly given:")
    parts += [Spacer(1, 4), Paragraph(f"<b>{heading}</b> {missed}", RUNNING)]
    if left_out:
        parts.append(Paragraph(_left_out_words(left_out), SMALL))
    return parts


def _rule(visit: VisitSummary) -> list:
    return [Paragraph(_text(" ".join(visit.rule.sentences())), SMALL)]


# --- Charts ------------------------------------------------------------------------------------


def _chart_section(
    visit: VisitSummary, kind: str, charts: "ChartSet", width: float, words=True, **drawing
) -> list:
    """A chart's title, the chart, and (unless `words` is False) the chart in words."""
    said = [Paragraph(_text(visit.chart_words(kind)), SMALL)] if words else []
    drawn = charts.draw(visit, kind, width, **drawing)
    return [Paragraph(trends.KINDS[kind].title, HEADING), drawn, *said]


PAIRED = ("sleep", "rage")
GUTTER = 4 * mm


def _side_by_side(columns: list[list], width: float) -> Table:
    table = Table([columns], colWidths=[width / 2] * 2)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (0, 0), GUTTER),  # the words apart, as the charts
            ]
        )
    )
    return table


@dataclass
class _Placement:
    page: int  # 0-based
    x: float
    y: float
    chart: int  # index in ChartSet.charts


class ChartSet:
    """The charts of one document: a placeholder for each in the layout, and where each was
    drawn, to put the chart itself there once ReportLab has written the pages."""

    def __init__(self, drawings: dict):
        self.charts: list[PdfReader] = []
        self.placements: list[_Placement] = []
        self.drawings = drawings  # the charts drawn, kept across the layouts tried

    def draw(self, visit: VisitSummary, kind: str, width: float, **drawing) -> Flowable:
        key = (kind, width, *sorted(drawing.items()))
        if key not in self.drawings:
            chart = trends.KINDS[kind]
            self.drawings[key] = chart.draw(
                **visit.charts[kind], format="pdf", width=width, **drawing
            )
        return self.add(self.drawings[key])

    def add(self, drawn: bytes) -> Flowable:
        self.charts.append(PdfReader(io.BytesIO(drawn)))
        return _ChartSpace(self, len(self.charts) - 1)

    def place(self, document: bytes) -> bytes:
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(document)))
        for placement in self.placements:
            name = NameObject(f"/OMSChart{placement.chart}")
            form = _form_xobject(writer, self.charts[placement.chart].pages[0])
            page = writer.pages[placement.page]
            resources = page.setdefault(NameObject("/Resources"), DictionaryObject())
            resources.setdefault(NameObject("/XObject"), DictionaryObject())[name] = form
            _append_content(
                writer, page, f"q 1 0 0 1 {placement.x:.3f} {placement.y:.3f} cm {name} Do Q"
            )
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()


class _ChartSpace(Flowable):
    """Room for a chart; notes on which page, and where, it was laid out."""

    def __init__(self, charts: ChartSet, index: int):
        super().__init__()
        self.charts, self.index = charts, index
        box = charts.charts[index].pages[0].mediabox
        self.width, self.height = float(box.width), float(box.height)

    def wrap(self, available_width, available_height):
        return self.width, self.height

    def draw(self):
        x, y = self.canv.absolutePosition(0, 0)
        page = self.canv.getPageNumber() - 1
        self.charts.placements.append(_Placement(page, x, y, self.index))


def _form_xobject(writer: PdfWriter, chart_page) -> IndirectObject:
    """The chart's page as a form XObject of the writer's, its content stream copied as it is
    (matplotlib writes one stream a page)."""
    form = chart_page["/Contents"].get_object().clone(writer)
    form[NameObject("/Type")] = NameObject("/XObject")
    form[NameObject("/Subtype")] = NameObject("/Form")
    form[NameObject("/BBox")] = ArrayObject(chart_page.mediabox)
    form[NameObject("/Resources")] = chart_page["/Resources"].clone(writer)
    return form.indirect_reference


def _append_content(writer: PdfWriter, page, operations: str) -> None:
    content = ContentStream(None, writer)
    content.set_data(page.get_contents().get_data() + b"\n" + operations.encode())
    page.replace_contents(content)


# --- Every page: the footer and "page n of N" --------------------------------------------------


class _Footer:
    def __init__(self, visit: VisitSummary, made: datetime.date):
        self.left = _("%(name)s · visit summary %(period)s · made %(day)s by OMS Journal") % {
            "name": visit.name,
            "period": _period(visit),
            "day": _day(made),
        }
        self.footer = str(FOOTER)

    def __call__(self, canvas, document) -> None:
        canvas.saveState()
        width = document.pagesize[0] - 2 * MARGIN
        footer = Paragraph(self.footer, SMALL)
        footer.wrap(width, FOOTER_ROOM)
        footer.drawOn(canvas, MARGIN, MARGIN + 12)
        canvas.setFont(FONT, 8)
        canvas.setFillColor(MUTED)
        canvas.drawString(MARGIN, MARGIN, self.left)
        canvas.restoreState()


class _NumberedCanvas(Canvas):
    """A canvas that writes "Page n of N" on each page once it knows N."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []

    def showPage(self) -> None:  # ReportLab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        count = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self.setFont(FONT, 8)
            self.setFillColor(MUTED)
            self.drawRightString(
                self._pagesize[0] - MARGIN,
                MARGIN,
                _("Page %(page)s of %(count)s") % {"page": self._pageNumber, "count": count},
            )
            super().showPage()
        super().save()
