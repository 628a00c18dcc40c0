"""The "Members" screens, registered in the Wagtail admin by ``wagtail_hooks`` (under ``/admin/members/``)."""

from django.urls import path

from tenant_apps.members import admin_views

urlpatterns = [
    path("members/", admin_views.index, name="members_index"),
    path("members/invitations/", admin_views.invite, name="members_invite"),
    path("members/invitations/<int:invitation_id>/resend/", admin_views.resend, name="members_invitation_resend"),
    path("members/invitations/<int:invitation_id>/revoke/", admin_views.revoke, name="members_invitation_revoke"),
    path("members/requests/<int:request_id>/approve/", admin_views.approve, name="members_request_approve"),
    path("members/requests/<int:request_id>/refuse/", admin_views.refuse, name="members_request_refuse"),
    path("members/<int:user_id>/role/", admin_views.change_role, name="members_change_role"),
    path("members/<int:user_id>/remove/", admin_views.remove, name="members_remove"),
]
