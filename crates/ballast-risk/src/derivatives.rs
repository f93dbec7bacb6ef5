//! Dated futures in the portfolio: unrealised PnL, and the SPAN-style scan of each underlying
//! that sets their requirement (CME SPAN's 16 scenarios; Drift's `calculate_perp_position_value_
//! and_pnl` and Mango v4's `PerpInfo` are the nearest public code). Options (issue 13) join the
//! same scan through risk arrays; futures are linear and need none.
//!
//! Per underlying, at each level:
//! - the scan range `r` is a fraction of the price: `max(min_range, multiplier * z(level) *
//!   sigma * sqrt(h))`, the volatility factor's own move, so dynamic volatility and the three
//!   levels reach derivatives too; with several markets on one underlying the widest applies;
//! - the scanned exposure is the futures' net delta plus the part of the account's spot holding
//!   that offsets it (the hedge); the rest of the spot holding keeps its token haircut;
//! - 16 scenarios move the price by 0, ±1/3, ±2/3, ±1 of `r` (each twice, volatility up and down:
//!   futures do not care, options will), plus ±`extreme_multiple * r` whose loss counts at
//!   `extreme_fraction`; the requirement is the worst scenario's loss, rounded up;
//! - the hedged spot's share of its token haircut is credited back, since the scan now covers it.
//!
//! Health with derivatives = token health + sum over underlyings of (weighted unrealised PnL +
//! hedge credit - scan requirement). Losses count in full, gains at the market's PnL weight.

use crate::black76::OptionKind;
use crate::health::{
    cross_totals, health_report, position_health, CrossTotals, HealthLevels, HealthReport, HealthReports,
};
use crate::math::{mul_ceil, mul_int, CheckedFixed, I80F48};
use crate::options::OptionInput;
use crate::price::{collateral_price, liability_price};
use crate::types::{HealthParams, HealthType, OraclePrices, PositionInput, RiskError, RiskResult};

/// Scenarios in a scan (CME SPAN's 16).
pub const SCENARIO_COUNT: usize = 16;

/// One scan scenario: a price move of `thirds / 3` of the scan range (or the extreme move), with
/// volatility up or down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scenario {
    /// -3..=3: the move in thirds of the range; for an extreme scenario, its sign.
    pub thirds: i8,
    pub vol_up: bool,
    pub extreme: bool,
}

const fn sc(thirds: i8, vol_up: bool, extreme: bool) -> Scenario {
    Scenario { thirds, vol_up, extreme }
}

/// The scenarios in SPAN's order: unchanged, up 1/3, down 1/3, up 2/3, down 2/3, up 3/3, down 3/3,
/// each with volatility up then down, then the extreme up and down moves.
pub const SCENARIOS: [Scenario; SCENARIO_COUNT] = [
    sc(0, true, false),
    sc(0, false, false),
    sc(1, true, false),
    sc(1, false, false),
    sc(-1, true, false),
    sc(-1, false, false),
    sc(2, true, false),
    sc(2, false, false),
    sc(-2, true, false),
    sc(-2, false, false),
    sc(3, true, false),
    sc(3, false, false),
    sc(-3, true, false),
    sc(-3, false, false),
    sc(1, true, true),
    sc(-1, true, true),
];

/// A market's margin parameters (fractions as I80F48).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScanParams {
    /// Multiplier on the volatility factor's move (`z * sigma * sqrt(h)`) giving the scan range.
    pub range_multiplier: I80F48,
    /// The least scan range at Init and Maint (LiquidationEnd: their midpoint), as a fraction of
    /// the price: what applies when the volatility factor is off or quiet.
    pub min_range_init: I80F48,
    pub min_range_maint: I80F48,
    /// The extreme move as a multiple of the range, and the fraction of its loss counted.
    pub extreme_multiple: I80F48,
    pub extreme_fraction: I80F48,
    /// Weight of positive unrealised PnL at Init and Maint (LiquidationEnd: their midpoint).
    pub pnl_weight_init: I80F48,
    pub pnl_weight_maint: I80F48,
    /// The least requirement per uncovered short option contract, as a fraction of the
    /// underlying's notional at spot (zero for futures).
    pub short_option_minimum: I80F48,
}

fn at_level(init: I80F48, maint: I80F48, level: HealthType) -> I80F48 {
    match level {
        HealthType::Init => init,
        HealthType::Maint => maint,
        // cannot overflow for fractions; a shift (SBF has no 128-bit divide), rounding down, the
        // smaller of the two sides of the midpoint
        HealthType::LiquidationEnd => I80F48::from_bits((init + maint).to_bits() >> 1),
    }
}

/// `v / 3`, rounded toward zero, without a 128-bit divide.
pub(crate) fn third_of(v: I80F48) -> I80F48 {
    let magnitude = crate::math::div_u128_by_u32(v.to_bits().unsigned_abs(), 3) as i128;
    I80F48::from_bits(if v < I80F48::ZERO { -magnitude } else { magnitude })
}

