"""A child's journal as an HL7 FHIR R4 Bundle (type `collection`), for a clinical record or a
research registry.

What goes in, and why so (the README's "FHIR" table says the same):
- `Patient`: the child (name as the family wrote it, birth date).
- `RelatedPerson`: each member of the care team, who logs the days.
- `Questionnaire`: the daily entry, each item with its 0-3 answer options and their anchors (the
  core five's and the family's own items), and the details asked beside them.
- `QuestionnaireResponse`: one a logged day, authored by the caregiver who logged it.
- `Observation`: derived from each response and pointing at it (`derivedFrom`): each core item's
  rating, hours slept (LOINC 93832-4, in h), the day's highest temperature (LOINC 8310-5, in Cel).
- `MedicationStatement`: one a treatment course, each dose (the first and every dose change) a
  `dosage` with the days it held.
- Trigger events are `Observation`s, not `Condition`s: a parent notes that a fever, an illness,
  a vaccination or a stress happened before a possible relapse; that is an observation made at
  home with a date, not a diagnosis for a problem list (a Condition asks for a clinical and a
  verification status the family cannot give).

Every resource says it is parent-reported: a `meta.tag`, and a note where the resource has one,
as the visit summary's footer does. No LOINC code exists for the OMS scales: the ratings are
coded in the journal's own code system, never as a Mitchell-Pike or OMS-ES score.
"""

import datetime
import uuid
from decimal import Decimal

from django.utils import timezone

from journal.models import (
    Child,
    DailyEntry,
    Doses,
    Membership,
    TrackedItem,
    TreatmentCourse,
    TriggerEvent,
)
from journal.scales import CORE_ITEMS

CONTENT_TYPE = "application/fhir+json"
SYSTEM = "urn:oms-journal"  # our own code systems: the ratings, the items, the trigger types
UCUM = "http://unitsofmeasure.org"
LOINC = "http://loinc.org"
CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
PARENT_REPORTED = (
    "Parent-reported: recorded by the family at home in OMS Journal, not by a clinician. "
    "Ratings are the family's 0-3 ratings with plain anchors (our proposal, modelled on the "
    "areas of the Mitchell-Pike OMS scale; not a validated scale, not a clinician's score)."
)
TAG = {"tag": [{"system": f"{SYSTEM}:tag", "code": "parent-reported", "display": PARENT_REPORTED}]}
NOTE = [{"text": PARENT_REPORTED}]
NAMESPACE = uuid.UUID("6f1c2d0e-5b7a-4f0e-9a51-2c1f0f7c3a10")

DETAILS = {  # the Questionnaire's detail items: (text, FHIR answer type)
    "sleep_hours": ("Hours slept", "decimal"),
    "night_wakings": ("Night wakings", "integer"),
    "rage_episodes": ("Rage episodes", "integer"),
    "rage_longest_minutes": ("Longest rage episode (minutes)", "integer"),
    "max_temperature_c": ("Highest temperature (°C)", "decimal"),
}
SLEEP = ("93832-4", "Sleep duration", "h")
TEMPERATURE = ("8310-5", "Body temperature", "Cel")


def full_url(kind: str, key) -> str:
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, f'{kind}/{key}')}"


def ref(url: str, display: str | None = None) -> dict:
    return {"reference": url, **({"display": display} if display else {})}


def number(value: Decimal) -> float | int:
    return int(value) if value == value.to_integral_value() else float(value)


def resource(kind: str, key, body: dict) -> dict:
    url = full_url(kind, key)
    return {"fullUrl": url, "resource": {"resourceType": kind, "meta": TAG, **body}}


