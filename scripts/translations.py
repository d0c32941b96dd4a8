"""The journal's translations: extract the messages, compile and check the catalogs, and make the
pseudo-language the tests walk the pages in.

    python scripts/translations.py messages     make messages: locale/<lang>/LC_MESSAGES/*.po for
                                                every shipped language, both domains
    python scripts/translations.py compile      the .mo files beside them (git-ignored)
    python scripts/translations.py check        the gate in make test (below)
    python scripts/translations.py pseudo DIR   en_XA catalogs in DIR, from the code as it is now

English is the source language: its messages are their own translation, so it has no catalog.
The other languages of settings.LANGUAGES are shipped complete. `check` fails when
- a catalog of a shipped language has an untranslated or fuzzy message, or one msgfmt refuses
  (`msgfmt --check --statistics`);
- a catalog lacks a message the code now has (a string marked since `make messages` last ran);
- translations exist (any catalog of a shipped language) but a shipped language lacks one.
Before any translation is written (no catalog of a shipped language at all) it says so and
passes: there is nothing to check yet.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import chdir
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOMAINS = ("django", "djangojs")
# What makemessages reads, for each domain. templates/sw.js is a Django template: the django
# domain reads .js files as templates too (our scripts' own gettext() calls hold no template tag,
# so they add nothing there).
EXTENSIONS = {"django": ["html", "txt", "py", "js"], "djangojs": ["js"]}
IGNORED = [".venv", "var", "staticfiles", "node_modules", "test-results", "*.min.js"]
# Each catalog keeps the file a message comes from, not its line: fewer changes to review.
LOCATION = "file"
PSEUDO_LOCALE = "en_XA"


# --- extracting --------------------------------------------------------------------------------


def makemessages_command(work_dir: Path):
    """Django's makemessages, writing every message into the first of LOCALE_PATHS, and making
    its Python copies of the templates (for xgettext) in `work_dir`.

    Django's own sends a file's messages to the locale/ folder nearest it; here a file's folder
    is the project's, so the pseudo-language and the check can extract into a folder of their
    own without touching the project's catalogs. And it writes each template's copy beside the
    template, where two extractions at once (the SQLite and PostgreSQL test runs, side by side)
    would remove each other's.
    """
    from django.core.management.commands import makemessages
    from django.utils.functional import cached_property

    class BuildFile(makemessages.BuildFile):
        @cached_property
        def work_path(self):
            if not self.is_templatized:
                return self.path
            return str(work_dir / (os.path.normpath(self.path) + ".py"))

        def preprocess(self):
            if self.is_templatized:
                Path(self.work_path).parent.mkdir(parents=True, exist_ok=True)
            super().preprocess()

        def postprocess_messages(self, msgs):
            if not self.is_templatized:
                return msgs
            return msgs.replace(f"#: {self.work_path}", f"#: {os.path.normpath(self.path)}")

    class Command(makemessages.Command):
        build_file_class = BuildFile

        def find_files(self, root):
            files = super().find_files(root)
            for file in files:
                file.locale_dir = self.default_locale_path
            return files

    return Command()


def extract(folder: Path) -> dict[str, Path]:
    """The current messages of both domains, as `folder`/<domain>.pot."""
    from django.core.management import call_command
    from django.test.utils import override_settings

    folder.mkdir(parents=True, exist_ok=True)
    with override_settings(LOCALE_PATHS=[str(folder)]), chdir(ROOT):
        for domain in DOMAINS:
            call_command(
                makemessages_command(folder / "work"),
                domain=domain,
                extensions=EXTENSIONS[domain],
                ignore_patterns=list(IGNORED),
                add_location=LOCATION,
                keep_pot=True,
                all=True,  # every locale of the folder: none, only the messages are wanted
                verbosity=0,
            )
    return {
        domain: folder / f"{domain}.pot"
        for domain in DOMAINS
        if (folder / f"{domain}.pot").exists()
    }


def shipped_locales() -> list[str]:
    """Every language of settings.LANGUAGES but the source, as gettext names its folder."""
    from django.conf import settings
    from django.utils.translation import to_locale

    return [to_locale(code) for code, _ in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def messages() -> None:
    """`make messages`: each shipped language's catalogs brought up to the code's messages."""
    from django.core.management import call_command

    with chdir(ROOT):
        for domain in DOMAINS:
            call_command(
                "makemessages",
                domain=domain,
                locale=shipped_locales(),
                extensions=EXTENSIONS[domain],
                ignore_patterns=list(IGNORED),
                add_location=LOCATION,
                verbosity=1,
            )


def compile_catalogs() -> None:
    """The .mo file of each catalog under locale/ (none yet: nothing to do)."""
    from django.core.management import call_command

    if not any(catalogs(ROOT / "locale")):
        return
    with chdir(ROOT):
        call_command("compilemessages", ignore_patterns=list(IGNORED), verbosity=0)


# --- the gate ----------------------------------------------------------------------------------


def catalogs(locale_dir: Path) -> Iterator[Path]:
    yield from sorted(locale_dir.glob("*/LC_MESSAGES/*.po"))


@dataclass(frozen=True)
class Statistics:
    """What `msgfmt --check --statistics` says of one catalog."""

    catalog: Path
    translated: int = 0
    fuzzy: int = 0
    untranslated: int = 0
    errors: str = ""

    @property
    def complete(self) -> bool:
        return not (self.fuzzy or self.untranslated or self.errors)


COUNTS = {
    "translated": re.compile(r"(\d+) translated message"),
    "fuzzy": re.compile(r"(\d+) fuzzy translation"),
    "untranslated": re.compile(r"(\d+) untranslated message"),
}


def statistics(catalog: Path) -> Statistics:
    done = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", os.devnull, str(catalog)],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    counts = {
        name: int(match[1]) if (match := pattern.search(done.stderr)) else 0
        for name, pattern in COUNTS.items()
    }
    errors = done.stderr.strip() if done.returncode else ""
    return Statistics(catalog, **counts, errors=errors)


def missing_messages(catalog: Path, template: Path) -> list[str]:
    """The messages of `template` (the code's) that `catalog` lacks."""
    import polib

    def keys(path: Path) -> set[tuple[str, str]]:
        return {(e.msgctxt or "", e.msgid) for e in polib.pofile(str(path)) if not e.obsolete}

    return sorted(msgid for _, msgid in keys(template) - keys(catalog))


def check(
    locale_dir: Path, locales: list[str], extracted: Callable[[], dict[str, Path]]
) -> list[str]:
    """Every failure of the gate, in words (none: the translations are complete). `extracted`
    gives the code's messages, by domain (asked for only when there are catalogs to check)."""
    present = list(catalogs(locale_dir))
    shipped = [path for path in present if path.parent.parent.name in locales]
    if not shipped:
        print(f"No translations yet: no catalog of {', '.join(locales)} in {locale_dir}.")
        return []
    failures = []
    templates = extracted()
    for locale in locales:
        for domain in {path.stem for path in shipped}:
            if not (locale_dir / locale / "LC_MESSAGES" / f"{domain}.po").exists():
                failures.append(f"{locale}: no {domain}.po (run make messages, then translate)")
    for path in present:
        stats = statistics(path)
        name = path.relative_to(locale_dir)
        print(
            f"{name}: {stats.translated} translated, {stats.fuzzy} fuzzy, "
            f"{stats.untranslated} untranslated"
        )
        if path.parent.parent.name not in locales:
            continue
        if not stats.complete:
            failures.append(
                f"{name}: {stats.fuzzy} fuzzy, {stats.untranslated} untranslated"
                + (f"\n{stats.errors}" if stats.errors else "")
            )
        if path.stem in templates and (lacking := missing_messages(path, templates[path.stem])):
            failures.append(
                f"{name}: lacks {len(lacking)} messages of the code (run make messages): "
                + "; ".join(repr(msgid) for msgid in lacking[:5])
            )
    if not failures:
        print("Translations complete: every shipped language, every message.")
    return failures


# --- the pseudo-language -----------------------------------------------------------------------

# Each ASCII letter becomes a look-alike outside ASCII: a word still reads, and any English left
# on a page (a string not marked) stands out as plain ASCII.
ACCENTED = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "åƀçđéƒĝĥîĵķļɱñöþǫŕšţûṽŵẋýžÅƁÇĐÉƑĜĤÎĴĶĻṀÑÖÞǪŔŠŢÛṼŴẊÝŽ",
)
# Kept as they are: placeholders (%(name)s, %s, %%, {name}), HTML tags and entities.
KEPT = re.compile(r"%(?:\([^)]*\))?[#0 +-]*\d*(?:\.\d+)?[sdifrxXeEgGc%]|\{[^{}]*\}|<[^>]*>|&#?\w+;")
# A date format made translatable ("j M"): its letters are codes, not words.
DATE_FORMAT = re.compile(r"[dDjlNSwzWFmMnEtLoYyaAbBfgGhHiIsuvOPTZcrU](?:[\s.,:/-]+[a-zA-Z])+")


