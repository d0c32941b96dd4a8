"""The journal's charts: pure functions from analysis' plain data to SVG (or PNG, PDF) bytes.

Four charts, each with a text alternative that says the same in a few plain sentences:

- `score_chart`: the daily score with its 7-day mean, possible-relapse episodes shaded, trigger
  events marked along the top, and treatment courses as lanes underneath.
- `heatmap_chart`: every item's rating (0-3), one row per item, one column per day.
- `sleep_chart`: hours slept and night wakings.
- `rage_chart`: rage episodes a day and the longest episode in minutes.

Each render builds a `matplotlib.figure.Figure` directly, never pyplot: pyplot keeps global state
that leaks between requests in a server. Settings apply through `matplotlib.rc_context` inside
each render for the same reason. The output is deterministic (same input, same bytes) so it can
be cached and compared, and SVG text stays text (selectable, smaller, read by screen readers).

The figures are sized for a phone: 3.5 in (252 pt) wide, about the 334 CSS px of a card's
column on a 390 px phone, so that the SVG is shown at about its own size there: every font is
10 pt or more (about 13 CSS px on that phone; 8 pt is the least in print) and every symbol 8 pt
or more (over 10 px). Colours are Okabe-Ito (safe with every common colour-vision deficiency)
and nothing is told by colour alone: each trigger type has its own marker shape, told apart in
greyscale too, and missing days are hatched.

Days are drawn on matplotlib's date axis as plain day numbers: a day's values sit at its middle
(date + 0.5) and a span of days covers [first day, last day + 1), so dots, bands and lanes line up.
"""

import datetime
import io
import itertools
import math
import re
import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import matplotlib
import numpy as np
from django.utils.dates import MONTHS_3
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from matplotlib import dates as mdates
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.legend_handler import HandlerTuple
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.textpath import text_to_path
from matplotlib.ticker import MaxNLocator

from journal.analysis import (
    DOSE_REDUCTION,
    TREATMENT_STOPPED,
    TRIGGER_LABELS,
    Course,
    Day,
    Episode,
    Trigger,
    seven_day_means,
    shifted,
)
from journal.scales import MAX_DAILY_SCORE, MAX_RATING

Date = datetime.date
ONE_DAY = datetime.timedelta(days=1)

# --- Look ------------------------------------------------------------------------------------

# Okabe-Ito, plus a mid grey.
BLACK = "#000000"
ORANGE = "#E69F00"
SKY = "#56B4E9"
GREEN = "#009E73"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
PURPLE = "#CC79A7"
GREY = "#777777"
INK = "#333333"  # axis text: softer than black, still well above 4.5:1 contrast
FAINT = "#DDDDDD"  # grid and lane rules
BAND_ALPHA = 0.16  # possible-relapse bands: visible on a phone, and the dots still show

WIDTH = 3.5  # inches: shown at about its own size in a phone's card (see above)
FONT_SIZE = 10  # points: the least size of any text in a chart
LEFT = 0.36  # room for the y tick labels; axis labels sit above each panel, not beside it
RIGHT = 0.14
EPOCH = Date(1970, 1, 1)  # rc "date.epoch" below: day numbers are days since this date

RC = {
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],  # the SVG names it, then falls back to sans-serif
    "font.size": FONT_SIZE,
    "axes.labelsize": FONT_SIZE,
    "axes.labelcolor": INK,
    "axes.edgecolor": "#888888",
    "axes.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.labelsize": FONT_SIZE,
    "ytick.labelsize": FONT_SIZE,
    "xtick.color": INK,
    "ytick.color": INK,
    "xtick.major.size": 3,
    "ytick.major.size": 0,
    "xtick.major.width": 0.6,
    "legend.fontsize": FONT_SIZE,
    "legend.frameon": False,
    "figure.facecolor": "white",
    "hatch.color": "#AAAAAA",
    "hatch.linewidth": 0.6,
    "date.epoch": "1970-01-01T00:00:00",
    "svg.fonttype": "none",  # text stays text
    # Every word drawn is the text it is: a drug or an item named "Pay $\foo$" is no TeX.
    "text.parse_math": False,
    "svg.hashsalt": "oms-journal",  # stable ids, so the same input gives the same bytes
    "pdf.fonttype": 42,  # TrueType: the PDF's text can be selected and searched
}

FORMATS = ("svg", "png", "pdf")
# No dates or versions in the files, so the same input gives the same bytes.
METADATA = {
    "svg": {"Date": None},
    "png": {"Software": None},
    "pdf": {"CreationDate": None, "ModDate": None},
}
PNG_DPI = 200

# Each trigger type: a marker shape of its own and a colour, never the colour alone. A dose
# lowered points down in the green of the treatment lanes, never the light blue of the scores.
TRIGGER_STYLES = {
    "fever": ("^", VERMILLION),
    "illness": ("D", ORANGE),
    "vaccination": ("s", GREEN),
    "anaesthesia": ("p", PURPLE),
    "immunotherapy_change": ("P", BLUE),
    "stress": ("*", BLACK),
    "other": ("o", GREY),
    DOSE_REDUCTION: ("v", GREEN),
    TREATMENT_STOPPED: ("X", BLACK),
}
MARKER_SIZE = 8  # points: over 10 CSS px on a phone
MARKER_SCALE = {"*": 1.4}  # a star's arms are thin: larger, to look as large as the others
# A sequential ramp, light to dark, so 0-3 also reads in greyscale.
RATING_COLOURS = ("#FFF3C4", "#F5B94A", "#D9662B", "#8C1D18")
# Masked cells are transparent: the hatched "not logged" layer behind shows through.
RATING_CMAP = ListedColormap(RATING_COLOURS, bad=(0, 0, 0, 0))

NO_DAYS = gettext_noop("No days logged in this period")
NOTHING_ENTERED = gettext_noop("Nothing entered in this period")
UNITS = {"mg/m2": "mg/m²", "IU/m2": "IU/m²"}


