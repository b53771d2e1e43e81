"""Rules and queries for organizations."""

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from app.agreements.search import store_search_documents_of_organization
from app.audit.service import record_audit
from app.core.db import among_parameter, run_prebuilt
from app.core.errors import Conflict, NotFound, RuleViolation, field_error
from app.core.locking import claim_version
from app.core.masking import mask_credentials
from app.core.net import url_refusal
from app.core.pagination import paginate
from app.core.text import contains_folded
from app.core.types import utcnow
from app.organizations.models import GOVERNMENT_KINDS, Organization, OrganizationKind
from app.organizations.schemas import OrganizationCreate, OrganizationPublic, OrganizationUpdate


def get_organization(*, session: Session, organization_id: int) -> Organization:
    """The organization with this id, or NotFound."""
    organization = session.get(Organization, organization_id)
    if organization is None:
        raise NotFound(
            f"No organization with id {organization_id}.", type_slug="organization-not-found"
        )
    return organization


def _parent_or_refuse(session: Session, parent_id: int) -> Organization:
    parent = session.get(Organization, parent_id)
    if parent is None:
        raise RuleViolation(
            f"parent_id {parent_id} names no organization.",
            type_slug="unknown-parent-organization",
            errors=[field_error("parent_id", msg="no organization with this id")],
        )
    return parent


def organization_named(
    session: Session, name: str, parent_id: int | None, exclude_id: int | None = None
) -> Organization | None:
    """The organization with this name (any case) under this parent (None: at the top level)."""
    query = select(Organization).where(
        func.lower(Organization.name) == name.lower(),
        Organization.parent_id == parent_id
        if parent_id is not None
        else col(Organization.parent_id).is_(None),
    )
    if exclude_id is not None:
        query = query.where(Organization.id != exclude_id)
    return session.exec(query).first()


def _refuse_duplicate_name(
    session: Session, *, name: str, parent_id: int | None, exclude_id: int | None = None
) -> None:
    existing = organization_named(session, name, parent_id, exclude_id)
    if existing is not None:
        where = "at the top level" if parent_id is None else "under the same parent"
        raise Conflict(
            f"An organization named '{existing.name}' already exists {where} (id {existing.id}).",
            type_slug="duplicate-organization-name",
            existing_id=existing.id,
        )


def organizations_by_id(session: Session, ids: Iterable[int]) -> dict[int, Organization]:
    """The organizations with these ids (unknown ids are simply absent)."""
    wanted = set(ids)
    if not wanted:
        return {}
    found = session.exec(select(Organization).where(col(Organization.id).in_(wanted)))
    return {o.id: o for o in found if o.id is not None}


def ancestry(session: Session, organization_ids: Iterable[int]) -> dict[int, set[int]]:
    """Each organization's id mapped to itself and all its ancestors, in one recursive query."""
    ids = set(organization_ids)
    if not ids:
        return {}
    org = sa.table("organization", sa.column("id"), sa.column("parent_id"))
    chain = (
        sa.select(org.c.id.label("start_id"), org.c.id.label("ancestor_id"), org.c.parent_id)
        .where(org.c.id.in_(ids))
        .cte("chain", recursive=True)
    )
    parent = org.alias("parent")
    chain = chain.union_all(
        sa.select(chain.c.start_id, parent.c.id, parent.c.parent_id).where(
            parent.c.id == chain.c.parent_id
        )
    )
    result: dict[int, set[int]] = {i: set() for i in ids}
    for start_id, ancestor_id in session.execute(sa.select(chain.c.start_id, chain.c.ancestor_id)):
        result[start_id].add(ancestor_id)
    return result


def provinces_of(session: Session, organization_ids: Iterable[int]) -> dict[int, int | None]:
    """Each organization's province, as the id of its provincial government: the nearest of
    itself and its ancestors that is a provincial government, or has a region (a regency or
    city government, a Perwakilan); None where none is (Ombudsman RI, a university)."""
    lineage = ancestry(session, organization_ids)
    known = organizations_by_id(session, set().union(*lineage.values()) if lineage else ())
    result: dict[int, int | None] = {}
    for start in lineage:
        org = known.get(start)
        province: int | None = None
        while org is not None:
            if org.kind == OrganizationKind.provincial_government:
                province = org.id
                break
            if org.region_id is not None:
                province = org.region_id
                break
            org = known.get(org.parent_id) if org.parent_id is not None else None
        result[start] = province
    return result


