"""Who may change what (OWASP API1: checked object by object, on every write).

- admin: everything.
- editor: agreements (and their obligations, documents, signatures) where an organization of
  its scope, or one under it, is a party; organizations under those. Its scope is its own
  organization, and the parent too when its organization coordinates cooperation for it
  (`acts_for_parent`: the Biro Pemerintahan dan Kerja Sama acts for its provincial government).
  It does not set the fields that confer rights (kind, region, acts_for_parent), and moves an
  organization only within its scope: `require_organization_creator`,
  `require_organization_change`.
- viewer: reads only.

Every refusal names the organizations, not their ids.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import Depends, Request
from sqlmodel import Session, col

from app.agreements.errors import AgreementNotFound
from app.agreements.models import Agreement
from app.agreements.parties import party_ids
from app.core.db import SessionDep
from app.core.errors import Forbidden, NotFound, field_error
from app.core.schemas import MAX_ID
from app.obligations.models import Obligation
from app.organizations.models import Organization, OrganizationKind
from app.organizations.schemas import OrganizationCreate, OrganizationUpdate
from app.organizations.service import ancestry, organizations_by_id
from app.users.auth import Caller, CallerDep
from app.users.models import Role


def scope_of(session: Session, caller: Caller) -> set[int]:
    """The organizations whose subtrees the caller edits: its own, and its parent when its own
    coordinates cooperation for the parent (acts_for_parent). Empty for no organization."""
    if caller.organization_id is None:
        return set()
    row = session.execute(
        sa.select(col(Organization.parent_id), col(Organization.acts_for_parent)).where(
            col(Organization.id) == caller.organization_id
        )
    ).first()
    roots = {caller.organization_id}
    if row is not None and row.acts_for_parent and row.parent_id is not None:
        roots.add(row.parent_id)
    return roots


def within(session: Session, organization_ids: Iterable[int], caller: Caller) -> set[int]:
    """Those of the organizations that lie in the caller's scope: the caller's organization or
    one under it, or (for a unit that acts for its parent) the parent or one under it."""
    roots = scope_of(session, caller)
    if not roots:
        return set()
    lineage = ancestry(session, organization_ids)
    return {org for org, line in lineage.items() if line & roots}


def _names(session: Session, organization_ids: Iterable[int]) -> str:
    """The organizations' names, quoted, for a message (an unknown id as itself)."""
    ids = list(dict.fromkeys(organization_ids))
    known = organizations_by_id(session, ids)
    return ", ".join(f"'{known[i].name}'" if i in known else f"organization {i}" for i in ids)


def _acting_for(session: Session, caller: Caller) -> str:
    """Whom the caller edits for, named: its organization (and the parent it acts for)."""
    if caller.organization_id is None:
        return "no organization"
    roots = scope_of(session, caller) - {caller.organization_id}
    own = _names(session, [caller.organization_id])
    return f"{own} (acting for {_names(session, roots)})" if roots else own


def require_admin(caller: CallerDep) -> Caller:
    """Only an admin."""
    if not caller.is_admin:
        raise Forbidden(f"Only an admin may do this; {caller.name} is {caller.role.value}.")
    return caller


def is_writer(caller: Caller) -> bool:
    """Whether the caller may write at all (require_writer's rule, as a yes or no)."""
    return caller.role != Role.viewer and (caller.is_admin or caller.organization_id is not None)


def require_writer(caller: Caller) -> None:
    if is_writer(caller):
        return
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
        f"{caller.name} edits for {_acting_for(session, caller)}, which is not a party here "
        f"({_names(session, sorted(wanted))}), nor above one."
    )


def require_agreement_editor(session: Session, caller: Caller, agreement_id: int) -> None:
    """The caller may change this agreement (404 first if there is none)."""
    if session.get(Agreement, agreement_id) is None:
        raise AgreementNotFound(agreement_id)
    require_party_editor(session, caller, party_ids(session, agreement_id))


@dataclass(frozen=True)
class AgreementRights:
    """What a caller may do on one agreement and on its rows, worked out at once for a page that
    shows every control (the console's agreement page): the rules of require_agreement_editor,
    require_party_editor and require_verifier, read from one look-up of the caller's scope
    instead of one per control (tests/users/test_agreement_rights.py holds them equal)."""

    caller: Caller
    parties: frozenset[int]
    inside: frozenset[int]  # of the organizations asked about, those in the caller's scope
    under_a_party: bool  # the caller's own organization lies under a party (or is one)

    @property
    def writes(self) -> bool:
        return is_writer(self.caller)

    def edits_for(self, organization_ids: Iterable[int]) -> bool:
        """require_party_editor passes for these organizations."""
        return self.writes and (self.caller.is_admin or bool(self.inside & set(organization_ids)))

    @property
    def edits_agreement(self) -> bool:
        """require_agreement_editor passes (the agreement exists: its parties are known)."""
        return self.edits_for(self.parties)

    def verifies(self, reporter_id: int) -> bool:
        """require_verifier passes for a report of `reporter_id`."""
        if not self.writes:
            return False
        if self.caller.is_admin:
            return True
        return reporter_id not in self.inside and bool(self.inside & (self.parties - {reporter_id}))

    @property
    def works_under_a_party(self) -> bool:
        """The caller writes and works for a party, for one above it, or for one under it (a
        Perwakilan under Ombudsman RI, the counterpart of its PKS)."""
        return self.writes and (
            self.caller.is_admin or bool(self.inside & self.parties) or self.under_a_party
        )


