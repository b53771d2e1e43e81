"""Path parameters of the agreement routes, and loading the agreement they name (or 404).

The examples are ids of a freshly seeded database (`make run`), so "Try it out" works as is:
1 is the Kalsel NK of 2021, 3 the Kalteng joint NK (Kotawaringin Barat has not signed), 4 the
PKS of the Kalsel Inspektorat.
"""

from typing import Annotated

from fastapi import Depends

from app.agreements.errors import AgreementNotFound
from app.agreements.models import Agreement
from app.agreements.queries import agreement_public
from app.agreements.schemas import AgreementPublic
from app.core.db import SessionDep
from app.core.deps import TodayDep
from app.core.schemas import path_id

SEEDED_NK_KALSEL = 1
SEEDED_NK_KALTENG = 3
SEEDED_PKS_KALSEL = 4

AgreementIdPath = Annotated[
    int, path_id("Id of the agreement (NK, PKS or adendum).", example=SEEDED_NK_KALSEL)
]
NkIdPath = Annotated[int, path_id("Id of the NK.", example=SEEDED_NK_KALSEL)]
UnsignedIdPath = Annotated[
    int,
    path_id(
        "Id of an agreement awaiting signatures (e.g. the Kalteng joint NK).",
        example=SEEDED_NK_KALTENG,
    ),
]
SignedIdPath = Annotated[
    int, path_id("Id of a signed NK or PKS (e.g. a Kalsel PKS).", example=SEEDED_PKS_KALSEL)
]


def valid_agreement(
    session: SessionDep, agreement_id: AgreementIdPath, today: TodayDep
) -> AgreementPublic:
    """The agreement named in the path, with its status today."""
    return agreement_public(session=session, agreement_id=agreement_id, today=today)


ValidAgreement = Annotated[AgreementPublic, Depends(valid_agreement)]


def existing_agreement_id(session: SessionDep, agreement_id: AgreementIdPath) -> int:
    """The agreement id in the path, once it names an agreement (404 otherwise); for routes that
    need only its existence, not its whole representation."""
    if session.get(Agreement, agreement_id) is None:
        raise AgreementNotFound(agreement_id)
    return agreement_id


ExistingAgreementId = Annotated[int, Depends(existing_agreement_id)]
