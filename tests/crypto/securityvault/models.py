"""Synthetic personal data in encrypted fields, shaped like the case service's subject record."""

from __future__ import annotations

from django.db import models

from riskroute.crypto.fields import EncryptedDateField, EncryptedTextField


class SealedPerson(models.Model):
    full_name = EncryptedTextField()
    date_of_birth = EncryptedDateField(null=True, blank=True)
    address = EncryptedTextField(blank=True)
    notes = EncryptedTextField(null=True, blank=True)
    name_index = models.CharField(max_length=64, db_index=True, blank=True)

    class Meta:
        app_label = "securityvault"


class SealedNote(models.Model):
    """A second model, so rotation is shown to find every model through the app registry."""

    person = models.ForeignKey(SealedPerson, on_delete=models.CASCADE, related_name="sealed_notes")
    text = EncryptedTextField()

    class Meta:
        app_label = "securityvault"
