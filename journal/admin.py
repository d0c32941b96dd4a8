"""The Django admin, for staff: look after accounts and care teams, and look into a family's data.

Every changelist selects the related rows it shows (list_select_related, or a subquery count), so
its number of queries stays the same however many rows a page holds.
"""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from journal import analysis, services
from journal.models import (
    Child,
    DailyEntry,
    DoseChange,
    Invitation,
    ItemRating,
    Membership,
    RelapseSettings,
    ShareLink,
    ShareOpening,
    TrackedItem,
    TreatmentCourse,
    TriggerEvent,
)

admin.site.site_header = _("OMS Journal administration")
admin.site.site_title = _("OMS Journal admin")
admin.site.index_title = _("Accounts, care teams and diaries")

User = get_user_model()


def count_of(model, field: str = "child") -> Coalesce:
    """How many `model` rows point at the outer row: a subquery, so no join and no GROUP BY."""
    rows = (
        model.objects.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


class JournalRecordAdmin(admin.ModelAdmin):
    """Staff edits of an entry, event or course go through the caregivers' services: stamped
    with the staff member, their version raised (so a caregiver's open form sees the change
    as a conflict) and recorded in the change history.

    The record and its inline rows (item ratings, dose changes) are saved together, in
    save_related, so that the history holds them as one change.
    """

    def save_model(self, request, obj, form, change):
        pass  # saved with its inline rows, in save_related

    def save_related(self, request, form, formsets, change):
        inline = formsets[0] if formsets else None
        rows = inline.save(commit=False) if inline else []
        removed = inline.deleted_objects if inline else []
        self.save_record(form.instance, request.user, rows, removed)
        form.save_m2m()

    def save_record(self, obj, user, rows, removed) -> None:
        raise NotImplementedError

    def delete_model(self, request, obj):
        self.delete_record(obj, request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_record(obj, request.user)

    def delete_record(self, obj, user) -> None:
        raise NotImplementedError


# ---------------------------------------------------------------------------------------------
# Children and their care teams


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("user", "role", "joined_at")
    readonly_fields = ("joined_at",)
    autocomplete_fields = ("user",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "child")


class TrackedItemInline(admin.TabularInline):
    """Saved and deleted through the services (ChildAdmin.save_formset)."""

    model = TrackedItem
    extra = 0
    fields = ("name", "anchor_0", "anchor_1", "anchor_2", "anchor_3", "active")


class RelapseSettingsInline(admin.StackedInline):
    """The family's own possible-relapse rule, read-only: owners change it on the child's page
    "How possible relapses are flagged", and the change history records it. No row: the
    defaults."""

    model = RelapseSettings
    fields = (*analysis.RULE_FIELDS, "updated_by", "updated_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class InvitationInline(admin.TabularInline):
    """Invitations, read-only: the token is never stored, and its hash is not shown."""

    model = Invitation
    extra = 0
    fields = ("role", "note", "status", "created_by", "created_at", "expires_at", "accepted_by")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by", "accepted_by")

    @admin.display(description=_("status"))
    def status(self, obj: Invitation) -> str:
        return obj.status

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Child)
class ChildAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "birth_date",
        "diagnosis_date",
        "tumour_found",
        "time_zone",
        "team_size",
        "entry_count",
        "created_at",
    )
    list_filter = ("tumour_found", "time_zone")
    search_fields = ("name", "memberships__user__username", "memberships__user__email")
    readonly_fields = ("created_at", "data_version")
    inlines = (MembershipInline, InvitationInline, TrackedItemInline, RelapseSettingsInline)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(team_size=count_of(Membership), entry_count=count_of(DailyEntry))
        )

    def save_model(self, request, obj, form, change):
        """A change of the child's details goes through the service, which raises data_version;
        a new child is saved as it is (its journal is empty)."""
        if change:
            services.child_update(child=obj)
        else:
            super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        if formset.model is not TrackedItem:
            super().save_formset(request, form, formset, change)
            return
        for item in formset.save(commit=False):
            services.tracked_item_save(item=item)
        for item in formset.deleted_objects:
            services.tracked_item_delete(item=item)

    @admin.display(description=_("care team"), ordering="team_size")
    def team_size(self, obj: Child) -> int:
        return obj.team_size

    @admin.display(description=_("daily entries"), ordering="entry_count")
    def entry_count(self, obj: Child) -> int:
        return obj.entry_count


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "child", "role", "joined_at")
    list_filter = ("role",)
    list_select_related = ("user", "child")
    search_fields = ("user__username", "user__email", "child__name")
    autocomplete_fields = ("user", "child")
    readonly_fields = ("joined_at",)


