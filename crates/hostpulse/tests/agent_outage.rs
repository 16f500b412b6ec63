//! A real `hostpulse-agent` pushing every second to a real `hostpulse hub` that is killed
//! or stopped and restarted: nothing acknowledged is lost, everything else is spooled and
//! replayed in order, and nothing is stored twice.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed setup step should stop the test loudly"
)]

mod common;

use common::{AgentProc, Hub, Mode, Point, ingest_body_as, now_ms, range_points, wait_for};
use hostpulse_core::Sample;
use std::time::Duration;

const AGENT: &str = "e2e-agent";
const METRIC: &str = "system.uptime_seconds";
/// Longest wait for the agent to catch up after the hub returns (retry back-off is
/// capped at 60 s).
const CATCH_UP: Duration = Duration::from_secs(240);

/// How the hub goes away.
#[derive(Debug, Clone, Copy)]
enum Stop {
    Kill,
    Terminate,
}

fn outage_secs() -> u64 {
    std::env::var("HOSTPULSE_TEST_OUTAGE_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60)
}

/// Sleeps until just after the next whole second, when the agent collects and pushes.
fn sleep_into_next_push() {
    let into_second = now_ms().rem_euclid(1000);
    std::thread::sleep(Duration::from_millis((1000 - into_second + 15) as u64));
}

/// Stops the hub, keeps it down for `outage` while checking the agent spools, restarts it.
/// Returns (time the hub went down, time it was back).
fn outage(hub: &mut Hub, agent: &mut AgentProc, stop: Stop, outage: Duration) -> (i64, i64) {
    match stop {
        Stop::Kill => {
            sleep_into_next_push();
            hub.kill();
        }
        Stop::Terminate => {
            let status = hub.terminate(Duration::from_secs(30));
            assert!(status.success(), "hub exit after SIGTERM: {status}");
        }
    }
    let down_ms = now_ms();
    let waiting = wait_for(
        "batches in the spool",
        outage + Duration::from_secs(30),
        || {
            let n = agent.spooled();
            (n > 0).then_some(n)
        },
    );
    let remaining = down_ms + i64::try_from(outage.as_millis()).unwrap() - now_ms();
    std::thread::sleep(Duration::from_millis(
        u64::try_from(remaining.max(0)).unwrap(),
    ));
    let spooled = agent.spooled();
    assert!(spooled >= waiting, "spool shrank while the hub was down");
    agent.assert_running();
    hub.restart();
    (down_ms, now_ms())
}

/// Waits until the spool is empty and frames collected after the restart are stored.
fn wait_caught_up(hub: &Hub, agent: &mut AgentProc, since_ms: i64, up_ms: i64) {
    wait_for("the agent to replay its spool", CATCH_UP, || {
        agent.assert_running();
        if agent.spooled() > 0 {
            return None;
        }
        let points = range_points(hub, AGENT, METRIC, since_ms);
        let newest = points.last()?.ts_ms;
        (newest >= up_ms).then_some(())
    });
}

/// Every point is one sample, one second after the previous, with uptime never going
/// back. The only missing seconds allowed are ticks the agent itself reports skipping
/// (a cycle that overran its interval collects nothing for the next tick): those were
/// never collected, so they are not a loss.
fn assert_unbroken(points: &[Point], down_ms: i64, up_ms: i64, skipped: u64, logs: &str) {
    let first = points.first().expect("points");
    let last = points.last().expect("points");
    assert!(first.ts_ms < down_ms - 1000, "data from before the outage");
    assert!(last.ts_ms >= up_ms, "data from after the outage");
    for p in points {
        assert_eq!(p.count, 1, "duplicate sample at {}\n{logs}", p.ts_ms);
    }
    let mut missing = Vec::new();
    for pair in points.windows(2) {
        let step = pair[1].ts_ms - pair[0].ts_ms;
        assert!(
            step > 0 && step % 1000 == 0,
            "misaligned points {} and {}",
            pair[0].ts_ms,
            pair[1].ts_ms
        );
        missing.extend((pair[0].ts_ms + 1000..pair[1].ts_ms).step_by(1000));
        assert!(
            pair[1].avg >= pair[0].avg,
            "uptime went back at {}",
            pair[1].ts_ms
        );
    }
    assert_eq!(
        missing.len() as u64,
        skipped,
        "missing seconds {missing:?} (outage {down_ms}..{up_ms}) vs ticks the agent skipped\n{logs}"
    );
}

/// The store keeps a per-instance high-water mark of seqs: anything not above it is a
/// duplicate. So an unbroken series means every batch arrived in increasing seq order.
fn assert_seq_high_water_mark(hub: &Hub, token: &str, agent: &AgentProc) {
    let (instance, run) = agent.instance();
    let stale = ingest_body_as(&instance, &run, 1, now_ms(), vec![Sample::new(METRIC, 1.0)]);
    let reply = hub.post("/api/v1/ingest", Some(token), &stale, true);
    assert_eq!(reply.status, 200, "{}", reply.json);
    assert_eq!(reply.json["duplicate"], true, "{}", reply.json);
}

fn scenario(stop: Stop, down_for: Duration, warm_up_points: usize) {
    let mut hub = Hub::start(Mode::Hub);
    let token = hub.add_agent(AGENT);
    let since_ms = now_ms() - 2000;
    let mut agent = AgentProc::start(&hub.url, &token);
    wait_for("the agent's first frames", Duration::from_secs(90), || {
        agent.assert_running();
        let points = range_points(&hub, AGENT, METRIC, since_ms);
        (points.len() >= warm_up_points).then_some(())
    });

    let (down_ms, up_ms) = outage(&mut hub, &mut agent, stop, down_for);
    wait_caught_up(&hub, &mut agent, since_ms, up_ms);
    // Stop the agent so that its log and the stored series are final.
    let status = agent.terminate(Duration::from_secs(30));
    assert!(
        status.is_some_and(|s| s.success()),
        "agent exit: {status:?}\n{}",
        agent.log()
    );
    assert_eq!(agent.spooled(), 0, "spool drained");
    let skipped = agent.skipped_ticks();
    if skipped > 0 {
        eprintln!("note: the agent skipped {skipped} collection tick(s) after overrunning");
    }
    let points = range_points(&hub, AGENT, METRIC, since_ms);
    let logs = format!("{}\n--- agent ---\n{}", hub.logs(), agent.log());
    assert_unbroken(&points, down_ms, up_ms, skipped, &logs);
    assert_seq_high_water_mark(&hub, &token, &agent);
}

#[test]
fn agent_pushes_to_hub_and_survives_sigkill() {
    scenario(Stop::Kill, Duration::from_secs(5), 10);
}

#[test]
fn hub_down_for_a_minute_agent_spools_and_replays() {
    scenario(Stop::Terminate, Duration::from_secs(outage_secs()), 5);
}

/// Retry delays the agent announced while the hub was unreachable, milliseconds.
fn unreachable_retry_delays(agent: &AgentProc) -> Vec<u64> {
    agent
        .warnings()
        .iter()
        .filter(|w| w["fields"]["message"] == "hub unreachable; will retry")
        .filter_map(|w| w["fields"]["retry_in_ms"].as_u64())
        .collect()
}

/// After an outage longer than the old back-off took to reach its 60 s cap, the agent
/// still retries every few seconds, so it is back within a few intervals of the hub.
#[test]
fn agent_reconnects_within_seconds_after_a_long_outage() {
    let outage_secs = std::env::var("HOSTPULSE_TEST_RECONNECT_OUTAGE_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(75);
    let mut hub = Hub::start(Mode::Hub);
    let token = hub.add_agent(AGENT);
    let since_ms = now_ms() - 2000;
    let mut agent = AgentProc::start(&hub.url, &token);
    wait_for("the agent's first frames", Duration::from_secs(90), || {
        agent.assert_running();
        (!range_points(&hub, AGENT, METRIC, since_ms).is_empty()).then_some(())
    });
    hub.kill();
    std::thread::sleep(Duration::from_secs(outage_secs));
    let delays = unreachable_retry_delays(&agent);
    hub.restart();
    let up_ms = now_ms();
    let caught_up = wait_for("the agent to deliver again", CATCH_UP, || {
        agent.assert_running();
        let newest = range_points(&hub, AGENT, METRIC, since_ms).last()?.ts_ms;
        (newest >= up_ms).then(now_ms)
    });
    let longest = delays.iter().max().copied().unwrap_or(0);
    let logs = agent.log();
    assert!(
        delays.len() as u64 >= outage_secs / 5,
        "{} retries in a {outage_secs} s outage\n{logs}",
        delays.len()
    );
    assert!(longest <= 4_000, "longest retry delay {longest} ms\n{logs}");
    // Generous: one retry delay, a collection interval and the spool replay.
    let back_after_ms = caught_up - up_ms;
    assert!(
        back_after_ms < 20_000,
        "delivered {back_after_ms} ms after the hub returned"
    );
    eprintln!(
        "outage {outage_secs} s: {} retries, longest delay {longest} ms, new data stored {back_after_ms} ms after the hub was back",
        delays.len()
    );
}
