"""/imports/: historical case imports (administrators)."""

from django.urls import URLPattern, URLResolver, path

from careloop.imports import views

app_name = "imports"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("upload/", views.upload, name="upload"),
    path("<int:batch_id>/", views.batch_page, name="batch"),
    path("<int:batch_id>/mapping/", views.mapping, name="mapping"),
    path("<int:batch_id>/import/", views.run, name="run"),
    path("<int:batch_id>/discard/", views.discard, name="discard"),
]
