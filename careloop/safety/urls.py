from django.urls import path

from careloop.safety import views

app_name = "safety"

urlpatterns = [
    path("", views.flag_list, name="flags"),
    path("flags/<int:flag_id>/<slug:decision>/", views.flag_decide, name="flag_decide"),
    path("pages/<int:page_id>/ack/", views.page_ack, name="page_ack"),
    path("rota/<int:facility_id>/", views.rota, name="rota"),
    path("rota/<int:facility_id>/entries/", views.rota_add, name="rota_add"),
    path(
        "rota/<int:facility_id>/entries/<int:entry_id>/active/",
        views.rota_entry_active,
        name="rota_entry_active",
    ),
    path("rota/<int:facility_id>/settings/", views.rota_settings, name="rota_settings"),
]
