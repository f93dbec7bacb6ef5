//! Health of a basket of token positions at one level, with a per-position breakdown of which
//! factor removed how much value.
//!
//! For each position, priced at the level's conservative price (`price.rs`), the weight goes
//! through the single-asset factors in order, each able only to make it worse:
//!
//!   collateral: base -> min(., 1 - z*sigma*sqrt(h)) -> min(., 1.1/(1 + imf*sqrt(tokens)))
//!               -> Init: * deposit_scale
//!   liability:  base -> max(., 1 + z*sigma*sqrt(h)) -> max(., 0.8*base + imf*sqrt(tokens))
//!               -> Init: * borrow_scale
//!
//! then the cross-position factors apply: at Init, the part of a collateral's value above its
//! concentration threshold share of the account's collateral loses a further haircut; and in
//! each correlation group the matched part, min(collateral, liabilities), is revalued at the
//! group's weights where they are better. Collateral rounds down and liabilities round up, so
//! rounding always goes against the account.
//!
//! `health` needs no allocation: one pass sums the per-level totals that the cross-position
//! factors need, a second computes the contributions.

use crate::math::{mul_ceil, CheckedFixed, I80F48};
use crate::price::{collateral_price, liability_price};
use crate::types::*;

/// One position's share of health and how it got there.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PositionHealth {
    pub asset_index: u16,
    pub balance: I80F48,
    /// |balance| * spot: what the position is worth with no haircut at all.
    pub spot_value: I80F48,
    /// The price the level uses for this position.
    pub price: I80F48,
    /// The weight after the single-asset factors (asset weight for collateral, liability
    /// weight for debt).
    pub weight: I80F48,
    /// Signed contribution to health: positive for collateral, negative for liabilities.
    pub contribution: I80F48,
    /// Value removed by each factor, indexed by `Factor as usize` (negative: a credit). Sums to
    /// `spot_value - contribution` for collateral and `-contribution - spot_value` for debt.
    pub factor_cuts: [I80F48; Factor::COUNT],
}

impl PositionHealth {
    pub fn cut(&self, factor: Factor) -> I80F48 {
        self.factor_cuts[factor as usize]
    }
}

/// Health at a level with its breakdown.
#[derive(Debug, Clone, PartialEq)]
pub struct HealthReport {
    pub level: HealthType,
    pub health: I80F48,
    /// Sum of positive contributions.
    pub weighted_collateral: I80F48,
    /// Sum of the magnitudes of negative contributions.
    pub weighted_liabilities: I80F48,
    pub positions: Vec<PositionHealth>,
    /// The scan of each underlying the account's derivatives are on (`portfolio_report`; empty
    /// without derivatives); `health` includes their contributions.
    pub scans: Vec<crate::derivatives::UnderlyingScan>,
}

/// Account-wide sums at one level that the cross-position factors need.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CrossTotals {
    /// Priced value of all usable collateral.
    pub collateral: I80F48,
    /// Per correlation group: priced collateral and priced liabilities.
    pub groups: [(I80F48, I80F48); MAX_CORRELATION_GROUPS],
    /// Per correlation group with both sides (set by `cross_totals`): the matched part, min(collateral, liabilities),
    /// as a share of the collateral and of the liabilities (zero otherwise). The same ratio
    /// for every position of the group, so it is divided out once per health computation
    /// rather than once per position (a division is about 1,150 CU on SBF).
    pub matched_shares: [(I80F48, I80F48); MAX_CORRELATION_GROUPS],
}

impl CrossTotals {
    /// No collateral, no groups: what health uses when no position needs the totals.
    pub const ZERO: CrossTotals = CrossTotals {
        collateral: I80F48::ZERO,
        groups: [(I80F48::ZERO, I80F48::ZERO); MAX_CORRELATION_GROUPS],
        matched_shares: [(I80F48::ZERO, I80F48::ZERO); MAX_CORRELATION_GROUPS],
    };
}

/// (price, |balance| * price) at the level's conservative price, rounded against the account;
/// zero for unusable collateral.
fn priced_value(pos: &PositionInput, level: HealthType) -> RiskResult<(I80F48, I80F48)> {
    if pos.balance >= I80F48::ZERO {
        if !pos.oracle_usable {
            return Ok((I80F48::ZERO, I80F48::ZERO));
        }
        let price = collateral_price(&pos.prices, pos.conf_multiplier, level)?;
        Ok((price, pos.balance.mul_c(price)?))
    } else {
        if !pos.oracle_usable {
            return Err(RiskError::LiabilityOracleUnusable { asset_index: pos.asset_index });
        }
        let amount = I80F48::ZERO.sub_c(pos.balance)?;
        let price = liability_price(&pos.prices, pos.conf_multiplier, level)?;
        Ok((price, mul_ceil(amount, price)?))
    }
}

