//! Triggers: performance tests whose failure switches steps of the priority of payments
//! and blocks the OC stepdown. A test fails when its measure exceeds the threshold in
//! force on the payment date; a sticky test, once failed, stays failed.

use super::compiled::CompiledDeal;
use super::ledger::TriggerState;
use crate::deal::TriggerKind;
use chrono::NaiveDate;

/// What the tests measure this period.
#[derive(Debug, Clone, Copy)]
pub(super) struct Measures {
    /// Cumulative realized losses.
    pub cum_loss: f64,
    pub cut_off: f64,
    /// Balance 60 days or more delinquent (foreclosure and REO included).
    pub delinquent: f64,
    /// Pool balance after collections (performing + awaiting liquidation).
    pub pool_end: f64,
}

/// Evaluates every trigger into `failing`, updating the sticky states; the states for the
/// ledger go to `states` when asked for.
pub(super) fn evaluate(
    c: &CompiledDeal,
    date: NaiveDate,
    m: &Measures,
    sticky: &mut [bool],
    failing: &mut [bool],
    mut states: Option<&mut Vec<TriggerState>>,
) {
    for (k, tr) in c.deal.triggers.iter().enumerate() {
        let value = match tr.kind {
            TriggerKind::CumulativeLoss => {
                if m.cut_off > 0.0 {
                    m.cum_loss / m.cut_off
                } else {
                    0.0
                }
            }
            TriggerKind::Delinquency => {
                if m.pool_end > 0.0 {
                    m.delinquent / m.pool_end
                } else {
                    0.0
                }
            }
        };
        let threshold = tr.threshold_at(date);
        let mut f = threshold.is_some_and(|th| value > th + 1e-12);
        if tr.sticky {
            f |= sticky[k];
            sticky[k] = f;
        }
        failing[k] = f;
        if let Some(s) = states.as_deref_mut() {
            s.push(TriggerState {
                name: tr.name.clone(),
                value,
                threshold,
                failing: f,
            });
        }
    }
}
