//! The `[sandbox]` section of the deployment config: the replayed asset, constant prices, and
//! the participants.

use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
pub struct SandboxFile {
    pub sandbox: SandboxSection,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SandboxSection {
    pub replayed_asset: String,
    #[serde(default)]
    pub constant_prices: BTreeMap<String, f64>,
    pub conf_bps: u32,
    pub ema_hours: u32,
    pub lp_deposits: BTreeMap<String, f64>,
    pub liquidator_deposits: BTreeMap<String, f64>,
    pub traders: Vec<TraderSection>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TraderSection {
    pub name: String,
    #[serde(default)]
    pub deposits: BTreeMap<String, f64>,
    #[serde(default)]
    pub borrows: BTreeMap<String, f64>,
}

/// The repository root (where migrations/ and data/ live), from the crate's location.
pub fn repo_path(p: &str) -> std::path::PathBuf {
    let path = std::path::Path::new(p);
    if path.is_absolute() || path.exists() {
        return path.to_path_buf();
    }
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(p)
}
