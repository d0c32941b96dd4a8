"""Each child's numbers for the possible-relapse rule: read by the whole team, changed by owners.

The rule is OMS Journal's proposal (analysis.RelapseRule); a child without a RelapseSettings row
has its defaults, and reading never makes one.
"""

import dataclasses
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from journal import analysis, services
from journal.access import OWNER_REFUSAL
from journal.analysis import (
    CLASSIC_RULE,
    DEFAULT_RULE,
    RULE_FIELDS,
    V2_RULE,
    V4_RULE,
    RelapseRule,
)
from journal.models import RULE_RANGES, Change, Child, Membership, RelapseSettings
from tests.view_helpers import (
    error_beside,
    errors_shown,
    full_snapshot,
    html_of,
    text_of,
    value_of,
)

pytestmark = pytest.mark.django_db

DEFAULTS = {name: str(value) for name, value in DEFAULT_RULE.numbers().items()}
DISCLAIMER = "A possible relapse it flags is a prompt to talk to Mia's doctor, never a diagnosis"


def page_url(child) -> str:
    return reverse("relapse_settings", kwargs={"child_id": child.pk})


def numbers(**changes) -> dict[str, str]:
    """The form as a caregiver sends it: the defaults, but for `changes`."""
    return {**DEFAULTS, **{name: str(value) for name, value in changes.items()}}


@pytest.fixture
def own_rule(child, owner) -> RelapseSettings:
    """Mia's family looks back three weeks and wants four raised days in a row."""
    return services.relapse_settings_save(
        child=child, user=owner, values={"baseline_days": 21, "raised_run": 4}
    )


# --- the model and the defaults -----------------------------------------------------------------


def test_every_number_has_a_range_holding_its_default():
    assert tuple(RULE_RANGES) == RULE_FIELDS
    for name in RULE_FIELDS:
        low, high = RULE_RANGES[name]
        field = RelapseSettings._meta.get_field(name)
        assert field.default == getattr(DEFAULT_RULE, name)
        assert low <= field.default <= high, name
        assert field.help_text and field.verbose_name


def test_a_child_without_its_own_rule_has_the_defaults_and_reading_makes_no_row(
    owner_client, caregiver_client, viewer_client, child
):
    assert child.relapse_rule() == DEFAULT_RULE
    owners_word = (
        "You can change its numbers below: it is best to agree them with Mia's neurologist"
    )
    others_word = "An owner of the care team can change its numbers, best after agreeing them with"
    before = full_snapshot()
    for client, neurologist in (
        (owner_client, owners_word),
        (caregiver_client, others_word),
        (viewer_client, others_word),
    ):
        page = client.get(page_url(child))
        assert page.status_code == 200
        text = text_of(page)
        assert "How possible relapses are flagged" in text
        assert DISCLAIMER in text
        assert neurologist in text
        for sentence in DEFAULT_RULE.sentences():
            assert sentence in text
        assert "These are OMS Journal's defaults." in text
    assert full_snapshot() == before
    assert not RelapseSettings.objects.exists()


def test_the_page_shows_each_default_beside_its_number(owner_client, child, own_rule):
    page = owner_client.get(page_url(child))
    html = html_of(page)
    for name in RULE_FIELDS:
        shown = value_of(page, name)
        assert shown == str(getattr(own_rule, name))
        default = getattr(DEFAULT_RULE, name)
        field_html = html[html.index(f'name="{name}"') :]
        assert field_html.index(f"default&nbsp;{default}") < field_html.index("</div>")
    assert value_of(page, "baseline_days") == "21"


def test_child_relapse_rule_reads_the_saved_rule(child, own_rule):
    expected = RelapseRule(baseline_days=21, raised_run=4)
    assert child.relapse_rule() == expected
    assert Child.objects.get(pk=child.pk).relapse_rule() == expected
    assert own_rule.as_rule() == expected


