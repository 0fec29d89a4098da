//! The Principal Distribution Amount: principal collected (scheduled, prepaid, recoveries,
//! advances; on a call, the pool's sale price) less the OC release, the part of OC above
//! its target after collections (at most the principal collected). The release becomes
//! Excess Cash Flow.

/// The period's Principal Distribution Amount and what it is made of.
#[derive(Debug, Clone, Copy)]
pub(super) struct Pda {
    /// OC after collections, before any principal is paid to the bonds.
    pub oc_before: f64,
    pub release: f64,
    pub amount: f64,
}

pub(super) fn principal_distribution_amount(
    remittance: f64,
    pool_end: f64,
    bonds_begin: f64,
    target: f64,
) -> Pda {
    let oc_before = pool_end - (bonds_begin - remittance);
    let release = (oc_before - target).max(0.0).min(remittance);
    Pda {
        oc_before,
        release,
        amount: (remittance - release).min(bonds_begin).max(0.0),
    }
}
