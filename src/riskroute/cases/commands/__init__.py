"""Every step a user may take on a case, declared once (`registry`) and run one way (`runner`).

The handler modules are grouped by stage; importing this package registers every command, in the
order the case page offers them:

- `investigation`: the facts, assignment, enforcement, the assessment;
- `safeguarding`: the safeguarding record and the children linked;
- `disposal`: the proposal and its approval or rejection;
- `caution`: the conditional caution, provider, attendance, completion, breach, notification, MAPPA;
- `prosecution`: charge, CPS and court, and the outcome;
- `records`: closure, retention review, erasure;
- `riskroute.cases.corrections`: corrections of what was recorded wrongly.
"""

# The order of these imports is the order in which the steps are offered: keep it.
# isort: off
from riskroute.cases.commands import investigation as investigation
from riskroute.cases.commands import safeguarding as safeguarding
from riskroute.cases.commands import disposal as disposal
from riskroute.cases.commands import caution as caution
from riskroute.cases.commands import prosecution as prosecution
from riskroute.cases.commands import records as records
from riskroute.cases import corrections as corrections

# isort: on
from riskroute.cases.commands.registry import REGISTRY, Command, Done, Page, Route, next_actions
from riskroute.cases.commands.runner import bound, run

__all__ = ["REGISTRY", "Command", "Done", "Page", "Route", "bound", "next_actions", "run"]
