"""What a family records: children, their care team, daily entries, trigger events, treatments.

Reads go through the QuerySet methods here (`Child.objects.visible_to(user)`, `for_child(...)`),
so that every query is scoped to the caregiver's own children. Writes go through services.py.
"""

import datetime
import hashlib
import secrets
import zoneinfo
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import formats, timezone, translation
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_noop, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from journal import analysis
from journal.dates import long_date, short_date, short_date_time
from journal.scales import CORE_FIELDS, CORE_ITEMS, MAX_RATING


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Pick a time zone from the list, such as Europe/London."))


# The earliest birth date taken: every date of a journal lies between birth and the child's today,
# so no reader of it meets a year the calendar arithmetic can't hold.
EARLIEST_BIRTH = datetime.date(1900, 1, 1)
# How far ahead a course's planned end and a taper's planned steps may lie: two years (a leap day
# included). They are plans, drawn as plans, and count as given only from their day.
PLAN_AHEAD = datetime.timedelta(days=731)


def not_before_1900(value: datetime.date) -> None:
    if value < EARLIEST_BIRTH:
        raise ValidationError(
            _("Dates from %(day)s are taken.") % {"day": long_date(EARLIEST_BIRTH)}
        )


def quarter_hours(value: Decimal) -> None:
    if (value * 4) % 1:
        raise ValidationError(_("Use quarter hours, such as 9, 9.25, 9.5 or 9.75."))


def written_text(max_length: int, *args, **kwargs) -> models.TextField:
    """A text a caregiver writes. A TextField's max_length sizes only the form's box: the
    validator holds every door to it (the forms and the import alike, through full_clean)."""
    return models.TextField(
        *args,
        blank=True,
        max_length=max_length,
        validators=[MaxLengthValidator(max_length)],
        **kwargs,
    )


def child_given(obj) -> "Child | None":
    """The child an entry, event or course is of: saved, or not yet (the import checks a new
    child's rows before the child is saved), or None when none is set yet (a form's first
    checks)."""
    if obj.child_id or type(obj).child.is_cached(obj):
        return obj.child
    return None


def not_in_future(value: datetime.date) -> None:
    # A day two calendar days ahead of UTC is in the future in every time zone on Earth. Entries,
    # events and courses are checked more tightly, against the child's own today, in clean().
    if value > timezone.now().date() + datetime.timedelta(days=1):
        raise ValidationError(_("This date is in the future."))


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    CAREGIVER = "caregiver", _("Caregiver")
    VIEWER = "viewer", _("Viewer")


WRITER_ROLES = (Role.OWNER, Role.CAREGIVER)


class ChildQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ChildQuerySet":
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user).distinct()


