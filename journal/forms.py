"""Forms: they turn what a caregiver typed into model instances, with messages beside fields."""

import datetime
from decimal import ROUND_CEILING, Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.core.exceptions import NON_FIELD_ERRORS
from django.forms import inlineformset_factory
from django.utils.formats import get_format
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from journal import analysis, queries, time_zones
from journal.dates import long_date, short_date
from journal.languages import (
    LINK_LANGUAGE_LABEL,
    LINK_READERS_LANGUAGE,
    PAGES_LANGUAGE,
    SUMMARY_LANGUAGE_LABEL,
    LanguageField,
)
from journal.models import (
    EARLIEST_BIRTH,
    NOTHING_LOGGED,
    RULE_RANGES,
    SHARE_LINK_DAYS,
    SHARE_LINK_DEFAULT_DAYS,
    Child,
    DailyEntry,
    DoseChange,
    Invitation,
    Membership,
    RelapseSettings,
    Role,
    ShareLink,
    TrackedItem,
    TreatmentCourse,
    TriggerEvent,
    day_is_empty,
    plain_number,
    range_message,
)
from journal.scales import CORE_ITEMS, MAX_RATING
from journal.trends import (
    CUSTOM,
    DEFAULT_RANGE,
    MAX_PERIOD_DAYS,
    MAX_PERIOD_WORDS,
    PRESETS,
    History,
    Period,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"


def number_widget(*, decimal: bool = False) -> forms.TextInput:
    """A text box that brings up the phone's number keyboard.

    Not <input type="number">: a browser sends what it can't read as a number (text, or "9,5"
    in some locales) as an empty value, so the form would save "not entered" without a word.
    As text, what was typed reaches the form, which says what is wrong beside the field.
    """
    attrs = {"inputmode": "decimal" if decimal else "numeric", "autocomplete": "off"}
    return NumberTextInput(attrs=attrs)


class NumberTextInput(forms.TextInput):
    """Shows a saved number as a person writes it: 10.5 hours and 2 mg/kg, not 10.50 and 2.000."""

    def format_value(self, value):
        if isinstance(value, Decimal):
            # A localized field (localize=True) shows the decimal mark of the language, "38,5"
            # in French, as it reads it back.
            text = plain_number(value)
            return text.replace(".", get_format("DECIMAL_SEPARATOR")) if self.is_localized else text
        return super().format_value(value)


class SignUpForm(UserCreationForm):
    email = forms.EmailField(
        label=_("Email"),
        help_text=_("Used only to reset your password."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account already uses this email: log in instead."))
        return email


class DisplayNameForm(forms.ModelForm):
    """The name the care team sees, kept in Django's own first-name column: every page that
    shows a person already loads their account, so the name costs no further query."""

    class Meta:
        model = get_user_model()
        fields = ("first_name",)
        labels = {"first_name": _("Your name, as your care team sees it")}
        help_texts = {
            "first_name": _(
                "Shown beside what you log and on the team page. Leave it empty to be "
                "shown by your username."
            )
        }
        widgets = {"first_name": forms.TextInput(attrs={"autocomplete": "name"})}

    def clean_first_name(self) -> str:
        return " ".join(self.cleaned_data["first_name"].split())


class TimeZoneField(forms.ChoiceField):
    """A country and a city; any zone of the tz database is taken (a phone may name one by an
    old name, Asia/Calcutta for Asia/Kolkata, and the page adds it to the list)."""

    def valid_value(self, value) -> bool:
        return value in time_zones.valid_zones()


# Where a new child's days are counted until the phone says better (static/js/app.js).
DEFAULT_TIME_ZONE = "Europe/London"


class ChildForm(forms.ModelForm):
    time_zone = TimeZoneField(
        label=_("Where the child lives"),
        choices=time_zones.choices,
        initial=DEFAULT_TIME_ZONE,
        help_text=_(
            "Country and city, for the time zone: days are counted there, so an evening "
            "entry lands on the right day."
        ),
        widget=forms.Select(attrs={"data-guess-zone": ""}),
    )

    class Meta:
        model = Child
        fields = (
            "name",
            "birth_date",
            "diagnosis_date",
            "tumour_found",
            "time_zone",
            "last_visit_date",
        )
        widgets = {
            "birth_date": DateInput({"min": EARLIEST_BIRTH.isoformat()}),
            "diagnosis_date": DateInput(),
            "last_visit_date": DateInput(),
            "tumour_found": forms.RadioSelect(),
        }
        help_texts = {"name": _("A first name or a nickname is enough.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        zone = self.data.get("time_zone") if self.is_bound else self.instance.time_zone
        self.fields["time_zone"].choices = time_zones.choices_with(zone)
        if self.instance.pk or self.is_bound:
            # The phone's guess is for a new child only: never over a zone already chosen.
            del self.fields["time_zone"].widget.attrs["data-guess-zone"]


class RatingField(forms.TypedChoiceField):
    """A 0-3 rating as a row of tap targets; empty means not observed, which is not 0."""

    widget = forms.RadioSelect

    def __init__(self, *, item, **kwargs):
        choices = [("", _("Not observed"))] + [(str(v), str(v)) for v in range(MAX_RATING + 1)]
        super().__init__(
            choices=choices,
            coerce=int,
            empty_value=None,
            required=False,
            label=item.label,
            error_messages={
                "invalid_choice": _("Choose 0, 1, 2 or 3, or leave it as not observed."),
            },
            **kwargs,
        )
        self.item = item


class VersionedForm(forms.ModelForm):
    """A form for a record that two caregivers may change at once: the day, an event, a course.

    It carries the version of the record it was opened on (0: a new one), so that a save can
    tell whether someone else saved in between. Missing or garbled counts as 0: the save is then
    refused as a conflict, with both versions shown, rather than forced. The field is hidden,
    so it never has an error of its own for the caregiver to find.
    """

    version = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("version", self.instance.version if self.instance.pk else 0)
        # Not even CharField's own check for NUL characters: garbled reads as 0 (clean_version).
        self.fields["version"].validators = []

    def clean_version(self) -> int:
        version = self.cleaned_data.get("version", "")
        return int(version) if version.isdigit() and len(version) < 10 else 0

    @property
    def started_from_version(self) -> int:
        return self.cleaned_data.get("version") or 0


class EntryForm(VersionedForm):
    """The daily entry. The child is set by the view, never taken from the form."""

    class Meta:
        model = DailyEntry
        fields = (
            "date",
            *[item.field for item in CORE_ITEMS],
            *DailyEntry.DETAIL_FIELDS,
            *DailyEntry.OTHER_FIELDS,
        )
        widgets = {
            "date": DateInput(),
            "sleep_hours": number_widget(decimal=True),
            "night_wakings": number_widget(),
            "rage_episodes": number_widget(),
            "rage_longest_minutes": number_widget(),
            "max_temperature_c": number_widget(decimal=True),
            "doses": forms.RadioSelect(),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "question": forms.Textarea(attrs={"rows": 2}),
        }
        localized_fields = ("sleep_hours", "max_temperature_c")
        # Short labels, so that the boxes of the two-column details line up on a phone.
        labels = {
            "date": _("Day"),
            "rage_longest_minutes": _("Longest rage (min)"),
            "max_temperature_c": _("Temperature (°C)"),
        }
        help_texts = {
            "sleep_hours": _("In quarter hours, such as 10.5."),
            "rage_longest_minutes": _("The longest episode."),
            "max_temperature_c": _("The highest, if you took it."),
            "question": _("Collected for your next visit."),
        }

    def __init__(self, *args, items=(), stored: queries.StoredDay | None = None, **kwargs):
        """`items`: the child's extra tracked items, rated like the core five; `stored`: the day
        as read (day_form), with its ratings, which the save takes as its "before"."""
        super().__init__(*args, **kwargs)
        for item in CORE_ITEMS:
            self.fields[item.field] = RatingField(item=item)
        self.items = list(items)
        self.stored = stored or queries.StoredDay.read(self.instance, self.items)
        for item in self.items:
            name = self.item_field_name(item)
            self.fields[name] = RatingField(item=item)
            self.initial.setdefault(name, self.stored.ratings.get(item))
        self.fields["doses"].choices = [("", _("Not noted")), *self.fields["doses"].choices[1:]]
        for name in ("night_wakings", "rage_episodes", "rage_longest_minutes"):
            self.fields[name].error_messages["invalid"] = _("Enter a whole number, such as 2.")
        self.fields["sleep_hours"].error_messages["invalid"] = _(
            "Enter hours as a number, such as 10.5."
        )
        self.fields["max_temperature_c"].error_messages["invalid"] = _(
            "Enter a temperature as a number, such as 38.5."
        )

    @staticmethod
    def item_field_name(item) -> str:
        return f"item_{item.pk}"

    @property
    def item_values(self) -> dict:
        """The extra items' ratings as cleaned, each item with its value or None."""
        return {item: self.cleaned_data.get(self.item_field_name(item)) for item in self.items}

    @property
    def rating_rows(self) -> list[dict]:
        """Each item with its tap targets, every one paired with the anchor it stands for."""
        rows = []
        named = [(item, item.field) for item in CORE_ITEMS]
        named += [(item, self.item_field_name(item)) for item in self.items]
        for item, name in named:
            field = self[name]
            options = [
                (radio, item.anchors[int(radio.data["value"])] if radio.data["value"] else None)
                for radio in field
            ]
            rows.append({"field": field, "item": item, "options": options})
        return rows

    @property
    def detail_fields(self):
        return [self[name] for name in DailyEntry.DETAIL_FIELDS]

    def clean(self):
        cleaned = super().clean()
        if not self.errors and day_is_empty(cleaned, self.item_values.values()):
            raise forms.ValidationError(NOTHING_LOGGED, code="empty")
        return cleaned

    def clean_date(self):
        """Moving an entry onto a day that has one is refused here. The day being edited is
        left to the save, which tells a conflict (someone saved it meanwhile) from a duplicate.
        """
        day = self.cleaned_data["date"]
        if day == self.instance.date:
            return day
        taken = (
            DailyEntry.objects.for_child(self.instance.child)
            .filter(date=day)
            .exclude(pk=self.instance.pk)
            .exists()
        )
        if taken:
            raise forms.ValidationError(
                _("There is already an entry for this day: open that day to change it.")
            )
        return day


def day_form(child, day: datetime.date, data=None) -> tuple[DailyEntry, list, EntryForm]:
    """The day's entry (or a new one), the extra items it rates, and its form: what the day's
    page and the API's day both bind. `data` may be a function of the items, for a caller
    that names the items' fields from them."""
    entry = queries.day_entry(child, day) or DailyEntry(child=child, date=day)
    items = queries.entry_items(child, entry)
    if callable(data):
        data = data(items)
    stored = queries.StoredDay.read(entry, items)
    return entry, items, EntryForm(data, instance=entry, items=items, stored=stored)


class TrackedItemForm(forms.ModelForm):
    preset = forms.ChoiceField(
        label=_("Start from"),
        required=False,
        choices=[("", _("My own item")), *[(name, _(name)) for name in TrackedItem.PRESETS]],
        help_text=_("A suggested item fills in its anchors; you can change them."),
    )

    class Meta:
        model = TrackedItem
        fields = ("name", "anchor_0", "anchor_1", "anchor_2", "anchor_3", "active")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["preset"]
        else:
            del self.fields["active"]
            self.order_fields(["preset"])
        for name in ("name", "anchor_0", "anchor_1", "anchor_2", "anchor_3"):
            self.fields[name].required = not self._preset_chosen()

    def _preset_chosen(self) -> bool:
        # Only a form that offers presets (a new item) reads one: posted to the edit form, a
        # preset would leave the fields optional, and blank ones would reach the database.
        if not self.is_bound or "preset" not in self.fields:
            return False
        return bool(self.data.get(self.add_prefix("preset")))

    def clean(self):
        cleaned = super().clean()
        preset = cleaned.get("preset")
        if preset:
            cleaned["name"] = cleaned.get("name") or preset
            for level, anchor in enumerate(TrackedItem.PRESETS[preset]):
                cleaned[f"anchor_{level}"] = cleaned.get(f"anchor_{level}") or anchor
        return cleaned

    def validate_unique(self) -> None:
        # The child is set by the view, so the form checks the name's uniqueness itself.
        super().validate_unique()
        name = self.cleaned_data.get("name")
        if (
            name
            and TrackedItem.objects.for_child(self.instance.child)
            .filter(name__iexact=name)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            self.add_error("name", _("This child already has an item with this name."))


class EventForm(VersionedForm):
    class Meta:
        model = TriggerEvent
        fields = TriggerEvent.CAREGIVER_FIELDS
        localized_fields = ("temperature_c",)
        widgets = {
            "type": forms.RadioSelect(),
            "start_date": DateInput(),
            "start_time": TimeInput(),
            "end_date": DateInput(),
            "temperature_c": number_widget(decimal=True),
            "illness_kind": forms.RadioSelect(),
            "live_vaccine": forms.NullBooleanSelect(),
            "change": forms.RadioSelect(),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = TriggerEvent.Type.choices
        self.fields["live_vaccine"].widget.choices = [
            ("unknown", _("Don't know")),
            ("true", _("Yes")),
            ("false", _("No")),
        ]
        for name in ("illness_kind", "change"):
            self.fields[name].choices = self.fields[name].choices[1:]

    def _post_clean(self) -> None:
        if not self.has_error("type"):
            super()._post_clean()
            return
        # No valid type was chosen, so no type's own fields can be asked for. Without this, an
        # edited event would be checked against its old type: "please fill this in" beside the
        # temperature of a fever the caregiver is changing into something else.
        kept = self.instance.type
        self.instance.type = ""
        try:
            super()._post_clean()
        finally:
            self.instance.type = kept

    def typed_fields(self, event_type: str):
        return [self[name] for name in TriggerEvent.TYPE_FIELDS.get(event_type, ())]

    @property
    def type_sections(self):
        """The fields each type asks for, in the order of the type choices."""
        return [
            (value, label, self.typed_fields(value))
            for value, label in TriggerEvent.Type.choices
            if TriggerEvent.TYPE_FIELDS.get(value)
        ]


class TreatmentForm(VersionedForm):
    class Meta:
        model = TreatmentCourse
        fields = TreatmentCourse.CAREGIVER_FIELDS
        localized_fields = ("dose",)
        widgets = {
            "drug": forms.RadioSelect(),
            "dose": number_widget(decimal=True),
            "start_date": DateInput(),
            "end_date": DateInput(),
            "purpose": forms.RadioSelect(),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Each drug a tap target, none chosen for a new course: no "---------" to start from.
        self.fields["drug"].choices = TreatmentCourse._meta.get_field("drug").choices
        self.fields["drug"].error_messages["required"] = _("Choose the drug, or Other.")


SAME_DAY = _("Two dose changes on the same day: keep one.")


class DoseChangeForm(forms.ModelForm):
    class Meta:
        model = DoseChange
        fields = ("date", "dose", "note")
        localized_fields = ("dose",)
        widgets = {"date": DateInput(), "dose": number_widget(decimal=True)}
        labels = {"dose": _("New dose")}

    def validate_unique(self) -> None:
        super().validate_unique()
        # The database keeps one dose change a day per course; say so beside the date, not in a
        # message about "Course and Date" that the page has no place for.
        if self.has_error(NON_FIELD_ERRORS, "unique_together"):
            del self._errors[NON_FIELD_ERRORS]
            self.add_error("date", SAME_DAY)


class BaseDoseChangeFormSet(forms.BaseInlineFormSet):
    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        form.fields["id"].error_messages["invalid_choice"] = _(
            "This step was removed meanwhile, perhaps by another caregiver: reload the page."
        )

    def clean(self) -> None:
        # These checks come first: Django's own duplicate check (super().clean()) stops at a
        # message above the rows, "Please correct the duplicate data for date.", and the rows
        # it finds at fault are left out of it once they carry the message beside their date.
        # Rows kept as they were are checked too: moving the course's dates can leave them out.
        course = self.instance
        seen = set()
        for form in self.forms:
            if self._should_delete_form(form) or form.errors:
                continue
            if form.instance.pk is None and not form.has_changed():
                continue  # an empty row
            day = form.cleaned_data.get("date")
            if day is None:
                continue
            if day in seen:
                form.add_error("date", SAME_DAY)
                continue
            seen.add(day)
            if problem := course.child_id and course.child.plan_problem(day):
                form.add_error("date", problem)
            elif course.start_date and day < course.start_date:
                form.add_error("date", _("This is before the course started."))
            elif (
                course.end_date
                and not (course.start_date and course.end_date < course.start_date)
                and day > course.end_date
            ):
                # (An end before the start has its own message beside the course's end date.)
                form.add_error("date", _("This is after the course ended."))
        super().clean()

    def kept_changes(self) -> list[DoseChange]:
        """The dose changes the form would leave: the saved ones not ticked for removal, and
        the new rows filled in."""
        kept = [*self.initial_forms, *(form for form in self.extra_forms if form.has_changed())]
        return [form.instance for form in kept if form not in self.deleted_forms]


DoseChangeFormSet = inlineformset_factory(
    TreatmentCourse,
    DoseChange,
    form=DoseChangeForm,
    formset=BaseDoseChangeFormSet,
    extra=2,
    can_delete=True,
    max_num=60,
    validate_max=True,
)


def two_years_after(day: datetime.date) -> datetime.date:
    """The last day a plan may reach (DOMAIN: planned steps up to two years ahead)."""
    try:
        return day.replace(year=day.year + 2)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 2, day=28)


class TaperForm(forms.Form):
    """A taper's steps from four numbers: from a dose, lower by an amount every so many days,
    down to a last dose. It writes nothing: its steps go into the rows of the course's form,
    to be checked and changed before the course is saved."""

    start = forms.DecimalField(
        label=pgettext_lazy("taper", "From"),
        min_value=Decimal("0.001"),
        max_digits=8,
        decimal_places=3,
        localize=True,
        widget=number_widget(decimal=True),
        help_text=_("The dose before the taper, in the unit above."),
    )
    step = forms.DecimalField(
        label=_("Lower by"),
        min_value=Decimal("0.001"),
        max_digits=8,
        decimal_places=3,
        localize=True,
        widget=number_widget(decimal=True),
    )
    every = forms.IntegerField(
        label=_("Every (days)"), min_value=1, max_value=365, widget=number_widget()
    )
    first = forms.DateField(label=_("First step on"), widget=DateInput())
    last = forms.DecimalField(
        label=_("Down to"),
        min_value=Decimal(0),
        max_digits=8,
        decimal_places=3,
        initial=0,
        localize=True,
        widget=number_widget(decimal=True),
        help_text=_("0 to stop the drug at the last step."),
    )

    def __init__(self, *args, room: int, today: datetime.date, **kwargs):
        super().__init__(*args, prefix="taper", **kwargs)
        self.room = room  # how many more rows the course takes
        self.horizon = two_years_after(today)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if data["last"] >= data["start"]:
            self.add_error("last", _("The last dose must be lower than the dose it starts from."))
            return data
        if data["first"] > self.horizon:
            self.add_error(
                "first",
                _("Steps may be planned up to %(day)s.") % {"day": short_date(self.horizon)},
            )
            return data
        count = self.step_count()
        if count > self.room:
            self.add_error(
                "step",
                _(
                    "That makes %(count)s steps; %(room)s more fit in this course. "
                    "Lower by more, or save and add the rest as a new course."
                )
                % {"count": count, "room": self.room},
            )
            return data
        steps = self.steps()
        if steps[-1][0] > self.horizon:
            self.add_error(
                "every",
                _(
                    "The last step would fall on %(day)s: steps may be planned up to two years "
                    "ahead (%(horizon)s)."
                )
                % {"day": short_date(steps[-1][0]), "horizon": short_date(self.horizon)},
            )
        return data

    def step_count(self) -> int:
        data = self.cleaned_data
        return int(((data["start"] - data["last"]) / data["step"]).to_integral_value(ROUND_CEILING))

    def steps(self) -> list[tuple[datetime.date, Decimal]]:
        """Each step's day and new dose: lower by `step` each time, the last one at `last`."""
        data = self.cleaned_data
        return [
            (
                data["first"] + datetime.timedelta(days=data["every"] * n),
                max(data["start"] - data["step"] * (n + 1), data["last"]),
            )
            for n in range(self.step_count())
        ]


class InvitationForm(forms.ModelForm):
    class Meta:
        model = Invitation
        fields = ("note", "role")
        widgets = {"role": forms.RadioSelect()}
        help_texts = {
            "role": _("Caregivers log and edit; viewers only read; owners also manage the team."),
        }


class RoleForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ("role",)
        labels = {"role": _("Role")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = Role.choices


class RelapseSettingsForm(forms.ModelForm):
    """The numbers of a child's possible-relapse rule, each refused in words beside it when it
    is not a whole number in its range. The view binds it to an unsaved copy of the rule, and
    hands `cleaned_data` to services.relapse_settings_save."""

    class Meta:
        model = RelapseSettings
        fields = analysis.RULE_FIELDS
        widgets = {name: number_widget() for name in analysis.RULE_FIELDS}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            in_range = range_message(name)
            default = getattr(analysis.DEFAULT_RULE, name)
            field.error_messages.update(
                required=_("Please type a number: the default is %(default)s.")
                % {"default": default},
                invalid=_("Please type a whole number in figures, such as %(default)s.")
                % {"default": default},
                min_value=in_range,
                max_value=in_range,
            )

    @property
    def with_defaults(self) -> list[tuple[forms.BoundField, int, tuple[int, int]]]:
        """Each field with its default and its range (lowest, highest), to show beside it."""
        return [
            (self[name], getattr(analysis.DEFAULT_RULE, name), RULE_RANGES[name])
            for name in self.fields
        ]


TOO_LONG = format_lazy(_("Pick at most {period} at a time."), period=MAX_PERIOD_WORDS)


def born_message(born: datetime.date) -> str:
    return _("The journal starts at birth, %(day)s.") % {"day": long_date(born)}


def check_dates(form: forms.Form, data: dict) -> None:
    """A period's start and end: both given, in order, from birth to today."""
    start, end = data.get("start"), data.get("end")
    if start is None and "start" not in form.errors:
        form.add_error("start", _("Pick the first day to show."))
    if end is None and "end" not in form.errors:
        form.add_error("end", _("Pick the last day to show."))
    if end and end > form.today:
        form.add_error("end", _("This day hasn't happened yet."))
    if start and start < form.born:
        form.add_error("start", born_message(form.born))
    elif start and end and start > end:
        form.add_error("start", _("The first day must come before the last."))
    elif start and end and (end - start).days >= MAX_PERIOD_DAYS:
        form.add_error("start", TOO_LONG)


class PeriodForm(forms.Form):
    """The range picker: a preset, or custom dates."""

    range = forms.ChoiceField(
        choices=[
            *((key, label) for key, (label, _) in PRESETS.items()),
            (CUSTOM, _("Custom dates")),
        ],
        required=False,
    )
    start = forms.DateField(
        label=pgettext_lazy("first day", "From"), required=False, widget=DateInput
    )
    end = forms.DateField(label=pgettext_lazy("last day", "To"), required=False, widget=DateInput)

    def __init__(self, *args, today: datetime.date, born: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today, self.born = today, born

    def clean(self):
        data = super().clean()
        if data.get("range") == CUSTOM:
            check_dates(self, data)
        return data

    def period(self, history: History) -> Period:
        """The period asked for; the default when the form is invalid or empty. `history` is
        read only for "all", from its first day."""
        key = self.cleaned_data.get("range") if self.is_valid() else None
        if key == CUSTOM:
            return Period(CUSTOM, self.cleaned_data["start"], self.cleaned_data["end"])
        return Period.preset(key or DEFAULT_RANGE, self.today, history)


def days_word(count: int) -> str:
    return ngettext("%(count)s day", "%(count)s days", count) % {"count": count}


class ShareLinkForm(forms.ModelForm):
    """A link to the visit summary for a clinician: for whom, which days, for how long."""

    days = forms.TypedChoiceField(
        label=_("The link works for"),
        choices=[(days, lazy(days_word, str)(days)) for days in SHARE_LINK_DAYS],
        coerce=int,
        initial=SHARE_LINK_DEFAULT_DAYS,
        widget=forms.RadioSelect,
    )
    language = LanguageField(blank=LINK_READERS_LANGUAGE, label=LINK_LANGUAGE_LABEL)

    class Meta:
        model = ShareLink
        fields = ("note", "first", "last", "language")
        widgets = {"first": DateInput(), "last": DateInput()}
        help_texts = {"last": _("Leave it empty to show up to the day the link is opened.")}

    def __init__(self, *args, today: datetime.date, born: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today, self.born = today, born

    def clean_first(self) -> datetime.date:
        first = self.cleaned_data["first"]
        if first > self.today:
            raise forms.ValidationError(_("This day hasn't happened yet."))
        if first < self.born:
            raise forms.ValidationError(born_message(self.born))
        return first

    def clean_last(self) -> datetime.date | None:
        last = self.cleaned_data["last"]
        if last and last > self.today:
            raise forms.ValidationError(
                _(
                    "This day hasn't happened yet: leave it empty to show up to the day it is "
                    "opened."
                )
            )
        return last

    def clean(self):
        data = super().clean()
        first, last = data.get("first"), data.get("last") or self.today
        if first and (last - first).days >= MAX_PERIOD_DAYS:
            self.add_error("first", TOO_LONG)
        return data


class SummaryForm(forms.Form):
    """The visit summary's period and paper."""

    start = forms.DateField(
        label=pgettext_lazy("first day", "From"),
        widget=DateInput,
        error_messages={"required": _("Pick the first day.")},
    )
    end = forms.DateField(
        label=pgettext_lazy("last day", "To"),
        widget=DateInput,
        error_messages={"required": _("Pick the last day.")},
    )
    paper = forms.ChoiceField(
        label=_("Paper for the PDF"),
        choices=[("a4", "A4"), ("letter", _("US Letter"))],
        initial="a4",
        widget=forms.RadioSelect,
    )
    language = LanguageField(blank=PAGES_LANGUAGE, label=SUMMARY_LANGUAGE_LABEL)

    def __init__(self, data, *, today: datetime.date, born: datetime.date, first: datetime.date):
        # Unbound fields take the default period: from the last visit (or 3 months ago) to today.
        defaults = {"start": first, "end": today, "paper": "a4", "language": ""}
        super().__init__({**defaults, **{k: v for k, v in data.items() if k in defaults}})
        self.today, self.born = today, born

    def clean(self):
        data = super().clean()
        check_dates(self, data)
        return data
