"""Load an agreement named in the path, or answer 404."""

from typing import Annotated

from fastapi import Depends

from app.agreements.queries import AgreementView, get_agreement_view
from app.core.db import SessionDep
from app.core.deps import TodayDep
from app.core.schemas import path_id

AgreementIdPath = Annotated[int, path_id("Id of the agreement (NK or PKS).")]


def valid_agreement(
    session: SessionDep, agreement_id: AgreementIdPath, today: TodayDep
) -> AgreementView:
    """The agreement named in the path, with its status today."""
    return get_agreement_view(session=session, agreement_id=agreement_id, today=today)


ValidAgreement = Annotated[AgreementView, Depends(valid_agreement)]
