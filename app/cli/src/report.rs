//! Health reports as the CLI shows them: the engine's `HealthReport` for each level, with
//! balances in UI units and values in USD, and the per-factor breakdown by name.

use crate::units::{format_native, usd, usd_per_token};
use ballast_sdk::ballast::math::I80F48;
use ballast_sdk::ballast::risk::{
    Factor, HealthReport, HealthReports, HealthType, PositionHealth, UnderlyingScan, SCENARIOS,
};
use serde::Serialize;

pub fn level_name(level: HealthType) -> &'static str {
    match level {
        HealthType::Init => "init",
        HealthType::LiquidationEnd => "liquidation_end",
        HealthType::Maint => "maint",
    }
}

pub fn factor_name(f: Factor) -> &'static str {
    match f {
        Factor::OracleUncertainty => "oracle_uncertainty",
        Factor::OracleUnavailable => "oracle_unavailable",
        Factor::BaseWeight => "base_weight",
        Factor::Volatility => "volatility",
        Factor::Size => "size",
        Factor::TotalScaling => "total_scaling",
        Factor::Concentration => "concentration",
        Factor::Correlation => "correlation",
    }
}

/// Short column titles for tables, in `Factor` order.
pub fn factor_column(f: Factor) -> &'static str {
    match f {
        Factor::OracleUncertainty => "oracle cut",
        Factor::OracleUnavailable => "no-oracle cut",
        Factor::BaseWeight => "base cut",
        Factor::Volatility => "vol cut",
        Factor::Size => "size cut",
        Factor::TotalScaling => "scaling cut",
        Factor::Concentration => "conc cut",
        Factor::Correlation => "corr cut",
    }
}

/// USD removed by each factor (negative: a credit), in `Factor` order.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FactorCuts {
    pub oracle_uncertainty: f64,
    pub oracle_unavailable: f64,
    pub base_weight: f64,
    pub volatility: f64,
    pub size: f64,
    pub total_scaling: f64,
    pub concentration: f64,
    pub correlation: f64,
}

impl FactorCuts {
    fn from_cuts(cuts: &[I80F48; Factor::COUNT]) -> FactorCuts {
        let c = |f: Factor| usd(cuts[f as usize]);
        FactorCuts {
            oracle_uncertainty: c(Factor::OracleUncertainty),
            oracle_unavailable: c(Factor::OracleUnavailable),
            base_weight: c(Factor::BaseWeight),
            volatility: c(Factor::Volatility),
            size: c(Factor::Size),
            total_scaling: c(Factor::TotalScaling),
            concentration: c(Factor::Concentration),
            correlation: c(Factor::Correlation),
        }
    }
}

/// What the report needs to know about an asset to show it.
#[derive(Debug, Clone)]
pub struct AssetLabel {
    pub index: u16,
    /// A symbol (margin-calc) or the mint address (on-chain).
    pub name: String,
    pub decimals: u8,
}

#[derive(Debug, Clone, Serialize)]
pub struct PositionView {
    pub asset_index: u16,
    pub asset: String,
    /// UI units; negative is a debt.
    pub balance: String,
    /// The price this level values the position at, USD per whole token.
    pub price_usd: f64,
    /// |balance| at the oracle spot price, no haircut.
    pub spot_value_usd: f64,
    pub weight: f64,
    /// Signed contribution to health.
    pub contribution_usd: f64,
    pub factor_cuts_usd: FactorCuts,
    /// The engine's own figures (quote-native I80F48), for callers that need them exact.
    #[serde(skip)]
    pub raw: PositionHealth,
}

/// A scan scenario as people read it: `+2/3 vol up`, `extreme -`.
pub fn scenario_name(index: usize) -> String {
    let Some(s) = SCENARIOS.get(index) else { return format!("#{index}") };
    let sign = if s.thirds < 0 { "-" } else { "+" };
    if s.extreme {
        return format!("extreme {sign}");
    }
    let vol = if s.vol_up { "vol up" } else { "vol down" };
    match s.thirds.unsigned_abs() {
        0 => format!("0 {vol}"),
        3 => format!("{sign}1 {vol}"),
        n => format!("{sign}{n}/3 {vol}"),
    }
}

/// One underlying's scan at one level: what its derivatives (with the spot that hedges them)
/// add to health.
#[derive(Debug, Clone, Serialize)]
pub struct ScanView {
    pub underlying_index: u16,
    pub underlying: String,
    /// The scan range, a fraction of the price.
    pub range: f64,
    /// Net delta of the futures, UI units of the underlying; the spot that offsets it; their sum.
    pub futures_delta: String,
    pub hedged_spot: String,
    pub net_delta: String,
    /// The options' delta, spot covering short calls, and the account's whole delta in the
    /// underlying (futures, options, spot), UI units.
    pub options_delta: String,
    pub covered_spot: String,
    pub total_delta: String,
    /// The options' gamma (UI units of delta per 1% rise), vega (USD per volatility point) and
    /// theta (USD per day).
    pub gamma: String,
    pub vega_usd_per_point: f64,
    pub theta_usd_per_day: f64,
    pub short_option_minimum_usd: f64,
    pub worst_scenario: String,
    pub requirement_usd: f64,
    pub unrealised_pnl_usd: f64,
    pub weighted_pnl_usd: f64,
    pub hedge_credit_usd: f64,
    /// weighted PnL + hedge credit - requirement.
    pub contribution_usd: f64,
    /// Value change in each scenario, USD, in `SCENARIOS` order (extreme ones at their fraction).
    pub scenarios_usd: Vec<f64>,
    #[serde(skip)]
    pub raw: UnderlyingScan,
}

