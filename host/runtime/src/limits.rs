//! Per-call sandbox limits and the store-level enforcement of the memory limit.
//!
//! Limits come from `config/default.toml` (`[limits]`), can be overridden per template
//! and are capped per tenant; [`LimitOverrides`] is the "only what changes" form used for
//! the last two.

use serde::{Deserialize, Serialize};
use wasmtime::ResourceLimiter;

const MIB: u64 = 1024 * 1024;

/// Everything one plugin call may consume.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Deterministic CPU budget, in wasmtime fuel units (about one per wasm instruction).
    pub fuel: u64,
    /// Wall-clock deadline for the whole call, in milliseconds.
    pub wall_time_ms: u64,
    /// Guest linear memory ceiling, in MiB.
    pub memory_mib: u64,
    /// Ceiling on the size of the returned output (JSON + figures + artifacts), in MiB.
    pub output_mib: u64,
    /// How many log lines the host keeps from one call; the rest are counted and dropped.
    pub log_lines: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { fuel: 5_000_000_000, wall_time_ms: 30_000, memory_mib: 256, output_mib: 16, log_lines: 1000 }
    }
}

impl Limits {
    pub fn memory_bytes(&self) -> u64 {
        self.memory_mib.saturating_mul(MIB)
    }

    pub fn output_bytes(&self) -> u64 {
        self.output_mib.saturating_mul(MIB)
    }

    /// These limits with `overrides` replacing the fields it sets.
    pub fn overridden_by(mut self, overrides: &LimitOverrides) -> Limits {
        if let Some(v) = overrides.fuel {
            self.fuel = v;
        }
        if let Some(v) = overrides.wall_time_ms {
            self.wall_time_ms = v;
        }
        if let Some(v) = overrides.memory_mib {
            self.memory_mib = v;
        }
        if let Some(v) = overrides.output_mib {
            self.output_mib = v;
        }
        if let Some(v) = overrides.log_lines {
            self.log_lines = v;
        }
        self
    }

    /// These limits with every field lowered to `ceiling`'s value where it sets one.
    pub fn capped_by(mut self, ceiling: &LimitOverrides) -> Limits {
        fn cap<T: Ord + Copy>(v: &mut T, c: Option<T>) {
            if let Some(c) = c {
                *v = (*v).min(c);
            }
        }
        cap(&mut self.fuel, ceiling.fuel);
        cap(&mut self.wall_time_ms, ceiling.wall_time_ms);
        cap(&mut self.memory_mib, ceiling.memory_mib);
        cap(&mut self.output_mib, ceiling.output_mib);
        cap(&mut self.log_lines, ceiling.log_lines);
        self
    }
}

/// A partial [`Limits`]: only the fields a template or tenant changes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitOverrides {
    pub fuel: Option<u64>,
    pub wall_time_ms: Option<u64>,
    pub memory_mib: Option<u64>,
    pub output_mib: Option<u64>,
    pub log_lines: Option<u32>,
}

/// Formats a budget compactly for messages: 5000000000 -> "5e9", 1234 -> "1234".
pub fn compact_count(n: u64) -> String {
    if n >= 100_000 {
        let exp = (n as f64).log10().floor() as u32;
        let base = 10u64.pow(exp);
        if n.is_multiple_of(base) {
            return format!("{}e{}", n / base, exp);
        }
    }
    n.to_string()
}

/// Enforces the memory ceiling of one store and remembers whether the guest hit it, so
/// the resulting trap can be reported as "exceeded the N MiB memory limit" instead of a
/// bare `unreachable`.
pub(crate) struct StoreLimiter {
    memory_bytes: usize,
    max_instances: usize,
    max_tables: usize,
    max_memories: usize,
    table_elements: usize,
    pub(crate) memory_hit: Option<usize>,
}

impl StoreLimiter {
    pub(crate) fn new(limits: &Limits) -> Self {
        StoreLimiter {
            memory_bytes: usize::try_from(limits.memory_bytes()).unwrap_or(usize::MAX),
            max_instances: 32,
            max_tables: 32,
            max_memories: 4,
            table_elements: 1 << 20,
            memory_hit: None,
        }
    }
}

impl ResourceLimiter for StoreLimiter {
    fn memory_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        if desired > self.memory_bytes {
            self.memory_hit = Some(desired);
            // An error (rather than `Ok(false)`) traps at once: a guest allocator that
            // sees a failed grow would otherwise abort with an anonymous `unreachable`.
            wasmtime::bail!("memory limit of {} bytes reached", self.memory_bytes);
        }
        Ok(true)
    }

    fn table_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        Ok(desired <= self.table_elements)
    }

    fn instances(&self) -> usize {
        self.max_instances
    }

    fn tables(&self) -> usize {
        self.max_tables
    }

    fn memories(&self) -> usize {
        self.max_memories
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_counts_read_well() {
        assert_eq!(compact_count(5_000_000_000), "5e9");
        assert_eq!(compact_count(20_000_000), "2e7");
        assert_eq!(compact_count(1234), "1234");
        assert_eq!(compact_count(123_456), "123456");
    }

    #[test]
    fn overrides_then_caps() {
        let base = Limits::default();
        let template = LimitOverrides { fuel: Some(9_000_000_000), memory_mib: Some(512), ..Default::default() };
        let tenant = LimitOverrides { memory_mib: Some(128), ..Default::default() };
        let eff = base.overridden_by(&template).capped_by(&tenant);
        assert_eq!(eff.fuel, 9_000_000_000);
        assert_eq!(eff.memory_mib, 128);
        assert_eq!(eff.wall_time_ms, base.wall_time_ms);
    }
}
