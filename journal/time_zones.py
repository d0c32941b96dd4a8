"""Time zones as a parent knows them: a country and a city ("France: Paris"), not a list of
tz database names ("Africa/Asmera").

The countries and their zones come from the tz database's own tables (zone.tab, iso3166.tab),
which the pinned `tzdata` package ships beside the zones, so names and zones never disagree.
"""

import functools
import zoneinfo
from importlib import resources

from django.utils.translation import gettext_lazy, pgettext_lazy

# Lazy: the choices are made once, and read in each page's language.
OTHER = pgettext_lazy("time zones of no country", "Other")


def _table(name: str) -> list[list[str]]:
    text = resources.files("tzdata.zoneinfo").joinpath(name).read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


@functools.cache
def countries() -> dict[str, str]:
    """Each country's name by its ISO 3166 code."""
    return {code: name for code, name in _table("iso3166.tab")}


@functools.cache
def _labels() -> dict[str, tuple[str, str]]:
    """Each zone of zone.tab: (country, "City" or "City, region")."""
    labels = {}
    for code, _where, zone, *comment in _table("zone.tab"):
        city = zone.rsplit("/", 1)[-1].replace("_", " ")
        labels.setdefault(zone, (countries()[code], f"{city}, {comment[0]}" if comment else city))
    return labels


@functools.cache
def valid_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def label(zone: str) -> str:
    """A zone as a parent reads it: "France: Paris"; UTC and old names as they are."""
    if zone in _labels():
        country, city = _labels()[zone]
        return f"{country}: {city}"
    return zone.replace("_", " ")


@functools.cache
def choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Zones grouped by country, countries and cities in alphabetical order, then UTC."""
    by_country: dict[str, list[tuple[str, str]]] = {}
    for zone, (country, _city) in _labels().items():
        by_country.setdefault(country, []).append((zone, label(zone)))
    grouped = [
        (country, sorted(by_country[country], key=lambda c: c[1])) for country in sorted(by_country)
    ]
    return [*grouped, (OTHER, [("UTC", gettext_lazy("UTC (no daylight saving)"))])]


def choices_with(zone: str | None) -> list:
    """The choices, with `zone` among them when it is a valid zone they do not name (an old
    name such as Europe/Kiev, kept as the family chose it)."""
    listed = choices()
    if (
        not zone
        or zone not in valid_zones()
        or any(zone == z for _, group in listed for z, _ in group)
    ):
        return listed
    return [*listed[:-1], (OTHER, [*listed[-1][1], (zone, label(zone))])]
