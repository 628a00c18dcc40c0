"""The groups pages, included under ``/groups/`` by the shared space's URLconf (``govsquare.urls_public``),
which also includes each content app's tab under its key (``/groups/<slug>/<tab>/``)."""

from django.urls import path

from shared_apps.groups.views import directory, group, invitations, manage, mentions

app_name = "groups"

urlpatterns = [
    path("", directory.directory, name="directory"),
    path("new/", directory.create, name="create"),
    path("invitations/<str:token>/", invitations.invitation, name="invitation"),
    path("reports/", manage.operator_reports, name="operator_reports"),
    path("<slug:slug>/", group.detail, name="detail"),
    path("<slug:slug>/picture/", group.picture, name="picture"),
    path("<slug:slug>/members/", group.members, name="members"),
    path("<slug:slug>/activity/", group.activity, name="activity"),
    path("<slug:slug>/mentions/", mentions.suggestions, name="mentions"),
    path("<slug:slug>/join/", group.join, name="join"),
    path("<slug:slug>/leave/", group.leave, name="leave"),
    path("<slug:slug>/request/", group.request_to_join, name="request"),
    path("<slug:slug>/report/<int:content_type_id>/<int:object_id>/", group.report, name="report"),
    path("<slug:slug>/manage/", manage.settings_page, name="manage"),
    path("<slug:slug>/manage/invite/", manage.invite, name="invite"),
    path(
        "<slug:slug>/manage/invitations/<int:invitation_id>/resend/", manage.invitation_resend, name="invitation_resend"
    ),
    path(
        "<slug:slug>/manage/invitations/<int:invitation_id>/withdraw/",
        manage.invitation_withdraw,
        name="invitation_withdraw",
    ),
    path("<slug:slug>/manage/requests/<int:request_id>/approve/", manage.request_approve, name="request_approve"),
    path("<slug:slug>/manage/requests/<int:request_id>/refuse/", manage.request_refuse, name="request_refuse"),
    path("<slug:slug>/manage/members/<uuid:account_id>/role/", manage.member_role, name="member_role"),
    path("<slug:slug>/manage/members/<uuid:account_id>/remove/", manage.member_remove, name="member_remove"),
    path("<slug:slug>/manage/members/<uuid:account_id>/owner/", manage.ownership_transfer, name="ownership_transfer"),
    path("<slug:slug>/manage/reports/<int:report_id>/dismiss/", manage.report_dismiss, name="report_dismiss"),
    path("<slug:slug>/moderate/<int:content_type_id>/<int:object_id>/hide/", manage.item_hide, name="item_hide"),
    path("<slug:slug>/moderate/<int:content_type_id>/<int:object_id>/remove/", manage.item_remove, name="item_remove"),
    path("<slug:slug>/archive/", manage.archive, name="archive"),
    path("<slug:slug>/delete/", manage.delete, name="delete"),
]
