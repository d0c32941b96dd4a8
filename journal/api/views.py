"""The REST API's views: each finds the child through journal.api.access, reads through
queries.py and trends.py, and writes through journal.api.days (the page's form and service)."""

import datetime
import hashlib

from django.db.models import prefetch_related_objects
from django.http import Http404, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from journal import queries, trends
from journal.api import days, fhir
from journal.api.access import api_membership, visible_children
from journal.api.serializers import (
    ChildSerializer,
    Conflict,
    DateRange,
    DayInput,
    DaySerializer,
    Detail,
    Problems,
    day_data,
)
from journal.converters import IsoDateConverter
from journal.models import Membership
from journal.pages import PAGE_SECONDS


class Pages(PageNumberPagination):
    """100 records a page; `page_size` up to 400, so a year of days comes in one page."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 400


class ApiView(GenericAPIView):
    """A view of the API. Every answer holds a family's data: never kept by a shared cache."""

    pagination_class = Pages
    metadata_class = None  # OPTIONS is not offered: the schema at /api/v1/schema/ says it all

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_cache_control(response, private=True, no_store=True)
        return response

    def date_range(self, child) -> tuple[datetime.date, datetime.date]:
        """`from` and `to`: by default, from birth to the child's today."""
        given = DateRange(data=self.request.query_params)
        if not given.is_valid():
            raise ValidationError({"errors": given.errors})
        first = given.validated_data.get("from") or child.birth_date
        last = given.validated_data.get("to") or child.today()
        return first, last

    def page_of(self, records, serializer_class) -> Response:
        page = self.paginate_queryset(records)
        return self.get_paginated_response(serializer_class(page, many=True).data)


DATES = [DateRange]
REFUSALS = {
    401: OpenApiResponse(Detail, description="No valid token or session."),
    403: OpenApiResponse(Detail, description="The token or the role may not do this."),
    404: OpenApiResponse(Detail, description="No such child in your journal."),
    429: OpenApiResponse(Detail, description="Too many requests: wait and try again."),
}
LIST_REFUSALS = {**REFUSALS, 400: OpenApiResponse(Problems, description="Bad dates.")}


def child_data(child, role: str) -> dict:
    today = child.today()
    overview = trends.overview_for(child, today)
    return {
        "id": child.pk,
        "name": child.name,
        "birth_date": child.birth_date,
        "time_zone": child.time_zone,
        "today": today,
        "your_role": role,
        "status": overview.status,
        "possible_relapses": overview.episodes,
    }


class ChildList(ApiView):
    """The children of your care teams (or your token's child), each with where it stands."""

    serializer_class = ChildSerializer

    @extend_schema(responses={200: ChildSerializer(many=True), **REFUSALS})
    def get(self, request):
        children = list(visible_children(request))
        roles = dict(
            Membership.objects.filter(user=request.user, child__in=children).values_list(
                "child_id", "role"
            )
        )
        page = self.paginate_queryset(children)
        data = [child_data(child, roles[child.pk]) for child in page]
        return self.get_paginated_response(ChildSerializer(data, many=True).data)


class ChildDetail(ApiView):
    """A child: where it stands today, and its possible relapses (a prompt to talk to the
    doctor, never a diagnosis)."""

    serializer_class = ChildSerializer

    @extend_schema(responses={200: ChildSerializer, **REFUSALS})
    def get(self, request, child_id: int):
        membership = api_membership(request, child_id)
        return Response(ChildSerializer(child_data(membership.child, membership.role)).data)


class DayList(ApiView):
    """The logged days from `from` to `to`, oldest first (a day not logged is not listed)."""

    serializer_class = DaySerializer

    @extend_schema(parameters=DATES, responses={200: DaySerializer(many=True), **LIST_REFUSALS})
    def get(self, request, child_id: int):
        child = api_membership(request, child_id).child
        first, last = self.date_range(child)
        # A page of days is read once per version of the journal (which every write raises)
        # and kept as sent, JSON: an integration reads the same range again and again.
        address = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()[:32]
        key = trends.cache_key(child, "api-days", address)
        body = trends.cached(key, lambda: self.days_json(child, first, last), PAGE_SECONDS)
        return HttpResponse(body, content_type="application/json")

    def days_json(self, child, first: datetime.date, last: datetime.date) -> bytes:
        """A page of days as JSON: plain rows (queries.days_between), shown by day_data."""
        page = self.paginate_queryset(queries.days_between(child, first, last))
        items = queries.ratings_by_day([row["id"] for row in page])
        zone = timezone.get_current_timezone()  # the child's (api_membership)
        data = [day_data(row, items.get(row["id"], {}), zone) for row in page]
        return JSONRenderer().render(self.get_paginated_response(data).data)


IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description='The version of the day you started from, as its ETag ("3"; "0" for a day '
    "not logged yet). Required, or If-None-Match: *.",
)
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description='`*`: log a day that is not logged yet (as If-Match: "0").',
)


def date_of(day: str) -> datetime.date:
    """The day of the URL; a 404 (in JSON) if it is no date."""
    try:
        return IsoDateConverter().to_python(day)
    except ValueError:
        raise Http404("No such day: write it as YYYY-MM-DD.") from None


DAY_PARAMETER = OpenApiParameter(
    "day", OpenApiTypes.DATE, OpenApiParameter.PATH, description="The day, as YYYY-MM-DD."
)


class DayDetail(ApiView):
    """One day, by date in the child's time zone. Its ETag is its version."""

    serializer_class = DaySerializer

    @extend_schema(parameters=[DAY_PARAMETER], responses={200: DaySerializer, **REFUSALS})
    def get(self, request, child_id: int, day: str):
        child = api_membership(request, child_id).child
        day = date_of(day)
        entry = queries.day_entry(child, day)
        if entry is None:
            raise Http404("This day is not logged.")
        return self.day_response(entry)

    @extend_schema(
        request=DayInput,
        parameters=[DAY_PARAMETER, IF_MATCH, IF_NONE_MATCH],
        responses={
            200: OpenApiResponse(DaySerializer, description="Saved (or already so)."),
            201: OpenApiResponse(DaySerializer, description="Logged."),
            400: OpenApiResponse(Problems, description="The day page's messages, by field."),
            **REFUSALS,
            412: OpenApiResponse(Conflict, description="Saved by someone else meanwhile."),
            428: OpenApiResponse(Detail, description="If-Match is missing."),
        },
    )
    def put(self, request, child_id: int, day: str):
        """Log or change the day: the whole day, checked as the day page checks it. A field
        left out is cleared. Idempotent: the same PUT again changes nothing."""
        membership = api_membership(request, child_id, write=True)
        day = date_of(day)
        try:
            body = request.data
        except ParseError as error:
            return Response({"errors": {"__all__": [str(error.detail)]}}, status=400)
        try:
            outcome = days.put_day(
                membership=membership,
                day=day,
                body=body,
                headers=request.headers,
                user=request.user,
            )
        except days.VersionMissing:
            detail = 'Send If-Match with the day\'s version (its ETag), or "0" for a new day.'
            return Response({"detail": detail}, status=status.HTTP_428_PRECONDITION_REQUIRED)
        except days.Refused as refused:
            return Response({"errors": refused.errors}, status=status.HTTP_400_BAD_REQUEST)
        if outcome.conflict:
            return self.conflict_response(outcome.entry)
        return self.day_response(outcome.entry, status=201 if outcome.created else 200)

    def day_response(self, entry, status: int = 200) -> Response:
        response = Response(DaySerializer(with_ratings(entry)).data, status=status)
        response["ETag"] = days.etag(entry)
        return response

    def conflict_response(self, stored) -> Response:
        detail = "Someone else saved this day since your version: nothing was written."
        day = DaySerializer(with_ratings(stored)).data if stored else None
        data = {"detail": detail, "day": day}
        response = Response(data, status=status.HTTP_412_PRECONDITION_FAILED)
        response["ETag"] = days.etag(stored)
        return response


def with_ratings(entry):
    """The entry with its extra items' ratings read in one query, for DaySerializer."""
    prefetch_related_objects([entry], "item_ratings__item")
    return entry


class ChildFhir(ApiView):
    """The child's journal as an HL7 FHIR R4 Bundle (type collection): parent-reported."""

    @extend_schema(responses={(200, fhir.CONTENT_TYPE): OpenApiTypes.OBJECT, **REFUSALS})
    def get(self, request, child_id: int):
        child = api_membership(request, child_id).child
        return Response(fhir.bundle(child), content_type=fhir.CONTENT_TYPE)


@csrf_exempt  # it changes nothing, and answers the same to anyone
def not_found(request) -> JsonResponse:
    """Any other URL under /api/v1/: a 404 in JSON, never the site's HTML page."""
    response = JsonResponse({"detail": "No such URL in the API: see /api/v1/docs/."}, status=404)
    patch_cache_control(response, private=True, no_store=True)
    return response
