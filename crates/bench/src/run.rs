//! The load run: register N agents, run each as a closed loop (push, wait for the ack,
//! push the next) on its own thread, and count what finishes inside the measured window.

use crate::client::{IngestClient, PushResult, RemoteWriteClient, register_agent};
use crate::cpu::{cpu_count, process_cpu_time};
use crate::frames::{INTERVAL_MS, SimulatedAgent};
use crate::stats::{Latency, Recorder};
use crate::watch::{FileSizeSample, WRITER_THREAD_PREFIX, sample_until, threads_cpu_time};
use hostpulse_core::{Clock, SystemClock};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Pause after a transport failure, so that a dead hub is not spun on.
const RETRY_PAUSE: Duration = Duration::from_millis(50);

/// Where the load goes.
#[derive(Debug, Clone)]
pub enum Target {
    /// A hostpulse hub; agents are registered with the admin token.
    Hub {
        /// Base URL of the hub.
        url: String,
        /// Token allowed to register agents.
        admin_token: String,
    },
    /// A Prometheus server with its remote-write receiver enabled (the peer).
    Prometheus {
        /// Base URL of the Prometheus server.
        url: String,
    },
}

/// What to run.
#[derive(Debug, Clone)]
pub struct LoadConfig {
    /// The server under load.
    pub target: Target,
    /// Simulated agents, one thread each.
    pub agents: usize,
    /// Frames (collection cycles) in each push.
    pub frames_per_batch: usize,
    /// Pushes finishing before this are not counted (series creation, connection set-up).
    pub warmup: Duration,
    /// Length of the measured window.
    pub duration: Duration,
    /// How far in the past the first frame is stamped.
    pub start_ago: Duration,
    /// Agents are registered as `{name_prefix}-{index:05}`.
    pub name_prefix: String,
    /// Seed of the host shapes and the values, so runs can be repeated.
    pub seed: u64,
    /// Process id of the server (hub or peer), to report its CPU share over the window.
    pub server_pid: Option<u32>,
    /// The hub's database file, to sample its size (with the WAL) over the window.
    pub watch_db: Option<PathBuf>,
    /// Timeout of one push.
    pub timeout: Duration,
}

/// Results of a run (acknowledged pushes finishing inside the window only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunReport {
    /// Simulated agents.
    pub agents: usize,
    /// Frames in each push.
    pub frames_per_batch: usize,
    /// Series over all simulated hosts.
    pub series: u64,
    /// Length of the measured window.
    pub window_seconds: f64,
    /// Samples in pushes acknowledged inside the window.
    pub acked_samples: u64,
    /// Pushes acknowledged inside the window.
    pub acked_batches: u64,
    /// Acknowledged samples per second of the window.
    pub samples_per_second: f64,
    /// Acknowledged pushes per second of the window.
    pub batches_per_second: f64,
    /// Push latency percentiles.
    pub latency: Latency,
    /// Failed pushes by kind of error.
    pub errors: BTreeMap<String, u64>,
    /// Average compressed request body, bytes.
    pub body_bytes_per_batch: f64,
    /// CPU used by the generator over the window, in cores (1.0 = one core busy).
    pub generator_cpu_cores: f64,
    /// CPU used by the server (hub or peer) over the window, in cores, when its pid was given.
    pub server_cpu_cores: Option<f64>,
    /// CPU used by the hub's store writer thread over the window, in cores.
    #[serde(default)]
    pub writer_cpu_cores: Option<f64>,
    /// Database file plus WAL, sampled about once per second over the window.
    #[serde(default)]
    pub file_bytes: Vec<FileSizeSample>,
    /// CPUs of the machine the run was on.
    pub machine_cores: usize,
    /// Agents that stopped early because their timeline reached the present.
    pub agents_out_of_timeline: usize,
}

/// Why a run could not start.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The hub refused or failed to register a simulated agent.
    #[error("registering agent {name}: {source}")]
    Register {
        /// The agent's name.
        name: String,
        /// What the hub call reported.
        source: crate::client::ClientError,
    },
    /// The thread of a simulated agent could not be spawned.
    #[error("cannot start an agent thread: {0}")]
    Thread(std::io::Error),
}

