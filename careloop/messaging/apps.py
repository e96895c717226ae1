from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "careloop.messaging"
    label = "messaging"
    default_auto_field = "django.db.models.BigAutoField"
