//! A deal state checked against itself and against its deal: every amount a finite number
//! of currency at or above zero, every name one the deal has, every month on or before the
//! as-of date, no balance above where it started. A state that contradicts the deal is bad
//! input even when every field parses.

use super::{DealState, STATE_FORMAT_VERSION, STATE_KIND};
use crate::deal::{Deal, YearMonth};
use crate::error::{FieldError, Location};
use crate::tape::RateIndex;
use crate::waterfall::MAX_PERIODS;

/// Amounts closer than this agree (a cent, plus float noise on large balances).
pub(super) fn agrees(a: f64, b: f64) -> bool {
    (a - b).abs() <= 0.01 + 1e-9 * a.abs().max(b.abs())
}

/// The payment period (1 = the first payment date) of the payment date in month `m`.
pub fn period_of(deal: &Deal, m: YearMonth) -> Option<u32> {
    let first = YearMonth::of(deal.dates.first_payment);
    let months = i64::from(m.year - first.year) * 12 + i64::from(m.month) - i64::from(first.month);
    u32::try_from(months + 1)
        .ok()
        .filter(|t| *t >= 1 && (*t as usize) <= MAX_PERIODS)
}

struct Errors(Vec<FieldError>);

impl Errors {
    fn push(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError {
            location: Location {
                row: None,
                field: Some(field.into()),
            },
            message: message.into(),
        });
    }

    /// A finite amount of currency >= 0.
    fn amount(&mut self, field: &str, v: f64) -> bool {
        let ok = v.is_finite() && v >= 0.0;
        if !ok {
            self.push(field, format!("expected an amount >= 0, found {v}"));
        }
        ok
    }

    /// A month of the deal's payment dates, on or before the as-of month.
    fn month(&mut self, field: &str, m: YearMonth, deal: &Deal, as_of: YearMonth) {
        let first = YearMonth::of(deal.dates.first_payment);
        if m < first || m > as_of {
            self.push(
                field,
                format!(
                    "expected a payment month from the first payment date ({first}) to the \
                     as-of date ({as_of}), found {m}"
                ),
            );
        }
    }
}

fn names<'a>(it: impl Iterator<Item = &'a str>) -> String {
    it.map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}

/// "the deal has no trigger `x`; its triggers are `a`, `b`" (or "it has none").
fn unknown<'a>(what: &str, name: &str, known: impl Iterator<Item = &'a str>) -> String {
    let known = names(known);
    if known.is_empty() {
        format!("the deal has no {what} `{name}`; it has none")
    } else {
        format!("the deal has no {what} `{name}`; its {what}s are {known}")
    }
}

impl DealState {
    /// Every rule the state breaks, against itself and against `deal`; each names its
    /// field (`bonds[2].balance`).
    pub fn check(&self, deal: &Deal) -> Vec<FieldError> {
        let mut e = Errors(Vec::new());
        if self.kind != STATE_KIND {
            e.push(
                "kind",
                format!("expected \"{STATE_KIND}\", found \"{}\"", self.kind),
            );
        }
        if self.format_version != STATE_FORMAT_VERSION {
            e.push(
                "format_version",
                format!(
                    "this build reads format version {STATE_FORMAT_VERSION}, found {}",
                    self.format_version
                ),
            );
        }
        if self.deal != deal.name {
            e.push(
                "deal",
                format!(
                    "the state is of deal `{}`; this deal is `{}`",
                    self.deal, deal.name
                ),
            );
        }
        let first = YearMonth::of(deal.dates.first_payment);
        match period_of(deal, self.as_of) {
            Some(t) if (t as usize) < MAX_PERIODS => {}
            _ => e.push(
                "as_of",
                format!(
                    "expected a payment month of the deal, from its first payment date \
                     ({first}) on, found {}",
                    self.as_of
                ),
            ),
        }
        if !(self.cut_off_balance.is_finite() && self.cut_off_balance > 0.0) {
            e.push(
                "cut_off_balance",
                format!("expected an amount > 0, found {}", self.cut_off_balance),
            );
        } else if let Some(stated) = deal.collateral.cut_off_balance {
            if (self.cut_off_balance - stated).abs() > 1e-4 * stated {
                e.push(
                    "cut_off_balance",
                    format!(
                        "{} differs from the deal's Cut-off Date Balance {stated} by more \
                         than 0.01%",
                        self.cut_off_balance
                    ),
                );
            }
        }
        self.check_collateral(deal, &mut e);
        self.check_bonds(deal, &mut e);
        self.check_history(deal, &mut e);
        for (f, v) in [
            ("fees_unpaid", self.fees_unpaid),
            (
                "net_derivative_fees_unpaid",
                self.net_derivative_fees_unpaid,
            ),
        ] {
            e.amount(f, v);
        }
        e.0
    }