def pseudo(text: str, context: str = "") -> str:
    """`text` in the pseudo-language: "[Ŀöĝ ţöđåý]", placeholders and markup kept."""
    if not text or "format" in context.lower() or DATE_FORMAT.fullmatch(text):
        return text
    pieces = re.split(f"({KEPT.pattern})", text)
    return "[" + "".join(p if KEPT.fullmatch(p) else p.translate(ACCENTED) for p in pieces) + "]"


def django_catalogs(domain: str) -> Iterator[Path]:
    """The English catalogs of Django and of each installed app: their messages (form errors,
    password rules, dates' names, the admin) show on our pages too."""
    import django
    from django.apps import apps

    folders = [
        Path(django.__file__).parent / "conf",
        *(Path(a.path) for a in apps.get_app_configs()),
    ]
    for folder in folders:
        catalog = folder / "locale" / "en" / "LC_MESSAGES" / f"{domain}.po"
        if catalog.exists():
            yield catalog


def pseudo_catalog(sources: list[Path]):
    """One catalog of every message of `sources`, each in the pseudo-language."""
    import polib

    catalog = polib.POFile()
    catalog.metadata = {
        "Content-Type": "text/plain; charset=UTF-8",
        "Language": PSEUDO_LOCALE,
        "Plural-Forms": "nplurals=2; plural=(n != 1);",
    }
    seen = set()
    for source in sources:
        for entry in polib.pofile(str(source)):
            key = (entry.msgctxt, entry.msgid)
            if key in seen or entry.obsolete:
                continue
            seen.add(key)
            context = entry.msgctxt or ""
            if entry.msgid_plural:
                forms = {0: pseudo(entry.msgid, context), 1: pseudo(entry.msgid_plural, context)}
                catalog.append(
                    polib.POEntry(
                        msgctxt=entry.msgctxt,
                        msgid=entry.msgid,
                        msgid_plural=entry.msgid_plural,
                        msgstr_plural=forms,
                    )
                )
            else:
                catalog.append(
                    polib.POEntry(
                        msgctxt=entry.msgctxt,
                        msgid=entry.msgid,
                        msgstr=pseudo(entry.msgid, context),
                    )
                )
    return catalog


