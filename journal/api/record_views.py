"""The API's views of the records a caregiver writes beside the days: trigger events,
treatment courses with their dose changes, and extra items. Each finds the child through
journal.api.access, reads the child's own records, and writes through journal.api.records (the
page's own form and service)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, prefetch_related_objects
from django.http import Http404
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ParseError
from rest_framework.response import Response

from journal import queries, services
from journal.api import days, records
from journal.api.access import api_membership
from journal.api.serializers import (
    Detail,
    EventConflict,
    EventInput,
    EventSerializer,
    ItemInput,
    ItemSerializer,
    Problems,
    TreatmentConflict,
    TreatmentInput,
    TreatmentSerializer,
)
from journal.api.views import DATES, LIST_REFUSALS, REFUSALS, ApiView
from journal.models import TrackedItem, TreatmentCourse, TriggerEvent
from journal.views.delivery import delivery_key

NOT_WRITTEN = {
    400: OpenApiResponse(Problems, description="The page's messages, by field."),
    409: OpenApiResponse(Detail, description="The Idempotency-Key was sent with another save."),
}
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Your own key for this save (up to 64 characters): sent again, the same POST "
    "stores nothing more and answers with what the first one stored.",
)
RECORD_IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description='The version you started from, as its ETag ("3"). Required.',
)
DELETE_IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="The version you saw: if someone saved it since, nothing is deleted (412).",
)
STALE = gettext_lazy("Someone else saved this since your version: nothing was written.")
NO_VERSION = gettext_lazy(
    'Send If-Match with the version you started from (its ETag), such as "3".'
)
KEY_REUSED = gettext_lazy(
    "This Idempotency-Key was sent before with another save: use a new key for each save."
)
SAME_TRIGGER = gettext_lazy(
    "This kind of trigger is already logged on that day: nothing was written. Send keep_both "
    "true if there were two."
)


class RecordView(ApiView):
    """A view of records a caregiver writes (events, courses, items): the body checked by the
    page's own form, saved by its own service (journal.api.records)."""

    noun = ""  # the record's name in a conflict's answer: "event", "treatment"
    lookup_label = ""  # the 404's words

    def records(self, child):
        raise NotImplementedError

    def stored(self, child, pk: int):
        record = self.records(child).filter(pk=pk).first()
        if record is None:
            raise Http404(self.lookup_label)
        record.child = child  # already read with the membership: checking it costs no query
        return record

    def body(self):
        try:
            return self.request.data
        except ParseError as error:
            raise days.Refused({"__all__": [str(error.detail)]}) from None

    def written(self, write) -> Response:
        """The answer to a write: `write()` gives a records.Outcome."""
        try:
            outcome = write()
        except days.VersionMissing:
            return Response({"detail": str(NO_VERSION)}, status=428)
        except days.Refused as refused:
            return Response({"errors": refused.errors}, status=status.HTTP_400_BAD_REQUEST)
        except DjangoValidationError as error:  # the service's own check, after the form's
            return Response({"errors": error.message_dict}, status=status.HTTP_400_BAD_REQUEST)
        except records.ReusedKey:
            data = {"detail": str(KEY_REUSED)}
            if self.noun:  # the same shape as the view's other 409 (the same trigger)
                data[self.noun] = None
            return Response(data, status=status.HTTP_409_CONFLICT)
        if outcome.conflict:
            return self.refusal(STALE, outcome.record, status.HTTP_412_PRECONDITION_FAILED)
        if outcome.same:
            return self.refusal(SAME_TRIGGER, outcome.record, status.HTTP_409_CONFLICT)
        return self.shown(outcome.record, status=201 if outcome.created else 200)

    def shown(self, record, status: int = 200) -> Response:
        response = Response(self.data_of(record), status=status)
        if hasattr(record, "version"):
            response["ETag"] = days.etag(record)
        return response

    def data_of(self, record) -> dict:
        return self.get_serializer(record).data

    def refusal(self, detail, record, code: int) -> Response:
        data = self.data_of(record) if record is not None else None
        response = Response({"detail": str(detail), self.noun: data}, status=code)
        response["ETag"] = days.etag(record)
        return response

    def deleted(self, record, delete) -> Response:
        """DELETE: 204, or 412 with the record as stored if If-Match names an older version."""
        try:
            version = days.expected_version(self.request.headers)
        except days.VersionMissing:
            version = None
        except days.Refused as refused:
            return Response({"errors": refused.errors}, status=status.HTTP_400_BAD_REQUEST)
        try:
            delete(record, version)
        except services.EditConflict as clash:
            return self.refusal(STALE, clash.saved, status.HTTP_412_PRECONDITION_FAILED)
        return Response(status=status.HTTP_204_NO_CONTENT)


