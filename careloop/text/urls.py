from django.urls import path

from careloop.text import views

app_name = "text"

urlpatterns = [
    path(
        "suggestions/<int:suggestion_id>/accept/",
        views.suggestion_accept_view,
        name="suggestion_accept",
    ),
    path(
        "cases/<int:case_id>/codebooks/<int:codebook_id>/correct/",
        views.coding_correct_view,
        name="coding_correct",
    ),
    path("cases/<int:case_id>/link/", views.case_link_view, name="case_link"),
    path("facilities/<int:facility_id>/emerging/", views.emerging, name="emerging"),
    path("models/", views.model_list, name="models"),
    path("models/<int:version_id>/", views.model_detail, name="model"),
    path("codebooks/", views.codebook_list, name="codebooks"),
    path("codebooks/<int:codebook_id>/", views.codebook_detail, name="codebook"),
]
