"""Reads for the import pages, scoped to the administrator's organization: another
organization's batch or mapping is simply not found."""

from __future__ import annotations

import copy
from typing import Any

from django.db.models import QuerySet

from careloop.imports.builtins import BUILTIN_SPECS
from careloop.imports.models import ImportBatch, ImportMapping
from careloop.imports.services import can_import
from careloop.orgs.models import User
from careloop.orgs.permissions import org_id_of


def batches_for(user: User) -> QuerySet[ImportBatch]:
    if not can_import(user):
        return ImportBatch.objects.none()
    return ImportBatch.objects.filter(organization_id=org_id_of(user)).defer("content")


def batch_get_for(*, user: User, batch_id: int) -> ImportBatch | None:
    return batches_for(user).filter(pk=batch_id).first()


def mappings_for(user: User) -> QuerySet[ImportMapping]:
    if not can_import(user):
        return ImportMapping.objects.none()
    return ImportMapping.objects.filter(organization_id=org_id_of(user))


def mapping_choices(user: User) -> list[tuple[str, str]]:
    """(key, label) for every mapping the user may start from: built-in, then saved."""
    choices = [(f"builtin:{name}", f"{name} (built in)") for name in BUILTIN_SPECS]
    choices += [(f"saved:{m.pk}", m.name) for m in mappings_for(user)]
    return choices


def mapping_spec_for(*, user: User, key: str) -> tuple[str, dict[str, Any]] | None:
    """The name and a copy of the spec behind a key from mapping_choices."""
    kind, _, ident = key.partition(":")
    if kind == "builtin" and ident in BUILTIN_SPECS:
        return ident, copy.deepcopy(BUILTIN_SPECS[ident])
    if kind == "saved" and ident.isdigit():
        saved = mappings_for(user).filter(pk=int(ident)).first()
        if saved is not None:
            return saved.name, copy.deepcopy(saved.spec)
    return None


def mapping_spec_named(*, user: User, name: str) -> dict[str, Any] | None:
    """A saved mapping of the user's organization by name, else a built-in one."""
    saved = mappings_for(user).filter(name=name).first()
    if saved is not None:
        spec: dict[str, Any] = copy.deepcopy(saved.spec)
        return spec
    return copy.deepcopy(BUILTIN_SPECS[name]) if name in BUILTIN_SPECS else None