@pytest.mark.parametrize("has_own_rule", [False, True])
def test_reading_the_rule_costs_no_query_once_select_related(
    child, owner, django_assert_num_queries, has_own_rule
):
    if has_own_rule:
        services.relapse_settings_save(child=child, user=owner, values={"score_rise": 5})
    membership = Membership.objects.select_related("child", "child__relapse_settings").get(
        child=child, user=owner
    )
    with django_assert_num_queries(0):
        rule = membership.child.relapse_rule()
    assert rule.score_rise == (5 if has_own_rule else 3)


# --- the owner changes the numbers -----------------------------------------------------------


def test_the_owner_saves_new_numbers(owner_client, owner, child):
    response = owner_client.post(page_url(child), numbers(baseline_days=21, score_rise=4))

    assert response.status_code == 302
    assert response.url == page_url(child)
    saved = RelapseSettings.objects.get(child=child)
    assert saved.as_rule() == RelapseRule(baseline_days=21, score_rise=4)
    assert saved.updated_by == owner
    page = owner_client.get(page_url(child))
    text = text_of(page)
    assert "Saved: possible relapses are now flagged with these numbers." in text
    assert "in the 21 days before the last 7 (left out" in text
    assert "once at least 7 are logged" in text
    assert "its score is 4 or more above the usual level" in text
    assert "Numbers changed from OMS Journal's defaults on" in text
    assert "by Olivia" in text
    assert value_of(page, "score_rise") == "4"


def test_numbers_chosen_for_the_first_rule_keep_its_meaning_and_the_page_says_what_changed(
    owner_client, owner, child
):
    """Migration 0011 gives the families' own numbers nothing left out, no day short and no
    dating back: the first rule. The page says so, and how the defaults differ."""
    first_rule = CLASSIC_RULE.numbers() | {"score_rise": 4}
    services.relapse_settings_save(child=child, user=owner, values=first_rule)
    assert child.relapse_rule() == dataclasses.replace(
        CLASSIC_RULE, score_rise=4, half_rated_in_proportion=True
    )
    text = text_of(owner_client.get(page_url(child)))
    assert "These numbers were chosen for OMS Journal's first rule, and keep its meaning" in text
    assert "Only a day with a sign not rated now counts in proportion to the signs rated" in text
    assert "leave the last 7 days out of the usual level" in text
    assert "in the 14 days before, once at least 7 are logged" in text
    # With the second rule's numbers, the page says that instead.
    services.relapse_settings_save(child=child, user=owner, values={"recent_days_left_out": 7})
    text = text_of(owner_client.get(page_url(child)))
    assert "first rule" not in text
    assert "These numbers were chosen for OMS Journal's second rule, and keep its meaning" in text
    assert "reach back up to 42 days for a usual level after days away" in text
    assert "Since the fourth rule, the defaults also raise a day when Eyes, Jerks" in text
    # With the third rule's numbers: all but Eyes, Jerks and Balance added up.
    services.relapse_settings_save(child=child, user=owner, values={"baseline_reach_days": 42})
    text = text_of(owner_client.get(page_url(child)))
    assert "keep its meaning" not in text
    assert "Since the fourth rule" not in text
    assert (
        "These numbers leave out Eyes, Jerks and Balance added up, as OMS Journal's third rule "
        "did. The rule's defaults now also raise a day when they are 2 or more above their "
        "usual total"
    ) in text
    assert "or when Eyes, Jerks and Balance added up" not in text  # not in the rule as it stands
    assert "Since the fifth rule, the defaults also raise a day only when Eyes, Jerks" in text
    # With the fourth rule's numbers: Sleep and Rage raise a day alone, no shorter run.
    services.relapse_settings_save(child=child, user=owner, values={"motor_rise": 2})
    text = text_of(owner_client.get(page_url(child)))
    assert "third rule" not in text
    assert "Since the fourth rule" not in text
    assert "Since the fifth rule" not in text
    assert "These numbers were chosen for OMS Journal's fourth rule, and keep its meaning" in text
    assert "flag a possible relapse after 2 days in a row when Eyes, Jerks and Balance" in text
    assert "or when Eyes, Jerks and Balance added up are 2 or more above their usual total" in text
    assert "after a possible trigger (in the 28 days before)" not in text  # not in its rule
    # With today's numbers the notices are gone.
    today = {"score_motor_part": 1, "sleep_rage_rise": 0, "raised_run_after_trigger": 2}
    services.relapse_settings_save(child=child, user=owner, values=today)
    text = text_of(owner_client.get(page_url(child)))
    assert "fourth rule" not in text
    assert "Since the fifth rule" not in text
    assert "a rise in them alone raises no day" in text
    assert "after a possible trigger (in the 28 days before), 2 are enough" in text


