"""The obligation list as a spreadsheet: what each party owes, by due date."""

from app.core.sheets import Column
from app.labels import label
from app.obligations.schemas import ObligationPublic

OBLIGATION_COLUMNS: list[Column[ObligationPublic]] = [
    Column("ID", 8, lambda o: o.id),
    Column("Kewajiban", 50, lambda o: o.title),
    Column("Penanggung jawab", 45, lambda o: o.responsible_organization_name),
    Column("Jatuh tempo", 14, lambda o: o.due_on),
    Column("Status", 20, lambda o: label(o.status)),
    Column("Berulang", 12, lambda o: label(o.recurrence)),
    Column("Diselesaikan pada", 16, lambda o: o.completed_on),
    Column("Catatan penyelesaian", 40, lambda o: o.completion_note or o.waiver_reason),
    Column("ID perjanjian", 12, lambda o: o.agreement_id),
    Column("Perjanjian", 60, lambda o: o.agreement_title),
]