    fn check_collateral(&self, deal: &Deal, e: &mut Errors) {
        let c = &self.collateral;
        let ok = e.amount("collateral.balance", c.balance)
            & e.amount("collateral.defaulted_balance", c.defaulted_balance)
            & e.amount(
                "collateral.cumulative_realized_loss",
                c.cumulative_realized_loss,
            );
        let cut_off = self.cut_off_balance;
        if ok && cut_off > 0.0 {
            let pool = c.balance + c.defaulted_balance;
            if pool > cut_off + 0.01 {
                e.push(
                    "collateral.balance",
                    format!(
                        "the pool ({} performing + {} awaiting liquidation) is above the \
                         Cut-off Date Balance {cut_off}",
                        c.balance, c.defaulted_balance
                    ),
                );
            }
            if c.cumulative_realized_loss > cut_off {
                e.push(
                    "collateral.cumulative_realized_loss",
                    format!("is above the Cut-off Date Balance {cut_off}"),
                );
            }
        }
        let mut total = 0.0;
        for (i, d) in c.awaiting_liquidation.iter().enumerate() {
            let at = format!("collateral.awaiting_liquidation[{i}]");
            e.month(&format!("{at}.month"), d.month, deal, self.as_of);
            if c.awaiting_liquidation[..i]
                .iter()
                .any(|o| o.month == d.month)
            {
                e.push(
                    format!("{at}.month"),
                    format!("{} is listed twice; expected one entry per month", d.month),
                );
            }
            for (f, v) in [
                ("balance", d.balance),
                ("interest", d.interest),
                ("servicing_fee", d.servicing_fee),
                ("mi_fee", d.mi_fee),
            ] {
                e.amount(&format!("{at}.{f}"), v);
            }
            total += d.balance;
        }
        if c.defaulted_balance.is_finite()
            && total.is_finite()
            && !agrees(total, c.defaulted_balance)
        {
            e.push(
                "collateral.awaiting_liquidation",
                format!(
                    "the defaults awaiting liquidation add up to {total}, not the \
                     defaulted_balance {}; expected them to by month of default",
                    c.defaulted_balance
                ),
            );
        }
        let declared = &deal.collateral.indices;
        for (i, f) in c.index_fixings.iter().enumerate() {
            let at = format!("collateral.index_fixings[{i}]");
            let ix = RateIndex::parse(&f.index);
            if !ix.is_builtin() && !declared.iter().any(|d| RateIndex::parse(d) == ix) {
                e.push(
                    format!("{at}.index"),
                    format!(
                        "unknown index `{}`; expected LIBOR1M, LIBOR6M, LIBOR12M, CMT1Y or \
                         one of the deal's collateral.indices",
                        f.index
                    ),
                );
            }
            if f.rates.is_empty() {
                e.push(format!("{at}.rates"), "expected at least one rate");
            }
            for (j, r) in f.rates.iter().enumerate() {
                if !(r.is_finite() && (-1.0..=1.0).contains(r)) {
                    e.push(
                        format!("{at}.rates[{j}]"),
                        format!(
                            "expected a decimal rate between -1 and 1 (0.0112 is 1.12%), found {r}"
                        ),
                    );
                }
            }
        }
    }