pub fn cross_totals(positions: &[PositionInput], level: HealthType) -> RiskResult<CrossTotals> {
    let mut t = CrossTotals::ZERO;
    for pos in positions {
        t.add(pos, priced_value(pos, level)?.1)?;
    }
    t.finish()?;
    Ok(t)
}

impl CrossTotals {
    /// Adds a position priced at `pv` (`priced_value` at the totals' level).
    fn add(&mut self, pos: &PositionInput, pv: I80F48) -> RiskResult<()> {
        let t = self;
        let group = usize::from(pos.factors.correlation_group);
        let in_group = (1..=MAX_CORRELATION_GROUPS).contains(&group);
        if pos.balance >= I80F48::ZERO {
            t.collateral = t.collateral.add_c(pv)?;
            if in_group {
                t.groups[group - 1].0 = t.groups[group - 1].0.add_c(pv)?;
            }
        } else if in_group {
            t.groups[group - 1].1 = t.groups[group - 1].1.add_c(pv)?;
        }
        Ok(())
    }

    /// The matched shares, once every position is added.
    fn finish(&mut self) -> RiskResult<()> {
        for (g, &(collateral, liabilities)) in self.groups.iter().enumerate() {
            let matched = collateral.min(liabilities);
            if matched > I80F48::ZERO {
                self.matched_shares[g] = (matched.div_c(collateral)?, matched.div_c(liabilities)?);
            }
        }
        Ok(())
    }
}

/// Drift's size-discount numerator, 1.1 (to the last bit of I80F48).
const SIZE_NUMERATOR: I80F48 = I80F48::from_bits((11i128 << 48) / 10);
/// 0.8, the share of the base liability weight the size factor keeps (Drift's), as the exact
/// bits `I80F48::from_num(0.8)` gives (the nearest to 0.8 * 2^48); no floating point on chain.
const SIZE_LIAB_BASE_SHARE: I80F48 = I80F48::from_bits(225_179_981_368_525);

/// Whether any position uses a cross-position factor at this level; when none does, the totals
/// pass (which prices every position a second time) is skipped.
fn needs_cross_totals(positions: &[PositionInput], params: &HealthParams, level: HealthType) -> bool {
    positions.iter().any(|p| {
        params.correlation(p.factors.correlation_group).is_some()
            || (level == HealthType::Init
                && p.factors.concentration_threshold < I80F48::ONE
                && p.factors.concentration_haircut > I80F48::ZERO)
    })
}

/// sqrt of a position's size in whole tokens (Drift measures size in tokens), with the size
/// rounded up to a whole token and the root rounded up: both only make the size factor harsher,
/// like Drift's `isqrt(size) + 1`, and an integer root is a fraction of the cost of a
/// fixed-point one.
pub(crate) fn sqrt_tokens(pos: &PositionInput) -> RiskResult<I80F48> {
    let overflow = crate::math::MathError::Overflow;
    // on the bits (the same values as `checked_ceil` and `checked_to_num`, which cost more
    // than the root in the keeper's scan): the ceiling of |balance|, the unit's integer part
    const FRAC: u128 = (1 << 48) - 1;
    let magnitude = pos.balance.to_bits().unsigned_abs();
    let native = u64::try_from(magnitude.checked_add(FRAC).ok_or(overflow)? >> 48).map_err(|_| overflow)?;
    let unit_bits = u128::try_from(pos.factors.token_unit.to_bits()).map_err(|_| overflow)?;
    let unit = u64::try_from(unit_bits >> 48).map_err(|_| overflow)?.max(1);
    let whole = native.div_ceil(unit);
    let root = whole.isqrt();
    let root = if root * root < whole { root + 1 } else { root };
    // root <= 2^32: exact as bits
    Ok(I80F48::from_bits(i128::from(root) << 48))
}

/// Collateral weight after the single-asset factors, recording each factor's cut of `pv`.
fn collateral_weight(
    pos: &PositionInput,
    params: &HealthParams,
    level: HealthType,
    pv: I80F48,
    cuts: &mut [I80F48; Factor::COUNT],
    track: bool,
) -> RiskResult<I80F48> {
    let f = &pos.factors;
    let base = pos.weights.asset_weight(level);
    let mut w = base;
    if track {
        cuts[Factor::BaseWeight as usize] = pv.sub_c(pv.mul_c(w)?)?;
    }
    let mut step = |factor: Factor, w: &mut I80F48, capped: I80F48| -> RiskResult<()> {
        let capped = capped.max(I80F48::ZERO);
        if capped < *w {
            if track {
                cuts[factor as usize] = pv.mul_c(*w)?.sub_c(pv.mul_c(capped)?)?;
            }
            *w = capped;
        }
        Ok(())
    };
    if f.horizon_vol > I80F48::ZERO {
        let cap = I80F48::ONE.sub_c(params.z(level).mul_c(f.horizon_vol)?)?;
        step(Factor::Volatility, &mut w, cap)?;
    }
    if f.imf > I80F48::ZERO {
        let denom = I80F48::ONE.add_c(f.imf.mul_c(sqrt_tokens(pos)?)?)?;
        // cap = 1.1 / denom binds only when w * denom > 1.1: divide only then
        if w.mul_c(denom)? > SIZE_NUMERATOR {
            step(Factor::Size, &mut w, SIZE_NUMERATOR.div_c(denom)?)?;
        }
    }
    if level == HealthType::Init && f.deposit_scale < I80F48::ONE {
        let scaled = w.mul_c(f.deposit_scale)?;
        step(Factor::TotalScaling, &mut w, scaled)?;
    }
    Ok(w)
}

