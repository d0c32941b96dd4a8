"""The API's URLs, under /api/v1/ (omstracker/urls.py)."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from journal.api import views

child = "children/<int:child_id>"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
    path("children", views.ChildList.as_view(), name="api_children"),
    path(child, views.ChildDetail.as_view(), name="api_child"),
    path(child + "/days", views.DayList.as_view(), name="api_days"),
    path(child + "/days/<str:day>", views.DayDetail.as_view(), name="api_day"),
    path(child + "/events", views.EventList.as_view(), name="api_events"),
    path(child + "/treatments", views.TreatmentList.as_view(), name="api_treatments"),
    path(child + "/items", views.ItemList.as_view(), name="api_items"),
    path(child + "/fhir", views.ChildFhir.as_view(), name="api_fhir"),
    # Anything else under the API is a 404 in JSON, as the API's own 404s are.
    re_path(r"^.*$", views.not_found, name="api_not_found"),
]
