//! How long `/status` over 100 hosts takes: from the moment the fake Bot API hands the update
//! to the bot (`getUpdates`) to the arrival of the reply (`sendMessage`), with a real SQLite
//! store holding one frame of about 180 series per host.
//!
//! `cargo run --release -p hostpulse-chatops --example status_latency [hosts] [runs]`

mod fake_api;
mod fleet;

use fake_api::FakeApi;
use hostpulse_chatops::{Access, BotDeps, BotSettings, start_with};
use hostpulse_config::{HubOverrides, load_hub_config};
use hostpulse_core::{Clock, SystemClock};
use hostpulse_engine::{Engine, EngineDeps};
use hostpulse_store::{SqliteOptions, SqliteStore};
use std::error::Error;
use std::sync::Arc;
use std::time::{Duration, Instant};

const CONFIG: &str =
    "rules:\n  - name: hot\n    expr: cpu.usage_percent > 85\n    severity: critical\n";
/// First viewer id; run `n` asks as user `FIRST_USER + n` so that replies are told apart.
const FIRST_USER: i64 = 10_000;

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let hosts: usize = args.next().map_or(Ok(100), |a| a.parse())?;
    let runs: i64 = args.next().map_or(Ok(50), |a| a.parse())?;
    let dir = tempfile::tempdir()?;
    let deps = fleet_deps(dir.path(), hosts).await?;

    let fake = FakeApi::default();
    let api_url = fake.serve().await?;
    let viewers = (0..=runs).map(|run| FIRST_USER + run).collect();
    let access = Access {
        admins: vec![],
        operators: vec![],
        viewers,
        chats: vec![],
    };
    let mut settings = BotSettings::new(api_url, "123456:latency-example", access);
    settings.poll_timeout = Duration::from_secs(5);
    let bot = start_with(settings, deps).await?;

    let parts = warm_up(&fake).await?;
    let mut first = Vec::new();
    let mut whole = Vec::new();
    for run in 1..=runs {
        let (to_first, to_last) = ask_status(&fake, run, parts).await?;
        first.push(to_first);
        whole.push(to_last);
    }
    bot.shutdown().await;
    report("first sendMessage", &mut first);
    report("last sendMessage", &mut whole);
    Ok(())
}

/// A SQLite store in `dir` holding one frame of each of `hosts` hosts, and a manual engine.
async fn fleet_deps(dir: &std::path::Path, hosts: usize) -> Result<BotDeps, Box<dyn Error>> {
    let file = dir.join("hostpulse.yaml");
    std::fs::write(&file, CONFIG)?;
    let config = load_hub_config(Some(&file), &[], &HubOverrides::default())?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let store = SqliteStore::open(SqliteOptions::new(dir.join("db")), clock.clone()).await?;
    let deps = EngineDeps {
        store: store.clone(),
        alert_store: store.clone(),
        clock: clock.clone(),
    };
    let reload = config.clone();
    let engine =
        Engine::start_manual(deps, &config, None, Box::new(move || Ok(reload.clone()))).await?;
    let started = Instant::now();
    fleet::ingest(store.as_ref(), &engine, hosts, clock.now_ms()).await?;
    println!(
        "ingested {hosts} hosts x {} series into SQLite in {:.0} ms",
        fleet::samples(0).len(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    let service = hostpulse_service::Service::new(store.clone(), clock.clone())
        .with_alerting(engine.clone(), store.clone());
    Ok(BotDeps {
        store: store.clone(),
        alert_store: store,
        engine,
        clock,
        host_groups: config.rules.host_groups.clone(),
        service,
    })
}

/// Runs `/status` once, unmeasured; returns how many messages its reply takes.
async fn warm_up(fake: &FakeApi) -> Result<usize, Box<dyn Error>> {
    ask_status(fake, 0, 1).await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let sends = fake.sends_to(FIRST_USER);
    let chars: Vec<usize> = sends.iter().map(|(_, chars)| *chars).collect();
    println!(
        "/status reply: {} message(s) of {chars:?} characters",
        sends.len()
    );
    Ok(sends.len())
}

/// Sends `/status` as the user of `run` and waits for `parts` reply messages; returns the
/// time from delivery of the update to the first and to the last of them.
async fn ask_status(
    fake: &FakeApi,
    run: i64,
    parts: usize,
) -> Result<(Duration, Duration), Box<dyn Error>> {
    let user = FIRST_USER + run;
    let update_id = run + 1;
    fake.queue_message(update_id, user, "/status");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let sends = fake.sends_to(user);
        if sends.len() >= parts {
            let delivered = fake
                .delivered_at(update_id)
                .ok_or("update never delivered")?;
            let first = sends[0].0.duration_since(delivered);
            let last = sends[parts - 1].0.duration_since(delivered);
            return Ok((first, last));
        }
        if Instant::now() > deadline {
            return Err(format!("no reply to run {run} within 30 s").into());
        }
        tokio::time::sleep(Duration::from_micros(200)).await;
    }
}

/// Prints p50, p90 and max of `samples`.
fn report(what: &str, samples: &mut [Duration]) {
    samples.sort();
    if samples.is_empty() {
        return;
    }
    let pick = |p: usize| samples[(samples.len() * p).div_ceil(100).saturating_sub(1)];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "update delivered -> {what}: n={} p50={:.2} ms p90={:.2} ms max={:.2} ms",
        samples.len(),
        ms(pick(50)),
        ms(pick(90)),
        ms(pick(100))
    );
}