# --- Plain data for one period -----------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """The days shown, both inclusive, and their positions on the date axis."""

    first: Date
    last: Date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError(f"the period ends ({self.last}) before it starts ({self.first})")

    @property
    def length(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def start(self) -> float:
        return float((self.first - EPOCH).days)

    @property
    def stop(self) -> float:
        return self.start + self.length

    def x(self, day: Date) -> float:
        """The left edge of a day on the axis."""
        return float((day - EPOCH).days)

    def middles(self) -> np.ndarray:
        return self.start + 0.5 + np.arange(self.length)

    def covers(self, start: Date, end: Date | None) -> bool:
        """Whether a span from start to end (None: still going) overlaps the period."""
        return start <= self.last and (end is None or end >= self.first)

    def clip(self, start: Date, end: Date | None) -> tuple[float, float]:
        """A span's edges on the axis, cut to the period; a span still going runs to the end."""
        end = self.last if end is None else min(end, self.last)
        return self.x(max(start, self.first)), self.x(end) + 1


def _by_date(days: Iterable[Day], period: Period) -> dict[Date, Day]:
    """The period's days by date; if a date comes twice, the last one wins (as in analysis)."""
    return {day.date: day for day in days if period.first <= day.date <= period.last}


def _series(by_date: Mapping[Date, Day], period: Period, value: Callable[[Day], object]):
    """One number per day of the period, NaN where there is no day or no value: a gap."""
    values = np.full(period.length, np.nan)
    for date, day in by_date.items():
        number = value(day)
        if number is not None:
            values[(date - period.first).days] = float(number)
    return values


def _detail(name: str) -> Callable[[Day], object]:
    return lambda day: day.details.get(name)


def _rolling_mean(values: np.ndarray, window: int = 7, least: int = 4) -> np.ndarray:
    """Mean of the last `window` values ending on each day, NaN with fewer than `least` known:
    the same rule as analysis.seven_day_means, so every 7-day line on the page agrees."""
    known = ~np.isnan(values)
    sums = np.convolve(np.where(known, values, 0.0), np.ones(window))[: len(values)]
    counts = np.convolve(known.astype(float), np.ones(window))[: len(values)]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts >= least, sums / counts, np.nan)


def _detail_series(days: Sequence[Day], period: Period, name: str):
    """A detail's daily values and their 7-day mean; the mean also counts the 6 days before."""
    wider = Period(shifted(period.first, -6), period.last)
    values = _series(_by_date(days, wider), wider, _detail(name))
    return values[6:], _rolling_mean(values)[6:]


# --- Figures -------------------------------------------------------------------------------------


def _figure(rows: Sequence[tuple[str, float]], width: float, left: float = LEFT):
    """A figure `width` inches wide stacking named rows (height in inches) top to bottom, and
    each row's rectangle in figure fractions. Laid out by hand: fixed, fast, and the same for
    every render."""
    height = sum(h for _, h in rows)
    fig = Figure(figsize=(width, height))
    rects, top = {}, height
    for name, h in rows:
        top -= h
        rects[name] = (left / width, top / height, (width - left - RIGHT) / width, h / height)
    return fig, rects


def _save(fig: Figure, format: str) -> bytes:
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {format!r}")
    buffer = io.BytesIO()
    fig.savefig(buffer, format=format, dpi=PNG_DPI, metadata=METADATA[format])
    return buffer.getvalue()


class _PeriodLocator(mdates.AutoDateLocator):
    """Date ticks within the period's days only: a tick on the right edge would mark the day
    after the period, and its label would hang off the figure."""

    def __call__(self):
        end = self.axis.get_view_interval()[1]
        return [tick for tick in super().__call__() if tick < end - 0.5]


def _date_axis(ax, period: Period) -> None:
    """Few ticks, concise labels ("Mar", "8", "2026"), day-first as in the rest of the app."""
    ax.set_xlim(period.start, period.stop)
    locator = _PeriodLocator(minticks=3, maxticks=5)
    formatter = MonthNamesFormatter(
        locator,
        formats=["%Y", "%b", "%-d %b", "%H:%M", "%H:%M", "%S"],
        zero_formats=["", "%Y", "%-d %b", "%-d %b", "%H:%M", "%H:%M"],
        offset_formats=["", "%Y", "%Y", "%-d %b %Y", "%-d %b %Y", "%-d %b %Y"],
    )
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(formatter)


class MonthNamesFormatter(mdates.ConciseDateFormatter):
    """matplotlib's concise dates, with the months named in the page's language: strftime's
    %b is English whatever the language, Django's month abbreviations (the "M" format) are not."""

    def format_ticks(self, values):
        return [in_language_months(label) for label in super().format_ticks(values)]

    def get_offset(self):
        return in_language_months(super().get_offset())


# strftime's %b in the C locale, which matplotlib's formats use.
ENGLISH_MONTHS = {
    name: number
    for number, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}


def in_language_months(label: str) -> str:
    """A tick label with its English month abbreviations ("Mar") in the page's language."""
    return re.sub(
        r"\b(" + "|".join(ENGLISH_MONTHS) + r")\b",
        lambda m: str(MONTHS_3[ENGLISH_MONTHS[m[1]]]).title(),
        label,
    )


def _upper(ax) -> None:
    """A panel above another that carries the dates: no date labels of its own."""
    ax.tick_params(axis="x", which="both", length=0, labelbottom=False)


def _panel_label(ax, text: str, rect, height: float) -> None:
    """The y axis label, written level above the panel's top left: easier to read on a phone
    than sideways text, and it leaves the panel the full width."""
    ax.set_ylabel(_(text), rotation=0, ha="left", va="bottom")
    width = ax.figure.get_figwidth()
    axes_left = rect[0] * width
    ax.yaxis.set_label_coords(-(axes_left - 0.04) / (rect[2] * width), 1 + 0.05 / height)


def _message(ax, text: str) -> None:
    ax.text(0.5, 0.5, _(text), transform=ax.transAxes, ha="center", va="center", color=INK)


