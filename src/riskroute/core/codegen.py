"""Turning generated Python source into a function, for the decision core's compiled hot paths.

Conditions, prioritisation trees and policies are data; a batch re-score evaluates them hundreds
of thousands of times, so each is compiled once, when its file is loaded, into the source of one
plain function (decision 0006). Callers put every value taken from a knowledge file into the
namespace and refer to it by a name they made up: file contents never become source text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def define(source: str, namespace: dict[str, Any], name: str = "generated") -> Callable[..., Any]:
    """Execute `source` (which defines function `name`) in `namespace` and return that function.

    The source stays readable on the function (`.source`), so a reviewer or a failing test can
    see exactly what a knowledge file was compiled into.
    """
    exec(compile(source, f"<riskroute {name}>", "exec"), namespace)
    function: Callable[..., Any] = namespace[name]
    function.source = source  # type: ignore[attr-defined]
    return function
