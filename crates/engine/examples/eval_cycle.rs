//! Evaluation cost of the whole engine: 1,000 simulated hosts with realistic shapes and one
//! hour of 5-second history in the windows, the built-in rules plus user rules (per-mount
//! disk rules, an anomaly rule, a forecast rule), a real SQLite store in a temporary
//! directory, a virtual clock. Prints CPU and wall time per `evaluate_all()` cycle.
//!
//! Run: `cargo run --release -p hostpulse-engine --example eval_cycle [hosts] [cycles]`
//! (a third argument adds that many evaluation-only cycles at the end, for a profiler).

use hostpulse_bench::SimulatedAgent;
use hostpulse_config::{HubConfig, HubOverrides, load_hub_config};
use hostpulse_core::{AlertState, Clock, ManualClock};
use hostpulse_engine::{CycleStats, Engine, EngineDeps};
use hostpulse_proto::IngestBatch;
use hostpulse_store::prelude::*;
use hostpulse_store::{NotificationQuery, SqliteOptions, SqliteStore};
use std::borrow::Cow;
use std::sync::Arc;
use std::time::Instant;

type AnyResult<T> = Result<T, Box<dyn std::error::Error>>;

/// First frame of the history.
const START_MS: i64 = 1_790_000_000_000;
const STEP_MS: i64 = 5_000;
/// One hour of 5-second frames fed before any evaluation.
const HISTORY_FRAMES: usize = 720;
/// Evaluated, unmeasured cycles (6 minutes) so held alerts reach firing.
const WARMUP_CYCLES: usize = 72;
/// CPU budget of one cycle.
const TARGET_CPU_MS: f64 = 1000.0;

const CONFIG: &str = r#"
rules:
  - name: root_fs_full
    expr: disk.used_percent{mount="/"} > 95
    severity: critical
  - name: inodes_high
    expr: disk.inodes_used_percent > 90
    for: 5m
  - name: disk_filling_fast
    expr: rate(disk.used_percent, 10m) > 0.05
    for: 10m
  - name: disk_full_6h
    expr: forecast(disk.used_percent, 6h) > 100
    for: 10m
  - name: cpu_anomaly
    expr: anomaly(cpu.usage_percent, window=1h, sigma=3, min_deviation=10)
    for: 3m
alerting:
  evaluation_interval: 5s
"#;

/// Hosts whose CPU is pinned high from 2 minutes before the end of the history.
fn hot_early(index: usize) -> bool {
    index.is_multiple_of(33)
}

/// Hosts whose CPU goes high when the measured cycles start.
fn hot_late(index: usize) -> bool {
    index % 50 == 7
}

/// Hosts whose root filesystem is 97 % full (a `for: 0` rule fires at once).
fn root_full(index: usize) -> bool {
    index % 100 == 3
}

/// One simulated host: its agent and whether it is hot at a frame time.
struct Host {
    name: String,
    index: usize,
    agent: SimulatedAgent,
    /// Facts sent with the first stored batch.
    facts: Option<hostpulse_core::HostFacts>,
}

/// The next batch of host `index`, with its anomalies applied at `ts_ms` (borrowed when none).
fn next_batch(
    agent: &mut SimulatedAgent,
    index: usize,
    ts_ms: i64,
    measured_from_ms: i64,
) -> Cow<'_, IngestBatch> {
    agent.advance();
    let hot = (hot_early(index) && ts_ms >= measured_from_ms - 72 * STEP_MS - 120_000)
        || (hot_late(index) && ts_ms >= measured_from_ms);
    let full = root_full(index);
    if !hot && !full {
        return Cow::Borrowed(agent.batch());
    }
    let mut batch = agent.batch().clone();
    for sample in batch.frames.iter_mut().flat_map(|f| f.samples.iter_mut()) {
        if hot && sample.name == "cpu.usage_percent" {
            sample.value = 96.0 + (sample.value % 3.0);
        }
        if full
            && sample.name == "disk.used_percent"
            && sample.labels.get("mount").is_some_and(|m| m == "/")
        {
            sample.value = 97.0;
        }
    }
    Cow::Owned(batch)
}