impl ScanParams {
    pub fn min_range(&self, level: HealthType) -> I80F48 {
        // the midpoint rounds down; a range is a requirement, so LiquidationEnd takes the larger
        // of the midpoint and maint (never below what Maint asks)
        at_level(self.min_range_init, self.min_range_maint, level).max(self.min_range_maint)
    }

    pub fn pnl_weight(&self, level: HealthType) -> I80F48 {
        at_level(self.pnl_weight_init, self.pnl_weight_maint, level)
    }
}

/// A futures position: `base` native units of the underlying (signed: long positive) against
/// `quote` quote-native units (signed: what was received for it, less PnL already settled), so
/// its unrealised PnL at price `p` is `base * p + quote` (Mango's perp position).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FutureInput {
    pub market_index: u16,
    pub underlying_index: u16,
    pub base: I80F48,
    pub quote: I80F48,
    pub params: ScanParams,
}

/// The underlying's prices, as priced for its token position (whether or not the account holds
/// any of it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UnderlyingPrice {
    pub asset_index: u16,
    pub prices: OraclePrices,
    pub conf_multiplier: I80F48,
    /// The volatility factor's `sigma * sqrt(h)` of the underlying (zero: off).
    pub horizon_vol: I80F48,
}

impl UnderlyingPrice {
    /// From the underlying's token position input (its template, balance ignored).
    pub fn of(p: &PositionInput) -> UnderlyingPrice {
        UnderlyingPrice {
            asset_index: p.asset_index,
            prices: p.prices,
            conf_multiplier: p.conf_multiplier,
            horizon_vol: p.factors.horizon_vol,
        }
    }
}

/// Unrealised PnL of one future at `level`: a long valued at the collateral price, a short at
/// the liability price (both conservative).
pub fn future_pnl(f: &FutureInput, u: &UnderlyingPrice, level: HealthType) -> RiskResult<I80F48> {
    let price = if f.base >= I80F48::ZERO {
        collateral_price(&u.prices, u.conf_multiplier, level)?
    } else {
        liability_price(&u.prices, u.conf_multiplier, level)?
    };
    Ok(f.base.mul_c(price)?.add_c(f.quote)?)
}

/// PnL as health counts it: losses in full, gains at the market's weight.
pub fn weighted_pnl(pnl: I80F48, params: &ScanParams, level: HealthType) -> RiskResult<I80F48> {
    if pnl > I80F48::ZERO {
        Ok(pnl.mul_c(params.pnl_weight(level))?)
    } else {
        Ok(pnl)
    }
}

/// One underlying's scan at one level.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UnderlyingScan {
    pub underlying_index: u16,
    /// The scan range, as a fraction of the price.
    pub range: I80F48,
    /// Net delta of the futures, native units of the underlying.
    pub futures_delta: I80F48,
    /// Net delta of the options (covered calls included), native units of the underlying.
    pub options_delta: I80F48,
    /// The options' gamma (delta change, native units, per 1% rise), vega (value change per
    /// 1.00 of volatility) and theta (value change per year), quote-native.
    pub gamma: I80F48,
    pub vega: I80F48,
    pub theta: I80F48,
    /// Spot covering short calls (left out of the scan, see `options`).
    pub covered_spot: I80F48,
    /// The part of the remaining spot holding that offsets the scanned delta (opposite sign, at
    /// most as large).
    pub hedged_spot: I80F48,
    /// `futures_delta + hedged_spot`: the linear exposure the scenarios move.
    pub net_delta: I80F48,
    /// Futures, options and the whole spot holding: the account's delta in this underlying.
    pub total_delta: I80F48,
    /// Value change of the scanned exposure in each scenario (quote-native; extreme ones already
    /// at their counted fraction).
    pub scenarios: [I80F48; SCENARIO_COUNT],
    /// Index into `SCENARIOS` of the worst scenario.
    pub worst: usize,
    /// The short-option minimum of the uncovered short options.
    pub short_option_minimum: I80F48,
    /// The larger of the worst scenario's loss (plus the arrays' error bounds) and the
    /// short-option minimum, rounded up.
    pub requirement: I80F48,
    /// Sum of the derivatives' unrealised PnL (options at their mark), and as health counts it.
    pub unrealised_pnl: I80F48,
    pub weighted_pnl: I80F48,
    /// The hedged spot's share of its token haircut, given back.
    pub hedge_credit: I80F48,
}

impl UnderlyingScan {
    /// What this underlying adds to health.
    pub fn contribution(&self) -> RiskResult<I80F48> {
        Ok(self.weighted_pnl.add_c(self.hedge_credit)?.sub_c(self.requirement)?)
    }
}

/// A market's scan range at `level` for the underlying's volatility move `z * sigma * sqrt(h)`
/// at that level (`ScanParams::range`).
fn market_range(p: &ScanParams, vol_move: I80F48, level: HealthType) -> RiskResult<I80F48> {
    Ok(p.min_range(level).max(p.range_multiplier.mul_c(vol_move)?))
}

