from django.apps import AppConfig


class TextConfig(AppConfig):
    name = "careloop.text"
    label = "text"
    default_auto_field = "django.db.models.BigAutoField"
