"""Diversion policies as decision tables (`policies/*.yaml`) and their generic evaluator."""

from riskroute.core.policy.engine import POLICY_IDS, Policy, get_policy

__all__ = ["POLICY_IDS", "Policy", "get_policy"]