impl ScanParams {
    /// The scan range at `level` for an underlying whose volatility factor's `sigma * sqrt(h)`
    /// is `horizon_vol`: what the scan uses and what the risk-array crank computes at (Init).
    pub fn range(&self, params: &HealthParams, horizon_vol: I80F48, level: HealthType) -> RiskResult<I80F48> {
        market_range(self, params.z(level).mul_c(horizon_vol)?, level)
    }
}

/// The scan of underlying `u` over `futures` and `options` (those of other underlyings are
/// ignored), with the account's token positions for the spot cover and hedge (`totals`: their
/// cross totals at `level`). See `options` for how options enter.
pub fn scan_underlying(
    u: &UnderlyingPrice,
    futures: &[FutureInput],
    options: &[OptionInput],
    tokens: &[PositionInput],
    totals: &CrossTotals,
    params: &HealthParams,
    level: HealthType,
) -> RiskResult<UnderlyingScan> {
    let mut futures_delta = I80F48::ZERO;
    let mut unrealised = I80F48::ZERO;
    let mut range = I80F48::ZERO;
    let mut init_range = I80F48::ZERO;
    let mut extreme_multiple = I80F48::ZERO;
    let mut extreme_fraction = I80F48::ZERO;
    let vol_move = params.z(level).mul_c(u.horizon_vol)?;
    let init_vol_move =
        if level == HealthType::Init { vol_move } else { params.z(HealthType::Init).mul_c(u.horizon_vol)? };
    let mut widen = |p: &ScanParams| -> RiskResult<()> {
        range = range.max(market_range(p, vol_move, level)?);
        if level != HealthType::Init {
            init_range = init_range.max(market_range(p, init_vol_move, HealthType::Init)?);
        }
        extreme_multiple = extreme_multiple.max(p.extreme_multiple);
        extreme_fraction = extreme_fraction.max(p.extreme_fraction);
        Ok(())
    };
    // the underlying's two prices, once: longs at the collateral price, shorts at the liability
    // price (`future_pnl`)
    let long_price = collateral_price(&u.prices, u.conf_multiplier, level)?;
    let short_price = liability_price(&u.prices, u.conf_multiplier, level)?;
    // Gains are weighted per market, on the market's net PnL: the first position of each market
    // sums the market (no allocation: on chain the heap never frees).
    let mut weighted = I80F48::ZERO;
    let mine = |f: &FutureInput| f.underlying_index == u.asset_index;
    for (i, f) in futures.iter().enumerate().filter(|(_, f)| mine(f)) {
        futures_delta = futures_delta.add_c(f.base)?;
        if futures[..i].iter().any(|g| mine(g) && g.market_index == f.market_index) {
            continue;
        }
        let mut market_pnl = I80F48::ZERO;
        for g in futures[i..].iter().filter(|g| mine(g) && g.market_index == f.market_index) {
            let price = if g.base >= I80F48::ZERO { long_price } else { short_price };
            market_pnl = market_pnl.add_c(g.base.mul_c(price)?.add_c(g.quote)?)?;
        }
        unrealised = unrealised.add_c(market_pnl)?;
        weighted = weighted.add_c(weighted_pnl(market_pnl, &f.params, level)?)?;
        widen(&f.params)?;
    }
    let mine_o = |o: &OptionInput| o.underlying_index == u.asset_index;
    let mut short_call_units = I80F48::ZERO;
    for (i, o) in options.iter().enumerate().filter(|(_, o)| mine_o(o)) {
        if o.kind == OptionKind::Call && o.contracts < 0 {
            short_call_units =
                short_call_units.add_c(mul_int(o.contract_size, i128::from(o.contracts).abs())?)?;
        }
        if options[..i].iter().any(|g| mine_o(g) && g.market_index == o.market_index) {
            continue;
        }
        let mut market_pnl = I80F48::ZERO;
        for g in options[i..].iter().filter(|g| mine_o(g) && g.market_index == o.market_index) {
            market_pnl = market_pnl.add_c(g.unrealised_pnl()?)?;
        }
        unrealised = unrealised.add_c(market_pnl)?;
        weighted = weighted.add_c(weighted_pnl(market_pnl, &o.params, level)?)?;
        widen(&o.params)?;
    }
    if level == HealthType::Init {
        init_range = range;
    }

    // Covered calls first: long spot up to the short calls' underlying, left out of the scan.
    let spot = tokens.iter().find(|p| p.asset_index == u.asset_index && p.oracle_usable);
    let spot_balance = spot.map_or(I80F48::ZERO, |p| p.balance);
    let mut cover_left =
        if spot_balance > I80F48::ZERO { spot_balance.min(short_call_units) } else { I80F48::ZERO };
    let mut covered_spot = I80F48::ZERO;
    let mut option_vector = [I80F48::ZERO; SCENARIO_COUNT];
    let (mut options_delta, mut scanned_options_delta) = (I80F48::ZERO, I80F48::ZERO);
    let (mut gamma, mut vega, mut theta) = (I80F48::ZERO, I80F48::ZERO, I80F48::ZERO);
    let mut array_error = I80F48::ZERO;
    let mut short_minimum = I80F48::ZERO;
    for o in options.iter().filter(|o| mine_o(o)) {
        let n = i128::from(o.contracts);
        options_delta = options_delta.add_c(mul_int(o.array.delta, n)?)?;
        gamma = gamma.add_c(mul_int(o.array.gamma, n)?)?;
        vega = vega.add_c(mul_int(o.array.vega, n)?)?;
        theta = theta.add_c(mul_int(o.array.theta, n)?)?;
        let mut scanned = n;
        if o.kind == OptionKind::Call && n < 0 && cover_left > I80F48::ZERO {
            let coverable = cover_left.div_c(o.contract_size)?.to_num::<i128>().min(-n);
            let used = mul_int(o.contract_size, coverable)?;
            cover_left = cover_left.sub_c(used)?;
            covered_spot = covered_spot.add_c(used)?;
            scanned += coverable;
        }
        if scanned == 0 {
            continue;
        }
        for (acc, v) in option_vector.iter_mut().zip(o.array.scenarios.iter()) {
            *acc = acc.add_c(mul_int(*v, scanned)?)?;
        }
        scanned_options_delta = scanned_options_delta.add_c(mul_int(o.array.delta, scanned)?)?;
        // each scenario's change is two valuations, each within `error`
        array_error = array_error.add_c(mul_int(o.array.error, 2 * scanned.abs())?)?;
        if scanned < 0 {
            let per_contract =
                mul_ceil(o.params.short_option_minimum, u.prices.spot.mul_c(o.contract_size)?)?;
            short_minimum = short_minimum.add_c(mul_int(per_contract, -scanned)?)?;
        }
    }

    // the rest of the spot holding's part that offsets the scanned delta, and its share of the
    // token haircut
    let scanned_delta = futures_delta.add_c(scanned_options_delta)?;
    let hedge_spot = spot_balance.sub_c(covered_spot)?;
    let mut hedged_spot = I80F48::ZERO;
    let mut hedge_credit = I80F48::ZERO;
    if let Some(spot) = spot {
        let opposite = (hedge_spot > I80F48::ZERO && scanned_delta < I80F48::ZERO)
            || (hedge_spot < I80F48::ZERO && scanned_delta > I80F48::ZERO);
        if opposite {
            let size = hedge_spot.abs().min(scanned_delta.abs());
            hedged_spot = if hedge_spot > I80F48::ZERO { size } else { I80F48::ZERO.sub_c(size)? };
            let h = position_health(spot, params, level, totals)?;
            let amount = spot.balance.abs();
            let haircut = if spot.balance > I80F48::ZERO {
                let pv = amount.mul_c(collateral_price(&spot.prices, spot.conf_multiplier, level)?)?;
                pv.sub_c(h.contribution)?
            } else {
                let pv = mul_ceil(amount, liability_price(&spot.prices, spot.conf_multiplier, level)?)?;
                I80F48::ZERO.sub_c(h.contribution)?.sub_c(pv)?
            };
            // the hedged share, rounded down (a credit)
            hedge_credit = haircut.max(I80F48::ZERO).mul_c(size)?.div_c(amount)?;
        }
    }

    let net_delta = futures_delta.add_c(hedged_spot)?;
    // The linear legs: every scenario's value is a multiple of the full move, so they cost three
    // products and a division by three rather than 16 of each.
    let exposure = net_delta.mul_c(u.prices.spot)?;
    let full = exposure.mul_c(range)?;
    let third = third_of(full);
    let two_thirds = third.add_c(third)?;
    let extreme = full.mul_c(extreme_multiple)?.mul_c(extreme_fraction)?;
    // the options' arrays are at the Init range: other levels scale them (at most 1, see
    // `options`)
    let option_scale = if level == HealthType::Init || init_range == I80F48::ZERO {
        I80F48::ONE
    } else {
        range.div_c(init_range)?.min(I80F48::ONE)
    };
    let mut scenarios = [I80F48::ZERO; SCENARIO_COUNT];
    let mut worst = 0;
    let mut worst_loss = I80F48::ZERO;
    for (i, s) in SCENARIOS.iter().enumerate() {
        let up = match (s.extreme, s.thirds.unsigned_abs()) {
            (true, _) => extreme,
            (false, 0) => I80F48::ZERO,
            (false, 1) => third,
            (false, 2) => two_thirds,
            (false, _) => full,
        };
        let linear = if s.thirds < 0 { I80F48::ZERO.sub_c(up)? } else { up };
        let opt = if option_scale == I80F48::ONE {
            option_vector[i]
        } else {
            // a loss scaled rounds up
            let scaled = option_vector[i].mul_c(option_scale)?;
            if option_vector[i] < I80F48::ZERO {
                scaled.sub_c(I80F48::DELTA)?
            } else {
                scaled
            }
        };
        let value = linear.add_c(opt)?;
        scenarios[i] = value;
        let loss = I80F48::ZERO.sub_c(value)?;
        if loss > worst_loss {
            worst_loss = loss;
            worst = i;
        }
    }
    let scan_loss = if worst_loss > I80F48::ZERO { worst_loss.add_c(array_error)? } else { I80F48::ZERO };
    let binding = scan_loss.max(short_minimum);
    // a requirement: one ulp up unless zero (the products above round toward zero)
    let requirement = if binding > I80F48::ZERO { binding.add_c(I80F48::DELTA)? } else { I80F48::ZERO };
    Ok(UnderlyingScan {
        underlying_index: u.asset_index,
        range,
        futures_delta,
        options_delta,
        gamma,
        vega,
        theta,
        covered_spot,
        hedged_spot,
        net_delta,
        total_delta: futures_delta.add_c(options_delta)?.add_c(spot_balance)?,
        scenarios,
        worst,
        short_option_minimum: short_minimum,
        requirement,
        unrealised_pnl: unrealised,
        weighted_pnl: weighted,
        hedge_credit,
    })
}

