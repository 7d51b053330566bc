//! Parameter defaults and checks shared by the operations.

use statbox_sdk::PluginError;

/// Default significance level.
pub fn default_alpha() -> f64 {
    0.05
}

/// Default confidence level.
pub fn default_confidence() -> f64 {
    0.95
}

/// Fails unless 0 < value < 1: "alpha must be between 0 and 1 (exclusive), got 1.5".
pub fn check_probability(name: &str, value: f64) -> Result<(), PluginError> {
    if value > 0.0 && value < 1.0 {
        Ok(())
    } else {
        Err(PluginError::invalid_params(format!("{name} must be between 0 and 1 (exclusive), got {value}")))
    }
}