def _legend(fig: Figure, rect, entries: Sequence, ncol: int, **kwargs) -> None:
    """A legend under the chart, left-aligned. Entries are artists with labels, or (handle,
    label) pairs, where a handle may be a tuple of artists drawn side by side."""
    if not entries:
        return
    pairs = [_pair(entry) for entry in entries]
    fig.legend(
        [handle for handle, _ in pairs],
        [label for _, label in pairs],
        handler_map={tuple: HandlerTuple(ndivide=None, pad=0.3)},
        loc="upper left",
        bbox_to_anchor=(LEGEND_LEFT / fig.get_figwidth(), rect[1] + rect[3]),
        ncol=ncol,
        handlelength=HANDLE_LENGTH,
        handletextpad=HANDLE_PAD,
        columnspacing=COLUMN_SPACING,
        borderaxespad=0,
        borderpad=0.2,
        **kwargs,
    )


def _pair(entry) -> tuple:
    return entry if isinstance(entry, tuple) else (entry, entry.get_label())


HANDLE_LENGTH, HANDLE_PAD, COLUMN_SPACING = 1.4, 0.4, 0.8  # in font sizes
LEGEND_LEFT = 0.04  # inches from the figure's left edge
LEGEND_ROW = 0.22  # inches: one row of legend text at FONT_SIZE


def _text_width(text: str) -> float:
    """A line of chart text's width in inches, measured as matplotlib lays it out."""
    font = FontProperties(family="DejaVu Sans", size=FONT_SIZE)
    return text_to_path.get_text_width_height_descent(text, font, ismath=False)[0] / 72


def _columns(entries: Sequence, width: float, most: int = 3) -> int:
    """The most legend columns, up to `most`, whose labels fit the figure's width (filled
    column by column, the first columns one longer, as matplotlib fills them)."""
    labels = [_pair(entry)[1] for entry in entries]
    handle = (HANDLE_LENGTH + HANDLE_PAD) * FONT_SIZE / 72
    for ncol in range(min(most, len(labels)), 1, -1):
        rows, longer = divmod(len(labels), ncol)
        sizes = [rows + 1] * longer + [rows] * (ncol - longer)
        edges = itertools.pairwise(itertools.accumulate(sizes, initial=0))
        columns = [labels[start:end] for start, end in edges]
        spacing = (ncol - 1) * COLUMN_SPACING * FONT_SIZE / 72
        if sum(max(map(_text_width, column)) + handle for column in columns) + spacing <= (
            width - LEGEND_LEFT - 0.08
        ):
            return ncol
    return 1


def _legend_height(count: int, ncol: int) -> float:
    return LEGEND_ROW * math.ceil(count / ncol) + 0.08 if count else 0.0


def _marker_size(period: Period) -> float:
    # Smaller dots as days crowd together: 4 pt for a month, about 2 for a year, 1.4 for five.
    return max(1.4, min(4.0, 4.0 * math.sqrt(60 / period.length)))


JOIN_DAYS = 120  # up to this many days, a thin line joins consecutive days' dots


def _daily_dots(ax, x, values, period: Period, colour: str, label: str = gettext_noop("Each day")):
    """Each day's value as a dot; a thin line joins only consecutive days (NaN breaks it), and
    only over short periods, where it helps the eye rather than adding noise."""
    if period.length <= JOIN_DAYS:
        ax.plot(x, values, color=colour, lw=0.6, alpha=0.9, zorder=2)
    return ax.plot(
        x,
        values,
        ls="none",
        marker="o",
        ms=_marker_size(period),
        color=colour,
        mew=0,
        label=_(label),
        zorder=3,
    )[0]


def _mean_line(ax, x, values, period: Period, label: str = "7-day mean"):
    # Bold over weeks and months; thinner over years, where a week's wiggle would make a blob.
    width = 2.0 if period.length <= 400 else 1.2
    line = ax.plot(x, values, color=BLUE, lw=width, solid_capstyle="round", label=label, zorder=4)
    return line[0]


def _count_bars(ax, values: np.ndarray, period: Period, colour: str) -> None:
    """Counts a day as bars: one filled step path, a gap where nothing was entered. A count of
    0 gets a low stub, so "none" (a stub) and "not entered" (nothing) look different."""
    stub = 0.035 * ax.get_ylim()[1]
    edges = period.start + np.arange(period.length + 1)
    drawn = np.where(values == 0, stub, values)
    ax.stairs(drawn, edges, fill=True, color=colour, alpha=0.75, lw=0, zorder=2)


def _count_axis(ax, values: np.ndarray, least_top: float) -> None:
    """A count's axis starts at 0 (bars must) and reaches at least `least_top`."""
    known = values[~np.isnan(values)]
    _y_range(ax, 0, max(least_top, known.max() if known.size else 0))


def _measure_axis(ax, values: np.ndarray, least_span: float, from_zero: bool) -> None:
    """A measure's axis spans at least `least_span`, so day-to-day noise stays small. Hours
    slept need not start at 0: they sit between 8 and 12, and a drop of two hours should show."""
    known = values[~np.isnan(values)]
    high = math.ceil(known.max()) + 1 if known.size else least_span
    low = 0 if from_zero or not known.size else math.floor(known.min()) - 1
    low = max(0, min(low, high - least_span))
    _y_range(ax, low, max(high, low + least_span))


def _y_range(ax, low: float, high: float) -> None:
    # A little room above the top tick, so its label stays clear of the panel's label.
    ax.set_ylim(low, high + 0.08 * (high - low))
    _few_ticks(ax)


def _few_ticks(ax) -> None:
    ax.yaxis.set_major_locator(MaxNLocator(nbins=3, integer=True))
    ax.grid(axis="y", color=FAINT, lw=0.6)
    ax.set_axisbelow(True)


# --- The score chart -----------------------------------------------------------------------------

SCORE_HEIGHT = 1.9
LANE_HEIGHT = 0.36
LEVEL_HEIGHT = 0.2
MAX_LEVELS = 3
DATES_HEIGHT = 0.44  # tick labels and the concise offset ("2026") under them
LABEL_HEIGHT = 0.24  # a panel's label above it
MARKER_INCHES = 0.12  # a trigger marker's width, to keep markers from landing on one another


