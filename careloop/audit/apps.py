from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "careloop.audit"
    label = "audit"
    default_auto_field = "django.db.models.BigAutoField"
