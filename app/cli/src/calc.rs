//! `margin-calc`: health of a portfolio from files, offline, with the program's own engine.
//!
//! Each asset becomes a real `Asset` with its config applied by the program's own code
//! (`Asset::apply_config`, `Asset::risk_factors`), each price goes through the oracle conversion
//! (`risk::to_native_price`), and `risk::portfolio_reports` computes every level: the same
//! inputs, the same arithmetic as a margin check on chain. Futures are margined by the program's
//! scan (each market's config validated by the program's `validate_market_params`).

use crate::error::{from_anchor, CliError, CliResult};
use crate::params::{load_file, AssetParams, GroupParams, MarketParams};
use crate::report::{health_view, AssetLabel, HealthView};
use crate::units::Number;
use ballast_sdk::ballast::constants::QUOTE_DECIMALS;
use ballast_sdk::ballast::math::{from_bps, I80F48};
use ballast_sdk::ballast::risk::{
    portfolio_reports, FutureInput, HealthParams, OptionInput, OraclePrices, PositionInput, RiskError,
    UnderlyingPrice,
};
use ballast_sdk::ballast::state::{Asset, AssetConfig, GroupConfig, Market, MarketConfig};
use ballast_sdk::ballast::validation::{
    validate_asset_config, validate_group_config, validate_market_params,
};
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
    #[serde(default)]
    pub markets: Vec<CalcMarket>,
    #[serde(default)]
    pub futures: Vec<CalcFuture>,
    /// Option positions, in markets of kind `call` or `put`.
    #[serde(default)]
    pub options: Vec<CalcFuture>,
}

/// A futures or option market: its underlying (an asset's symbol) and any field of a market config
/// (`ballast_sdk::config::MarketParams`, defaults `MarketConfig::template()`), the contract size
/// in native units of the underlying (default one whole token). PnL counts in USD, as the
/// program counts it (the quote asset is a 6-decimal dollar).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalcMarket {
    pub name: String,
    pub underlying: String,
    /// Options: the strike, USD per contract (or `strike` in quote-native units), and the time
    /// to expiry in days (the array is priced as `update_risk_array` prices it then).
    pub strike_price: Option<Number>,
    pub days_to_expiry: Option<Number>,
    #[serde(flatten)]
    pub params: MarketParams,
}

/// A futures or option position: signed contracts (negative is short) entered at `price`, USD
/// per contract (as `ballast trade` takes it).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalcFuture {
    pub market: String,
    pub contracts: i64,
    pub price: Number,
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
        let (asset, prices) = self.state(index)?;
        let factors = asset
            .risk_factors(&asset.lending_state(), prices.spot)
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

    /// The `Asset` the program would hold for this asset (config applied, volatility state from
    /// `realized_vol_bps`, totals), as asset `index`, and its oracle prices.
    pub fn state(&self, index: u16) -> CliResult<(Asset, OraclePrices)> {
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
        Ok((asset, prices))
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
    let (futures, options, underlyings) = derivative_inputs(portfolio, params, &assets, &health_params)?;
    for u in &underlyings {
        if !labels.iter().any(|l| l.index == u.asset_index) {
            let a = assets[usize::from(u.asset_index)];
            labels.push(AssetLabel { index: u.asset_index, name: a.symbol.clone(), decimals: a.decimals });
        }
    }
    let reports = portfolio_reports(&inputs, &futures, &options, &underlyings, &health_params).map_err(
        |e| match e {
            RiskError::LiabilityOracleUnusable { asset_index } => CliError::input(format!(
                "the debt in {} has an unusable oracle, so its size cannot be bounded (the program refuses \
             withdraw and borrow: LiabilityOracleUnusable)",
                labels.iter().find(|l| l.index == asset_index).map(|l| l.name.as_str()).unwrap_or("?")
            )),
            other => CliError::input(format!("risk engine: {other:?}")),
        },
    )?;
    Ok(health_view(None, "offline", false, &reports, &labels))
}

