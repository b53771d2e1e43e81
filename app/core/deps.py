"""Dependencies shared by every router."""

from datetime import date, datetime
from typing import Annotated

from fastapi import Depends

from app.core.config import Settings, settings
from app.core.types import utcnow

# These three are `async def` although they do not wait: FastAPI runs a plain `def` dependency
# in its thread pool, and the hop there and back costs more than the value (every request
# resolves them). They must never block.


async def get_today() -> date:
    """The registry's today (in the configured time zone); tests override it."""
    return settings.today()


TodayDep = Annotated[date, Depends(get_today)]


async def get_now() -> datetime:
    """The current moment (UTC); tests override it to step through retry back-off."""
    return utcnow()


async def get_settings() -> Settings:
    """The running settings; tests override single values."""
    return settings


NowDep = Annotated[datetime, Depends(get_now)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
