from django.urls import path

from careloop.insights import views

app_name = "insights"

urlpatterns = [
    path("", views.index, name="index"),
    path("facilities/<int:facility_id>/", views.facility, name="facility"),
    path("exposure/", views.exposure_import, name="exposure"),
    path("alerts/<int:alert_id>/acknowledge/", views.alert_ack, name="alert_ack"),
]
