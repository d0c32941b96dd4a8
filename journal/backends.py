"""Django's model backend, with the logged-in user read by SQL written once (journal/rows.py),
with the account's language.

Every logged-in request reads its user; the ORM spent more time building that query than
running it. Passwords, permissions and `is_active` are Django's own.
"""

from django.contrib.auth import backends, get_user_model

from journal.profiles import Profile
from journal.rows import Joined, RowReader

# The account's language comes with it (journal/languages.py): every page reads it.
USER = RowReader(
    "FROM {user} LEFT JOIN {profile} ON p.user_id = u.id WHERE u.id = %s",
    user=Joined(get_user_model(), "u"),
    profile=Joined(Profile, "p"),
)


class ModelBackend(backends.ModelBackend):
    def get_user(self, user_id):
        """The active user of that id (which Django has read from the session as a number)."""
        found = USER.first([user_id])
        user = found and found["user"]
        if not user or not self.user_can_authenticate(user):
            return None
        # user.profile is then read without a query, and is None-as-missing when there is none.
        Profile.user.field.remote_field.set_cached_value(user, found["profile"])
        return user
