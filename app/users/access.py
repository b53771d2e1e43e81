"""Who may change what (OWASP API1: checked object by object, on every write).

- admin: everything.
- editor: agreements (and their obligations, documents, signatures) where the editor's
  organization, or an organization under it, is a party; organizations under its own.
- viewer: reads only.
"""

from collections.abc import Iterable
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from app.agreements.errors import AgreementNotFound
from app.agreements.models import Agreement
from app.agreements.parties import party_ids
from app.core.db import SessionDep
from app.core.errors import Forbidden, NotFound
from app.core.schemas import MAX_ID
from app.obligations.models import Obligation
from app.organizations.models import Organization, OrganizationKind
from app.organizations.service import ancestry
from app.users.auth import Caller, CallerDep
from app.users.models import Role


def within(session: Session, organization_ids: Iterable[int], caller: Caller) -> set[int]:
    """Those of the organizations that are the caller's organization or lie under it."""
    if caller.organization_id is None:
        return set()
    lineage = ancestry(session, organization_ids)
    return {org for org, line in lineage.items() if caller.organization_id in line}


def require_admin(caller: CallerDep) -> Caller:
    """Only an admin."""
    if not caller.is_admin:
        raise Forbidden(f"Only an admin may do this; {caller.name} is {caller.role.value}.")
    return caller


def require_writer(caller: Caller) -> None:
    if caller.role == Role.viewer:
        raise Forbidden(f"{caller.name} is a viewer: viewers read, they change nothing.")
    if not caller.is_admin and caller.organization_id is None:
        raise Forbidden(f"{caller.name} is an editor of no organization; an admin must set one.")


def require_party_editor(session: Session, caller: Caller, organization_ids: Iterable[int]) -> None:
    """An editor may write where its organization, or one under it, is among these parties."""
    require_writer(caller)
    wanted = set(organization_ids)
    if caller.is_admin or within(session, wanted, caller):
        return
    raise Forbidden(
        f"{caller.name} edits for organization {caller.organization_id}, which is not a party "
        "here, nor above one."
    )


def require_agreement_editor(session: Session, caller: Caller, agreement_id: int) -> None:
    """The caller may change this agreement (404 first if there is none)."""
    if session.get(Agreement, agreement_id) is None:
        raise AgreementNotFound(agreement_id)
    require_party_editor(session, caller, party_ids(session, agreement_id))


def require_organization_editor(session: Session, caller: Caller, organization_id: int) -> None:
    """An editor may register and change organizations under its own (and its own)."""
    require_writer(caller)
    if caller.is_admin or within(session, [organization_id], caller):
        return
    raise Forbidden(
        f"{caller.name} may change organizations under organization {caller.organization_id} "
        f"only; {organization_id} is not."
    )


def require_organization_creator(session: Session, caller: Caller, parent_id: int | None) -> None:
    """A top-level organization is an admin's to register; one under a parent, the parent's
    editors' too."""
    if parent_id is None:
        if not caller.is_admin:
            raise Forbidden(
                f"Only an admin registers a top-level organization; {caller.name} is "
                f"{caller.role.value}. Name its parent (Induk)."
            )
        return
    require_organization_editor(session, caller, parent_id)


ASSESSOR_KINDS = (OrganizationKind.state_institution, OrganizationKind.regional_office)


def require_assessment_recorder(session: Session, caller: Caller, organization_id: int) -> None:
    """A compliance result is recorded by an admin, by an editor of the assessor (Ombudsman RI or
    a Perwakilan: a state institution or regional office), or by an editor of the assessed
    organization or of one above it (a Biro recording its SKPD's results)."""
    require_writer(caller)
    if caller.is_admin or within(session, [organization_id], caller):
        return
    own = session.get(Organization, caller.organization_id)
    if own is not None and own.kind in ASSESSOR_KINDS:
        return
    raise Forbidden(
        f"{caller.name} edits for organization {caller.organization_id}, which neither assesses "
        f"compliance nor is organization {organization_id} or above it."
    )


def require_verifier(
    session: Session, caller: Caller, agreement_id: int, reporter_id: int
) -> int | None:
    """A report is judged by another party (the counterpart): an editor of a party other than
    the reporter, who is not the reporter's editor too. Returns the party judged for (None for
    an admin)."""
    require_writer(caller)
    if caller.is_admin:
        return None
    if within(session, [reporter_id], caller):
        raise Forbidden(
            f"{caller.name} edits for the reporting party (organization {reporter_id}); "
            "another party of the agreement verifies its reports."
        )
    others = within(session, party_ids(session, agreement_id) - {reporter_id}, caller)
    if not others:
        raise Forbidden(
            f"{caller.name} edits for organization {caller.organization_id}, which is not "
            "another party of this agreement, nor above one."
        )
    return min(others)


def _path_id(request: Request, name: str) -> int | None:
    """A record id from the path, read as the route will validate it; None if it is not one
    (the route then answers 422). Read here rather than declared again, so that each route's
    own declaration (and its example) is the one in OpenAPI."""
    raw = request.path_params.get(name, "")
    return int(raw) if raw.isdigit() and 1 <= int(raw) <= MAX_ID else None


def edits_agreement(request: Request, session: SessionDep, caller: CallerDep) -> Caller:
    """Dependency of every write to an agreement named in the path."""
    agreement_id = _path_id(request, "agreement_id")
    if agreement_id is not None:
        require_agreement_editor(session, caller, agreement_id)
    return caller


def edits_obligation(request: Request, session: SessionDep, caller: CallerDep) -> Caller:
    """Dependency of every write to an obligation: the caller may change its agreement."""
    obligation_id = _path_id(request, "obligation_id")
    if obligation_id is None:
        return caller
    obligation = session.get(Obligation, obligation_id)
    if obligation is None:
        raise NotFound(f"No obligation with id {obligation_id}.", type_slug="obligation-not-found")
    require_agreement_editor(session, caller, obligation.agreement_id)
    return caller


AgreementEditor = Annotated[Caller, Depends(edits_agreement)]
ObligationEditor = Annotated[Caller, Depends(edits_obligation)]
AdminCaller = Annotated[Caller, Depends(require_admin)]


def require_derive_editor(
    session: Session, caller: Caller, *, counterpart_id: int, organization_ids: list[int]
) -> None:
    """Deriving PKS: the caller edits for the counterpart (the Perwakilan), or for every SKPD."""
    require_writer(caller)
    if caller.is_admin or within(session, [counterpart_id], caller):
        return
    if organization_ids and within(session, organization_ids, caller) == set(organization_ids):
        return
    raise Forbidden(
        f"{caller.name} edits for organization {caller.organization_id}, which is neither the "
        "counterpart of these PKS nor above each of their SKPD."
    )