def score_chart(
    *,
    days: Sequence[Day],
    episodes: Sequence[Episode],
    triggers: Sequence[Trigger],
    courses: Sequence[Course],
    first: Date,
    last: Date,
    format: str = "svg",
    width: float = WIDTH,
    score_height: float = SCORE_HEIGHT,
) -> bytes:
    """The daily score (0-15) with its 7-day mean, possible relapses shaded, trigger events
    marked along the top and treatment courses as lanes below, from first to last."""
    period = Period(first, last)
    days = list(days)  # read twice: for the dots and for the 7-day mean
    shown = [e for e in episodes if period.covers(e.onset, e.end)]
    marked = _triggers_in(triggers, period)
    lanes = _lanes(courses, period)
    with matplotlib.rc_context(RC):
        levels = _trigger_levels(marked, period, width)
        level_count = max(levels, default=-1) + 1
        legend = _score_legend(shown, marked, weekly=is_weekly(period))
        columns = _columns(legend, width)
        rows = [("top", 0.06)]
        if marked:
            rows += [("strip_label", LABEL_HEIGHT), ("triggers", LEVEL_HEIGHT * level_count)]
        rows += [("label", LABEL_HEIGHT), ("score", score_height)]
        if lanes:
            rows += [("gap", 0.08), ("lanes", LANE_HEIGHT * len(lanes))]
        rows += [("dates", DATES_HEIGHT), ("legend", _legend_height(len(legend), columns))]
        rows.append(("end", 0.04))
        fig, rects = _figure(rows, width)

        ax = fig.add_axes(rects["score"])
        _date_axis(ax, period)
        _draw_episodes(ax, shown, period, baselines=True)
        _draw_scores(ax, days, period)
        _panel_label(ax, gettext_noop("Daily score (0-15)"), rects["score"], score_height)
        if marked:
            strip = fig.add_axes(rects["triggers"], sharex=ax)
            _draw_episodes(strip, shown, period)
            _draw_triggers(strip, marked, levels, level_count, period)
            _panel_label(
                strip, gettext_noop("Triggers"), rects["triggers"], LEVEL_HEIGHT * level_count
            )
        if lanes:
            below = fig.add_axes(rects["lanes"], sharex=ax)
            _draw_episodes(below, shown, period)
            _draw_lanes(below, lanes, period)
            _upper(ax)
        _legend(fig, rects["legend"], legend, columns)
        return _save(fig, format)


def _draw_scores(ax, days: Sequence[Day], period: Period) -> None:
    scores = _series(_by_date(days, period), period, lambda day: day.score)
    ax.set_ylim(-0.6, MAX_DAILY_SCORE + 0.6)
    ax.set_yticks(range(0, MAX_DAILY_SCORE + 1, 5))
    ax.grid(axis="y", color=FAINT, lw=0.6)
    ax.set_axisbelow(True)
    if np.all(np.isnan(scores)):
        _message(ax, NO_DAYS)
        return
    if is_weekly(period):
        weekly = weekly_means(scores)
        ax.plot(_week_middles(period, len(weekly)), weekly, **WEEKLY_STYLE, zorder=4)
        return
    means = seven_day_means(days, period.first, period.last)
    means = np.array([np.nan if mean is None else mean for _, mean in means], dtype=float)
    x = period.middles()
    _daily_dots(ax, x, scores, period, SKY, label=gettext_noop("Daily score"))
    _mean_line(ax, x, means, period)


# Over a long period a dot a day becomes a blur: each week's mean is drawn instead.
WEEKLY_FROM_DAYS = 400
WEEKLY_STYLE = {"color": BLUE, "lw": 1.2, "marker": "o", "ms": 3, "mew": 0}


def is_weekly(period: Period) -> bool:
    """Whether the period is long enough to be drawn week by week."""
    return period.length >= WEEKLY_FROM_DAYS


def weekly_means(values: np.ndarray) -> np.ndarray:
    """The mean of the known values of each 7 days from the first (the last week may be
    shorter); NaN for a week with none."""
    weeks = math.ceil(len(values) / 7)
    grid = np.full(weeks * 7, np.nan)
    grid[: len(values)] = values
    grid = grid.reshape(weeks, 7)
    known = (~np.isnan(grid)).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(known > 0, np.nansum(grid, axis=1) / np.maximum(known, 1), np.nan)


def _week_middles(period: Period, weeks: int) -> np.ndarray:
    return np.minimum(period.start + 7 * np.arange(weeks) + 3.5, period.stop - 0.5)


def _draw_episodes(ax, episodes: Sequence[Episode], period: Period, baselines=False) -> None:
    """Each possible relapse as a band; over the scores, its frozen baseline as a dashed line."""
    for episode in episodes:
        x0, x1 = period.clip(episode.onset, episode.end)
        ax.axvspan(x0, x1, color=VERMILLION, alpha=BAND_ALPHA, lw=0, zorder=0)
        if baselines:
            ax.hlines(
                episode.baseline.score,
                x0,
                x1,
                colors=VERMILLION,
                lw=1.2,
                linestyles=(0, (3, 2)),
                zorder=1,
            )


def _score_legend(
    episodes: Sequence[Episode], triggers: Sequence[Trigger], weekly: bool = False
) -> list:
    handles = [
        Line2D([], [], ls="none", marker="o", ms=6, color=SKY, mew=0, label=_("Daily score")),
        Line2D([], [], color=BLUE, lw=2, label=_("7-day mean")),
    ]
    if weekly:
        handles = [Line2D([], [], **WEEKLY_STYLE, label=_("Weekly mean of the daily score"))]
    if episodes:
        handles.append(Patch(color=VERMILLION, alpha=BAND_ALPHA, lw=0, label="Possible relapse"))
        handles.append(
            Line2D([], [], color=VERMILLION, lw=1.2, ls=(0, (3, 2)), label="Baseline at onset")
        )
    present = {trigger.type for trigger in triggers}
    for kind in _trigger_order(present):
        marker, colour = _trigger_style(kind)
        handles.append(
            Line2D(
                [],
                [],
                ls="none",
                marker=marker,
                ms=_marker_size_for(marker, MARKER_SIZE),
                color=colour,
                mec="white",
                mew=0.5,
                label=str(LEGEND_LABELS.get(kind) or _trigger_label(kind)),
            )
        )
    return handles


