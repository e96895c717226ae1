"""Public pages: no sign-in. Codes in the paths are printed on posters; status tokens are secret."""

from django.urls import path

from careloop.intake import views

app_name = "intake"

urlpatterns = [
    path("f/<str:code>/", views.facility_form, name="facility"),
    path("u/<str:code>/", views.unit_form, name="unit"),
    path("k/<str:code>/", views.kiosk_form, name="kiosk"),
    path("thanks/", views.confirmation, name="confirmation"),
    path("s/<str:token>/", views.status, name="status"),
    path("prefs/", views.display_prefs, name="prefs"),
]