class TokenLinkAdmin(admin.ModelAdmin):
    """Links that caregivers make, whose token was shown to them once (only its hash is kept):
    staff read them and may revoke them, never make one. A subclass says which of a queryset
    still work (`working`) and revokes one through its service (`revoke_one`)."""

    actions = ("revoke",)

    @admin.display(description=_("status"))
    def status(self, obj) -> str:
        return obj.status

    def has_add_permission(self, request) -> bool:
        return False

    def working(self, queryset: QuerySet) -> QuerySet:
        raise NotImplementedError

    def revoke_one(self, obj, user) -> None:
        raise NotImplementedError

    @admin.action(description=_("Revoke the selected links"), permissions=["change"])
    def revoke(self, request, queryset: QuerySet) -> None:
        working = list(self.working(queryset))
        for obj in working:
            self.revoke_one(obj, request.user)
        self.message_user(
            request,
            _("Revoked %(revoked)s; %(left)s no longer worked.")
            % {"revoked": len(working), "left": queryset.count() - len(working)},
            messages.SUCCESS,
        )


class InvitationStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [(s, s.capitalize()) for s in ("pending", "accepted", "revoked", "expired")]

    def queryset(self, request, queryset):
        now = timezone.now()
        match self.value():
            case "pending":
                return queryset.pending()
            case "accepted":
                return queryset.filter(accepted_at__isnull=False)
            case "revoked":
                return queryset.filter(accepted_at__isnull=True, revoked_at__isnull=False)
            case "expired":
                return queryset.filter(
                    accepted_at__isnull=True, revoked_at__isnull=True, expires_at__lte=now
                )
        return queryset


@admin.register(Invitation)
class InvitationAdmin(TokenLinkAdmin):
    """Invitations are made by caregivers (the token is shown to them once); staff can revoke."""

    list_display = ("child", "role", "note", "status", "created_by", "created_at", "expires_at")
    list_filter = (InvitationStatusFilter, "role")
    list_select_related = ("child", "created_by")
    search_fields = ("child__name", "note", "created_by__username")
    fields = (
        "child",
        "role",
        "note",
        "status",
        "created_by",
        "created_at",
        "expires_at",
        "accepted_by",
        "accepted_at",
        "revoked_at",
    )
    readonly_fields = fields

    def working(self, queryset: QuerySet[Invitation]) -> QuerySet[Invitation]:
        return queryset.pending()

    def revoke_one(self, obj: Invitation, user) -> None:
        services.invitation_revoke(invitation=obj)


class ShareLinkStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [(s, s.capitalize()) for s in ("valid", "revoked", "expired")]

    def queryset(self, request, queryset):
        match self.value():
            case "valid":
                return queryset.valid()
            case "revoked":
                return queryset.filter(revoked_at__isnull=False)
            case "expired":
                return queryset.filter(revoked_at__isnull=True, expires_at__lte=timezone.now())
        return queryset


class ShareOpeningInline(admin.TabularInline):
    """When the link was opened, and whether the page or the PDF: a record, never edited."""

    model = ShareOpening
    extra = 0
    fields = ("at", "kind")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ShareLink)
class ShareLinkAdmin(TokenLinkAdmin):
    """Links to a child's visit summary, made by its owners, with each time one was opened."""

    list_display = ("child", "note", "status", "first", "last", "created_at", "expires_at")
    list_filter = (ShareLinkStatusFilter,)
    list_select_related = ("child",)
    search_fields = ("child__name", "note", "created_by__username")
    fields = (
        "child",
        "note",
        "first",
        "last",
        "status",
        "created_by",
        "created_at",
        "expires_at",
        "revoked_at",
    )
    readonly_fields = fields
    inlines = (ShareOpeningInline,)

    def working(self, queryset: QuerySet[ShareLink]) -> QuerySet[ShareLink]:
        return queryset.valid()

    def revoke_one(self, obj: ShareLink, user) -> None:
        services.share_link_revoke(link=obj, user=user)


# ---------------------------------------------------------------------------------------------
# The diary


class ItemRatingInline(admin.TabularInline):
    model = ItemRating
    extra = 0
    verbose_name = "extra item rating"


