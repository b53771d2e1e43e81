"""Importing a legacy register: organizations, then agreements with their parties and signatures.

Every record goes through the services and rules of the API (create_organization,
create_agreement, finalize_agreement, sign_agreement), each record in a savepoint of its own so
that one refusal does not hide the next: the answer names every error by row and column. The
whole file is one transaction: committed only when asked and when no record was refused, rolled
back otherwise (a dry run does all the work, and so finds every error a commit would meet).

An agreement already registered is recognised by a party's number (the number each party gave
the document), an organization by its name under the same parent: importing a file twice
creates its records once.
"""

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.agreements.lifecycle import finalize_agreement, sign_agreement
from app.agreements.models import Agreement, AgreementKind, AgreementParty
from app.agreements.schemas import AgreementCreate, SignatureIn
from app.agreements.service import create_agreement
from app.core.errors import AppError, Forbidden, RuleViolation
from app.core.schemas import refuse_control_characters
from app.imports.columns import AGREEMENT_COLUMNS, SheetKind, column_of
from app.imports.reader import Row, Sheet, as_date, read_register
from app.imports.schemas import (
    ImportCounts,
    ImportedRecord,
    ImportProblem,
    ImportReport,
    RowAction,
)
from app.organizations.models import Organization, OrganizationKind
from app.organizations.schemas import OrganizationCreate
from app.organizations.service import create_organization, organization_named
from app.users.access import require_organization_creator, require_party_editor
from app.users.auth import Caller

KIND_WORDS = {
    "lembaga negara": OrganizationKind.state_institution,
    "kementerian": OrganizationKind.state_institution,
    "perwakilan": OrganizationKind.regional_office,
    "kantor perwakilan": OrganizationKind.regional_office,
    "provinsi": OrganizationKind.provincial_government,
    "pemerintah provinsi": OrganizationKind.provincial_government,
    "pemprov": OrganizationKind.provincial_government,
    "kabupaten": OrganizationKind.regency_government,
    "pemerintah kabupaten": OrganizationKind.regency_government,
    "pemkab": OrganizationKind.regency_government,
    "kota": OrganizationKind.city_government,
    "pemerintah kota": OrganizationKind.city_government,
    "pemkot": OrganizationKind.city_government,
    "skpd": OrganizationKind.regional_agency,
    "opd": OrganizationKind.regional_agency,
    "perangkat daerah": OrganizationKind.regional_agency,
    "universitas": OrganizationKind.university,
    "perguruan tinggi": OrganizationKind.university,
    "lainnya": OrganizationKind.other,
    **{kind.value: kind for kind in OrganizationKind},
}
SIGNED_WITHOUT_DATE = {"ya", "yes", "sudah", "ttd", "v", "x", "✓"}
# Where an agreement's fields (as the API names them) are in the sheet.
AGREEMENT_FIELD_COLUMNS = {
    "kind": "kind",
    "title": "title",
    "parent_id": "parent",
    "description": "description",
    "valid_from": "valid_from",
    "valid_until": "valid_until",
    "scope_items": "scope",
    "planned_signing_on": "planned_signing_on",
    "drafted_on": "drafted_on",
    "finalized_on": "finalized_on",
}
PARTY_FIELD_COLUMNS = {
    "organization_id": "party",
    "document_number": "document_number",
    "signatory_name": "signatory_name",
    "signatory_title": "signatory_title",
    "signed_on": "signed_on",
    "pending_reason": "pending_reason",
}
# The agreement's own fields: read from its first row; later rows may only repeat them.
AGREEMENT_LEVEL = tuple(c.key for c in AGREEMENT_COLUMNS if c.per_agreement)


