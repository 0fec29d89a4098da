//! The deal definition: dates, fees, bonds, overcollateralization, triggers,
//! derivatives, clean-up call and the priority of payments, as data.
//!
//! A deal file (TOML, see `docs/deal-file.md`) deserializes into [`Deal`]. Files speak
//! percent (`_pct` fields); the accessors here hand the engine decimals. Nothing in the
//! engine knows any particular deal: another deal of the same family is a new file.
//!
//! [`Deal::validate`] checks every rule that does not need the loan tape and reports each
//! problem with the field path (`bonds[2].coupon.margin_pct`) so that front ends can point
//! at the line in the file.

use crate::assumptions::PrepayCurve;
use crate::collateral::PoolFees;
use crate::dates::{add_months_on_day, Calendar};
use crate::error::{FieldError, Location};
use crate::rates::{RateCurves, RatePath};
use crate::tape::RateIndex;
use chrono::{Datelike, NaiveDate};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

mod validate;

/// The deal-file format this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;
/// Most steps a priority of payments may have.
pub const MAX_STEPS: usize = 64;

fn yes() -> bool {
    true
}
fn one() -> f64 {
    1.0
}

/// A calendar month, written `YYYY-MM`, naming the payment date that falls in it
/// ("the Payment Date occurring in July 2004" is `2004-07`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    pub year: i32,
    pub month: u32,
}

impl YearMonth {
    pub fn of(d: NaiveDate) -> Self {
        YearMonth {
            year: d.year(),
            month: d.month(),
        }
    }

    /// The month after.
    pub fn next(self) -> Self {
        if self.month >= 12 {
            YearMonth {
                year: self.year + 1,
                month: 1,
            }
        } else {
            YearMonth {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        let (y, m) = s.trim().split_once('-')?;
        if y.len() != 4 || m.len() != 2 {
            return None;
        }
        let year: i32 = y.parse().ok()?;
        let month: u32 = m.parse().ok()?;
        (1..=12)
            .contains(&month)
            .then_some(YearMonth { year, month })
    }
}

impl std::fmt::Display for YearMonth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl Serialize for YearMonth {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for YearMonth {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        YearMonth::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!("expected a month as \"YYYY-MM\", found \"{s}\""))
        })
    }
}

impl JsonSchema for YearMonth {
    fn schema_name() -> String {
        "YearMonth".into()
    }
    fn json_schema(_: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
        use schemars::schema::{InstanceType, SchemaObject, StringValidation};
        SchemaObject {
            instance_type: Some(InstanceType::String.into()),
            string: Some(Box::new(StringValidation {
                pattern: Some(r"^[0-9]{4}-(0[1-9]|1[0-2])$".into()),
                ..Default::default()
            })),
            ..Default::default()
        }
        .into()
    }
}

/// A whole deal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Deal {
    /// Version of the deal-file format (this build reads `1`).
    pub format_version: u32,
    /// Short identifier, e.g. the directory name.
    pub name: String,
    /// Full name of the trust / series.
    #[serde(default)]
    pub title: String,
    pub dates: DealDates,
    pub collateral: CollateralTerms,
    pub pricing: Pricing,
    /// The bonds, in the order reports list them.
    pub bonds: Vec<Bond>,
    #[serde(default)]
    pub interest: InterestRules,
    pub overcollateralization: Overcollateralization,
    /// Performance tests whose state can switch steps of the priority of payments.
    #[serde(default)]
    pub triggers: Vec<Trigger>,
    /// Caps, corridors and swaps held by the trust.
    #[serde(default)]
    pub derivatives: Vec<Derivative>,
    pub clean_up_call: CleanUpCall,
    pub realized_losses: RealizedLosses,
    /// The priority of payments, in order.
    pub waterfall: Vec<Step>,
}

/// Dates of the deal. Payment dates are `payment_day` of each month from `first_payment`
/// on, rolled to the next business day of `calendar`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DealDates {
    /// Cut-off date: the pool balance the tape shows is as of this date.
    pub cut_off: NaiveDate,
    /// Closing date: the first interest accrual period starts here.
    pub closing: NaiveDate,
    /// Settlement date used for pricing (usually the closing date).
    pub settlement: NaiveDate,
    /// First payment date (unadjusted).
    pub first_payment: NaiveDate,
    /// Day of the month of every payment date.
    pub payment_day: u32,
    #[serde(default)]
    pub calendar: Calendar,
}