class Child(models.Model):
    class Tumour(models.TextChoices):
        UNKNOWN = "unknown", _("Unknown")
        YES = "yes", _("Yes")
        NO = "no", _("No")

    name = models.CharField(_("name"), max_length=80)
    birth_date = models.DateField(_("birth date"), validators=[not_before_1900, not_in_future])
    diagnosis_date = models.DateField(
        _("date of diagnosis"), null=True, blank=True, validators=[not_in_future]
    )
    tumour_found = models.CharField(
        _("tumour found"), max_length=7, choices=Tumour.choices, default=Tumour.UNKNOWN
    )
    time_zone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text=_("Days are counted in this time zone."),
    )
    last_visit_date = models.DateField(
        _("last visit to the neurologist"),
        null=True,
        blank=True,
        validators=[not_in_future],
        help_text=_("The visit summary starts from this day."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Raised by one, in the database, by every write to the child's journal (services.touch), so
    # that charts and analysis can be cached under (child id, data_version). Nothing else writes
    # it: services.child_update saves the child's details without it.
    data_version = models.PositiveIntegerField(default=1, editable=False)

    objects = ChildQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name_plural = _("children")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.birth_date and self.diagnosis_date and self.diagnosis_date < self.birth_date:
            raise ValidationError({"diagnosis_date": _("The diagnosis can't be before birth.")})
        if self.birth_date and self.last_visit_date and self.last_visit_date < self.birth_date:
            raise ValidationError({"last_visit_date": _("The visit can't be before birth.")})
        first = self.first_recorded_day()
        if self.birth_date and first and first < self.birth_date:
            raise ValidationError(
                {
                    "birth_date": _("The journal has days from %(day)s, before this date.")
                    % {"day": long_date(first)}
                }
            )

    def day_problem(self, day: datetime.date | None) -> str | None:
        """Why `day` can't be in this child's journal, or None if it can."""
        if day is None:
            return None
        if day > self.today():
            return _("This day hasn't happened yet where the child lives.")
        if day < self.birth_date:
            return _("This day is before the child's birth date.")
        return None

    def plan_problem(self, day: datetime.date | None) -> str | None:
        """Why `day` can't be a planned day of a course (its end, a taper's step), or None."""
        if day is None:
            return None
        if day > self.today() + PLAN_AHEAD:
            return _("A plan can reach two years ahead at most.")
        if day < self.birth_date:
            return _("This day is before the child's birth date.")
        return None

    def first_recorded_day(self) -> datetime.date | None:
        """The earliest day of an entry, event or treatment of this child, if any."""
        if self.pk is None:
            return None
        firsts = [
            self.entries.aggregate(first=models.Min("date"))["first"],
            self.events.aggregate(first=models.Min("start_date"))["first"],
            self.treatments.aggregate(first=models.Min("start_date"))["first"],
        ]
        return min((day for day in firsts if day), default=None)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def today(self) -> datetime.date:
        """The calendar day it is now where the child lives."""
        return timezone.now().astimezone(self.zone).date()

    def relapse_rule(self) -> analysis.RelapseRule:
        """The numbers of this child's possible-relapse rule: the family's own, or the defaults.

        Reads only (a child with no RelapseSettings row has the defaults), and without a query
        when the row was select_related (access.membership_for does so), even a missing one.
        """
        try:
            own = self.relapse_settings
        except RelapseSettings.DoesNotExist:
            return analysis.DEFAULT_RULE
        return own.as_rule()


class Membership(models.Model):
    """A caregiver's place on one child's care team, with a role."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.CAREGIVER)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["child", "user"], name="one_membership_per_child")
        ]
        ordering = ["joined_at", "pk"]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}) for {self.child}"

    @property
    def can_write(self) -> bool:
        return self.role in WRITER_ROLES

    @property
    def is_owner(self) -> bool:
        return self.role == Role.OWNER


def plain_number(value: Decimal | None) -> str:
    """A dose or a temperature as a person writes it: 7.5, not 7.500; 10, not 1E+1."""
    if value is None:
        return ""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet):
    def pending(self) -> "InvitationQuerySet":
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )


class Invitation(models.Model):
    """A one-time link to join a child's care team. Only the token's hash is stored."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.CAREGIVER)
    note = models.CharField(
        _("who it is for"), max_length=80, blank=True, help_text=_("For example: Grandma, or Dad.")
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Invitation to {self.child} as {self.get_role_display()}"

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"


# How long a share link may work, in days: the owner picks one.
SHARE_LINK_DAYS = (7, 30, 90)
SHARE_LINK_DEFAULT_DAYS = 30


class ShareLinkQuerySet(models.QuerySet):
    def valid(self) -> "ShareLinkQuerySet":
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ShareLink(models.Model):
    """A read-only link to a child's visit summary, for a clinician. Only the token's hash is kept.

    It shows the summary from `first` to `last`, or to the day it is opened when `last` is
    empty, and nothing else of the journal.
    """

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="share_links")
    note = models.CharField(
        _("who it is for"),
        max_length=80,
        blank=True,
        help_text=_("For example: Dr Rivera, neurology."),
    )
    first = models.DateField(pgettext_lazy("first day", "from"))
    last = models.DateField(pgettext_lazy("last day", "to"), null=True, blank=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    # The summary's language, chosen when the link is made (journal/languages.py); empty: the
    # language of the browser that opens it.
    language = models.CharField(max_length=12, blank=True)

    objects = ShareLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Visit summary of {self.child} shared"

    def clean(self) -> None:
        if self.last is not None and self.first is not None and self.last < self.first:
            raise ValidationError({"last": _("The last day can't come before the first.")})

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)

    @property
    def description(self) -> str:
        """Who the link is for, its days and when it was made: two links for the same
        clinician are told apart (times in the current time zone, the child's on its pages)."""
        values = {
            "who": self.note or _("a clinician"),
            "first": short_date(self.first),
            "last": short_date(self.last) if self.last else _("the day it is opened"),
        }
        if not self.created_at:
            return _("%(who)s (%(first)s to %(last)s)") % values
        made = timezone.localtime(self.created_at)
        values["made"] = short_date_time(made)
        return _("%(who)s (%(first)s to %(last)s, made %(made)s)") % values

    @property
    def status(self) -> str:
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "valid"


class ShareOpening(models.Model):
    """One opening of a share link: when, and whether the page or its PDF."""

    class Kind(models.TextChoices):
        PAGE = "page", _("Summary page")
        PDF = "pdf", "PDF"

    link = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="openings")
    kind = models.CharField(max_length=4, choices=Kind.choices)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} opened {self.at:%Y-%m-%d %H:%M}"


# How long a personal access token may work, in days: the caregiver picks one.
TOKEN_DAYS = (30, 90, 365)
TOKEN_DEFAULT_DAYS = 90
TOKEN_PREFIX = "omsj_"  # noqa: S105 - marks our tokens in secret scanners, not a secret


class AccessTokenQuerySet(models.QuerySet):
    def valid(self) -> "AccessTokenQuerySet":
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class AccessToken(models.Model):
    """A caregiver's personal access token for the API. Only the token's hash is kept.

    It acts as its owner, never beyond: with its owner's role on each child's care team (a
    viewer's token reads only, whatever its scope), narrowed to reading when its scope says so,
    and to one child when it names one.
    """

    class Scope(models.TextChoices):
        READ = "read", _("Read only")
        WRITE = "write", _("Read and write")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_tokens"
    )
    name = models.CharField(
        max_length=80, help_text=_("What it is for, such as: the button by the bed.")
    )
    scope = models.CharField(_("scope"), max_length=5, choices=Scope.choices, default=Scope.READ)
    child = models.ForeignKey(
        Child,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("only for"),
        help_text=_("Leave empty for every journal you are on."),
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The token's first characters, to tell tokens apart on the account page.
    prefix = models.CharField(max_length=12, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = AccessTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_scope_display()})"

    @staticmethod
    def new_token() -> str:
        return TOKEN_PREFIX + secrets.token_urlsafe(32)

    @property
    def can_write(self) -> bool:
        return self.scope == self.Scope.WRITE

    @property
    def status(self) -> str:
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "valid"


class ChildScopedQuerySet(models.QuerySet):
    def for_child(self, child: Child):
        return self.filter(child=child)


