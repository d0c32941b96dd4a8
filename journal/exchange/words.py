"""The family's own words, read as the journal's values: column headers as the columns they most
likely are, dates in many forms, ratings as words, temperatures in °F, trigger types and details
as a family writes them.

Each reader takes the exchange format's exact value first, and says whether it had to read the
value another way (`Read.exact`), so that the preview can show what became of it. A value that
is no value of its column, but words, raises `Words`: the words are kept in the day's notes,
never refused for their wording. A value that truly can't be right (a rating of 7, a date that
is no date) raises ValueError, a problem named by its line.
"""

import datetime
import itertools
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import translation

from journal.exchange import headers
from journal.models import Doses, Drug, TriggerEvent
from journal.scales import CORE_FIELDS, MAX_RATING

DAY_FIRST, MONTH_FIRST = "day-first", "month-first"
DATE_ORDERS = (DAY_FIRST, MONTH_FIRST)


class Words(Exception):
    """Words where the column holds a number or a choice: kept in the notes, as written."""


def words_or_wrong(text: str, wrong: str) -> Exception:
    """Words (a letter in them) are kept; figures and marks that are no value are wrong."""
    if any(character.isalpha() for character in text):
        return Words(text)
    return ValueError(wrong)


def english(label) -> str:
    """A choice's label in English, the language of the exchange format, whatever the page's."""
    with translation.override("en"):
        return str(label)


@dataclass(frozen=True)
class Read:
    value: object
    exact: bool  # written as the exchange format writes it


def folded(text: str) -> str:
    """Lower case, without punctuation, units in brackets or repeated spaces: "Eyes (0-3)" is
    "eyes", "Temp. (°F)" is "temp"."""
    text = re.sub(r"\(.*?\)|\[.*?\]", " ", text.casefold())
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


# --- columns ------------------------------------------------------------------------------------

NOTES_TARGET, SKIP, NEW_ITEM, TRIGGER = "notes", "skip", "new_item", "trigger"

