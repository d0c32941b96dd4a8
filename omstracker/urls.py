from django.contrib import admin
from django.contrib.auth import urls as auth_urls
from django.urls import include, path

from journal.views.accounts import PasswordResetView
from journal.views.health import health
from journal.views.languages import javascript_catalog

# Django's account pages, but the password-reset form is ours (it limits the emails it sends):
# left out here rather than shadowed, so each URL name has one pattern.
auth_patterns = [pattern for pattern in auth_urls.urlpatterns if pattern.name != "password_reset"]

urlpatterns = [
    path("health/", health, name="health"),
    path("admin/", admin.site.urls),
    path("accounts/password_reset/", PasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include(auth_patterns)),
    path("api/v1/", include("journal.api.urls")),
    # Django's set_language: the language picker posts here (the language cookie).
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/<str:language>/", javascript_catalog, name="javascript-catalog"),
    path("", include("journal.urls")),
]