# --- Triggers ------------------------------------------------------------------------------------


def _triggers_in(triggers: Iterable[Trigger], period: Period) -> list[Trigger]:
    found = [t for t in triggers if period.covers(t.date, t.last_date)]
    return sorted(found, key=lambda t: (t.date, t.last_date, t.type, t.label))


def _trigger_order(kinds: Iterable[str]) -> list[str]:
    """Known types in the order of TRIGGER_LABELS, then any others by name."""
    kinds = set(kinds)
    known = [kind for kind in TRIGGER_LABELS if kind in kinds]
    return known + sorted(kinds - set(known))


def _trigger_style(kind: str) -> tuple[str, str]:
    return TRIGGER_STYLES.get(kind, TRIGGER_STYLES["other"])


def _marker_size_for(marker: str, size: float) -> float:
    # Some shapes look bigger than others at one size: even them out, so none seems to matter more.
    return size * MARKER_SCALE.get(marker, 1.0)


# Shorter names in the legend, so that two columns fit a phone; the words say them in full.
LEGEND_LABELS = {
    "anaesthesia": gettext_lazy("Anaesthesia"),
    "immunotherapy_change": gettext_lazy("Therapy change"),
}


def _trigger_label(kind: str) -> str:
    return TRIGGER_LABELS.get(kind, kind.replace("_", " ").capitalize())


def _trigger_levels(triggers: Sequence[Trigger], period: Period, width: float) -> list[int]:
    """A row for each trigger, so that markers and spans close together don't hide each other:
    the first row free at its date, at most MAX_LEVELS rows (then the least crowded is shared)."""
    pad = MARKER_INCHES * period.length / (width - LEFT - RIGHT)  # a marker's width in days
    ends: list[float] = []  # per row, where its last marker or span ends
    levels = []
    for trigger in triggers:
        x0, x1 = period.clip(trigger.date, trigger.last_date)
        start, end = x0 + 0.5 - pad, max(x1, x0 + 0.5 + pad)
        free = [row for row, row_end in enumerate(ends) if row_end <= start]
        if free:
            row = free[0]
        elif len(ends) < MAX_LEVELS:
            row = len(ends)
            ends.append(end)
        else:
            row = min(range(len(ends)), key=ends.__getitem__)
        ends[row] = max(ends[row], end)
        levels.append(row)
    return levels


def _draw_triggers(ax, triggers, levels, level_count: int, period: Period) -> None:
    """Each trigger's marker at its start, on its row; a bar along the days it lasted."""
    ax.set_ylim(level_count - 0.4, -0.6)  # row 0 on top
    ax.set_yticks([])
    ax.spines[:].set_visible(False)
    _upper(ax)
    starts: dict[str, list[tuple[float, int]]] = {}  # one line of markers per type
    for trigger, level in zip(triggers, levels, strict=True):
        x0, x1 = period.clip(trigger.date, trigger.last_date)
        colour = _trigger_style(trigger.type)[1]
        if trigger.end_date is not None and trigger.end_date > trigger.date:
            ax.hlines(level, x0 + 0.5, x1 - 0.5, colors=colour, lw=2.2, alpha=0.55, zorder=2)
        if trigger.date >= period.first:  # one that began before the period shows its bar only
            starts.setdefault(trigger.type, []).append((x0 + 0.5, level))
    for kind, points in starts.items():
        marker, colour = _trigger_style(kind)
        xs, ys = zip(*points, strict=True)
        ax.plot(
            xs,
            ys,
            ls="none",
            marker=marker,
            ms=_marker_size_for(marker, MARKER_SIZE),
            color=colour,
            mec="white",
            mew=0.5,
            zorder=3,
        )


# --- Treatment lanes -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Lane:
    """One drug's lane: its courses that overlap the period (several courses of one drug share)."""

    name: str
    courses: tuple[Course, ...]

    def caption(self, period: Period) -> str:
        """The drug, and its doses in the period when one course fills the lane: "Prednisolone
        2 → 0.25 mg/kg". A step planned after the period is not given yet, and not said."""
        doses = _doses_in(self.courses[0], period) if len(self.courses) == 1 else []
        if not doses:
            return self.name
        course = self.courses[0]
        unit = UNITS.get(course.unit, course.unit)
        amount = _number(doses[0]) if len(set(doses)) == 1 else _dose_range(doses)
        return f"{self.name} {amount} {unit}".rstrip()


def _doses_in(course: Course, period: Period) -> list[float]:
    """The course's dose as the period begins, then each dose it changed to within it."""
    steps = sorted(course.doses)
    before = [dose for since, dose in steps if since <= period.first]
    return before[-1:] + [dose for since, dose in steps if period.first < since <= period.last]


def _dose_range(doses: Sequence[float]) -> str:
    return f"{_number(doses[0])} → {_number(doses[-1])}"


def _lanes(courses: Iterable[Course], period: Period) -> list[Lane]:
    """One lane per drug with a course in the period, in the order they first started."""
    by_name: dict[str, list[Course]] = {}
    for course in sorted(courses, key=lambda c: (c.start, c.name)):
        if period.covers(course.start, course.end):
            by_name.setdefault(course.name.strip().casefold(), []).append(course)
    return [Lane(group[0].name.strip(), tuple(group)) for group in by_name.values()]


def _steps(course: Course, period: Period) -> tuple[list[float], list[float]]:
    """A course's dose as steps, each relative to its highest dose: edges and heights (0-1).

    A single dose is a full bar; a taper steps down at each change. Before its first dated dose
    a course is drawn at that dose, and a dose of 0 leaves the lane empty."""
    doses = sorted((since, float(dose)) for since, dose in course.doses) or [(course.start, 1.0)]
    highest = max(dose for _, dose in doses) or 1.0
    start, stop = period.clip(course.start, course.end)
    edges, heights = [start], []
    for index, (_since, dose) in enumerate(doses):
        following = doses[index + 1][0] if index + 1 < len(doses) else None
        until = stop if following is None else min(stop, max(start, period.x(following)))
        if until > edges[-1]:  # steps wholly outside the period take no room
            heights.append(dose / highest)
            edges.append(until)
    return edges, heights