# Headers a family writes in English, by the column they mean (after `folded`); those of the
# other shipped languages are added from headers.py.
ENGLISH_ENTRY_HEADERS: dict[str, tuple[str, ...]] = {
    "date": ("date", "day", "datum", "fecha", "when", "date of entry", "entry date",
             "datum", "tag", "date du jour", "jour", "fecha", "dia", "día", "data", "giorno"),
    "opsoclonus": ("eyes", "eye", "opsoclonus", "dancing eyes", "eye movements", "eye darting",
                   "darting eyes", "eye movement", "eyes score", "augen", "yeux", "ojos", "occhi"),
    "myoclonus": ("jerks", "jerk", "myoclonus", "jerking", "twitches", "twitching", "jerky",
                  "startles", "jerks score", "zuckungen", "secousses", "sacudidas", "mioclonias",
                  "myoclonies", "scatti"),
    "ataxia": ("balance", "ataxia", "wobbly", "wobbliness", "wobbles", "unsteady",
               "unsteadiness", "walking", "gait", "coordination", "balance score", "gleichgewicht",
               "équilibre", "equilibre", "equilibrio", "ataxie", "ataxia score"),
    "sleep": ("sleep", "sleep quality", "sleep score", "night", "sleep rating", "schlaf",
              "sommeil", "sueño", "sueno", "sonno", "nights sleep", "night sleep"),
    "rage": ("rage", "rages", "irritability", "irritable", "tantrums", "temper", "meltdowns",
             "behaviour", "behavior", "rage score", "mood swings", "wut", "colère", "colere",
             "rabia", "ira", "rabbia", "wutanfälle"),
    "sleep_hours": ("hours slept", "sleep hours", "hours of sleep", "slept", "total sleep",
                    "sleep hrs", "hrs slept", "sleep time", "sleep duration", "hours asleep",
                    "sleep h"),
    "night_wakings": ("night wakings", "wakings", "woke", "wake ups", "wakeups", "times woke",
                      "night wakes", "night waking", "times woken", "wakes"),
    "rage_episodes": ("rage episodes", "number of rages", "rages count", "tantrum count",
                      "episodes", "rage count", "meltdown count"),
    "rage_longest_minutes": ("longest rage", "longest rage minutes", "longest tantrum",
                             "longest episode", "longest rage min", "rage minutes"),
    "max_temperature_c": ("temp", "temperature", "fever", "max temp", "highest temp",
                          "temp c", "temp f", "max temperature", "highest temperature",
                          "body temp", "max temperature c", "temperature c", "temperature f",
                          "temperatur", "température", "fieber", "fièvre", "fiebre"),
    "doses": ("doses", "meds given", "medication given", "doses given", "meds", "medication",
              "medicine", "medicines given", "meds taken", "doses taken"),
    NOTES_TARGET: ("notes", "note", "comments", "comment", "remarks", "observations", "diary",
                   "what happened", "other", "details", "how was the day", "journal",
                   "notizen", "bemerkungen", "remarques", "notas", "comentarios",
                   "note del giorno"),
    "question": ("question", "questions", "ask doctor", "question for the neurologist",
                 "question for the doctor", "for the doctor", "ask the doctor", "for neuro",
                 "question for dr", "questions for dr", "question for doctor",
                 "questions for the doctor", "questions for the neurologist", "ask dr",
                 "ask neuro", "ask the neurologist", "for dr", "question for neuro"),
    TRIGGER: ("trigger", "triggers", "event", "events", "possible trigger", "illness",
              "sick", "illnesses", "trigger event"),
}  # fmt: skip
ENGLISH_EVENT_HEADERS: dict[str, tuple[str, ...]] = {
    "date": ("date", "start", "start date", "from", "when", "day", "began", "started"),
    "end_date": ("end", "end date", "until", "to", "ended", "finished", "stop", "end day"),
    "type": ("type", "kind", "what", "trigger", "event", "category", "trigger type",
             "event type"),
    "detail": ("detail", "details", "description", "what happened", "info", "specifics",
               "which", "about"),
    "notes": ("notes", "note", "comments", "comment", "remarks"),
    "time": ("time", "at", "start time"),
}  # fmt: skip


ENTRY_HEADERS = headers.with_languages(ENGLISH_ENTRY_HEADERS, headers.ENTRY_HEADERS)
EVENT_HEADERS = headers.with_languages(ENGLISH_EVENT_HEADERS, headers.EVENT_HEADERS)


def header_target(header: str, words: dict[str, tuple[str, ...]]) -> str | None:
    key = folded(header)
    for target, said in words.items():
        if key in said or key == target.replace("_", " "):
            return target
    return None


def fahrenheit_header(header: str) -> bool:
    return bool(re.search(r"°\s*f\b|\(f\)|\bfahrenheit\b|\btemp\s*f\b", header.casefold()))


# --- dates --------------------------------------------------------------------------------------

ISO = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
YEAR_FIRST = re.compile(r"([0-9]{4})[/.\-]([0-9]{1,2})[/.\-]([0-9]{1,2})(?:[ T][0-9:.]+)?")
NUMERIC = re.compile(r"([0-9]{1,2})[/.\-]([0-9]{1,2})[/.\-]([0-9]{2}|[0-9]{4})")
SERIAL = re.compile(r"[0-9]{5}(?:\.[0-9]+)?")  # a spreadsheet's day number
MONTHS = {
    name: number
    for number, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
         ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
         ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
         ("dec", "december")],
        start=1,
    )
    for name in names
}  # fmt: skip
WEEKDAYS = re.compile(r"\b(mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\b\.?,?")
SPREADSHEET_EPOCH = datetime.date(1899, 12, 30)


def numeric_parts(text: str) -> tuple[int, int] | None:
    """The first two numbers of a date such as 05/12/2026, whose order is not told by it."""
    match = NUMERIC.fullmatch(text.strip())
    return (int(match[1]), int(match[2])) if match else None


