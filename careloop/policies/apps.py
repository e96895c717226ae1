from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "careloop.policies"
    label = "policies"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Load and validate every shipped pack at start: a pack with an error stops Careloop
        # with a message naming the file and the row (packs.PackError).
        from careloop.policies.packs import shipped_packs

        shipped_packs()