class Events(RecordView):
    serializer_class = EventSerializer
    noun = "event"
    lookup_label = gettext_lazy("No such trigger in this journal.")

    def records(self, child):
        return TriggerEvent.objects.for_child(child)


class EventList(Events):
    """Trigger events that start from `from` to `to`, newest first; POST logs one."""

    @extend_schema(parameters=DATES, responses={200: EventSerializer(many=True), **LIST_REFUSALS})
    def get(self, request, child_id: int):
        child = api_membership(request, child_id).child
        first, last = self.date_range(child)
        return self.page_of(
            self.records(child).filter(start_date__range=(first, last)), EventSerializer
        )

    @extend_schema(
        request=EventInput,
        parameters=[IDEMPOTENCY_KEY],
        responses={
            201: OpenApiResponse(EventSerializer, description="Logged."),
            200: OpenApiResponse(EventSerializer, description="Logged before, with this key."),
            **REFUSALS,
            **NOT_WRITTEN,
            409: OpenApiResponse(
                EventConflict,
                description="The same kind of trigger is logged that day (send keep_both), "
                "or the Idempotency-Key was sent with another save.",
            ),
        },
    )
    def post(self, request, child_id: int):
        """Log a trigger event, checked as the trigger page checks it."""
        child = api_membership(request, child_id, write=True).child
        event = TriggerEvent(child=child)
        return self.written(
            lambda: records.event_write(
                event=event,
                body=self.body(),
                headers=request.headers,
                user=request.user,
                key=delivery_key(request),
            )
        )


class EventDetail(Events):
    """One trigger event. Its ETag is its version."""

    @extend_schema(responses={200: EventSerializer, **REFUSALS})
    def get(self, request, child_id: int, pk: int):
        return self.shown(self.stored(api_membership(request, child_id).child, pk))

    @extend_schema(
        request=EventInput,
        parameters=[RECORD_IF_MATCH],
        responses={
            200: OpenApiResponse(EventSerializer, description="Saved (or already so)."),
            **REFUSALS,
            **NOT_WRITTEN,
            409: OpenApiResponse(EventConflict, description="The same trigger is logged then."),
            412: OpenApiResponse(EventConflict, description="Saved by someone else meanwhile."),
            428: OpenApiResponse(Detail, description="If-Match is missing."),
        },
    )
    def put(self, request, child_id: int, pk: int):
        """Change the event: the whole event, checked as the trigger page checks it."""
        event = self.stored(api_membership(request, child_id, write=True).child, pk)
        return self.written(
            lambda: records.event_write(
                event=event, body=self.body(), headers=request.headers, user=request.user
            )
        )

    @extend_schema(
        parameters=[DELETE_IF_MATCH],
        responses={
            204: OpenApiResponse(description="Deleted."),
            **REFUSALS,
            400: OpenApiResponse(Problems, description="If-Match is no version."),
            412: OpenApiResponse(EventConflict, description="Saved by someone else meanwhile."),
        },
    )
    def delete(self, request, child_id: int, pk: int):
        event = self.stored(api_membership(request, child_id, write=True).child, pk)
        return self.deleted(
            event,
            lambda event, version: services.event_delete(
                event=event, user=request.user, expected_version=version
            ),
        )


class Treatments(RecordView):
    serializer_class = TreatmentSerializer

    def records(self, child):
        # Not prefetched: the service's history reads a saved course's changes after the save.
        return TreatmentCourse.objects.for_child(child)

    def data_of(self, record) -> dict:
        prefetch_related_objects([record], "changes")  # a course just saved: read them once
        return super().data_of(record)


