"""The journal's template filters in another language than English."""

from decimal import Decimal

from django.utils import translation

from journal.templatetags import journal


def test_plain_writes_the_decimal_mark_of_the_page_language():
    assert journal.plain(Decimal("38.50")) == "38.5"
    assert journal.plain(Decimal("10.000")) == "10"
    with translation.override("fr"):
        assert journal.plain(Decimal("38.50")) == "38,5"
    with translation.override("de"):
        assert journal.plain(Decimal("7.500")) == "7,5"
    assert journal.plain(None) == ""


def test_person_says_someone_for_an_account_deleted_since():
    assert journal.person(None) == "someone"
    assert journal.person(None, "a deleted account") == "a deleted account"
