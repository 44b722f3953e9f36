"""Domain exceptions of the case service; the API and the HTML views map each to one response.

Every exception carries `details` in the one error format (`[{"path", "message"}]`) and an HTTP
status, so a view never has to invent wording:

| exception          | status | when                                                          |
|--------------------|--------|---------------------------------------------------------------|
| ValidationFailed   | 422    | bad input; `details` name each field by its dotted path        |
| PermissionDenied   | 403    | the user can see the case but may not do this                  |
| NotFound           | 404    | no such case, or not visible to this user (no existence leak)  |
| ConflictError      | 409    | the version quoted is stale: someone else changed the case     |
| IllegalTransition  | 409    | the workflow does not allow this step from the current state   |
| JustificationNeeded| 428    | a read of personal data without a justification (s.62)         |
"""

from __future__ import annotations

from typing import Any, ClassVar

from riskroute.core.errors import ErrorDetail, InvalidInput


class CaseServiceError(Exception):
    """Base of every refusal by the case service."""

    status: ClassVar[int] = 400
    code: ClassVar[str] = "error"

    def __init__(self, message: str, details: list[ErrorDetail] | None = None) -> None:
        Exception.__init__(self, message)  # not super(): InvalidInput takes details, not a message
        self.message = message
        self.details: list[ErrorDetail] = (
            details if details is not None else [{"path": "$", "message": message}]
        )

    def as_document(self) -> dict[str, Any]:
        return {"error": self.code, "details": self.details}


class ValidationFailed(CaseServiceError, InvalidInput):
    """Input that fails validation; each detail names the field by its dotted path."""

    status = 422
    code = "invalid_input"

    def __init__(self, details: list[ErrorDetail]) -> None:
        message = "; ".join(f"{d['path']}: {d['message']}" for d in details)
        CaseServiceError.__init__(self, message, details)

    @classmethod
    def field(cls, path: str, message: str) -> ValidationFailed:
        return cls([{"path": path, "message": message}])


class PermissionDenied(CaseServiceError):
    status = 403
    code = "forbidden"


class NotFound(CaseServiceError):
    status = 404
    code = "not_found"


class ConflictError(CaseServiceError):
    status = 409
    code = "conflict"

    def __init__(self, current_version: int) -> None:
        super().__init__(
            f"this case was changed by someone else (now version {current_version}); reload and try again",
            [{"path": "version", "message": f"stale version; the case is now at version {current_version}"}],
        )
        self.current_version = current_version


class IllegalTransition(CaseServiceError):
    status = 409
    code = "illegal_transition"

    def __init__(self, action: str, state: str, reason: str | None = None) -> None:
        message = f"'{action}' is not allowed while the case is in state '{state}'"
        if reason:
            message += f": {reason}"
        super().__init__(message, [{"path": "state", "message": message}])
        self.action = action
        self.state = state
        self.reason = reason


class JustificationNeeded(CaseServiceError):
    """A read of a case's personal data without a justification (DPA 2018 s.62 requires one).

    The HTML views ask for it on a page of its own; the API takes it from the `X-Justification`
    header (and names that header as the path); this is the service layer's last line of defence.
    """

    status = 428
    code = "justification_required"

    def __init__(self, case_id: object, path: str = "justification") -> None:
        message = "say why you need to consult this case (10 to 500 characters)"
        super().__init__(f"case {case_id}: {message}", [{"path": path, "message": message}])
