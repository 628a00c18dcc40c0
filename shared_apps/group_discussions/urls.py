"""The pages of a group's "Discussions" and "Questions" tabs: one URLconf, included once per tab by the
shared space's URLconf (``govsquare.urls_public``)::

    /groups/<slug>/discussions/...   namespace "group_discussions", kind "discussion"
    /groups/<slug>/questions/...     namespace "group_questions",   kind "question"

Both instances share the application namespace ``group_discussions``: a template's
``{% url "group_discussions:detail" ... %}`` points into the tab being shown (Django picks the current
instance), and Python code names the instance of a kind (``models.NAMESPACES``).
"""

from django.urls import path

from shared_apps.group_discussions import views

app_name = "group_discussions"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/delete/", views.delete, name="delete"),
    path("<int:pk>/reply/", views.reply, name="reply"),
    path("<int:pk>/answer/", views.answer, name="answer"),
    path("<int:pk>/replies/<int:reply_pk>/edit/", views.reply_edit, name="reply_edit"),
    path("<int:pk>/replies/<int:reply_pk>/delete/", views.reply_delete, name="reply_delete"),
]
