"""Bodies for renewing an agreement and re-linking the PKS of a renewed NK."""

from pydantic import BaseModel, Field

from app.core.schemas import Day, Id, LongText, RequestBody, Title


class RenewIn(RequestBody):
    """Create the successor (perpanjangan) as a draft: same kind, parties and scope."""

    title: Title | None = Field(default=None, description="Default: the same title.")
    description: LongText | None = None
    valid_from: Day | None = None
    valid_until: Day | None = None


class RelinkIn(RequestBody):
    """Move PKS of the renewed NK under its successor."""

    pks_ids: list[Id] | None = Field(
        default=None, max_length=1000, description="Default: every live PKS of the old NK."
    )


class RelinkResult(BaseModel):
    nk_id: int
    relinked: list[int]
