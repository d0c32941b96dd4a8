"""Django's model backend, with the logged-in user read by SQL written once (journal/rows.py).

Every logged-in request reads its user; the ORM spent more time building that query than
running it. Passwords, permissions and `is_active` are Django's own.
"""

from django.contrib.auth import backends, get_user_model

from journal.rows import Joined, RowReader

USER = RowReader("FROM {user} WHERE u.id = %s", user=Joined(get_user_model(), "u"))


class ModelBackend(backends.ModelBackend):
    def get_user(self, user_id):
        """The active user of that id (which Django has read from the session as a number)."""
        found = USER.first([user_id])
        user = found and found["user"]
        return user if user and self.user_can_authenticate(user) else None