class RowError(Exception):
    """Errors found in a record's rows before any write."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        super().__init__(problems[0].msg)
        self.problems = problems


@dataclass
class _Party:
    row: Row
    organization_id: int
    document_number: str | None
    signatory_name: str | None
    signatory_title: str | None
    pending_reason: str | None
    signed: bool
    signed_on: date | None


@dataclass
class _Run:
    """One import: the outer transaction's connection, what was found so far, the report."""

    session: Session
    today: date
    caller: Caller | None  # None: the command line, which may do everything
    records: list[ImportedRecord] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    forbidden: bool = False
    refs: dict[str, int | None] = field(default_factory=dict)  # Kode -> id (None: refused)
    organization_ids: dict[str, int] = field(default_factory=dict)

    @property
    def connection(self) -> Connection:
        return self.session.connection()

    # -- savepoints -------------------------------------------------------------------------

    @contextmanager
    def savepoint(self) -> Iterator[Session]:
        """A session whose commits release savepoints inside the import's transaction; on any
        error, everything it did is rolled back and the error goes on."""
        group = self.connection.begin_nested()
        inner = Session(bind=self.connection, join_transaction_mode="create_savepoint")
        inner.info.update(self.session.info)
        try:
            yield inner
            inner.commit()
            group.commit()
        except BaseException:
            inner.rollback()
            group.rollback()
            raise
        finally:
            inner.close()

    # -- problems ---------------------------------------------------------------------------

    def problem(
        self, sheet: SheetKind, row: Row, key: str | None, msg: str, slug: str
    ) -> ImportProblem:
        column = None
        if key is not None:
            letter = row.cells[key].column if key in row.cells else None
            label = column_of(sheet, key).label
            column = f"{letter} ({label})" if letter else label
        return ImportProblem(
            sheet=sheet, row=row.number, column=column, msg=msg, type=f"/problems/{slug}"
        )

    def refused(
        self,
        sheet: SheetKind,
        rows: list[Row],
        label: str,
        problems: list[ImportProblem],
    ) -> None:
        self.problems.extend(problems)
        self.records.append(
            ImportedRecord(
                sheet=sheet,
                rows=[r.number for r in rows],
                action=RowAction.error,
                id=None,
                label=label,
                note=f"{len(problems)} error(s)",
            )
        )

    def from_app_error(
        self,
        sheet: SheetKind,
        rows: list[Row],
        error: AppError,
        locate: Callable[[list[Any]], tuple[Row, str | None]],
    ) -> list[ImportProblem]:
        if isinstance(error, Forbidden):
            self.forbidden = True
        found = []
        for entry in error.errors or []:
            loc = [part for part in entry.get("loc", []) if part != "body"]
            row, key = locate(loc)
            found.append(self.problem(sheet, row, key, f"{error.detail}", error.type_slug))
        if not found:
            row, key = locate([])
            found.append(self.problem(sheet, row, key, error.detail, error.type_slug))
        # One problem per distinct place: a rule's several loc entries share its detail.
        unique = {(p.row, p.column): p for p in found}
        return list(unique.values())

    def from_validation(
        self,
        sheet: SheetKind,
        error: ValidationError,
        locate: Callable[[list[Any]], tuple[Row, str | None]],
    ) -> list[ImportProblem]:
        found = []
        for entry in error.errors():
            row, key = locate(list(entry["loc"]))
            found.append(self.problem(sheet, row, key, entry["msg"], "validation-error"))
        return found

    # -- organizations ----------------------------------------------------------------------

    def find_organization(self, text: str) -> int:
        """An organization by #id, name or short name (any case); raises ValueError saying why
        not."""
        if text.startswith("#"):
            raw = text[1:].strip()
            if not raw.isdigit() or self.session.get(Organization, int(raw)) is None:
                raise ValueError(f"no organization has the id {text}")
            return int(raw)
        key = text.lower()
        if key in self.organization_ids:
            return self.organization_ids[key]
        found = self.session.exec(
            select(Organization.id, Organization.name, Organization.parent_id).where(
                sa.or_(
                    sa.func.lower(Organization.name) == key,
                    sa.func.lower(Organization.short_name) == key,
                )
            )
        ).all()
        if not found:
            raise ValueError(
                f"no organization is named '{text}'; register it in sheet Organisasi first, "
                "or write its #id"
            )
        if len(found) > 1:
            options = ", ".join(f"#{i} (under #{p})" if p else f"#{i}" for i, _, p in found)
            raise ValueError(
                f"{len(found)} organizations are named '{text}': {options}; write the #id"
            )
        organization_id = found[0][0]
        assert organization_id is not None
        self.organization_ids[key] = organization_id
        return organization_id

    def organization(self, row: Row) -> None:
        sheet = SheetKind.organizations
        name = row.text("name") or ""
        problems = []
        kind_text = row.text("kind")
        kind = KIND_WORDS.get(" ".join((kind_text or "").lower().split()))
        if kind_text and kind is None:
            problems.append(
                self.problem(
                    sheet, row, "kind", f"'{kind_text}' is not a kind of organization", "bad-value"
                )
            )
        parent_id = None
        if parent_text := row.text("parent"):
            try:
                parent_id = self.find_organization(parent_text)
            except ValueError as why:
                problems.append(
                    self.problem(sheet, row, "parent", str(why), "unknown-organization")
                )
        if problems:
            return self.refused(sheet, [row], name, problems)

        def locate(loc: list[Any]) -> tuple[Row, str | None]:
            first = str(loc[0]) if loc else ""
            key = "parent" if first == "parent_id" else first
            return row, key if key in row.cells else None

        try:
            organization_in = OrganizationCreate.model_validate(
                {
                    "name": name or None,
                    "short_name": row.text("short_name"),
                    "kind": kind,
                    "parent_id": parent_id,
                    "email": row.text("email"),
                }
            )
        except ValidationError as error:
            return self.refused(sheet, [row], name, self.from_validation(sheet, error, locate))
        existing = organization_named(self.session, organization_in.name, parent_id)
        if existing is not None:
            self.records.append(
                ImportedRecord(
                    sheet=sheet,
                    rows=[row.number],
                    action=RowAction.exists,
                    id=existing.id,
                    label=organization_in.name,
                    note="the same name under the same parent",
                )
            )
            return None
        try:
            if self.caller is not None:
                require_organization_creator(self.session, self.caller, organization_in)
            with self.savepoint() as session:
                created = create_organization(session=session, organization_in=organization_in)
        except AppError as error:
            return self.refused(
                sheet, [row], name, self.from_app_error(sheet, [row], error, locate)
            )
        self.records.append(
            ImportedRecord(
                sheet=sheet,
                rows=[row.number],
                action=RowAction.create,
                id=created.id,
                label=created.name,
            )
        )
        return None

    # -- agreements -------------------------------------------------------------------------

    def agreement(self, ref: str, rows: list[Row]) -> None:
        sheet = SheetKind.agreements
        first = rows[0]
        kind_text = (first.text("kind") or "").lower()
        label = f"{ref}: {kind_text.upper() or '?'} {first.text('title') or ''}".strip()
        try:
            payload, parties = self._read_agreement(ref, rows)
        except RowError as error:
            self.refs[ref] = None
            return self.refused(sheet, rows, label, error.problems)

        def locate(loc: list[Any]) -> tuple[Row, str | None]:
            if len(loc) >= 2 and loc[0] == "parties" and isinstance(loc[1], int):
                row = rows[loc[1]] if loc[1] < len(rows) else first
                key = PARTY_FIELD_COLUMNS.get(str(loc[2])) if len(loc) > 2 else "party"
                return row, key
            key = AGREEMENT_FIELD_COLUMNS.get(str(loc[0])) if loc else None
            return first, key if key in first.cells else None

        existing = self._existing_agreement(parties)
        if isinstance(existing, ImportProblem):
            self.refs[ref] = None
            return self.refused(sheet, rows, label, [existing])
        if existing is not None:
            agreement_id, how = existing
            self.refs[ref] = agreement_id
            self.records.append(
                ImportedRecord(
                    sheet=sheet,
                    rows=[r.number for r in rows],
                    action=RowAction.exists,
                    id=agreement_id,
                    label=label,
                    note=how,
                )
            )
            return None
        finalized_on = payload.pop("finalized_on")
        try:
            agreement_in = AgreementCreate.model_validate(payload)
        except ValidationError as error:
            self.refs[ref] = None
            return self.refused(sheet, rows, label, self.from_validation(sheet, error, locate))
        try:
            if self.caller is not None:
                require_party_editor(
                    self.session, self.caller, [p.organization_id for p in parties]
                )
            with self.savepoint() as session:
                agreement_id = create_agreement(
                    session=session, agreement_in=agreement_in, today=self.today
                )
                self._sign(session, agreement_id, parties, finalized_on)
        except _SigningRefused as refusal:
            self.refs[ref] = None
            party = refusal.party
            return self.refused(
                sheet,
                rows,
                label,
                self.from_app_error(
                    sheet, rows, refusal.error, lambda _loc: (party.row, "signed_on")
                ),
            )
        except AppError as error:
            self.refs[ref] = None
            return self.refused(sheet, rows, label, self.from_app_error(sheet, rows, error, locate))
        except IntegrityError:
            self.refs[ref] = None
            problem = self.problem(
                sheet,
                first,
                None,
                "registered at the same moment by another request (a number or a PKS of the "
                "same SKPD); nothing was imported: import the file again to see it as "
                "already registered",
                "conflict",
            )
            return self.refused(sheet, rows, label, [problem])
        self.refs[ref] = agreement_id
        signed = sum(p.signed for p in parties)
        self.records.append(
            ImportedRecord(
                sheet=sheet,
                rows=[r.number for r in rows],
                action=RowAction.create,
                id=agreement_id,
                label=label,
                note=f"{len(parties)} parties, {signed} signed",
            )
        )
        return None

    def _sign(
        self,
        session: Session,
        agreement_id: int,
        parties: list[_Party],
        finalized_on: date | None,
    ) -> None:
        signers = [p for p in parties if p.signed]
        if not signers and finalized_on is None:
            return
        finalize_agreement(
            session=session,
            agreement_id=agreement_id,
            today=self.today,
            finalized_on=finalized_on,
            # Finalised outside the registry: the rendered template is not the agreed text.
            keep_text=False,
        )
        for party in sorted(signers, key=lambda p: (p.signed_on is None, p.signed_on or date.min)):
            try:
                sign_agreement(
                    session=session,
                    agreement_id=agreement_id,
                    signature=SignatureIn(
                        organization_id=party.organization_id, signed_on=party.signed_on
                    ),
                    today=self.today,
                )
            except AppError as error:
                raise _SigningRefused(party, error) from None

    def _read_agreement(self, ref: str, rows: list[Row]) -> tuple[dict[str, Any], list[_Party]]:
        sheet = SheetKind.agreements
        first = rows[0]
        problems: list[ImportProblem] = []
        for row in rows[1:]:
            for key in AGREEMENT_LEVEL:
                mine, theirs = row.text(key), first.text(key)
                if mine is not None and mine != theirs:
                    problems.append(
                        self.problem(
                            sheet,
                            row,
                            key,
                            f"differs from row {first.number} of the same Kode '{ref}' "
                            f"('{theirs or ''}'); an agreement's fields are read from its "
                            "first row",
                            "inconsistent-rows",
                        )
                    )
        kind_text = (first.text("kind") or "").lower()
        kind = {"nk": AgreementKind.nk, "mou": AgreementKind.nk, "pks": AgreementKind.pks}.get(
            kind_text
        )
        if kind is None:
            problems.append(
                self.problem(
                    sheet,
                    first,
                    "kind",
                    f"'{first.text('kind') or ''}' is not a kind of agreement: write NK or PKS",
                    "bad-value",
                )
            )
        dates: dict[str, date | None] = {}
        for key in (
            "valid_from",
            "valid_until",
            "planned_signing_on",
            "drafted_on",
            "finalized_on",
        ):
            try:
                dates[key] = as_date(first.cells[key].value if key in first.cells else None)
            except ValueError as why:
                problems.append(self.problem(sheet, first, key, str(why), "bad-date"))
        parent_id = None
        parent_text = first.text("parent")
        if parent_text:
            try:
                parent_id = self._find_nk(parent_text)
            except ValueError as why:
                problems.append(self.problem(sheet, first, "parent", str(why), "unknown-parent"))
        parties: list[_Party] = []
        for row in rows:
            party_text = row.text("party")
            organization_id = 0
            if party_text is None:
                problems.append(
                    self.problem(sheet, row, "party", "every row names a party", "missing-value")
                )
            else:
                try:
                    organization_id = self.find_organization(party_text)
                except ValueError as why:
                    problems.append(
                        self.problem(sheet, row, "party", str(why), "unknown-organization")
                    )
            signed, signed_on = False, None
            raw = row.cells["signed_on"].value if "signed_on" in row.cells else None
            if raw is not None:
                if str(raw).strip().lower() in SIGNED_WITHOUT_DATE:
                    signed = True
                else:
                    try:
                        signed_on = as_date(raw)
                        signed = True
                    except ValueError as why:
                        problems.append(self.problem(sheet, row, "signed_on", str(why), "bad-date"))
            parties.append(
                _Party(
                    row=row,
                    organization_id=organization_id,
                    document_number=row.text("document_number"),
                    signatory_name=row.text("signatory_name"),
                    signatory_title=row.text("signatory_title"),
                    pending_reason=row.text("pending_reason"),
                    signed=signed,
                    signed_on=signed_on,
                )
            )
        if not problems and not any(p.document_number for p in parties):
            problems.append(
                self.problem(
                    sheet,
                    first,
                    "document_number",
                    "no party's number is given; at least one is needed, by which the registry "
                    "recognises the agreement when the file is imported again",
                    "missing-number",
                )
            )
        if problems:
            raise RowError(problems)
        scope = [line.strip() for line in (first.text("scope") or "").splitlines() if line.strip()]
        payload = {
            "kind": kind,
            "title": first.text("title"),
            "description": first.text("description"),
            "parent_id": parent_id,
            "valid_from": dates.get("valid_from"),
            "valid_until": dates.get("valid_until"),
            "planned_signing_on": dates.get("planned_signing_on"),
            "drafted_on": dates.get("drafted_on"),
            # Not a field of the create: given to the finalisasi (popped before validation).
            "finalized_on": dates.get("finalized_on"),
            "scope_items": [{"title": item} for item in scope],
            "parties": [
                {
                    "organization_id": p.organization_id,
                    "document_number": p.document_number,
                    "signatory_name": p.signatory_name,
                    "signatory_title": p.signatory_title,
                    "pending_reason": p.pending_reason,
                }
                for p in parties
            ],
        }
        return payload, parties

    def _find_nk(self, text: str) -> int:
        if text in self.refs:
            found = self.refs[text]
            if found is None:
                raise ValueError(f"the NK with Kode '{text}' in this file has errors")
            return found
        ids = set(
            self.session.exec(
                select(AgreementParty.agreement_id)
                .join(Agreement, col(Agreement.id) == AgreementParty.agreement_id)
                .where(
                    sa.func.lower(AgreementParty.document_number) == text.lower(),
                    Agreement.kind == AgreementKind.nk,
                )
            )
        )
        if not ids:
            raise ValueError(
                f"'{text}' is neither the Kode of an NK in this file nor the number of a "
                "registered NK"
            )
        if len(ids) > 1:
            raise ValueError(f"'{text}' is the number of {len(ids)} NK: {sorted(ids)}")
        return ids.pop()

    def _existing_agreement(self, parties: list[_Party]) -> tuple[int, str] | ImportProblem | None:
        """The agreement these parties' numbers already name, if any."""
        wanted = {
            (p.organization_id, p.document_number.lower()): p
            for p in parties
            if p.document_number is not None
        }
        # By the numbers alone (their index): a filter on the parties too let PostgreSQL scan
        # every party of those organizations, a scan growing with each agreement imported for
        # them (the import was quadratic). The parties are matched below.
        rows = self.session.exec(
            select(
                AgreementParty.agreement_id,
                AgreementParty.organization_id,
                AgreementParty.document_number,
            ).where(sa.func.lower(AgreementParty.document_number).in_({n for _, n in wanted}))
        ).all()
        matches = {
            (agreement_id, organization_id, number)
            for agreement_id, organization_id, number in rows
            if (organization_id, (number or "").lower()) in wanted
        }
        ids = {m[0] for m in matches}
        if not ids:
            return None
        if len(ids) > 1:
            party = next(iter(wanted.values()))
            return self.problem(
                SheetKind.agreements,
                party.row,
                "document_number",
                f"these numbers belong to different registered agreements ({sorted(ids)})",
                "numbers-of-several-agreements",
            )
        agreement_id, _, number = sorted(matches)[0]
        return agreement_id, f"registered already as agreement {agreement_id} (number {number})"


