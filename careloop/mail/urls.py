from django.urls import URLPattern, URLResolver, path

from careloop.mail import views

app_name = "mail"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.mailbox_list, name="mailboxes"),
    path("facilities/<int:facility_id>/", views.mailbox_edit, name="mailbox"),
    path("facilities/<int:facility_id>/test/", views.mailbox_check, name="mailbox_test"),
    path(
        "cases/<int:case_id>/attachments/<int:attachment_id>/",
        views.attachment_download,
        name="attachment",
    ),
]
