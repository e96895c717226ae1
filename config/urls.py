from django.urls import include, path

from careloop.web.urls import auth_urlpatterns

urlpatterns = [
    *auth_urlpatterns,
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("careloop.intake.urls")),
    path("", include("careloop.web.urls")),
    path("safety/", include("careloop.safety.urls")),
    path("recovery/", include("careloop.recovery.urls")),
    path("c/", include("careloop.followups.urls")),
    path("letters/", include("careloop.letters.urls")),
    path("q/", include("careloop.surveys.urls")),
    path("insights/", include("careloop.insights.urls")),
    path("text/", include("careloop.text.urls")),
    path("mail/", include("careloop.mail.urls")),
    path("sms/", include("careloop.sms.urls")),
    path("webhooks/", include("careloop.webhooks.urls")),
    path("imports/", include("careloop.imports.urls")),
    path("api/", include("careloop.api.urls")),
]
