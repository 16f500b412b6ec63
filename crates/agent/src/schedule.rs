//! Wall-clock aligned ticks, interruptible sleeping and the SIGTERM/SIGINT shutdown flag.

use hostpulse_core::{Clock, SystemClock};
use std::io;
use std::sync::atomic::{AtomicBool, Ordering};

static SHUTDOWN: AtomicBool = AtomicBool::new(false);

/// Longest single sleep, so that a flag set from another thread is noticed promptly.
const MAX_SLEEP_SLICE_MS: i64 = 1000;

extern "C" fn request_shutdown(_signal: libc::c_int) {
    SHUTDOWN.store(true, Ordering::SeqCst);
}

/// Installs SIGTERM and SIGINT handlers that set the returned flag. Sleeps are cut short
/// by the signal (no `SA_RESTART`), so shutdown starts at once.
pub fn install_shutdown_handler() -> io::Result<&'static AtomicBool> {
    for signal in [libc::SIGTERM, libc::SIGINT] {
        // SAFETY: the handler only stores to an atomic, which is async-signal-safe, and the
        // sigaction struct is fully initialised (zeroed, empty mask) before use.
        let status = unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = request_shutdown as extern "C" fn(libc::c_int) as usize;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(signal, &action, std::ptr::null_mut())
        };
        if status != 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(&SHUTDOWN)
}

/// Current Unix time in milliseconds.
pub fn now_ms() -> i64 {
    SystemClock.now_ms()
}

/// The first multiple of `interval_ms` strictly after `now_ms`.
pub fn next_tick(now_ms: i64, interval_ms: i64) -> i64 {
    let interval = interval_ms.max(1);
    (now_ms.div_euclid(interval) + 1) * interval
}

/// Sleeps until wall-clock time `tick_ms`, returning the tick reached, or `None` as soon as
/// `stop` is set. If the clock jumps back so that the tick is more than one interval away,
/// the tick is re-aligned to the new clock instead of waiting out the jump.
pub fn wait_for_tick(mut tick_ms: i64, interval_ms: i64, stop: &AtomicBool) -> Option<i64> {
    loop {
        if stop.load(Ordering::SeqCst) {
            return None;
        }
        let now = now_ms();
        if tick_ms - now > interval_ms {
            tick_ms = next_tick(now, interval_ms);
        }
        let remaining = tick_ms - now;
        if remaining <= 0 {
            return Some(tick_ms);
        }
        sleep_ms(remaining.min(MAX_SLEEP_SLICE_MS));
    }
}

/// One `nanosleep`; a signal cuts it short (EINTR), which is what shutdown relies on.
fn sleep_ms(ms: i64) {
    let request = libc::timespec {
        tv_sec: (ms / 1000) as libc::time_t,
        tv_nsec: ((ms % 1000) * 1_000_000) as libc::c_long,
    };
    // SAFETY: `request` is a valid timespec; a null remainder pointer is allowed.
    unsafe { libc::nanosleep(&request, std::ptr::null_mut()) };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_align_to_wall_clock_multiples() {
        assert_eq!(next_tick(1_000, 1_000), 2_000);
        assert_eq!(next_tick(1_999, 1_000), 2_000);
        assert_eq!(next_tick(12_345, 5_000), 15_000);
        assert_eq!(next_tick(0, 0), 1);
    }

    #[test]
    fn wait_returns_at_once_when_stopped_or_past() {
        let stop = AtomicBool::new(true);
        assert_eq!(wait_for_tick(now_ms() + 60_000, 60_000, &stop), None);
        let go = AtomicBool::new(false);
        let past = now_ms() - 1;
        assert_eq!(wait_for_tick(past, 1_000, &go), Some(past));
    }

    #[test]
    fn a_tick_pushed_far_away_by_a_clock_jump_is_realigned() {
        let go = AtomicBool::new(false);
        let before = now_ms();
        let tick = wait_for_tick(before + 3_600_000, 20, &go).unwrap();
        assert_eq!(tick % 20, 0);
        assert!(tick <= now_ms() && tick > before);
    }
}
