"""The errors of the agreements domain that other domains meet too."""

from app.core.errors import NotFound


class AgreementNotFound(NotFound):
    """No agreement with this id: the one 404 for agreements, wherever it is raised."""

    type_slug = "agreement-not-found"

    def __init__(self, agreement_id: int) -> None:
        super().__init__(f"No agreement with id {agreement_id}.")