def organizations_in_view(session: Session, organization_id: int) -> list[int]:
    """The organization, every organization under it, the regency and city governments of its
    region (for a provincial government) and every organization under those."""
    org = sa.table(
        "organization",
        sa.column("id"),
        sa.column("parent_id"),
        sa.column("region_id"),
        sa.column("kind"),
    )
    # Governments of the region only: a Perwakilan acting in the province has it as its region
    # too, but is no part of the province's outcomes.
    of_region = sa.and_(
        org.c.region_id == organization_id, org.c.kind.in_([k.value for k in GOVERNMENT_KINDS])
    )
    tree = (
        sa.select(org.c.id)
        .where(sa.or_(org.c.id == organization_id, of_region))
        .cte("tree", recursive=True)
    )
    child = org.alias("child")
    tree = tree.union_all(sa.select(child.c.id).where(child.c.parent_id == tree.c.id))
    return sorted(set(session.scalars(sa.select(tree.c.id))))


def organization_public(
    organization: Organization, *, reveal_secrets: bool = True
) -> OrganizationPublic:
    """An organization as clients see it; the webhook's credentials only to those who may
    (app.core.masking, as in its history)."""
    public = OrganizationPublic.model_validate(organization)
    if not reveal_secrets:
        public.webhook_url = mask_credentials(public.webhook_url)
    return public


def _check_region(session: Session, region_id: int | None, organization_id: int | None) -> None:
    """A region is a provincial government (not the organization itself)."""
    if region_id is None:
        return
    region = session.get(Organization, region_id)
    if region is None or region.kind != OrganizationKind.provincial_government:
        why = "no organization has this id" if region is None else f"it is a {region.kind.value}"
        raise RuleViolation(
            f"region_id {region_id} must name a provincial government: {why}.",
            type_slug="region-not-a-province",
            errors=[field_error("region_id", msg="must be a provincial_government")],
        )
    if region_id == organization_id:
        raise RuleViolation(
            "An organization is not its own region.",
            type_slug="region-not-a-province",
            errors=[field_error("region_id", msg="is the organization itself")],
        )


def _check_acts_for_parent(acts_for_parent: bool, parent_id: int | None) -> None:
    """Only an organization with a parent coordinates cooperation for it."""
    if acts_for_parent and parent_id is None:
        raise RuleViolation(
            "acts_for_parent needs a parent: a unit acts for the government it belongs to "
            "(the Biro Pemerintahan dan Kerja Sama for its province); a top-level organization "
            "has none.",
            type_slug="acts-for-parent-without-parent",
            errors=[field_error("acts_for_parent", msg="the organization has no parent")],
        )


def _check_webhook(url: str | None, allowed_hosts: Iterable[str]) -> None:
    why = url_refusal(url, allowed_hosts) if url else None
    if why:
        raise RuleViolation(
            f"Reminders cannot be sent to this webhook_url: {why}.",
            type_slug="webhook-target-refused",
            errors=[field_error("webhook_url", msg=why)],
        )


def create_organization(
    *,
    session: Session,
    organization_in: OrganizationCreate,
    allowed_hosts: Iterable[str] = (),
    reveal_secrets: bool = True,
) -> OrganizationPublic:
    """Register an organization; its name is unique under its parent."""
    _check_webhook(organization_in.model_dump()["webhook_url"], allowed_hosts)
    if organization_in.parent_id is not None:
        _parent_or_refuse(session, organization_in.parent_id)
    _check_region(session, organization_in.region_id, None)
    _check_acts_for_parent(organization_in.acts_for_parent, organization_in.parent_id)
    _refuse_duplicate_name(session, name=organization_in.name, parent_id=organization_in.parent_id)
    organization = Organization.model_validate(organization_in.model_dump())
    session.add(organization)
    session.flush()
    assert organization.id is not None
    record_audit(
        session, "organization", organization.id, "created", **organization_in.model_dump()
    )
    session.commit()
    session.refresh(organization)
    return organization_public(organization, reveal_secrets=reveal_secrets)