class Journal:
    """The child's journal read once (six queries whatever its length), then turned into
    resources."""

    def __init__(self, child: Child):
        self.child = child
        self.patient = full_url("Patient", child.pk)
        self.questionnaire = full_url("Questionnaire", child.pk)
        self.members = list(
            Membership.objects.filter(child=child).select_related("user").order_by("pk")
        )
        self.people = {m.user_id: full_url("RelatedPerson", m.pk) for m in self.members}
        self.items = list(TrackedItem.objects.for_child(child))
        self.entries = list(
            DailyEntry.objects.for_child(child)
            .order_by("date")
            .select_related("created_by")
            .prefetch_related("item_ratings__item")
        )
        self.courses = list(
            TreatmentCourse.objects.for_child(child)
            .order_by("start_date", "pk")
            .prefetch_related("changes")
        )
        self.events = list(TriggerEvent.objects.for_child(child).order_by("start_date", "pk"))

    def person(self, user) -> dict | None:
        """A reference to the caregiver, if still on the care team; their name otherwise."""
        if user is None:
            return None
        if user.pk in self.people:
            return ref(self.people[user.pk], user.username)
        return {"display": user.username}

    def entries_of_bundle(self) -> list[dict]:
        found = [self.patient_resource(), *map(self.related_person, self.members)]
        found.append(self.questionnaire_resource())
        for entry in self.entries:
            response = self.response(entry)
            found.append(response)
            found += self.observations(entry, response["fullUrl"])
        found += [self.medication(course) for course in self.courses]
        found += [self.trigger(event) for event in self.events]
        return found

    # --- the people ------------------------------------------------------------------------

    def patient_resource(self) -> dict:
        child = self.child
        return resource(
            "Patient",
            child.pk,
            {"name": [{"text": child.name}], "birthDate": child.birth_date.isoformat()},
        )

    def related_person(self, membership: Membership) -> dict:
        user = membership.user
        name = " ".join(filter(None, (user.first_name, user.last_name))) or user.username
        return resource(
            "RelatedPerson",
            membership.pk,
            {
                "active": True,
                "patient": ref(self.patient, self.child.name),
                "relationship": [{"text": f"Care team: {membership.get_role_display()}"}],
                "name": [{"text": name}],
            },
        )

    # --- the daily entry ---------------------------------------------------------------------

    def questionnaire_resource(self) -> dict:
        items = [{"linkId": "date", "text": "Day", "type": "date", "required": True}]
        items += [
            rating_question(item.field, f"{item.label} ({item.field})", item.anchors)
            for item in CORE_ITEMS
        ]
        items += [rating_question(item_link(item), item.name, item.anchors) for item in self.items]
        items += [
            {"linkId": name, "text": text, "type": kind} for name, (text, kind) in DETAILS.items()
        ]
        items.append(
            {
                "linkId": "doses",
                "text": "Doses given as planned",
                "type": "choice",
                "answerOption": [
                    {"valueCoding": coding("doses", value, label)} for value, label in Doses.choices
                ],
            }
        )
        items += [
            {"linkId": "notes", "text": "Notes", "type": "text"},
            {"linkId": "question", "text": "Question for the neurologist", "type": "text"},
        ]
        return resource(
            "Questionnaire",
            self.child.pk,
            {
                "url": self.questionnaire,
                "name": "OMSJournalDailyEntry",
                "title": "OMS Journal daily entry",
                "status": "active",
                "subjectType": ["Patient"],
                "description": "Rated each evening for most of the day. " + PARENT_REPORTED,
                "item": items,
            },
        )

    def response(self, entry: DailyEntry) -> dict:
        answers = [{"linkId": "date", "answer": [{"valueDate": entry.date.isoformat()}]}]
        for item in CORE_ITEMS:
            value = getattr(entry, item.field)
            if value is not None:
                answers.append(rating_answer(item.field, value, item.anchors))
        for rating in entry.item_ratings.all():
            answers.append(rating_answer(item_link(rating.item), rating.value, rating.item.anchors))
        for name, (_, kind) in DETAILS.items():
            value = getattr(entry, name)
            if value is not None:
                key = "valueDecimal" if kind == "decimal" else "valueInteger"
                answers.append({"linkId": name, "answer": [{key: number(Decimal(value))}]})
        if entry.doses:
            answers.append(
                {
                    "linkId": "doses",
                    "answer": [
                        {"valueCoding": coding("doses", entry.doses, entry.get_doses_display())}
                    ],
                }
            )
        for name in ("notes", "question"):
            if getattr(entry, name):
                answers.append({"linkId": name, "answer": [{"valueString": getattr(entry, name)}]})
        body = {
            "questionnaire": self.questionnaire,
            "status": "completed",
            "subject": ref(self.patient, self.child.name),
            "authored": entry.created_at.isoformat(),
            "item": answers,
        }
        author = self.person(entry.created_by)
        if author:
            body["author"] = author
            body["source"] = author
        return resource("QuestionnaireResponse", entry.pk, body)

    def observations(self, entry: DailyEntry, response_url: str) -> list[dict]:
        def observation(key: str, code: dict, category: str, value: dict) -> dict:
            body = {
                "status": "final",
                "category": [{"coding": [{"system": CATEGORY, "code": category}]}],
                "code": code,
                "subject": ref(self.patient, self.child.name),
                "effectiveDateTime": entry.date.isoformat(),
                "derivedFrom": [ref(response_url)],
                "note": NOTE,
                **value,
            }
            performer = self.person(entry.created_by)
            if performer:
                body["performer"] = [performer]
            return resource("Observation", f"{entry.pk}/{key}", body)

        found = []
        for item in CORE_ITEMS:
            value = getattr(entry, item.field)
            if value is not None:
                label = f"{item.label} ({item.field}), parent-rated 0-3"
                code = {"coding": [coding("item", item.field, label)], "text": label}
                found.append(observation(item.field, code, "survey", {"valueInteger": value}))
        for field, (loinc, label, unit) in (
            ("sleep_hours", SLEEP),
            ("max_temperature_c", TEMPERATURE),
        ):
            value = getattr(entry, field)
            if value is not None:
                code = {"coding": [{"system": LOINC, "code": loinc, "display": label}]}
                code["text"] = label if field == "sleep_hours" else "Highest temperature of the day"
                quantity = {"value": number(value), "unit": unit, "system": UCUM, "code": unit}
                category = "survey" if field == "sleep_hours" else "vital-signs"
                found.append(observation(field, code, category, {"valueQuantity": quantity}))
        return found

    # --- treatments and triggers ----------------------------------------------------------------

    def medication(self, course: TreatmentCourse) -> dict:
        today = self.child.today()
        ended = course.end_date is not None and course.end_date < today
        period = {"start": course.start_date.isoformat()}
        if course.end_date:
            period["end"] = course.end_date.isoformat()
        body = {
            "status": "completed" if ended else "active",
            "medicationCodeableConcept": {"text": course.drug_name},
            "subject": ref(self.patient, self.child.name),
            "effectivePeriod": period,
            "dateAsserted": course.created_at.isoformat(),
            "reasonCode": [{"text": course.get_purpose_display()}],
            "dosage": dosages(course, today),
            "note": [*NOTE, *([{"text": course.notes}] if course.notes else [])],
        }
        source = self.person(course.created_by)
        if source:
            body["informationSource"] = source
        return resource("MedicationStatement", course.pk, body)

    def trigger(self, event: TriggerEvent) -> dict:
        label = event.get_type_display()
        start = event.start_date.isoformat()
        if event.start_time:
            start = timezone.make_aware(
                datetime.datetime.combine(event.start_date, event.start_time), self.child.zone
            ).isoformat()
        body = {
            "status": "final",
            "code": {
                "coding": [coding("trigger", event.type, label)],
                "text": f"Possible relapse trigger: {label}",
            },
            "subject": ref(self.patient, self.child.name),
            "note": [*NOTE, *([{"text": event.notes}] if event.notes else [])],
        }
        if event.end_date:
            body["effectivePeriod"] = {"start": start, "end": event.end_date.isoformat()}
        else:
            body["effectiveDateTime"] = start
        if event.file_detail:
            body["valueString"] = event.file_detail
        if event.temperature_c is not None:
            code, text, unit = TEMPERATURE
            body["component"] = [
                {
                    "code": {"coding": [{"system": LOINC, "code": code, "display": text}]},
                    "valueQuantity": {
                        "value": number(event.temperature_c),
                        "unit": unit,
                        "system": UCUM,
                        "code": unit,
                    },
                }
            ]
        performer = self.person(event.created_by)
        if performer:
            body["performer"] = [performer]
        return resource("Observation", f"event/{event.pk}", body)


