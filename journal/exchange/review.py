"""How the files were read, as the preview and import_diary show it, and the family's changes
to it: each column's meaning, the order of numeric dates, what their rating words mean.

The preview posts a choice for every column, word and the date order; only what differs from
what was shown counts as a change (and the preview is made again with it), so that confirming
a preview as it stands imports it.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from journal.models import Membership, TrackedItem
from journal.scales import MAX_RATING

from . import words
from .checks import (
    ENTRIES_FILE,
    EVENT_TARGETS,
    Choices,
    ColumnReading,
    Parsed,
    column_key,
    label,
)
from .reading import entry_targets

DATE_ORDER_WORDS = {
    words.DAY_FIRST: gettext_lazy("Day first: 05/12/2026 is 5 December 2026"),
    words.MONTH_FIRST: gettext_lazy("Month first: 05/12/2026 is May 12, 2026"),
}
NOT_OBSERVED_WORDS = pgettext_lazy("a rating word's meaning", "not observed")
NOT_OBSERVED = "none"  # a rating word's choice for "not observed"


def shown_target(column: ColumnReading, new_items: list[str]) -> str:
    """The column's meaning as its choice names it: a new item as "a new item"."""
    if column.target.startswith("item:") and column.target[5:] in new_items:
        return words.NEW_ITEM
    return column.target


def column_options(membership: Membership, file: str) -> list[tuple[str, str]]:
    if file == ENTRIES_FILE:
        items = list(TrackedItem.objects.for_child(membership.child))
        targets = entry_targets(items, can_add=membership.is_owner)
    else:
        targets = list(EVENT_TARGETS)
    return [(target, label(target)) for target in targets]


def reading_context(membership: Membership, parsed: Parsed) -> dict:
    options = {}
    columns = []
    for index, column in enumerate(parsed.columns):
        if column.file not in options:
            options[column.file] = column_options(membership, column.file)
        columns.append(
            {
                "index": index,
                "column": column,
                "chosen": shown_target(column, parsed.new_items),
                "label": label(shown_target(column, parsed.new_items)),
                "options": options[column.file],
                "more": column.count - len(column.examples),
            }
        )
    return {
        "reinterpreted": parsed.reinterpreted or not parsed.date_order_told,
        "columns": columns,
        "date_question": not parsed.date_order_told,
        "date_order": parsed.date_order,
        "date_orders": list(DATE_ORDER_WORDS.items()),
        "rating_words": [
            (index, word, NOT_OBSERVED if value is None else str(value))
            for index, (word, value) in enumerate(sorted(parsed.rating_words.items()))
        ],
        "rating_choices": [(str(n), str(n)) for n in range(MAX_RATING + 1)]
        + [(NOT_OBSERVED, NOT_OBSERVED_WORDS)],
    }


def posted_choices(post, membership: Membership, parsed: Parsed, stored: dict) -> dict:
    """The family's choices with what the preview's form changed; `stored` if it changed
    nothing (or was not sent)."""
    choices, changed = Choices.from_data(stored), False
    options = {}
    for index, column in enumerate(parsed.columns):
        value = post.get(f"column-{index}")
        if column.file not in options:
            options[column.file] = {v for v, _ in column_options(membership, column.file)}
        if value in options[column.file] and value != shown_target(column, parsed.new_items):
            choices.columns[column_key(column.file, column.header)] = value
            changed = True
    order = post.get("date_order")
    if order in words.DATE_ORDERS and order != parsed.date_order:
        choices.date_order, changed = order, True
    for index, (word, value) in enumerate(sorted(parsed.rating_words.items())):
        posted = post.get(f"word-{index}")
        chosen = None if posted == NOT_OBSERVED else posted
        ratings = {str(n) for n in range(MAX_RATING + 1)}
        if posted and (chosen is None or chosen in ratings) and chosen != as_text(value):
            choices.rating_words[word] = None if chosen is None else int(chosen)
            changed = True
    return choices.as_data() if changed else stored


def as_text(value) -> str | None:
    return None if value is None else str(value)


def used_choices(parsed: Parsed, stored: dict) -> dict:
    """What to remember for the child's next file: every column as it was read, the date order
    if the values did not tell it (the family saw it and confirmed), their rating words."""
    choices = Choices.from_data(stored)
    for column in parsed.columns:
        choices.columns[column_key(column.file, column.header)] = shown_target(
            column, parsed.new_items
        )
    if not parsed.date_order_told:
        choices.date_order = parsed.date_order
    return choices.as_data()


def read_lines(parsed: Parsed) -> list[str]:
    """How each column and each value read another way was read, in lines of text."""
    lines = []
    for column in parsed.columns:
        values = {"file": column.file, "header": column.header, "meaning": label(column.target)}
        if column.guessed:
            lines.append(_('%(file)s: "%(header)s" read as %(meaning)s (guessed)') % values)
        else:
            lines.append(_('%(file)s: "%(header)s" read as %(meaning)s (its own name)') % values)
        for line, written, became in column.examples:
            lines.append(
                _('  line %(line)s: "%(written)s" -> %(became)s')
                % {"line": line, "written": written, "became": became}
            )
        if column.count > len(column.examples):
            more = column.count - len(column.examples)
            lines.append(_("  and %(count)s more values read so") % {"count": more})
    if parsed.date_order and not parsed.date_order_told:
        lines.append(
            _(
                "Dates such as 05/12 could be either: read %(order)s (--date-order to say "
                "otherwise)."
            )
            % {"order": parsed.date_order}
        )
    for word, value in sorted(parsed.rating_words.items()):
        shown = NOT_OBSERVED_WORDS if value is None else value
        lines.append(
            _('Rating word "%(word)s" read as %(shown)s.') % {"word": word, "shown": shown}
        )
    return lines
