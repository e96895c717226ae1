"""/api/: version 1 of the REST API (operations, /api/v1/openapi.json, /api/v1/docs) and the
administrators' token screen."""

from django.urls import URLPattern, URLResolver, include, path, re_path
from django.views.decorators.csrf import csrf_exempt

from careloop.api import views
from careloop.api.api import api
from careloop.api.calls import audited_patterns, not_found

app_name = "api"

_patterns, _app, _namespace = api.urls
urlpatterns: list[URLPattern | URLResolver] = [
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("v1/", include((audited_patterns(_patterns), "v1"))),
    re_path(r"^v1/(?P<rest>.*)$", csrf_exempt(not_found), name="not_found"),
]
