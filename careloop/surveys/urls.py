"""/q/: survey links (public; tokens are secret), opt-out links, and the staff screens: instruments
and their builder, survey settings, results and exports, the encounter import."""

from django.urls import path

from careloop.surveys import builder_views, public_views, results_views, views

app_name = "surveys"

urlpatterns = [
    path("instruments/", builder_views.instruments, name="instruments"),
    path("instruments/new/", builder_views.instrument_new, name="instrument_new"),
    path("instruments/clone/", builder_views.instrument_clone, name="instrument_clone"),
    path("instruments/<int:instrument_id>/", builder_views.instrument_page, name="instrument"),
    path("instruments/<int:instrument_id>/configure/", builder_views.configure, name="configure"),
    path("instruments/<int:instrument_id>/items/", builder_views.item_add, name="item_add"),
    path(
        "instruments/<int:instrument_id>/items/<int:position>/",
        builder_views.item_edit,
        name="item_edit",
    ),
    path(
        "instruments/<int:instrument_id>/items/<int:position>/move/",
        builder_views.item_move,
        name="item_move",
    ),
    path(
        "instruments/<int:instrument_id>/items/<int:position>/remove/",
        builder_views.item_remove,
        name="item_remove",
    ),
    path("instruments/<int:instrument_id>/publish/", builder_views.publish, name="publish"),
    path("instruments/<int:instrument_id>/discard/", builder_views.discard, name="discard"),
    path("settings/", builder_views.settings_page, name="settings"),
    path("results/<int:instrument_id>/", results_views.results, name="results"),
    path(
        "results/<int:instrument_id>/export.<str:file_format>",
        results_views.results_export,
        name="results_export",
    ),
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
