"""Organization -> Facility -> Unit, the staff directory, user accounts and their scoped roles."""

from __future__ import annotations

import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q


class Organization(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    reference_prefix = models.CharField(
        max_length=6, default="CL", help_text="Letters that start every case reference."
    )
    clock_overrides = models.JSONField(
        default=dict,
        blank=True,
        help_text='Durations that replace a pack\'s, keyed "pack:clock", '
        'e.g. {"house.standard:acknowledge_1wd": 2}.',
    )
    mfa_required = models.BooleanField(
        default=False,
        help_text="Everyone must set up two-step sign-in (an authenticator app code) "
        "before they can use Careloop.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Setting(models.TextChoices):
    HOSPITAL = "hospital", "Hospital"
    CLINIC = "clinic", "Clinic"
    NURSING_FACILITY = "nursing_facility", "Nursing facility"
    ASSISTED_LIVING = "assisted_living", "Assisted living"
    HOME_HEALTH = "home_health", "Home health"
    HOSPICE = "hospice", "Hospice"
    PHARMACY = "pharmacy", "Pharmacy"
    HUMAN_SERVICES = "human_services", "Human services"


INTAKE_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read off a poster


def new_intake_code() -> str:
    """A short public code for a facility's or unit's intake link (printed on posters)."""
    return "".join(secrets.choice(INTAKE_CODE_ALPHABET) for _ in range(7))


class Facility(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="facilities"
    )
    name = models.CharField(max_length=200)
    setting = models.CharField(max_length=30, choices=Setting.choices)
    jurisdiction = models.CharField(max_length=20, help_text="e.g. US-IL, GB-ENG")
    time_zone = models.CharField(max_length=64, help_text="IANA time zone, e.g. America/Chicago")
    holiday_calendar = models.CharField(max_length=30, default="none")
    policy_packs = models.JSONField(default=list, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    after_hours_phone = models.CharField(
        max_length=40, blank=True, help_text="Printed on intake posters for help out of hours."
    )
    intake_code = models.CharField(
        max_length=12,
        unique=True,
        default=new_intake_code,
        help_text="Public code in the facility's intake and kiosk links.",
    )
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="facility_name_unique")
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ClosureDay(models.Model):
    """A facility's own non-working day, on top of its holiday calendar."""

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="closure_days")
    on = models.DateField()
    name = models.CharField(max_length=100)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["facility", "on"], name="closure_day_unique")
        ]
        ordering = ["on"]

    def __str__(self) -> str:
        return f"{self.on} {self.name}"


class Unit(models.Model):
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="units")
    name = models.CharField(max_length=120)
    kind = models.CharField(
        max_length=40, default="ward", help_text="ward, wing, route, counter, team"
    )
    intake_code = models.CharField(
        max_length=12,
        unique=True,
        default=new_intake_code,
        help_text="Public code in the unit's QR intake link.",
    )
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["facility", "name"], name="unit_name_unique")
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    language = models.CharField(max_length=10, default="en")
    # Sign-in protection (careloop.orgs.signin): consecutive failures and the lock they cause.
    failed_logins = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    # Two-step sign-in. The base32 secret is stored as given; encrypting it at rest with a key
    # kept outside the database is future work. totp_last_counter refuses replayed codes.
    totp_secret = models.CharField(max_length=64, blank=True)
    totp_last_counter = models.BigIntegerField(null=True, blank=True)
    mfa_enabled_at = models.DateTimeField(null=True, blank=True)


class Role(models.TextChoices):
    FRONTLINE = "frontline", "Frontline staff"
    ADVOCATE = "advocate", "Advocate / grievance official"
    MANAGER = "manager", "Unit manager"
    EXECUTIVE = "executive", "Quality / executive"
    ADMIN = "admin", "Organization administrator"


class Membership(models.Model):
    """A role held over a scope: the whole organization, one facility, or one unit."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, null=True, blank=True)
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(unit__isnull=True) | Q(facility__isnull=False),
                name="membership_unit_needs_facility",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "facility", "unit"], name="membership_unique"
            ),
        ]

    def __str__(self) -> str:
        scope = self.unit or self.facility or "organization"
        return f"{self.user} {self.role} @ {scope}"


class Person(models.Model):
    """Someone who can be named in a case or a compliment (not necessarily a user)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="people")
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="people")
    unit = models.ForeignKey(Unit, on_delete=models.SET_NULL, null=True, blank=True)
    full_name = models.CharField(max_length=200)
    job_title = models.CharField(max_length=120, blank=True)
    staff_group = models.CharField(
        max_length=30,
        default="nursing",
        choices=[
            ("administrative", "Administrative"),
            ("medical", "Medical"),
            ("nursing", "Nursing"),
            ("allied", "Allied health"),
            ("support", "Support services"),
            ("other", "Other"),
        ],
    )
    email = models.EmailField(blank=True)
    user = models.OneToOneField(User, on_delete=models.SET_NULL, null=True, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.full_name
