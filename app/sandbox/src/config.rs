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
    /// European options on the replayed asset, with a market maker (the future's, or one of
    /// their own) on the other side of every trader's `options`.
    #[serde(default)]
    pub options: Option<OptionsSection>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptionsSection {
    /// The asset PnL settles in.
    pub quote: String,
    /// What the options' market maker deposits.
    pub maker_deposits: BTreeMap<String, f64>,
    pub series: Vec<OptionSeriesSection>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptionSeriesSection {
    /// How traders name it.
    pub name: String,
    /// "call" or "put".
    pub kind: String,
    /// The strike as a multiple of the replay's first price.
    pub strike: f64,
    pub expiry_hours: i64,
    /// Whole tokens of the replayed asset per contract.
    pub contract_size: f64,
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
    /// Option contracts bought (positive) or written (negative) per series name, from the
    /// options' market maker at the first price's mark.
    #[serde(default)]
    pub options: BTreeMap<String, i64>,
}

/// The repository root (where migrations/ and data/ live), from the crate's location.
pub fn repo_path(p: &str) -> std::path::PathBuf {
    let path = std::path::Path::new(p);
    if path.is_absolute() || path.exists() {
        return path.to_path_buf();
    }
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(p)
}
