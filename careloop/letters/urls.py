from django.urls import path

from careloop.letters import views

app_name = "letters"

urlpatterns = [
    path("cases/<int:case_id>/draft.pdf", views.letter_preview, name="preview"),
    path(
        "cases/<int:case_id>/issued/<int:letter_id>.pdf",
        views.issued_letter_download,
        name="issued",
    ),
]