/// Health of a portfolio of tokens and futures at `level`, with each underlying's scan.
#[derive(Debug, Clone, PartialEq)]
pub struct PortfolioHealth {
    pub token_health: I80F48,
    pub scans: Vec<UnderlyingScan>,
    pub health: I80F48,
}

/// The underlyings of `futures` and then `options`, in first-seen order, each once.
fn underlyings_of<'a>(
    futures: &'a [FutureInput],
    options: &'a [OptionInput],
) -> impl Iterator<Item = u16> + 'a {
    let all = futures.iter().map(|f| f.underlying_index).chain(options.iter().map(|o| o.underlying_index));
    all.clone().enumerate().filter(move |(i, u)| all.clone().take(*i).all(|v| v != *u)).map(|(_, u)| u)
}

/// Token health plus every underlying's contribution. `underlyings` must price every underlying
/// a future refers to (`RiskError::MissingUnderlying` otherwise).
pub fn portfolio_health(
    tokens: &[PositionInput],
    futures: &[FutureInput],
    options: &[OptionInput],
    underlyings: &[UnderlyingPrice],
    params: &HealthParams,
    level: HealthType,
) -> RiskResult<PortfolioHealth> {
    let token_health = crate::health::health(tokens, params, level)?;
    let totals = cross_totals(tokens, level)?;
    let mut scans = Vec::new();
    let mut health = token_health;
    for index in underlyings_of(futures, options) {
        let u = underlyings
            .iter()
            .find(|u| u.asset_index == index)
            .ok_or(RiskError::MissingUnderlying { asset_index: index })?;
        let scan = scan_underlying(u, futures, options, tokens, &totals, params, level)?;
        health = health.add_c(scan.contribution()?)?;
        scans.push(scan);
    }
    Ok(PortfolioHealth { token_health, scans, health })
}

