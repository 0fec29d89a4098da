//! Where requests meet the engine: every run on a blocking thread, at most `max_runs` at
//! once, each within the time limit; a panic in a run is a 500 for that request, never
//! the end of the server. The last runs are kept, so paging a period table or
//! downloading it does not run the deal again.

use crate::deals::{DealEntry, DealStore};
use crate::error::{ApiError, ApiResult};
use crate::host::Host;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Semaphore;
use tranche_core::pricing::{run_with_risk, DEFAULT_SHIFT_BPS};
use tranche_core::runner::RunOutput;
use tranche_core::scenario::Scenario;

/// What one request may ask and take.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Longest a request may wait for and run the engine.
    pub run_timeout: Duration,
    /// Runs at once (further requests wait their turn, within the time limit).
    pub max_runs: usize,
    /// Largest request body, bytes.
    pub body_bytes: usize,
    /// Most speeds of a Price/DM table.
    pub max_speeds: usize,
    /// Most rows of a page of a period table.
    pub page_rows: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            run_timeout: Duration::from_secs(30),
            max_runs: std::thread::available_parallelism().map_or(2, |n| n.get().max(2)),
            body_bytes: 64 * 1024,
            max_speeds: 20,
            page_rows: 500,
        }
    }
}

/// Runs kept for paging and downloads.
const KEPT_RUNS: usize = 16;

pub struct AppState {
    pub store: DealStore,
    pub host: Arc<dyn Host>,
    pub limits: Limits,
    permits: Arc<Semaphore>,
    runs: Mutex<VecDeque<(String, Arc<RunOutput>)>>,
    /// Test switch: every engine call panics (`TRANCHE_TEST_PANIC_RUNS`), to show that a
    /// failing run leaves the server up.
    panic_runs: bool,
}

impl AppState {
    pub fn new(store: DealStore, host: Arc<dyn Host>, limits: Limits) -> Self {
        AppState {
            store,
            host,
            permits: Arc::new(Semaphore::new(limits.max_runs.max(1))),
            limits,
            runs: Mutex::new(VecDeque::new()),
            panic_runs: std::env::var_os("TRANCHE_TEST_PANIC_RUNS").is_some(),
        }
    }

    /// `f` on a blocking thread, within the time limit. A run past the limit is answered
    /// 503 at once; it keeps its slot until it ends, so runaway runs cannot pile up.
    pub async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> ApiResult<T> + Send + 'static,
    ) -> ApiResult<T> {
        let limit = self.limits.run_timeout;
        let permits = self.permits.clone();
        let panic_runs = self.panic_runs;
        let work = async move {
            let permit = permits
                .acquire_owned()
                .await
                .map_err(|_| ApiError::unavailable("the server is shutting down"))?;
            tokio::task::spawn_blocking(move || {
                let _permit = permit;
                if panic_runs {
                    #[allow(clippy::panic)]
                    {
                        panic!("TRANCHE_TEST_PANIC_RUNS is set");
                    }
                }
                f()
            })
            .await
            .map_err(|e| {
                ApiError::internal(format!(
                    "the engine stopped unexpectedly on this request ({}); this is a bug in tranche, please report it with the deal and the scenario. The server goes on.",
                    if e.is_panic() { "a panic" } else { "cancelled" }
                ))
            })?
        };
        match tokio::time::timeout(limit, work).await {
            Ok(r) => r,
            Err(_) => Err(ApiError::unavailable(format!(
                "the run did not finish within the server's time limit of {} s (--run-timeout); try a smaller request or later",
                limit.as_secs_f64()
            ))),
        }
    }

    /// Deal `id`, loaded (blocking work, within the limits).
    pub async fn deal(self: &Arc<Self>, id: String) -> ApiResult<Arc<DealEntry>> {
        let me = self.clone();
        self.blocking(move || me.store.get(&id)).await
    }

    fn kept(&self, key: &str) -> Option<Arc<RunOutput>> {
        let runs = self.runs.lock().ok()?;
        runs.iter().find(|(k, _)| k == key).map(|(_, r)| r.clone())
    }

    fn keep(&self, key: String, run: Arc<RunOutput>) {
        if let Ok(mut runs) = self.runs.lock() {
            runs.retain(|(k, _)| *k != key);
            runs.push_front((key, run));
            runs.truncate(KEPT_RUNS);
        }
    }

    /// Deal `id` run under `scenario` (with its ledger, and effective duration and
    /// convexity at the command line's shift), from the kept runs when the same deal,
    /// unchanged, ran the same scenario lately (then `true`).
    pub async fn run(
        self: &Arc<Self>,
        id: String,
        scenario: Scenario,
    ) -> ApiResult<(Arc<RunOutput>, bool)> {
        let me = self.clone();
        self.blocking(move || {
            let deal = me.store.get(&id)?;
            // The entry's address changes when the deal is reloaded; Debug prints every
            // number of the scenario exactly.
            let key = format!("{id}\u{0}{:p}\u{0}{scenario:?}", Arc::as_ptr(&deal));
            if let Some(r) = me.kept(&key) {
                return Ok((r, true));
            }
            // With effective duration and convexity, as `tranche run --summary` has them.
            let out = Arc::new(
                run_with_risk(&deal.model, &scenario, DEFAULT_SHIFT_BPS)
                    .map_err(crate::scenario::run_error)?,
            );
            me.keep(key, out.clone());
            Ok((out, false))
        })
        .await
    }
}
