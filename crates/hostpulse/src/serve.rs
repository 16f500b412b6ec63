//! Running the hub: open the store, ensure the admin token, serve the API, run the local agent.

use crate::alerting::{ConfigSource, reload_on_sighup, start_engine};
use crate::client::{ADMIN_TOKEN_FILE, HUB_URL_FILE};
use crate::local_agent::LocalAgent;
use anyhow::{Context, Result};
use hostpulse_api::server::ServerLimits;
use hostpulse_api::{ApiLimits, AppState};
use hostpulse_config::{HubConfig, Synchronous};
use hostpulse_core::{Clock, SystemClock};
use hostpulse_proto::Limits;
use hostpulse_service::{Service, tokens};
use hostpulse_store::prelude::*;
use hostpulse_store::{SqliteOptions, SqliteStore};
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

/// Database file name under the data directory.
pub const DB_FILE: &str = "hostpulse.db";

/// Runs the hub until SIGINT/SIGTERM; with `with_local_agent`, also collects this host.
pub async fn serve(config: HubConfig, source: ConfigSource, with_local_agent: bool) -> Result<()> {
    let data_dir = config.data_dir.clone();
    // Port first, then the directory lock: a second hub fails before it touches the store.
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let _lock = crate::data_dir::lock(&data_dir)?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let store = SqliteStore::open(store_options(&config), clock.clone())
        .await
        .with_context(|| format!("cannot open the store in {}", data_dir.display()))?;
    let alert_store: Arc<dyn AlertStore> = store.clone();
    let store: Arc<dyn Store> = store;
    let new_token = ensure_admin_token(store.as_ref(), &data_dir).await?;
    let engine = start_engine(
        &config,
        source,
        store.clone(),
        alert_store.clone(),
        clock.clone(),
    )
    .await?;
    let limits = api_limits(&config);
    let service = Service::new(store.clone(), clock.clone())
        .with_alerting(engine.clone(), alert_store.clone())
        .with_batch_limits(limits.batch.clone())
        .with_actions(config.actions.clone());
    let service = Arc::new(service);
    let healer = tokio::spawn(service.clone().run_healer());
    let hangups = reload_on_sighup(service.clone());
    let bot = start_bot(&config, &store, &alert_store, &engine, &clock, &service).await?;
    let url = format!("http://{}", listener.local_addr()?);
    std::fs::write(data_dir.join(HUB_URL_FILE), format!("{url}\n"))?;
    print_banner(&url, &data_dir, new_token.as_deref());
    let local = if with_local_agent && config.local_agent.enabled {
        Some(LocalAgent::start(service.clone(), &config.local_agent, &data_dir).await?)
    } else {
        None
    };
    let state = AppState::new(store.clone(), clock, limits).with_service(service);
    let server_state = state.clone();
    tracing::info!(%url, data_dir = %data_dir.display(), "hub listening");
    let mut app = hostpulse_api::router(state);
    if let Some(webhook) = bot.as_ref().and_then(|bot| bot.webhook_router()) {
        app = app.merge(webhook);
    }
    let server_limits = server_limits(&config);
    hostpulse_api::server::serve(
        listener,
        app,
        server_state,
        server_limits,
        shutdown_signal(),
    )
    .await;
    tracing::info!("shutting down");
    healer.abort();
    if let Some(agent) = local {
        agent.stop().await;
    }
    if let Some(task) = hangups {
        task.abort();
    }
    if let Some(bot) = bot {
        bot.shutdown().await;
    }
    engine.shutdown().await;
    store.shutdown().await.context("store shutdown failed")?;
    Ok(())
}

/// Starts the Telegram ChatOps bot when the `telegram:` section is configured.
async fn start_bot(
    config: &HubConfig,
    store: &Arc<dyn Store>,
    alert_store: &Arc<dyn AlertStore>,
    engine: &Arc<hostpulse_engine::Engine>,
    clock: &Arc<dyn Clock>,
    service: &Service,
) -> Result<Option<hostpulse_chatops::BotHandle>> {
    let Some(telegram) = config.telegram.clone() else {
        return Ok(None);
    };
    let deps = hostpulse_chatops::BotDeps {
        store: store.clone(),
        alert_store: alert_store.clone(),
        engine: engine.clone(),
        clock: clock.clone(),
        host_groups: config.rules.host_groups.clone(),
        service: service.clone(),
    };
    let bot = hostpulse_chatops::start(telegram, deps)
        .await
        .context("cannot start the Telegram bot")?;
    Ok(Some(bot))
}

