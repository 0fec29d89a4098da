//! Builders of small random-ready inputs — loans, a deal file, a scenario — shared by the
//! property tests and the fuzz targets (feature `testkit`; not part of the engine's API).
//!
//! Every builder takes plain numbers already inside valid ranges; the caller (a proptest
//! strategy or a fuzzer) decides how they are drawn.

use crate::assumptions::{Assumptions, DefaultCurve, PrepayAssumption, PrepayCurve, PrepayTiming};
use crate::rates::RateCurves;
use crate::tape::{AmortType, ArmTerms, Loan, RateIndex};
use std::fmt::Write as _;

/// The numbers that define one loan. Rates are decimals.
#[derive(Debug, Clone, PartialEq)]
pub struct LoanSpec {
    pub balance: f64,
    pub rate: f64,
    pub rem_term: u32,
    pub age: u32,
    pub io_months: u32,
    pub servicing_fee: f64,
    /// ARM terms: (index 0..4, margin, months to reset, reset frequency, periodic cap,
    /// life cap above the rate). `None` for a fixed-rate loan.
    pub arm: Option<ArmSpec>,
}

/// The numbers of an ARM's rate terms.
#[derive(Debug, Clone, PartialEq)]
pub struct ArmSpec {
    /// 0 = LIBOR1M, 1 = LIBOR6M, 2 = LIBOR12M, 3 = CMT1Y (taken modulo 4).
    pub index: u8,
    pub margin: f64,
    pub months_to_reset: u32,
    pub reset_freq: u32,
    pub periodic_cap: f64,
    /// Life cap minus the current rate (>= 0).
    pub life_cap_above: f64,
}

const INDICES: [RateIndex; 4] = [
    RateIndex::Libor1M,
    RateIndex::Libor6M,
    RateIndex::Libor12M,
    RateIndex::Cmt1Y,
];

/// A loan with the descriptive fields filled with neutral values.
pub fn loan(id: &str, s: &LoanSpec) -> Loan {
    let orig_term = s.rem_term + s.age;
    Loan {
        loan_id: id.to_string(),
        balance: s.balance,
        gross_rate: s.rate,
        orig_term,
        rem_term: s.rem_term,
        age: s.age,
        amort: if s.arm.is_some() {
            AmortType::Arm
        } else {
            AmortType::Fixed
        },
        io_months: s.io_months.min(orig_term),
        servicing_fee: s.servicing_fee,
        mi_fee: 0.0,
        arm: s.arm.as_ref().map(|a| ArmTerms {
            index: INDICES[usize::from(a.index % 4)].clone(),
            margin: a.margin,
            months_to_reset: a.months_to_reset,
            reset_freq: a.reset_freq.max(1),
            first_reset_pending: true,
            initial_cap: a.periodic_cap,
            periodic_cap: a.periodic_cap,
            life_cap: s.rate + a.life_cap_above,
            life_floor: a.margin.min(s.rate + a.life_cap_above),
            rounding: 0.00125,
            lookback_months: 0,
        }),
        product: String::new(),
        state: "CA".into(),
        property_type: "SFR".into(),
        occupancy: "OWNER OCC".into(),
        purpose: "PUR".into(),
        doc_type: "FULL".into(),
        fico: Some(700),
        orig_ltv: 80.0,
        dti: None,
        prepay_penalty_months: 0,
        prepay_penalty_type: String::new(),
        orig_date: None,
        lien: 1,
        delinquency: "Current".into(),
    }
}

