import datetime

from django.urls import register_converter


class IsoDateConverter:
    """A calendar day in a URL, as YYYY-MM-DD; an impossible date is a 404."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> datetime.date:
        return datetime.date.fromisoformat(value)

    def to_url(self, value: datetime.date) -> str:
        return value.isoformat()


# Registered here, once, for every URLconf that imports this module (the pages' and the API's).
register_converter(IsoDateConverter, "day")
