from django.urls import path, register_converter

from journal.converters import IdConverter, IsoDateConverter
from journal.views import (
    account_data,
    accounts,
    changes,
    children,
    data,
    entries,
    events,
    items,
    settings,
    share,
    summary,
    team,
    treatments,
    trends,
)

register_converter(IsoDateConverter, "day")
register_converter(IdConverter, "id")

child = "children/<id:child_id>/"

urlpatterns = [
    path("", children.home, name="home"),
    path("accounts/signup/", accounts.signup, name="signup"),
    path("accounts/profile/", accounts.profile, name="profile"),
    path("accounts/download/", account_data.account_download, name="account_download"),
    path("accounts/delete/", account_data.account_delete, name="account_delete"),
    path("children/add/", children.child_add, name="child_add"),
    path(child, children.child_detail, name="child_detail"),
    path(child + "edit/", children.child_edit, name="child_edit"),
    path(child + "trends/", trends.trends_page, name="trends"),
    path(child + "trends/<slug:kind>.svg", trends.chart, name="chart"),
    path(child + "trends/<slug:kind>/table/", trends.chart_table, name="chart_table"),
    path(child + "summary/", summary.summary_page, name="summary"),
    path(child + "summary.pdf", summary.summary_pdf_download, name="summary_pdf"),
    path(child + "today/", entries.entry_today, name="entry_today"),
    path(child + "entries/", entries.entry_list, name="entry_list"),
    path(child + "entries/<day:day>/", entries.entry_form, name="entry_form"),
    path(child + "events/", events.event_list, name="event_list"),
    path(child + "events/add/", events.event_add, name="event_add"),
    path(child + "events/<id:pk>/edit/", events.event_edit, name="event_edit"),
    path(child + "events/<id:pk>/delete/", events.event_delete, name="event_delete"),
    path(child + "treatments/", treatments.treatment_list, name="treatment_list"),
    path(child + "treatments/add/", treatments.treatment_add, name="treatment_add"),
    path(child + "treatments/<id:pk>/edit/", treatments.treatment_edit, name="treatment_edit"),
    path(
        child + "treatments/<id:pk>/delete/",
        treatments.treatment_delete,
        name="treatment_delete",
    ),
    path(child + "items/", items.item_list, name="item_list"),
    path(child + "items/<id:pk>/edit/", items.item_edit, name="item_edit"),
    path(child + "changes/", changes.change_list, name="change_list"),
    path(child + "relapse-rule/", settings.relapse_settings, name="relapse_settings"),
    path(child + "team/", team.team, name="team"),
    path(
        child + "team/invitations/<id:pk>/revoke/",
        team.invitation_revoke,
        name="invitation_revoke",
    ),
    path(child + "team/members/<id:pk>/role/", team.membership_role, name="membership_role"),
    path(
        child + "team/members/<id:pk>/remove/",
        team.membership_remove,
        name="membership_remove",
    ),
    path(child + "share/", share.share_links, name="share_links"),
    path(
        child + "share/<id:pk>/openings/",
        share.share_link_openings,
        name="share_link_openings",
    ),
    path(child + "share/<id:pk>/revoke/", share.share_link_revoke, name="share_link_revoke"),
    path(child + "data/", data.data_page, name="data_page"),
    path(child + "data/download/<slug:kind>/", data.data_download, name="data_download"),
    path(child + "data/import/", data.data_import, name="data_import"),
    path(child + "data/import/confirm/", data.data_import_confirm, name="data_import_confirm"),
    path("invitations/<str:token>/", team.invitation_accept, name="invitation_accept"),
    path("shared/<str:token>/", share.shared_summary, name="shared_summary"),
    path("shared/<str:token>/summary.pdf", share.shared_summary_pdf, name="shared_summary_pdf"),
]