def _draw_lanes(ax, lanes: Sequence[Lane], period: Period) -> None:
    """Lanes top to bottom: the drug's name, then its dose as a filled step under it."""
    ax.set_ylim(len(lanes), 0)
    ax.set_yticks([])
    ax.spines[["left"]].set_visible(False)
    baseline, room = 0.92, 0.46  # in lane heights: the bar's bottom and its full height
    for row, lane in enumerate(lanes):
        ax.axhline(row + baseline, color=FAINT, lw=0.6, zorder=1)
        ax.text(
            0.005,
            row + 0.06,
            lane.caption(period),
            transform=ax.get_yaxis_transform(),
            ha="left",
            va="top",
            fontsize=FONT_SIZE,
            color=INK,
            zorder=3,
        )
        for course in lane.courses:
            edges, heights = _steps(course, period)
            tops = [row + baseline - room * height for height in heights]
            ax.stairs(
                tops,
                edges,
                baseline=row + baseline,
                fill=True,
                color=GREEN,
                alpha=0.8,
                lw=0,
                zorder=2,
            )


# --- The heat map --------------------------------------------------------------------------------

ROW_HEIGHT = 0.28
NOT_RATED = gettext_noop("Not rated")  # hatched: the day not logged, or the item not rated that day


def heatmap_chart(
    *,
    days: Sequence[Day],
    items: Sequence[tuple[str, str]],
    first: Date,
    last: Date,
    format: str = "svg",
    width: float = WIDTH,
) -> bytes:
    """Each item's rating (0-3) by day: one row per item, one column per day, hatched where
    the day was not logged or the item not rated."""
    period = Period(first, last)
    by_date = _by_date(days, period)
    grid = np.full((len(items), period.length), np.nan)
    for row, (key, _label) in enumerate(items):
        grid[row] = _series(by_date, period, _rating(key))
    weekly = is_weekly(period)
    if weekly:
        grid = _weekly_grid(grid)
    labels = [_short(label) for _, label in items]
    # Room for the longest row label: DejaVu Sans averages about 0.6 em a character.
    left = max(LEFT, 0.14 + 0.08 * max((len(label) for label in labels), default=0))
    with matplotlib.rc_context(RC):
        rows = [("top", 0.08), ("map", ROW_HEIGHT * max(1, len(items))), ("dates", DATES_HEIGHT)]
        legend = _heatmap_legend()
        columns = _columns(legend, width, most=len(legend))
        rows += [("legend", LEGEND_ROW + _legend_height(len(legend), columns)), ("end", 0.02)]
        fig, rects = _figure(rows, width, left=left)
        ax = fig.add_axes(rects["map"])
        _date_axis(ax, period)
        _draw_grid(ax, grid, labels, period, days_a_column=7 if weekly else 1)
        if np.all(np.isnan(grid)):
            _message(ax, NO_DAYS if not by_date else gettext_noop("No ratings in this period"))
        _legend(
            fig,
            rects["legend"],
            legend,
            ncol=columns,
            title=_("Weekly mean rating (0 none, 3 most)")
            if weekly
            else _("Rating (0 none, 3 most)"),
            alignment="left",
            title_fontsize=FONT_SIZE,
        )
        return _save(fig, format)


def _weekly_grid(grid: np.ndarray) -> np.ndarray:
    """Each row's weekly means, rounded to the nearest rating."""
    weeks = math.ceil(grid.shape[1] / 7)
    rounded = [np.floor(weekly_means(row) + 0.5) for row in grid]
    return np.array(rounded).reshape(len(grid), weeks)


def _draw_grid(
    ax, grid: np.ndarray, labels: Sequence[str], period: Period, days_a_column: int = 1
) -> None:
    """The ratings as an image over a hatched layer: NaN cells are masked, so the hatching shows
    where a day was not logged or an item not rated. One image, however many days: small SVG."""
    rows = max(1, len(labels))
    ax.spines[:].set_visible(False)
    ax.set_ylim(rows, 0)
    ax.set_yticks([row + 0.5 for row in range(len(labels))], labels)
    hatched = Rectangle(
        (period.start, 0),
        period.length,
        rows,
        facecolor="#F2F2F2",
        edgecolor="none",
        hatch="////",
        zorder=0,
    )
    ax.add_patch(hatched)
    if labels:
        ax.imshow(
            np.ma.masked_invalid(grid),
            cmap=RATING_CMAP,
            vmin=-0.5,
            vmax=MAX_RATING + 0.5,
            interpolation="none",  # sharp cells; the SVG asks browsers for pixelated scaling
            aspect="auto",
            extent=(period.start, period.start + grid.shape[1] * days_a_column, rows, 0),
            zorder=1,
        )
    _cell_rules(ax, rows, period)


def _rating(key: str) -> Callable[[Day], object]:
    def rating(day: Day):
        value = day.ratings.get(key)
        return None if value is None else min(max(value, 0), MAX_RATING)

    return rating


def _short(label: str, most: int = 16) -> str:
    return label if len(label) <= most else label[: most - 1].rstrip() + "…"


def _cell_rules(ax, rows: int, period: Period) -> None:
    """White rules between rows, and between days while a day is wide enough to see one."""
    for row in range(1, rows):
        ax.axhline(row, color="white", lw=1.5, zorder=2)
    if period.length <= 62:
        ax.vlines(
            period.start + np.arange(1, period.length), 0, rows, colors="white", lw=0.6, zorder=2
        )


def _heatmap_legend() -> list:
    handles = [
        Patch(facecolor=colour, edgecolor="none", label=str(rating))
        for rating, colour in enumerate(RATING_COLOURS)
    ]
    handles.append(Patch(facecolor="#F2F2F2", edgecolor="none", hatch="////", label=_(NOT_RATED)))
    return handles


