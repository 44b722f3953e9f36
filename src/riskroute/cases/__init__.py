"""The case service: one case from referral to closure, as models, a workflow and service functions.

Views (HTML in `cases.ui`, JSON in `cases.api`) call only `cases.services` (writes) and
`cases.queries` (reads); both take the acting user first and enforce scope there.
"""