def read_date(text: str, order: str) -> Read:
    """A date as ISO, 05/12/2026 (in `order`), 5 Dec 2026, Dec 5th, 2026, or a day number."""
    text = text.strip()
    try:
        if ISO.fullmatch(text):
            return Read(datetime.date.fromisoformat(text), True)
        return Read(other_date(text, order), False)
    except (ValueError, OverflowError):
        pass
    raise ValueError(
        f'date "{text}" is not a date: write it such as 2025-03-01, 01/03/2025 or 1 Mar 2025'
    )


def looks_like_date(text: str) -> bool:
    """Whether a cell is meant as a date, not words such as "ongoing": it has figures."""
    return bool(re.search(r"[0-9]", text))


def other_date(text: str, order: str) -> datetime.date:
    # A weekday's name and a time of day say nothing more of the date.
    text = WEEKDAYS.sub(" ", text.casefold()).strip(" ,")
    text = re.sub(r"[ T]+[0-9]{1,2}[:.][0-9]{2}(?:[:.][0-9]{2})?\s*(?:am|pm)?$", "", text).strip()
    if match := YEAR_FIRST.fullmatch(text):
        return datetime.date(int(match[1]), int(match[2]), int(match[3]))
    if match := NUMERIC.fullmatch(text):
        first, second, year = int(match[1]), int(match[2]), int(match[3])
        year += 2000 if year < 100 else 0
        day, month = (first, second) if order == DAY_FIRST else (second, first)
        return datetime.date(year, month, day)
    if SERIAL.fullmatch(text):
        return SPREADSHEET_EPOCH + datetime.timedelta(days=int(float(text)))
    return worded_date(text)


def worded_date(text: str) -> datetime.date:
    """5 Dec 2026, 5th December 2026, Dec 5, 2026, Monday 5-Dec-26."""
    words = WEEKDAYS.sub(" ", text.casefold())
    words = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", words)
    tokens = re.findall(r"[a-z]+|\d+", words)
    months = [MONTHS[t] for t in tokens if t in MONTHS]
    numbers = [t for t in tokens if t.isdigit()]
    if (
        len(months) != 1
        or len(numbers) != 2
        or any(t.isalpha() and t not in MONTHS for t in tokens)
    ):
        raise ValueError(text)
    day, year = numbers if len(numbers[1]) in (2, 4) and int(numbers[0]) <= 31 else numbers[::-1]
    year = int(year) + (2000 if len(year) == 2 else 0)
    return datetime.date(year, months[0], int(day))


def date_order(texts: list[str], hint: str) -> tuple[str, bool]:
    """Whether the column's numeric dates are day-first or month-first, and whether that is
    told by the values: a number over 12 says it, else the order that makes the days follow
    one another as a diary's do. Else `hint`, and the family is asked."""
    pairs = [parts for parts in map(numeric_parts, texts) if parts]
    if not pairs:
        return hint, True
    if any(a > 12 for a, _ in pairs) and not any(b > 12 for _, b in pairs):
        return DAY_FIRST, True
    if any(b > 12 for _, b in pairs) and not any(a > 12 for a, _ in pairs):
        return MONTH_FIRST, True
    steps = {order: steady_steps(texts, order) for order in DATE_ORDERS}
    if steps[DAY_FIRST] != steps[MONTH_FIRST] and max(steps.values()) >= 2:
        return max(steps, key=steps.get), True
    return hint, False


def steady_steps(texts: list[str], order: str) -> int:
    """How many rows come a few days after the row before, the dates read in `order`."""
    days = []
    for text in texts:
        try:
            days.append(read_date(text, order).value)
        except ValueError:
            continue
    return sum(1 for a, b in itertools.pairwise(days) if 0 < abs((b - a).days) <= 3)


# --- ratings ------------------------------------------------------------------------------------

