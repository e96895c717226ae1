"""/sms/: the provider's webhooks (signed), texting from the case page, facility numbers."""

from django.urls import URLPattern, URLResolver, path

from careloop.sms import views

app_name = "sms"
urlpatterns: list[URLPattern | URLResolver] = [
    path("inbound/", views.inbound, name="inbound"),
    path("status/", views.status, name="status"),
    path("voicemail/", views.voicemail, name="voicemail"),
    path("cases/<int:case_id>/send/", views.case_send, name="case_send"),
    path("numbers/", views.numbers, name="numbers"),
    path("numbers/new/", views.number_edit, name="number_new"),
    path("numbers/<int:number_id>/", views.number_edit, name="number_edit"),
]
