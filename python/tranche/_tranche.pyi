"""Type stubs of the native extension ``tranche._tranche`` (re-exported by ``tranche``)."""

from __future__ import annotations

import os
from typing import Any, Mapping, Sequence, TypedDict, Unpack

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

class _ScenarioKeywords(TypedDict, total=False):
    """(For type checkers only.) The scenario keywords of :meth:`Deal.run`, :meth:`Deal.grid`,
    :meth:`Deal.price_table` and :meth:`Deal.afr`: the command line's scenario flags, each
    mapped onto the same field of the engine's one scenario type and checked against the
    same range, with the same message after the keyword's name. A keyword left out (or
    ``None``) keeps the deal's pricing assumption: 100% of its pricing speed, no defaults,
    its pricing rates, to the call, at par. At most one keyword per group: prepayment
    (``speed``, ``cpr``, ``psa``, ``cpr_vector``), defaults (``cdr``, ``sda``,
    ``cdr_vector``), rates (``libor``/``index_rate``, ``curves``, ``deal_curves``)."""

    speed: float
    """Prepayment speed, percent of the deal's pricing curves (``--speed``)."""
    cpr: float
    """Constant prepayment rate for every loan, percent CPR (``--cpr``)."""
    psa: float
    """PSA prepayment speed for every loan, percent (``--psa``)."""
    cpr_vector: Sequence[float]
    """CPR by period for every loan, percent; the last value holds (``--cpr-vector``)."""
    cdr: float
    """Constant annual default rate, percent CDR (``--cdr``)."""
    sda: float
    """SDA default speed, percent (``--sda``)."""
    cdr_vector: Sequence[float]
    """CDR by period, percent; the last value holds (``--cdr-vector``)."""
    severity: float
    """Loss severity, percent of the defaulted balance (``--severity``)."""
    lag: int
    """Months from default to liquidation (``--lag``)."""
    dlq: float
    """Balance 60 days or more delinquent (foreclosure and REO included) that delinquency
    triggers measure in projected periods, percent of the pool balance (``--dlq``;
    default: the defaults awaiting liquidation)."""
    dlq_vector: Sequence[float]
    """60+ day delinquency by period, percent of the pool balance; the last value holds
    (``--dlq-vector``)."""
    libor: float | Sequence[float]
    """Every index flat at this level, percent (``--libor``); a list: every index on this
    path by period."""
    index_rate: float | Sequence[float]
    """The same as ``libor``."""
    index_rates: Mapping[str, float]
    """Indices held flat, ``{"LIBOR6M": 1.25}`` (``--index-rate INDEX=PCT``)."""
    curves: str | os.PathLike[str]
    """A forward curves file, ``period,LIBOR1M,...`` in percent (``--curves``)."""
    deal_curves: bool
    """The deal's own forward curves, its directory's curves.csv (``--deal-curves``)."""
    shock_bps: float
    """Parallel shift of the index paths, basis points (``--shock-bps``)."""
    shock_from: int
    """First period (1-based) the shift applies to (``--shock-from``)."""
    shock_index: str
    """Shift this index only (``--shock-index``; needs ``shock_bps``)."""
    to: str
    """``"call"``, ``"maturity"`` or ``"call:YYYY-MM"`` (the call exercised in that month)
    (``--to``)."""
    price: float
    """Clean price for the analytics, percent of the balance at settlement (``--price``)."""
    dm: float
    """Price every bond at this discount margin, basis points (``--dm``)."""
    yield_pct: float
    """Price every bond at this bond-equivalent yield, percent (``--yield``)."""
    spread: float
    """Price every bond at this spread to the forward curve, basis points (``--spread``)."""
    settle: str
    """Settlement date of the analytics, ``"YYYY-MM-DD"`` (``--settle``)."""
    fixed_prepay: str
    """Speed of the fixed-rate loans only: ``"pricing:PCT"``, ``"cpr:PCT"``, ``"psa:PCT"``,
    ``"ramp:START,END,MONTHS"`` or ``"vector:PCT,..."`` (``--fixed-prepay``)."""
    arm_prepay: str
    """Speed of the adjustable-rate loans only, as ``fixed_prepay`` (``--arm-prepay``)."""

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
        """One row per bond: the scenario as run, then the ``tranche run --summary``
        figures (WAL, DM, yield, modified duration at the run's price, principal window,
        principal paid, written down and never repaid) and the pool's losses. The columns
        of every result table (:func:`result_schema`)."""
    @property
    def call_period(self) -> int | None:
        """The period the clean-up call was exercised in (runs to call), else ``None``."""

