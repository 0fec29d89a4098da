//! Index rate paths: flat levels, vectors by period, forward curves, and shocks.
//!
//! Period 1 is the first monthly period after the cut-off date. A path shorter than
//! the projection holds its last value (the usual convention for forward curves).

use crate::tape::RateIndex;
use serde::{Deserialize, Serialize};

/// Monthly path of one index, decimal per annum, indexed by period (1-based).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RatePath {
    pub values: Vec<f64>,
}

impl RatePath {
    pub fn flat(rate: f64) -> Self {
        RatePath { values: vec![rate] }
    }

    /// Rate for 1-based `period`; period 0 and below read the first value.
    #[inline]
    pub fn at(&self, period: usize) -> f64 {
        match self.values.len() {
            0 => 0.0,
            n => self.values[period.saturating_sub(1).min(n - 1)],
        }
    }
}

/// Paths for every index a run needs.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RateCurves {
    pub paths: Vec<(RateIndex, RatePath)>,
}

impl RateCurves {
    /// The same flat level for the four built-in indices.
    pub fn flat_all(rate: f64) -> Self {
        RateCurves {
            paths: [
                RateIndex::Libor1M,
                RateIndex::Libor6M,
                RateIndex::Libor12M,
                RateIndex::Cmt1Y,
            ]
            .into_iter()
            .map(|i| (i, RatePath::flat(rate)))
            .collect(),
        }
    }

    pub fn set(&mut self, index: RateIndex, path: RatePath) {
        if let Some(slot) = self.paths.iter_mut().find(|(i, _)| *i == index) {
            slot.1 = path;
        } else {
            self.paths.push((index, path));
        }
    }

    pub fn get(&self, index: &RateIndex) -> Option<&RatePath> {
        self.paths.iter().find(|(i, _)| i == index).map(|(_, p)| p)
    }

    /// Rate of `index` in `period`; `None` if the index has no path.
    pub fn rate(&self, index: &RateIndex, period: usize) -> Option<f64> {
        self.get(index).map(|p| p.at(period))
    }

    /// `bps` basis points added to the path of `index` (every path when `None`) from
    /// `from_period` (1-based) on.
    pub fn shocked_index(&self, index: Option<&RateIndex>, bps: f64, from_period: usize) -> Self {
        let shift = bps / 10_000.0;
        RateCurves {
            paths: self
                .paths
                .iter()
                .map(|(i, p)| {
                    if index.is_some_and(|only| only != i) {
                        return (i.clone(), p.clone());
                    }
                    // Long enough that the last (held) value is shifted too.
                    let n = p.values.len().max(from_period);
                    let values = (1..=n)
                        .map(|t| p.at(t) + if t >= from_period { shift } else { 0.0 })
                        .collect();
                    (i.clone(), RatePath { values })
                })
                .collect(),
        }
    }

    /// Every path shifted by `bps` basis points from `from_period` (1-based) on.
    pub fn shocked(&self, bps: f64, from_period: usize) -> Self {
        self.shocked_index(None, bps, from_period)
    }
}