class _SigningRefused(Exception):
    def __init__(self, party: _Party, error: AppError) -> None:
        super().__init__(error.detail)
        self.party, self.error = party, error


def _without_control_characters(sheet: Sheet, run: _Run) -> list[Row]:
    """The rows of a sheet whose every text cell keeps the free-text rule of the API
    (app.core.schemas); the others are refused by row and column, and on the agreements sheet
    so is every row of their agreement (its Kode), which is never read half."""
    refused: set[int] = set()
    refused_refs: set[str | None] = set()
    for row in sheet.rows:
        problems = []
        for key, cell in row.cells.items():
            if not isinstance(cell.value, str):
                continue
            try:
                refuse_control_characters(
                    cell.value, multi_line=column_of(sheet.kind, key).multi_line
                )
            except ValueError as error:
                problems.append(run.problem(sheet.kind, row, key, str(error), "validation-error"))
        if problems:
            refused.add(row.number)
            refused_refs.add(row.text("ref") if sheet.kind == SheetKind.agreements else None)
            run.refused(sheet.kind, [row], "?", problems)
    if sheet.kind == SheetKind.agreements:
        return [
            r for r in sheet.rows if r.number not in refused and r.text("ref") not in refused_refs
        ]
    return [r for r in sheet.rows if r.number not in refused]