def coding(system: str, code: str, display: str) -> dict:
    return {"system": f"{SYSTEM}:{system}", "code": str(code), "display": str(display)}


def item_link(item: TrackedItem) -> str:
    return f"item-{item.pk}"


def rating_question(link: str, text: str, anchors) -> dict:
    return {
        "linkId": link,
        "text": f"{text}: most of today, 0-3 (leave unanswered if not observed)",
        "type": "choice",
        "answerOption": [
            {"valueCoding": coding(f"rating:{link}", level, anchor)}
            for level, anchor in enumerate(anchors)
        ],
    }


def rating_answer(link: str, value: int, anchors) -> dict:
    return {
        "linkId": link,
        "answer": [{"valueCoding": coding(f"rating:{link}", value, anchors[value])}],
    }


def dosages(course: TreatmentCourse, today: datetime.date) -> list[dict]:
    """The first dose and each dose change, each with the days it held (a planned step of a
    taper, ahead of today, says it is planned)."""
    changes = [(change.date, change.dose, change.note) for change in course.changes.all()]
    steps = [(course.start_date, course.dose, ""), *changes]
    found = []
    for number_, (start, dose, note) in enumerate(steps, start=1):
        following = steps[number_][0] if number_ < len(steps) else None
        end = following - datetime.timedelta(days=1) if following else course.end_date
        bounds = {"start": start.isoformat(), **({"end": end.isoformat()} if end else {})}
        plain = f"{number(dose)} {course.unit}"
        words = f"{plain} {course.get_regimen_display().lower()}, {course.get_route_display()}"
        words += f", from {start:%Y-%m-%d}" + (" (planned)" if start > today else "")
        if note:
            words += f": {note}"
        found.append(
            {
                "sequence": number_,
                "text": words,
                "timing": {"repeat": {"boundsPeriod": bounds}},
                "route": {"text": course.get_route_display()},
                "doseAndRate": [{"doseQuantity": {"value": number(dose), "unit": course.unit}}],
            }
        )
    return found


def bundle(child: Child) -> dict:
    """The whole journal of `child` as one FHIR R4 Bundle of type collection."""
    return {
        "resourceType": "Bundle",
        "meta": TAG,
        "type": "collection",
        "timestamp": timezone.now().isoformat(),
        "entry": Journal(child).entries_of_bundle(),
    }