/// Liability weight after the single-asset factors, recording each factor's addition to `pv`.
fn liability_weight(
    pos: &PositionInput,
    params: &HealthParams,
    level: HealthType,
    pv: I80F48,
    cuts: &mut [I80F48; Factor::COUNT],
    track: bool,
) -> RiskResult<I80F48> {
    let f = &pos.factors;
    let base = pos.weights.liab_weight(level);
    let mut w = base;
    if track {
        cuts[Factor::BaseWeight as usize] = mul_ceil(pv, w)?.sub_c(pv)?;
    }
    let mut step = |factor: Factor, w: &mut I80F48, floor: I80F48| -> RiskResult<()> {
        if floor > *w {
            if track {
                cuts[factor as usize] = mul_ceil(pv, floor)?.sub_c(mul_ceil(pv, *w)?)?;
            }
            *w = floor;
        }
        Ok(())
    };
    if f.horizon_vol > I80F48::ZERO {
        let floor = I80F48::ONE.add_c(params.z(level).mul_c(f.horizon_vol)?)?;
        step(Factor::Volatility, &mut w, floor)?;
    }
    if f.imf > I80F48::ZERO {
        let floor = base.mul_c(SIZE_LIAB_BASE_SHARE)?.add_c(f.imf.mul_c(sqrt_tokens(pos)?)?)?;
        step(Factor::Size, &mut w, floor)?;
    }
    if level == HealthType::Init && f.borrow_scale > I80F48::ONE {
        let scaled = w.mul_c(f.borrow_scale)?;
        step(Factor::TotalScaling, &mut w, scaled)?;
    }
    Ok(w)
}

/// Contribution of one position at `level`, with its factor breakdown, given the account-wide
/// totals from `cross_totals`.
pub fn position_health(
    pos: &PositionInput,
    params: &HealthParams,
    level: HealthType,
    totals: &CrossTotals,
) -> RiskResult<PositionHealth> {
    position_health_inner(pos, params, level, totals, true)
}

/// `position_health`, optionally without the breakdown (`spot_value` and the cuts stay zero):
/// the hot path skips the multiplications only the breakdown needs.
pub(crate) fn position_health_inner(
    pos: &PositionInput,
    params: &HealthParams,
    level: HealthType,
    totals: &CrossTotals,
    track: bool,
) -> RiskResult<PositionHealth> {
    position_health_priced(pos, params, level, totals, track, priced_value(pos, level)?)
}

