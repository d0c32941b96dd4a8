import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from journal import services, trends
from journal.access import membership_for, owner_membership_for
from journal.forms import ChildForm
from journal.models import DailyEntry, Membership, TreatmentCourse, TriggerEvent
from journal.pages import cached_page, page_key
from journal.scales import CORE_ITEMS
from journal.views.events import fever_offer

RECENT_DAYS = 14


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The children the caregiver follows, each with where they stand and today's entry or a
    button to log it."""
    memberships = list(
        Membership.objects.filter(user=request.user)
        .select_related("child", "child__relapse_settings")
        .order_by("child__name", "child__pk")
    )
    todays = {m.child_id: m.child.today() for m in memberships}
    logged = set(
        DailyEntry.objects.filter(child_id__in=todays, date__in=set(todays.values())).values_list(
            "child_id", "date"
        )
    )
    cards = [
        {
            "membership": m,
            "today": todays[m.child_id],
            "logged_today": (m.child_id, todays[m.child_id]) in logged,
            "status": trends.overview_for(m.child, todays[m.child_id]).status,
        }
        for m in memberships
    ]
    return render(request, "journal/home.html", {"cards": cards})


@login_required
@require_http_methods(["GET", "POST"])
def child_add(request: HttpRequest) -> HttpResponse:
    form = ChildForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        child = services.child_create(owner=request.user, **form.cleaned_data)
        messages.success(
            request,
            _("%(child)s's journal is ready. Log today when you can.") % {"child": child.name},
        )
        return redirect("child_detail", child_id=child.pk)
    return render(request, "journal/child_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def child_edit(request: HttpRequest, child_id: int) -> HttpResponse:
    membership = owner_membership_for(request, child_id)
    form = ChildForm(request.POST or None, instance=membership.child)
    if request.method == "POST" and form.is_valid():
        services.child_update(child=form.instance)
        messages.success(request, _("Saved."))
        return redirect("child_detail", child_id=child_id)
    return render(
        request,
        "journal/child_form.html",
        {"form": form, "membership": membership, "child": membership.child},
    )


def recent_days(child, today: datetime.date, entries: list[DailyEntry]) -> list[dict]:
    """The last fortnight, oldest first, each day with its entry or None for a gap.

    A journal started this week shows no gaps from before it began, unless days were logged then.
    """
    by_date = {entry.date: entry for entry in entries}
    started = min([child.created_at.astimezone(child.zone).date(), *by_date])
    first = max(today - datetime.timedelta(days=RECENT_DAYS - 1), child.birth_date, started)
    days = (first + datetime.timedelta(days=n) for n in range((today - first).days + 1))
    return [{"date": day, "entry": by_date.get(day)} for day in days]


@login_required
@require_GET
@never_cache  # going Back to it after a save must show the save
def child_detail(request: HttpRequest, child_id: int) -> HttpResponse:
    """A child's dashboard: where the child stands, today, the last weeks, treatments going on,
    recent triggers."""
    membership = membership_for(request, child_id)
    today = membership.child.today()
    return cached_page(
        request,
        "journal/child_detail.html",
        page_key(request, membership, today),
        lambda: dashboard_context(membership, today),
    )


def dashboard_context(membership: Membership, today: datetime.date) -> dict:
    child = membership.child
    entries = list(
        DailyEntry.objects.for_child(child).between(
            today - datetime.timedelta(days=RECENT_DAYS - 1), today
        )
    )
    overview = trends.overview_for(child, today)
    since = today - datetime.timedelta(days=RECENT_DAYS - 1)
    fevers = [
        fever_offer(child.pk, trigger)
        for trigger in trends.history_for(child).triggers
        if trigger.from_entries and trigger.last_date >= since
    ]
    logged = len(trends.history_for(child).days)  # read with the overview, from the cache
    today_entry = next((e for e in entries if e.date == today), None)
    return {
        "membership": membership,
        "child": child,
        "today": today,
        "today_entry": today_entry,
        "logged_total": logged,
        # A journal too young for charts: first steps in their place, not empty charts.
        "first_steps": first_steps(membership, today_entry)
        if logged < overview.rule.min_logged_days
        else None,
        "recent": recent_days(child, today, entries),
        "logged_recent": len(entries),
        "overview": overview,
        "ongoing_episode": overview.episodes[-1] if overview.status.kind == "relapse" else None,
        "comparison": comparison_rows(overview),
        "chart": trends.dashboard_chart(child, today),
        "treatments": TreatmentCourse.objects.for_child(child).ongoing_on(today),
        "events": TriggerEvent.objects.for_child(child)[:5],
        "entry_fevers": fevers,
    }


def first_steps(membership: Membership, today_entry) -> list[dict] | None:
    """What a new family does first, each with whether it is done; None for a viewer."""
    if not membership.can_write:
        return None
    child = membership.child
    steps = [
        {
            "done": today_entry is not None,
            "url": reverse("entry_today", args=[child.pk]),
            "label": _("Rate today"),
            "help": _("A minute each evening: five ratings, and details if you have them."),
        },
        {
            "done": TreatmentCourse.objects.for_child(child).exists(),
            "url": reverse("treatment_add", args=[child.pk]),
            "label": _("Add the treatments going on now"),
            "help": _("With their doses, so that the charts show them beside the scores."),
        },
        {
            "done": None,  # an offer, never a task left undone
            "url": reverse("data_page", args=[child.pk]),
            "label": _("Import a paper diary or a spreadsheet"),
            "help": _("Days kept before bring the usual level and the charts sooner."),
        },
    ]
    if membership.is_owner:
        steps.append(
            {
                "done": child.memberships.count() > 1,
                "url": reverse("team", args=[child.pk]),
                "label": _("Invite the other parent or a carer"),
                "help": _("Each logs on their own phone; the journal is the same."),
            }
        )
    return steps


def comparison_rows(overview: trends.Overview) -> list[dict]:
    """The daily score and each core item: the last 7 days' mean against the 28 days before."""
    rows = [
        {
            "label": _("Daily score (0-15)"),
            "recent": overview.recent.score,
            "before": overview.before.score,
        }
    ]
    for item in CORE_ITEMS:
        rows.append(
            {
                "label": f"{item.label} (0-3)",
                "recent": overview.recent.items[item.field],
                "before": overview.before.items[item.field],
            }
        )
    return rows