# --- Sleep and rage ------------------------------------------------------------------------------

PANEL_HEIGHT = 1.05


@dataclass(frozen=True)
class Panel:
    """One detail of the day drawn in its own panel."""

    detail: str  # the key in Day.details
    label: str
    bars: bool  # a count, drawn as bars from 0; else a measure, drawn as dots
    least: float  # the least top of a count's axis, or the least span of a measure's
    from_zero: bool = True  # a measure's axis starts at 0, unless it sits far above (sleep)


SLEEP_PANELS = (
    Panel("sleep_hours", gettext_noop("Hours slept"), bars=False, least=6, from_zero=False),
    Panel("night_wakings", gettext_noop("Night wakings"), bars=True, least=4),
)
RAGE_PANELS = (
    Panel("rage_episodes", gettext_noop("Rage episodes a day"), bars=True, least=4),
    Panel(
        "rage_longest_minutes", gettext_noop("Longest rage episode (minutes)"), bars=False, least=10
    ),
)


def sleep_chart(
    *,
    days: Sequence[Day],
    first: Date,
    last: Date,
    format: str = "svg",
    width: float = WIDTH,
    panel_height: float = PANEL_HEIGHT,
) -> bytes:
    """Hours slept (dots and their 7-day mean) above night wakings (bars), from first to last."""
    return _two_panels(days, Period(first, last), SLEEP_PANELS, format, width, panel_height)


def rage_chart(
    *,
    days: Sequence[Day],
    first: Date,
    last: Date,
    format: str = "svg",
    width: float = WIDTH,
    panel_height: float = PANEL_HEIGHT,
) -> bytes:
    """Rage episodes a day (bars) above the longest episode in minutes (dots), each with its
    7-day mean, from first to last."""
    return _two_panels(days, Period(first, last), RAGE_PANELS, format, width, panel_height)


def _two_panels(
    days: Sequence[Day], period: Period, panels, format: str, width: float, panel_height: float
) -> bytes:
    """Two panels sharing the date axis, each day's value with its 7-day mean."""
    days = list(days)
    with matplotlib.rc_context(RC):
        rows = [("top", 0.04), ("label1", LABEL_HEIGHT), ("panel1", panel_height)]
        rows += [("label2", LABEL_HEIGHT + 0.12), ("panel2", panel_height)]
        legend = _detail_legend()
        columns = _columns(legend, width)
        rows += [("dates", DATES_HEIGHT), ("legend", _legend_height(len(legend), columns))]
        rows.append(("end", 0.02))
        fig, rects = _figure(rows, width)
        upper = fig.add_axes(rects["panel1"])
        lower = fig.add_axes(rects["panel2"], sharex=upper)
        _date_axis(upper, period)
        _upper(upper)
        anything = False
        pairs = zip((upper, lower), (rects["panel1"], rects["panel2"]), panels, strict=True)
        for ax, rect, panel in pairs:
            anything |= _draw_panel(ax, panel, days, period)
            _panel_label(ax, panel.label, rect, panel_height)
        if not anything:
            _message(upper, NO_DAYS if not _by_date(days, period) else NOTHING_ENTERED)
        _legend(fig, rects["legend"], legend, columns)
        return _save(fig, format)


def _draw_panel(ax, panel: Panel, days: Sequence[Day], period: Period) -> bool:
    """Draw one panel; False if it had nothing to draw."""
    values, means = _detail_series(days, period, panel.detail)
    if panel.bars:
        _count_axis(ax, values, panel.least)
    else:
        _measure_axis(ax, values, panel.least, panel.from_zero)
    if np.all(np.isnan(values)):
        return False
    if panel.bars:
        _count_bars(ax, values, period, SKY)
    else:
        _daily_dots(ax, period.middles(), values, period, SKY)
    _mean_line(ax, period.middles(), means, period)
    return True


def _detail_legend() -> list:
    # One "Each day" entry showing both a bar and a dot: the two panels draw days both ways.
    bar = Patch(color=SKY, alpha=0.75, lw=0)
    dot = Line2D([], [], ls="none", marker="o", ms=6, color=SKY, mew=0)
    return [((bar, dot), _("Each day")), (Line2D([], [], color=BLUE, lw=2), _("7-day mean"))]


# --- Text alternatives ---------------------------------------------------------------------------