class Deal:
    """A deal loaded from its directory: deal file, loan tape and forward curves."""

    @staticmethod
    def load(
        path: str | os.PathLike[str],
        *,
        as_of: str | None = None,
        state: str | os.PathLike[str] | None = None,
        tape: str | os.PathLike[str] | None = None,
        actuals: str | os.PathLike[str] | None = None,
    ) -> Deal:
        """Loads a deal directory (holding ``deal.toml``) or a deal file.

        With ``as_of`` (``"YYYY-MM"``), ``state`` (the deal state as of that month) and
        ``tape`` (the current tape), the deal as it stood after that payment date, as
        ``tranche ... --as-of --state --tape`` loads it: every method then runs the periods
        after it (docs/surveillance.md). The three go together. ``actuals`` (a remittance
        actuals CSV) gives the pool's reported figures for the payment dates after where
        the deal starts, from the cut-off or ``as_of``, as ``--actuals`` does.

        Raises:
            InputError: a file is missing or invalid (the message names the file, row or
                line, field, and what was expected); a state that contradicts the deal or
                the tape, or is not as of ``as_of``.
        """
    @property
    def as_of(self) -> str | None:
        """The payment month (``"YYYY-MM"``) runs start after, when loaded at a deal
        state; ``None`` for a deal run from its cut-off."""
    @property
    def name(self) -> str:
        """The deal's name."""
    @property
    def path(self) -> str:
        """Where the deal was loaded from."""
    @property
    def bonds(self) -> list[str]:
        """Bond names in the deal's order."""
    def run(self, **scenario: Unpack[_ScenarioKeywords]) -> RunResult:
        """Runs one scenario (the keywords of `_ScenarioKeywords`): collateral projection, waterfall and
        analytics, as ``tranche run`` with the same flags.

        Raises:
            InputError: a keyword out of range, two keywords for one assumption, an
                unreadable curves file (the message starts with the keyword's name).
        """
    def grid(
        self,
        axes: Mapping[str, Sequence[float]],
        *,
        threads: int | None = None,
        max_cells: int | None = None,
        **scenario: Unpack[_ScenarioKeywords],
    ) -> Table:
        """A grid: the cross product of ``axes`` over the scenario the keywords give, as
        ``tranche grid`` crosses its lists. ``axes`` maps a scenario field (``speed_pct``,
        ``cdr_pct``, ``severity_pct``, ``shock_bps``, ...; or its keyword, ``speed``) to
        its values; cells are in grid order, the first axis outermost, numbered by
        ``scenario_id``. One row per (cell, bond), the columns of :func:`result_schema`.
        ``threads=None`` uses every core; results do not depend on the thread count.
        ``max_cells`` (default 100,000) bounds the number of cells.
        """
    def run_scenarios(self, scenarios: Any, *, threads: int | None = None) -> Table:
        """Runs a table of explicit scenarios over this deal, one scenario per row (nothing
        is crossed); one row per (scenario, bond).

        ``scenarios`` is any Arrow table (pyarrow, polars, pandas, ...), a dict of lists
        (scalars repeat) or a list of dicts, with the columns of :func:`scenario_schema`.
        """
    def price_table(
        self,
        speeds: Sequence[float] = (0.0, 80.0, 100.0, 150.0, 180.0),
        **scenario: Unpack[_ScenarioKeywords],
    ) -> Table:
        """The Price/DM report of every class, as ``tranche price-table`` computes it: the
        scenario the keywords give (its rates, defaults and price) at each of ``speeds``
        (percent of the deal's pricing speed), to call and to maturity. The prepayment
        keywords and ``to`` belong to the table and are refused.

        Columns (as ``tranche price-table --format csv``): ``class``, ``horizon``
        (``call``/``maturity``), ``speed_pct``, ``dm_bps``, ``wal_years`` (null when the
        class gets no principal), ``mod_duration``, ``first_principal``,
        ``last_principal`` (``YYYY-MM``, null when none).
        """
    def strats(self) -> dict[str, Table]:
        """The collateral stratification tables (as ``tranche strats`` prints them), by
        file stem: ``description``, ``row_type`` (``data``/``total``), then one float
        column per figure (rates in percent)."""
    def breakeven(
        self,
        classes: Sequence[str],
        *,
        targets: Sequence[str] = ("first-loss",),
        over: str = "cdr",
        speeds: Sequence[float] | None = None,
        severities: Sequence[float] = (40.0,),
        lags: Sequence[float] = (12.0,),
        step: float | None = None,
        threads: int | None = None,
        **scenario: Unpack[_ScenarioKeywords],
    ) -> Table:
        """Breakevens, as ``tranche breakeven`` solves them: for each class and target
        (``first-loss``, ``loss-pct=X``, ``yield=Y``, ``dm=D``), the lowest default rate
        (``over``: ``cdr``, ``sda`` or ``default-vector-multiple``) at which the target is
        first reached, in every cell of ``speeds`` (default 100, or the prepayment
        keyword given) x ``severities`` x ``lags``, to maturity unless ``to`` says
        otherwise. Columns ``class``, ``target``, ``over``, ``speed_pct``,
        ``severity_pct``, ``lag_months``, ``rate`` (null: not reached up to ``max_rate``),
        ``max_rate``, ``pool_loss_pct``, ``class_loss_pct``, ``monotone``, ``note``."""
    def afr(
        self,
        shock_bps: float = 1000.0,
        shock_from: int = 2,
        shock_index: str | None = None,
        **scenario: Unpack[_ScenarioKeywords],
    ) -> Table:
        """The Available Funds Rate schedule, as ``tranche afr`` computes it: under the
        scenario the keywords give (by default the deal's forward curves at the pricing
        speed, to call) and under it with every index (or ``shock_index``) shifted by
        ``shock_bps`` from period ``shock_from``.

        Columns (as ``tranche afr --format csv``): ``period``, ``payment_date``,
        ``afr_pct``, ``afr_shocked_pct`` (percent).
        """

