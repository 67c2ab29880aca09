"""The matching engine: plain data in, plain data out (no web imports).

The solver (`matching.engine.solve`) and the explainer (`matching.explain`)
are imported from their own modules; `matching.recommend` gives the best few
places for one request in an existing plan (an urgent case).
"""
from .baseline import baseline
from .engine import solve
from .explain import explain
from .generate import generate
from .io import (
    InstanceError,
    SolutionError,
    instance_to_dict,
    load_instance,
    load_solution,
    read_instance,
    read_solution,
    solution_to_dict,
    write_json,
)
from .engine.recommend import Move, Placement, Recommendation, RecommendError, recommend
from .model import (
    DIMENSIONS,
    STAY_TYPES,
    Closure,
    DateRange,
    House,
    Instance,
    Request,
    Session,
    Solution,
    Stay,
    Therapist,
    Unassigned,
    Weights,
)
from .validate import Score, Violation, score, validate

__all__ = [
    "DIMENSIONS", "STAY_TYPES", "Closure", "DateRange", "House", "Instance", "InstanceError",
    "Request", "Score", "Session", "Solution", "SolutionError", "Stay", "Therapist", "Unassigned",
    "Violation", "Weights", "baseline", "explain", "generate", "instance_to_dict", "load_instance",
    "load_solution", "Move", "Placement", "Recommendation", "RecommendError", "recommend", "read_instance", "read_solution", "score", "solution_to_dict", "solve", "validate",
    "write_json",
]
