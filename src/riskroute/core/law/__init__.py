"""Legal calculators for indecent-image cases in England & Wales (docs/law.md).

Each calculator is a small evaluator over a YAML table in `tables/`; every result lists the rules
it used (`basis`), the weakest verification mark among them (`verification`) and each rule that
is not verified (`unverified`), so a user sees exactly what to re-check. Not legal advice.
"""

from riskroute.core.law.cautions import CautionProposal, check_conditional_caution, completion_deadline
from riskroute.core.law.mappa import mappa
from riskroute.core.law.notification import (
    Disposal,
    NotificationRequest,
    change_notification_due,
    notification,
    notification_if_cautioned,
    renotification_dates,
)
from riskroute.core.law.sentencing import SentencingRequest, sentencing

__all__ = [
    "CautionProposal",
    "Disposal",
    "NotificationRequest",
    "SentencingRequest",
    "change_notification_due",
    "check_conditional_caution",
    "completion_deadline",
    "mappa",
    "notification",
    "notification_if_cautioned",
    "renotification_dates",
    "sentencing",
]