/// `position_health_inner` with the position's `priced_value` at `level` already computed.
fn position_health_priced(
    pos: &PositionInput,
    params: &HealthParams,
    level: HealthType,
    totals: &CrossTotals,
    track: bool,
    (price, pv): (I80F48, I80F48),
) -> RiskResult<PositionHealth> {
    let mut cuts = [I80F48::ZERO; Factor::COUNT];
    let f = &pos.factors;
    let group = params.correlation(f.correlation_group);
    let (group_totals, matched_shares) = if group.is_some() {
        let g = usize::from(f.correlation_group) - 1;
        (totals.groups[g], totals.matched_shares[g])
    } else {
        ((I80F48::ZERO, I80F48::ZERO), (I80F48::ZERO, I80F48::ZERO))
    };
    let matched = group_totals.0.min(group_totals.1);
    if pos.balance >= I80F48::ZERO {
        let spot_value = if track { pos.balance.mul_c(pos.prices.spot)? } else { I80F48::ZERO };
        if !pos.oracle_usable {
            cuts[Factor::OracleUnavailable as usize] = spot_value;
            return Ok(PositionHealth {
                asset_index: pos.asset_index,
                balance: pos.balance,
                spot_value,
                price: I80F48::ZERO,
                weight: I80F48::ZERO,
                contribution: I80F48::ZERO,
                factor_cuts: cuts,
            });
        }
        if track {
            cuts[Factor::OracleUncertainty as usize] = spot_value.sub_c(pv)?;
        }
        let weight = collateral_weight(pos, params, level, pv, &mut cuts, track)?;
        let mut contribution = pv.mul_c(weight)?;
        if level == HealthType::Init
            && f.concentration_threshold < I80F48::ONE
            && f.concentration_haircut > I80F48::ZERO
        {
            let allowed = totals.collateral.mul_c(f.concentration_threshold)?;
            let excess = pv.sub_c(allowed)?;
            // below the threshold the cut is zero (for a contribution of at least zero, which
            // validated weights give): skip its two products
            if excess > I80F48::ZERO || contribution < I80F48::ZERO {
                let excess = excess.max(I80F48::ZERO);
                let cut = excess.mul_c(f.concentration_haircut)?.mul_c(weight)?.min(contribution);
                cuts[Factor::Concentration as usize] = cut;
                contribution = contribution.sub_c(cut)?;
            }
        }
        if let (Some(g), true) = (group, matched > I80F48::ZERO) {
            // The matched share of this collateral is revalued at the group weight if better.
            let at_group = pv.mul_c(g.weights.asset_weight(level))?;
            if at_group > contribution {
                let credit = at_group.sub_c(contribution)?.mul_c(matched_shares.0)?;
                cuts[Factor::Correlation as usize] = I80F48::ZERO.sub_c(credit)?;
                contribution = contribution.add_c(credit)?;
            }
        }
        Ok(PositionHealth {
            asset_index: pos.asset_index,
            balance: pos.balance,
            spot_value,
            price,
            weight,
            contribution,
            factor_cuts: cuts,
        })
    } else {
        let amount = I80F48::ZERO.sub_c(pos.balance)?;
        let spot_value = if track { mul_ceil(amount, pos.prices.spot)? } else { I80F48::ZERO };
        if track {
            cuts[Factor::OracleUncertainty as usize] = pv.sub_c(spot_value)?;
        }
        let weight = liability_weight(pos, params, level, pv, &mut cuts, track)?;
        let mut requirement = mul_ceil(pv, weight)?;
        if let (Some(g), true) = (group, matched > I80F48::ZERO) {
            let at_group = mul_ceil(pv, g.weights.liab_weight(level))?;
            if at_group < requirement {
                let credit = requirement.sub_c(at_group)?.mul_c(matched_shares.1)?;
                cuts[Factor::Correlation as usize] = I80F48::ZERO.sub_c(credit)?;
                requirement = requirement.sub_c(credit)?;
            }
        }
        Ok(PositionHealth {
            asset_index: pos.asset_index,
            balance: pos.balance,
            spot_value,
            price,
            weight,
            contribution: I80F48::ZERO.sub_c(requirement)?,
            factor_cuts: cuts,
        })
    }
}

/// How many positions are priced once and kept on the stack when the cross-position factors
/// need a totals pass (more are priced twice): an account's token positions.
const PRICED_ON_STACK: usize = 16;

/// An account's positions at one level with the totals the cross-position factors need
/// (`health`, the liquidation plan): the totals pass is skipped when no position uses a
/// cross-position factor, and otherwise keeps each priced value for the position's own health
/// (up to `PRICED_ON_STACK` positions; more are priced twice).
pub(crate) struct PricedPositions<'a> {
    positions: &'a [PositionInput],
    params: &'a HealthParams,
    level: HealthType,
    pub totals: CrossTotals,
    /// `priced_value` of each position, when `cached` (the totals pass ran and they fit).
    priced: [(I80F48, I80F48); PRICED_ON_STACK],
    cached: bool,
}

impl<'a> PricedPositions<'a> {
    pub(crate) fn new(
        positions: &'a [PositionInput],
        params: &'a HealthParams,
        level: HealthType,
    ) -> RiskResult<PricedPositions<'a>> {
        Self::with_need(positions, params, level, needs_cross_totals(positions, params, level))
    }

    /// `new` with `needs_cross_totals` already known.
    fn with_need(
        positions: &'a [PositionInput],
        params: &'a HealthParams,
        level: HealthType,
        needs_totals: bool,
    ) -> RiskResult<PricedPositions<'a>> {
        let mut out = PricedPositions {
            positions,
            params,
            level,
            totals: CrossTotals::ZERO,
            priced: [(I80F48::ZERO, I80F48::ZERO); PRICED_ON_STACK],
            cached: false,
        };
        if !needs_totals {
            return Ok(out);
        }
        if positions.len() > PRICED_ON_STACK {
            out.totals = cross_totals(positions, level)?;
            return Ok(out);
        }
        for (pos, slot) in positions.iter().zip(out.priced.iter_mut()) {
            *slot = priced_value(pos, level)?;
            out.totals.add(pos, slot.1)?;
        }
        out.totals.finish()?;
        out.cached = true;
        Ok(out)
    }

    /// The health of position `i` (no breakdown).
    pub(crate) fn health_of(&self, i: usize) -> RiskResult<PositionHealth> {
        let pos = &self.positions[i];
        if self.cached {
            position_health_priced(pos, self.params, self.level, &self.totals, false, self.priced[i])
        } else {
            position_health_inner(pos, self.params, self.level, &self.totals, false)
        }
    }
}