NUMBER_WORDS = ("No", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine")
# Trigger types in a sentence: (one, several).
TRIGGER_NOUNS = {
    "fever": ("fever", "fevers"),
    "illness": ("illness", "illnesses"),
    "vaccination": ("vaccination", "vaccinations"),
    "anaesthesia": ("anaesthetic or sedation", "anaesthetics or sedations"),
    "immunotherapy_change": ("immunotherapy change", "immunotherapy changes"),
    "stress": ("time of major stress", "times of major stress"),
    "other": ("other trigger", "other triggers"),
    DOSE_REDUCTION: ("dose lowered", "doses lowered"),
    TREATMENT_STOPPED: ("treatment stopped", "treatments stopped"),
}


def score_summary(
    *,
    days: Sequence[Day],
    episodes: Sequence[Episode],
    triggers: Sequence[Trigger],
    courses: Sequence[Course],
    first: Date,
    last: Date,
) -> str:
    """The score chart in words: days logged, score range, 7-day mean range, possible relapses,
    triggers marked and treatments drawn."""
    period = Period(first, last)
    scores = [day.score for day in _by_date(days, period).values() if day.score is not None]
    sentences = [f"Daily score, {_span(first, last)}: {_logged(scores, period)}"]
    if scores:
        sentences[0] += f", from {min(scores)} to {max(scores)}"
        means = [mean for _, mean in seven_day_means(days, first, last) if mean is not None]
        if means:
            sentences[0] += f"; 7-day mean between {min(means):.1f} and {max(means):.1f}"
    sentences[0] += "."
    if is_weekly(period):
        sentences.append("Drawn as the mean of each week.")
    sentences.append(_episodes_sentence([e for e in episodes if period.covers(e.onset, e.end)]))
    marked = _triggers_in(triggers, period)
    if marked:
        sentences.append(f"Triggers marked: {_trigger_counts(marked)}.")
    lanes = _lanes(courses, period)
    if lanes:
        sentences.append(f"Treatments: {', '.join(_lane_words(lane) for lane in lanes)}.")
    return " ".join(sentences)


def heatmap_summary(
    *, days: Sequence[Day], items: Sequence[tuple[str, str]], first: Date, last: Date
) -> str:
    """Each item in words: on how many days it was rated, its average and its highest rating."""
    period = Period(first, last)
    by_date = _by_date(days, period)
    head = f"Ratings by item, 0 (none) to 3 (most), {_span(first, last)}"
    if not by_date:
        return f"{head}: no days logged in this period."
    parts = []
    for key, label in items:
        ratings = [r for day in by_date.values() if (r := _rating(key)(day)) is not None]
        parts.append(f"{label} {_item_words(ratings, period)}")
    weekly = " Drawn as the mean of each week." if is_weekly(period) else ""
    return f"{head}: {'; '.join(parts)}.{weekly}"


def sleep_summary(*, days: Sequence[Day], first: Date, last: Date) -> str:
    """Hours slept and night wakings in words."""
    measures = (
        ("sleep_hours", "hours slept", "hours"),
        ("night_wakings", "night wakings", "a night"),
    )
    return _details_summary("Sleep", days, Period(first, last), measures)


def rage_summary(*, days: Sequence[Day], first: Date, last: Date) -> str:
    """Rage episodes (and on how many days none) and the longest episode in words."""
    measures = (
        ("rage_episodes", "rage episodes", "a day"),
        ("rage_longest_minutes", "longest episode", "minutes"),
    )
    return _details_summary("Rage", days, Period(first, last), measures, count_none=True)


def _details_summary(
    title: str, days: Sequence[Day], period: Period, measures, count_none: bool = False
) -> str:
    """Two details of the day in words: `measures` are (key, words, unit) each. With
    `count_none`, the first measure also says on how many days it was 0."""
    by_date = _by_date(days, period)
    head = f"{title}, {_span(period.first, period.last)}"
    values = [_values(by_date, key) for key, _, _ in measures]
    if not any(values):
        return f"{head}: {'no days logged' if not by_date else 'nothing entered'} in this period."
    parts = [
        _measure_words(words, found, period, unit)
        for (_, words, unit), found in zip(measures, values, strict=True)
    ]
    if count_none and values[0]:
        parts[0] += f", none on {_days(sum(1 for value in values[0] if value == 0))}"
    return f"{head}: {'; '.join(parts)}."


def _date(day: Date) -> str:
    return f"{day.day} {day:%b %Y}"


def _span(first: Date, last: Date) -> str:
    """ "1 Sep to 30 Nov 2026": the year (and month) once when both ends share it."""
    if first == last:
        return _date(first)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day} to {_date(last)}"
    if first.year == last.year:
        return f"{first.day} {first:%b} to {_date(last)}"
    return f"{_date(first)} to {_date(last)}"


def _number(value: float) -> str:
    return f"{float(value):g}"


def _average(values: Sequence[float]) -> str:
    return f"{statistics.fmean(values):.1f}"


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"


def _logged(scores: Sequence[int], period: Period) -> str:
    if not scores:
        return "no days logged in this period"
    return f"{len(scores)} of {_days(period.length)} logged"


def _episodes_sentence(episodes: Sequence[Episode]) -> str:
    if not episodes:
        return "No possible relapse flagged."
    spans = [_episode_span(episode) for episode in episodes]
    if len(spans) == 1:
        return f"One possible relapse, {spans[0]}."
    count = NUMBER_WORDS[len(spans)] if len(spans) < len(NUMBER_WORDS) else str(len(spans))
    return f"{count} possible relapses: {'; '.join(spans[:-1])}; and {spans[-1]}."


def _episode_span(episode: Episode) -> str:
    if episode.end is None:
        return f"from {_date(episode.onset)}, ongoing"
    return f"from {_span(episode.onset, episode.end)}"


def _trigger_counts(triggers: Sequence[Trigger]) -> str:
    counts: dict[str, int] = {}
    for trigger in triggers:
        counts[trigger.type] = counts.get(trigger.type, 0) + 1
    words = []
    for kind in _trigger_order(counts):
        one, several = TRIGGER_NOUNS.get(kind, (_trigger_label(kind).lower(),) * 2)
        words.append(f"{counts[kind]} {one if counts[kind] == 1 else several}")
    return ", ".join(words)


def _lane_words(lane: Lane) -> str:
    """A drug, and "(taper)" when a course of it is a taper."""
    tapers = any(_is_taper(course) for course in lane.courses)
    return f"{lane.name} (taper)" if tapers else lane.name


def _is_taper(course: Course) -> bool:
    """Whether the course is a taper: as the family said, else if it stepped down at least
    twice and never up."""
    if course.regimen:
        return course.regimen == "taper"
    doses = [dose for _, dose in sorted(course.doses)]
    steps = list(itertools.pairwise(doses))
    return sum(after < before for before, after in steps) >= 2 and all(
        after <= before for before, after in steps
    )


def _item_words(ratings: Sequence[int], period: Period) -> str:
    if not ratings:
        return "not rated"
    top = max(ratings)
    return (
        f"rated on {len(ratings)} of {_days(period.length)}, average {_average(ratings)}, "
        f"highest {top} (on {_days(ratings.count(top))})"
    )


def _values(by_date: Mapping[Date, Day], name: str) -> list[float]:
    return [float(v) for day in by_date.values() if (v := day.details.get(name)) is not None]


def _measure_words(what: str, values: Sequence[float], period: Period, unit: str) -> str:
    if not values:
        return f"{what} not entered"
    entered = f"{what} entered on {len(values)} of {_days(period.length)}"
    low, high = min(values), max(values)
    if low == high:
        return f"{entered}, always {_number(low)} {unit}"
    return f"{entered}, from {_number(low)} to {_number(high)} {unit}, average {_average(values)}"