def test_numbers_chosen_for_the_fourth_rule_are_said_with_their_own_run(owner_client, owner, child):
    own = V4_RULE.numbers() | {"raised_run": 4}
    services.relapse_settings_save(child=child, user=owner, values=own)
    text = text_of(owner_client.get(page_url(child)))
    assert "a possible relapse always needs 4 raised days in a row" in text
    assert "flag a possible relapse after 2 days in a row" in text  # the defaults'


def test_a_save_that_changes_nothing_writes_nothing(owner_client, child):
    before = full_snapshot()
    response = owner_client.post(page_url(child), numbers())
    assert response.status_code == 302
    assert full_snapshot() == before


def test_min_logged_days_may_equal_the_days_looked_back(owner_client, child):
    response = owner_client.post(page_url(child), numbers(baseline_days=10, min_logged_days=10))
    assert response.status_code == 302
    assert child.relapse_rule() == RelapseRule(baseline_days=10, min_logged_days=10)


def out_of_range_cases() -> list[tuple[str, str, str]]:
    """Each number one below its lowest and one above its highest."""
    cases = []
    for name, (low, high) in RULE_RANGES.items():
        message = f"Choose a whole number from {low} to {high}."
        cases += [(name, str(low - 1), message), (name, str(high + 1), message)]
    return cases


BAD_NUMBERS = [
    *out_of_range_cases(),
    ("baseline_days", "", "Please type a number: the default is 14."),
    ("score_rise", "three", "Please type a whole number in figures, such as 3."),
    ("raised_run", "2.5", "Please type a whole number in figures, such as 3."),
    ("calm_run", "1e3", "Please type a whole number in figures, such as 3."),
    ("trigger_window_days", "99999999999999999999", "Choose a whole number from 1 to 90."),
    ("min_logged_days", "15", "This can't be more than the 14 days looked back"),
    ("raised_run_after_trigger", "3", "This must be fewer than the 3 raised days in a row"),
]


@pytest.mark.parametrize(("field", "typed", "message"), BAD_NUMBERS)
def test_a_bad_number_is_refused_beside_it_with_the_input_kept(
    owner_client, child, field, typed, message
):
    posted = numbers(**{field: typed})
    before = full_snapshot()

    response = owner_client.post(page_url(child), posted)

    assert response.status_code == 200
    assert message in error_beside(response, field)
    assert list(errors_shown(response)) == [field]
    for name, value in posted.items():
        assert value_of(response, name) == value
    assert full_snapshot() == before
    # The rule above the form is the one saved, not what was typed.
    for sentence in DEFAULT_RULE.sentences():
        assert sentence in text_of(response)


def test_more_logged_days_than_days_looked_back_is_refused(owner_client, child, own_rule):
    before = full_snapshot()
    response = owner_client.post(page_url(child), numbers(baseline_days=10, min_logged_days=12))
    assert response.status_code == 200
    assert "can't be more than the 10 days looked back" in error_beside(response, "min_logged_days")
    assert list(errors_shown(response)) == ["min_logged_days"]
    assert full_snapshot() == before
    assert "in the 21 days before" in text_of(response)  # the saved rule, still


def test_a_days_looked_back_out_of_range_is_the_only_message(owner_client, child):
    response = owner_client.post(page_url(child), numbers(baseline_days=5))
    assert list(errors_shown(response)) == ["baseline_days"]


def test_the_service_refuses_bad_numbers_and_unknown_names(child, owner):
    before = full_snapshot()
    with pytest.raises(ValidationError) as refused:
        services.relapse_settings_save(child=child, user=owner, values={"item_rise": 4})
    assert "item_rise" in refused.value.message_dict
    with pytest.raises(ValueError, match="not numbers of the rule: colour"):
        services.relapse_settings_save(child=child, user=owner, values={"colour": 1})
    assert full_snapshot() == before
    assert child.relapse_rule() == DEFAULT_RULE


