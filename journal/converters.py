import datetime

from django.urls import register_converter


class IsoDateConverter:
    """A calendar day in a URL, as YYYY-MM-DD; an impossible date is a 404."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> datetime.date:
        return datetime.date.fromisoformat(value)

    def to_url(self, value: datetime.date) -> str:
        return value.isoformat()


class IdConverter:
    """A database id in a URL: a whole number that fits the database's 64-bit integer columns.

    A longer one can't name anything: it is a 404 like any id that is not the caregiver's,
    where SQL would overflow (SQLite raises OverflowError, PostgreSQL an out-of-range error).
    """

    regex = r"[0-9]{1,19}"
    largest = 2**63 - 1

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > self.largest:
            raise ValueError("no row has this id")  # Django's resolver then tries no match
        return number

    def to_url(self, value: int) -> str:
        return str(value)


# Registered here, once, for every URLconf that imports this module (the pages' and the API's).
register_converter(IsoDateConverter, "day")
register_converter(IdConverter, "id")
