"""Service recovery: item types and serialized stock, the clients limits count against, the
authority matrix, budgets, settings, and the append-only ledger.

Writes happen only in the recovery services. `LedgerEntry` is never updated or deleted (database
triggers refuse it, migration 0002); a mistake is corrected by a reversing entry, and balances
and spend are sums over entries."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from careloop.cases.models import Case
from careloop.orgs.models import Facility, Organization, Role, Unit

ZERO = Decimal("0.00")


class ItemKind(models.TextChoices):
    GIFT_CARD = "gift_card", "Gift card"
    MEAL_VOUCHER = "meal_voucher", "Meal voucher"
    PARKING = "parking", "Parking"
    AMENITY = "amenity", "Amenity (flowers, toiletries)"
    BILL_ADJUSTMENT = "bill_adjustment", "Bill adjustment"
    APOLOGY_VISIT = "apology_visit", "Apology visit"
    OTHER = "other", "Other"


class ItemType(models.Model):
    """Something staff may give. `retail_value` is per item, at retail (R11 counts retail)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="recovery_item_types"
    )
    kind = models.CharField(max_length=20, choices=ItemKind.choices)
    name = models.CharField(max_length=120)
    retail_value = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="USD", help_text="ISO 4217 code")
    value_editable = models.BooleanField(
        default=False,
        help_text="Staff enter the value each time (bill adjustments); otherwise the retail "
        "value above is used.",
    )
    cash_or_cash_equivalent = models.BooleanField(
        default=False, help_text="Cash, checks, gift cards usable like cash."
    )
    serialized = models.BooleanField(
        default=False, help_text="Each item has a serial number kept in stock per facility."
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="recovery_item_name"),
            models.CheckConstraint(
                condition=Q(retail_value__gte=0), name="recovery_item_value_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RecoveryClient(models.Model):
    """The person limits are counted against (a patient, resident or service user).
    `case_only` clients were created for one anonymous case and are never offered again."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="recovery_clients"
    )
    display_name = models.CharField(max_length=200)
    identifier = models.CharField(
        max_length=64, blank=True, help_text="MRN, resident number or similar."
    )
    beneficiary = models.BooleanField(
        default=False, help_text="Medicare or Medicaid beneficiary (the R11 gift limits apply)."
    )
    case_only = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["display_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "identifier"],
                condition=~Q(identifier=""),
                name="recovery_client_identifier",
            )
        ]

    def __str__(self) -> str:
        return f"client #{self.pk}"


class CaseClient(models.Model):
    """Which client a case's recovery counts against. Set once, at the first recovery action."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="recovery_client")
    client = models.ForeignKey(RecoveryClient, on_delete=models.PROTECT, related_name="case_links")
    linked_at = models.DateTimeField()
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"case {self.case_id} -> client {self.client_id}"


class Period(models.TextChoices):
    CALENDAR_YEAR = "calendar_year", "Calendar year"
    ROLLING_365 = "rolling_365", "Rolling 365 days"


class AuthorityLimit(models.Model):
    """One cell of the authority matrix: what a role may give of an item type without approval,
    per case and per client per period (in the item type's currency). No row means nothing."""

    item_type = models.ForeignKey(ItemType, on_delete=models.PROTECT, related_name="limits")
    role = models.CharField(max_length=20, choices=Role.choices)
    per_case = models.DecimalField(max_digits=12, decimal_places=2)
    per_client = models.DecimalField(max_digits=12, decimal_places=2)
    period = models.CharField(max_length=20, choices=Period.choices, default=Period.CALENDAR_YEAR)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item_type", "role"], name="recovery_limit_cell"),
            models.CheckConstraint(
                condition=Q(per_case__gte=0, per_client__gte=0), name="recovery_limit_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role} / {self.item_type_id}"


class Budget(models.Model):
    """A unit's recovery budget for a period of local dates (both ends included)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="recovery_budgets")
    start_on = models.DateField()
    end_on = models.DateField()
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="USD", help_text="ISO 4217 code")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-start_on", "unit_id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "start_on"], name="recovery_budget_start"),
            models.CheckConstraint(
                condition=Q(end_on__gte=models.F("start_on")), name="recovery_budget_dates"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="recovery_budget_positive"),
        ]

    def __str__(self) -> str:
        return f"budget of unit {self.unit_id} from {self.start_on}"


class Script(models.TextChoices):
    HEART = "heart", "HEART (Hear, Empathize, Apologize, Respond, Thank)"
    LAST = "last", "LAST (Listen, Apologize, Solve, Thank)"


DEFAULT_AMOUNT_CEILING = Decimal("1000.00")


class OrganizationRecoverySettings(models.Model):
    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="recovery_settings"
    )
    script = models.CharField(max_length=10, choices=Script.choices, default=Script.HEART)
    block_budget_at_100 = models.BooleanField(
        default=False, help_text="Refuse recovery that would take a unit past its budget."
    )
    amount_ceiling = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=DEFAULT_AMOUNT_CEILING,
        help_text="No single request may be worth more than this (catches typing mistakes).",
    )
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"recovery settings of organization {self.organization_id}"


class FacilityRecoverySettings(models.Model):
    """The R11 guard (gifts to Medicare/Medicaid beneficiaries). Without a row: on for US
    facilities, over the calendar year."""

    facility = models.OneToOneField(
        Facility, on_delete=models.CASCADE, related_name="recovery_settings"
    )
    r11_guard = models.BooleanField(default=True)
    r11_period = models.CharField(
        max_length=20, choices=Period.choices, default=Period.CALENDAR_YEAR
    )
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"recovery settings of facility {self.facility_id}"


class StockStatus(models.TextChoices):
    IN_STOCK = "in_stock", "In stock"
    ISSUED = "issued", "Issued"
    VOIDED = "voided", "Voided"
    REDEEMED = "redeemed", "Redeemed"


class StockItem(models.Model):
    """One serialized item at a facility. `status` is the drawer's current state, written with
    the ledger entry that changes it; reconciliation compares the two."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="recovery_stock")
    item_type = models.ForeignKey(ItemType, on_delete=models.PROTECT, related_name="stock")
    serial = models.CharField(max_length=64)
    status = models.CharField(
        max_length=10, choices=StockStatus.choices, default=StockStatus.IN_STOCK
    )
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["serial"]
        constraints = [
            models.UniqueConstraint(fields=["item_type", "serial"], name="recovery_serial_unique")
        ]

    def __str__(self) -> str:
        return self.serial


class EntryKind(models.TextChoices):
    RECEIVE = "receive", "Received into stock"
    REQUEST = "request", "Requested"
    APPROVE = "approve", "Approved"
    DECLINE = "decline", "Declined"
    ISSUE = "issue", "Issued"
    VOID = "void", "Voided"
    REDEEM = "redeem", "Redeemed"


SPEND_KINDS = (EntryKind.ISSUE, EntryKind.VOID)


class ApprovalScope(models.TextChoices):
    NONE = "", "—"
    AUTHORITY = "authority", "Authority"
    COMPLIANCE = "compliance", "Compliance"
    BOTH = "both", "Authority and compliance"


class ReasonCode(models.TextChoices):
    WAIT = "wait", "Long wait"
    MEALS = "meals", "Meals"
    COMMUNICATION = "communication", "Communication"
    CARE = "care", "Care or treatment"
    ENVIRONMENT = "environment", "Room or environment"
    BILLING = "billing", "Billing"
    PROPERTY = "property", "Lost or damaged property"
    OTHER = "other", "Other"


class LedgerEntry(models.Model):
    """One thing that happened to recovery, never changed. Only issues (positive) and voids of
    issues (negative) carry an amount; spend and limits are sums of those. `effective_at` is when
    the value counts (a void counts at its issue's time, so it corrects that period). `request`
    ties approvals, declines, issues and voids to their request; `target` is the issue a void or
    redemption is about (a void without a target writes a serial off from stock)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, related_name="+")
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, related_name="recovery_entries"
    )
    client = models.ForeignKey(
        RecoveryClient, on_delete=models.PROTECT, null=True, related_name="entries"
    )
    item_type = models.ForeignKey(ItemType, on_delete=models.PROTECT, related_name="entries")
    stock_item = models.ForeignKey(
        StockItem, on_delete=models.PROTECT, null=True, related_name="entries"
    )
    kind = models.CharField(max_length=10, choices=EntryKind.choices)
    request = models.ForeignKey("self", on_delete=models.PROTECT, null=True, related_name="+")
    target = models.ForeignKey("self", on_delete=models.PROTECT, null=True, related_name="+")
    quantity = models.IntegerField(default=0)
    unit_value = models.DecimalField(max_digits=12, decimal_places=2, default=ZERO)
    amount = models.DecimalField(max_digits=12, decimal_places=2, default=ZERO)
    currency = models.CharField(max_length=3, default="USD", help_text="ISO 4217 code")
    at = models.DateTimeField()
    effective_at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    needs_authority = models.BooleanField(default=False)
    needs_compliance = models.BooleanField(default=False)
    approval_scope = models.CharField(
        max_length=10, choices=ApprovalScope.choices, blank=True, default=ApprovalScope.NONE
    )
    reason_code = models.CharField(max_length=20, choices=ReasonCode.choices, blank=True)
    reason = models.TextField(blank=True)
    idempotency_key = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            models.Index(
                fields=["client", "item_type", "effective_at"], name="recovery_client_sum"
            ),
            models.Index(fields=["case", "item_type"], name="recovery_case_sum"),
            models.Index(fields=["unit", "effective_at"], name="recovery_unit_sum"),
            models.Index(fields=["organization", "effective_at"], name="recovery_org_sum"),
            models.Index(
                fields=["organization", "at"],
                name="recovery_requests",
                condition=Q(kind="request"),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="recovery_form_once",
            ),
            models.UniqueConstraint(
                fields=["stock_item"],
                condition=Q(kind="issue"),
                name="recovery_serial_issued_once",
            ),
            models.UniqueConstraint(
                fields=["target", "kind"],
                condition=Q(target__isnull=False),
                name="recovery_one_void_or_redemption",
            ),
            models.CheckConstraint(
                condition=Q(kind="issue", amount__gte=0)
                | Q(kind="void", amount__lte=0)
                | (~Q(kind__in=["issue", "void"]) & Q(amount=0)),
                name="recovery_amount_sign",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def value(self) -> Decimal:
        """What a request (or issue) is worth: quantity times value per item."""
        return Decimal(abs(self.quantity)) * self.unit_value
