from django.urls import path, re_path

from careloop.insights import views

app_name = "insights"

urlpatterns = [
    path("", views.index, name="index"),
    path("facilities/<int:facility_id>/", views.facility, name="facility"),
    path(
        "facilities/<int:facility_id>/grievance-log.csv",
        views.grievance_log,
        name="grievance_log",
    ),
    path(
        "facilities/<int:facility_id>/<slug:table>.csv",
        views.facility_export,
        name="facility_export",
    ),
    re_path(
        r"^facilities/(?P<facility_id>[0-9]+)/report-(?P<month>[0-9]{4}-[0-9]{2})\.pdf$",
        views.facility_report,
        name="facility_report",
    ),
    path("units/<int:unit_id>/", views.unit, name="unit"),
    path("units/<int:unit_id>/<slug:table>.csv", views.unit_export, name="unit_export"),
    path("exposure/", views.exposure_import, name="exposure"),
    path("alerts/<int:alert_id>/acknowledge/", views.alert_ack, name="alert_ack"),
]
