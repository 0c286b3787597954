//! The session's formatting settings, made visible to functions and optimizer rules.
//!
//! DataFusion hands every scalar function and optimizer rule the session's
//! `ConfigOptions`; the session stores its DateStyle, TimeZone, IntervalStyle,
//! extra_float_digits and bytea_output there as this extension before each statement.

use datafusion::common::Result;
use datafusion::common::config::{ConfigEntry, ConfigExtension, ConfigOptions, ExtensionOptions};
use quiverdb_catalog::pgvalue::FormatSettings;
use std::any::Any;

/// The session's PostgreSQL formatting settings.
#[derive(Debug, Clone, Default)]
pub struct PgSettings(pub FormatSettings);

impl PgSettings {
    /// The settings stored in `options` (defaults when absent).
    pub fn of(options: &ConfigOptions) -> FormatSettings {
        options.extensions.get::<PgSettings>().map(|s| s.0.clone()).unwrap_or_default()
    }
}

impl ConfigExtension for PgSettings {
    const PREFIX: &'static str = "quiver";
}

impl ExtensionOptions for PgSettings {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }

    fn cloned(&self) -> Box<dyn ExtensionOptions> {
        Box::new(self.clone())
    }

    fn set(&mut self, key: &str, value: &str) -> Result<()> {
        self.0.set(key, value).map_err(|e| datafusion::error::DataFusionError::Configuration(e.message().to_string()))?;
        Ok(())
    }

    fn entries(&self) -> Vec<ConfigEntry> {
        ["datestyle", "timezone", "intervalstyle", "extra_float_digits", "bytea_output"]
            .into_iter()
            .map(|k| ConfigEntry { key: format!("quiver.{k}"), value: self.0.show(k), description: "PostgreSQL session setting" })
            .collect()
    }
}
