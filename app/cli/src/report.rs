//! Health reports as the CLI shows them: the engine's `HealthReport` for each level, with
//! balances in UI units and values in USD, and the per-factor breakdown by name.

use crate::units::{format_native, usd, usd_per_token};
use ballast_sdk::ballast::math::I80F48;
use ballast_sdk::ballast::risk::{Factor, HealthReport, HealthReports, HealthType, PositionHealth};
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

#[derive(Debug, Clone, Serialize)]
pub struct LevelView {
    pub level: &'static str,
    pub health_usd: f64,
    pub weighted_collateral_usd: f64,
    pub weighted_liabilities_usd: f64,
    pub positions: Vec<PositionView>,
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