/// The pool and the deal-level fees charged on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CollateralTerms {
    /// Loan tape file, relative to the deal file.
    pub tape: String,
    /// User-named indices the tape, the bonds or the derivatives may use, besides the
    /// built-in LIBOR1M, LIBOR6M, LIBOR12M and CMT1Y.
    #[serde(default)]
    pub indices: Vec<String>,
    /// Master servicing fee rate, percent per annum of the pool balance.
    pub master_servicing_fee_pct: f64,
    /// Indenture trustee plus owner trustee fee rate, percent per annum.
    pub trustee_fee_pct: f64,
    /// Expected Cut-off Date Balance; when given, the tape total must agree within 0.01%.
    #[serde(default)]
    pub cut_off_balance: Option<f64>,
    /// Servicing fee rate by loan kind (the Net Mortgage Rate's item (a), e.g. 0.375% on
    /// the adjustable-rate and 0.25% on the fixed-rate loans), percent. The tape carries
    /// each loan's rate; when given, every loan of a kind must charge its kind's rate.
    #[serde(default)]
    pub servicing_fee_pct: Option<ServicingFees>,
    /// The Premium Rate: the pool's weighted average lender-paid mortgage insurance premium
    /// (the Net Mortgage Rate's item (d)), percent. The tape carries each insured loan's
    /// premium; when given, their weighted average must agree to the printed 0.001%.
    #[serde(default)]
    pub premium_rate_pct: Option<f64>,
}

/// Servicing fee rates by loan kind, percent; a kind left out is not constrained.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServicingFees {
    /// Adjustable-rate loans.
    #[serde(default)]
    pub arm: Option<f64>,
    /// Fixed-rate loans.
    #[serde(default)]
    pub fixed: Option<f64>,
}

/// A prepayment curve as files write it (percent).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum SpeedCurve {
    /// Constant CPR.
    Cpr { cpr_pct: f64 },
    /// PSA at `psa_pct` percent.
    Psa { psa_pct: f64 },
    /// Linear ramp by loan age from `start_cpr_pct` in month 1 to `end_cpr_pct` in month
    /// `months`, flat after (a prospectus "PPC").
    Ramp {
        start_cpr_pct: f64,
        end_cpr_pct: f64,
        months: u32,
    },
    /// CPR by projection period; the last value holds.
    Vector { cpr_pct: Vec<f64> },
}

impl SpeedCurve {
    /// The engine's curve (decimals).
    pub fn to_prepay_curve(&self) -> PrepayCurve {
        match self {
            SpeedCurve::Cpr { cpr_pct } => PrepayCurve::Cpr {
                cpr: cpr_pct / 100.0,
            },
            SpeedCurve::Psa { psa_pct } => PrepayCurve::Psa { pct: *psa_pct },
            SpeedCurve::Ramp {
                start_cpr_pct,
                end_cpr_pct,
                months,
            } => PrepayCurve::Ramp {
                start: start_cpr_pct / 100.0,
                end: end_cpr_pct / 100.0,
                months: *months,
            },
            SpeedCurve::Vector { cpr_pct } => PrepayCurve::Vector {
                cpr: cpr_pct.iter().map(|c| c / 100.0).collect(),
            },
        }
    }
}

/// The pricing assumptions of the term sheet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Pricing {
    /// 100% pricing speed for adjustable-rate loans.
    pub arm_curve: SpeedCurve,
    /// 100% pricing speed for fixed-rate loans.
    pub fixed_curve: SpeedCurve,
    /// The bonds' index for pricing (e.g. `LIBOR1M`).
    pub index: String,
    /// Its flat level for pricing, percent.
    pub index_rate_pct: f64,
    /// Flat levels of other indices for pricing, percent; indices not listed are held at
    /// `index_rate_pct`.
    #[serde(default)]
    pub other_index_rates_pct: BTreeMap<String, f64>,
    /// Fraction (0..=1) of a month's prepayments that fall in period 1.
    #[serde(default = "one")]
    pub first_period_prepay_fraction: f64,
    /// The servicer advances delinquent principal and interest until liquidation.
    #[serde(default = "yes")]
    pub advancing: bool,
}

/// How a bond's interest accrues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DayCount {
    /// Actual days / 360.
    Act360,
    /// 30/360: every period is 30 days.
    Thirty360,
}

/// A bond's coupon before caps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Coupon {
    /// Index + margin; after the first clean-up call date, if the call is not exercised,
    /// the margin becomes `margin_pct × step_up_multiple`.
    Floating {
        index: String,
        margin_pct: f64,
        #[serde(default = "one")]
        step_up_multiple: f64,
    },
    /// A fixed coupon; `step_up_pct` is added after the first clean-up call date if the
    /// call is not exercised.
    Fixed {
        rate_pct: f64,
        #[serde(default)]
        step_up_pct: f64,
    },
}

