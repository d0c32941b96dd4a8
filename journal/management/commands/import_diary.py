"""Move a family's history in from their files (CSV, .xlsx or .ods), into a child or a new one:

    python manage.py import_diary --child ID --entries diary.xlsx [--events triggers.csv]
    python manage.py import_diary --new-child NAME --owner USERNAME --birth-date YYYY-MM-DD \
        --entries entries.csv [--events events.csv] [--time-zone Europe/Paris]
        [--columns "Wobbly=balance" --columns "Meds=leave out"] [--date-order day-first]

The same reading and checks as the import page: it prints how it read each column and each
value it read another way than the exchange format writes it; every bad row is printed with its
line number and what is wrong, and then nothing is imported (exit status 1). Otherwise it
prints the child's id.
"""

import datetime
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from journal import services
from journal.exchange import words
from journal.exchange.checks import (
    ENTRIES_FILE,
    EVENT_TARGETS,
    EVENTS_FILE,
    Choices,
    column_key,
    label,
)
from journal.exchange.plan import plan_import
from journal.exchange.reading import entry_targets, parse_files
from journal.exchange.review import read_lines, used_choices
from journal.models import Child, ImportChoices, Role, TrackedItem


def file_name(path: str | None, default: str) -> str:
    return Path(path).name if path else default


def read(path: str | None) -> bytes | None:
    if path is None:
        return None
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise CommandError(f"Can't read {path}: {error.strerror}.") from None