# --- back to the defaults --------------------------------------------------------------------


def test_the_owner_sets_the_rule_back_to_the_defaults(owner_client, child, own_rule):
    page = owner_client.get(page_url(child))
    assert "Back to the defaults" in text_of(page)

    response = owner_client.post(page_url(child), {"reset": "1"})

    assert response.status_code == 302
    assert response.url == page_url(child)
    assert not RelapseSettings.objects.exists()
    assert Child.objects.get(pk=child.pk).relapse_rule() == DEFAULT_RULE
    page = owner_client.get(page_url(child))
    assert "Back to OMS Journal's defaults." in text_of(page)
    assert "These are OMS Journal's defaults." in text_of(page)
    assert "Back to the defaults" not in text_of(page)  # nothing left to set back
    assert value_of(page, "baseline_days") == "14"


def test_setting_back_a_rule_that_is_the_defaults_writes_nothing(owner_client, owner, child):
    before = full_snapshot()
    services.relapse_settings_reset(child=child, user=owner)
    assert owner_client.post(page_url(child), {"reset": "1"}).status_code == 302
    assert full_snapshot() == before


def test_the_service_forgets_the_cached_rule_on_reset(child, owner, own_rule):
    assert child.relapse_rule().baseline_days == 21
    services.relapse_settings_reset(child=child, user=owner)
    assert child.relapse_rule() == DEFAULT_RULE


# --- the rest of the team reads it -----------------------------------------------------------


@pytest.mark.parametrize("role", ["caregiver", "viewer"])
def test_the_rest_of_the_team_reads_the_rule_but_cannot_change_it(request, child, own_rule, role):
    client = request.getfixturevalue(f"{role}_client")
    page = client.get(page_url(child))
    assert page.status_code == 200
    text = text_of(page)
    assert "in the 21 days before" in text
    assert "Only an owner of the care team can change these numbers." in text
    html = html_of(page)
    assert "<fieldset disabled>" in html
    assert "Save" not in text and "Back to the defaults" not in text
    assert 'method="post"' not in html.split('<main id="main">')[1]
    assert value_of(page, "raised_run") == "4"
    assert "default&nbsp;3" in html
    assert "See every change" not in text  # the change history is the owners'

    before = full_snapshot()
    for data in (numbers(baseline_days=30), {"reset": "1"}):
        response = client.post(page_url(child), data)
        assert response.status_code == 403
        assert OWNER_REFUSAL in text_of(response)
    assert full_snapshot() == before


def test_another_family_cannot_see_the_rule(stranger_client, child):
    assert stranger_client.get(page_url(child)).status_code == 404
    assert stranger_client.post(page_url(child), numbers(baseline_days=30)).status_code == 404
    assert not RelapseSettings.objects.exists()


# --- the change history ----------------------------------------------------------------------


def test_the_change_history_says_who_changed_the_rule_from_what_to_what(owner_client, owner, child):
    owner_client.post(page_url(child), numbers(baseline_days=21, score_rise=4))
    owner_client.post(page_url(child), {"reset": "1"})

    reset, saved = Change.objects.for_child(child)
    assert (saved.kind, saved.action, saved.user) == ("settings", "changed", owner)
    assert saved.fields_changed == [
        ("Days looked back for the usual level", "14", "21"),
        ("Rise in the daily score that makes a day raised", "3", "4"),
    ]
    assert saved.object_id == child.pk
    assert (reset.kind, reset.action, reset.user) == ("settings", "changed", owner)
    assert reset.fields_changed == [
        ("Days looked back for the usual level", "21", "14"),
        ("Rise in the daily score that makes a day raised", "4", "3"),
    ]

    page = text_of(owner_client.get(reverse("change_list", kwargs={"child_id": child.pk})))
    assert page.count("Changed how possible relapses are flagged by Olivia") == 2
    assert "Days looked back for the usual level 14 21" in page
    assert "Days looked back for the usual level 21 14" in page