/// One class of bonds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Bond {
    /// Class name (e.g. `A-1`), unique in the deal.
    pub name: String,
    /// Original principal balance.
    pub balance: f64,
    pub coupon: Coupon,
    /// Fixed cap on the coupon, percent (e.g. 11.50).
    #[serde(default)]
    pub fixed_cap_pct: Option<f64>,
    /// The coupon is also capped at the Available Funds Rate.
    #[serde(default = "yes")]
    pub afr_cap: bool,
    /// Accrual basis; default act/360 for floating bonds, 30/360 for fixed.
    #[serde(default)]
    pub day_count: Option<DayCount>,
}

impl Bond {
    pub fn day_count(&self) -> DayCount {
        self.day_count.unwrap_or(match self.coupon {
            Coupon::Floating { .. } => DayCount::Act360,
            Coupon::Fixed { .. } => DayCount::Thirty360,
        })
    }

    /// The index of a floating bond.
    pub fn index(&self) -> Option<RateIndex> {
        match &self.coupon {
            Coupon::Floating { index, .. } => Some(RateIndex::parse(index)),
            Coupon::Fixed { .. } => None,
        }
    }

    /// Initial margin (decimal), 0 for fixed bonds.
    pub fn margin(&self) -> f64 {
        match &self.coupon {
            Coupon::Floating { margin_pct, .. } => margin_pct / 100.0,
            Coupon::Fixed { .. } => 0.0,
        }
    }

    /// Uncapped coupon (decimal) for an index level, with or without the step-up.
    pub fn base_coupon(&self, index_rate: f64, stepped_up: bool) -> f64 {
        match &self.coupon {
            Coupon::Floating {
                margin_pct,
                step_up_multiple,
                ..
            } => {
                let m = margin_pct / 100.0;
                index_rate + if stepped_up { m * step_up_multiple } else { m }
            }
            Coupon::Fixed {
                rate_pct,
                step_up_pct,
            } => (rate_pct + if stepped_up { *step_up_pct } else { 0.0 }) / 100.0,
        }
    }
}

/// What the Available Funds Rate is computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AfrBasis {
    /// Net Mortgage Rate (weighted gross rate less fee rates, less Net Derivative Fees as a
    /// rate) × pool balance at the end of the prior Due Period / bond balance × 30 / days.
    #[default]
    NetMortgageRate,
    /// Net interest actually collected (after fees and Net Derivative Fees) / bond balance
    /// × 360 / days.
    NetInterestCollected,
}

/// Rules for interest shortfalls and the Available Funds Rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InterestRules {
    #[serde(default)]
    pub afr_basis: AfrBasis,
    /// Unpaid Interest Shortfall Amounts accrue interest at the bond's coupon.
    #[serde(default = "yes")]
    pub unpaid_interest_bears_interest: bool,
    /// Basis Risk Amounts carried forward accrue interest at the bond's coupon.
    #[serde(default = "yes")]
    pub basis_risk_bears_interest: bool,
}

impl Default for InterestRules {
    fn default() -> Self {
        InterestRules {
            afr_basis: AfrBasis::default(),
            unpaid_interest_bears_interest: true,
            basis_risk_bears_interest: true,
        }
    }
}

/// Overcollateralization target (OC = pool balance − bond balance).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Overcollateralization {
    /// The target is zero on every payment date up to and including this month.
    #[serde(default)]
    pub zero_through: Option<YearMonth>,
    /// Afterwards: percent of the Cut-off Date Balance.
    pub target_pct_of_cut_off: f64,
    #[serde(default)]
    pub stepdown: Option<OcStepdown>,
}

/// An OC stepdown: from `on_or_after`, unless a listed trigger fails, the target becomes
/// the lesser of the initial target and `target_pct_of_current` of the current pool
/// balance, but not below `floor_pct_of_cut_off` of the Cut-off Date Balance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OcStepdown {
    pub on_or_after: YearMonth,
    pub target_pct_of_current: f64,
    pub floor_pct_of_cut_off: f64,
    /// Triggers that, while failing, keep the target at its pre-stepdown level.
    #[serde(default)]
    pub blocked_by: Vec<String>,
}

/// What a trigger measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TriggerKind {
    /// Cumulative realized losses as percent of the Cut-off Date Balance.
    CumulativeLoss,
    /// Defaulted loans awaiting liquidation as percent of the current pool balance.
    Delinquency,
}

/// A threshold in force from a payment month on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Threshold {
    pub from: YearMonth,
    pub pct: f64,
}