class DailyEntryQuerySet(ChildScopedQuerySet):
    def between(self, first: datetime.date, last: datetime.date) -> "DailyEntryQuerySet":
        return self.filter(date__range=(first, last))


class TriggerEventQuerySet(ChildScopedQuerySet):
    def fevers_on(self, day: datetime.date) -> "TriggerEventQuerySet":
        """The fever events that cover the day: from their date to their end date, or on their
        date alone when they have no end date."""
        return self.filter(type="fever", start_date__lte=day).filter(
            Q(end_date__gte=day) | Q(end_date__isnull=True, start_date=day)
        )


RATING_CHECKS = {f"entry_{field}_at_most_3": field for field in CORE_FIELDS}


def rating_field(verbose_name) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        verbose_name,
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_RATING)],
    )


class Doses(models.TextChoices):
    YES = "yes", _("Yes, as planned")
    PARTLY = "partly", _("Partly")
    NO = "no", _("No")


# Said wherever a day with nothing in it is refused: the form, the service, the import.
NOTHING_LOGGED = _(
    "Nothing to save yet: rate at least one of Eyes, Jerks, Balance, Sleep or Rage, or fill in "
    "a detail or a note. An empty day is not a logged day."
)


def day_is_empty(values: Mapping[str, object], item_values: Iterable[int | None] = ()) -> bool:
    """Nothing rated, measured or written: such a day is not a logged day, and never stored
    (the relapse rule and the neurologist read a logged day as a day someone looked)."""
    given = [values.get(name) for name in DailyEntry.CONTENT_FIELDS] + list(item_values)
    return all(value is None or value == "" for value in given)


class DailyEntry(models.Model):
    """One child's day, rated in the evening for "most of today". Every rating is optional."""

    # The figures beside the ratings, and the written parts: what the form asks after the
    # ratings, what the change history records.
    DETAIL_FIELDS = (
        "sleep_hours",
        "night_wakings",
        "rage_episodes",
        "rage_longest_minutes",
        "max_temperature_c",
    )
    OTHER_FIELDS = ("doses", "notes", "question")

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="entries")
    date = models.DateField(_("date"))
    opsoclonus = rating_field(_("eyes"))
    myoclonus = rating_field(_("jerks"))
    ataxia = rating_field(_("balance"))
    sleep = rating_field(_("sleep"))
    rage = rating_field(_("rage"))
    sleep_hours = models.DecimalField(
        _("hours slept"),
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(24)), quarter_hours],
    )
    night_wakings = models.PositiveSmallIntegerField(
        _("night wakings"), null=True, blank=True, validators=[MaxValueValidator(20)]
    )
    rage_episodes = models.PositiveSmallIntegerField(
        _("rage episodes"), null=True, blank=True, validators=[MaxValueValidator(50)]
    )
    rage_longest_minutes = models.PositiveSmallIntegerField(
        _("longest rage episode (minutes)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(24 * 60)],
    )
    max_temperature_c = models.DecimalField(
        _("highest temperature (°C)"),
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("34.0")), MaxValueValidator(Decimal("43.0"))],
    )
    doses = models.CharField(
        _("doses given as planned"), max_length=6, choices=Doses.choices, blank=True
    )
    notes = written_text(4000, _("notes"))
    question = written_text(2000, _("question for the neurologist"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Raised by each save; a save that started from an older version is a conflict, not a
    # silent overwrite of what another caregiver saved meanwhile.
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = DailyEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-date"]
        verbose_name_plural = _("daily entries")
        constraints = [
            models.UniqueConstraint(fields=["child", "date"], name="one_entry_per_child_per_day"),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{field}__lte": MAX_RATING}) | Q(**{f"{field}__isnull": True}),
                    name=name,
                )
                for name, field in RATING_CHECKS.items()
            ],
        ]

    def __str__(self) -> str:
        return f"{self.child} on {self.date:%Y-%m-%d}"

    def get_constraints(self):
        """The constraints Django validates: not the ratings' CHECKs, which it would test by
        asking the database, once for each (five queries a save). The ratings' own validators
        already hold them to 0-3 (clean_fields), and the database holds the CHECKs anyway."""
        return [
            (model, [c for c in constraints if c.name not in RATING_CHECKS])
            for model, constraints in super().get_constraints()
        ]

    def clean(self) -> None:
        problem = (child := child_given(self)) and child.day_problem(self.date)
        if problem:
            raise ValidationError({"date": problem})

    @property
    def ratings(self) -> dict[str, int | None]:
        return {field: getattr(self, field) for field in CORE_FIELDS}

    CONTENT_FIELDS = (*CORE_FIELDS, *DETAIL_FIELDS, *OTHER_FIELDS)

    def is_empty(self, item_values: Iterable[int | None] = ()) -> bool:
        return day_is_empty(vars(self), item_values)

    @property
    def score(self) -> int | None:
        return analysis.daily_score(self.ratings)

    @property
    def band(self) -> str:
        return analysis.score_band(self.score)

    @property
    def has_fever(self) -> bool:
        """Whether the day's highest temperature is a fever (38.0 °C or more)."""
        return analysis.is_fever(self.max_temperature_c)


