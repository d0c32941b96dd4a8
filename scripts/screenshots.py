"""Screenshots of every main page, at phone size (390x844) for the README, and for review.

Builds a throwaway SQLite database with the demo family, serves it on a free loopback port, logs
in as the demo caregiver in Chromium and saves one PNG a page under docs/screenshots/. Other
widths, the dark colour scheme and other languages are for review, into a folder of their own:

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]
    .venv/bin/python scripts/screenshots.py --width 1366 --scheme dark --out var/shots/1366-dark
"""

import argparse
import csv
import datetime
import io
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE_HEIGHT = 844
# Wider than this is a laptop's window: a mouse, one pixel per CSS pixel, no touch.
LARGEST_PHONE = 480


def browser_options(width: int, scheme: str, language: str) -> dict:
    """A phone (two device pixels per CSS pixel, touch) up to LARGEST_PHONE, else a laptop."""
    phone = width <= LARGEST_PHONE
    return {
        "viewport": {"width": width, "height": PHONE_HEIGHT if phone else 900},
        "device_scale_factor": 2 if phone else 1,
        "is_mobile": phone,
        "has_touch": phone,
        "color_scheme": scheme,
        "locale": language,
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env: dict, *args: str) -> str:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def wait_until_up(url: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)  # noqa: S310 - our own loopback server
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the server at {url} did not start")


def rate_today(page) -> None:
    """Tap a level for four of the core items, as a parent would, so the anchors show. By the
    fields' names: the items' words are the page's language."""
    for field, level in (("opsoclonus", 1), ("myoclonus", 1), ("ataxia", 2), ("sleep", 1)):
        page.locator(f'input[name="{field}"][value="{level}"] + label').click()


def show_charts(page) -> None:
    """Bring each chart into view, so that the lazily loaded ones are drawn in the shot."""
    for image in page.locator("img").all():
        image.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete", arg=image.element_handle())
    page.evaluate("window.scrollTo(0, 0)")


def capture(base: str, out: Path, password: str, options: dict) -> list[Path]:
    shots = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_context(**options).new_page()
        page.goto(f"{base}/accounts/login/")
        page.screenshot(path=out / "01-login.png")
        page.fill("#id_username", "demo")
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/")
        child_url = page.locator(".child-card h2 a").first.get_attribute("href")
        pages = [
            ("02-home", "/"),
            ("03-child", child_url),
            ("04-today", f"{child_url}today/"),
            ("05-history", f"{child_url}entries/"),
            ("06-triggers", f"{child_url}events/"),
            ("07-log-fever", f"{child_url}events/add/?type=fever"),
            ("08-treatments", f"{child_url}treatments/"),
            ("09-team", f"{child_url}team/"),
            ("10-trends", f"{child_url}trends/?range=1y"),
            ("11-relapse-rule", f"{child_url}relapse-rule/"),
            ("12-summary", f"{child_url}summary/"),
        ]
        for name, path in pages:
            page.goto(base + path)
            target = out / f"{name}.png"
            if name == "04-today":
                rate_today(page)
                # What the phone shows: the Save bar stays at the bottom of the screen.
                page.screenshot(path=target)
            else:
                show_charts(page)
                page.screenshot(path=target, full_page=True)
            shots.append(target)
        shots.append(summary_pdf_page(page, f"{base}{child_url}", out / "13-summary-pdf.png"))
        # The share link and the import are reached through English words on their pages.
        if options["locale"].startswith("en"):
            shots.extend(share_link_pages(browser, page, f"{base}{child_url}", out, options))
            shots.extend(data_pages(page, f"{base}{child_url}", out))
        browser.close()
    return shots


def summary_pdf_page(page, child_url: str, target: Path) -> Path:
    """The first page of the last year's visit summary PDF, as a neurologist would see it."""
    # Ending yesterday: today here may be tomorrow in the child's time zone.
    end = datetime.date.today() - datetime.timedelta(days=1)
    query = {"start": end - datetime.timedelta(days=364), "end": end}
    pdf = page.request.get(f"{child_url}summary.pdf?{urllib.parse.urlencode(query)}").body()
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "summary.pdf"
        source.write_bytes(pdf)
        stem = Path(tmp) / "page"
        command = ["pdftoppm", "-r", "80", "-png", "-f", "1", "-l", "1", source, stem]
        subprocess.run(command, check=True)
        shutil.copy(next(Path(tmp).glob("page*.png")), target)
    return target


def share_link_pages(browser, page, child_url: str, out: Path, options: dict) -> list[Path]:
    """The owner makes a link for the neurologist; a phone with no account opens it."""
    page.goto(f"{child_url}share/")
    page.get_by_label("Who it is for").fill("Dr Rivera, neurology")
    page.get_by_role("button", name="Make a link").click()
    link = page.get_by_role("textbox", name="Link for the clinician").input_value()
    page.screenshot(path=out / "30-share-link.png", full_page=True)
    clinician = browser.new_context(**options).new_page()
    clinician.goto(link)
    show_charts(clinician)
    clinician.screenshot(path=out / "31-shared-summary.png", full_page=True)
    clinician.context.close()
    return [out / "30-share-link.png", out / "31-shared-summary.png"]


def data_pages(page, child_url: str, out: Path) -> list[Path]:
    """The data page, and the preview of importing the diary's own export with two days
    changed, as a family correcting its spreadsheet would."""
    page.goto(f"{child_url}data/")
    page.screenshot(path=out / "20-data.png", full_page=True)
    text = page.request.get(f"{child_url}data/download/entries/").text()
    rows = list(csv.reader(io.StringIO(text, newline="")))
    for row in rows[-2:]:
        row[1:6] = ["2", "1", "2", "1", "2"]
    edited = io.StringIO()
    csv.writer(edited).writerows(rows)
    upload = {"name": "entries.csv", "mimeType": "text/csv", "buffer": edited.getvalue().encode()}
    page.get_by_label("Daily entries (CSV, Excel or LibreOffice)").set_input_files(upload)
    page.get_by_role("button", name="Check the files").click()
    page.screenshot(path=out / "21-data-import-preview.png", full_page=True)
    return [out / "20-data.png", out / "21-data-import-preview.png"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--width", type=int, default=390, help="CSS pixels (320, 390, 1366)")
    parser.add_argument("--scheme", choices=("light", "dark"), default="light")
    parser.add_argument("--language", default="en-GB", help="the browser's, e.g. de-DE")
    args = parser.parse_args()
    options = browser_options(args.width, args.scheme, args.language)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DEBUG": "1",
            "DATABASE_URL": f"sqlite:///{tmp}/shots.sqlite3",
            "MPLCONFIGDIR": tmp,
        }
        manage(env, "migrate", "--verbosity", "0")
        password = secrets.token_urlsafe(12)
        manage(env, "seed_demo", "--password", password)
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_up(f"{base}/accounts/login/")
            for shot in capture(base, args.out, password, options):
                print(shot)
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
