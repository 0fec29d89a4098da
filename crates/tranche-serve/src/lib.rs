//! tranche-serve: the deal explorer. The engine behind a versioned JSON API
//! (`/api/v1/...`, described by the OpenAPI document at `/api/openapi.json`, generated
//! from the types of [`dto`] and [`scenario`]) and a single-page app that uses only that
//! API, embedded in the binary.
//!
//! Every figure is the core's: scenarios map onto the one [`Scenario`] type through the
//! one named-input mapping, runs go through the one runner, tables through the core's
//! table functions and the writers the hosting program lends ([`host::Host`]).
//!
//! [`Scenario`]: tranche_core::scenario::Scenario

pub mod api;
pub mod assets;
pub mod body;
pub mod breakeven;
pub mod deals;
pub mod download;
pub mod dto;
pub mod error;
pub mod exec;
pub mod host;
pub mod scenario;

use axum::extract::{DefaultBodyLimit, Request};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use utoipa::OpenApi;

pub use exec::{AppState, Limits};
pub use host::Host;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "tranche deal explorer API",
        description = "Deals of the server's deals folder, run under scenarios on tranche's engine. Errors are `{\"error\": \"...\"}` with the command line's message."
    ),
    paths(
        api::fields,
        api::list,
        api::deal,
        api::run,
        api::periods,
        api::price_table,
        breakeven::breakeven,
        download::download
    )
)]
pub struct ApiDoc;

/// The OpenAPI document.
pub fn openapi_json() -> String {
    ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

async fn openapi() -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        openapi_json(),
    )
        .into_response()
}

/// Requests from a page of another site through a name that resolves to this machine
/// (DNS rebinding) carry that name: a server bound to loopback answers only its own names.
async fn loopback_names(req: Request, next: Next) -> Response {
    let host = req
        .headers()
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host.split(':').next().unwrap_or(""),
    };
    let ok = name == "localhost"
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    if ok {
        next.run(req).await
    } else {
        error::ApiError::forbidden(format!(
            "Host `{host}`: this server answers only on the loopback address (localhost, 127.0.0.1, [::1])"
        ))
        .into_response()
    }
}

/// The app: the API, the OpenAPI document and the page.
pub fn router(state: Arc<AppState>, loopback_only: bool) -> Router {
    let body_limit = state.limits.body_bytes;
    let api = Router::new()
        .route("/fields", get(api::fields))
        .route("/deals", get(api::list))
        .route("/deals/{id}", get(api::deal))
        .route("/deals/{id}/run", post(api::run))
        .route("/deals/{id}/periods", post(api::periods))
        .route("/deals/{id}/price-table", post(api::price_table))
        .route("/deals/{id}/breakeven", post(breakeven::breakeven))
        .route("/deals/{id}/download/{file}", get(download::download))
        .fallback(api::no_such_path);
    let app = Router::new()
        .route("/", get(assets::index))
        .route("/app.js", get(assets::app_js))
        .route("/app.css", get(assets::app_css))
        .route("/api/openapi.json", get(openapi))
        .nest("/api/v1", api)
        .fallback(api::no_such_path)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            |_: Box<dyn std::any::Any + Send>| {
                error::ApiError::internal(
                    "the server stopped unexpectedly on this request; this is a bug in tranche, please report it. The server goes on.",
                )
                .into_response()
            },
        ))
        .with_state(state);
    if loopback_only {
        app.layer(axum::middleware::from_fn(loopback_names))
    } else {
        app
    }
}

/// How to serve.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub deals: PathBuf,
    pub addr: SocketAddr,
    /// Binding to an address other than loopback needs this.
    pub allow_remote: bool,
    pub limits: Limits,
}

/// A panic in a request is that request's 500: log it and go on (the hook of a
/// command-line tool would end the process).
fn keep_going_on_panic() {
    std::panic::set_hook(Box::new(|info| {
        eprintln!("internal error in a request (the server goes on): {info}");
    }));
}

/// Serves until Ctrl-C. Prints the address it listens on (`listening on http://...`).
pub fn serve(config: ServeConfig, host: Arc<dyn Host>) -> Result<(), String> {
    let loopback = config.addr.ip().is_loopback();
    if !loopback && !config.allow_remote {
        return Err(format!(
            "--addr {}: not a loopback address; the server has no login, so anyone who can reach the address could use it. Pass --allow-remote to bind to it anyway",
            config.addr
        ));
    }
    let store = deals::DealStore::new(&config.deals, host.clone())?;
    let root = store.root().to_path_buf();
    let state = Arc::new(AppState::new(store, host, config.limits));
    let app = router(state, loopback);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the server's runtime: {e}"))?;
    keep_going_on_panic();
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(config.addr)
            .await
            .map_err(|e| format!("--addr {}: cannot listen: {e}", config.addr))?;
        let addr = listener
            .local_addr()
            .map_err(|e| format!("--addr {}: {e}", config.addr))?;
        if !loopback {
            eprintln!(
                "warning: listening on {addr}, not a loopback address: anyone who can reach it can read the deals in {} and run them; there is no login",
                root.display()
            );
        }
        println!("tranche serve: deals from {}", root.display());
        println!("listening on http://{addr}/ (Ctrl-C to stop)");
        use std::io::Write;
        let _ = std::io::stdout().flush();
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(|e| format!("the server stopped: {e}"))
    })
}
