from django.apps import AppConfig


class FollowupsConfig(AppConfig):
    name = "careloop.followups"
    label = "followups"
    default_auto_field = "django.db.models.BigAutoField"
