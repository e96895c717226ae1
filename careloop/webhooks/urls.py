"""/webhooks/: the administrators' subscriptions, delivery logs and test events."""

from django.urls import URLPattern, URLResolver, path

from careloop.webhooks import views

app_name = "webhooks"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.subscriptions, name="subscriptions"),
    path("new/", views.subscription_edit, name="subscription_new"),
    path("<int:subscription_id>/", views.subscription_log, name="subscription_log"),
    path("<int:subscription_id>/edit/", views.subscription_edit, name="subscription_edit"),
    path("<int:subscription_id>/test/", views.subscription_test, name="subscription_test"),
    path("<int:subscription_id>/secret/", views.subscription_secret, name="subscription_secret"),
]
