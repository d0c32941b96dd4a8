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
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from journal import summary, trends
from journal.summary import Line, VisitSummary

PAPERS = {"a4": A4, "letter": LETTER}
MARGIN = 15 * mm
FOOTER_ROOM = 14 * mm
INK = colors.HexColor("#222222")
MUTED = colors.HexColor("#555555")
RULE = colors.HexColor("#BBBBBB")
SHADE = colors.HexColor("#F2F2F2")
ALERT = colors.HexColor("#8C1D18")
FOOTER = (
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
HEADING = _style("heading", fontName=BOLD, fontSize=11, leading=14, spaceBefore=8, spaceAfter=3)
BODY = _style("body")
SMALL = _style("small", fontSize=7.5, leading=9.5, textColor=MUTED)
CELL = _style("cell", fontSize=8.5, leading=10.5)
CELL_BOLD = _style("cell-bold", fontName=BOLD, fontSize=8.5, leading=10.5)
STATUS = _style("status", fontName=BOLD, fontSize=10, leading=13)


def summary_pdf(visit: VisitSummary, *, paper: str = "a4", made: datetime.date) -> bytes:
    """The visit summary as PDF bytes, on A4 or Letter paper."""
    size = PAPERS[paper]
    width = size[0] - 2 * MARGIN
    charts = ChartSet()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=size,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + FOOTER_ROOM,
        title=f"{visit.name}: visit summary, {_period(visit)}",
        author="OMS Journal",
        subject="Parent-reported diary summary for a neurologist visit",
        creator="OMS Journal",
    )
    footer = _Footer(visit, made)
    story = _story(visit, width, charts)
    document.build(story, onFirstPage=footer, onLaterPages=footer, canvasmaker=_NumberedCanvas)
    return charts.place(buffer.getvalue())


# --- The story: what the pages say, top to bottom ----------------------------------------------


def _story(visit: VisitSummary, width: float, charts: "ChartSet") -> list:
    chart_width = width / inch
    story = [
        _header(visit, width),
        Spacer(1, 4),
        Paragraph(_facts(visit), BODY),
        Spacer(1, 6),
        _status(visit, width),
        *_section("What changed", [_changes_table(visit, width)]),
        KeepTogether(_chart_section(visit, "score", charts, chart_width)),
        *_section("Possible relapses in this period", _episodes(visit, width)),
        CondPageBreak(3 * inch),
        KeepTogether(_chart_section(visit, "items", charts, chart_width)),
        _side_by_side(
            [_chart_section(visit, kind, charts, (width / 2 - GUTTER) / inch) for kind in PAIRED],
            width,
        ),
        *_section("Treatments", _treatments(visit, width)),
        *_section("Triggers logged in this period", _dated_rows(visit.triggers, width)),
        *_section("Questions for the neurologist", _dated_rows(visit.questions, width)),
        *_section("How possible relapses are flagged", _rule(visit)),
    ]
    return story


def _period(visit: VisitSummary) -> str:
    return f"{_day(visit.first)} \N{EN DASH} {_day(visit.last)}"


def _day(day: datetime.date) -> str:
    return f"{day:%-d %b %Y}"