struct Rig {
    _dir: tempfile::TempDir,
    clock: ManualClock,
    store: Arc<SqliteStore>,
    engine: Arc<Engine>,
    hosts: Vec<Host>,
    measured_from_ms: i64,
}

fn hub_config(dir: &std::path::Path) -> AnyResult<HubConfig> {
    let file = dir.join("hostpulse.yaml");
    std::fs::write(&file, CONFIG)?;
    load_hub_config(Some(&file), &[], &HubOverrides::default()).map_err(|e| e.to_string().into())
}

async fn open_rig(host_count: usize) -> AnyResult<Rig> {
    let dir = tempfile::tempdir()?;
    let config = hub_config(dir.path())?;
    let clock = ManualClock::new(START_MS);
    let shared: Arc<dyn Clock> = Arc::new(clock.clone());
    let mut options = SqliteOptions::new(dir.path().join("hostpulse.db"));
    options.synchronous_full = false;
    let store = SqliteStore::open(options, shared.clone()).await?;
    let deps = EngineDeps {
        store: store.clone(),
        alert_store: store.clone(),
        clock: shared,
    };
    let reload = config.clone();
    let engine =
        Engine::start_manual(deps, &config, None, Box::new(move || Ok(reload.clone()))).await?;
    let hosts = (0..host_count)
        .map(|index| {
            let agent = SimulatedAgent::new(index, 42, START_MS, 1);
            let name = agent.batch().agent.hostname.clone();
            let facts = agent.batch().facts.clone();
            Host {
                name,
                index,
                agent,
                facts,
            }
        })
        .collect();
    let measured_from_ms = START_MS + (HISTORY_FRAMES + WARMUP_CYCLES) as i64 * STEP_MS;
    Ok(Rig {
        _dir: dir,
        clock,
        store,
        engine,
        hosts,
        measured_from_ms,
    })
}

impl Rig {
    /// One hour of history straight into the windows (as ingest feeds them).
    fn feed_history(&mut self) {
        for frame in 0..HISTORY_FRAMES {
            let ts = START_MS + frame as i64 * STEP_MS;
            self.clock.set(ts);
            for Host {
                name, index, agent, ..
            } in &mut self.hosts
            {
                let batch = next_batch(agent, *index, ts, self.measured_from_ms);
                let observation = self.engine.observe_batch(name, &batch);
                self.engine.commit_observation(observation);
            }
        }
    }

    /// One collection interval: every host pushes a frame that is stored and observed.
    async fn push_frame(&mut self) -> AnyResult<()> {
        self.clock.advance(STEP_MS);
        let ts = self.clock.now_ms();
        for host in &mut self.hosts {
            let facts = host.facts.take();
            let mut batch =
                next_batch(&mut host.agent, host.index, ts, self.measured_from_ms).into_owned();
            if facts.is_some() {
                batch.facts = facts;
            }
            let observation = self.engine.observe_batch(&host.name, &batch);
            self.store.ingest(&host.name, batch).await?;
            self.engine.commit_observation(observation);
        }
        Ok(())
    }

    /// Pushes a frame, then measures one `evaluate_all()`; delivery runs afterwards.
    async fn cycle(&mut self) -> AnyResult<(f64, CycleStats)> {
        self.push_frame().await?;
        let cpu_before = cpu_ms();
        self.engine.evaluate_all().await;
        let cpu = cpu_ms() - cpu_before;
        let stats = self.engine.last_cycle();
        self.engine.deliver_now().await;
        Ok((cpu, stats))
    }

    async fn outbox_size(&self) -> AnyResult<usize> {
        let query = NotificationQuery {
            status: None,
            receiver: None,
            since_ms: None,
            cursor: None,
            limit: 10_000,
        };
        Ok(self.store.notifications(query).await?.notifications.len())
    }

    fn alert_counts(&self) -> (usize, usize) {
        let alerts = self.engine.active_alerts();
        let firing = alerts
            .iter()
            .filter(|a| a.state == AlertState::Firing)
            .count();
        (firing, alerts.len() - firing)
    }
}

