"""Send the reminders due now (journal/reminders): from cron or a systemd timer every few
minutes, or `--loop` in a worker process of its own."""

import time

from django.core.management.base import BaseCommand

from journal.reminders.sending import send_due


class Command(BaseCommand):
    help = "Send the reminders to log the day that are due now; --loop keeps sending."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="run until stopped")
        parser.add_argument(
            "--every", type=int, default=120, help="seconds between two rounds with --loop"
        )

    def handle(self, *args, loop=False, every=120, **options):
        while True:
            sent = send_due()
            self.stdout.write(f"Sent {sent} reminder{'s' if sent != 1 else ''}.")
            if not loop:
                return
            time.sleep(every)
