from django.urls import path

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
    path("units/<int:unit_id>/", views.unit, name="unit"),
    path("units/<int:unit_id>/<slug:table>.csv", views.unit_export, name="unit_export"),
    path("exposure/", views.exposure_import, name="exposure"),
    path("alerts/<int:alert_id>/acknowledge/", views.alert_ack, name="alert_ack"),
]
