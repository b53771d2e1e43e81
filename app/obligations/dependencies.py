"""Path parameters of the obligation routes."""

from typing import Annotated

from app.core.schemas import path_id

# Examples as seeded (`make run`): PKS 10 is Diskominfo Kalsel's, obligation 1 the Inspektorat's
# quarterly pendampingan.
PksIdPath = Annotated[int, path_id("Id of the NK or PKS (e.g. Diskominfo's PKS).", example=10)]
ObligationIdPath = Annotated[int, path_id("Id of the obligation.", example=1)]
