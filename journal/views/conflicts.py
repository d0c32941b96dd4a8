"""What a form page shows when someone else saved its record meanwhile (services.EditConflict)."""

import copy

from django.http import HttpRequest, QueryDict


def conflict(*, saved, theirs: dict, mine: dict, keep_url: str) -> dict:
    """The saved record, what differs from the caregiver's version (label, theirs, mine), and
    where "keep theirs" goes."""
    labels = [*mine, *(label for label in theirs if label not in mine)]
    rows = [
        (label, theirs.get(label, ""), mine.get(label, ""))
        for label in labels
        if theirs.get(label, "") != mine.get(label, "")
    ]
    return {"saved": saved, "rows": rows, "keep_url": keep_url}


def retry_data(request: HttpRequest, saved) -> QueryDict:
    """The caregiver's post again, now based on the saved version: saving it is a choice."""
    data = request.POST.copy()
    data["version"] = saved.version if saved else 0
    return data


def retry_instance(saved, unsaved):
    """What the retried form binds to: a copy of the saved record (binding writes the
    caregiver's values into it), or, if it was deleted, a new one like the caregiver's."""
    if saved is not None:
        return copy.copy(saved)
    again = copy.copy(unsaved)
    again.pk = None
    again._state = copy.copy(unsaved._state)
    again._state.adding = True
    return again
