"""Type stubs of the native extension ``tranche._tranche`` (re-exported by ``tranche``)."""

from __future__ import annotations

import os
from typing import Any, Mapping, Sequence

__version__: str

class Schema:
    """An Arrow schema. Exports ``__arrow_c_schema__``, so ``pa.schema(s)`` reads it."""

    @property
    def names(self) -> list[str]:
        """Column names in order."""
    def __arrow_c_schema__(self) -> object: ...

class Table:
    """An immutable Arrow table.

    Exports the Arrow PyCapsule interface (``__arrow_c_stream__``, ``__arrow_c_array__``),
    so ``pyarrow.table(t)``, ``polars.DataFrame(t)`` and DuckDB read it without a copy.
    """

    @property
    def schema(self) -> Schema:
        """The table's schema."""
    @property
    def column_names(self) -> list[str]:
        """Column names in order."""
    @property
    def num_rows(self) -> int:
        """Number of rows."""
    def __len__(self) -> int: ...
    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        """Exports the table as an Arrow C stream PyCapsule."""
    def __arrow_c_array__(self, requested_schema: object | None = None) -> tuple[object, object]:
        """Exports the table as one Arrow C struct array (schema and array PyCapsules)."""
    def to_pyarrow(self) -> Any:
        """A ``pyarrow.Table`` (needs pyarrow)."""
    def to_pandas(self) -> Any:
        """A ``pandas.DataFrame``, converted through pyarrow (needs pyarrow and pandas)."""
    def to_polars(self) -> Any:
        """A ``polars.DataFrame`` (needs polars)."""
    def to_pydict(self) -> dict[str, list[Any]]:
        """Columns as a dict of lists (needs pyarrow)."""
    def to_pylist(self) -> list[dict[str, Any]]:
        """Rows as a list of dicts (needs pyarrow)."""

class RunResult:
    """The tables of one deal run (see :meth:`Deal.run`)."""

    @property
    def collateral(self) -> Table:
        """The pool's monthly cash flows, one row per period (amounts in currency, rates in percent)."""
    @property
    def bonds(self) -> Table:
        """Every bond's monthly cash flows, one row per (bond, period), bonds in deal order."""
    @property
    def ledger(self) -> Table:
        """The trust's ledger, one row per period: available funds, Available Funds Rate,
        overcollateralization, Principal Distribution Amount, write-downs, residual."""
    @property
    def summary(self) -> Table:
        """Per-bond analytics: DM at the run's price, WAL, modified duration, principal
        window, write-downs and collateral losses (the columns of a grid result)."""
    @property
    def call_period(self) -> int | None:
        """The period the clean-up call was exercised in (runs to call), else ``None``."""