/// The numbers that define a small two- or three-bond deal over a pool.
#[derive(Debug, Clone, PartialEq)]
pub struct DealSpec {
    /// Each bond's size as a fraction of the pool; their sum must stay at most 1.
    pub bond_fractions: Vec<f64>,
    /// Each bond's margin over LIBOR1M, percent.
    pub margins_pct: Vec<f64>,
    /// OC target, percent of the cut-off balance.
    pub oc_target_pct: f64,
    /// Clean-up call threshold, percent of the cut-off balance.
    pub call_pct: f64,
    /// Senior principal sequential (true) or pro rata (false).
    pub sequential: bool,
    /// Fixed coupon cap, percent.
    pub fixed_cap_pct: f64,
    /// Master servicing fee, percent per annum (the trustee fee is 0.01%).
    pub master_servicing_fee_pct: f64,
    /// A swap held by the trust: (notional as a fraction of the bonds, fixed rate paid in
    /// percent, notional limited to the bond balance).
    pub swap: Option<(f64, f64, bool)>,
}

/// Bond names in order of seniority.
pub const BOND_NAMES: [&str; 4] = ["A", "M", "B", "C"];

/// A deal file (TOML) for `spec` over a pool of `pool_balance`, whose tape is `tape.csv`.
/// The last bond absorbs losses first.
pub fn deal_toml(spec: &DealSpec, pool_balance: f64) -> String {
    let n = spec.bond_fractions.len().clamp(1, BOND_NAMES.len());
    let names = &BOND_NAMES[..n];
    let mut s = format!(
        "format_version = 1\nname = \"kit\"\n\
         [dates]\ncut_off = \"2024-01-01\"\nclosing = \"2024-01-30\"\n\
         settlement = \"2024-01-30\"\nfirst_payment = \"2024-02-25\"\npayment_day = 25\n\
         [collateral]\ntape = \"tape.csv\"\nmaster_servicing_fee_pct = {:.4}\n\
         trustee_fee_pct = 0.01\n\
         [pricing]\narm_curve = {{ type = \"cpr\", cpr_pct = 25.0 }}\n\
         fixed_curve = {{ type = \"cpr\", cpr_pct = 15.0 }}\nindex = \"LIBOR1M\"\n\
         index_rate_pct = 5.0\n",
        spec.master_servicing_fee_pct
    );
    let mut bonds_total = 0.0;
    for (k, name) in names.iter().enumerate() {
        let frac = spec.bond_fractions.get(k).copied().unwrap_or(0.01);
        let margin = spec.margins_pct.get(k).copied().unwrap_or(0.5);
        // Whole cents, so the bonds never add up above the pool by rounding.
        let balance = (pool_balance * frac * 100.0).floor() / 100.0;
        bonds_total += balance;
        let _ = write!(
            s,
            "[[bonds]]\nname = \"{name}\"\nbalance = {balance:.2}\n\
             coupon = {{ type = \"floating\", index = \"LIBOR1M\", margin_pct = {margin:.4}, \
             step_up_multiple = 2.0 }}\nfixed_cap_pct = {:.4}\n",
            spec.fixed_cap_pct
        );
    }
    if let Some((share, strike, limited)) = spec.swap {
        let _ = write!(
            s,
            "[[derivatives]]\nname = \"swap\"\nkind = \"swap\"\nindex = \"LIBOR1M\"\n\
             strike_pct = {strike:.4}\nend = \"2034-01-25\"\n\
             limited_to_bond_balance = {limited}\n\
             notional = [{{ date = \"2024-02-25\", amount = {:.2} }}]\n",
            (bonds_total * share * 100.0).floor() / 100.0
        );
    }
    let quoted = |v: &[&str]| {
        v.iter()
            .map(|b| format!("\"{b}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let subs: Vec<&str> = names[1..].iter().rev().copied().collect();
    let _ = write!(
        s,
        "[overcollateralization]\ntarget_pct_of_cut_off = {:.4}\n\
         [clean_up_call]\npool_pct_of_cut_off = {:.4}\n\
         [realized_losses]\nwritedown_order = [{}]\n\
         [[waterfall]]\nstep = \"interest\"\nsource = \"interest_funds\"\nbonds = [{}]\n\
         [[waterfall]]\nstep = \"principal_distribution\"\nsource = \"available_funds\"\n\
         allocation = \"{}\"\n\
         [[waterfall]]\nstep = \"oc_build\"\nsource = \"excess_cash_flow\"\n\
         allocation = \"sequential\"\n",
        spec.oc_target_pct,
        spec.call_pct,
        quoted(&subs),
        quoted(names),
        if spec.sequential {
            "sequential"
        } else {
            "pro_rata"
        },
    );
    if !subs.is_empty() {
        let _ = write!(
            s,
            "[[waterfall]]\nstep = \"loss_reimbursement\"\nsource = \"excess_cash_flow\"\n\
             bonds = [{}]\n",
            quoted(&names[1..])
        );
    }
    s.push_str(
        "[[waterfall]]\nstep = \"unpaid_interest\"\nsource = \"excess_cash_flow\"\n\
         [[waterfall]]\nstep = \"basis_risk\"\nsource = \"excess_cash_flow\"\n\
         [[waterfall]]\nstep = \"residual\"\nsource = \"excess_cash_flow\"\n",
    );
    s
}

/// A scenario of constant CPR / CDR (decimals) with flat index rates.
pub fn scenario(cpr: f64, cdr: f64, severity: f64, lag: u32, index_rate: f64) -> Assumptions {
    let curve = PrepayCurve::Cpr { cpr };
    Assumptions {
        prepay: PrepayAssumption {
            arm: curve.clone(),
            fixed: curve,
            multiplier: 1.0,
        },
        default: DefaultCurve::Cdr { cdr },
        severity,
        recovery_lag: lag,
        advancing: false,
        timing: PrepayTiming {
            first_period_fraction: 1.0,
        },
        rates: RateCurves::flat_all(index_rate),
        delinquency: None,
    }
}

/// The 24 loans of [`small_model`] (half 6-month LIBOR ARMs).
pub fn small_loans() -> Vec<Loan> {
    (0..24)
        .map(|i| {
            let k = f64::from(i);
            loan(
                &format!("L{i:02}"),
                &LoanSpec {
                    balance: 150_000.0 + 10_000.0 * k,
                    rate: 0.0575 + 0.00125 * f64::from(i % 8),
                    rem_term: 360 - (i % 6) * 12,
                    age: (i % 6) * 12,
                    io_months: if i % 3 == 0 { 60 } else { 0 },
                    servicing_fee: 0.00375,
                    arm: (i % 2 == 0).then_some(ArmSpec {
                        index: 1,
                        margin: 0.0275,
                        months_to_reset: i % 24,
                        reset_freq: 6,
                        periodic_cap: 0.01,
                        life_cap_above: 0.05,
                    }),
                },
            )
        })
        .collect()
}

/// A small deal ready to run: 24 loans (half 6-month LIBOR ARMs), two floating bonds
/// (A 80%, M 15%) paid pro rata, 0.5% OC, a 10% clean-up call, index 5% flat for pricing.
pub fn small_model() -> crate::runner::DealModel {
    let loans = small_loans();
    let total: f64 = loans.iter().map(|l| l.balance).sum();
    let spec = DealSpec {
        bond_fractions: vec![0.80, 0.15],
        margins_pct: vec![0.34, 1.20],
        oc_target_pct: 0.5,
        call_pct: 10.0,
        sequential: false,
        fixed_cap_pct: 11.5,
        master_servicing_fee_pct: 0.03,
        swap: None,
    };
    let toml_text = deal_toml(&spec, total);
    #[allow(clippy::expect_used)]
    let deal: crate::deal::Deal = toml::from_str(&toml_text).expect("the kit's deal file parses");
    #[allow(clippy::expect_used)]
    let pool = crate::collateral::LoanPool::from_loans(&loans).expect("the kit's loans are valid");
    #[allow(clippy::expect_used)]
    crate::runner::DealModel::new(deal, pool, None).expect("the kit's deal is valid")
}