/// CPU time (user + system) of the whole process so far, milliseconds.
fn cpu_ms() -> f64 {
    // SAFETY: `usage` is a plain C struct; getrusage only writes into it.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: RUSAGE_SELF with a valid pointer to a writable rusage.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    let ms = |t: libc::timeval| t.tv_sec as f64 * 1000.0 + t.tv_usec as f64 / 1000.0;
    ms(usage.ru_utime) + ms(usage.ru_stime)
}

fn arg(position: usize, default: usize) -> usize {
    std::env::args()
        .nth(position)
        .and_then(|a| a.parse().ok())
        .unwrap_or(default)
}

fn summary(name: &str, values: &[f64]) -> String {
    let mean = values.iter().sum::<f64>() / values.len().max(1) as f64;
    let max = values.iter().copied().fold(0.0, f64::max);
    format!("{name}: mean {mean:.1} ms, max {max:.1} ms")
}

async fn run(host_count: usize, cycles: usize) -> AnyResult<()> {
    let mut rig = open_rig(host_count).await?;
    let started = Instant::now();
    rig.feed_history();
    println!(
        "history: {host_count} hosts x {HISTORY_FRAMES} frames fed in {:.1} s; {} points in windows",
        started.elapsed().as_secs_f64(),
        rig.engine.window_points()
    );
    for _ in 0..WARMUP_CYCLES {
        rig.cycle().await?;
    }
    let (firing, pending) = rig.alert_counts();
    let outbox = rig.outbox_size().await?;
    println!("after warm-up: {firing} firing, {pending} pending, {outbox} notifications");
    let (mut cpu, mut wall, mut last) = (Vec::new(), Vec::new(), CycleStats::default());
    let mut notified = 0;
    for n in 0..cycles {
        let (cpu_ms, stats) = rig.cycle().await?;
        println!(
            "cycle {n:2}: {} hosts, {} instances, {} notifications, CPU {cpu_ms:.1} ms, wall {:.1} ms",
            stats.hosts,
            stats.instances,
            stats.notifications,
            stats.wall_us as f64 / 1000.0
        );
        cpu.push(cpu_ms);
        wall.push(stats.wall_us as f64 / 1000.0);
        notified += stats.notifications;
        last = stats;
    }
    report(&rig, &cpu, &wall, last, notified).await?;
    evaluate_only(&rig, arg(3, 0)).await;
    Ok(())
}

/// Extra `evaluate_all()` calls without new data, for attaching a profiler to evaluation
/// alone (third argument; default none).
async fn evaluate_only(rig: &Rig, cycles: usize) {
    if cycles == 0 {
        return;
    }
    println!("evaluate-only cycles: {cycles}");
    let before = cpu_ms();
    for _ in 0..cycles {
        rig.engine.evaluate_all().await;
    }
    println!(
        "evaluate-only: {:.1} ms CPU per cycle",
        (cpu_ms() - before) / cycles as f64
    );
}

async fn report(
    rig: &Rig,
    cpu: &[f64],
    wall: &[f64],
    last: CycleStats,
    notified: usize,
) -> AnyResult<()> {
    let (firing, pending) = rig.alert_counts();
    let rules = rig.engine.rules().len();
    println!("---");
    println!(
        "{} hosts, {rules} rules, {} rule instances per cycle, {} window points",
        last.hosts,
        last.instances,
        rig.engine.window_points()
    );
    println!(
        "{firing} firing, {pending} pending; {notified} notifications recorded in the measured cycles, {} in the outbox",
        rig.outbox_size().await?
    );
    for rule in rig.engine.rules() {
        if rule.firing + rule.pending > 0 {
            println!(
                "  {}: {} firing, {} pending",
                rule.name, rule.firing, rule.pending
            );
        }
    }
    println!("{} cycles", cpu.len());
    println!("{}", summary("CPU per cycle ", cpu));
    println!("{}", summary("wall per cycle", wall));
    let mean = cpu.iter().sum::<f64>() / cpu.len().max(1) as f64;
    println!(
        "CPU per cycle / 1 s target: {:.3} ({:.1} us per rule instance)",
        mean / TARGET_CPU_MS,
        mean * 1000.0 / last.instances.max(1) as f64
    );
    Ok(())
}

fn main() -> AnyResult<()> {
    let hosts = arg(1, 1000);
    let cycles = arg(2, 20);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run(hosts, cycles))
}
