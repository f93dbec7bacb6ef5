//! `margin-calc`: health of a portfolio from files, offline, with the program's own engine.
//!
//! Each asset becomes a real `Asset` with its config applied by the program's own code
//! (`Asset::apply_config`, `Asset::risk_factors`), each price goes through the oracle conversion
//! (`risk::to_native_price`), and `risk::health_report` computes every level: the same inputs,
//! the same arithmetic as a margin check on chain.

use crate::error::{from_anchor, CliError, CliResult};
use crate::params::{load_file, AssetParams, GroupParams};
use crate::report::{health_view, AssetLabel, HealthView};
use crate::units::Number;
use ballast_sdk::ballast::math::{from_bps, I80F48};
use ballast_sdk::ballast::risk::{health_reports, OraclePrices, PositionInput};
use ballast_sdk::ballast::state::{Asset, AssetConfig, GroupConfig};
use ballast_sdk::ballast::validation::{validate_asset_config, validate_group_config};
use ballast_sdk::config::unset_fields;
use serde::Deserialize;
use std::path::Path;

/// A portfolio and/or asset parameters. `margin-calc` reads one file with everything, or a
/// portfolio file plus a parameters file (`--assets`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalcFile {
    /// Group-wide settings: `z_init_bps`, `z_maint_bps`, `correlation_groups`.
    pub group: Option<GroupParams>,
    #[serde(default)]
    pub assets: Vec<CalcAsset>,
    #[serde(default)]
    pub positions: Vec<CalcPosition>,
}

/// One asset: market data plus the risk fields of its config, with the names and units of
/// `asset register` files (`ballast_sdk::config::AssetParams`; the oracle fields excepted). The
/// four weights are required; everything else defaults to `AssetConfig::template()`, with no
/// liquidation fee (which the calculator does not use).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalcAsset {
    pub symbol: String,
    pub decimals: u8,
    /// Oracle spot price, USD per whole token.
    pub price: Number,
    /// Oracle EMA price (default: the spot price).
    pub ema_price: Option<Number>,
    /// Oracle confidence interval, USD (default 0).
    pub conf: Option<Number>,
    /// Whether the oracle passes the action's checks (default true); a failed oracle values
    /// collateral at zero and makes a debt an error.
    pub oracle_usable: Option<bool>,
    /// Realised annualised volatility (what `update_volatility` would have measured); the
    /// volatility factor uses sigma = max(`sigma_floor_bps`, realised) over
    /// `liquidation_horizon_secs`.
    pub realized_vol_bps: Option<u32>,
    /// The asset's totals in whole tokens, for the total-deposit / total-borrow scaling
    /// thresholds (`deposit_weight_scale_start`, `borrow_weight_scale_start`, quote-native).
    pub total_deposits: Option<Number>,
    pub total_borrows: Option<Number>,
    /// The config fields: weights, k (`conf_multiplier_bps`), the factors' parameters.
    #[serde(flatten)]
    pub params: AssetParams,
}

/// The config fields a `margin-calc` asset must name.
pub const REQUIRED_CALC_FIELDS: &[&str] =
    &["init_asset_weight_bps", "maint_asset_weight_bps", "init_liab_weight_bps", "maint_liab_weight_bps"];

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalcPosition {
    /// The asset's symbol.
    pub asset: String,
    /// Whole tokens; negative is a borrow.
    pub balance: Number,
}

fn asset_error(symbol: &str, e: CliError) -> CliError {
    CliError::input(format!("asset {symbol}: {e}"))
}

impl CalcAsset {
    /// The config the program would hold for this asset (with a placeholder oracle and no
    /// liquidation fee, which the calculator does not use).
    pub fn config(&self) -> CliResult<AssetConfig> {
        if self.params.names_oracle() {
            return Err(CliError::input("the calculator takes prices, not oracle_kind, feed_id or oracle"));
        }
        let missing = unset_fields(&self.params, REQUIRED_CALC_FIELDS);
        if !missing.is_empty() {
            return Err(CliError::input(format!("missing field(s) {}", missing.join(", "))));
        }
        let base = AssetConfig {
            feed_id: [1; 32],
            oracle: anchor_lang::prelude::Pubkey::new_from_array([2; 32]),
            liquidation_fee_bps: 0,
            max_liquidation_fee_bps: 0,
            ..AssetConfig::template()
        };
        Ok(self.params.apply(&base)?)
    }