class Command(BaseCommand):
    help = (
        "Import daily entries and trigger events from a family's files: CSV, .xlsx or .ods, "
        "in the exchange format or in their own words."
    )

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--child", type=int, help="The id of the child to import into.")
        target.add_argument("--new-child", metavar="NAME", help="Create a child of this name.")
        parser.add_argument("--owner", help="With --new-child: the username of its owner.")
        parser.add_argument("--birth-date", help="With --new-child: YYYY-MM-DD.")
        parser.add_argument(
            "--time-zone",
            help="With --new-child: where the child lives, such as Europe/Paris (default: the "
            "owner's other child's, else the site's TIME_ZONE).",
        )
        parser.add_argument("--entries", help="The daily entries: CSV, .xlsx or .ods.")
        parser.add_argument("--events", help="The trigger events: CSV, .xlsx or .ods.")
        parser.add_argument(
            "--columns",
            action="append",
            default=[],
            metavar="HEADER=MEANING",
            help='What a column holds, if not what it was read as: "Wobbly=balance", '
            '"Meds=leave out", "Tremor=new item", "Trigger=trigger". Repeat for more columns.',
        )
        parser.add_argument(
            "--date-order",
            choices=words.DATE_ORDERS,
            help="How dates such as 05/12/2026 are written, when the file's dates can't tell.",
        )
        parser.add_argument(
            "--add-items",
            action="store_true",
            help="Columns the child is not rated on yet become new items (always, for a new "
            "child).",
        )
        parser.add_argument(
            "--user", help="Who the import is recorded as (default: the child's first owner)."
        )

    def handle(self, *args, **options):
        if not options["entries"] and not options["events"]:
            raise CommandError("Give --entries FILE, --events FILE or both.")
        entries, events = read(options["entries"]), read(options["events"])
        if options["new_child"] is not None:
            child, user = self.new_child(options), self.user(options["owner"], "--owner")
            add_items, items = True, []
        else:
            child = Child.objects.filter(pk=options["child"]).first()
            if child is None:
                raise CommandError(f"No child has the id {options['child']}.")
            user = self.user(options["user"], "--user") if options["user"] else first_owner(child)
            add_items, items = options["add_items"], list(TrackedItem.objects.for_child(child))
        choices = self.choices(options, child, items)
        parsed = parse_files(
            entries=entries,
            events=events,
            child=child,
            items=items,
            add_items=add_items,
            can_add_items=True,
            names=(
                file_name(options["entries"], ENTRIES_FILE),
                file_name(options["events"], EVENTS_FILE),
            ),
            choices=choices,
        )
        if options["verbosity"]:
            for line in read_lines(parsed):
                self.stderr.write(line)
        if parsed.problems:
            for problem in parsed.problems:
                self.stderr.write(str(problem))
            count = len(parsed.problems)
            raise CommandError(f"{count} problem{'s' * (count != 1)}: nothing was imported.")
        with transaction.atomic():
            if child.pk is None:
                child = services.child_create(owner=user, **self.child_fields(child))
            done = services.diary_import(child=child, user=user, plan=plan_import(child, parsed))
            used = used_choices(parsed, choices.as_data())
            services.import_choices_save(child=child, choices=used)
        if options["verbosity"]:
            summary = ", ".join(
                f"{number} {what.replace('_', ' ')}" for what, number in done.items()
            )
            self.stderr.write(f"Imported into {child.name}'s journal: {summary}.")
        self.stdout.write(str(child.pk))

    def choices(self, options, child: Child, items) -> Choices:
        """The child's remembered choices, with --columns and --date-order over them."""
        stored = ImportChoices.objects.filter(child=child).first() if child.pk else None
        choices = Choices()
        if stored:
            choices = Choices(stored.columns, stored.date_order, stored.rating_words)
        for given in options["columns"]:
            header, _, meaning = given.partition("=")
            if not header.strip() or not meaning.strip():
                raise CommandError(f'--columns "{given}": write it as HEADER=MEANING.')
            found = {
                ENTRIES_FILE: meaning_of(meaning, entry_targets(items, can_add=True)),
                EVENTS_FILE: meaning_of(meaning, EVENT_TARGETS),
            }
            if not any(found.values()):
                raise CommandError(
                    f'--columns "{given}": "{meaning}" is not a meaning a column can have, such '
                    "as date, eyes, jerks, balance, sleep, rage, hours slept, temperature, "
                    "notes, question, new item, trigger, type, detail or leave out."
                )
            for file, target in found.items():
                if target:
                    choices.columns[column_key(file, header.strip())] = target
        if options["date_order"]:
            choices.date_order = options["date_order"]
        return choices

    def user(self, username: str | None, option: str):
        if not username:
            raise CommandError(f"{option} USERNAME is needed with --new-child.")
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account has the username {username!r}.")
        return user

    def new_child(self, options) -> Child:
        """The child to create, checked but not saved yet: it is saved with the import."""
        if not options["birth_date"]:
            raise CommandError("--birth-date YYYY-MM-DD is needed with --new-child.")
        try:
            birth = datetime.date.fromisoformat(options["birth_date"])
        except ValueError:
            raise CommandError("--birth-date: write the date as YYYY-MM-DD.") from None
        zone = options["time_zone"] or default_zone(options["owner"])
        child = Child(name=options["new_child"], birth_date=birth, time_zone=zone)
        try:
            child.full_clean()
        except ValidationError as error:
            lines = [f"{name}: {' '.join(texts)}" for name, texts in error.message_dict.items()]
            raise CommandError("The new child: " + "; ".join(lines)) from None
        return child

    @staticmethod
    def child_fields(child: Child) -> dict:
        return {"name": child.name, "birth_date": child.birth_date, "time_zone": child.time_zone}


def default_zone(username: str | None) -> str:
    """The owner's latest child's time zone, as a family's second child most likely shares it."""
    latest = Child.objects.filter(memberships__user__username=username).order_by("-pk").first()
    return latest.time_zone if latest else settings.TIME_ZONE


def first_owner(child: Child):
    membership = child.memberships.filter(role=Role.OWNER).order_by("pk").first()
    return membership.user if membership else None


MEANING_WORDS = {"leave out": words.SKIP, "skip": words.SKIP, "new item": words.NEW_ITEM}


def meaning_of(meaning: str, targets) -> str | None:
    """The target a --columns meaning names: its code, its label, or a header's word for it."""
    key = words.folded(meaning)
    for target in targets:
        if key in (words.folded(target), words.folded(label(target))):
            return target
    guessed = MEANING_WORDS.get(key) or words.header_target(meaning, words.ENTRY_HEADERS)
    if guessed in targets:
        return guessed
    guessed = words.header_target(meaning, words.EVENT_HEADERS)
    return guessed if guessed in targets else None
