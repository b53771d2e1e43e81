"""Who is making the change in this session: set once per request, read by every history writer.

Kept on the request's session (`session.info`), which every service already receives, so no
service needs an extra argument and a history entry can never name the wrong person.
"""

from dataclasses import dataclass

from sqlmodel import Session


@dataclass(frozen=True)
class Actor:
    """The user behind a change, as history records it."""

    id: int | None
    name: str


SYSTEM = Actor(None, "system")  # the command line, seeds, the scheduler


def set_actor(session: Session, actor: Actor) -> None:
    session.info["actor"] = actor


def actor_of(session: Session) -> Actor:
    found = session.info.get("actor")
    return found if isinstance(found, Actor) else SYSTEM