RATING_WORDS: dict[str, int | None] = {
    **dict.fromkeys(("none", "no", "nil", "normal", "ok", "okay", "fine", "good", "absent",
                     "not seen", "calm", "zero", "usual", "great", "nothing", "na", "excellent",
                     "very good", "normal day", "kein", "keine", "aucun"), 0),
    **dict.fromkeys(("mild", "slight", "slightly", "little", "a little", "some", "low", "minor",
                     "light", "a bit", "occasional", "mildly", "few", "fair", "restless",
                     "unsettled",
                     "leicht", "léger", "leve"), 1),
    **dict.fromkeys(("moderate", "medium", "noticeable", "marked", "bad", "quite bad", "lots",
                     "frequent", "significant", "moderately", "many", "poor", "mittel", "moyen",
                     "moderado"), 2),
    **dict.fromkeys(("severe", "very bad", "terrible", "awful", "extreme", "constant", "worst",
                     "very severe", "high", "intense", "horrible", "severely", "very poor", "stark",
                     "schwer", "sévère", "severo"), 3),
    **dict.fromkeys(("n a", "not observed", "not rated", "unknown", "not noted"), None),
}  # fmt: skip
# "2 - moderate", "2/3", "1 (a few)"; the dash may be an en dash, as word processors type it.
LEADING_RATING = re.compile(r"([0-3])(?:\s*(?:/\s*3|[-:\u2013]\s*\D.*|\s+\D.*))")


def read_rating(text: str, column: str, words: dict[str, int | None]) -> Read:
    """0-3, or a word of `words` (none, mild, moderate, severe...), or "2 - moderate"."""
    if text == "":
        return Read(None, True)
    if re.fullmatch(r"[0-9]{1,6}", text):
        if int(text) <= MAX_RATING:
            return Read(int(text), True)
        raise ValueError(f'{column} is "{text}": use 0, 1, 2 or 3, or leave it empty')
    if re.fullmatch(r"[0-9]+[.,]0+", text) and int(text[0]) <= MAX_RATING and len(text) <= 4:
        return Read(int(text[0]), False)
    if match := re.fullmatch(r"([0-3])\s*(?:[.,]5|-\s*([0-3]))", text.strip()):
        # A half ("1.5") or a range ("1-2"): the higher, so that no sign is played down.
        return Read(min(MAX_RATING, max(int(match[1]) + 1, int(match[2] or 0))), False)
    key = folded(text)
    if key in words:
        return Read(words[key], False)
    if key in ("", "-", "?"):
        return Read(None, False)
    if match := LEADING_RATING.fullmatch(text.strip()):
        return Read(int(match[1]), False)
    raise words_or_wrong(text, f'{column} is "{text}": use 0, 1, 2 or 3, or leave it empty')


def looks_rated(texts: list[str]) -> bool:
    """Whether a column's values read as ratings (0-3 or rating words), most of them."""
    read = 0
    for text in texts:
        try:
            read_rating(text, "", RATING_WORDS)
            read += 1
        except (ValueError, Words):
            pass
    return bool(texts) and read >= 0.8 * len(texts)


# --- numbers ------------------------------------------------------------------------------------

NUMBER = re.compile(r"[0-9]{1,6}(?:[.,][0-9]+)?")
WHOLE_WORDS = {"none": 0, "zero": 0, "no": 0, "once": 1, "one": 1, "twice": 2, "two": 2,
               "three": 3, "four": 4, "five": 5, "six": 6}  # fmt: skip
QUARTER = Decimal("0.25")


def decimal_of(text: str) -> Decimal:
    return Decimal(text.replace(",", "."))


def read_whole(text: str, column: str) -> Read:
    if text == "":
        return Read(None, True)
    if re.fullmatch(r"[0-9]{1,6}", text):
        return Read(int(text), True)
    if re.fullmatch(r"[0-9]{1,6}[.,]0+", text):
        return Read(int(decimal_of(text)), False)
    key = folded(re.sub(r"\btimes?\b", "", text))
    if key in WHOLE_WORDS:
        return Read(WHOLE_WORDS[key], False)
    if match := re.fullmatch(r"([0-9]{1,4})\s*(?:x|times?|min|mins|minutes?|m)", text.strip()):
        return Read(int(match[1]), False)
    raise words_or_wrong(text, f'{column} is "{text}": write a whole number, such as 2')