def agreement_rights(
    session: Session, caller: Caller, parties: Iterable[int], others: Iterable[int] = ()
) -> AgreementRights:
    """The caller's rights on an agreement with these parties, and on its rows that belong to
    `others` (the reporters of its activities): no statement for an admin or a reader, two for
    an editor (its scope, and the ancestry of every organization asked about with its own)."""
    party_set = frozenset(parties)
    if caller.is_admin or not is_writer(caller) or caller.organization_id is None:
        return AgreementRights(caller, party_set, frozenset(), False)
    roots = scope_of(session, caller)
    lineage = ancestry(session, {*party_set, *others, caller.organization_id})
    inside = frozenset(org for org, line in lineage.items() if line & roots)
    under = bool(lineage.get(caller.organization_id, set()) & party_set)
    return AgreementRights(caller, party_set, inside, under)


def require_organization_editor(session: Session, caller: Caller, organization_id: int) -> None:
    """An editor may register and change organizations under its own (and its own)."""
    require_writer(caller)
    if caller.is_admin or within(session, [organization_id], caller):
        return
    raise Forbidden(
        f"{caller.name} may change organizations under {_acting_for(session, caller)} only; "
        f"{_names(session, [organization_id])} is not one of them."
    )


ASSESSOR_KINDS = (OrganizationKind.state_institution, OrganizationKind.regional_office)
# Fields that confer rights: an admin's to set. The kind decides who records compliance results
# (ASSESSOR_KINDS) and how a party is treated; a regional office's region, where it may be a
# party; acts_for_parent, the scope of the unit's editors.
ADMIN_ONLY_FIELDS = {
    "kind": "a kind confers rights (a state institution or a Perwakilan records compliance "
    "results of anyone)",
    "region_id": "a region decides where a Perwakilan may be a party",
    "acts_for_parent": "a unit acting for its parent gives its editors the whole parent",
}


def _admin_only(caller: Caller, field: str, organization: str) -> Forbidden:
    return Forbidden(
        f"Only an admin sets the field {field} of {organization}: {ADMIN_ONLY_FIELDS[field]}; "
        f"{caller.name} is an editor.",
        type_slug="admin-only-field",
        errors=[field_error(field, msg="set by admins only")],
    )


def require_organization_creator(
    session: Session, caller: Caller, organization_in: OrganizationCreate
) -> None:
    """A top-level organization is an admin's to register; one under a parent, the parent's
    editors' too, without the fields that confer rights (a state institution or Perwakilan,
    a region, acts_for_parent)."""
    parent_id = organization_in.parent_id
    if parent_id is None:
        if not caller.is_admin:
            raise Forbidden(
                f"Only an admin registers a top-level organization; {caller.name} is "
                f"{caller.role.value}. Name its parent (Induk).",
                type_slug="admin-only-field",
                errors=[field_error("parent_id", msg="an editor names a parent")],
            )
        return
    require_organization_editor(session, caller, parent_id)
    if caller.is_admin:
        return
    name = f"'{organization_in.name}'"
    if organization_in.kind in ASSESSOR_KINDS:
        raise _admin_only(caller, "kind", name)
    if organization_in.region_id is not None:
        raise _admin_only(caller, "region_id", name)
    if organization_in.acts_for_parent:
        raise _admin_only(caller, "acts_for_parent", name)


def require_organization_change(
    session: Session, caller: Caller, organization: Organization, changes: OrganizationUpdate
) -> None:
    """An editor changes organizations in its scope, but not what confers rights: kind, region
    and acts_for_parent are an admin's; it moves an organization only under another one it
    edits, never to the top level, and never its own organization (or the one it acts for)."""
    assert organization.id is not None
    require_organization_editor(session, caller, organization.id)
    if caller.is_admin:
        return
    name = f"'{organization.name}'"
    given: dict[str, Any] = {f: getattr(changes, f) for f in changes.model_fields_set}
    for field in ADMIN_ONLY_FIELDS:
        if field in given and given[field] != getattr(organization, field):
            raise _admin_only(caller, field, name)
    if "parent_id" not in given or given["parent_id"] == organization.parent_id:
        return
    parent_id = given["parent_id"]

    def refuse(why: str) -> Forbidden:
        return Forbidden(
            f"{caller.name} may not move {name}: {why}.",
            type_slug="organization-move-refused",
            errors=[field_error("parent_id", msg=why)],
        )

    if parent_id is None:
        raise refuse("only an admin makes an organization top-level (parent_id null)")
    if organization.id in scope_of(session, caller):
        raise refuse(
            f"it is what {caller.name} edits for ({_acting_for(session, caller)}), and moving it "
            "would change the editor's own rights"
        )
    if not within(session, [parent_id], caller):
        raise refuse(
            f"its new parent {_names(session, [parent_id])} is not under "
            f"{_acting_for(session, caller)}"
        )


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
        f"{caller.name} edits for {_acting_for(session, caller)}, which neither assesses "
        f"compliance nor is {_names(session, [organization_id])} or above it."
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
            f"{caller.name} edits for the reporting party {_names(session, [reporter_id])}; "
            "another party of the agreement verifies its reports."
        )
    others = within(session, party_ids(session, agreement_id) - {reporter_id}, caller)
    if not others:
        raise Forbidden(
            f"{caller.name} edits for {_acting_for(session, caller)}, which is not another party "
            "of this agreement, nor above one."
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
        f"{caller.name} edits for {_acting_for(session, caller)}, which is neither the "
        f"counterpart of these PKS ({_names(session, [counterpart_id])}) nor above each of "
        "their SKPD."
    )