/// `cross_totals` when a position at `level` uses a cross-position factor, else zero totals
/// (which every position's health then ignores): the totals pass prices every position.
pub(crate) fn cross_totals_if_needed(
    positions: &[PositionInput],
    params: &HealthParams,
    level: HealthType,
) -> RiskResult<CrossTotals> {
    if needs_cross_totals(positions, params, level) {
        cross_totals(positions, level)
    } else {
        Ok(CrossTotals::ZERO)
    }
}

/// Health at `level` (the hot path: no breakdown kept, no allocation), each position priced
/// once where it fits (`PricedPositions`).
#[inline(never)]
pub fn health(positions: &[PositionInput], params: &HealthParams, level: HealthType) -> RiskResult<I80F48> {
    let mut total = I80F48::ZERO;
    let needs_totals = needs_cross_totals(positions, params, level);
    if !needs_totals {
        // without setting up the totals and the priced values (1 KB of stack)
        for pos in positions {
            total = total
                .add_c(position_health_inner(pos, params, level, &CrossTotals::ZERO, false)?.contribution)?;
        }
        return Ok(total);
    }
    let priced = PricedPositions::with_need(positions, params, level, needs_totals)?;
    for i in 0..positions.len() {
        total = total.add_c(priced.health_of(i)?.contribution)?;
    }
    Ok(total)
}

/// Health at the three levels: what clients show and what the liquidation predicates take.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct HealthLevels {
    pub init: I80F48,
    pub liquidation_end: I80F48,
    pub maint: I80F48,
}

impl HealthLevels {
    pub fn at(&self, level: HealthType) -> I80F48 {
        match level {
            HealthType::Init => self.init,
            HealthType::LiquidationEnd => self.liquidation_end,
            HealthType::Maint => self.maint,
        }
    }

    pub fn set(&mut self, level: HealthType, value: I80F48) {
        match level {
            HealthType::Init => self.init = value,
            HealthType::LiquidationEnd => self.liquidation_end = value,
            HealthType::Maint => self.maint = value,
        }
    }
}

/// `health` at Init, LiquidationEnd and Maint.
pub fn health_levels(positions: &[PositionInput], params: &HealthParams) -> RiskResult<HealthLevels> {
    Ok(HealthLevels {
        init: health(positions, params, HealthType::Init)?,
        liquidation_end: health(positions, params, HealthType::LiquidationEnd)?,
        maint: health(positions, params, HealthType::Maint)?,
    })
}

/// The breakdowns at the three levels (`health_report` at each).
#[derive(Debug, Clone, PartialEq)]
pub struct HealthReports {
    pub init: HealthReport,
    pub liquidation_end: HealthReport,
    pub maint: HealthReport,
}

impl HealthReports {
    pub fn at(&self, level: HealthType) -> &HealthReport {
        match level {
            HealthType::Init => &self.init,
            HealthType::LiquidationEnd => &self.liquidation_end,
            HealthType::Maint => &self.maint,
        }
    }

    /// Init, LiquidationEnd, Maint, in that order.
    pub fn iter(&self) -> impl Iterator<Item = &HealthReport> {
        [&self.init, &self.liquidation_end, &self.maint].into_iter()
    }

    pub fn levels(&self) -> HealthLevels {
        HealthLevels {
            init: self.init.health,
            liquidation_end: self.liquidation_end.health,
            maint: self.maint.health,
        }
    }
}

/// `health_report` at Init, LiquidationEnd and Maint.
pub fn health_reports(positions: &[PositionInput], params: &HealthParams) -> RiskResult<HealthReports> {
    Ok(HealthReports {
        init: health_report(positions, params, HealthType::Init)?,
        liquidation_end: health_report(positions, params, HealthType::LiquidationEnd)?,
        maint: health_report(positions, params, HealthType::Maint)?,
    })
}

