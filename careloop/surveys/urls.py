"""/q/: survey links (public; tokens are secret), opt-out links and the staff results page."""

from django.urls import path

from careloop.surveys import results_views, views

app_name = "surveys"

urlpatterns = [
    path("results/<int:instrument_id>/", results_views.results, name="results"),
    path("import/", views.encounters_import, name="import"),
    path("optout/<str:token>/", views.optout, name="optout"),
    path("<str:token>/thanks/", views.thanks, name="thanks"),
    path("<str:token>/", views.respond, name="respond"),
]
