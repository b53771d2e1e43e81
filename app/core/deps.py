"""Dependencies shared by every router."""

from datetime import date
from typing import Annotated

from fastapi import Depends

from app.core.config import settings


def get_today() -> date:
    """The registry's today (in the configured time zone); tests override it."""
    return settings.today()


TodayDep = Annotated[date, Depends(get_today)]
