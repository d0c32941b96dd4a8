"""What each account keeps of its own beyond Django's user: the language it reads the journal in
(journal/languages.py says how it is chosen and used)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Profile(models.Model):
    """An account's language. Made when first needed: an account without one reads the journal
    in its browser's language. Read with the user, in one statement (journal/backends.py)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="profile"
    )
    # A code of settings.LANGUAGES, checked by the form against the languages shipped now (no
    # choices here: a language added or withdrawn needs no migration).
    language = models.CharField(_("language"), max_length=12, blank=True)
    # The page's language at the last log-in: emails use it while `language` is empty.
    browser_language = models.CharField(max_length=12, blank=True, editable=False)

    def __str__(self) -> str:
        return f"{self.user} ({self.language or 'browser'})"