/// Health at `level` of tokens and futures: `portfolio_health` without the breakdown, and no
/// more than token health costs when there are no futures.
pub fn portfolio_health_at(
    tokens: &[PositionInput],
    futures: &[FutureInput],
    options: &[OptionInput],
    underlyings: &[UnderlyingPrice],
    params: &HealthParams,
    level: HealthType,
) -> RiskResult<I80F48> {
    let tokens_health = crate::health::health(tokens, params, level)?;
    portfolio_health_from(tokens_health, tokens, futures, options, underlyings, params, level)
}

/// `portfolio_health_at` from the tokens' `health` at `level`, which the caller has computed
/// already (`tokens_health`): each underlying's scan contribution added to it in turn, as
/// `portfolio_health_at` adds them.
pub fn portfolio_health_from(
    tokens_health: I80F48,
    tokens: &[PositionInput],
    futures: &[FutureInput],
    options: &[OptionInput],
    underlyings: &[UnderlyingPrice],
    params: &HealthParams,
    level: HealthType,
) -> RiskResult<I80F48> {
    let mut health = tokens_health;
    if futures.is_empty() && options.is_empty() {
        return Ok(health);
    }
    // `portfolio_health` without collecting the scans (on chain the heap never frees)
    let totals = crate::health::cross_totals_if_needed(tokens, params, level)?;
    for index in underlyings_of(futures, options) {
        let u = underlyings
            .iter()
            .find(|u| u.asset_index == index)
            .ok_or(RiskError::MissingUnderlying { asset_index: index })?;
        health = health
            .add_c(scan_underlying(u, futures, options, tokens, &totals, params, level)?.contribution()?)?;
    }
    Ok(health)
}

/// Health at the three levels with futures.
pub fn portfolio_levels(
    tokens: &[PositionInput],
    futures: &[FutureInput],
    options: &[OptionInput],
    underlyings: &[UnderlyingPrice],
    params: &HealthParams,
) -> RiskResult<HealthLevels> {
    let at = |level| portfolio_health_at(tokens, futures, options, underlyings, params, level);
    Ok(HealthLevels {
        init: at(HealthType::Init)?,
        liquidation_end: at(HealthType::LiquidationEnd)?,
        maint: at(HealthType::Maint)?,
    })
}

