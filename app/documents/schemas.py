"""Bodies for the signed documents of an agreement."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class DocumentFields(BaseModel):
    """What is shown of any kept file."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    uploaded_at: datetime


class DocumentPublic(DocumentFields):
    """A document attached to an agreement."""

    agreement_id: int