    fn check_bonds(&self, deal: &Deal, e: &mut Errors) {
        let all = || names(deal.bonds.iter().map(|b| b.name.as_str()));
        let mut sum = 0.0;
        let mut sound = true;
        for (i, b) in self.bonds.iter().enumerate() {
            let at = format!("bonds[{i}]");
            let Some(d) = deal.bonds.iter().find(|d| d.name == b.name) else {
                e.push(
                    format!("{at}.name"),
                    format!("the deal has no bond `{}`; its bonds are {}", b.name, all()),
                );
                sound = false;
                continue;
            };
            if self.bonds[..i].iter().any(|o| o.name == b.name) {
                e.push(
                    format!("{at}.name"),
                    format!("bond `{}` is listed twice", b.name),
                );
            }
            let ok = e.amount(&format!("{at}.balance"), b.balance)
                & e.amount(
                    &format!("{at}.unpaid_interest_shortfall"),
                    b.unpaid_interest_shortfall,
                )
                & e.amount(
                    &format!("{at}.basis_risk_carryforward"),
                    b.basis_risk_carryforward,
                )
                & e.amount(
                    &format!("{at}.allocated_realized_loss"),
                    b.allocated_realized_loss,
                );
            sound &= ok;
            if !ok {
                continue;
            }
            sum += b.balance;
            if b.balance > d.balance + 0.005 {
                e.push(
                    format!("{at}.balance"),
                    format!(
                        "{} is above the bond's original balance {}",
                        b.balance, d.balance
                    ),
                );
            } else if b.balance + b.allocated_realized_loss > d.balance + 0.01 {
                e.push(
                    format!("{at}.allocated_realized_loss"),
                    format!(
                        "the balance {} and the unreimbursed write-downs {} add up to more \
                         than the bond's original balance {}",
                        b.balance, b.allocated_realized_loss, d.balance
                    ),
                );
            }
            let written_down = deal.realized_losses.writedown_order.contains(&b.name);
            if b.allocated_realized_loss > 0.0 && !written_down {
                e.push(
                    format!("{at}.allocated_realized_loss"),
                    format!(
                        "bond `{}` is not in the deal's writedown_order, so it is never \
                         written down; expected 0",
                        b.name
                    ),
                );
            }
        }
        let missing: Vec<&str> = deal
            .bonds
            .iter()
            .filter(|d| !self.bonds.iter().any(|b| b.name == d.name))
            .map(|d| d.name.as_str())
            .collect();
        if !missing.is_empty() {
            e.push(
                "bonds",
                format!(
                    "missing bond(s) {}; expected every bond of the deal",
                    names(missing.into_iter())
                ),
            );
            sound = false;
        }
        let c = &self.collateral;
        if sound && c.balance.is_finite() && c.defaulted_balance.is_finite() {
            let oc = c.balance + c.defaulted_balance - sum;
            if !self.overcollateralization.is_finite() || !agrees(oc, self.overcollateralization) {
                e.push(
                    "overcollateralization",
                    format!(
                        "{} is not the pool ({} performing + {} awaiting liquidation) less \
                         the bonds ({sum}), which is {oc}",
                        self.overcollateralization, c.balance, c.defaulted_balance
                    ),
                );
            }
        }
    }

    fn check_history(&self, deal: &Deal, e: &mut Errors) {
        for (i, t) in self.triggers.iter().enumerate() {
            let at = format!("triggers[{i}]");
            if !deal.triggers.iter().any(|d| d.name == t.name) {
                e.push(
                    format!("{at}.name"),
                    unknown(
                        "trigger",
                        &t.name,
                        deal.triggers.iter().map(|d| d.name.as_str()),
                    ),
                );
            }
            if self.triggers[..i].iter().any(|o| o.name == t.name) {
                e.push(
                    format!("{at}.name"),
                    format!("trigger `{}` is listed twice", t.name),
                );
            }
            match t.first_failed {
                Some(m) => e.month(&format!("{at}.first_failed"), m, deal, self.as_of),
                None if t.failing => e.push(
                    format!("{at}.first_failed"),
                    "a failing trigger has failed since some month; expected first_failed",
                ),
                None => {}
            }
        }
        for (i, d) in self.derivatives.iter().enumerate() {
            if !deal.derivatives.iter().any(|x| x.name == d.name) {
                e.push(
                    format!("derivatives[{i}].name"),
                    unknown(
                        "derivative",
                        &d.name,
                        deal.derivatives.iter().map(|x| x.name.as_str()),
                    ),
                );
            }
        }
        if let Some(m) = self.clean_up_call.exercisable_since {
            let call = &deal.clean_up_call;
            if call.pool_pct_of_cut_off.is_none() && call.date.is_none() {
                e.push(
                    "clean_up_call.exercisable_since",
                    "the deal has no clean-up call; expected none",
                );
            } else {
                e.month("clean_up_call.exercisable_since", m, deal, self.as_of);
            }
        }
    }
}