/// An account's equity at spot, without haircuts: tokens at spot (as `net_spot_value`, but
/// collateral with an unusable oracle left out), each
/// future's unrealised PnL at the underlying's spot and each option position at its mark
/// (`OptionInput::unrealised_pnl`). Below zero the account is insolvent; a liquidation's bonus
/// is capped by it (`liquidation::solvency_capped_bonus`).
pub fn portfolio_equity(
    tokens: &[PositionInput],
    futures: &[FutureInput],
    options: &[OptionInput],
    underlyings: &[UnderlyingPrice],
) -> RiskResult<I80F48> {
    // collateral whose oracle failed the action's checks (tolerated dust) counts for nothing, as
    // in health: a liquidation cannot seize it, so it cannot pay a bonus (no allocation: on chain
    // the heap never frees)
    let mut equity = I80F48::ZERO;
    for p in tokens {
        if p.balance > I80F48::ZERO && p.oracle_usable {
            equity = equity.add_c(p.balance.mul_c(p.prices.spot)?)?;
        } else if p.balance < I80F48::ZERO {
            equity = equity.sub_c(mul_ceil(I80F48::ZERO.sub_c(p.balance)?, p.prices.spot)?)?;
        }
    }
    let spot_of = |index: u16| {
        underlyings
            .iter()
            .find(|u| u.asset_index == index)
            .map(|u| u.prices.spot)
            .ok_or(RiskError::MissingUnderlying { asset_index: index })
    };
    for f in futures {
        equity = equity.add_c(f.base.mul_c(spot_of(f.underlying_index)?)?.add_c(f.quote)?)?;
    }
    for o in options {
        equity = equity.add_c(o.unrealised_pnl()?)?;
    }
    Ok(equity)
}

/// The token breakdown at `level` with each underlying's scan, `health` including them.
pub fn portfolio_report(
    tokens: &[PositionInput],
    futures: &[FutureInput],
    options: &[OptionInput],
    underlyings: &[UnderlyingPrice],
    params: &HealthParams,
    level: HealthType,
) -> RiskResult<HealthReport> {
    let mut report = health_report(tokens, params, level)?;
    if !futures.is_empty() || !options.is_empty() {
        let p = portfolio_health(tokens, futures, options, underlyings, params, level)?;
        report.health = p.health;
        report.scans = p.scans;
    }
    Ok(report)
}

/// `portfolio_report` at the three levels.
pub fn portfolio_reports(
    tokens: &[PositionInput],
    futures: &[FutureInput],
    options: &[OptionInput],
    underlyings: &[UnderlyingPrice],
    params: &HealthParams,
) -> RiskResult<HealthReports> {
    let at = |level| portfolio_report(tokens, futures, options, underlyings, params, level);
    Ok(HealthReports {
        init: at(HealthType::Init)?,
        liquidation_end: at(HealthType::LiquidationEnd)?,
        maint: at(HealthType::Maint)?,
    })
}

/// Whether going from `old` to `new` contracts only shrinks a position (toward zero, never
/// through it): the trades a reduce-only market allows, and that need no Init check.
pub fn reduces_position(old: i64, new: i64) -> bool {
    new.unsigned_abs() <= old.unsigned_abs() && (new == 0 || (new > 0) == (old > 0))
}

/// Open interest (contracts long, which equals contracts short) after two positions change from
/// `(a, b)` to `(a2, b2)`: each side's long contracts are what it adds or removes.
pub fn open_interest_after(open_interest: u64, (a, b): (i64, i64), (a2, b2): (i64, i64)) -> Option<u64> {
    let long = |x: i64| u64::try_from(x.max(0)).ok();
    let before = long(a)?.checked_add(long(b)?)?;
    let after = long(a2)?.checked_add(long(b2)?)?;
    open_interest.checked_add(after)?.checked_sub(before)
}

/// Whether a price per contract is within `band` (a fraction) of the underlying's notional per
/// contract from the mark per contract: `|price - mark| <= band * notional`. For a future the
/// mark is the notional; for an option the band is still a fraction of the underlying, so a
/// cheap option's band is not vanishingly narrow.
pub fn within_band(price: I80F48, mark: I80F48, notional: I80F48, band: I80F48) -> RiskResult<bool> {
    let distance = price.sub_c(mark)?.abs();
    Ok(distance <= notional.mul_c(band)?)
}

/// Whether `to` is within `band` (a fraction) of a positive price `from`: `|to - from| <= band *
/// from`, a multiplication rather than a division.
pub fn within_move(from: I80F48, to: I80F48, band: I80F48) -> RiskResult<bool> {
    Ok(to.sub_c(from)?.abs() <= from.mul_c(band)?)
}