def build_pseudo(folder: Path) -> Path:
    """en_XA catalogs in `folder` (a LOCALE_PATHS entry): the messages the code has now, then
    Django's own. Returns `folder`."""
    with tempfile.TemporaryDirectory() as extracted:
        templates = extract(Path(extracted))
        out = folder / PSEUDO_LOCALE / "LC_MESSAGES"
        out.mkdir(parents=True, exist_ok=True)
        for domain in DOMAINS:
            ours = [templates[domain]] if domain in templates else []
            catalog = pseudo_catalog([*ours, *django_catalogs(domain)])
            catalog.save(str(out / f"{domain}.po"))
            catalog.save_as_mofile(str(out / f"{domain}.mo"))
    return folder


# --- the command line --------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("messages", help="update every shipped language's catalogs")
    commands.add_parser("compile", help="compile the catalogs under locale/")
    commands.add_parser("check", help="fail on a shipped catalog not complete")
    pseudo_parser = commands.add_parser("pseudo", help="write the en_XA catalogs")
    pseudo_parser.add_argument("folder", type=Path)
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omstracker.settings")
    import django

    django.setup()
    if args.command == "messages":
        messages()
    elif args.command == "compile":
        compile_catalogs()
    elif args.command == "pseudo":
        print(build_pseudo(args.folder.resolve()))
    else:
        with tempfile.TemporaryDirectory() as extracted:
            failures = check(ROOT / "locale", shipped_locales(), lambda: extract(Path(extracted)))
        if failures:
            print("Translations not complete:", *failures, sep="\n", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