def update_organization(
    *,
    session: Session,
    organization: Organization,
    organization_in: OrganizationUpdate,
    allowed_hosts: Iterable[str] = (),
    reveal_secrets: bool = True,
) -> OrganizationPublic:
    """Change an organization; a parent that would make a cycle is refused."""
    assert organization.id is not None
    claim_version(session, Organization, organization.id, organization_in.version, "Organization")
    session.refresh(organization)
    data: dict[str, Any] = organization_in.model_dump(exclude_unset=True, exclude={"version"})
    _check_webhook(data.get("webhook_url"), allowed_hosts)
    _check_region(session, data.get("region_id"), organization.id)
    if data.get("parent_id") is not None:
        parent_id = data["parent_id"]
        _parent_or_refuse(session, parent_id)
        assert organization.id is not None
        if organization.id in ancestry(session, [parent_id])[parent_id]:
            raise RuleViolation(
                f"'{organization.name}' cannot be placed under organization {parent_id}: "
                "that organization is itself (or lies) under it, which would make a cycle.",
                type_slug="organization-parent-cycle",
                errors=[field_error("parent_id", msg="would make a cycle")],
            )
    name = data.get("name", organization.name)
    parent_id = data.get("parent_id", organization.parent_id)
    _check_acts_for_parent(data.get("acts_for_parent", organization.acts_for_parent), parent_id)
    if "name" in data or "parent_id" in data:
        _refuse_duplicate_name(session, name=name, parent_id=parent_id, exclude_id=organization.id)
    before = {k: getattr(organization, k) for k in data}
    organization.sqlmodel_update(data)
    organization.updated_at = utcnow()
    session.add(organization)
    if "name" in data or "short_name" in data:  # what `q` finds of its agreements follows
        store_search_documents_of_organization(session, organization.id)
    record_audit(
        session,
        "organization",
        organization.id,
        "updated",
        changes={k: {"old": before[k], "new": v} for k, v in data.items() if before[k] != v},
    )
    session.commit()
    session.refresh(organization)
    return organization_public(organization, reveal_secrets=reveal_secrets)


def list_organizations(
    *,
    session: Session,
    parent_id: int | None = None,
    kind: OrganizationKind | None = None,
    q: str | None = None,
    top_level: bool = False,
    limit: int,
    offset: int,
    reveal_secrets: bool = True,
) -> tuple[list[OrganizationPublic], int]:
    """Organizations matching the filters, by name, and how many match in all; `top_level`:
    only those without a parent (the roots of the tree)."""
    conditions: list[Any] = []
    if parent_id is not None:
        conditions.append(Organization.parent_id == parent_id)
    if top_level:
        conditions.append(col(Organization.parent_id).is_(None))
    if kind is not None:
        conditions.append(Organization.kind == kind)
    if q:
        conditions.append(contains_folded(Organization.search_text, q))
    items, total = paginate(
        session,
        select(Organization)
        .where(*conditions)
        .order_by(col(Organization.name), col(Organization.id)),
        limit=limit,
        offset=offset,
    )
    return [organization_public(o, reveal_secrets=reveal_secrets) for o in items], total


@lru_cache(maxsize=4)
def _children_statement(dialect: str) -> Any:
    """children_by_parent's statement, built once: the parents (`parent_ids`) and how many
    under each (`limit_each`) are its parameters."""
    ranked = (
        sa.select(
            col(Organization.id),
            col(Organization.name),
            col(Organization.parent_id),
            sa.func.row_number()
            .over(
                partition_by=col(Organization.parent_id),
                order_by=(col(Organization.name), col(Organization.id)),
            )
            .label("rank"),
        )
        .where(among_parameter(col(Organization.parent_id), "parent_ids", dialect))
        .subquery()
    )
    return (
        sa.select(ranked.c.id, ranked.c.name, ranked.c.parent_id)
        .where(ranked.c.rank <= sa.bindparam("limit_each"))
        .order_by(ranked.c.parent_id, ranked.c.rank)
    )


def children_by_parent(
    session: Session, parent_ids: Iterable[int], *, limit_each: int
) -> dict[int, list[tuple[int, str]]]:
    """The organizations right under each of these (id and name), by name, at most `limit_each`
    under one parent: one statement whatever the number of parents."""
    wanted = set(parent_ids)
    result: dict[int, list[tuple[int, str]]] = {i: [] for i in wanted}
    if not wanted:
        return result
    statement = _children_statement(session.get_bind().dialect.name)
    rows = run_prebuilt(session, statement, {"parent_ids": list(wanted), "limit_each": limit_each})
    for org_id, name, parent_id in rows:
        result[parent_id].append((org_id, name))
    return result


def child_counts(session: Session, parent_ids: Iterable[int]) -> dict[int, int]:
    """How many direct children each of these organizations has (absent: none)."""
    wanted = set(parent_ids)
    if not wanted:
        return {}
    rows = session.execute(
        sa.select(col(Organization.parent_id), sa.func.count())
        .where(col(Organization.parent_id).in_(wanted))
        .group_by(col(Organization.parent_id))
    )
    return dict(rows.all())


def lineage(session: Session, organization: Organization) -> list[Organization]:
    """The organization's ancestors, from the root down to its parent."""
    assert organization.id is not None
    found = organizations_by_id(session, ancestry(session, [organization.id])[organization.id])
    chain: list[Organization] = []
    parent_id = organization.parent_id
    while parent_id is not None and parent_id in found:
        chain.append(found[parent_id])
        parent_id = found[parent_id].parent_id
    return chain[::-1]
