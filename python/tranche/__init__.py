"""tranche: mortgage securitization cash flows, waterfalls and pricing.

Load a deal directory, run scenarios, price bonds; every result is a :class:`Table` that
exports itself through the Arrow PyCapsule interface, so ``pa.table(t)``,
``pl.DataFrame(t)`` and ``t.to_pandas()`` work without copies.

Units follow the deal files: speeds, CDR, severity, rates and prices in percent; shocks
in basis points; lags and periods in months. With no scenario keywords a run prices on the
deal's pricing assumption.

>>> import tranche
>>> deal = tranche.Deal.load("deals/impac-cmb-2004-1")                # doctest: +SKIP
>>> res = deal.run(speed=100, to="call")                                # doctest: +SKIP
>>> res.summary.to_pandas()                                             # doctest: +SKIP
>>> deal.grid({"speed_pct": [50, 100, 200], "cdr_pct": [0, 2, 5]})     # doctest: +SKIP
"""

from ._errors import EngineError, InputError, InternalError, TrancheError
from ._tranche import (
    Deal,
    RunResult,
    Schema,
    Table,
    __version__,
    clear_cache,
    result_schema,
    run_scenarios,
    scenario_schema,
)

__all__ = [
    "Deal",
    "EngineError",
    "InputError",
    "InternalError",
    "RunResult",
    "Schema",
    "Table",
    "TrancheError",
    "__version__",
    "clear_cache",
    "result_schema",
    "run_scenarios",
    "scenario_schema",
]
