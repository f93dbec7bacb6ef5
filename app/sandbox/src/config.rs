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
    /// The backtest mode's windows, price series, keeper, baseline and traders.
    #[serde(default)]
    pub backtest: Option<BacktestSection>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BacktestSection {
    /// The windows file (`data/prices/windows.toml`).
    pub windows: String,
    /// A CSV per asset symbol (Binance or Yahoo layout); assets without one hold their constant
    /// price.
    pub series: BTreeMap<String, String>,
    /// How far the clock moves a step.
    pub step_secs: i64,
    /// The keeper acts every this many steps (its latency).
    pub keeper_every_steps: usize,
    /// The discount a liquidator sells seized collateral at: base + slope * |24-hour move|.
    pub sale_discount_base_bps: u32,
    pub sale_discount_slope_bps: u32,
    pub baseline: BaselineSection,
    pub traders: Vec<BacktestTrader>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineSection {
    /// Static weights per symbol, [init asset, maint asset, init liability, maint liability] in bps.
    pub weights: BTreeMap<String, [u32; 4]>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BacktestTrader {
    pub name: String,
    /// USD value per asset at the window's start.
    pub basket: BTreeMap<String, f64>,
    /// The asset borrowed.
    pub borrow: String,
    /// One trader per target: the borrow as a share of the engine's max borrow at the start.
    pub targets_bps: Vec<u32>,
}

#[derive(Debug, Deserialize)]
pub struct WindowsFile {
    pub window: Vec<Window>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Window {
    pub name: String,
    /// UTC, YYYY-MM-DD or YYYY-MM-DD HH:MM:SS.
    pub from: String,
    pub to: String,
    pub what: String,
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