/// How much PnL can move from an account that owes (`owing < 0`) to one that is owed
/// (`owed > 0`) in the same market: the smaller of the two, so neither crosses zero and the
/// quote asset moves only between them (Mango's perp settle). Zero when the signs do not fit.
pub fn settleable_pnl(owed: I80F48, owing: I80F48) -> I80F48 {
    if owed > I80F48::ZERO && owing < I80F48::ZERO {
        owed.min(-owing)
    } else {
        I80F48::ZERO
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::health::tests::{position, weights};
    use proptest::prelude::*;

    fn f(v: f64) -> I80F48 {
        I80F48::from_num(v)
    }

    /// A 10% minimum range, 6.67% at Maint, extreme 3x counted at 35%, gains at 50% / 80%.
    pub(crate) fn scan_params() -> ScanParams {
        ScanParams {
            range_multiplier: f(1.0),
            min_range_init: f(0.10),
            min_range_maint: f(0.0667),
            extreme_multiple: f(3.0),
            extreme_fraction: f(0.35),
            pnl_weight_init: f(0.5),
            pnl_weight_maint: f(0.8),
            short_option_minimum: I80F48::ZERO,
        }
    }

    /// SOL at $100 (native units of 1e-9 SOL, quote micro-USD: 0.1 per native unit).
    pub(crate) fn sol() -> PositionInput {
        position(1, 0, 0.1, weights(0.8, 0.9, 1.2, 1.1))
    }

    fn future(base: i64, quote: i64) -> FutureInput {
        FutureInput {
            market_index: 0,
            underlying_index: 1,
            base: I80F48::from_num(base),
            quote: I80F48::from_num(quote),
            params: scan_params(),
        }
    }

    fn sol_with(balance: i64) -> PositionInput {
        PositionInput { balance: I80F48::from_num(balance), ..sol() }
    }

    fn scan(tokens: &[PositionInput], futures: &[FutureInput], level: HealthType) -> PortfolioHealth {
        portfolio_health(tokens, futures, &[], &[UnderlyingPrice::of(&sol())], &HealthParams::BASE, level)
            .unwrap()
    }

    #[test]
    fn a_short_future_alone_is_charged_its_worst_move() {
        // short 10 SOL at $100 (received $1,000): PnL 0; Init range 10%, so the worst plain move
        // is +10% (a $100 loss); the extreme +30% at 35% is $105: the requirement
        let p = scan(&[], &[future(-10_000_000_000, 1_000_000_000)], HealthType::Init);
        let s = p.scans[0];
        assert!(s.unrealised_pnl.abs() < f(1e-3));
        assert_eq!(SCENARIOS[s.worst], sc(1, true, true));
        assert!((s.requirement - f(105_000_000.0)).abs() < f(1.0), "{}", s.requirement);
        assert!((s.scenarios[10] - f(-100_000_000.0)).abs() < f(1.0));
        assert_eq!(s.scenarios[0], I80F48::ZERO);
        assert!((p.health + f(105_000_000.0)).abs() < f(1.0));
    }

    #[test]
    fn gains_count_at_their_weight_and_losses_in_full() {
        // long 1 SOL bought at $90: +$10 at Init counts $5, at Maint $8
        let long = future(1_000_000_000, -90_000_000);
        let near = |a: I80F48, b: f64| (a - f(b)).abs() < f(1e-3);
        let init = scan(&[], &[long], HealthType::Init).scans[0];
        assert!(near(init.unrealised_pnl, 10_000_000.0));
        assert!(near(init.weighted_pnl, 5_000_000.0));
        assert!(near(scan(&[], &[long], HealthType::Maint).scans[0].weighted_pnl, 8_000_000.0));
        let loser = future(1_000_000_000, -110_000_000);
        assert!(near(scan(&[], &[loser], HealthType::Init).scans[0].weighted_pnl, -10_000_000.0));
    }

    #[test]
    fn a_fully_hedged_spot_holding_needs_only_the_rounding() {
        // 10 SOL spot, short 10 SOL of futures at $100: the scan sees nothing, the spot's Init
        // haircut ($200) comes back as credit: health is the spot's full value
        let p =
            scan(&[sol_with(10_000_000_000)], &[future(-10_000_000_000, 1_000_000_000)], HealthType::Init);
        let s = p.scans[0];
        assert_eq!(s.net_delta, I80F48::ZERO);
        assert_eq!(s.requirement, I80F48::ZERO);
        assert!((s.hedge_credit - f(200_000_000.0)).abs() < f(1.0));
        assert!((p.health - f(1_000_000_000.0)).abs() < f(1.0), "{}", p.health);
    }

    #[test]
    fn settlement_moves_the_smaller_side() {
        assert_eq!(settleable_pnl(f(5.0), f(-3.0)), f(3.0));
        assert_eq!(settleable_pnl(f(5.0), f(-8.0)), f(5.0));
        assert_eq!(settleable_pnl(f(5.0), f(2.0)), I80F48::ZERO);
        assert_eq!(settleable_pnl(f(-5.0), f(-2.0)), I80F48::ZERO);
    }

    #[test]
    fn a_future_without_its_underlying_priced_is_an_error() {
        let mut fut = future(1, 0);
        fut.underlying_index = 7;
        let r = portfolio_health(
            &[],
            &[fut],
            &[],
            &[UnderlyingPrice::of(&sol())],
            &HealthParams::BASE,
            HealthType::Init,
        );
        assert_eq!(r.unwrap_err(), RiskError::MissingUnderlying { asset_index: 7 });
    }

    proptest! {
        #[test]
        fn a_long_and_an_equal_short_need_no_margin(size in 1i64..1_000_000_000_000, price in 1i64..1_000_000_000) {
            let long = future(size, -price);
            let short = future(-size, price);
            let p = scan(&[], &[long, short], HealthType::Init);
            prop_assert_eq!(p.scans[0].requirement, I80F48::ZERO);
            // only the entry prices' PnL, at spread zero (no confidence): within rounding of it
            // the two PnLs net in the market before any weighting: only rounding is left
            prop_assert!(p.health.abs() <= f(1e-6), "{}", p.health);
        }

        #[test]
        fn a_hedged_spot_needs_less_than_its_legs_and_no_less_than_the_combined_scan(
            spot in 1i64..100_000_000_000, short in 1i64..100_000_000_000
        ) {
            let level = HealthType::Init;
            // margin of a portfolio: what its health falls short of its full value (spot at $100
            // plus the futures' PnL)
            let margin = |tokens: &[PositionInput], futures: &[FutureInput]| {
                let p = scan(tokens, futures, level);
                let value = tokens.iter().map(|t| t.balance * f(0.1)).sum::<I80F48>()
                    + p.scans.iter().map(|s| s.unrealised_pnl).sum::<I80F48>();
                (value - p.health, p)
            };
            let eps = f(1e-6);
            for short in [short, spot] {
                let fut = future(-short, short / 10); // sold at $100
                let (spot_only, _) = margin(&[sol_with(spot)], &[]);
                let (fut_only, _) = margin(&[], &[fut]);
                let (pair, both) = margin(&[sol_with(spot)], &[fut]);
                // never more than the legs apart, and never less than the combined scan loss
                prop_assert!(pair <= spot_only + fut_only + eps, "pair {} spot {} future {}", pair, spot_only, fut_only);
                prop_assert!(pair + eps >= both.scans[0].requirement);
                if short == spot {
                    // an equal hedge needs less than either leg alone
                    prop_assert!(pair <= spot_only.min(fut_only) + eps, "pair {} spot {} future {}", pair, spot_only, fut_only);
                }
            }
        }

        #[test]
        fn levels_keep_their_order_with_futures(
            spot in -100_000_000_000i64..100_000_000_000, base in -100_000_000_000i64..100_000_000_000,
            entry in 50i64..150, conf_bps in 0u32..200, ema_bps in -500i32..500, hv_bps in 0u32..2_000
        ) {
            // an uncertain, EMA-deviating SOL price and the volatility factor on (z 2.33 / 1.5)
            let mut sol_priced = sol_with(spot);
            let p0 = sol_priced.prices.spot;
            sol_priced.prices.conf = p0 * I80F48::from_num(conf_bps) / f(10_000.0);
            sol_priced.prices.ema = p0 + p0 * I80F48::from_num(ema_bps) / f(10_000.0);
            sol_priced.conf_multiplier = f(1.0);
            sol_priced.factors.horizon_vol = I80F48::from_num(hv_bps) / f(10_000.0);
            let params = HealthParams { z_init: f(2.33), z_maint: f(1.5), ..HealthParams::BASE };
            let fut = future(base, -base / 1000 * entry);
            let tokens = [sol_priced, position(0, 1_000_000_000, 1.0, weights(0.95, 0.98, 1.05, 1.02))];
            let at = |level| portfolio_health(&tokens, &[fut], &[], &[UnderlyingPrice::of(&sol_priced)], &params, level).unwrap().health;
            let (init, le, maint) = (at(HealthType::Init), at(HealthType::LiquidationEnd), at(HealthType::Maint));
            // the streaming health the program uses is the breakdown's, exactly
            let fast = portfolio_health_at(&tokens, &[fut], &[], &[UnderlyingPrice::of(&sol_priced)], &params, HealthType::LiquidationEnd).unwrap();
            prop_assert_eq!(fast, le);
            prop_assert!(init <= le + f(1e-6) && le <= maint + f(1e-6), "{} {} {}", init, le, maint);
        }

        #[test]
        fn a_larger_position_never_needs_less(base in 1i64..100_000_000_000, more in 0i64..100_000_000_000, long in any::<bool>()) {
            let sign = if long { 1 } else { -1 };
            let small = scan(&[], &[future(sign * base, 0)], HealthType::Maint).scans[0].requirement;
            let large = scan(&[], &[future(sign * (base + more), 0)], HealthType::Maint).scans[0].requirement;
            prop_assert!(large >= small);
        }

        #[test]
        fn settlement_conserves_and_never_crosses_zero(owed in -1_000_000i64..1_000_000, owing in -1_000_000i64..1_000_000) {
            let (a, b) = (f(owed as f64), f(owing as f64));
            let x = settleable_pnl(a, b);
            prop_assert!(x >= I80F48::ZERO);
            prop_assert_eq!((a - x) + (b + x), a + b);
            if x > I80F48::ZERO {
                prop_assert!(a - x >= I80F48::ZERO && b + x <= I80F48::ZERO);
            }
        }
    }
}
