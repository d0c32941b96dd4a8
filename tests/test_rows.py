"""The queries every request runs, written once as SQL (journal/rows.py): the session, the user,
the caregiver's membership with the child, the day's entry. They must give what the ORM gives,
and keep every rule of Django's they stand in for."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.forms.models import model_to_dict
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from journal import analysis
from journal.access import membership_for
from journal.models import Child, DailyEntry, Membership, RelapseSettings
from journal.queries import day_entry
from tests.factories import DailyEntryFactory

pytestmark = pytest.mark.django_db


class Asked:
    """A request as membership_for reads it."""

    def __init__(self, user):
        self.user = user


def same_fields(read, stored) -> None:
    """Every column equal, and of the same type (a date a date, a Decimal a Decimal)."""
    ours, theirs = model_to_dict(read), model_to_dict(stored)
    assert ours == theirs
    assert {k: type(v) for k, v in ours.items()} == {k: type(v) for k, v in theirs.items()}
    for field in ("created_at", "joined_at", "updated_at"):
        if hasattr(stored, field):
            assert getattr(read, field) == getattr(stored, field)
            assert getattr(read, field).tzinfo is not None


def test_the_membership_is_the_orms_with_the_child_in_one_query(owner, child):
    Child.objects.filter(pk=child.pk).update(last_visit_date=datetime.date(2026, 5, 4))
    with CaptureQueriesContext(connection) as queries:
        membership = membership_for(Asked(owner), child.pk)
        rule = membership.child.relapse_rule()
        assert membership.user is owner
    assert len(queries) == 1
    assert rule == analysis.DEFAULT_RULE  # no settings row: the defaults, without a query
    same_fields(membership, Membership.objects.get(pk=membership.pk))
    same_fields(membership.child, Child.objects.get(pk=child.pk))


def test_a_childs_own_rule_comes_with_the_membership(owner, child):
    RelapseSettings.objects.create(child=child, baseline_days=21, min_logged_days=5)
    with CaptureQueriesContext(connection) as queries:
        rule = membership_for(Asked(owner), child.pk).child.relapse_rule()
    assert len(queries) == 1
    assert (rule.baseline_days, rule.min_logged_days) == (21, 5)


def test_another_familys_child_is_not_found(owner, stranger_child):
    with pytest.raises(Exception, match="No such child"):
        membership_for(Asked(owner), stranger_child.pk)


def test_the_days_entry_is_the_orms_with_who_logged_and_changed_it(owner, caregiver, child):
    stored = DailyEntryFactory(
        child=child, created_by=owner, updated_by=caregiver, max_temperature_c=Decimal("38.5")
    )
    with CaptureQueriesContext(connection) as queries:
        read = day_entry(child, stored.date)
        names = (read.created_by.username, read.updated_by.username)
    assert len(queries) == 1
    assert names == ("olivia", "carl")
    same_fields(read, DailyEntry.objects.get(pk=stored.pk))
    assert read.sleep_hours == Decimal("9.50")
    assert day_entry(child, stored.date - datetime.timedelta(days=1)) is None


def test_a_session_copied_before_logout_no_longer_works(owner, child):
    browser = Client()
    browser.force_login(owner)
    thief = Client()
    thief.cookies[settings.SESSION_COOKIE_NAME] = browser.cookies[settings.SESSION_COOKIE_NAME]
    dashboard = reverse("child_detail", args=[child.pk])
    assert thief.get(dashboard).status_code == 200
    browser.post(reverse("logout"))
    assert thief.get(dashboard).status_code == 302


def test_a_deactivated_caregiver_is_logged_out_at_the_next_request(owner, child, owner_client):
    dashboard = reverse("child_detail", args=[child.pk])
    assert owner_client.get(dashboard).status_code == 200
    get_user_model().objects.filter(pk=owner.pk).update(is_active=False)
    assert owner_client.get(dashboard).status_code == 302
