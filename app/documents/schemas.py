"""Bodies for the signed documents of an agreement."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class DocumentPublic(BaseModel):
    """A document attached to an agreement."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    agreement_id: int
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    uploaded_at: datetime
