"""Forces, units, provider organisations and users.

A user belongs to one force and one unit and holds one or more roles. Roles are a closed
vocabulary (`Role`); the supervisor role needs the rank of sergeant or above, because the DPP
guidance puts conditional-caution decisions at that level (docs/law.md, conditional cautions). A
rehabilitation provider belongs to a provider organisation instead of a force and sees only the
cases referred to that organisation.
"""

from __future__ import annotations

from typing import ClassVar

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from riskroute.crypto.fields import EncryptedTextField

DEFAULT_POLICY_ID = "npcc-2017"


class Role(models.TextChoices):
    INVESTIGATOR = "investigator", "Investigator"
    SUPERVISOR = "supervisor", "Supervisor (sergeant or above)"
    SAFEGUARDING_OFFICER = "safeguarding_officer", "Safeguarding officer"
    OFFENDER_MANAGER = "offender_manager", "Offender manager"
    REHABILITATION_PROVIDER = "rehabilitation_provider", "Rehabilitation provider"
    ANALYST = "analyst", "Analyst"
    AUDITOR = "auditor", "Auditor (audit log only)"
    ADMINISTRATOR = "administrator", "Administrator"


class Rank(models.TextChoices):
    """Police ranks in order; `staff` is police staff or an outside organisation (no rank)."""

    STAFF = "staff", "Police staff / not a police officer"
    CONSTABLE = "constable", "Constable"
    SERGEANT = "sergeant", "Sergeant"
    INSPECTOR = "inspector", "Inspector"
    CHIEF_INSPECTOR = "chief_inspector", "Chief inspector"
    SUPERINTENDENT = "superintendent", "Superintendent"
    CHIEF_SUPERINTENDENT = "chief_superintendent", "Chief superintendent"


RANK_ORDER: dict[str, int] = {value: index for index, value in enumerate(Rank.values)}


class Force(models.Model):
    """A police force; its configured diversion policy is what triage runs under."""

    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    policy_id = models.CharField(max_length=64, default=DEFAULT_POLICY_ID)

    class Meta:
        ordering: ClassVar = ["name"]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """A team inside a force (e.g. a POLIT or online child abuse investigation team)."""

    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="units")
    name = models.CharField(max_length=200)

    class Meta:
        ordering: ClassVar = ["force__name", "name"]
        constraints: ClassVar = [models.UniqueConstraint(fields=["force", "name"], name="unit_unique_name")]

    def __str__(self) -> str:
        return f"{self.name} ({self.force.code})"


class ProviderOrganisation(models.Model):
    """An organisation delivering rehabilitation programmes (e.g. a charity running Inform Plus)."""

    name = models.CharField(max_length=200, unique=True)

    class Meta:
        ordering: ClassVar = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):  # type: ignore[django-manager-missing]  # (django-otp is untyped)
    """A person using the service: force, unit, roles and rank decide their scope."""

    force = models.ForeignKey(Force, on_delete=models.PROTECT, null=True, blank=True, related_name="users")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="users")
    roles = models.JSONField(default=list, blank=True)
    rank = models.CharField(max_length=32, choices=Rank.choices, default=Rank.STAFF)
    provider_organisation = models.ForeignKey(
        ProviderOrganisation, on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    is_demo = models.BooleanField(
        default=False, help_text="Created by `riskroute demo`; refused outside demo mode."
    )

    def has_role(self, role: str) -> bool:
        return role in (self.roles or [])

    @property
    def is_supervisor(self) -> bool:
        """Supervisor role held at sergeant rank or above (both are needed)."""
        return self.has_role(Role.SUPERVISOR) and RANK_ORDER.get(self.rank, 0) >= RANK_ORDER[Rank.SERGEANT]

    def clean(self) -> None:
        super().clean()
        problems: dict[str, str] = {}
        unknown = [r for r in self.roles or [] if r not in Role.values]
        if unknown:
            problems["roles"] = f"unknown roles: {', '.join(map(str, unknown))}"
        if self.has_role(Role.SUPERVISOR) and RANK_ORDER.get(self.rank, 0) < RANK_ORDER[Rank.SERGEANT]:
            problems["rank"] = "the supervisor role needs the rank of sergeant or above"
        if self.has_role(Role.REHABILITATION_PROVIDER) and self.provider_organisation_id is None:
            problems["provider_organisation"] = (
                "a rehabilitation provider must belong to a provider organisation"
            )
        if self.unit_id is not None and self.unit is not None and self.unit.force_id != self.force_id:
            problems["unit"] = "the unit must belong to the user's force"
        if problems:
            raise ValidationError(problems)


class TOTPAuthenticator(TimestampMixin, ThrottlingMixin, Device):  # type: ignore[misc]  # untyped bases
    """A TOTP authenticator app (RFC 6238, django-otp) whose shared secret is encrypted at rest.

    django-otp's own `TOTPDevice` keeps the secret as plain hex in its table, so a copy of the
    database would let anyone generate every user's codes. This model has the same fields, with
    `key` an `EncryptedTextField` (so `riskroute keys rotate` re-seals it and `keys retire` counts
    it), and reuses django-otp's TOTP logic unchanged: those methods read only these fields.
    django-otp finds it as it finds any `Device` subclass. Migration accounts/0002 moves existing
    `TOTPDevice` rows here and deletes them.
    """

    key = EncryptedTextField(default=default_key, help_text="The hex secret (20 random bytes), sealed.")
    step = models.PositiveSmallIntegerField(default=30)
    t0 = models.BigIntegerField(default=0)
    digits = models.PositiveSmallIntegerField(choices=[(6, 6), (8, 8)], default=6)
    tolerance = models.PositiveSmallIntegerField(default=1)
    drift = models.SmallIntegerField(default=0)
    last_t = models.BigIntegerField(default=-1)

    bin_key = TOTPDevice.bin_key
    verify_token = TOTPDevice.verify_token
    get_throttle_factor = TOTPDevice.get_throttle_factor
    config_url = TOTPDevice.config_url
    _read_str_from_settings = TOTPDevice._read_str_from_settings

    class Meta(Device.Meta):  # type: ignore[misc]
        verbose_name = "TOTP authenticator"
