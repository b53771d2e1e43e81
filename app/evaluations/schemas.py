"""Request and response bodies of evaluations (monev)."""

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from app.core.schemas import Integer, LongText, Reason, RequestBody
from app.evaluations.models import Recommendation

SCORE_MEANINGS = {
    1: "Tidak berjalan: nothing of the ruang lingkup was carried out",
    2: "Kurang: partly carried out, with major obstacles",
    3: "Baik: carried out as agreed",
    4: "Sangat baik: carried out as agreed, with measurable results beyond it",
}
Period = Annotated[
    str,
    Field(
        min_length=4,
        max_length=7,
        pattern=r"^20\d\d(-H[12])?$",
        description="A year (`2023`) or a half-year (`2023-H1`, `2023-H2`); not after this year, "
        "nor before the agreement was signed.",
        examples=["2025"],
    ),
]


class EvaluationCreate(RequestBody):
    """The monitoring and evaluation (monev) of an agreement for one period."""

    period: Period
    score: Integer = Field(
        ge=1,
        le=4,
        description="1 tidak berjalan (not carried out), 2 kurang (partly, major obstacles), "
        "3 baik (as agreed), 4 sangat baik (as agreed, with measurable results beyond it).",
    )
    findings: Reason = Field(description="What was found: what was done under the ruang lingkup.")
    obstacles: LongText | None = Field(default=None, description="Kendala.")
    follow_up: LongText | None = Field(default=None, description="Tindak lanjut.")
    recommendation: Recommendation = Field(
        description="`continue` (dilanjutkan), `extend` (diperpanjang), `revise` (direvisi by "
        "an adendum) or `stop` (dihentikan)."
    )


class EvaluationPublic(BaseModel):
    """A recorded evaluation."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    agreement_id: int
    period: str
    year: int
    score: int
    score_meaning: str
    findings: str
    obstacles: str | None
    follow_up: str | None
    recommendation: Recommendation
    version: int
    created_at: datetime
    updated_at: datetime


EVALUATION_EXAMPLES: dict[str, dict[str, Any]] = {
    "pks_2025": {
        "summary": "The 2025 monev of a Kalsel SKPD PKS (agreement 4)",
        "value": {
            "period": "2025",
            "score": 3,
            "findings": "Pendampingan standar pelayanan dilaksanakan dua kali; data pengaduan "
            "dipertukarkan setiap triwulan.",
            "obstacles": "Pergantian pejabat penghubung di SKPD.",
            "follow_up": "Menetapkan pejabat penghubung tetap.",
            "recommendation": "continue",
        },
    }
}