@admin.register(DailyEntry)
class DailyEntryAdmin(JournalRecordAdmin):
    list_display = ("child", "date", "score", "created_by", "updated_by")
    list_filter = ("date", "child")
    list_select_related = ("child", "created_by", "updated_by")
    search_fields = ("child__name", "notes", "question")
    date_hierarchy = "date"
    autocomplete_fields = ("child",)
    readonly_fields = ("created_by", "updated_by", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("child", "date")}),
        (_("Core items (0-3)"), {"fields": ("opsoclonus", "myoclonus", "ataxia", "sleep", "rage")}),
        (
            _("Details"),
            {
                "fields": (
                    "sleep_hours",
                    "night_wakings",
                    "rage_episodes",
                    "rage_longest_minutes",
                    "max_temperature_c",
                    "doses",
                )
            },
        ),
        (_("Notes"), {"fields": ("notes", "question")}),
        (_("Record"), {"fields": readonly_fields}),
    )

    inlines = (ItemRatingInline,)

    def save_record(self, obj, user, rows, removed) -> None:
        ratings = {rating.item: rating.value for rating in rows}
        ratings.update({rating.item: None for rating in removed})
        services.entry_save(entry=obj, user=user, item_values=ratings)

    def delete_record(self, obj, user) -> None:
        services.entry_delete(entry=obj, user=user)

    @admin.display(description=_("daily score"))
    def score(self, obj: DailyEntry) -> int | None:
        return obj.score


@admin.register(TriggerEvent)
class TriggerEventAdmin(JournalRecordAdmin):
    list_display = ("child", "type", "start_date", "end_date", "detail", "created_by")
    list_filter = ("type", "start_date")
    list_select_related = ("child", "created_by")
    search_fields = ("child__name", "notes", "vaccine", "procedure", "drug", "pathogen")
    date_hierarchy = "start_date"
    autocomplete_fields = ("child",)
    readonly_fields = ("created_by", "updated_by", "created_at", "updated_at")

    def save_record(self, obj, user, rows, removed) -> None:
        services.event_save(event=obj, user=user)

    def delete_record(self, obj, user) -> None:
        services.event_delete(event=obj, user=user)


class DoseChangeInline(admin.TabularInline):
    model = DoseChange
    extra = 0
    fields = ("date", "dose", "note")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("course")


@admin.register(TreatmentCourse)
class TreatmentCourseAdmin(JournalRecordAdmin):
    list_display = (
        "child",
        "drug_name",
        "purpose",
        "regimen",
        "dose_with_unit",
        "route",
        "start_date",
        "end_date",
    )
    list_filter = ("drug", "purpose", "regimen")
    list_select_related = ("child",)
    search_fields = ("child__name", "drug_other", "notes")
    date_hierarchy = "start_date"
    autocomplete_fields = ("child",)
    readonly_fields = ("created_by", "updated_by", "created_at", "updated_at")
    inlines = (DoseChangeInline,)

    def save_record(self, obj, user, rows, removed) -> None:
        services.treatment_save(course=obj, user=user, changes=rows, removed=removed)

    def delete_record(self, obj, user) -> None:
        services.treatment_delete(course=obj, user=user)

    @admin.display(description=_("drug"), ordering="drug")
    def drug_name(self, obj: TreatmentCourse) -> str:
        return obj.drug_name

    @admin.display(description=_("starting dose"), ordering="dose")
    def dose_with_unit(self, obj: TreatmentCourse) -> str:
        return f"{obj.dose.normalize():f} {obj.get_unit_display()}"


# ---------------------------------------------------------------------------------------------
# Accounts


class UserMembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    fields = ("child", "role", "joined_at")
    readonly_fields = ("joined_at",)
    autocomplete_fields = ("child",)
    verbose_name = "care team place"
    verbose_name_plural = "care teams"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("child", "user")


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = (*BaseUserAdmin.list_display, "is_active", "child_count", "last_login")
    inlines = (*BaseUserAdmin.inlines, UserMembershipInline)
    actions = ("deactivate", "reactivate")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(child_count=count_of(Membership, "user"))

    @admin.display(description=_("children"), ordering="child_count")
    def child_count(self, obj) -> int:
        return obj.child_count

    @admin.action(description=_("Deactivate selected accounts"), permissions=["change"])
    def deactivate(self, request, queryset) -> None:
        if queryset.filter(pk=request.user.pk).exists():
            self.message_user(request, _("Your own account was left active."), messages.WARNING)
        changed = (
            queryset.exclude(pk=request.user.pk).filter(is_active=True).update(is_active=False)
        )
        self.message_user(
            request,
            _("Deactivated %(count)s account(s). They can no longer log in; their data are kept.")
            % {"count": changed},
            messages.SUCCESS,
        )

    @admin.action(description=_("Reactivate selected accounts"), permissions=["change"])
    def reactivate(self, request, queryset) -> None:
        changed = queryset.filter(is_active=False).update(is_active=True)
        self.message_user(
            request, _("Reactivated %(count)s account(s).") % {"count": changed}, messages.SUCCESS
        )