struct Shared {
    stop: AtomicBool,
    out_of_timeline: AtomicUsize,
    window_start: Instant,
    window_end: Instant,
}

/// Registers the agents, runs the load and returns the figures.
pub fn run_load(config: &LoadConfig) -> Result<RunReport, RunError> {
    let tokens = register_all(config)?;
    let start_ts_ms = SystemClock.now_ms() - duration_ms(config.start_ago);
    let agents: Vec<SimulatedAgent> = (0..config.agents)
        .map(|i| SimulatedAgent::new(i, config.seed, start_ts_ms, config.frames_per_batch))
        .collect();
    let series: u64 = agents.iter().map(|a| a.series_count() as u64).sum();
    let begin = Instant::now();
    let shared = Arc::new(Shared {
        stop: AtomicBool::new(false),
        out_of_timeline: AtomicUsize::new(0),
        window_start: begin + config.warmup,
        window_end: begin + config.warmup + config.duration,
    });
    let mut threads = Vec::with_capacity(agents.len());
    for (agent, token) in agents.into_iter().zip(tokens) {
        let sink = Sink::new(&config.target, &agent, token.as_deref(), config.timeout);
        let shared = shared.clone();
        let thread = std::thread::Builder::new()
            .name("sim-agent".into())
            .stack_size(1024 * 1024)
            .spawn(move || agent_loop(agent, &sink, &shared))
            .map_err(RunError::Thread)?;
        threads.push(thread);
    }
    let (cpu, window) = measure_window(&shared, config);
    shared.stop.store(true, Ordering::Relaxed);
    let mut total = Recorder::default();
    let mut body_bytes = 0u64;
    for thread in threads {
        if let Ok((recorder, bytes)) = thread.join() {
            total.merge(recorder);
            body_bytes += bytes;
        }
    }
    let out_of_timeline = shared.out_of_timeline.load(Ordering::Relaxed);
    Ok(report(
        config,
        series,
        total,
        body_bytes,
        cpu,
        window,
        out_of_timeline,
    ))
}