HOURS_RANGE = re.compile(
    r"([0-9]{1,2}(?:[.,][0-9]+)?)\s*-\s*([0-9]{1,2}(?:[.,][0-9]+)?)\s*(?:h|hrs?|hours?)?"
)


def read_hours(text: str, column: str) -> Read:
    """Hours slept: 10.5, 10,5, 10h30, 10:30, 10 hrs; rounded to the quarter hour."""
    if text == "":
        return Read(None, True)
    if NUMBER.fullmatch(text) and "," not in text:
        hours = Decimal(text)
        if (hours * 4) % 1 == 0:
            return Read(hours, True)
        return Read(quarter(hours), False)
    clean = text.strip().casefold()
    if match := HOURS_RANGE.fullmatch(clean):
        return Read(quarter((decimal_of(match[1]) + decimal_of(match[2])) / 2), False)
    if NUMBER.fullmatch(clean):
        return Read(quarter(decimal_of(clean)), False)
    if match := re.fullmatch(
        r"([0-9]{1,2})\s*(?:h|:|hrs?|hours?)\s*([0-9]{1,2})?\s*(?:m|min)?", clean
    ):
        return Read(quarter(Decimal(match[1]) + Decimal(match[2] or 0) / 60), False)
    if match := re.fullmatch(r"([0-9]{1,2}(?:[.,][0-9]+)?)\s*(?:h|hrs?|hours?)", clean):
        return Read(quarter(decimal_of(match[1])), False)
    raise words_or_wrong(text, f'{column} is "{text}": write hours as a number, such as 10.5')


def quarter(hours: Decimal) -> Decimal:
    return (hours / QUARTER).quantize(Decimal(1), ROUND_HALF_UP) * QUARTER


def read_temperature(text: str, column: str, *, fahrenheit: bool = False) -> Read:
    """°C or °F (102.3F is 39.1 °C): a unit written, the column's, or a value over 45 says °F."""
    if text == "":
        return Read(None, True)
    if NUMBER.fullmatch(text) and "," not in text and not fahrenheit and Decimal(text) < 45:
        return Read(Decimal(text), True)
    match = re.fullmatch(
        r"([0-9]{2,3}(?:[.,][0-9]+)?)\s*(°|º|deg|degrees)?\s*([cf])?", text.strip().casefold()
    )
    if not match:
        if folded(text) in ("no", "none", "normal", "n a", "not taken", "ok", "fine"):
            return Read(None, False)
        raise words_or_wrong(text, f'{column} is "{text}": write a temperature, such as 38.5')
    degrees = decimal_of(match[1])
    if match[3] == "f" or (match[3] != "c" and (fahrenheit or degrees >= 45)):
        degrees = (degrees - 32) * 5 / 9
    return Read(degrees.quantize(Decimal("0.1"), ROUND_HALF_UP), False)


DOSES_WORDS = {
    **dict.fromkeys(("yes", "y", "all", "given", "done", "taken", "true", "ok", "✓", "✔",
                     "all given", "all taken", "on time"), Doses.YES),
    **dict.fromkeys(("partly", "partial", "some", "half", "mostly", "partially", "most",
                     "some missed", "one missed", "late"), Doses.PARTLY),
    **dict.fromkeys(("no", "n", "none", "missed", "not given", "false", "skipped",
                     "forgot", "not taken"), Doses.NO),
}  # fmt: skip


def read_doses(text: str, column: str) -> Read:
    if text == "":
        return Read("", True)
    if text in Doses.values:
        return Read(text, True)
    key = text.strip().casefold()
    if key in DOSES_WORDS or folded(text) in DOSES_WORDS:
        return Read(str(DOSES_WORDS.get(key) or DOSES_WORDS[folded(text)]), False)
    raise words_or_wrong(text, f'{column} is "{text}": use yes, partly or no')


# --- triggers -----------------------------------------------------------------------------------