/// A performance test. It fails when its measure exceeds the threshold in force.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Trigger {
    pub name: String,
    pub kind: TriggerKind,
    /// Thresholds by payment month, ascending; before the first the test passes.
    pub thresholds: Vec<Threshold>,
    /// Once failed, stays failed.
    #[serde(default)]
    pub sticky: bool,
}

impl Trigger {
    /// Threshold (decimal) in force on a payment date, if any.
    pub fn threshold_at(&self, d: NaiveDate) -> Option<f64> {
        let ym = YearMonth::of(d);
        self.thresholds
            .iter()
            .rev()
            .find(|t| t.from <= ym)
            .map(|t| t.pct / 100.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DerivativeKind {
    /// Pays notional × max(0, index − strike).
    Cap,
    /// Pays notional × max(0, min(index, upper strike) − strike).
    Corridor,
    /// Trust pays the fixed rate `strike_pct`, receives the index: net either way.
    Swap,
}

/// Notional in force from a payment date until the next entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NotionalStep {
    pub date: NaiveDate,
    pub amount: f64,
}

/// A derivative contract. It pays on each payment date for the bonds' interest accrual
/// period, actual/360.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Derivative {
    pub name: String,
    pub kind: DerivativeKind,
    pub index: String,
    /// Cap/corridor strike or the swap's fixed rate, percent.
    pub strike_pct: f64,
    /// Corridor upper strike, percent.
    #[serde(default)]
    pub upper_strike_pct: Option<f64>,
    /// Notional schedule by payment date (ascending). Zero before the first entry; the
    /// last entry holds until `end`.
    pub notional: Vec<NotionalStep>,
    /// Last payment date on which the contract pays.
    pub end: NaiveDate,
    /// The notional never exceeds the aggregate bond balance.
    #[serde(default)]
    pub limited_to_bond_balance: bool,
}

impl Derivative {
    /// Notional for the payment on `d` (unadjusted comparison by calendar month).
    pub fn notional_at(&self, d: NaiveDate) -> f64 {
        let ym = YearMonth::of(d);
        if ym > YearMonth::of(self.end) {
            return 0.0;
        }
        self.notional
            .iter()
            .rev()
            .find(|s| YearMonth::of(s.date) <= ym)
            .map_or(0.0, |s| s.amount)
    }

    /// Rate paid to the trust (negative: paid by the trust) for an index level.
    pub fn payoff_rate(&self, index_rate: f64) -> f64 {
        let k = self.strike_pct / 100.0;
        match self.kind {
            DerivativeKind::Cap => (index_rate - k).max(0.0),
            DerivativeKind::Corridor => {
                let u = self.upper_strike_pct.unwrap_or(f64::INFINITY) / 100.0;
                (index_rate.min(u) - k).max(0.0)
            }
            DerivativeKind::Swap => index_rate - k,
        }
    }
}

/// The optional clean-up call: exercisable on the first payment date on which the pool
/// balance is at or below `pool_pct_of_cut_off` of the Cut-off Date Balance, or on the
/// payment date in `date`, whichever comes first. A deal without one says `none = true`
/// (and gives neither): its "to call" runs are its maturity runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CleanUpCall {
    #[serde(default)]
    pub pool_pct_of_cut_off: Option<f64>,
    #[serde(default)]
    pub date: Option<YearMonth>,
    /// The deal has no clean-up call. Stated, never inferred: a call section left empty
    /// by mistake is an error, not a deal that runs to maturity.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub none: bool,
}

/// How realized losses that OC and Excess Cash Flow do not absorb write bonds down.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RealizedLosses {
    /// Bonds written down, first to last. Bonds not listed are never written down.
    pub writedown_order: Vec<String>,
}

/// What a step of the priority of payments pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// Current interest at the Bond Interest Rate.
    Interest,
    /// Unpaid Interest Shortfall Amounts (with interest on them when the deal says so).
    UnpaidInterest,
    /// The Principal Distribution Amount: principal collected, less any OC release.
    PrincipalDistribution,
    /// Extra principal to build or restore OC to its target.
    OcBuild,
    /// Allocated Realized Loss Amounts (reimbursement of write-downs).
    LossReimbursement,
    /// Basis Risk Amounts.
    BasisRisk,
    /// Everything left of the source, to the certificates.
    Residual,
}

/// Where a step's money comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Net interest collected (after fees and Net Derivative Fees).
    InterestFunds,
    /// Principal collected (scheduled, prepaid, recoveries, advances, call proceeds).
    PrincipalFunds,
    /// Interest and principal funds together.
    AvailableFunds,
    /// Available funds left after the Principal Distribution Amount (the deal's
    /// "Excess Cash Flow"); must follow a `principal_distribution` step.
    ExcessCashFlow,
    /// Payments received on the derivative contracts.
    DerivativeReceipts,
}

