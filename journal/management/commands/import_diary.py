"""Move a family's history in from CSV files, into a child or a new one:

    python manage.py import_diary --child ID --entries entries.csv [--events events.csv]
    python manage.py import_diary --new-child NAME --owner USERNAME --birth-date YYYY-MM-DD \
        --entries entries.csv [--events events.csv] [--time-zone Europe/Paris]

The same checks as the import page: every bad row is printed with its line number and what is
wrong, and then nothing is imported (exit status 1). Otherwise it prints the child's id.
"""

import datetime
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from journal import services
from journal.exchange.plan import plan_import
from journal.exchange.reading import parse_files
from journal.models import Child, Role, TrackedItem


def read(path: str | None) -> bytes | None:
    if path is None:
        return None
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise CommandError(f"Can't read {path}: {error.strerror}.") from None


class Command(BaseCommand):
    help = "Import daily entries and trigger events from CSV files (the exchange format)."

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
        parser.add_argument("--entries", required=True, help="entries.csv")
        parser.add_argument("--events", help="events.csv")
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
        parsed = parse_files(
            entries=entries, events=events, child=child, items=items, add_items=add_items
        )
        if parsed.problems:
            for problem in parsed.problems:
                self.stderr.write(str(problem))
            count = len(parsed.problems)
            raise CommandError(f"{count} problem{'s' * (count != 1)}: nothing was imported.")
        with transaction.atomic():
            if child.pk is None:
                child = services.child_create(owner=user, **self.child_fields(child))
            done = services.diary_import(child=child, user=user, plan=plan_import(child, parsed))
        if options["verbosity"]:
            summary = ", ".join(
                f"{number} {what.replace('_', ' ')}" for what, number in done.items()
            )
            self.stderr.write(f"Imported into {child.name}'s journal: {summary}.")
        self.stdout.write(str(child.pk))

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
