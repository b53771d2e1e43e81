"""The national data set: every Perwakilan, province, regency and city, their SKPD, an NK per
government and generation and a PKS per SKPD under each, with ruang lingkup items and recurring
obligations over the years.

Written with bulk loads (COPY on PostgreSQL, executemany on SQLite) through the tables the
migrations made; what the code keeps as stored facts is kept by the code's own writers
(`store_signature_facts`, `store_search_documents`) or functions (`fold` for search text,
`occurrence_due_on` for recurring series), so the data set is one the API could have written.

Dates are relative to ANCHOR (day one of the reminder runs: yesterday), so that every run sees
the same mix of statuses, deadlines and overdue obligations whatever the calendar says.
"""

import itertools
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import Engine, text
from sqlmodel import Session

from app.agreements.parties import store_signature_facts
from app.agreements.search import store_search_documents
from app.core.text import fold
from app.obligations.models import Recurrence
from app.obligations.service import occurrence_due_on
from app.users import service as users
from app.users.models import Role
from app.users.schemas import ApiKeyCreate, UserCreate

NK_SCOPE = (
    "Percepatan penanganan dan penyelesaian laporan masyarakat",
    "Pencegahan maladministrasi",
    "Pengelolaan pengaduan masyarakat",
    "Pertukaran informasi/data sesuai ketentuan peraturan",
    "Peningkatan dan pengembangan kompetensi sumber daya manusia",
    "Pendampingan secara berkala dalam peningkatan kualitas pelayanan publik",
)
AGENCIES = (
    "Dinas Komunikasi dan Informatika",
    "Dinas Kesehatan",
    "Dinas Pendidikan dan Kebudayaan",
    "Dinas Kependudukan dan Pencatatan Sipil",
    "Dinas Penanaman Modal dan PTSP",
    "Dinas Sosial",
    "Dinas Perhubungan",
    "Dinas Pekerjaan Umum dan Penataan Ruang",
    "Inspektorat",
    "Badan Kepegawaian Daerah",
)
GENERATIONS = (2007, 2011, 2015, 2019, 2023)  # the NK of each government, renewed every 4 years
BIG_AGENCIES = 500  # the government whose NK has 500 PKS (coverage)
BENCH_EMAIL = "bench@registry.go.id"  # the admin whose key and console session load the server


@dataclass
class Sizes:
    provinces: int = 38
    regencies: int = 416
    cities: int = 98
    agencies_per_government: int = 35

    @classmethod
    def scaled(cls, scale: float) -> "Sizes":
        return cls(
            provinces=max(2, round(38 * scale)),
            regencies=max(2, round(416 * scale)),
            cities=max(1, round(98 * scale)),
        )


@dataclass
class DataSet:
    """What the load needs to know of the data set."""

    anchor: date
    counts: dict[str, int] = field(default_factory=dict)
    perwakilan: int = 0  # the Perwakilan with the most governments
    government: int = 0  # a regency government
    big_nk: int = 0  # the NK with BIG_AGENCIES PKS
    pks: int = 0  # an active PKS
    number: str = ""  # one party's number of an active NK
    api_key: str = ""  # of an admin, issued as any client's key is
    seconds: float = 0.0


class Ids:
    def __init__(self) -> None:
        self._next: dict[str, Iterator[int]] = {}

    def __call__(self, table: str) -> int:
        return next(self._next.setdefault(table, itertools.count(1)))


