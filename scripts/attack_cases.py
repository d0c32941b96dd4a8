"""The numbered cases of the "one mistaken date or name" issue, through the real forms and the
import of a running server, each checked as its fix says (scripts/attack.py runs them).

Each case is sent as a caregiver would send it: the form's page is opened, its fields read as
they stand, the case's values typed over them, and the form sent. What the fix says comes back
is checked: a refusal beside the field (the form again, 200), or "saved" (a redirect), the
import's own words, a 400 page. Whatever is accepted is then read back by every role.
"""

import datetime
import html
import secrets

from forms_on_page import form_for

DAY = datetime.timedelta(days=1)
FAR = "9999-12-31"
TEX = r"Pay $\foo$ now"
MARKUP = ("Eve & <x", '<a href="javascript:app.alert(1)">Eve</a>', '<img src="/etc/hostname"/>')
# A note as a parent may type it: right-to-left text, emoji, markup, TeX, 4,000 characters.
LONG_NOTE = ("مرحبا שלום 👩‍👧 🌡️ <b>bold</b> $\\foo$ & " * 200)[:4000]
NOT_UTF8 = "character set other than UTF-8"
TOO_MANY_PROBLEMS = "here are the first 100"
MAX_UPLOAD = 2 * 1024 * 1024  # the most an import takes: a file of 2 MB,
MAX_ROWS = 9_999  # of 10,000 rows with its header


def multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    """A multipart/form-data body, as a browser sends a form with files."""
    boundary = secrets.token_hex(16)
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    for name, (filename, data) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: text/csv\r\n\r\n'
        )
        parts.append(head.encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def expect(result, answer, status: int, *words: str, absent: tuple[str, ...] = ()) -> None:
    """The answer has `status`, says each of `words` and none of `absent`."""
    if answer.status != status:
        result.problems.append(f"expected {status}, got {answer.status}")
    text = html.unescape(answer.text)
    result.problems.extend(f"does not say {word!r}" for word in words if word not in text)
    result.problems.extend(f"says {word!r}" for word in absent if word in text)


class Cases:
    """The cases, for Mia's family: `clients` by role, `family` Mia's (scripts/attack.py)."""

    def __init__(self, clients: dict, family, new_client, *, quick: bool):
        self.owner = clients["owner"]
        self.caregiver = clients["caregiver"]
        self.family = family
        self.new_client = new_client  # (role) -> a Client with no session yet
        self.quick = quick
        self.base = f"/children/{family.child}/"
        self.today = family.today

    def url(self, tail: str) -> str:
        return self.base + tail

    def run(self) -> None:
        """Every case; with `quick`, those of the forms and the import, not of the PDF and the
        widest periods (the slowest requests, read back in the full run)."""
        heavy = (self.markup_in_the_childs_name, self.unbounded_dates)
        for case in (
            self.far_end_dates,
            self.tex_in_names,
            *(() if self.quick else heavy),
            self.long_notes_of_every_script,
            self.a_form_in_utf16,
            self.the_import,
            self.a_stale_preview,
            self.a_caregiver_adding_items,
            self.a_non_latin1_username,
        ):
            case()

    # 1 and the planned steps: dates ahead are bounded; a planned end and step within it are kept

    def course(self, **changes) -> dict:
        return {
            **{"drug": "other", "drug_other": TEX, "purpose": "immunotherapy"},
            **{"regimen": "taper", "dose": "2", "unit": "mg/kg", "route": "oral"},
            "start_date": (self.today - 10 * DAY).isoformat(),
            **changes,
        }

    def far_end_dates(self) -> None:
        case = "1 end at 9999-12-31"
        add = self.url("treatments/add/")
        self.owner.submit(case, add, self.course(end_date=FAR), 200)
        step = {"changes-0-date": FAR, "changes-0-dose": "1"}
        self.owner.submit(case, add, self.course(**step), 200)
        event = {"type": "illness", "illness_kind": "respiratory", "end_date": FAR}
        event["start_date"] = (self.today - 6 * DAY).isoformat()
        self.owner.submit(case, self.url("events/add/"), event, 200)
        # What the bound leaves: a course planned to end in two months, a step next month.
        planned = {
            "end_date": (self.today + 60 * DAY).isoformat(),
            "changes-0-date": (self.today + 30 * DAY).isoformat(),
            "changes-0-dose": "1",
        }
        self.owner.submit("1 planned end and step", add, self.course(**planned), 302)
        self.import_file(
            case, events=f"date,end_date,type,detail,notes\r\n{self.today - DAY},{FAR},stress,,\r\n"
        ).problems_said("end_date 9999-12-31")

    # 2: TeX in a drug's or an item's name is drawn as text

    def tex_in_names(self) -> None:
        case = "2 TeX in names"
        anchors = {f"anchor_{n}": "$\\q$" for n in range(4)}
        self.owner.submit(case, self.url("items/"), {"name": "$\\q$", **anchors}, 302)
        entries = f"date,$\\frac$\r\n{self.today - 2 * DAY},2\r\n"
        self.import_file(case, entries=entries, add_items="on").confirmed()

    # 3: the child's name reaches ReportLab as text: no link, no image, no 500

    def markup_in_the_childs_name(self) -> None:
        case = "3 markup in the name"
        plain_pdf = self.owner.send(case, "GET", self.url("summary.pdf"))[0].body
        for name in MARKUP:
            self.owner.submit(case, self.url("edit/"), {"name": name}, 302)
            answer, result = self.owner.send(case, "GET", self.url("summary.pdf"))
            pdf = answer.body
            if answer.status == 200 and (b"/URI" in pdf or b"/JavaScript" in pdf):
                result.problems.append("the PDF holds a link")
            if answer.status == 200 and pdf.count(b"/Image") > plain_pdf.count(b"/Image"):
                result.problems.append("the PDF holds an image the name put there")

    # the words of every script, emoji and markup, at the 4,000-character bound, and past it

    def long_notes_of_every_script(self) -> None:
        case = "8 4,000-character notes"
        for back, note, status in ((3, LONG_NOTE, 302), (4, LONG_NOTE + "x", 200)):
            day = self.url(f"entries/{self.today - back * DAY}/")
            answer, result = self.owner.submit(case, day, {"notes": note, "rage": "1"}, status)
        if status == 200 and "at most 4000 characters" not in answer.text:
            result.problems.append("the refusal does not say the bound")
        self.import_file(
            case, entries=f"date,notes\r\n{self.today - 5 * DAY},{'n' * 4001}\r\n"
        ).problems_said("notes: Ensure")

    # 4: birth dates from 1900; every period bounded

    def unbounded_dates(self) -> None:
        case = "4 unbounded dates"
        self.owner.submit(case, self.url("edit/"), {"birth_date": "0001-01-01"}, 200)
        self.owner.submit(case, self.url("edit/"), {"birth_date": "1900-01-01"}, 302)
        end = self.today.isoformat()
        for start in ("0001-01-08", "0001-01-01", "1900-01-01"):
            query = f"range=custom&start={start}&end={end}"
            answer, result = self.owner.send(case, "GET", self.url(f"trends/score/table/?{query}"))
            expect(result, answer, 200)
            answer, result = self.owner.send(case, "GET", self.url(f"summary/?start={start}"))
            expect(result, answer, 200)

    # 11: a form in UTF-16 gets the 400 page

    def a_form_in_utf16(self) -> None:
        case = "11 a form in UTF-16"
        body = f"type=stress&start_date={self.today}&notes=Zoë".encode("utf-16")
        for path in (self.url("events/add/"), "/accounts/login/"):
            answer, result = self.owner.send(
                case,
                "POST",
                path,
                body=body,
                content_type="application/x-www-form-urlencoded; charset=utf-16",
            )
            expect(result, answer, 400, NOT_UTF8, "<html")

    # 8, 10, 12: the import keeps the forms' rules, lists the first problems, says its own words

    def the_import(self) -> None:
        case = "8 import rules"
        day = self.today - 2 * DAY
        for header, said in (
            ("date,Date,rage", 'the columns "date" and "Date" are the same column'),
            ("date,Tremor,tremor,TREMOR", 'the columns "Tremor" and "tremor"'),
        ):
            self.import_file(case, entries=f"{header}\r\n{day},1,1,1\r\n", add_items="on")
            self.last.problems_said(said)
        self.import_file("12 rating ²", entries=f"date,rage\r\n{day},²\r\n").problems_said(
            'rage is "²": use 0, 1, 2 or 3', absent=("invalid literal",)
        )
        # Rows of long notes, each with a rating of 7: under the bounds of the file (2 MB) and
        # of its rows (10,000), so that every row is read and found wrong.
        row = f"{day},7,{'bad row ' * 24}\r\n"
        rows = 2_000 if self.quick else min(MAX_ROWS, (MAX_UPLOAD - 100) // len(row))
        bad = "date,rage,notes\r\n" + row * rows
        answer, result = self.import_file("10 2 MB of bad rows", entries=bad).answer_result
        expect(result, answer, 200, TOO_MANY_PROBLEMS)
        if len(answer.body) > 100_000:
            result.problems.append(f"a page of {len(answer.body):,} bytes")

    # 6: confirm writes the preview on the page, not the latest

    def a_stale_preview(self) -> None:
        case = "6 stale preview"
        day = self.today - 7 * DAY
        first = self.import_file(case, entries=f"date,notes\r\n{day},from file A\r\n")
        self.import_file(case, entries=f"date,notes\r\n{day},from file B\r\n")
        shown_again = first.confirmed(status=200, words=("from file A",))  # A's, not B's
        if shown_again is not None:
            shown_again.confirmed()
        answer, result = self.owner.send(case, "GET", self.url(f"entries/{day}/"))
        expect(result, answer, 200, "from file A", absent=("from file B",))

    # 7: items are the owners' to add, in the import as on the items page

    def a_caregiver_adding_items(self) -> None:
        case = "7 a caregiver adding items"
        entries = f"date,Wobbly knees\r\n{self.today - 8 * DAY},2\r\n"
        preview = self.import_file(case, entries=entries, add_items="on", by=self.caregiver)
        preview.confirmed(status=302)
        answer, result = self.owner.send(case, "GET", self.url("items/"))
        expect(result, answer, 200, absent=("Wobbly knees",))

    # 12: a name outside Latin-1 names its download as RFC 6266 says

    def a_non_latin1_username(self) -> None:
        case = "12 a non-Latin-1 username"
        client = self.new_client("anonymous")
        username = f"李明-{secrets.token_hex(2)}"
        password = secrets.token_urlsafe(12)
        form = {"username": username, "email": "li@example.org"}
        form |= {"password1": password, "password2": password}
        client.submit(case, "/accounts/signup/", form, 302)
        answer, result = client.send(case, "GET", "/accounts/download/")
        disposition = answer.headers.get("content-disposition", "")
        expect(result, answer, 200)
        if "filename*=utf-8''oms-journal-%E6%9D%8E%E6%98%8E" not in disposition:
            result.problems.append(f"Content-Disposition: {disposition}")

    # --- the import's preview --------------------------------------------------------------

    def import_file(self, case: str, *, entries="", events="", add_items="", by=None):
        client = by or self.owner
        client.page(case, self.url("data/"))  # the page, as a parent opens it first
        files = {}
        if entries:
            files["entries"] = ("entries.csv", entries.encode())
        if events:
            files["events"] = ("events.csv", events.encode())
        fields = {"add_items": add_items} if add_items else {}
        body, content_type = multipart(fields, files)
        answer, result = client.send(
            case, "POST", self.url("data/import/"), body=body, content_type=content_type
        )
        self.last = Preview(self, client, case, answer, result)
        return self.last


class Preview:
    """The page an upload got: a preview to confirm, or the problems it lists."""

    def __init__(self, cases: Cases, client, case: str, answer, result):
        self.cases, self.client, self.case = cases, client, case
        self.answer, self.result = answer, result
        self.form = form_for(answer.text, cases.url("data/import/confirm/"))

    @property
    def answer_result(self):
        return self.answer, self.result

    def problems_said(self, words: str, absent: tuple[str, ...] = ()) -> None:
        expect(self.result, self.answer, 200, words, absent=absent)
        if self.form is not None:
            self.result.problems.append("a preview, where the rows have a problem")

    def confirmed(self, status: int = 302, words: tuple[str, ...] = ()):
        """Confirm this preview as its page would; the preview shown again, if it is."""
        if self.form is None:
            self.result.problems.append("no preview to confirm")
            return None
        fields = {**self.form.fields, "action": "import"}
        path = self.cases.url("data/import/confirm/")
        answer, result = self.client.send(self.case, "POST", path, fields)
        expect(result, answer, status, *words)
        return Preview(self.cases, self.client, self.case, answer, result)
