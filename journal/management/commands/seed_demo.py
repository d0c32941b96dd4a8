"""Create the demo family: `python manage.py seed_demo [--if-empty] [--reset] [--password P]`.

The story it tells is described in journal/demo.py.
"""

import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from journal import demo
from journal.models import Child


class Command(BaseCommand):
    help = (
        "Create demo accounts (demo, demo-dad, demo-grandma) and a child, Maya, with about 18 "
        "months of invented diary history ending today."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if any user or child already exists (for `make run`).",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete the demo accounts and the children they own first, then seed again.",
        )
        parser.add_argument(
            "--password",
            default=demo.DEMO_PASSWORD,
            help=f"Password of the three demo accounts (default: {demo.DEMO_PASSWORD}).",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=demo.DEMO_SEED,
            help=f"Random seed: the same seed gives the same history (default: {demo.DEMO_SEED}).",
        )

    def handle(self, *args, if_empty: bool, reset: bool, password: str, seed: int, **options):
        if if_empty and (get_user_model().objects.exists() or Child.objects.exists()):
            self.stdout.write("The database already has accounts or children: no demo data added.")
            return
        if not password:
            raise CommandError("The demo password can't be empty.")
        existing = demo.existing_usernames()
        if existing and not reset:
            raise CommandError(
                f"Demo account(s) already exist: {', '.join(sorted(existing))}. "
                "Run `seed_demo --reset` to delete them and their children and seed again."
            )
        began = time.monotonic()
        if reset:
            demo.delete_demo()
        result = demo.seed(password=password, seed=seed)
        seconds = time.monotonic() - began

        onsets = ", ".join(f"{day:%Y-%m-%d}" for day in result.relapse_onsets)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {result.child.name}: {result.entries} daily entries from "
                f"{result.first_day:%Y-%m-%d} to {result.last_day:%Y-%m-%d}, "
                f"{result.events} trigger events, {result.courses} treatment courses "
                f"({seconds:.1f} s)."
            )
        )
        self.stdout.write(f"Relapses begin around {onsets}.")
        self.stdout.write(f"\nLog in at {demo.LOGIN_URL} with password: {password}")
        for user in demo.DEMO_USERS:
            self.stdout.write(f"  {user.username:<14} {user.role.label.lower()}")
