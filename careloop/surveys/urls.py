"""/q/: survey links (public; tokens are secret), opt-out links and the staff results page."""

from django.urls import path

from careloop.surveys import public_views, results_views, views

app_name = "surveys"

urlpatterns = [
    path("results/<int:instrument_id>/", results_views.results, name="results"),
    path("import/", views.encounters_import, name="import"),
    path("u/<str:code>/<int:instrument_id>/", public_views.unit_survey, name="unit"),
    path(
        "u/<str:code>/<int:instrument_id>/thanks/",
        public_views.unit_survey_thanks,
        name="unit_thanks",
    ),
    path("k/<str:code>/<int:instrument_id>/", public_views.kiosk_survey, name="kiosk"),
    path(
        "k/<str:code>/<int:instrument_id>/thanks/",
        public_views.kiosk_survey_thanks,
        name="kiosk_thanks",
    ),
    path("optout/<str:token>/", views.optout, name="optout"),
    path("<str:token>/thanks/", views.thanks, name="thanks"),
    path("<str:token>/", views.respond, name="respond"),
]
