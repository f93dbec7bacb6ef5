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
    /// A dated future on the replayed asset, with a market maker on the other side of every
    /// trader's `futures`.
    #[serde(default)]
    pub future: Option<FutureSection>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FutureSection {
    /// The asset PnL settles in.
    pub quote: String,
    /// The series expires this many hours after the replay's first step.
    pub expiry_hours: i64,
    /// Whole tokens of the replayed asset per contract.
    pub contract_size: f64,
    /// What the market maker deposits.
    pub maker_deposits: BTreeMap<String, f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TraderSection {
    pub name: String,
    #[serde(default)]
    pub deposits: BTreeMap<String, f64>,
    #[serde(default)]
    pub borrows: BTreeMap<String, f64>,
    /// Contracts of the future bought (positive) or sold (negative) from the market maker at
    /// the first price.
    #[serde(default)]
    pub futures: i64,
}

/// The repository root (where migrations/ and data/ live), from the crate's location.
pub fn repo_path(p: &str) -> std::path::PathBuf {
    let path = std::path::Path::new(p);
    if path.is_absolute() || path.exists() {
        return path.to_path_buf();
    }
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(p)
}