/// The engine's futures and option inputs for `portfolio.futures` and `portfolio.options`
/// (markets from `params` and/or the portfolio), and the prices of their underlyings. A
/// position on an underlying whose oracle is unusable is an error, as on chain. An option's
/// array is computed as the crank computes it (`Market::compute_risk_array`), at the file's
/// price, `days_to_expiry` from now.
fn derivative_inputs(
    portfolio: &CalcFile,
    params: Option<&CalcFile>,
    assets: &[&CalcAsset],
    health_params: &HealthParams,
) -> CliResult<(Vec<FutureInput>, Vec<OptionInput>, Vec<UnderlyingPrice>)> {
    let mut markets: Vec<&CalcMarket> = vec![];
    for m in params.iter().flat_map(|p| p.markets.iter()).chain(portfolio.markets.iter()) {
        if markets.iter().any(|n| n.name.eq_ignore_ascii_case(&m.name)) {
            return Err(CliError::input(format!("market {} is defined twice", m.name)));
        }
        markets.push(m);
    }
    let mut futures: Vec<FutureInput> = vec![];
    let mut options: Vec<OptionInput> = vec![];
    let mut underlyings: Vec<UnderlyingPrice> = vec![];
    let entries =
        portfolio.futures.iter().map(|f| (f, false)).chain(portfolio.options.iter().map(|f| (f, true)));
    let mut seen: Vec<u16> = vec![];
    for (f, is_option) in entries {
        let what = if is_option { "option" } else { "future" };
        let err = |e: String| CliError::input(format!("{what} in {}: {e}", f.market));
        let (market_index, market) = markets
            .iter()
            .enumerate()
            .find(|(_, m)| m.name.eq_ignore_ascii_case(&f.market))
            .ok_or_else(|| err("no such market".into()))?;
        let market_index = market_index as u16;
        if seen.contains(&market_index) {
            return Err(err("two positions in one market".into()));
        }
        seen.push(market_index);
        let (underlying_index, underlying) = assets
            .iter()
            .enumerate()
            .find(|(_, a)| a.symbol.eq_ignore_ascii_case(&market.underlying))
            .ok_or_else(|| err(format!("no asset {}", market.underlying)))?;
        let underlying_index = underlying_index as u16;
        let whole_token = 10u64
            .checked_pow(u32::from(underlying.decimals))
            .ok_or_else(|| err("the underlying has too many decimals".into()))?;
        // offline "now" is 0: a future's expiry is irrelevant, an option's is its days to expiry
        let days = market.days_to_expiry.as_ref().map(|d| d.decimal()?.to_units(0)).transpose()?;
        let base = MarketConfig { expiry_ts: 1, contract_size: whole_token, ..MarketConfig::template() };
        let mut config = market.params.apply(&base);
        if let Some(d) = days {
            config.expiry_ts =
                i64::try_from(d.max(0)).unwrap_or(i64::MAX / 86_400).saturating_mul(86_400).max(1);
        }
        if let Some(k) = &market.strike_price {
            config.strike = u64::try_from(k.decimal()?.to_units(QUOTE_DECIMALS)?)
                .map_err(|_| err("the strike must be positive".into()))?;
        }
        validate_market_params(&config).map_err(|e| err(from_anchor(e).to_string()))?;
        if config.option_kind().is_some() != is_option {
            let kind = if is_option { "an option" } else { "a futures" };
            return Err(err(format!("market {} is not {kind} market", market.name)));
        }
        let template = underlying.input(underlying_index, I80F48::ZERO)?;
        if !template.oracle_usable && f.contracts != 0 {
            return Err(err(format!(
                "the oracle of {} is unusable: the program refuses a margin check on its derivatives",
                underlying.symbol
            )));
        }
        if !underlyings.iter().any(|u| u.asset_index == underlying_index) {
            underlyings.push(UnderlyingPrice::of(&template));
        }
        let price = f.price.decimal()?.to_units(QUOTE_DECIMALS)?;
        let overflow = || err("size times price overflows".into());
        let quote =
            i128::from(f.contracts).checked_mul(price).and_then(|v| v.checked_neg()).ok_or_else(overflow)?;
        let quote = I80F48::checked_from_num(quote).ok_or_else(overflow)?;
        if let Some(kind) = config.option_kind() {
            let (asset, prices) = underlying.state(underlying_index)?;
            let mut state: Market = bytemuck::Zeroable::zeroed();
            state.config = config;
            state.market_index = market_index;
            let computed = state
                .compute_risk_array(&asset, prices.spot, health_params, 0)
                .map_err(|e| err(from_anchor(e).to_string()))?;
            options.push(OptionInput {
                market_index,
                underlying_index,
                kind,
                contracts: f.contracts,
                quote,
                contract_size: I80F48::from_num(config.contract_size),
                params: config.scan_params(),
                array: computed.array,
            });
            continue;
        }
        let base =
            i128::from(f.contracts).checked_mul(i128::from(config.contract_size)).ok_or_else(overflow)?;
        futures.push(FutureInput {
            market_index,
            underlying_index,
            base: I80F48::checked_from_num(base).ok_or_else(overflow)?,
            quote,
            params: config.scan_params(),
        });
    }
    Ok((futures, options, underlyings))
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
    use ballast_sdk::ballast::risk::HealthType;

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

    const USDC: &str = "[[assets]]\nsymbol = \"USDC\"\ndecimals = 6\nprice = 1\ninit_asset_weight_bps = 9500\n\
                        maint_asset_weight_bps = 9800\ninit_liab_weight_bps = 10500\nmaint_liab_weight_bps = 10200\n";
    const SOL_FUTURE: &str = "[[markets]]\nname = \"SOL-DEC\"\nunderlying = \"SOL\"\n";

    #[test]
    fn the_options_example_covers_its_calls() {
        let file = include_str!("../examples/portfolio-options.toml");
        let v = calc(file).unwrap();
        let init = v.level(HealthType::Init);
        assert!((init.health_usd - 1738.016967).abs() < 1e-6, "{}", init.health_usd);
        let scan = &init.scans[0];
        assert_eq!(scan.covered_spot, "10");
        // without the puts, the covered calls at their mark leave the spot's health
        let calls_only =
            file.replace("[[options]]\nmarket = \"SOL-90-P\"\ncontracts = 5\nprice = 2.77\n", "");
        assert_ne!(calls_only, file);
        let v = calc(&calls_only).unwrap();
        let h = v.level(HealthType::Init).health_usd;
        assert!((h - 1750.0).abs() < 1e-5, "{h}");
        // an option position in a futures market, and the reverse, are refused by name
        let e =
            calc(&file.replace("[[options]]\nmarket = \"SOL-110-C\"", "[[futures]]\nmarket = \"SOL-110-C\""))
                .unwrap_err();
        assert!(e.to_string().contains("is not a futures market"), "{e}");
    }

    #[test]
    fn futures_are_scanned_with_their_hedge() {
        // Long 5 SOL futures at $100 on 1,000 USDC: the extreme fall, 3 x the 10% Init range
        // counted at 35%, costs 5 * 100 * 10.5% = $52.50: 950 - 52.5 = $897.50.
        let spec = format!(
            "{SOL}{USDC}{SOL_FUTURE}[[positions]]\nasset = \"USDC\"\nbalance = 1000\n\
             [[futures]]\nmarket = \"SOL-DEC\"\ncontracts = 5\nprice = 100\n"
        );
        let v = calc(&spec).unwrap();
        // (the fractions are binary: within a micro-dollar, the requirement rounded up)
        let near = |h: I80F48, usd: i64| (h - I80F48::from_num(usd * 1_000_000)).abs() < I80F48::ONE;
        assert!(
            near(v.health(HealthType::Init) + I80F48::from_num(500_000), 898),
            "{:?}",
            v.health(HealthType::Init)
        );
        let scan = &v.level(HealthType::Init).scans[0];
        assert_eq!((scan.underlying.as_str(), scan.net_delta.as_str()), ("SOL", "5"));
        assert_eq!(scan.worst_scenario, "extreme -");
        // Short 10 against 10 SOL held: no net delta, and the spot's $200 Init haircut comes
        // back: 10 * 100 = $1,000.
        let basis = format!(
            "{SOL}{SOL_FUTURE}[[positions]]\nasset = \"SOL\"\nbalance = 10\n\
             [[futures]]\nmarket = \"SOL-DEC\"\ncontracts = -10\nprice = 100\n"
        );
        let v = calc(&basis).unwrap();
        assert!(near(v.health(HealthType::Init), 1_000));
        assert_eq!(v.level(HealthType::Init).scans[0].raw.requirement, I80F48::ZERO);
        let text = crate::render::health(&v);
        assert!(text.contains("init derivatives scan"), "{text}");
        // the program's validation judges each market
        let bad = format!("{SOL}{SOL_FUTURE}price_band_bps = 0\n[[futures]]\nmarket = \"SOL-DEC\"\ncontracts = 1\nprice = 100\n");
        let e = calc(&bad).unwrap_err();
        assert!(e.to_string().contains("PriceBandOutOfRange"), "{e}");
        let e = calc(&format!("{SOL}[[futures]]\nmarket = \"X\"\ncontracts = 1\nprice = 1\n")).unwrap_err();
        assert!(e.to_string().contains("no such market"), "{e}");
    }
}