Type = TriggerEvent.Type
TYPE_WORDS: dict[str, tuple[str, ...]] = {
    Type.FEVER: ("fever", "temp", "temperature", "high temp", "pyrexia", "febrile", "hot",
                 "high temperature", "feverish"),
    Type.VACCINATION: ("vaccination", "vaccine", "vaccines", "vaccinated", "jab", "jabs", "shot",
                       "shots", "immunisation", "immunization", "immunisations", "booster",
                       "injection", "vax", "mmr", "flu jab", "flu shot"),
    Type.ANAESTHESIA: ("anaesthesia", "anesthesia", "anaesthetic", "anesthetic", "ga",
                       "sedation", "sedated", "sedative", "general anaesthetic", "surgery",
                       "operation", "procedure", "mri under ga", "mri", "op"),
    Type.IMMUNOTHERAPY_CHANGE: ("immunotherapy change", "immunotherapy", "taper", "tapering",
                                "taper step", "dose change", "wean", "weaning", "missed dose",
                                "med change", "medication change", "dose reduced",
                                "dose reduction", "stopped", "steroids", "reduced", "ivig",
                                "infusion", "late dose", "treatment change", "meds"),
    Type.ILLNESS: ("illness", "ill", "sick", "virus", "viral", "infection", "cold", "flu",
                   "cough", "bug", "unwell", "poorly", "tummy bug", "stomach bug", "vomiting",
                   "d v", "diarrhoea", "diarrhea", "gastro", "covid", "rsv", "ear infection",
                   "chest infection", "tonsillitis", "croup", "bronchiolitis", "uti",
                   "runny nose", "conjunctivitis", "chickenpox", "hand foot and mouth"),
    Type.STRESS: ("stress", "stressful", "major stress", "upset", "moved house", "move",
                  "new school", "nursery", "daycare", "holiday", "travel", "new baby"),
    Type.OTHER: ("other",),
}  # fmt: skip
STOMACH = ("stomach", "tummy", "gastro", "vomit", "sick bug", "diarrh", "norovirus", "rotavirus",
           "d&v", "d v", "throwing up", "puking")  # fmt: skip
RESPIRATORY = ("cold", "cough", "flu", "influenza", "rsv", "covid", "chest", "bronchiolitis",
               "croup", "pneumonia", "runny nose", "snotty", "sniffles", "respiratory",
               "throat", "tonsillitis", "virus", "viral", "congested", "sinus")  # fmt: skip
PATHOGENS = {"influenza a": "influenza A", "influenza b": "influenza B", "flu a": "influenza A",
             "flu b": "influenza B", "rsv": "RSV", "covid": "COVID-19", "norovirus": "norovirus",
             "rotavirus": "rotavirus", "adenovirus": "adenovirus", "strep": "streptococcus",
             "rhinovirus": "rhinovirus", "parainfluenza": "parainfluenza"}  # fmt: skip
LIVE_VACCINES = ("mmr", "varicella", "chickenpox", "chicken pox", "rotavirus", "bcg",
                 "yellow fever", "nasal flu", "laiv", "mmrv")  # fmt: skip
CHANGE_WORDS = {
    TriggerEvent.Change.DELAYED_INFUSION: ("delayed", "postponed", "put off", "delay"),
    TriggerEvent.Change.MISSED_DOSE: ("missed", "forgot", "forgotten", "skipped", "vomited dose"),
    TriggerEvent.Change.LATE_DOSE: ("late",),
    TriggerEvent.Change.STOPPED: ("stopped", "stop", "ended", "finished", "discontinued"),
    TriggerEvent.Change.TAPER_STEP: ("taper", "tapering", "tapered", "wean", "weaning",
                                     "weaned", "reduced", "reduction", "lowered", "step down",
                                     "dose down", "decrease", "decreased", "cut"),
}  # fmt: skip
DRUG_WORDS = {
    **{english(drug.label).casefold(): english(drug.label) for drug in Drug if drug != Drug.OTHER},
    "pred": "Prednisolone", "prednisone": "Prednisone", "dex": "Dexamethasone",
    "methylpred": "Methylprednisolone", "ritux": "Rituximab", "cyclo": "Cyclophosphamide",
    "mmf": "Mycophenolate", "cellcept": "Mycophenolate", "steroids": "steroids",
    "steroid": "steroids", "immunoglobulin": "IVIG", "ivig": "IVIG", "igg": "IVIG",
}  # fmt: skip


