"""Where the engine used to live: it is the package `matching.engine` now. Kept so callers' imports work.

The numbers here are copies: to change one for a while, set it on `matching.engine.tuning`.
"""
from __future__ import annotations

from .engine import (
    Engine, LagrangianBound, LinearBound, Neighbourhood, Plan, StayModel, WindowSearch, greedy_plan, options_of_stays,
    solve,
)
from .engine.tuning import (
    FULL_MODEL_OPTIONS, LP_OPTIONS, MAX_OPTIONS, PDLP_OPTIONS, PDLP_PARAMS, POLISH_FROM, POLISH_OPTIONS, PROBE_OPTIONS,
    STEP_SECONDS,
)

__all__ = [
    "Engine", "FULL_MODEL_OPTIONS", "LP_OPTIONS", "LagrangianBound", "LinearBound", "MAX_OPTIONS", "Neighbourhood",
    "PDLP_OPTIONS", "PDLP_PARAMS", "POLISH_FROM", "POLISH_OPTIONS", "PROBE_OPTIONS", "Plan", "STEP_SECONDS",
    "StayModel", "WindowSearch", "greedy_plan", "options_of_stays", "solve",
]
