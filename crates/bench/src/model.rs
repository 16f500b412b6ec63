//! How one simulated series moves from frame to frame: bounded random walks,
//! slowly moving byte gauges, bursty rates, idle zeros, constants and counters.

use rand::Rng;
use rand::rngs::SmallRng;

/// Bytes of one memory page; byte gauges move in whole pages.
const PAGE_BYTES: f64 = 4096.0;

/// The behaviour of one series over time.
#[derive(Debug, Clone, PartialEq)]
pub enum Motion {
    /// Never changes (totals, core counts, boot time).
    Constant,
    /// Always zero (idle interfaces, errors, drops, swap on swapless hosts).
    Zero,
    /// Random walk with 2 decimals, kept within `[low, high]` (percents, load, frequency).
    Walk {
        /// Lowest value.
        low: f64,
        /// Highest value.
        high: f64,
        /// Largest change per frame.
        step: f64,
    },
    /// Whole pages moving by up to `step` bytes per frame, within `[low, high]`.
    Bytes {
        /// Lowest value.
        low: f64,
        /// Highest value.
        high: f64,
        /// Largest change per frame.
        step: f64,
    },
    /// Integer random walk within `[low, high]` (process and connection counts).
    Count {
        /// Lowest value.
        low: f64,
        /// Highest value.
        high: f64,
        /// Largest change per frame.
        step: f64,
    },
    /// Bursty non-negative rate with 2 decimals around `mean`; zero with probability `idle`.
    Rate {
        /// Average of the non-idle values.
        mean: f64,
        /// Probability of a zero frame, 0 to 1.
        idle: f64,
    },
    /// Grows by `step` every frame (uptime seconds).
    Counter {
        /// Increase per frame.
        step: f64,
    },
}

/// A series' motion plus its current value.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// How the value moves from frame to frame.
    pub motion: Motion,
    /// The value of the latest frame.
    pub value: f64,
}

fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

/// A uniform draw in `[-step, step]`.
fn jitter(rng: &mut SmallRng, step: f64) -> f64 {
    if step <= 0.0 {
        return 0.0;
    }
    rng.random_range(-step..=step)
}

impl Model {
    /// A model starting at `value` (rounded the way the motion reports values).
    pub fn new(motion: Motion, value: f64) -> Self {
        let value = match motion {
            Motion::Zero => 0.0,
            Motion::Bytes { .. } => (value / PAGE_BYTES).round() * PAGE_BYTES,
            Motion::Count { .. } | Motion::Counter { .. } => value.round(),
            _ => round2(value),
        };
        Self { motion, value }
    }

    /// Moves to the next frame's value and returns it.
    pub fn advance(&mut self, rng: &mut SmallRng) -> f64 {
        self.value = match self.motion {
            Motion::Constant | Motion::Zero => self.value,
            Motion::Walk { low, high, step } => {
                round2((self.value + jitter(rng, step)).clamp(low, high))
            }
            Motion::Bytes { low, high, step } => {
                let pages = (jitter(rng, step) / PAGE_BYTES).round();
                (self.value + pages * PAGE_BYTES).clamp(low, high)
            }
            Motion::Count { low, high, step } => {
                (self.value + jitter(rng, step).round()).clamp(low, high)
            }
            Motion::Rate { mean, idle } => {
                if rng.random_bool(idle.clamp(0.0, 1.0)) {
                    0.0
                } else {
                    round2(mean * 2.0 * rng.random::<f64>())
                }
            }
            Motion::Counter { step } => self.value + step,
        };
        self.value
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn run(motion: Motion, start: f64, frames: usize) -> Vec<f64> {
        let mut rng = SmallRng::seed_from_u64(7);
        let mut model = Model::new(motion, start);
        (0..frames).map(|_| model.advance(&mut rng)).collect()
    }

    #[test]
    fn walks_stay_in_bounds_with_two_decimals() {
        let motion = Motion::Walk {
            low: 0.0,
            high: 100.0,
            step: 30.0,
        };
        for value in run(motion, 50.0, 5_000) {
            assert!((0.0..=100.0).contains(&value), "{value}");
            let cents = value * 100.0;
            assert!((cents - cents.round()).abs() < 1e-6, "{value}");
        }
    }

    #[test]
    fn byte_gauges_move_in_whole_pages() {
        let motion = Motion::Bytes {
            low: 1e9,
            high: 2e9,
            step: 1e6,
        };
        let values = run(motion, 1.5e9, 1_000);
        assert!(values.iter().all(|v| v % PAGE_BYTES == 0.0));
        assert!(values.windows(2).any(|w| w[0] != w[1]));
        assert!(values.iter().all(|v| (1e9..=2e9).contains(v)));
    }

    #[test]
    fn counters_grow_and_constants_stay() {
        assert_eq!(
            run(Motion::Counter { step: 5.0 }, 100.0, 3),
            [105.0, 110.0, 115.0]
        );
        assert_eq!(run(Motion::Constant, 8.0, 3), [8.0, 8.0, 8.0]);
        assert_eq!(run(Motion::Zero, 3.0, 2), [0.0, 0.0]);
    }

    #[test]
    fn rates_are_non_negative_and_sometimes_idle() {
        let values = run(
            Motion::Rate {
                mean: 1000.0,
                idle: 0.3,
            },
            0.0,
            2_000,
        );
        assert!(values.iter().all(|v| *v >= 0.0));
        assert!(values.contains(&0.0));
        assert!(values.iter().any(|v| *v > 0.0));
    }

    #[test]
    fn counts_are_integers() {
        let motion = Motion::Count {
            low: 0.0,
            high: 500.0,
            step: 3.0,
        };
        assert!(run(motion, 120.0, 1_000).iter().all(|v| v.fract() == 0.0));
    }
}