    /// The engine input for `balance` native units of this asset, as asset `index`.
    pub fn input(&self, index: u16, balance: I80F48) -> CliResult<PositionInput> {
        let err = |e: CliError| asset_error(&self.symbol, e);
        let config = self.config().map_err(err)?;
        validate_asset_config(&config).map_err(|e| err(from_anchor(e)))?;
        let mut asset: Asset = bytemuck::Zeroable::zeroed();
        asset.asset_index = index;
        asset.decimals = self.decimals;
        asset.apply_config(&config).map_err(|e| err(CliError::input(format!("{e:?}"))))?;
        if let Some(v) = self.realized_vol_bps {
            let sigma = from_bps(v);
            asset.realized_variance = (sigma * sigma).into();
            asset.refresh_horizon_vol().map_err(|e| err(CliError::input(format!("{e:?}"))))?;
        }
        let native = |n: &Option<Number>| -> CliResult<I80F48> {
            match n {
                None => Ok(I80F48::ZERO),
                Some(n) => Ok(I80F48::from_num(n.decimal()?.to_units(self.decimals)?)),
            }
        };
        asset.deposit_index = I80F48::ONE.into();
        asset.borrow_index = I80F48::ONE.into();
        asset.deposit_shares = native(&self.total_deposits).map_err(err)?.into();
        asset.borrow_shares = native(&self.total_borrows).map_err(err)?.into();
        let price = |n: &Number| n.decimal()?.to_native_price(self.decimals);
        let spot = price(&self.price).map_err(err)?;
        let prices = OraclePrices {
            spot,
            ema: self.ema_price.as_ref().map(price).transpose().map_err(err)?.unwrap_or(spot),
            conf: self.conf.as_ref().map(price).transpose().map_err(err)?.unwrap_or(I80F48::ZERO),
            round_up: I80F48::ZERO,
        };
        let factors = asset
            .risk_factors(&asset.lending_state(), spot)
            .map_err(|e| err(CliError::input(format!("{e:?}"))))?;
        Ok(PositionInput {
            asset_index: index,
            balance,
            // an asset from a file has no glide in progress: its weights hold at any time
            weights: asset.weights_at(0).map_err(|e| err(CliError::input(format!("{e:?}"))))?,
            conf_multiplier: asset.conf_multiplier.get(),
            prices,
            oracle_usable: self.oracle_usable.unwrap_or(true),
            factors,
        })
    }
}

/// Health at every level of `portfolio`'s positions, with assets and group settings from
/// `params` and/or the portfolio itself.
pub fn margin_calc(portfolio: &CalcFile, params: Option<&CalcFile>) -> CliResult<HealthView> {
    let mut assets: Vec<&CalcAsset> = vec![];
    for a in params.iter().flat_map(|p| p.assets.iter()).chain(portfolio.assets.iter()) {
        if assets.iter().any(|b| b.symbol.eq_ignore_ascii_case(&a.symbol)) {
            return Err(CliError::input(format!("asset {} is defined twice", a.symbol)));
        }
        assets.push(a);
    }
    let group_params = portfolio.group.as_ref().or(params.and_then(|p| p.group.as_ref()));
    // the health engine reads only z and the correlation groups (both off in the template)
    let base = GroupConfig::template();
    let group = match group_params {
        Some(g) => g.apply(&base)?,
        None => base,
    };
    validate_group_config(&group).map_err(|e| CliError::input(format!("group: {}", from_anchor(e))))?;
    let health_params = group.health_params();

    let mut inputs: Vec<PositionInput> = vec![];
    let mut labels = vec![];
    for p in &portfolio.positions {
        let (index, asset) = assets
            .iter()
            .enumerate()
            .find(|(_, a)| a.symbol.eq_ignore_ascii_case(&p.asset))
            .ok_or_else(|| CliError::input(format!("position in {}: no such asset", p.asset)))?;
        let index = index as u16;
        if inputs.iter().any(|i| i.asset_index == index) {
            return Err(CliError::input(format!("two positions in {}", p.asset)));
        }
        let units =
            p.balance.decimal()?.to_units(asset.decimals).map_err(|e| asset_error(&asset.symbol, e))?;
        if units == 0 {
            continue;
        }
        inputs.push(asset.input(index, I80F48::from_num(units))?);
        labels.push(AssetLabel { index, name: asset.symbol.clone(), decimals: asset.decimals });
    }
    let reports = health_reports(&inputs, &health_params).map_err(|e| match e {
        ballast_sdk::ballast::risk::RiskError::LiabilityOracleUnusable { asset_index } => {
            CliError::input(format!(
                "the debt in {} has an unusable oracle, so its size cannot be bounded (the program refuses \
             withdraw and borrow: LiabilityOracleUnusable)",
                labels.iter().find(|l| l.index == asset_index).map(|l| l.name.as_str()).unwrap_or("?")
            ))
        }
        other => CliError::input(format!("risk engine: {other:?}")),
    })?;
    Ok(health_view(None, "offline", false, &reports, &labels))
}

/// `margin-calc` on files (TOML, or JSON if the name ends in `.json`).
pub fn margin_calc_files(portfolio: &Path, assets: Option<&Path>) -> CliResult<HealthView> {
    let p: CalcFile = load_file(portfolio)?;
    let a: Option<CalcFile> = assets.map(load_file).transpose()?;
    margin_calc(&p, a.as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOL: &str = "[[assets]]\nsymbol = \"SOL\"\ndecimals = 9\nprice = 100\ninit_asset_weight_bps = 8000\n\
                       maint_asset_weight_bps = 9000\ninit_liab_weight_bps = 12000\nmaint_liab_weight_bps = 11000\n";

    fn calc(text: &str) -> CliResult<HealthView> {
        let file: CalcFile = toml::from_str(text).map_err(|e| CliError::input(e.to_string()))?;
        margin_calc(&file, None)
    }

    #[test]
    fn weights_are_required_and_oracles_refused() {
        let position = "[[positions]]\nasset = \"SOL\"\nbalance = 1\n";
        assert!(calc(&format!("{SOL}{position}")).is_ok());
        let e = calc(&(SOL.replace("init_liab_weight_bps = 12000\n", "") + position)).unwrap_err();
        assert!(e.to_string().contains("missing field(s) init_liab_weight_bps"), "{e}");
        let e = calc(&format!("{SOL}feed_id = \"0x01\"\n{position}")).unwrap_err();
        assert!(e.to_string().contains("not oracle_kind"), "{e}");
        // every config field of an `asset register` file is accepted, and validated
        let e = calc(&format!("{SOL}max_conf_bps = 0\n{position}")).unwrap_err();
        assert!(e.to_string().contains("MaxConfOutOfRange"), "{e}");
    }
}
