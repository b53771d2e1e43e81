"""AgreementRights (the rights a page reads once for all its controls) says what the access rules
say, control by control: require_agreement_editor, require_party_editor, require_verifier."""

from functools import partial
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.console.forms import allowed
from app.organizations.service import ancestry
from app.users.access import (
    agreement_rights,
    require_agreement_editor,
    require_party_editor,
    require_verifier,
    require_writer,
    within,
)
from app.users.auth import Caller
from app.users.models import Role
from tests.helpers import create_agreement, create_org, patch_org, sign_all
from tests.world import Kalsel, nk_body, pks_body


def callers(k: Kalsel, biro: int) -> list[Caller]:
    """Every kind of user: admin, viewer, an editor of no organization, and editors of each
    party, of one above a party, of one under a party's parent, of an unrelated one, and of a
    unit that acts for its government."""
    found = [
        Caller(1, "Admin", Role.admin, None),
        Caller(2, "Viewer", Role.viewer, k.office),
        Caller(3, "Editor of none", Role.editor, None),
    ]
    for n, org in enumerate(
        (k.office, k.diskominfo, k.province, k.ori, k.dinkes, k.kalteng, k.kalteng_agency, biro)
    ):
        found.append(Caller(10 + n, f"Editor {org}", Role.editor, org))
    return found


def works_under_a_party(session: Session, caller: Caller, parties: set[int]) -> bool:
    """The rule as the console wrote it before AgreementRights: a writer of a party, of one
    above it, or of one under it (a Perwakilan under Ombudsman RI)."""
    if not allowed(lambda: require_writer(caller)):
        return False
    if caller.is_admin or within(session, parties, caller):
        return True
    if caller.organization_id is None:
        return False
    return bool(
        ancestry(session, [caller.organization_id]).get(caller.organization_id, set()) & parties
    )


def test_rights_say_what_the_access_rules_say(
    client: TestClient, session: Session, kalsel: Kalsel
) -> None:
    biro = create_org(
        client, "Biro Pemerintahan dan Kerja Sama", "regional_agency", kalsel.province
    )
    patch_org(client, biro, acts_for_parent=True)
    nk = create_agreement(client, **nk_body(kalsel))
    sign_all(client, nk, "2021-10-28")
    pks = create_agreement(client, **pks_body(kalsel, nk["id"]))
    agreements: list[dict[str, Any]] = [nk, pks]
    reporters = [kalsel.office, kalsel.diskominfo, kalsel.ori, kalsel.province]
    for agreement in agreements:
        parties = [p["organization_id"] for p in agreement["parties"]]
        for caller in callers(kalsel, biro):
            rights = agreement_rights(session, caller, parties, others=reporters)
            seen = (caller.name, agreement["kind"])
            assert rights.edits_agreement == allowed(
                partial(require_agreement_editor, session, caller, agreement["id"])
            ), seen
            for org in [*parties, *reporters]:
                assert rights.edits_for([org]) == allowed(
                    partial(require_party_editor, session, caller, [org])
                ), (*seen, org)
            assert rights.works_under_a_party == works_under_a_party(
                session, caller, set(parties)
            ), seen
            for reporter in reporters:
                assert rights.verifies(reporter) == allowed(
                    partial(require_verifier, session, caller, agreement["id"], reporter)
                ), (*seen, reporter)


def test_rights_cost_no_statement_for_an_admin_or_a_viewer_and_two_for_an_editor(
    client: TestClient, session: Session, kalsel: Kalsel, count_statements: Any
) -> None:
    parties = [kalsel.office, kalsel.diskominfo]
    reporters = list(range(1, 40))  # however many reporters the page has
    for caller, expected in (
        (Caller(1, "Admin", Role.admin, None), 0),
        (Caller(2, "Viewer", Role.viewer, kalsel.office), 0),
        (Caller(3, "Editor", Role.editor, kalsel.office), 2),
    ):
        with count_statements() as statements:
            agreement_rights(session, caller, parties, others=reporters)
        assert len(statements) == expected, (caller.name, statements)