class Deal:
    """A deal loaded from its directory: deal file, loan tape and forward curves."""

    @staticmethod
    def load(path: str | os.PathLike[str]) -> Deal:
        """Loads a deal directory (holding ``deal.toml``) or a deal file.

        Raises:
            InputError: a file is missing or invalid (the message names the file, row or
                line, field, and what was expected).
        """
    @property
    def name(self) -> str:
        """The deal's name."""
    @property
    def path(self) -> str:
        """Where the deal was loaded from."""
    @property
    def bonds(self) -> list[str]:
        """Bond names in the deal's order."""
    def run(
        self,
        speed: float = 100.0,
        to: str = "call",
        cdr: float = 0.0,
        severity: float = 0.0,
        lag: int = 0,
        libor: float | Sequence[float] | None = None,
        shock_bps: float = 0.0,
        shock_start: int = 1,
        price: float = 100.0,
    ) -> RunResult:
        """Runs one scenario: collateral projection, waterfall and analytics.

        Args:
            speed: prepayment speed, percent of the deal's pricing speed.
            to: ``"call"`` (to the clean-up call) or ``"maturity"``.
            cdr: constant default rate, percent per annum.
            severity: loss severity, percent of the defaulted balance.
            lag: months from default to liquidation.
            libor: replaces the deal's LIBOR curves: a flat rate or a path by period, percent.
            shock_bps: parallel shift of every index curve, basis points.
            shock_start: first period (1-based) of the shift.
            price: price (percent of par) the discount margins are solved at.

        Raises:
            InputError: an argument is out of range.
        """
    def grid(self, scenarios: Any, *, threads: int | None = None) -> Table:
        """Runs a table of scenarios over this deal; one row per (scenario, bond).

        ``scenarios`` is any Arrow table (pyarrow, polars, pandas, ...), a dict of lists
        (scalars repeat) or a list of dicts, with the columns of :func:`scenario_schema`.
        ``threads=None`` uses every core; results do not depend on the thread count.
        """
    def price_table(
        self,
        price: float = 100.0,
        speeds: Sequence[float] = (0.0, 80.0, 100.0, 150.0, 180.0),
        libor: float | None = None,
    ) -> Table:
        """The Price/DM report of every class, as ``tranche price-table`` computes it.

        At ``price`` (percent of par) and each of ``speeds`` (percent of the deal's pricing
        speed), to call and to maturity; every index flat at ``libor`` percent for the
        runs and the discount margin (default: the deal's pricing index level).

        Columns (as ``tranche price-table --format csv``): ``class``, ``horizon``
        (``call``/``maturity``), ``speed_pct``, ``dm_bps``, ``wal_years`` (null when the
        class gets no principal), ``mod_duration``, ``first_principal``,
        ``last_principal`` (``YYYY-MM``, null when none).

        Raises ``InputError`` for a price that is not positive, an empty speed list, a
        negative speed, or ``libor`` outside (-5, 50).
        """
    def strats(self) -> dict[str, Table]:
        """The collateral stratification tables (as ``tranche strats`` prints them), by
        file stem: ``description``, ``row_type`` (``data``/``total``), then one float
        column per figure (rates in percent)."""
    def afr(
        self,
        curves: str | os.PathLike[str] | None = None,
        shock_bps: float = 1000.0,
        shock_from: int = 2,
        speed: float = 100.0,
        to: str = "call",
    ) -> Table:
        """The Available Funds Rate schedule, as ``tranche afr`` computes it.

        Under the forward curves (``curves``: a curves CSV file, default the deal's
        ``curves.csv``) and under the same curves shocked by ``shock_bps`` from period
        ``shock_from``; at ``speed`` percent of the pricing speed, to ``to``
        (``call``/``maturity``).

        Columns (as ``tranche afr --format csv``): ``period``, ``payment_date``,
        ``afr_pct``, ``afr_shocked_pct`` (percent).

        Raises ``InputError`` for a shock beyond ±10000 bp, ``shock_from`` < 1, a
        negative speed, an unreadable curves file, or no curves at all.
        """

def run_grid(
    scenarios: Any,
    deals: Mapping[str, str | os.PathLike[str]] | None = None,
    *,
    threads: int | None = None,
    default_deal: str | None = None,
) -> Table:
    """Runs a table of scenarios (one row per deal and scenario); one table of results
    (one row per scenario and bond). The Arrow entry point that Spark executors call.

    Args:
        scenarios: any Arrow table, a dict of lists or a list of dicts; columns as in
            :func:`scenario_schema`.
        deals: deal id -> deal directory, for ids used in the ``deal`` column; other
            values of ``deal`` are paths. Deals are loaded once per process and cached
            (see :func:`clear_cache`).
        threads: engine threads; ``None`` = every core.
        default_deal: deal for rows without a ``deal`` value.

    Raises:
        InputError: a bad column or value (the message names the row and column), or a
            deal that cannot be read.
        EngineError: a scenario the engine could not run.
    """

def clear_cache() -> None:
    """Forgets the deals :func:`run_grid` has loaded (call after editing a deal's files)."""

def scenario_schema() -> Schema:
    """The columns a scenario table may have. Every column is optional (null = default):
    ``deal``, ``scenario_id`` (row number), ``speed_pct`` (100), ``cdr_pct`` (0),
    ``severity_pct`` (0), ``lag_months`` (0), ``shock_bps`` (0), ``shock_start_period``
    (1), ``horizon`` (``call``), ``price`` (100)."""

def result_schema() -> Schema:
    """The columns of a grid result: the scenario's inputs, then ``bond``, ``dm_bps``,
    ``wal_years``, ``mod_duration``, ``first/last_principal_period``,
    ``first/last_principal_date``, ``bond_writedown``, ``unpaid_principal`` (principal
    never repaid when the run ended), ``principal_loss_pct`` (write-downs not reimbursed
    plus unpaid principal, percent of the original balance), ``collateral_loss`` and
    ``collateral_loss_pct``."""
