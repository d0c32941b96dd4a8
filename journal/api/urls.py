"""The API's URLs, under /api/v1/ (omstracker/urls.py)."""

from csp.decorators import csp_update
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from journal import converters  # noqa: F401 - registers the "id" converter
from journal.api import record_views, views

child = "children/<id:child_id>"

# Swagger UI puts one <style> element of its own in the page: allowed by its hash, on this page
# only (the rest of the site allows no inline style at all).
SWAGGER_STYLE = "'sha256-MMpT0iDxyjALd9PdfepImGX3DBfJPXZ4IlDWdPAgtn0='"
reference_page = csp_update({"style-src": [SWAGGER_STYLE]})(
    SpectacularSwaggerSplitView.as_view(url_name="api_schema")
)

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("docs/", reference_page, name="api_docs"),
    path("children", views.ChildList.as_view(), name="api_children"),
    path(child, views.ChildDetail.as_view(), name="api_child"),
    path(child + "/days", views.DayList.as_view(), name="api_days"),
    path(child + "/days/<str:day>", views.DayDetail.as_view(), name="api_day"),
    path(child + "/events", record_views.EventList.as_view(), name="api_events"),
    path(child + "/events/<id:pk>", record_views.EventDetail.as_view(), name="api_event"),
    path(child + "/treatments", record_views.TreatmentList.as_view(), name="api_treatments"),
    path(
        child + "/treatments/<id:pk>", record_views.TreatmentDetail.as_view(), name="api_treatment"
    ),
    path(child + "/items", record_views.ItemList.as_view(), name="api_items"),
    path(child + "/items/<id:pk>", record_views.ItemDetail.as_view(), name="api_item"),
    path(child + "/fhir", views.ChildFhir.as_view(), name="api_fhir"),
    # Anything else under the API is a 404 in JSON, as the API's own 404s are.
    re_path(r"^.*$", views.not_found, name="api_not_found"),
]