/// How a step divides its money among its bonds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Allocation {
    /// In the listed order, each in full before the next.
    #[default]
    Sequential,
    /// In proportion to what each is owed (principal: to its balance).
    ProRata,
}

/// A trigger condition under which a step runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Condition {
    /// At least one of these triggers fails.
    AnyFailing(Vec<String>),
    /// All of these triggers pass.
    AllPassing(Vec<String>),
}

/// One step of the priority of payments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// What the step pays.
    pub step: StepKind,
    pub source: Source,
    #[serde(default)]
    pub allocation: Allocation,
    /// Bonds paid, in order; empty means every bond in deal order.
    #[serde(default)]
    pub bonds: Vec<String>,
    /// Run the step only under this condition.
    #[serde(default)]
    pub when: Option<Condition>,
    /// Free text, e.g. the term sheet's clause number.
    #[serde(default)]
    pub label: String,
}

impl StepKind {
    /// The deal-file spelling (`principal_distribution`).
    pub fn name(self) -> &'static str {
        validate::step_name(self)
    }
}

impl Source {
    /// The deal-file spelling (`excess_cash_flow`).
    pub fn name(self) -> &'static str {
        validate::source_name(self)
    }
}

impl Deal {
    /// Checks every rule that needs only the deal file. Each error names its field path.
    pub fn validate(&self) -> Vec<FieldError> {
        validate::validate(self)
    }

    /// [`Deal::validate`] as a `Result`.
    pub fn check(&self) -> crate::Result<()> {
        let errs = self.validate();
        if errs.is_empty() {
            Ok(())
        } else {
            Err(crate::Error::InvalidMany(errs))
        }
    }

    /// Checks the deal against the pool's Cut-off Date Balance (the tape total).
    pub fn validate_against_pool(&self, cut_off_balance: f64) -> Vec<FieldError> {
        validate::against_pool(self, cut_off_balance)
    }

    /// Checks the tape's loan-level fees against the deal's servicing fees by loan kind
    /// and its Premium Rate, when the deal states them.
    pub fn validate_against_loans(&self, loans: &[crate::tape::Loan]) -> Vec<FieldError> {
        validate::against_loans(self, loans)
    }

    /// Index of a bond by name.
    pub fn bond_index(&self, name: &str) -> Option<usize> {
        self.bonds.iter().position(|b| b.name == name)
    }

    /// Deal-level fee rates as decimals.
    pub fn pool_fees(&self) -> PoolFees {
        PoolFees {
            master_servicing: self.collateral.master_servicing_fee_pct / 100.0,
            trustee: self.collateral.trustee_fee_pct / 100.0,
        }
    }

    /// Unadjusted payment date of 1-based `period`.
    pub fn unadjusted_payment_date(&self, period: u32) -> NaiveDate {
        add_months_on_day(
            self.dates.first_payment,
            period.saturating_sub(1),
            self.dates.payment_day,
        )
    }

    /// Business-day-adjusted payment date of 1-based `period`.
    pub fn payment_date(&self, period: u32) -> NaiveDate {
        self.dates
            .calendar
            .roll_following(self.unadjusted_payment_date(period))
    }

    /// Flat pricing rates: the bond index at `index_rate_pct`, other listed indices at
    /// their levels, every other built-in index at `index_rate_pct`.
    pub fn pricing_rates(&self) -> RateCurves {
        let mut rc = RateCurves::flat_all(self.pricing.index_rate_pct / 100.0);
        for name in &self.collateral.indices {
            rc.set(
                RateIndex::parse(name),
                RatePath::flat(self.pricing.index_rate_pct / 100.0),
            );
        }
        for (name, pct) in &self.pricing.other_index_rates_pct {
            rc.set(RateIndex::parse(name), RatePath::flat(pct / 100.0));
        }
        rc.set(
            RateIndex::parse(&self.pricing.index),
            RatePath::flat(self.pricing.index_rate_pct / 100.0),
        );
        rc
    }

    /// The JSON Schema of the deal file.
    pub fn json_schema() -> schemars::schema::RootSchema {
        schemars::schema_for!(Deal)
    }
}

pub(crate) fn field_error(field: impl Into<String>, message: impl Into<String>) -> FieldError {
    FieldError {
        location: Location {
            row: None,
            field: Some(field.into()),
        },
        message: message.into(),
    }
}

#[cfg(test)]
mod tests;