/// Health at `level` with the per-position breakdown.
pub fn health_report(
    positions: &[PositionInput],
    params: &HealthParams,
    level: HealthType,
) -> RiskResult<HealthReport> {
    let totals = cross_totals(positions, level)?;
    let mut report = HealthReport {
        level,
        health: I80F48::ZERO,
        weighted_collateral: I80F48::ZERO,
        weighted_liabilities: I80F48::ZERO,
        positions: Vec::with_capacity(positions.len()),
        scans: Vec::new(),
    };
    for pos in positions {
        let ph = position_health(pos, params, level, &totals)?;
        if ph.contribution >= I80F48::ZERO {
            report.weighted_collateral = report.weighted_collateral.add_c(ph.contribution)?;
        } else {
            report.weighted_liabilities = report.weighted_liabilities.sub_c(ph.contribution)?;
        }
        report.health = report.health.add_c(ph.contribution)?;
        report.positions.push(ph);
    }
    Ok(report)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn weights(ia: f64, ma: f64, il: f64, ml: f64) -> AssetWeights {
        AssetWeights {
            init_asset: I80F48::from_num(ia),
            maint_asset: I80F48::from_num(ma),
            init_liab: I80F48::from_num(il),
            maint_liab: I80F48::from_num(ml),
        }
    }

    pub fn position(index: u16, balance: i64, spot: f64, w: AssetWeights) -> PositionInput {
        PositionInput {
            asset_index: index,
            balance: I80F48::from_num(balance),
            weights: w,
            conf_multiplier: I80F48::ZERO,
            prices: OraclePrices {
                spot: I80F48::from_num(spot),
                ema: I80F48::from_num(spot),
                conf: I80F48::ZERO,
                round_up: I80F48::ZERO,
            },
            oracle_usable: true,
            factors: RiskFactors::NONE,
        }
    }

    pub fn h(positions: &[PositionInput], level: HealthType) -> RiskResult<I80F48> {
        health(positions, &HealthParams::BASE, level)
    }

    pub fn ph(pos: &PositionInput, level: HealthType) -> RiskResult<PositionHealth> {
        let totals = cross_totals(core::slice::from_ref(pos), level)?;
        position_health(pos, &HealthParams::BASE, level, &totals)
    }

    #[test]
    fn hand_computed_basket() {
        // 10 SOL at $100 (price 0.1 quote-native per lamport, 1e10 lamports), weights 0.8/0.9;
        // 1,000 USDC (1e9 native at 1.0), weights 0.95/0.98;
        // borrow 500 USDT (5e8 native at 1.0), liab weights 1.05/1.02.
        let sol = position(0, 10_000_000_000, 0.1, weights(0.8, 0.9, 1.2, 1.1));
        let usdc = position(1, 1_000_000_000, 1.0, weights(0.95, 0.98, 1.05, 1.02));
        let usdt = position(2, -500_000_000, 1.0, weights(0.95, 0.98, 1.05, 1.02));
        let basket = [sol, usdc, usdt];
        // Init: 1e9*0.8 + 1e9*0.95 - 5e8*1.05 = 800e6 + 950e6 - 525e6 = 1_225e6 micro-USD.
        // 0.1 and 0.8 etc. are not exact in binary, so compare within a micro-USD.
        let init = h(&basket, HealthType::Init).unwrap();
        assert!((init - I80F48::from_num(1_225_000_000u64)).abs() < I80F48::ONE, "{init}");
        // Maint: 900e6 + 980e6 - 510e6 = 1_370e6.
        let maint = h(&basket, HealthType::Maint).unwrap();
        assert!((maint - I80F48::from_num(1_370_000_000u64)).abs() < I80F48::ONE, "{maint}");
        // LiquidationEnd: weights halfway: 850e6 + 965e6 - 517.5e6 = 1_297.5e6.
        let le = h(&basket, HealthType::LiquidationEnd).unwrap();
        assert!((le - I80F48::from_num(1_297_500_000u64)).abs() < I80F48::ONE, "{le}");
    }

    #[test]
    fn breakdown_adds_up_and_names_factors() {
        // 100 tokens (6 decimals) at spot 2.0 quote-native, ema 1.9, conf 0.01, k = 3, weight 0.5.
        let mut pos = position(4, 100_000_000, 2.0, weights(0.5, 0.6, 1.5, 1.4));
        pos.prices.ema = I80F48::from_num(1.9);
        pos.prices.conf = I80F48::from_num(0.01);
        pos.conf_multiplier = I80F48::from_num(3);
        let ph = ph(&pos, HealthType::Init).unwrap();
        // price = min(2.0, 1.9) - 3 * 0.01 = 1.87; value at spot 200e6; priced 187e6;
        // contribution 93.5e6; oracle cut 13e6; weight cut 93.5e6.
        let close = |a: I80F48, b: f64| (a - I80F48::from_num(b)).abs() < I80F48::from_num(1);
        assert!(close(ph.price * I80F48::from_num(100), 187.0));
        assert!(close(ph.contribution, 93_500_000.0));
        assert!(close(ph.cut(Factor::OracleUncertainty), 13_000_000.0));
        assert!(close(ph.cut(Factor::BaseWeight), 93_500_000.0));
        let sum: I80F48 = ph.factor_cuts.iter().copied().sum();
        assert_eq!(ph.spot_value - sum, ph.contribution);
    }

    #[test]
    fn unusable_oracle_zeroes_collateral_and_refuses_liability() {
        let mut coll = position(0, 1_000, 1.0, weights(0.9, 0.95, 1.1, 1.05));
        coll.oracle_usable = false;
        let ph = ph(&coll, HealthType::Init).unwrap();
        assert_eq!(ph.contribution, I80F48::ZERO);
        assert_eq!(ph.cut(Factor::OracleUnavailable), I80F48::from_num(1_000));
        let mut liab = position(7, -1_000, 1.0, weights(0.9, 0.95, 1.1, 1.05));
        liab.oracle_usable = false;
        assert_eq!(
            h(&[coll, liab], HealthType::Init),
            Err(RiskError::LiabilityOracleUnusable { asset_index: 7 })
        );
    }

    #[test]
    fn liabilities_round_up() {
        // 1 native unit of debt at a price of one ulp: rounds to more than zero.
        let mut liab = position(0, -1, 0.0, weights(1.0, 1.0, 1.0, 1.0));
        liab.prices.spot = I80F48::DELTA;
        liab.prices.ema = I80F48::DELTA;
        assert!(h(&[liab], HealthType::Maint).unwrap() < I80F48::ZERO);
    }

    #[test]
    fn size_liab_base_share_is_the_float_literal() {
        assert_eq!(SIZE_LIAB_BASE_SHARE, I80F48::from_num(0.8));
    }

    #[test]
    fn overflow_is_reported_not_panicked() {
        let huge = position(0, i64::MAX, 1e12, weights(1.0, 1.0, 1.0, 1.0));
        let many = [huge; 16];
        assert!(matches!(h(&many, HealthType::Maint), Err(RiskError::Math(_))));
    }

    fn f(v: f64) -> I80F48 {
        I80F48::from_num(v)
    }

    fn close(a: I80F48, b: f64, tol: f64) -> bool {
        (a - f(b)).abs() <= f(tol)
    }

    fn single(pos: &PositionInput, params: &HealthParams, level: HealthType) -> PositionHealth {
        let totals = cross_totals(core::slice::from_ref(pos), level).unwrap();
        position_health(pos, params, level, &totals).unwrap()
    }

    #[test]
    fn volatility_caps_weights() {
        // sigma 80%, horizon one day: sigma * sqrt(1/365) = 0.0418739; z = 2 at Init, 1 at Maint.
        let horizon_vol = 0.8 * (1.0f64 / 365.0).sqrt();
        let params = HealthParams { z_init: f(2.0), z_maint: f(1.0), ..HealthParams::BASE };
        let mut coll = position(0, 1_000, 1.0, weights(0.95, 0.99, 1.05, 1.01));
        coll.factors.horizon_vol = f(horizon_vol);
        let init = single(&coll, &params, HealthType::Init);
        assert!(close(init.weight, 1.0 - 2.0 * horizon_vol, 1e-12), "{}", init.weight);
        assert!(close(init.cut(Factor::Volatility), 1_000.0 * (0.95 - (1.0 - 2.0 * horizon_vol)), 1e-9));
        // at Maint the cap is 1 - 0.0419 = 0.958, below the 0.99 base
        assert!(close(single(&coll, &params, HealthType::Maint).weight, 1.0 - horizon_vol, 1e-12));
        let mut liab = coll;
        liab.balance = f(-1_000.0);
        assert!(close(single(&liab, &params, HealthType::Init).weight, 1.0 + 2.0 * horizon_vol, 1e-12));
        // with z = 0 the factor is off
        assert_eq!(single(&coll, &HealthParams::BASE, HealthType::Init).weight, f(0.95));
    }

    /// Drift's published integer formula for spot asset weights (spot_market math,
    /// SPOT_WEIGHT_PRECISION 1e4, SPOT_IMF_PRECISION 1e6, sizes in 1e9 precision).
    fn drift_size_discount_asset_weight(tokens: u128, imf_factor: u128, asset_weight: u128) -> u128 {
        let size = tokens * 1_000_000_000;
        let size_sqrt = (size * 10).isqrt() + 1;
        let imf_num = 1_000_000 + 100_000;
        let discounted = imf_num * 10_000 / (1_000_000 + size_sqrt * imf_factor / 100_000);
        asset_weight.min(discounted)
    }

    #[test]
    fn size_discount_matches_drift() {
        // imf 0.001 (1,000 in Drift's 1e6 precision), base asset weight 0.8
        for tokens in [100u128, 10_000, 250_000, 1_000_000, 25_000_000] {
            let mut pos = position(0, 0, 1.0, weights(0.8, 0.8, 1.2, 1.2));
            pos.balance = f(tokens as f64 * 1e6); // 6 decimals
            pos.factors.imf = f(0.001);
            pos.factors.token_unit = f(1e6);
            let ours: f64 = single(&pos, &HealthParams::BASE, HealthType::Maint).weight.to_num();
            let drift = drift_size_discount_asset_weight(tokens, 1_000, 8_000) as f64 / 10_000.0;
            assert!((ours - drift).abs() <= 1e-4, "{tokens} tokens: ours {ours}, drift {drift}");
        }
        // hand-computed: 1,000,000 tokens -> 1.1 / (1 + 0.001 * 1000) = 0.55
        let mut big = position(0, 1_000_000_000_000, 1.0, weights(0.8, 0.8, 1.1, 1.1));
        big.factors.imf = f(0.001);
        big.factors.token_unit = f(1e6);
        assert!(close(single(&big, &HealthParams::BASE, HealthType::Init).weight, 0.55, 1e-12));
        // and as a liability: max(1.1, 0.8 * 1.1 + 0.001 * 1000) = 1.88
        big.balance = -big.balance;
        let w = single(&big, &HealthParams::BASE, HealthType::Init).weight;
        assert!(close(w, 1.88, 1e-11), "{w}");
    }

    #[test]
    fn total_deposit_and_borrow_scaling_apply_at_init_only() {
        let mut coll = position(0, 1_000, 1.0, weights(0.8, 0.9, 1.2, 1.1));
        coll.factors.deposit_scale = f(0.5);
        assert!(close(single(&coll, &HealthParams::BASE, HealthType::Init).weight, 0.4, 1e-12));
        assert!(close(single(&coll, &HealthParams::BASE, HealthType::Maint).weight, 0.9, 1e-12));
        let mut liab = position(0, -1_000, 1.0, weights(0.8, 0.9, 1.2, 1.1));
        liab.factors.borrow_scale = f(1.5);
        assert!(close(single(&liab, &HealthParams::BASE, HealthType::Init).weight, 1.8, 1e-12));
    }

    #[test]
    fn concentration_haircuts_the_excess_at_init() {
        // A: 900, B: 100 (weights 1). A's threshold 50%, haircut 20%: excess 900 - 500 = 400,
        // cut 80. B is below its share.
        let mut a = position(0, 900, 1.0, weights(1.0, 1.0, 1.0, 1.0));
        a.factors.concentration_threshold = f(0.5);
        a.factors.concentration_haircut = f(0.2);
        let mut b = position(1, 100, 1.0, weights(1.0, 1.0, 1.0, 1.0));
        b.factors.concentration_threshold = f(0.5);
        b.factors.concentration_haircut = f(0.2);
        let report = health_report(&[a, b], &HealthParams::BASE, HealthType::Init).unwrap();
        assert!(close(report.positions[0].cut(Factor::Concentration), 80.0, 1e-9));
        assert_eq!(report.positions[1].cut(Factor::Concentration), I80F48::ZERO);
        assert!(close(report.health, 920.0, 1e-9));
        // Maint ignores it
        assert!(close(health(&[a, b], &HealthParams::BASE, HealthType::Maint).unwrap(), 1000.0, 1e-9));
    }

    #[test]
    fn correlation_group_offsets_matched_value() {
        // SOL collateral 1000 (w 0.8) against an mSOL debt of 600 (lw 1.2), both in group 1 with
        // Init weights 0.95 / 1.05. Matched 600: collateral credit (950 - 800) * 600/1000 = 90,
        // liability credit (720 - 630) * 600/600 = 90. Health 260 instead of 80.
        let mut params = HealthParams::BASE;
        params.correlation[0] = Some(CorrelationWeights { weights: weights(0.95, 0.97, 1.05, 1.03) });
        let mut sol = position(0, 1_000, 1.0, weights(0.8, 0.9, 1.2, 1.1));
        sol.factors.correlation_group = 1;
        let mut msol = position(1, -600, 1.0, weights(0.8, 0.9, 1.2, 1.1));
        msol.factors.correlation_group = 1;
        let report = health_report(&[sol, msol], &params, HealthType::Init).unwrap();
        assert!(close(report.positions[0].cut(Factor::Correlation), -90.0, 1e-9));
        assert!(close(report.positions[1].cut(Factor::Correlation), -90.0, 1e-9));
        assert!(close(report.health, 260.0, 1e-9), "{}", report.health);
        assert!(close(health(&[sol, msol], &HealthParams::BASE, HealthType::Init).unwrap(), 80.0, 1e-9));
        // an asset outside the group gets no credit
        let mut usdc = msol;
        usdc.factors.correlation_group = 0;
        assert!(close(health(&[sol, usdc], &params, HealthType::Init).unwrap(), 80.0, 1e-9));
    }
}