fn store_options(config: &HubConfig) -> SqliteOptions {
    let ms = |d: std::time::Duration| i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
    let storage = &config.storage;
    SqliteOptions {
        path: config.data_dir.join(DB_FILE),
        synchronous_full: matches!(storage.sqlite.synchronous, Synchronous::Full),
        checkpoint_interval_ms: u64::try_from(storage.checkpoint_interval.as_millis())
            .unwrap_or(60_000),
        retention_raw_ms: ms(storage.retention.raw),
        retention_minute_ms: ms(storage.retention.minute),
        retention_hour_ms: ms(storage.retention.hour),
        max_series_per_host: config.ingest.max_series_per_host,
        ..SqliteOptions::default()
    }
}

fn server_limits(config: &HubConfig) -> ServerLimits {
    let server = &config.server;
    ServerLimits {
        header_read_timeout: server.header_read_timeout,
        body_read_timeout: server.body_read_timeout,
        idle_timeout: server.idle_timeout,
        max_connections: server.max_connections,
        max_unauthenticated_per_peer: server.max_unauthenticated_per_peer,
    }
}

fn api_limits(config: &HubConfig) -> ApiLimits {
    let ms = |d: std::time::Duration| i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
    let ingest = &config.ingest;
    let max_body = usize::try_from(ingest.max_body_bytes).unwrap_or(usize::MAX);
    let bytes = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
    ApiLimits {
        max_body_bytes: max_body,
        max_inflated_bytes: bytes(ingest.max_inflated_bytes),
        max_decoded_bytes: bytes(ingest.max_decoded_bytes),
        max_concurrent_ingests: ingest.max_concurrent,
        ingest_wait: ingest.max_wait,
        max_points_per_answer: config.server.max_points_per_query,
        max_series_per_answer: config.server.max_series_per_query,
        batch: Limits {
            max_samples_per_batch: ingest.max_samples_per_batch,
            max_series_per_batch: ingest.max_series_per_batch,
            max_age_ms: ms(ingest.max_sample_age),
            max_future_ms: ms(ingest.max_future),
            ..Limits::default()
        },
    }
}

/// Makes sure an admin token exists; returns it when it was created now.
async fn ensure_admin_token(store: &dyn Store, data_dir: &Path) -> Result<Option<String>> {
    let path = data_dir.join(ADMIN_TOKEN_FILE);
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let hash = tokens::hash(existing.trim());
        if store.api_token_role(&hash).await?.is_none() {
            store
                .add_api_token(&format!("admin-{}", SystemClock.now_ms()), &hash, "admin")
                .await?;
            tracing::warn!(file = %path.display(), "admin token file was unknown to the store; registered it");
        }
        return Ok(None);
    }
    let token = tokens::generate(tokens::API_PREFIX);
    store
        .add_api_token(
            &format!("admin-{}", SystemClock.now_ms()),
            &tokens::hash(&token),
            "admin",
        )
        .await?;
    write_private_file(&path, &token)?;
    Ok(Some(token))
}

/// Writes `content` to `path` with mode 0600, atomically.
fn write_private_file(path: &Path, content: &str) -> Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let tmp = path.with_extension("tmp");
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    writeln!(file, "{content}")?;
    file.sync_all()?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

fn print_banner(url: &str, data_dir: &Path, new_token: Option<&str>) {
    let token_path = data_dir.join(ADMIN_TOKEN_FILE);
    println!("hostpulse hub running at {url}");
    match new_token {
        Some(token) => {
            println!(
                "admin API token (shown once, saved to {}):",
                token_path.display()
            );
            println!("  {token}");
        }
        None => println!("admin API token: in {}", token_path.display()),
    }
    println!("try: hostpulse status    (add a host: hostpulse agents add NAME)");
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