pub fn scan_view(scan: &UnderlyingScan, labels: &[AssetLabel]) -> ScanView {
    let label = labels.iter().find(|l| l.index == scan.underlying_index);
    let decimals = label.map(|l| l.decimals).unwrap_or(0);
    let contribution = scan.weighted_pnl + scan.hedge_credit - scan.requirement;
    ScanView {
        underlying_index: scan.underlying_index,
        underlying: label.map(|l| l.name.clone()).unwrap_or_else(|| format!("#{}", scan.underlying_index)),
        range: scan.range.to_num(),
        futures_delta: format_native(scan.futures_delta, decimals),
        hedged_spot: format_native(scan.hedged_spot, decimals),
        net_delta: format_native(scan.net_delta, decimals),
        options_delta: format_native(scan.options_delta, decimals),
        covered_spot: format_native(scan.covered_spot, decimals),
        total_delta: format_native(scan.total_delta, decimals),
        gamma: format_native(scan.gamma, decimals),
        vega_usd_per_point: usd(scan.vega) / 100.0,
        theta_usd_per_day: usd(scan.theta) / 365.0,
        short_option_minimum_usd: usd(scan.short_option_minimum),
        worst_scenario: scenario_name(scan.worst),
        requirement_usd: usd(scan.requirement),
        unrealised_pnl_usd: usd(scan.unrealised_pnl),
        weighted_pnl_usd: usd(scan.weighted_pnl),
        hedge_credit_usd: usd(scan.hedge_credit),
        contribution_usd: usd(contribution),
        scenarios_usd: scan.scenarios.iter().map(|v| usd(*v)).collect(),
        raw: *scan,
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct LevelView {
    pub level: &'static str,
    pub health_usd: f64,
    pub weighted_collateral_usd: f64,
    pub weighted_liabilities_usd: f64,
    pub positions: Vec<PositionView>,
    /// Each underlying's derivatives scan (empty without derivatives); `health_usd` includes
    /// their contributions.
    pub scans: Vec<ScanView>,
    #[serde(skip)]
    pub raw: HealthReport,
}

/// Health at Init, LiquidationEnd and Maint with the breakdown.
#[derive(Debug, Clone, Serialize)]
pub struct HealthView {
    /// The margin account (absent for the offline calculator).
    pub account: Option<String>,
    /// Which oracle checks the prices passed: `risk_increasing` (withdraw/borrow),
    /// `liquidation`, or `offline` for the calculator.
    pub oracle_policy: &'static str,
    pub being_liquidated: bool,
    pub levels: Vec<LevelView>,
}

impl HealthView {
    pub fn level(&self, level: HealthType) -> &LevelView {
        self.levels.iter().find(|l| l.raw.level == level).expect("every level")
    }

    /// Exact health (quote-native) at a level.
    pub fn health(&self, level: HealthType) -> I80F48 {
        self.level(level).raw.health
    }
}

pub fn level_view(report: &HealthReport, labels: &[AssetLabel]) -> LevelView {
    let positions = report
        .positions
        .iter()
        .map(|p| {
            let label = labels.iter().find(|l| l.index == p.asset_index);
            let decimals = label.map(|l| l.decimals).unwrap_or(0);
            PositionView {
                asset_index: p.asset_index,
                asset: label.map(|l| l.name.clone()).unwrap_or_else(|| format!("#{}", p.asset_index)),
                balance: format_native(p.balance, decimals),
                price_usd: usd_per_token(p.price, decimals),
                spot_value_usd: usd(p.spot_value),
                weight: p.weight.to_num(),
                contribution_usd: usd(p.contribution),
                factor_cuts_usd: FactorCuts::from_cuts(&p.factor_cuts),
                raw: *p,
            }
        })
        .collect();
    LevelView {
        level: level_name(report.level),
        health_usd: usd(report.health),
        weighted_collateral_usd: usd(report.weighted_collateral),
        weighted_liabilities_usd: usd(report.weighted_liabilities),
        positions,
        scans: report.scans.iter().map(|scan| scan_view(scan, labels)).collect(),
        raw: report.clone(),
    }
}

pub fn health_view(
    account: Option<String>,
    oracle_policy: &'static str,
    being_liquidated: bool,
    reports: &HealthReports,
    labels: &[AssetLabel],
) -> HealthView {
    HealthView {
        account,
        oracle_policy,
        being_liquidated,
        levels: reports.iter().map(|r| level_view(r, labels)).collect(),
    }
}
