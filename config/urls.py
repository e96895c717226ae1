from django.urls import include, path

from careloop.web.urls import auth_urlpatterns

urlpatterns = [
    *auth_urlpatterns,
    path("", include("careloop.intake.urls")),
    path("", include("careloop.web.urls")),
]