CHANGE_FILLERS = ("step", "dose", "doses", "of", "the", "a", "change", "to", "immunotherapy",
                  "med", "meds", "medication", "treatment", "infusion")  # fmt: skip


def has(words: str, said: tuple[str, ...], *, starts: bool = False) -> str | None:
    """The first of `said` that `words` holds as whole words (or, if `starts`, as the start of
    a word: "vomit" in "vomiting")."""
    end = "" if starts else r"(?!\w)"
    for word in said:
        if re.search(rf"(?<!\w){re.escape(word)}{end}", words):
            return word
    return None


def trigger_type(*texts: str) -> str | None:
    """The type a family's words most likely mean: the type column's words first."""
    for text in texts:
        key = folded(text)
        if not key:
            continue
        for value in TriggerEvent.Type.values:
            label = TriggerEvent.Type(value).label
            if key in (value.replace("_", " "), english(label).casefold(), label.casefold()):
                return value
        for value, said in TYPE_WORDS.items():
            if key in said:
                return value
        if re.search(r"\b[0-9]{2,3}(?:[.,][0-9])?\s*°?\s*[cf]\b", text.casefold()):
            return Type.FEVER
        for value, said in TYPE_WORDS.items():
            if value != Type.OTHER and has(key, said):
                return value
    return None


def temperature_in(words: str) -> Decimal | None:
    """The temperature a fever's words give: 39.2 C, 39.2C, 102.3F, 39,2 °C, 'up to 39.5'."""
    for match in re.finditer(
        r"([0-9]{2,3}(?:[.,][0-9]+)?)\s*(°|º|deg)?\s*([cf])?\b", words.casefold()
    ):
        try:
            read = read_temperature(match[0], "detail")
        except (ValueError, Words, InvalidOperation):
            continue
        if read.value is not None and Decimal("34") <= read.value <= Decimal("45"):
            return read.value
    return None


def illness_fields(words: str, detail: str = "") -> dict:
    """The kind of illness the detail's words most likely say (else all the words'), and a
    pathogen they name."""
    key = folded(detail) or folded(words)
    kind = TriggerEvent.Illness.OTHER
    if has(key, STOMACH, starts=True):
        kind = TriggerEvent.Illness.STOMACH
    elif has(key, RESPIRATORY, starts=True):
        kind = TriggerEvent.Illness.RESPIRATORY
    found = has(folded(words), tuple(PATHOGENS))
    return {"illness_kind": str(kind), "pathogen": PATHOGENS[found] if found else ""}


def change_fields(words: str) -> dict | None:
    """An immunotherapy change's kind and drug, in either order: "prednisolone taper step",
    "taper step pred", "missed dose of IVIG"; None if the words say no kind of change."""
    key = folded(words)
    change = next((value for value, said in CHANGE_WORDS.items() if has(key, said)), None)
    if change is None:
        return None
    drug = next((name for word, name in DRUG_WORDS.items() if has(key, (word,))), None)
    if drug is None:
        rest = [w for w in key.split() if not any(w in said for said in CHANGE_WORDS.values())]
        rest = [w for w in rest if w not in CHANGE_FILLERS]
        drug = " ".join(rest)[:80] or "not named"
    return {"change": str(change), "drug": drug}


LIVE_MARKS = ((" (not live)", False), (" (live)", True))


def vaccination_fields(words: str) -> dict:
    live = None
    for suffix, value in LIVE_MARKS:
        if words.endswith(suffix):
            return {"vaccine": words.removesuffix(suffix).strip()[:80], "live_vaccine": value}
    if has(folded(words), LIVE_VACCINES):
        live = True
    return {"vaccine": words.strip()[:80], "live_vaccine": live}


def core_field(target: str) -> bool:
    return target in CORE_FIELDS or target.startswith("item:")
