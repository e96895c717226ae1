"""/c/: answer links from check-back emails (public; tokens are secret) and the settings page."""

from django.urls import path

from careloop.followups import views

app_name = "followups"

urlpatterns = [
    path("settings/", views.settings_page, name="settings"),
    path("<str:token>/thanks/", views.thanks, name="thanks"),
    path("<str:token>/<str:answer>/", views.answer, name="answer"),
]