class TreatmentList(Treatments):
    """Treatment courses going on at some time from `from` to `to`, with their dose changes;
    POST adds one."""

    @extend_schema(
        parameters=DATES, responses={200: TreatmentSerializer(many=True), **LIST_REFUSALS}
    )
    def get(self, request, child_id: int):
        child = api_membership(request, child_id).child
        first, last = self.date_range(child)
        courses = (
            self.records(child)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=first), start_date__lte=last)
            .prefetch_related("changes")
        )
        return self.page_of(courses, TreatmentSerializer)

    @extend_schema(
        request=TreatmentInput,
        parameters=[IDEMPOTENCY_KEY],
        responses={
            201: OpenApiResponse(TreatmentSerializer, description="Added."),
            200: OpenApiResponse(TreatmentSerializer, description="Added before, with this key."),
            **REFUSALS,
            **NOT_WRITTEN,
        },
    )
    def post(self, request, child_id: int):
        """Add a course with its dose changes, checked as the treatment page checks it."""
        child = api_membership(request, child_id, write=True).child
        course = TreatmentCourse(child=child)
        return self.written(
            lambda: records.treatment_write(
                course=course,
                body=self.body(),
                headers=request.headers,
                user=request.user,
                key=delivery_key(request),
            )
        )


class TreatmentDetail(Treatments):
    """One treatment course with its dose changes. Its ETag is its version."""

    noun = "treatment"
    lookup_label = gettext_lazy("No such treatment in this journal.")

    @extend_schema(responses={200: TreatmentSerializer, **REFUSALS})
    def get(self, request, child_id: int, pk: int):
        return self.shown(self.stored(api_membership(request, child_id).child, pk))

    @extend_schema(
        request=TreatmentInput,
        parameters=[RECORD_IF_MATCH],
        responses={
            200: OpenApiResponse(TreatmentSerializer, description="Saved (or already so)."),
            **REFUSALS,
            **NOT_WRITTEN,
            412: OpenApiResponse(TreatmentConflict, description="Saved by someone else meanwhile."),
            428: OpenApiResponse(Detail, description="If-Match is missing."),
        },
    )
    def put(self, request, child_id: int, pk: int):
        """Change the course and its whole list of dose changes, all or nothing."""
        course = self.stored(api_membership(request, child_id, write=True).child, pk)
        return self.written(
            lambda: records.treatment_write(
                course=course, body=self.body(), headers=request.headers, user=request.user
            )
        )

    @extend_schema(
        parameters=[DELETE_IF_MATCH],
        responses={
            204: OpenApiResponse(description="Deleted, with its dose changes."),
            **REFUSALS,
            400: OpenApiResponse(Problems, description="If-Match is no version."),
            412: OpenApiResponse(TreatmentConflict, description="Saved by someone else meanwhile."),
        },
    )
    def delete(self, request, child_id: int, pk: int):
        course = self.stored(api_membership(request, child_id, write=True).child, pk)
        return self.deleted(
            course,
            lambda course, version: services.treatment_delete(
                course=course, user=request.user, expected_version=version
            ),
        )


class Items(RecordView):
    serializer_class = ItemSerializer

    def records(self, child):
        return TrackedItem.objects.for_child(child)


class ItemList(Items):
    """The family's extra 0-3 items, tracked now or retired, with their anchors; POST adds one
    (owners only, as on the items page)."""

    @extend_schema(responses={200: ItemSerializer(many=True), **REFUSALS})
    def get(self, request, child_id: int):
        child = api_membership(request, child_id).child
        return self.page_of(queries.tracked_items(child), ItemSerializer)

    @extend_schema(
        request=ItemInput,
        parameters=[IDEMPOTENCY_KEY],
        responses={
            201: OpenApiResponse(ItemSerializer, description="Now on the daily entry."),
            200: OpenApiResponse(ItemSerializer, description="Added before, with this key."),
            **REFUSALS,
            **NOT_WRITTEN,
        },
    )
    def post(self, request, child_id: int):
        child = api_membership(request, child_id, write=True, owner=True).child
        item = TrackedItem(child=child)
        return self.written(
            lambda: records.item_write(
                item=item, body=self.body(), user=request.user, key=delivery_key(request)
            )
        )


class ItemDetail(Items):
    """One extra item (no version: its page has none either)."""

    lookup_label = gettext_lazy("No such item in this journal.")

    @extend_schema(responses={200: ItemSerializer, **REFUSALS})
    def get(self, request, child_id: int, pk: int):
        return self.shown(self.stored(api_membership(request, child_id).child, pk))

    @extend_schema(
        request=ItemInput,
        responses={200: ItemSerializer, **REFUSALS, **NOT_WRITTEN},
    )
    def put(self, request, child_id: int, pk: int):
        """Rename the item, change its anchors, or retire it (active false): owners only."""
        item = self.stored(api_membership(request, child_id, write=True, owner=True).child, pk)
        return self.written(
            lambda: records.item_write(item=item, body=self.body(), user=request.user)
        )