def _groups(sheet: Sheet, run: _Run) -> list[tuple[str, list[Row]]]:
    """The agreements of a sheet: rows grouped by Kode, NK before PKS, else in file order."""
    groups: dict[str, list[Row]] = {}
    for row in _without_control_characters(sheet, run):
        ref = row.text("ref")
        if ref is None:
            run.refused(
                SheetKind.agreements,
                [row],
                "?",
                [
                    run.problem(
                        SheetKind.agreements, row, "ref", "every row has a Kode", "missing-value"
                    )
                ],
            )
            continue
        groups.setdefault(ref, []).append(row)

    def is_pks(item: tuple[str, list[Row]]) -> bool:
        return (item[1][0].text("kind") or "").lower() == "pks"

    return sorted(groups.items(), key=is_pks)


def _counts(records: Iterable[ImportedRecord], sheet: SheetKind) -> ImportCounts:
    counts = ImportCounts()
    for record in records:
        if record.sheet == sheet:
            setattr(counts, record.action.value, getattr(counts, record.action.value) + 1)
    return counts


def count_records(content: bytes, filename: str | None) -> int:
    """How many records (organizations and agreements) a file holds: for progress bars."""
    total = 0
    for sheet in read_register(content, filename):
        if sheet.kind == SheetKind.organizations:
            total += len(sheet.rows)
        else:
            total += len({row.text("ref") for row in sheet.rows})
    return total


