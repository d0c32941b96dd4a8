"""Django's database sessions, read with SQL written once (journal/rows.py).

Set as SESSION_ENGINE. Every logged-in request reads its session; the ORM spent three times as
long building that query as running it. Everything else (writing, expiry, cycling the key on
login, flushing on logout) is Django's own.
"""

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.db import connections, router
from django.utils import timezone

from journal.rows import Joined, RowReader

UNEXPIRED = RowReader(
    "FROM {session} WHERE s.session_key = %s AND s.expire_date > %s",
    session=Joined(Session, "s"),
)


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        connection = connections[router.db_for_read(Session)]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        found = UNEXPIRED.first([self.session_key, now])
        if found is None:
            # As Django's: an unknown or expired key is dropped, and a new one is made on save.
            self._session_key = None
            return None
        return found["session"]