# --- cost ------------------------------------------------------------------------------------


@pytest.mark.parametrize("has_own_rule", [False, True])
def test_the_page_takes_few_queries(
    owner_client, owner, child, django_assert_max_num_queries, has_own_rule
):
    if has_own_rule:
        services.relapse_settings_save(child=child, user=owner, values={"calm_run": 5})
    # Session, user, membership with the child and its rule; the name of who changed it.
    with django_assert_max_num_queries(4):
        response = owner_client.get(page_url(child))
    assert response.status_code == 200


def test_the_rule_page_sentences_match_the_analysis(owner_client, child, own_rule):
    text = text_of(owner_client.get(page_url(child)))
    for sentence in analysis.RelapseRule(baseline_days=21, raised_run=4).sentences():
        assert sentence in text


# --- migrations 0011, 0017 and 0020: numbers a family chose keep their meaning ----------------


def families_after_migrating(before: tuple[str, str], **numbers) -> tuple[Child, Child]:
    """Mia, whose family chose these numbers when the database stood at `before`, and Leo, whose
    family chose none, once every migration since has run."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes("journal")
    executor.migrate([before])
    old = executor.loader.project_state([before]).apps
    born = datetime.date(2022, 1, 1)
    chosen = old.get_model("journal", "Child").objects.create(name="Mia", birth_date=born)
    old.get_model("journal", "Child").objects.create(name="Leo", birth_date=born)
    old.get_model("journal", "RelapseSettings").objects.create(child=chosen, **numbers)

    MigrationExecutor(connection).migrate(latest)
    return Child.objects.get(name="Mia"), Child.objects.get(name="Leo")


@pytest.mark.django_db(transaction=True)
def test_migration_0011_keeps_the_meaning_of_numbers_a_family_chose():
    """A child with its own numbers before 0011 gets nothing left out, no day short and no dating
    back: its rule is the first rule with its numbers. A child without keeps the defaults."""
    mia, leo = families_after_migrating(("journal", "0010_import_limits_and_choices"), score_rise=4)
    # Migration 0017 keeps that meaning too, but for the half-rated days.
    assert mia.relapse_rule() == dataclasses.replace(
        CLASSIC_RULE, score_rise=4, half_rated_in_proportion=True
    )
    assert leo.relapse_rule() == DEFAULT_RULE


@pytest.mark.django_db(transaction=True)
def test_migration_0017_keeps_the_meaning_of_numbers_a_family_chose():
    """A child with its own numbers before 0017 gets a usual level that reaches no further back
    than its days looked back, no rise of Eyes, Jerks and Balance together, and dating back over
    the days above its calm margin: the second rule with its numbers. A child without its own
    numbers takes today's defaults."""
    mia, leo = families_after_migrating(
        ("journal", "0016_delivered_saves_name_the_record"), baseline_days=21, calm_margin=0
    )
    assert mia.relapse_rule() == dataclasses.replace(
        V2_RULE,
        baseline_days=21,
        baseline_reach_days=21,
        calm_margin=0,
        dated_back_margin=0,
        half_rated_in_proportion=True,
    )
    assert leo.relapse_rule() == DEFAULT_RULE


@pytest.mark.django_db(transaction=True)
def test_migration_0020_keeps_the_meaning_of_numbers_a_family_chose():
    """A child with its own numbers before 0020 gets Sleep and Rage raising a day alone at its
    rise of one item, no part of a score's rise asked of Eyes, Jerks and Balance, and no shorter
    run after a trigger: the fourth rule with its numbers. A child without takes today's."""
    mia, leo = families_after_migrating(("journal", "0019_relapse_rule_v4"), item_rise=3)
    assert mia.relapse_rule() == dataclasses.replace(V4_RULE, item_rise=3, sleep_rage_rise=3)
    assert analysis.version_kept(mia.relapse_rule()) == 4
    assert leo.relapse_rule() == DEFAULT_RULE
    # A row made from now on takes today's defaults.
    assert RelapseSettings.objects.create(child=leo).as_rule() == DEFAULT_RULE