class TrackedItem(models.Model):
    """An extra 0-3 item one child's family tracks: hand function, speech, mood, or its own.

    Optional items and their anchors are our proposal, like the core five's. An item is retired
    rather than deleted, so that its past ratings stay in the journal.
    """

    # The suggested items, stored in English: a stored name and anchors equal to a preset's are
    # ours and shown translated (label, anchors); anything a family typed is shown as typed.
    PRESETS = {
        # Translators: a suggested extra item: the child's use of the hands.
        gettext_noop("Hands"): (
            # Translators: Hands rated 0: uses hands as usual for the child's age.
            gettext_noop("Usual for age"),
            # Translators: Hands rated 1: a little clumsy.
            gettext_noop("A bit clumsy"),
            # Translators: Hands rated 2: struggles to hold a spoon or a crayon.
            gettext_noop("Hard to hold a spoon or a crayon"),
            # Translators: Hands rated 3, the worst: cannot use the hands to play or eat.
            gettext_noop("Can't use hands to play or eat"),
        ),
        # Translators: a suggested extra item: the child's speech.
        gettext_noop("Speech"): (
            # Translators: Speech rated 0: talks as usual for the child's age.
            gettext_noop("Usual for age"),
            # Translators: Speech rated 1: says fewer words than usual, or words are slurred.
            gettext_noop("Fewer words or slurred"),
            # Translators: Speech rated 2: says only a few words.
            gettext_noop("A few words only"),
            # Translators: Speech rated 3, the worst: says no words at all.
            gettext_noop("No words"),
        ),
        # Translators: a suggested extra item: the child's mood.
        gettext_noop("Mood"): (
            # Translators: Mood rated 0: the child's usual self.
            gettext_noop("Usual self"),
            # Translators: Mood rated 1: grumpy or clingy at times.
            gettext_noop("Grumpy or clingy at times"),
            # Translators: Mood rated 2: upset for most of the day.
            gettext_noop("Upset most of the day"),
            # Translators: Mood rated 3, the worst: nothing comforts the child.
            gettext_noop("Can't be comforted"),
        ),
    }

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="tracked_items")
    name = models.CharField(
        _("name"), max_length=40, help_text=_("A short word, such as Hands or Drooling.")
    )
    anchor_0 = models.CharField(_("what 0 means"), max_length=80)
    anchor_1 = models.CharField(_("what 1 means"), max_length=80)
    anchor_2 = models.CharField(_("what 2 means"), max_length=80)
    anchor_3 = models.CharField(_("what 3 means"), max_length=80)
    active = models.BooleanField(_("tracked now"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ChildScopedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["child", "name"], name="one_item_name_per_child")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        taken = {item.english.lower() for item in CORE_ITEMS} | set(CORE_FIELDS)
        taken |= {item.label.lower() for item in CORE_ITEMS}
        if self.name and self.name.strip().lower() in taken:
            raise ValidationError({"name": _("This is already one of the five core items.")})

    @property
    def label(self) -> str:
        """The item's name as shown: a suggested item's in the active language, the family's
        own as they typed it."""
        return gettext(self.name) if self.name in self.PRESETS else self.name

    @property
    def anchors(self) -> tuple[str, str, str, str]:
        """What 0 to 3 mean as shown: each anchor a suggested item came with is translated, an
        anchor the family wrote or changed is shown as written."""
        ours = self.PRESETS.get(self.name, ("",) * 4)
        stored = (self.anchor_0, self.anchor_1, self.anchor_2, self.anchor_3)
        return tuple(
            gettext(anchor) if anchor == our else anchor
            for anchor, our in zip(stored, ours, strict=True)
        )


class ItemRating(models.Model):
    """A day's rating of one of the child's extra items."""

    entry = models.ForeignKey(DailyEntry, on_delete=models.CASCADE, related_name="item_ratings")
    item = models.ForeignKey(TrackedItem, on_delete=models.CASCADE, related_name="ratings")
    value = models.PositiveSmallIntegerField(_("value"), validators=[MaxValueValidator(MAX_RATING)])

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entry", "item"], name="one_rating_per_item_per_day"),
            models.CheckConstraint(
                condition=Q(value__lte=MAX_RATING), name="item_rating_at_most_3"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item}: {self.value}"


class TriggerEvent(models.Model):
    """Something known to precede relapses: fever, illness, a vaccination, anaesthesia..."""

    class Type(models.TextChoices):
        FEVER = "fever", _("Fever")
        ILLNESS = "illness", _("Illness")
        VACCINATION = "vaccination", _("Vaccination")
        ANAESTHESIA = "anaesthesia", _("Anaesthesia or sedation")
        IMMUNOTHERAPY_CHANGE = "immunotherapy_change", _("Immunotherapy change")
        STRESS = "stress", _("Major stress")
        OTHER = "other", _("Other")

    class Illness(models.TextChoices):
        RESPIRATORY = "respiratory", _("Respiratory (cold, cough, flu)")
        STOMACH = "stomach", _("Stomach (vomiting, diarrhoea)")
        OTHER = "other", _("Other")

    class Change(models.TextChoices):
        STOPPED = "stopped", _("Stopped")
        TAPER_STEP = "taper_step", _("Taper step (dose lowered)")
        MISSED_DOSE = "missed_dose", _("Missed dose")
        LATE_DOSE = "late_dose", _("Late dose")
        DELAYED_INFUSION = "delayed_infusion", _("Delayed infusion")

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(_("type"), max_length=24, choices=Type.choices)
    start_date = models.DateField(_("date"))
    start_time = models.TimeField(_("time"), null=True, blank=True)
    end_date = models.DateField(
        _("end date"), null=True, blank=True, help_text=_("Leave empty if it was a single day.")
    )
    # Fields of one type each; the form shows only the current type's.
    temperature_c = models.DecimalField(
        _("highest temperature (°C)"),
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("37.5")), MaxValueValidator(Decimal("43.0"))],
    )
    illness_kind = models.CharField(
        _("kind of illness"), max_length=12, choices=Illness.choices, blank=True
    )
    pathogen = models.CharField(
        _("pathogen, if tested"),
        max_length=80,
        blank=True,
        help_text=_("For example: influenza A."),
    )
    vaccine = models.CharField(_("vaccine"), max_length=80, blank=True)
    live_vaccine = models.BooleanField(_("live vaccine"), null=True, blank=True)
    procedure = models.CharField(
        _("procedure"), max_length=120, blank=True, help_text=_("For example: MRI.")
    )
    drug = models.CharField(_("drug"), max_length=80, blank=True)
    change = models.CharField(_("what changed"), max_length=20, choices=Change.choices, blank=True)
    notes = written_text(4000, _("notes"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Raised by each save, as the daily entry's is: an edit from an older version is refused.
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = TriggerEventQuerySet.as_manager()

    # The fields each type asks for, beyond dates and notes; `required` must be filled in.
    TYPE_FIELDS = {
        Type.FEVER: ("temperature_c",),
        Type.ILLNESS: ("illness_kind", "pathogen"),
        Type.VACCINATION: ("vaccine", "live_vaccine"),
        Type.ANAESTHESIA: ("procedure",),
        Type.IMMUNOTHERAPY_CHANGE: ("change", "drug"),
        Type.STRESS: (),
        Type.OTHER: (),
    }
    REQUIRED_FIELDS = {
        Type.FEVER: ("temperature_c",),
        Type.ILLNESS: ("illness_kind",),
        Type.VACCINATION: ("vaccine",),
        Type.ANAESTHESIA: ("procedure",),
        Type.IMMUNOTHERAPY_CHANGE: ("change", "drug"),
    }
    TYPED_FIELDS = (
        "temperature_c",
        "illness_kind",
        "pathogen",
        "vaccine",
        "live_vaccine",
        "procedure",
        "drug",
        "change",
    )
    # What a caregiver fills in: the form asks for these, the change history records them.
    CAREGIVER_FIELDS = ("type", "start_date", "start_time", "end_date", *TYPED_FIELDS, "notes")

    class Meta:
        ordering = ["-start_date", "-start_time", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="event_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return gettext("%(kind)s on %(date)s") % {
            "kind": self.get_type_display(),
            "date": f"{self.start_date:%Y-%m-%d}",
        }

    def clean(self) -> None:
        errors = {}
        problem = (child := child_given(self)) and child.day_problem(self.start_date)
        if problem:
            errors["start_date"] = problem
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end date can't be before the start.")
        elif child and (problem := child.day_problem(self.end_date)):
            errors["end_date"] = problem
        for field in self.REQUIRED_FIELDS.get(self.type, ()):
            if getattr(self, field) in (None, ""):
                errors[field] = _("Please fill this in for this kind of event.")
        if errors:
            raise ValidationError(errors)
        self.clear_other_types_fields()

    def clear_other_types_fields(self) -> None:
        """Forget what was typed for another type before the caregiver switched type."""
        kept = self.TYPE_FIELDS.get(self.type, ())
        for field in self.TYPED_FIELDS:
            if field not in kept:
                setattr(self, field, None if field in ("temperature_c", "live_vaccine") else "")

    @property
    def detail(self) -> str:
        """One line saying what this event was, in the page's language, for lists, charts and
        the summary: "38,5 °C" in French."""
        return self._detail(localized=True)

    @property
    def file_detail(self) -> str:
        """The same line as the exchange format writes and reads it: English in every language
        ("Respiratory, influenza A"), a file being the same whoever downloads it."""
        with translation.override("en"):
            return self._detail(localized=False)

    def _detail(self, localized: bool) -> str:
        parts: list[str] = []
        if self.type == self.Type.FEVER and self.temperature_c is not None:
            degrees = plain_number(self.temperature_c)
            degrees = formats.number_format(Decimal(degrees)) if localized else degrees
            parts.append(f"{degrees} °C")
        if self.illness_kind:
            parts.append(self.get_illness_kind_display().split(" (")[0])
        if self.pathogen:
            parts.append(self.pathogen)
        if self.vaccine:
            parts.append(self._vaccine_words())
        if self.procedure:
            parts.append(self.procedure)
        if self.change:
            parts.append(self.get_change_display().split(" (")[0])
        if self.drug:
            parts.append(self.drug)
        return ", ".join(parts)

    def _vaccine_words(self) -> str:
        """The vaccine the family named, and whether it was live."""
        if self.live_vaccine is None:
            return self.vaccine
        if self.live_vaccine:
            return gettext("%(vaccine)s (live)") % {"vaccine": self.vaccine}
        return gettext("%(vaccine)s (not live)") % {"vaccine": self.vaccine}


class Drug(models.TextChoices):
    ACTH = "acth", "ACTH"
    DEXAMETHASONE = "dexamethasone", _("Dexamethasone")
    PREDNISOLONE = "prednisolone", _("Prednisolone")
    METHYLPREDNISOLONE = "methylprednisolone", _("Methylprednisolone")
    IVIG = "ivig", "IVIG"
    RITUXIMAB = "rituximab", _("Rituximab")
    CYCLOPHOSPHAMIDE = "cyclophosphamide", _("Cyclophosphamide")
    MYCOPHENOLATE = "mycophenolate", _("Mycophenolate")
    TRAZODONE = "trazodone", _("Trazodone")
    OTHER = "other", _("Other")


class TreatmentQuerySet(ChildScopedQuerySet):
    def ongoing_on(self, day: datetime.date) -> "TreatmentQuerySet":
        return self.filter(Q(end_date__isnull=True) | Q(end_date__gte=day), start_date__lte=day)


class TreatmentCourse(models.Model):
    """A course of one drug, with its dose changes (a taper is a list of steps)."""

    class Purpose(models.TextChoices):
        IMMUNOTHERAPY = "immunotherapy", _("Immunotherapy")
        SYMPTOM_CONTROL = "symptom_control", _("Symptom control")

    class Regimen(models.TextChoices):
        DAILY = "daily", _("Daily")
        PULSE = "pulse", _("Pulse")
        INFUSION_CYCLE = "infusion_cycle", _("Infusion cycle")
        TAPER = "taper", _("Taper")

    class Unit(models.TextChoices):
        MG = "mg", "mg"
        MG_KG = "mg/kg", "mg/kg"
        MG_M2 = "mg/m2", _("mg/m²")
        IU_M2 = "IU/m2", _("IU/m²")
        G_KG = "g/kg", "g/kg"

    class Route(models.TextChoices):
        ORAL = "oral", _("By mouth")
        IV = "iv", _("Intravenous (IV)")
        IM = "im", _("Intramuscular (IM)")
        SC = "sc", _("Under the skin (SC)")

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="treatments")
    drug = models.CharField(_("drug"), max_length=24, choices=Drug.choices)
    drug_other = models.CharField(
        _("other drug"),
        max_length=80,
        blank=True,
        help_text=_("The drug's name, if not in the list."),
    )
    purpose = models.CharField(
        _("purpose"), max_length=16, choices=Purpose.choices, default=Purpose.IMMUNOTHERAPY
    )
    regimen = models.CharField(
        _("regimen"), max_length=16, choices=Regimen.choices, default=Regimen.DAILY
    )
    dose = models.DecimalField(
        _("starting dose"),
        max_digits=8,
        decimal_places=3,
        validators=[MinValueValidator(Decimal(0))],
    )
    unit = models.CharField(_("unit"), max_length=6, choices=Unit.choices, default=Unit.MG)
    route = models.CharField(_("route"), max_length=4, choices=Route.choices, default=Route.ORAL)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(
        _("end date"), null=True, blank=True, help_text=_("Leave empty while the course goes on.")
    )
    notes = written_text(4000, _("notes"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Raised by each save, as the daily entry's is: an edit from an older version is refused.
    version = models.PositiveIntegerField(default=1, editable=False)

    # What a caregiver fills in: the form asks for these, the change history records them.
    CAREGIVER_FIELDS = (
        "drug",
        "drug_other",
        "purpose",
        "regimen",
        "dose",
        "unit",
        "route",
        "start_date",
        "end_date",
        "notes",
    )

    objects = TreatmentQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="course_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return gettext("%(drug)s from %(date)s") % {
            "drug": self.drug_name,
            "date": f"{self.start_date:%Y-%m-%d}",
        }

    @property
    def drug_name(self) -> str:
        return self.drug_other if self.drug == Drug.OTHER else self.get_drug_display()

    @property
    def is_ongoing(self) -> bool:
        return self.end_date is None

    def clean(self) -> None:
        errors = {}
        if self.drug == Drug.OTHER and not self.drug_other.strip():
            errors["drug_other"] = _("Please name the drug.")
        problem = self.child_id and self.child.day_problem(self.start_date)
        if problem:
            errors["start_date"] = problem
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end date can't be before the start.")
        elif problem := self.child_id and self.child.plan_problem(self.end_date):
            errors["end_date"] = problem
        if errors:
            raise ValidationError(errors)


class DoseChange(models.Model):
    """A dated new dose within a course; a taper is a list of these, each lower than the last."""

    course = models.ForeignKey(TreatmentCourse, on_delete=models.CASCADE, related_name="changes")
    date = models.DateField(_("date"))
    dose = models.DecimalField(
        _("new dose"), max_digits=8, decimal_places=3, validators=[MinValueValidator(Decimal(0))]
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["date", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["course", "date"], name="one_dose_change_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.dose} {self.course.unit} from {self.date:%Y-%m-%d}"

    def clean(self) -> None:
        # In the course's form the row has no course yet: the formset checks the same there.
        problem = self.course_id and self.course.child.plan_problem(self.date)
        if problem:
            raise ValidationError({"date": problem})


# The range of each number of the possible-relapse rule: (lowest, highest). min_logged_days is
# also at most baseline_days (RelapseSettings.clean).
RULE_RANGES: dict[str, tuple[int, int]] = {
    "baseline_days": (7, 60),
    "recent_days_left_out": (0, 28),
    "min_logged_days": (3, 60),
    "baseline_reach_days": (7, 120),
    "score_rise": (1, 15),
    "score_motor_part": (0, 9),
    "item_rise": (1, 3),
    "sleep_rage_rise": (0, 3),
    "motor_rise": (0, 9),
    "raised_run": (2, 14),
    "raised_run_after_trigger": (0, 13),
    "motor_peak_after_trigger": (1, 9),
    "score_peak_after_trigger": (1, 15),
    "run_slack": (0, 7),
    "days_dated_back": (0, 14),
    "dated_back_margin": (0, 15),
    "calm_margin": (0, 15),
    "calm_run": (1, 14),
    "max_gap_days": (0, 14),
    "trigger_window_days": (1, 90),
    "illness_window_days": (0, 14),
}


def range_message(name: str) -> str:
    low, high = RULE_RANGES[name]
    return format_lazy(_("Choose a whole number from {low} to {high}."), low=low, high=high)


def rule_number(name: str, verbose_name, help_text) -> models.PositiveSmallIntegerField:
    """The number `name` of the possible-relapse rule, with the analysis default and its range."""
    low, high = RULE_RANGES[name]
    message = range_message(name)
    return models.PositiveSmallIntegerField(
        verbose_name,
        default=getattr(analysis.DEFAULT_RULE, name),
        validators=[MinValueValidator(low, message), MaxValueValidator(high, message)],
        help_text=help_text,
    )


def _in_range(name: str, value: int | None) -> bool:
    """Whether a number another is checked against is itself in range: else its own message
    says enough."""
    low, high = RULE_RANGES[name]
    return value is not None and low <= value <= high


class RelapseSettings(models.Model):
    """One child's numbers for the possible-relapse rule (analysis.RelapseRule), where the family
    changed them, best with the neurologist; a child without a row has the defaults.

    The rule is our proposal, a prompt to talk to the doctor, never a diagnosis.
    """

    child = models.OneToOneField(
        Child, on_delete=models.CASCADE, primary_key=True, related_name="relapse_settings"
    )
    baseline_days = rule_number(
        "baseline_days",
        _("days looked back for the usual level"),
        help_text=_(
            "The usual level is the middle daily score of the days logged in this many "
            "days, which end where the most recent days left out begin."
        ),
    )
    recent_days_left_out = rule_number(
        "recent_days_left_out",
        _("most recent days left out of the usual level"),
        help_text=_(
            "The days just before the day judged are left out of its usual level, so that "
            "a rise over several days does not lift its own bar."
        ),
    )
    min_logged_days = rule_number(
        "min_logged_days",
        _("logged days needed for a usual level"),
        help_text=_(
            "If fewer days than this were logged in that time, there is not enough data "
            "yet and nothing is flagged."
        ),
    )
    baseline_reach_days = rule_number(
        "baseline_reach_days",
        _("days the usual level may reach back after days away"),
        help_text=_(
            "When too few days were logged for a usual level (a week or two away), it rests on "
            "the last days logged within this many days. No more than the days looked back: it "
            "never reaches further."
        ),
    )
    score_rise = rule_number(
        "score_rise",
        _("rise in the daily score that makes a day raised"),
        help_text=_(
            "A day is raised when its daily score (0 to 15) is this much or more above "
            "the usual level."
        ),
    )
    score_motor_part = rule_number(
        "score_motor_part",
        _("part of that rise in Eyes, Jerks and Balance"),
        help_text=_(
            "The rise in the daily score raises a day only when at least this much of it is in "
            "Eyes, Jerks and Balance added up, not all in Sleep and Rage. 0 leaves this out."
        ),
    )
    item_rise = rule_number(
        "item_rise",
        _("rise in one of Eyes, Jerks and Balance that makes a day raised"),
        help_text=_(
            "A day is also raised when Eyes, Jerks or Balance is this much or more above its "
            "own usual level."
        ),
    )
    sleep_rage_rise = rule_number(
        "sleep_rage_rise",
        _("rise in Sleep or Rage alone that makes a day raised"),
        help_text=_(
            "A day is also raised when Sleep or Rage is this much or more above its own usual "
            "level. 0 leaves this out: a bad night, a fever or one caregiver's habit moves them "
            "as much as a relapse does."
        ),
    )
    motor_rise = rule_number(
        "motor_rise",
        _("rise in Eyes, Jerks and Balance added up that makes a day raised"),
        help_text=_(
            "A day is also raised when Eyes, Jerks and Balance added up are this much or more "
            "above their usual total. 0 leaves this out."
        ),
    )
    raised_run = rule_number(
        "raised_run",
        _("raised days in a row that flag a possible relapse"),
        help_text=_(
            "A possible relapse is flagged once this many logged days in a row are "
            "raised, and dated from the first of them."
        ),
    )
    raised_run_after_trigger = rule_number(
        "raised_run_after_trigger",
        _("raised days in a row that flag a possible relapse after a trigger"),
        help_text=_(
            "After a possible trigger, fewer raised days in a row flag a possible relapse when "
            "Eyes, Jerks and Balance added up are up on each of them. 0 leaves this out."
        ),
    )
    motor_peak_after_trigger = rule_number(
        "motor_peak_after_trigger",
        _("rise in Eyes, Jerks and Balance added up on one of those days"),
        help_text=_(
            "Those fewer days flag a possible relapse only when one of them stands out: Eyes, "
            "Jerks and Balance added up this much or more above their usual total, or the daily "
            "score as much as the next number."
        ),
    )
    score_peak_after_trigger = rule_number(
        "score_peak_after_trigger",
        _("rise in the daily score on one of those days"),
        help_text=_(
            "Or a day of them stands out by its daily score: this much or more above the usual "
            "level."
        ),
    )
    run_slack = rule_number(
        "run_slack",
        _("days in the run that may fall short"),
        help_text=_(
            "Among the logged days in a row that flag a possible relapse, this many may "
            "be less than raised (one caregiver rates lower, a sign was not rated)."
        ),
    )
    days_dated_back = rule_number(
        "days_dated_back",
        _("days a possible relapse may be dated back"),
        help_text=_(
            "A rise that creeps up is dated from where it began: from the first of the "
            "logged days in a row just before the raised days, up to this many, that were already "
            "above calm."
        ),
    )
    dated_back_margin = rule_number(
        "dated_back_margin",
        _("rise of the days a possible relapse is dated back over"),
        help_text=_(
            "The days a possible relapse is dated back over stood more than this much above the "
            "usual level."
        ),
    )
    calm_margin = rule_number(
        "calm_margin",
        _("most a calm day may be above the usual level"),
        help_text=_(
            "A day is calm when its score is at most this much above the usual level "
            "from before the possible relapse."
        ),
    )
    calm_run = rule_number(
        "calm_run",
        _("calm days in a row that end a possible relapse"),
        help_text=_("A possible relapse ends before this many calm days in a row."),
    )
    max_gap_days = rule_number(
        "max_gap_days",
        _("most days not logged within a run"),
        help_text=_(
            "Days not logged are left out; more than this many in a row break a run of "
            "raised or calm days."
        ),
    )
    trigger_window_days = rule_number(
        "trigger_window_days",
        _("days before a possible relapse searched for triggers"),
        help_text=_(
            "Triggers and lowered doses in this many days before a possible relapse are "
            "listed as possible triggers."
        ),
    )
    illness_window_days = rule_number(
        "illness_window_days",
        _("days after a fever or an illness that still count"),
        help_text=_(
            "A possible relapse that begins during a fever or an illness, or within this "
            "many days of one, is marked illness-associated."
        ),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("possible-relapse rule")
        verbose_name_plural = _("possible-relapse rules")

    def __str__(self) -> str:
        return f"Possible-relapse rule of {self.child}"

    def clean(self) -> None:
        problems = {**self._logged_days_problem(), **self._run_after_trigger_problem()}
        if problems:
            raise ValidationError(problems)

    def _logged_days_problem(self) -> dict[str, str]:
        baseline, needed = self.baseline_days, self.min_logged_days
        if not _in_range("baseline_days", baseline) or needed is None or needed <= baseline:
            return {}
        return {
            "min_logged_days": _(
                "This can't be more than the %(days)s days looked back for the usual level."
            )
            % {"days": baseline}
        }

    def _run_after_trigger_problem(self) -> dict[str, str]:
        run, sooner = self.raised_run, self.raised_run_after_trigger
        both_in_range = _in_range("raised_run", run) and _in_range(
            "raised_run_after_trigger", sooner
        )
        if not both_in_range or not sooner or sooner < run:
            return {}
        return {
            "raised_run_after_trigger": _(
                "This must be fewer than the %(days)s raised days in a row that flag a possible "
                "relapse, or 0."
            )
            % {"days": run}
        }

    def as_rule(self) -> analysis.RelapseRule:
        return analysis.RelapseRule(**{name: getattr(self, name) for name in analysis.RULE_FIELDS})


class ChangeQuerySet(models.QuerySet):
    def for_child(self, child: Child) -> "ChangeQuerySet":
        return self.filter(child=child)


class Change(models.Model):
    """One change to an entry, event, treatment or the possible-relapse rule: who, when, and the
    record before and after.

    Kept apart from the objects it describes, so that it outlives their deletion; it goes with
    the child.
    """

    class Kind(models.TextChoices):
        ENTRY = "entry", _("Daily entry")
        EVENT = "event", _("Trigger")
        TREATMENT = "treatment", _("Treatment")
        SETTINGS = "settings", _("Relapse rule")
        SHARE_LINK = "share_link", _("Share link")

    class Action(models.TextChoices):
        CREATED = "created", _("Added")
        CHANGED = "changed", _("Changed")
        DELETED = "deleted", _("Deleted")

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField()
    label = models.CharField(max_length=200)
    action = models.CharField(max_length=8, choices=Action.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    objects = ChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["child", "-at"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.label}"

    @property
    def record(self) -> dict:
        """The object as added, or as it was when deleted."""
        return self.after or self.before or {}

    @property
    def fields_changed(self) -> list[tuple[str, object, object]]:
        """Each field whose value differs, with its value before and after."""
        before, after = self.before or {}, self.after or {}
        names = [*before, *(name for name in after if name not in before)]
        return [
            (name, before.get(name), after.get(name))
            for name in names
            if before.get(name) != after.get(name)
        ]


class ImportChoices(models.Model):
    """How a family's own files are read, remembered for the next file of the child: each
    column's meaning by its file and header, the order of numeric dates, and what their rating
    words mean (exchange.reading.Choices)."""

    child = models.OneToOneField(Child, on_delete=models.CASCADE, related_name="import_choices")
    columns = models.JSONField(default=dict, blank=True)
    date_order = models.CharField(max_length=12, blank=True)
    rating_words = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"How {self.child}'s files are read"


class DeliveredSave(models.Model):
    """A save the phone sent with a key of its own (the Idempotency-Key header): a day kept on
    the phone with no signal may be sent twice (the answer lost on the way back, two tabs), and
    the second sending is answered as saved, never stored again or taken for a conflict."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # What the save stored, when its door answers a sending again with it (the API's POSTs):
    # the model's label ("journal.triggerevent") and the record's id.
    kind = models.CharField(max_length=40, blank=True, default="")
    object_id = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="one_delivery_per_user_and_key")
        ]

    def __str__(self) -> str:
        return f"{self.key} by {self.user_id}"


# The reminders' models live in their own package (journal/reminders/), in this app, and so does
# an account's language (journal/profiles.py).
from journal.profiles import Profile  # noqa: E402, F401
from journal.reminders.models import PushSubscription, Reminder, ReminderSent  # noqa: E402, F401
