"""Write a child's whole journal as JSON: `python manage.py export_journal --child ID --json FILE`
(`--json -` writes to standard output). The format is the one the data page downloads; the
README's "Exchange formats" describes it."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from journal.exchange.writing import journal_json
from journal.models import Child


class Command(BaseCommand):
    help = "Export a child's journal, with its possible relapses, as JSON."

    def add_arguments(self, parser):
        parser.add_argument("--child", type=int, required=True, help="The child's id.")
        parser.add_argument("--json", required=True, metavar="FILE", help="The file; - for stdout.")

    def handle(self, *args, **options):
        child = Child.objects.select_related("relapse_settings").filter(pk=options["child"]).first()
        if child is None:
            raise CommandError(f"No child has the id {options['child']}.")
        text = json.dumps(journal_json(child), ensure_ascii=False, indent=1)
        if options["json"] == "-":
            self.stdout.write(text)
            return
        try:
            Path(options["json"]).write_text(text + "\n", encoding="utf-8")
        except OSError as error:
            raise CommandError(f"Can't write {options['json']}: {error.strerror}.") from None
        if options["verbosity"]:
            self.stderr.write(f"Wrote {child.name}'s journal to {options['json']}.")