class Writer:
    """Rows buffered per table, written in bulk."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.rows: dict[str, list[Sequence[Any]]] = {}
        self.columns: dict[str, Sequence[str]] = {}
        self.written: dict[str, int] = {}

    def add(self, table: str, columns: Sequence[str], row: Sequence[Any]) -> None:
        self.columns.setdefault(table, columns)
        self.rows.setdefault(table, []).append(row)
        if len(self.rows[table]) >= 50_000:
            self.flush()

    def flush(self) -> None:
        """Every table's rows, in the order they were first added (referenced before
        referring)."""
        for name in list(self.columns):
            rows = self.rows.pop(name, [])
            if rows:
                self._write(name, self.columns[name], rows)
                self.written[name] = self.written.get(name, 0) + len(rows)

    def _write(self, table: str, columns: Sequence[str], rows: list[Sequence[Any]]) -> None:
        names = ", ".join(columns)
        if self.engine.dialect.name == "postgresql":
            raw = self.engine.raw_connection()
            try:
                with raw.cursor() as cursor:  # type: ignore[attr-defined]
                    with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
                raw.commit()
            finally:
                raw.close()
            return
        marks = ", ".join(f":{c}" for c in columns)
        with self.engine.begin() as connection:
            connection.execute(
                text(f"INSERT INTO {table} ({names}) VALUES ({marks})"),
                [dict(zip(columns, row, strict=True)) for row in rows],
            )


ORG = (
    "id",
    "name",
    "short_name",
    "kind",
    "parent_id",
    "region_id",
    "search_text",
    "version",
    "created_at",
    "updated_at",
)
AGREEMENT = (
    "id",
    "kind",
    "title",
    "parent_id",
    "supersedes_id",
    "valid_from",
    "valid_until",
    "finalized_at",
    "drafted_on",
    "finalized_on",
    "parties_signed",
    "parties_unsigned",
    "version",
    "created_at",
    "updated_at",
)
PARTY = (
    "id",
    "agreement_id",
    "organization_id",
    "position",
    "document_number",
    "signatory_name",
    "signed_on",
    "signature_recorded_at",
)
SCOPE = ("id", "agreement_id", "position", "title", "source_item_id")
OBLIGATION = (
    "id",
    "agreement_id",
    "title",
    "responsible_organization_id",
    "due_on",
    "recurrence",
    "series_start",
    "occurrence",
    "previous_id",
    "completed_on",
    "version",
    "created_at",
    "updated_at",
)
ASSESSMENT = (
    "id",
    "organization_id",
    "year",
    "score",
    "zone",
    "source",
    "version",
    "created_at",
    "updated_at",
)


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, tzinfo=UTC)


def build(engine: Engine, *, anchor: date, scale: float = 1.0) -> DataSet:
    """Write the data set into an empty, migrated database."""
    started = time.perf_counter()
    sizes = Sizes() if scale >= 1 else Sizes.scaled(scale)
    ids, out = Ids(), Writer(engine)
    data = DataSet(anchor=anchor)
    now = _at(anchor)

    def org(
        name: str,
        kind: str,
        parent: int | None,
        region: int | None = None,
        short: str | None = None,
    ) -> int:
        oid = ids("organization")
        out.add(
            "organization",
            ORG,
            (oid, name, short, kind, parent, region, fold(name, short), 1, now, now),
        )
        return oid

    ori = org("Ombudsman Republik Indonesia", "state_institution", None, short="ORI")
    governments: list[tuple[int, int, list[int]]] = []  # (government, perwakilan, agencies)
    counter = itertools.count(1)
    for p in range(1, sizes.provinces + 1):
        province = org(f"Pemerintah Provinsi {p}", "provincial_government", None)
        # A Perwakilan acts in its own province (its region).
        office = org(f"Ombudsman RI Perwakilan Provinsi {p}", "regional_office", ori, province)
        members = [(province, "provincial_government")]
        share = range(p - 1, sizes.regencies + sizes.cities, sizes.provinces)
        for n in share:
            kind = "regency_government" if n < sizes.regencies else "city_government"
            label = "Kabupaten" if kind == "regency_government" else "Kota"
            members.append((org(f"Pemerintah {label} {n + 1}", kind, None, province), kind))
        for government, _kind in members:
            agencies = [
                org(f"{AGENCIES[a % len(AGENCIES)]} {next(counter)}", "regional_agency", government)
                for a in range(sizes.agencies_per_government)
            ]
            governments.append((government, office, agencies))
        if p == 1:
            data.perwakilan = office
            data.government = members[1][0]
            big = org("Pemerintah Provinsi Nusantara Raya", "provincial_government", None)
            agencies = [
                org(f"Perangkat Daerah Nusantara Raya {a + 1}", "regional_agency", big)
                for a in range(BIG_AGENCIES)
            ]
            governments.append((big, office, agencies))
    out.flush()

    def party(
        agreement: int, organization: int, position: int, number: str, signed: date | None
    ) -> None:
        out.add(
            "agreement_party",
            PARTY,
            (
                ids("agreement_party"),
                agreement,
                organization,
                position,
                number,
                "Penandatangan",
                signed,
                _at(signed) if signed else None,
            ),
        )

    obligations = 0
    due_soon = 0  # open occurrences due within the reminder horizon of day one
    big_government = governments[-1][0] if sizes.provinces else 0
    for g_index, (government, office, agencies) in enumerate(governments):
        previous_nk: int | None = None
        for generation, year in enumerate(GENERATIONS):
            current = generation == len(GENERATIONS) - 1
            nk = ids("agreement")
            signed = date(year, 3, 1 + g_index % 28)
            until = (
                anchor + timedelta(days=20 + (g_index * 37) % 500)
                if current
                else date(year + 4, 2, 28)
            )
            out.add(
                "agreement",
                AGREEMENT,
                (
                    nk,
                    "nk",
                    f"Nota Kesepahaman {year} pemerintah "
                    f"{government} tentang pengelolaan pengaduan pelayanan publik",
                    None,
                    previous_nk,
                    None,
                    until,
                    _at(signed),
                    signed,
                    signed,
                    0,
                    0,
                    1,
                    now,
                    now,
                ),
            )
            party(nk, office, 1, f"{nk}/ORI-MoU/{year}", signed)
            party(nk, government, 2, f"{nk}/NK-PEMDA/{year}", signed)
            if current and government == big_government:
                data.big_nk = nk
            if current and not data.number:
                data.number = f"{nk}/NK-PEMDA/{year}"
            items = []
            for position, title in enumerate(NK_SCOPE, 1):
                item = ids("scope_item")
                items.append(item)
                out.add("scope_item", SCOPE, (item, nk, position, title, None))
            previous_nk = nk
            for a_index, agency in enumerate(agencies):
                pks = ids("agreement")
                pks_signed = date(year, 7, 4) + timedelta(days=a_index % 20)
                # Of the current generation, some SKPD have not signed yet.
                state = (a_index + g_index) % 40 if current else 0
                agency_signed = None if state in (1, 2, 3) else pks_signed
                office_signed = None if state in (2, 3) else pks_signed
                finalized = None if state == 3 else _at(pks_signed)
                pks_until = min(until, pks_signed + relativedelta(years=4, days=-1))
                if current and state == 4:  # lapses within the next 90 days
                    pks_until = anchor + timedelta(days=2 + a_index % 85)
                out.add(
                    "agreement",
                    AGREEMENT,
                    (
                        pks,
                        "pks",
                        f"PKS {year} pelayanan publik dan pengaduan SKPD {agency}",
                        nk,
                        None,
                        None,
                        pks_until,
                        finalized,
                        # Dates of record: drafted in June, final on the day of signing.
                        pks_signed - timedelta(days=19),
                        None if finalized is None else pks_signed,
                        0,
                        0,
                        1,
                        now,
                        now,
                    ),
                )
                party(pks, office, 1, f"{pks}/ORI-PKS/{year}", office_signed)
                party(pks, agency, 2, f"{pks}/PKS-SKPD/{year}", agency_signed)
                for position, source in enumerate(items[:5], 1):
                    out.add(
                        "scope_item",
                        SCOPE,
                        (ids("scope_item"), pks, position, NK_SCOPE[position - 1], source),
                    )
                if agency_signed is None or office_signed is None:
                    continue
                if current and not data.pks:
                    data.pks = pks
                # A recurring report from the SKPD: semiannual for the older generations,
                # quarterly since 2019; every occurrence done but, for PKS in force, the last.
                recurrence = Recurrence.quarterly if year >= 2019 else Recurrence.semiannual
                months = 3 if recurrence == Recurrence.quarterly else 6
                if current:
                    done = (anchor.year - year) * 12 // months + (anchor.month - 7) // months
                    if due_soon < 1000 and a_index % 7 == 0:
                        first_open = anchor + timedelta(days=due_soon % 30)
                        due_soon += 1
                    elif a_index % 11 == 0:
                        first_open = anchor - timedelta(days=1 + a_index % 80)  # overdue
                    else:
                        first_open = anchor + timedelta(days=31 + a_index % 60)
                    start = first_open - relativedelta(months=months * done)
                else:
                    done = 48 // months
                    start = pks_signed + relativedelta(months=months)
                previous = None
                for occurrence in range(done + (1 if current else 0)):
                    oid = ids("obligation")
                    due = occurrence_due_on(start, recurrence, occurrence)
                    completed = due - timedelta(days=occurrence % 5) if occurrence < done else None
                    out.add(
                        "obligation",
                        OBLIGATION,
                        (
                            oid,
                            pks,
                            "Laporan pengelolaan pengaduan",
                            agency,
                            due,
                            recurrence.value,
                            start,
                            occurrence,
                            previous,
                            completed,
                            1,
                            now,
                            now,
                        ),
                    )
                    previous = oid
                    obligations += 1
    for year in (2021, 2022, 2023):
        for g_index, (government, _, _) in enumerate(governments):
            zone = ("green", "yellow", "red")[(g_index + year) % 5 % 3]
            out.add(
                "compliance_assessment",
                ASSESSMENT,
                (
                    ids("compliance_assessment"),
                    government,
                    year,
                    50 + (g_index * 7 + year) % 50,
                    zone,
                    "Penilaian Kepatuhan (bench)",
                    1,
                    now,
                    now,
                ),
            )
    out.flush()
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            for table in out.written:
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
    _store_facts(engine, range(1, ids("agreement")))
    # _store_facts rewrote every agreement: on PostgreSQL each row and its index entries are
    # there twice until (auto)vacuum clears the old versions, which a registry in service has
    # long done. Measure that state, not the bulk load's (VACUUM halved the deadline query).
    vacuum = "VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(vacuum))
    data.api_key = _issue_admin_key(engine, anchor)
    data.counts = dict(out.written)
    data.counts["obligations_due_within_30_days"] = due_soon
    data.seconds = round(time.perf_counter() - started, 1)
    return data


def _store_facts(engine: Engine, agreement_ids: Iterable[int]) -> None:
    """The stored signature facts and search documents, by their one writers, in slices (a
    statement carries at most 65,535 parameters)."""
    wanted = list(agreement_ids)
    with Session(engine) as session:
        for start in range(0, len(wanted), 20_000):
            store_signature_facts(session, wanted[start : start + 20_000])
            store_search_documents(session, wanted[start : start + 20_000])
        session.commit()


def _issue_admin_key(engine: Engine, today: date) -> str:
    """An admin and an API key of theirs, through the users service (as `registry
    create-admin` does): the load authenticates as every client does, not with the
    bootstrap key."""
    with Session(engine) as session:
        user = users.create_user(
            session=session,
            user_in=UserCreate(name="Bench admin", email=BENCH_EMAIL, role=Role.admin),
        )
        issued = users.issue_key(
            session=session, user_id=user.id, key_in=ApiKeyCreate(name="bench"), today=today
        )
        return issued.key