def run_scenarios(
    scenarios: Any,
    deals: Mapping[str, str | os.PathLike[str]] | None = None,
    *,
    threads: int | None = None,
    default_deal: str | None = None,
) -> Table:
    """Runs a table of explicit scenarios, one row per (deal, scenario), nothing crossed;
    one table of results (one row per scenario and bond). The Arrow entry point that Spark
    executors call.

    Args:
        scenarios: any Arrow table, a dict of lists or a list of dicts; columns as in
            :func:`scenario_schema`.
        deals: deal id -> deal directory, for ids used in the ``deal`` column; other
            values of ``deal`` are paths. Deals are loaded once per process and cached
            (see :func:`clear_cache`).
        threads: engine threads; ``None`` = every core.
        default_deal: deal for rows without a ``deal`` value.

    Raises:
        InputError: a bad column or value (``scenario table: row R, column `c`: `` and
            the engine's message), or a deal that cannot be read.
        EngineError: a scenario the engine could not run.
    """

def clear_cache() -> None:
    """Forgets the deals :func:`run_scenarios` has loaded (call after editing a deal's files)."""

def scenario_schema() -> Schema:
    """The columns a scenario table may have; every one optional (null: the deal's pricing
    assumption): ``deal``, ``scenario_id`` (row number), the engine's scenario fields
    (``speed_pct``, ``cpr_pct``, ``psa_pct``, ``cdr_pct``, ``sda_pct``, ``severity_pct``,
    ``lag_months``, ``index_rate_pct``, ``shock_bps``, ``shock_from``, ``price``, and the
    lists ``cpr_vector``, ``cdr_vector``), ``horizon`` (``call``, ``maturity``,
    ``call:YYYY-MM``), ``shock_index``, ``rates`` (``pricing`` or ``deal_curves``) and
    ``curves`` (a curves file)."""

def result_schema() -> Schema:
    """The columns of every result table (:meth:`RunResult.summary`, :meth:`Deal.grid`,
    :func:`run_scenarios`): the scenario as run (the columns of :func:`scenario_schema`,
    with ``rates`` one of ``pricing``, ``deal_curves``, ``curves``, ``flat``, ``path``),
    then ``bond`` and the ``tranche run --summary`` columns ``wal_years``, ``dm_bps``,
    ``yield_pct``, ``mod_duration``, ``first_principal``, ``last_principal``
    (``YYYY-MM``), ``first/last_principal_period``, ``first/last_principal_date``,
    ``principal_paid``, ``writedown`` (net of reimbursements), ``unpaid_principal``,
    ``principal_loss_pct``, then ``collateral_loss`` and ``collateral_loss_pct``."""