def import_register(
    *,
    session: Session,
    content: bytes,
    filename: str | None,
    today: date,
    caller: Caller | None,
    commit: bool,
    progress: Callable[[], object] | None = None,
) -> ImportReport:
    """Import a register; commit only if asked and nothing was refused. Raises RuleViolation
    (or Forbidden) naming every error by row and column, with the report of every record."""
    sheets = read_register(content, filename)
    run = _Run(session=session, today=today, caller=caller)
    try:
        for sheet in sheets:
            if sheet.kind == SheetKind.organizations:
                for row in _without_control_characters(sheet, run):
                    run.organization(row)
                    if progress:
                        progress()
            else:
                for ref, rows in _groups(sheet, run):
                    run.agreement(ref, rows)
                    if progress:
                        progress()
    except BaseException:
        session.rollback()
        raise
    report = ImportReport(
        committed=False,
        organizations=_counts(run.records, SheetKind.organizations),
        agreements=_counts(run.records, SheetKind.agreements),
        records=run.records,
        ignored_columns=[f"{s.kind.value}: {name}" for s in sheets for name in s.ignored],
    )
    if run.problems:
        session.rollback()
        _refuse(run, report)
    if commit:
        session.commit()
        report.committed = True
    else:
        session.rollback()
        for record in report.records:
            if record.action == RowAction.create:
                record.id = None  # rolled back: the ids were the dry run's
    return report


def _refuse(run: _Run, report: ImportReport) -> None:
    for record in report.records:
        if record.action == RowAction.create:
            record.id = None
    errors = [
        {
            "loc": ["file", p.sheet.value, p.row, *([p.column] if p.column else [])],
            **p.model_dump(mode="json"),
        }
        for p in run.problems
    ]
    first = run.problems[0]
    where = f"sheet {first.sheet.value}, row {first.row}" + (
        f", column {first.column}" if first.column else ""
    )
    detail = (
        f"Nothing was imported: {len(run.problems)} error(s). The first, at {where}: {first.msg}"
    )
    report_json = report.model_dump(mode="json")
    if run.forbidden:
        raise Forbidden(detail, errors=errors, report=report_json)
    raise RuleViolation(detail, type_slug="import-refused", errors=errors, report=report_json)