fn duration_ms(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// Agent tokens from the hub; `None` for each agent of a peer without registration.
fn register_all(config: &LoadConfig) -> Result<Vec<Option<String>>, RunError> {
    let Target::Hub { url, admin_token } = &config.target else {
        return Ok(vec![None; config.agents]);
    };
    (0..config.agents)
        .map(|index| {
            let name = format!("{}-{index:05}", config.name_prefix);
            register_agent(url, admin_token, &name)
                .map(Some)
                .map_err(|source| RunError::Register { name, source })
        })
        .collect()
}

/// One simulated agent's way to the target.
enum Sink {
    Hub(IngestClient),
    Prometheus {
        client: RemoteWriteClient,
        labels: Vec<Vec<u8>>,
    },
}

impl Sink {
    fn new(
        target: &Target,
        agent: &SimulatedAgent,
        token: Option<&str>,
        timeout: Duration,
    ) -> Self {
        match target {
            Target::Hub { url, .. } => {
                Sink::Hub(IngestClient::new(url, token.unwrap_or_default(), timeout))
            }
            Target::Prometheus { url } => Sink::Prometheus {
                client: RemoteWriteClient::new(url, timeout),
                labels: agent.remote_write_labels(),
            },
        }
    }

    /// Advances `agent` one batch and encodes it for this target.
    fn next_body(&self, agent: &mut SimulatedAgent) -> Vec<u8> {
        match self {
            Sink::Hub(_) => agent.next_body(),
            Sink::Prometheus { labels, .. } => {
                agent.advance();
                agent.remote_write_body(labels)
            }
        }
    }

    fn push(&self, body: &[u8], samples: u64) -> PushResult {
        match self {
            Sink::Hub(client) => client.push(body),
            Sink::Prometheus { client, .. } => client.push(body, samples),
        }
    }
}

/// What was watched over the window: CPU of the generator, the server and its
/// writer thread, and the database size over time.
struct WindowCpu {
    own: Duration,
    server: Option<Duration>,
    writer: Option<Duration>,
    file_bytes: Vec<FileSizeSample>,
}

fn measure_window(shared: &Shared, config: &LoadConfig) -> (WindowCpu, Duration) {
    let server_pid = config.server_pid;
    std::thread::sleep(
        shared
            .window_start
            .saturating_duration_since(Instant::now()),
    );
    let server_time = || server_pid.and_then(|pid| process_cpu_time(Some(pid)).ok());
    let writer_time = || server_pid.and_then(|pid| threads_cpu_time(pid, WRITER_THREAD_PREFIX));
    let (own_before, server_before, writer_before, started) = (
        process_cpu_time(None),
        server_time(),
        writer_time(),
        Instant::now(),
    );
    let file_bytes = sample_until(config.watch_db.as_deref(), started, shared.window_end);
    let (own_after, server_after, writer_after, ended) = (
        process_cpu_time(None),
        server_time(),
        writer_time(),
        Instant::now(),
    );
    let own = match (own_before, own_after) {
        (Ok(before), Ok(after)) => after.saturating_sub(before),
        _ => Duration::ZERO,
    };
    let spent = |before: Option<Duration>, after: Option<Duration>| {
        before.zip(after).map(|(b, a)| a.saturating_sub(b))
    };
    let watched = WindowCpu {
        own,
        server: spent(server_before, server_after),
        writer: spent(writer_before, writer_after),
        file_bytes,
    };
    (watched, ended - started)
}

/// One simulated agent: push, wait for the answer, push the next; returns its counts
/// and the request bytes it sent inside the window.
fn agent_loop(mut agent: SimulatedAgent, sink: &Sink, shared: &Shared) -> (Recorder, u64) {
    let mut recorder = Recorder::default();
    let mut sent_bytes = 0u64;
    let frames =
        i64::try_from(agent.samples_per_batch() / agent.series_count().max(1)).unwrap_or(1);
    while !shared.stop.load(Ordering::Relaxed) {
        let last_ts = agent.next_ts_ms() + (frames - 1) * INTERVAL_MS;
        if last_ts > SystemClock.now_ms() {
            shared.out_of_timeline.fetch_add(1, Ordering::Relaxed);
            break;
        }
        let body = sink.next_body(&mut agent);
        let started = Instant::now();
        let result = sink.push(&body, agent.samples_per_batch() as u64);
        let finished = Instant::now();
        if finished >= shared.window_start && finished <= shared.window_end {
            recorder.record(&result, finished - started);
            sent_bytes += body.len() as u64;
        }
        if matches!(result, PushResult::Transport(_)) {
            std::thread::sleep(RETRY_PAUSE);
        }
    }
    (recorder, sent_bytes)
}

fn report(
    config: &LoadConfig,
    series: u64,
    mut total: Recorder,
    body_bytes: u64,
    watched: WindowCpu,
    window: Duration,
    agents_out_of_timeline: usize,
) -> RunReport {
    let seconds = window.as_secs_f64().max(1e-9);
    let requests = total.latencies_us.len().max(1) as f64;
    RunReport {
        agents: config.agents,
        frames_per_batch: config.frames_per_batch,
        series,
        window_seconds: seconds,
        acked_samples: total.acked_samples,
        acked_batches: total.acked_batches,
        samples_per_second: total.acked_samples as f64 / seconds,
        batches_per_second: total.acked_batches as f64 / seconds,
        latency: Latency::of(&mut total.latencies_us),
        errors: total.errors,
        body_bytes_per_batch: body_bytes as f64 / requests,
        generator_cpu_cores: watched.own.as_secs_f64() / seconds,
        server_cpu_cores: watched.server.map(|cpu| cpu.as_secs_f64() / seconds),
        writer_cpu_cores: watched.writer.map(|cpu| cpu.as_secs_f64() / seconds),
        file_bytes: watched.file_bytes,
        machine_cores: cpu_count(),
        agents_out_of_timeline,
    }
}