def _header(visit: VisitSummary, width: float) -> Table:
    cells = [
        [Paragraph(f"{_text(visit.name)}: visit summary", TITLE), Paragraph(_period(visit), PERIOD)]
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
    facts = [f"Born {_day(visit.birth_date)}"]
    if visit.diagnosis_date:
        facts.append(f"diagnosed {_day(visit.diagnosis_date)}")
    if visit.last_visit_date:
        facts.append(f"last visit {_day(visit.last_visit_date)}")
    facts.append(f"<b>{visit.logged} of {visit.days} days logged ({visit.share_logged:.0%})</b>")
    return " · ".join(facts)


def _status(visit: VisitSummary, width: float) -> Table:
    headline, detail = summary.status_words(visit)
    table = Table([[Paragraph(headline, STATUS)], [Paragraph(detail, BODY)]], colWidths=[width])
    style = [("BACKGROUND", (0, 0), (-1, -1), SHADE), ("LEFTPADDING", (0, 0), (-1, -1), 6)]
    if visit.status.kind in ("relapse", "rising"):
        style.append(("LINEBEFORE", (0, 0), (0, -1), 3, ALERT))
    table.setStyle(TableStyle(style))
    return table


def _section(title: str, flowables: list) -> list:
    """A heading kept with what follows it."""
    return [KeepTogether([Paragraph(title, HEADING), *flowables[:1]]), *flowables[1:]]


def _grid(rows: list[list], widths: list[float], header: bool = True) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
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


def _changes_table(visit: VisitSummary, width: float) -> Table:
    """The mean of a logged day, before the period and in it: one column per item."""
    before_first = visit.first - visit.days * trends.ONE_DAY
    heading = [_cell("Average of a logged day", CELL_BOLD)]
    heading += [_cell(change.label, CELL_BOLD) for change in visit.changes]
    rows = [
        heading,
        [_cell(f"Before: {visit.before_logged} days logged from {before_first:%-d %b %Y}")]
        + [_cell(change.before_text) for change in visit.changes],
        [_cell(f"This period: {visit.logged} days logged")]
        + [_cell(change.now_text) for change in visit.changes],
        [_cell("Change", CELL_BOLD)]
        + [_cell(change.difference_text, CELL_BOLD) for change in visit.changes],
    ]
    first = width * 0.31
    rest = (width - first) / len(visit.changes)
    return _grid(rows, [first] + [rest] * len(visit.changes))


def _episodes(visit: VisitSummary, width: float) -> list:
    if not visit.episodes:
        return [Paragraph("None flagged in this period.", BODY)]
    heading = ["Onset", "End", "Length", "Peak", "Usual level", "Possible triggers"]
    rows = [[_cell(text, CELL_BOLD) for text in heading]]
    for episode in visit.episodes:
        triggers = [
            f"{_days_before(p.days_before_onset)}: {p.trigger.label}"
            for p in episode.possible_triggers
        ] or [f"None logged in the {visit.rule.trigger_window_days} days before"]
        if episode.illness_associated:
            triggers.insert(0, "Illness-associated")
        length = episode.length_days(visit.last)
        rows.append(
            [
                _cell(_day(episode.onset)),
                _cell(_day(episode.end) if episode.end else "ongoing"),
                _cell(f"{length} day{'s' if length != 1 else ''}"),
                _cell(f"{episode.peak_score} on {episode.peak_date:%-d %b}"),
                _cell(f"{episode.baseline.score:g}"),
                _cell("\n".join(triggers)),
            ]
        )
    widths = [0.13, 0.13, 0.09, 0.11, 0.09, 0.45]
    note = Paragraph(
        "Usual level: the daily score before the onset, which the rule compared against. "
        "Possible triggers: with the days from each to the onset.",
        SMALL,
    )
    return [_grid(rows, [width * share for share in widths]), Spacer(1, 2), note]


def _days_before(days: int) -> str:
    return "same day" if days == 0 else f"{days} day{'s' if days != 1 else ''} before"


def _dated_rows(lines: tuple[Line, ...], width: float, empty: str = "None.") -> list:
    if not lines:
        return [Paragraph(empty, BODY)]
    rows = [[_cell(f"{line.date:%-d %b %Y}"), _cell(line.text), _cell(line.note)] for line in lines]
    widths = [width * 0.16, width * 0.42, width * 0.42]
    if not any(line.note for line in lines):
        widths = [width * 0.16, width * 0.84]
        rows = [row[:2] for row in rows]
    return [_grid(rows, widths, header=False)]


def _treatments(visit: VisitSummary, width: float) -> list:
    now = ", ".join(line.text for line in visit.treatments_now) or "none"
    parts = [Paragraph(f"<b>Going on at {_day(visit.last)}:</b> {_text(now)}", BODY)]
    parts += [Spacer(1, 4), Paragraph("<b>Changes in this period</b>", BODY)]
    parts += _dated_rows(
        visit.treatment_changes, width, empty="No course started, changed or stopped."
    )
    missed = ", ".join(
        f"{line.date:%-d %b %Y} ({line.text.lower()})" for line in visit.missed_doses
    )
    count = len(visit.missed_doses)
    missed = f"{count} day{'s' if count != 1 else ''}: {missed}." if count else "none logged."
    parts += [Spacer(1, 4), Paragraph(f"<b>Doses missed or partly given:</b> {missed}", BODY)]
    return parts


def _rule(visit: VisitSummary) -> list:
    return [Paragraph(_text(sentence), SMALL) for sentence in visit.rule.sentences()]


# --- Charts ------------------------------------------------------------------------------------


def _chart_section(visit: VisitSummary, kind: str, charts: "ChartSet", width: float) -> list:
    """A chart's title, the chart, and the chart in words."""
    chart = trends.KINDS[kind]
    drawn = chart.draw(**visit.charts[kind], format="pdf", width=width)
    words = Paragraph(_text(visit.chart_words(kind)), SMALL)
    return [Paragraph(chart.title, HEADING), charts.add(drawn), words]


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

    def __init__(self):
        self.charts: list[PdfReader] = []
        self.placements: list[_Placement] = []

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
        self.left = (
            f"{visit.name} · visit summary {_period(visit)} · made {_day(made)} by OMS Journal"
        )

    def __call__(self, canvas, document) -> None:
        canvas.saveState()
        width = document.pagesize[0] - 2 * MARGIN
        footer = Paragraph(FOOTER, SMALL)
        footer.wrap(width, FOOTER_ROOM)
        footer.drawOn(canvas, MARGIN, MARGIN + 12)
        canvas.setFont(FONT, 7.5)
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
            self.setFont(FONT, 7.5)
            self.setFillColor(MUTED)
            self.drawRightString(
                self._pagesize[0] - MARGIN, MARGIN, f"Page {self._pageNumber} of {count}"
            )
            super().showPage()
        super().save()
