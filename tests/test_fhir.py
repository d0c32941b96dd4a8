"""The journal as HL7 FHIR R4: every resource of the demo journal's Bundle validated with the
fhir.resources package's R4B models, and what each resource says checked against the journal."""

import datetime
import json
from decimal import Decimal

import pytest
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

from journal import demo
from journal.api import fhir
from journal.models import DailyEntry, Membership, TrackedItem, TreatmentCourse, TriggerEvent
from journal.scales import CORE_ITEMS
from tests.api_helpers import TokenClient, token_for
from tests.factories import (
    DailyEntryFactory,
    DoseChangeFactory,
    TreatmentCourseFactory,
    TriggerEventFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_bundle():
    """The demo journal (18 months) and its Bundle."""
    child = demo.seed().child
    return child, fhir.bundle(child)


def resources(bundle: dict, kind: str) -> list[dict]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def full_url_of(bundle: dict, resource: dict) -> str:
    return next(e["fullUrl"] for e in bundle["entry"] if e["resource"] is resource)


def test_the_demo_bundle_validates_resource_by_resource(demo_bundle):
    child, bundle = demo_bundle
    Bundle.model_validate(bundle)
    assert bundle["type"] == "collection"
    kinds = set()
    for entry in bundle["entry"]:
        data = entry["resource"]
        get_fhir_model_class(data["resourceType"]).model_validate(data)  # raises if not R4B
        kinds.add(data["resourceType"])
        assert entry["fullUrl"].startswith("urn:uuid:")
        tags = data["meta"]["tag"]
        assert any(tag["code"] == "parent-reported" for tag in tags), entry["fullUrl"]
    assert kinds == {
        "Patient",
        "RelatedPerson",
        "Questionnaire",
        "QuestionnaireResponse",
        "Observation",
        "MedicationStatement",
    }
    # The whole journal: a response a day, a statement a course, an observation a trigger.
    (patient,) = resources(bundle, "Patient")
    assert patient["birthDate"] == child.birth_date.isoformat()
    members = Membership.objects.filter(child=child).count()
    assert len(resources(bundle, "RelatedPerson")) == members
    days = DailyEntry.objects.filter(child=child).count()
    assert len(resources(bundle, "QuestionnaireResponse")) == days
    courses = TreatmentCourse.objects.filter(child=child).count()
    assert len(resources(bundle, "MedicationStatement")) == courses
    observations = resources(bundle, "Observation")
    triggers = [o for o in observations if o["code"]["text"].startswith("Possible")]
    assert len(triggers) == TriggerEvent.objects.filter(child=child).count()
    # Every reference points into the Bundle.
    urls = {entry["fullUrl"] for entry in bundle["entry"]}
    text = json.dumps(bundle)
    references = {part.split('"')[0] for part in text.split('"reference": "')[1:]}
    assert references and references <= urls


def test_a_day_becomes_a_response_and_its_observations(owner, child):
    entry = DailyEntryFactory(
        child=child,
        opsoclonus=2,
        myoclonus=None,
        sleep_hours=Decimal("9.5"),
        max_temperature_c=Decimal("38.4"),
        created_by=owner,
    )
    TrackedItem.objects.create(
        child=child, name="Hands", anchor_0="a", anchor_1="b", anchor_2="c", anchor_3="d"
    )
    bundle = fhir.bundle(child)
    Bundle.model_validate(bundle)
    (questionnaire,) = resources(bundle, "Questionnaire")
    eyes = next(i for i in questionnaire["item"] if i["linkId"] == "opsoclonus")
    anchors = [option["valueCoding"]["display"] for option in eyes["answerOption"]]
    assert anchors == list(CORE_ITEMS[0].anchors)
    assert any(i["text"].startswith("Hands") for i in questionnaire["item"])
    (response,) = resources(bundle, "QuestionnaireResponse")
    owner_person = next(
        e["fullUrl"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "RelatedPerson"
        and e["resource"]["name"][0]["text"] == "Olivia"
    )
    assert response["author"]["reference"] == owner_person
    answers = {item["linkId"]: item["answer"][0] for item in response["item"]}
    assert answers["date"] == {"valueDate": entry.date.isoformat()}
    assert answers["opsoclonus"]["valueCoding"]["code"] == "2"
    assert "myoclonus" not in answers  # not observed is not 0
    observations = resources(bundle, "Observation")
    response_url = full_url_of(bundle, response)
    assert all(o["derivedFrom"] == [{"reference": response_url}] for o in observations)
    by_code = {o["code"]["coding"][0]["code"]: o for o in observations}
    assert "myoclonus" not in by_code
    assert by_code["opsoclonus"]["valueInteger"] == 2
    assert by_code["93832-4"]["valueQuantity"] == {
        "value": 9.5,
        "unit": "h",
        "system": "http://unitsofmeasure.org",
        "code": "h",
    }
    assert by_code["8310-5"]["valueQuantity"]["value"] == 38.4
    assert by_code["8310-5"]["valueQuantity"]["code"] == "Cel"


def test_a_course_lists_each_dose_with_its_days(child):
    start = child.today() - datetime.timedelta(days=30)
    course = TreatmentCourseFactory(child=child, start_date=start, dose=Decimal(2), unit="mg/kg")
    DoseChangeFactory(course=course, date=start + datetime.timedelta(days=10), dose=Decimal(1))
    (statement,) = resources(fhir.bundle(child), "MedicationStatement")
    get_fhir_model_class("MedicationStatement").model_validate(statement)
    first, second = statement["dosage"]
    assert first["timing"]["repeat"]["boundsPeriod"] == {
        "start": start.isoformat(),
        "end": (start + datetime.timedelta(days=9)).isoformat(),
    }
    assert second["doseAndRate"][0]["doseQuantity"] == {"value": 1, "unit": "mg/kg"}


def test_a_fever_is_an_observation_with_its_temperature(child):
    TriggerEventFactory(child=child, type="fever", temperature_c=Decimal("39.2"))
    (trigger,) = resources(fhir.bundle(child), "Observation")
    get_fhir_model_class("Observation").model_validate(trigger)
    assert trigger["code"]["coding"][0]["code"] == "fever"
    assert trigger["component"][0]["valueQuantity"]["value"] == 39.2


def test_the_api_and_your_data_give_the_same_bundle(owner, owner_client, child):
    DailyEntryFactory(child=child)
    api = TokenClient(token_for(owner, scope="read")).get(f"/api/v1/children/{child.pk}/fhir")
    assert api["Content-Type"] == "application/fhir+json"
    page = owner_client.get(f"/children/{child.pk}/data/download/fhir/")
    assert page["Content-Disposition"].startswith("attachment;")

    def without_time(bundle: dict) -> dict:
        return {key: value for key, value in bundle.items() if key != "timestamp"}

    assert without_time(api.json()) == without_time(json.loads(page.content))
