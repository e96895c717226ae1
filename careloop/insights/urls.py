from django.urls import path, re_path

from careloop.insights import views, views_exports, views_staff, views_tasks

app_name = "insights"

XLSX = {"fmt": "xlsx"}

urlpatterns = [
    path("", views.index, name="index"),
    path("facilities/<int:facility_id>/", views.facility, name="facility"),
    path(
        "facilities/<int:facility_id>/grievance-log.csv",
        views_exports.grievance_log,
        name="grievance_log",
    ),
    path(
        "facilities/<int:facility_id>/grievance-log.xlsx",
        views_exports.grievance_log,
        XLSX,
        name="grievance_log_xlsx",
    ),
    path("facilities/<int:facility_id>/staff/", views_staff.staff_hotspots, name="staff"),
    path("facilities/<int:facility_id>/staff.csv", views_staff.staff_export, name="staff_export"),
    path(
        "facilities/<int:facility_id>/staff.xlsx",
        views_staff.staff_export,
        XLSX,
        name="staff_export_xlsx",
    ),
    re_path(
        r"^facilities/(?P<facility_id>[0-9]+)/annual-(?P<year>[0-9]{4})-(?P<report>nhs|cqc)"
        r"\.(?P<fmt>csv|xlsx)$",
        views_exports.annual_report,
        name="annual_report",
    ),
    path(
        "facilities/<int:facility_id>/<slug:table>.csv",
        views_exports.facility_export,
        name="facility_export",
    ),
    path(
        "facilities/<int:facility_id>/<slug:table>.xlsx",
        views_exports.facility_export,
        XLSX,
        name="facility_export_xlsx",
    ),
    re_path(
        r"^facilities/(?P<facility_id>[0-9]+)/report-(?P<month>[0-9]{4}-[0-9]{2})\.pdf$",
        views.facility_report,
        name="facility_report",
    ),
    path("units/<int:unit_id>/", views.unit, name="unit"),
    path("units/<int:unit_id>/<slug:table>.csv", views_exports.unit_export, name="unit_export"),
    path(
        "units/<int:unit_id>/<slug:table>.xlsx",
        views_exports.unit_export,
        XLSX,
        name="unit_export_xlsx",
    ),
    path("exposure/", views.exposure_import, name="exposure"),
    path("alerts/<int:alert_id>/acknowledge/", views.alert_ack, name="alert_ack"),
    path("alerts/<int:alert_id>/task/", views_tasks.task_open, name="task_open"),
    path("tasks/", views_tasks.task_list, name="tasks"),
    path("tasks/<int:task_id>/", views_tasks.task_update, name="task_update"),
]
