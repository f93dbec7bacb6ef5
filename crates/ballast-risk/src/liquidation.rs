//! Liquidation planning: how much liability a liquidator takes over and which collateral pays for
//! it. Pure: the handler feeds it the liquidatee's positions priced for liquidation and applies
//! the plan.
//!
//! Every native unit of liability `l` taken over, paid with collateral `c` at a bonus `b`, moves
//! `u = spot_l * (1 + b) / spot_c` units of `c` and changes the liquidatee's LiquidationEnd health
//! by
//!
//!   g = price_liab_LE(l) * lw_LE(l)  -  u * price_coll_LE(c) * aw_LE(c)
//!
//! (positive whenever the bonus is below the haircut, which validation guarantees), with each
//! weight the position's effective weight after every factor. The amount is the closed form
//! `x = deficit / g`, capped by the debt, by the liquidator's maximum and by what the collateral
//! can pay; when one collateral runs out the next in priority order pays for the rest. With the
//! base weights the closed form is exact; the size factor only makes a liquidation gain more than
//! `g` predicts (debt's weight falls as it shrinks, collateral's rises), so the result lands at or
//! just above zero; the handler checks the outcome either way.
//!
//! Priority order: collateral with the highest maintenance asset weight first (the least haircut,
//! which for listed assets is the most liquid), ties broken by the lower asset index.
//!
//! Dust rule: a remainder of the debt or of a collateral worth less than the group's dust value
//! (at most `validation::MAX_DUST_VALUE`) is liquidated whole, so no liquidation leaves a
//! position too small to be worth liquidating; a collateral remainder is only taken together
//! with the liability it pays for, never handed over for free.

use crate::health::PricedPositions;
use crate::math::{CheckedFixed, I80F48};
use crate::types::*;

/// How far above zero LiquidationEnd health a liquidation aims: 2^-16 quote-native units, about
/// 1.5e-11 USD.
pub const TARGET_MARGIN: I80F48 = I80F48::from_bits(1 << 32);

/// The bonus at `elapsed` seconds into a liquidation: starts at `start`, grows linearly to `cap`
/// over `ramp_secs`, then stays there.
pub fn liquidation_bonus(start: I80F48, cap: I80F48, elapsed: i64, ramp_secs: u32) -> I80F48 {
    if ramp_secs == 0 || elapsed >= i64::from(ramp_secs) || cap <= start {
        return cap.max(start);
    }
    let elapsed = elapsed.max(0);
    // (cap - start) <= 1 and 0 <= elapsed < ramp_secs < 2^32: cannot overflow. An exact product
    // by an integer and a division by one, the same bits as `fixed`'s `* from_num(elapsed) /
    // from_num(ramp_secs)` (both truncate a non-negative quotient) without its 128-bit helpers,
    // which cost about 1,300 CU per asset on SBF.
    match crate::math::mul_int(cap - start, i128::from(elapsed))
        .and_then(|ramped| crate::math::div_by_u32(ramped, ramp_secs))
    {
        Ok(ramped) => start + ramped,
        Err(_) => cap,
    }
}

/// An episode that saw no liquidation step for this long lapses, at the least; longer bonus
/// ramps extend it to the ramp.
pub const MIN_EPISODE_IDLE_SECS: u32 = 3_600;

/// How long a liquidation episode may go without a step before it lapses: the bonus ramp, and
/// at least `MIN_EPISODE_IDLE_SECS`.
pub fn episode_idle_limit(ramp_secs: u32) -> i64 {
    i64::from(ramp_secs.max(MIN_EPISODE_IDLE_SECS))
}

/// Whether a flagged account's liquidation episode is still on. Without a lapse, a flag set at
/// a brief dip (a liquidation of one native unit is enough) would leave the account
/// liquidatable at the LiquidationEnd threshold, at the capped bonus, long after prices
/// recovered; a lapsed episode is judged at Maint again and restarts the bonus ramp.
pub fn episode_live(flagged: bool, last_step_ts: i64, now: i64, ramp_secs: u32) -> bool {
    flagged && now.saturating_sub(last_step_ts) <= episode_idle_limit(ramp_secs)
}

/// The liquidation predicate, for the program and its clients alike: Maint health below zero,
/// or an episode still on and LiquidationEnd health below zero (`liquidation_end` is only
/// needed in that case).
pub fn is_liquidatable(maint: I80F48, liquidation_end: Option<I80F48>, episode_live: bool) -> bool {
    maint < I80F48::ZERO || (episode_live && liquidation_end.is_some_and(|le| le < I80F48::ZERO))
}

/// Value at spot, no haircuts, of the collateral (positive balances) among `positions`.
pub fn collateral_spot_value(positions: &[PositionInput]) -> crate::math::MathResult<I80F48> {
    let mut total = I80F48::ZERO;
    for p in positions.iter().filter(|p| p.balance > I80F48::ZERO) {
        total = total.add_c(p.balance.mul_c(p.prices.spot)?)?;
    }
    Ok(total)
}

/// Value at spot, no haircuts, of the debts (negative balances) among `positions`, rounded up.
pub fn debt_spot_value(positions: &[PositionInput]) -> crate::math::MathResult<I80F48> {
    let mut total = I80F48::ZERO;
    for p in positions.iter().filter(|p| p.balance < I80F48::ZERO) {
        total = total.add_c(crate::math::mul_ceil(I80F48::ZERO.sub_c(p.balance)?, p.prices.spot)?)?;
    }
    Ok(total)
}

/// Net value at spot, no haircuts: collateral (rounded down) less debts (rounded up).
pub fn net_spot_value(positions: &[PositionInput]) -> crate::math::MathResult<I80F48> {
    collateral_spot_value(positions)?.sub_c(debt_spot_value(positions)?)
}

/// Bankrupt: the account owes more than its collateral is worth at spot, and that collateral
/// is worth less than the dust value, so no liquidation can repay the debt and only a write-off
/// helps (`resolve_bankruptcy`). Dust does not shield an account from it; a small account that is
/// still solvent is not bankrupt (it is liquidated, or left alone).
pub fn is_bankrupt(positions: &[PositionInput], dust_value: I80F48) -> crate::math::MathResult<bool> {
    let collateral = collateral_spot_value(positions)?;
    Ok(collateral < dust_value && collateral < debt_spot_value(positions)?)
}

/// What a liquidation leaves between equity and zero at the least (2^-16 quote-native units, as
/// `TARGET_MARGIN`), so the rounding of the transfers (against the liquidatee, a few ulps)
/// cannot take a solvent account below.
pub const SOLVENCY_MARGIN: I80F48 = TARGET_MARGIN;

/// A bound on how much more than its bonus a leg costs the account through the rounding of its
/// rate, relative to the value it pays for: the rate (collateral units per unit of debt) is
/// rounded up by at most one ulp, 2^-48 units, which is `2^-48 / units` of the rate. Twice that,
/// from the rate's bit length (no division): `units >= 2^(79 - lz)` with `lz` its leading zeros.
pub fn rate_rounding_slack(units_per_liab: I80F48) -> I80F48 {
    let lz = units_per_liab.to_bits().leading_zeros();
    // 2 * 2^-48 / 2^(79 - lz) = 2^(lz - 126), i.e. 2^(lz - 78) in bits; at least one ulp
    I80F48::from_bits(1i128 << lz.saturating_sub(78).min(100))
}

/// The bonus a liquidation pays on at most `value_taken` (quote-native, at spot) of an account
/// with `equity` (`derivatives::portfolio_equity`): the ramped `bonus`, but never more than
/// the equity can pay, so no liquidation makes a solvent account insolvent (every unit of value
/// taken over costs the account `bonus` of equity, so `bonus * value_taken <= equity` keeps
/// it at or above zero). The bonus shrinks as the equity runs out, as Kamino caps its bonus by
/// `1 - LTV` (this is the exact form of that bound, `1 / LTV - 1`). An account already
/// insolvent cannot be made so; it pays `insolvent_bonus` (the asset's fee at the start of the
/// ramp) so that its collateral is still worth taking before it loses more, as Kamino pays a
/// bad-debt bonus.
pub fn solvency_capped_bonus(
    bonus: I80F48,
    insolvent_bonus: I80F48,
    equity: I80F48,
    value_taken: I80F48,
) -> crate::math::MathResult<I80F48> {
    Ok(BonusCap::of(equity, value_taken)?.apply(bonus, insolvent_bonus))
}

/// The solvency cap of one liquidation, computed once (a division) and applied to each leg.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum BonusCap {
    /// Equity at or below zero: each leg pays its `insolvent_bonus`.
    Insolvent,
    /// The most bonus the equity can pay on the value taken over (`I80F48::MAX`: none taken).
    Room(I80F48),
}

impl BonusCap {
    pub fn of(equity: I80F48, value_taken: I80F48) -> crate::math::MathResult<BonusCap> {
        if equity <= I80F48::ZERO {
            return Ok(BonusCap::Insolvent);
        }
        if value_taken <= I80F48::ZERO {
            return Ok(BonusCap::Room(I80F48::MAX));
        }
        // rounded down (truncating division of non-negatives): the cap is against the liquidatee;
        // each leg also leaves room for its rate's rounding (`rate_rounding_slack`)
        let room = equity.sub_c(SOLVENCY_MARGIN)?.max(I80F48::ZERO).div_c(value_taken)?;
        Ok(BonusCap::Room(room))
    }

    pub fn apply(&self, bonus: I80F48, insolvent_bonus: I80F48) -> I80F48 {
        match self {
            BonusCap::Insolvent => bonus.min(insolvent_bonus),
            BonusCap::Room(room) => bonus.min(*room),
        }
    }
}

/// Per-collateral bonus: the asset's start fee and cap, evaluated by the caller at the current time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CollateralTerms {
    pub asset_index: u16,
    /// The ramped bonus (`liquidation_bonus`) before the solvency cap.
    pub bonus: I80F48,
    /// The asset's fee at the start of the ramp: what an insolvent account pays
    /// (`solvency_capped_bonus`).
    pub insolvent_bonus: I80F48,
    /// Whether the liquidator already has a position in this asset (receiving it then needs
    /// no free position slot).
    pub held_by_liquidator: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LiquidationRequest {
    pub liab_index: u16,
    /// Most liability (native units) the liquidator will take over.
    pub max_liab: I80F48,
    /// Remainders worth less than this (quote-native) are taken whole rather than left as dust.
    pub dust_value: I80F48,
    /// How many collateral assets the liquidator does not hold yet it can receive (its free
    /// position slots): the plan skips further such collateral rather than fail the liquidation.
    pub max_new_collateral: usize,
    /// Health at LiquidationEnd from outside the token positions (derivatives: weighted PnL,
    /// hedge credits, scan requirements), held fixed while planning; the caller checks the
    /// result with the full portfolio.
    pub other_health: I80F48,
    /// LiquidationEnd health of the token positions (`health::health` at LiquidationEnd),
    /// which the caller has computed to decide the liquidation: the plan starts from it rather
    /// than price every position again.
    pub token_health: I80F48,
    /// The account's equity at spot, tokens and derivatives (`derivatives::portfolio_equity`),
    /// which caps every leg's bonus (`solvency_capped_bonus`).
    pub equity: I80F48,
}

/// One collateral asset seized.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CollateralLeg {
    pub asset_index: u16,
    /// Native units leaving the liquidatee (the liquidator's share plus the insurance share).
    pub amount: I80F48,
    /// Liability native units this leg pays for.
    pub liab_amount: I80F48,
    pub bonus: I80F48,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LiquidationPlan {
    pub liab_amount: I80F48,
    pub legs: Vec<CollateralLeg>,
    pub health_before: I80F48,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiquidationError {
    Risk(RiskError),
    /// The named asset is not a liability of the account.
    NotALiability,
    /// No collateral with a usable oracle that liquidating against would help.
    NoUsableCollateral,
}

impl From<RiskError> for LiquidationError {
    fn from(e: RiskError) -> Self {
        LiquidationError::Risk(e)
    }
}

impl From<crate::math::MathError> for LiquidationError {
    fn from(e: crate::math::MathError) -> Self {
        LiquidationError::Risk(RiskError::Math(e))
    }
}

/// Plans the least liquidation that brings LiquidationEnd health to zero. `positions` are the
/// liquidatee's, priced with the liquidation oracle policy; `terms` gives the bonus of every
/// collateral asset (assets without terms are not seized).
pub fn plan_liquidation(
    positions: &[PositionInput],
    params: &HealthParams,
    terms: &[CollateralTerms],
    req: &LiquidationRequest,
) -> Result<LiquidationPlan, LiquidationError> {
    const LE: HealthType = HealthType::LiquidationEnd;
    // each position priced once for the totals and its own health
    let priced = PricedPositions::new(positions, params, LE)?;
    let health_before = req.token_health.add_c(req.other_health)?;
    let liab_at = positions
        .iter()
        .position(|p| p.asset_index == req.liab_index && p.balance < I80F48::ZERO)
        .ok_or(LiquidationError::NotALiability)?;
    let liab = &positions[liab_at];
    let debt = I80F48::ZERO.sub_c(liab.balance)?;
    let mut liab_left = debt.min(req.max_liab);
    let liab_spot = liab.prices.spot;
    // The cap is measured on this liability's whole debt, not on the liquidator's maximum: every
    // step then costs at most `equity / debt` per unit taken over, which leaves that ratio as it
    // was, so splitting a liquidation into small steps cannot drain the equity to zero first.
    let cap = BonusCap::of(req.equity, crate::math::mul_ceil(debt, liab_spot)?)?;
    // Health regained per native unit of debt removed: the position's requirement per unit,
    // with every factor at its current value (the size factor only improves as debt shrinks).
    let liab_gain = I80F48::ZERO.sub_c(priced.health_of(liab_at)?.contribution)?.div_c(debt)?;

    let mut collateral: Vec<(usize, &PositionInput)> = positions
        .iter()
        .enumerate()
        .filter(|(_, p)| p.balance > I80F48::ZERO && p.oracle_usable && p.prices.spot > 0)
        .collect();
    collateral.sort_unstable_by(|(_, a), (_, b)| {
        b.weights.maint_asset.cmp(&a.weights.maint_asset).then(a.asset_index.cmp(&b.asset_index))
    });

    // Aim a hair above zero so the rounding of the transfers (always against the liquidatee)
    // cannot leave the account a few ulps short and still flagged.
    let mut deficit = I80F48::ZERO.sub_c(health_before)?.max(I80F48::ZERO).add_c(TARGET_MARGIN)?;
    let mut legs = Vec::new();
    let mut liab_amount = I80F48::ZERO;
    let mut new_collateral = 0usize;
    for (coll_at, coll) in collateral {
        if deficit <= I80F48::ZERO || liab_left <= I80F48::ZERO {
            break;
        }
        let Some(t) = terms.iter().find(|t| t.asset_index == coll.asset_index) else { continue };
        if !t.held_by_liquidator && new_collateral >= req.max_new_collateral {
            continue;
        }
        // collateral units per liability unit, rounded up: the liquidatee pays at least the bonus
        let capped = cap.apply(t.bonus, t.insolvent_bonus);
        let mut bonus = capped;
        let mut units_per_liab =
            crate::math::div_ceil(liab_spot.mul_c(I80F48::ONE.add_c(bonus)?)?, coll.prices.spot)?;
        // Health lost per native unit of this collateral, at its current effective weight.
        let per_unit = priced.health_of(coll_at)?.contribution.div_c(coll.balance)?;
        let mut gain = liab_gain.sub_c(per_unit.mul_c(units_per_liab)?)?;
        if gain <= I80F48::ZERO && bonus > I80F48::ZERO && per_unit > I80F48::ZERO {
            // The bonus is larger than the haircut this collateral carries against this debt (a
            // correlated pair at its group's weights): pay half the room there is instead, so
            // such an account stays liquidatable rather than `NoUsableCollateral`.
            let at_par = crate::math::div_ceil(liab_spot, coll.prices.spot)?;
            let most = liab_gain.div_c(per_unit)?;
            if most > at_par {
                let halfway = crate::math::div_ceil(at_par.add_c(most)?, I80F48::from_num(2))?;
                bonus = halfway
                    .mul_c(coll.prices.spot)?
                    .div_c(liab_spot)?
                    .sub_c(I80F48::ONE)?
                    .max(I80F48::ZERO)
                    .min(capped);
                // the rate follows the bonus (which the cap may have lowered further)
                units_per_liab =
                    crate::math::div_ceil(liab_spot.mul_c(I80F48::ONE.add_c(bonus)?)?, coll.prices.spot)?
                        .min(halfway)
                        .max(at_par);
                gain = liab_gain.sub_c(per_unit.mul_c(units_per_liab)?)?;
            }
        }
        if let BonusCap::Room(room) = cap {
            let slack = rate_rounding_slack(units_per_liab);
            if bonus.add_c(slack)? > room {
                // what the rate's rounding adds to the bonus must fit in the room too
                bonus = room.sub_c(slack)?.max(I80F48::ZERO);
                units_per_liab =
                    crate::math::div_ceil(liab_spot.mul_c(I80F48::ONE.add_c(bonus)?)?, coll.prices.spot)?;
                gain = liab_gain.sub_c(per_unit.mul_c(units_per_liab)?)?;
            }
        }
        if gain <= I80F48::ZERO {
            continue;
        }
        let needed = crate::math::div_ceil(deficit, gain)?;
        let affordable = coll.balance.div_c(units_per_liab)?;
        let mut x = needed.min(affordable).min(liab_left);
        // Dust: if what would remain of the debt is worth less than the dust value and this
        // collateral can pay for it all, take it all.
        let rest = liab_left.sub_c(x)?;
        if rest > I80F48::ZERO && rest.mul_c(liab_spot)? < req.dust_value && affordable >= liab_left {
            x = liab_left;
        }
        if x <= I80F48::ZERO {
            continue;
        }
        // Paying with all of this collateral takes all of it (no sub-unit remainder).
        let mut amount =
            if x >= affordable { coll.balance } else { x.mul_c(units_per_liab)?.min(coll.balance) };
        // Dust on the collateral side: a remainder worth less than the dust value goes too, but
        // only paid for: the liquidator then takes over the liability the whole collateral
        // pays for, which must still be within the debt and the liquidator's maximum.
        let coll_rest = coll.balance.sub_c(amount)?;
        if coll_rest > I80F48::ZERO
            && coll_rest.mul_c(coll.prices.spot)? < req.dust_value
            && affordable <= liab_left
        {
            amount = coll.balance;
            x = affordable;
        }
        legs.push(CollateralLeg { asset_index: coll.asset_index, amount, liab_amount: x, bonus });
        if !t.held_by_liquidator {
            new_collateral += 1;
        }
        deficit = deficit.sub_c(x.mul_c(gain)?)?;
        liab_left = liab_left.sub_c(x)?;
        liab_amount = liab_amount.add_c(x)?;
    }
    if legs.is_empty() {
        return Err(LiquidationError::NoUsableCollateral);
    }
    Ok(LiquidationPlan { liab_amount, legs, health_before })
}

/// Applies a plan to a copy of the positions (native balances), for checking its effect.
pub fn apply_plan(
    positions: &[PositionInput],
    plan: &LiquidationPlan,
    liab_index: u16,
) -> Vec<PositionInput> {
    positions
        .iter()
        .map(|p| {
            let mut p = *p;
            if p.asset_index == liab_index {
                p.balance += plan.liab_amount;
            }
            for leg in &plan.legs {
                if leg.asset_index == p.asset_index {
                    p.balance -= leg.amount;
                }
            }
            p
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::tests::{h as health, position, weights};

    fn f(v: f64) -> I80F48 {
        I80F48::from_num(v)
    }

    /// A request for `liab_index` up to `max_liab`, no dust value, no slot limit, no derivatives,
    /// the equity and health of `pos` (base parameters).
    pub(super) fn request(liab_index: u16, max_liab: I80F48, pos: &[PositionInput]) -> LiquidationRequest {
        request_in(&HealthParams::BASE, liab_index, max_liab, pos)
    }

    /// `request` with the health of `pos` under `params`.
    pub(super) fn request_in(
        params: &HealthParams,
        liab_index: u16,
        max_liab: I80F48,
        pos: &[PositionInput],
    ) -> LiquidationRequest {
        LiquidationRequest {
            liab_index,
            max_liab,
            dust_value: I80F48::ZERO,
            max_new_collateral: usize::MAX,
            other_health: I80F48::ZERO,
            token_health: crate::health::health(pos, params, HealthType::LiquidationEnd).unwrap(),
            equity: net_spot_value(pos).unwrap(),
        }
    }

    #[test]
    fn bonus_ramps_to_its_cap() {
        assert_eq!(liquidation_bonus(f(0.02), f(0.06), 0, 100), f(0.02));
        assert!((liquidation_bonus(f(0.02), f(0.06), 50, 100) - f(0.04)).abs() < f(1e-12));
        assert_eq!(liquidation_bonus(f(0.02), f(0.06), 100, 100), f(0.06));
        assert_eq!(liquidation_bonus(f(0.02), f(0.06), 10_000, 100), f(0.06));
    }

    #[test]
    fn single_collateral_closed_form() {
        // Collateral: 100 units at 1.0, weights 0.8/0.9 (LE 0.85). Debt: 95 units at 1.0,
        // weights 1.2/1.1 (LE 1.15). LE health = 85 - 109.25 = -24.25.
        // Bonus 5%: u = 1.05; g = 1.15 - 1.05 * 0.85 = 0.2575 per unit; x = 24.25 / 0.2575 = 94.17...
        let pos = [
            position(0, 100, 1.0, weights(0.8, 0.9, 1.2, 1.1)),
            position(1, -95, 1.0, weights(0.8, 0.9, 1.2, 1.1)),
        ];
        let terms = [CollateralTerms {
            asset_index: 0,
            bonus: f(0.05),
            insolvent_bonus: f(0.05),
            held_by_liquidator: true,
        }];
        let req = request(1, f(1e9), &pos);
        let plan = plan_liquidation(&pos, &HealthParams::BASE, &terms, &req).unwrap();
        assert!((plan.health_before - f(-24.25)).abs() < f(1e-9));
        assert!((plan.liab_amount - f(24.25 / 0.2575)).abs() < f(1e-3), "{}", plan.liab_amount);
        assert_eq!(plan.legs.len(), 1);
        assert!((plan.legs[0].amount - f(24.25 / 0.2575 * 1.05)).abs() < f(1e-3));
        // afterwards LE health is zero (to rounding), not more
        let after = health(&apply_plan(&pos, &plan, 1), HealthType::LiquidationEnd).unwrap();
        assert!(after >= I80F48::ZERO && after < f(1e-3), "{after}");
    }

    #[test]
    fn priority_order_spans_assets() {
        // Three collaterals; the stable (maint 0.98) goes first, then SOL-like (0.9), then the
        // long tail (0.7). The stable is too small to restore health alone.
        let pos = [
            position(0, 10, 1.0, weights(0.6, 0.7, 1.4, 1.3)),
            position(1, 5, 1.0, weights(0.95, 0.98, 1.05, 1.02)),
            position(2, 100, 1.0, weights(0.8, 0.9, 1.2, 1.1)),
            position(3, -100, 1.0, weights(0.8, 0.9, 1.2, 1.1)),
        ];
        let terms = [
            CollateralTerms {
                asset_index: 0,
                bonus: f(0.1),
                insolvent_bonus: f(0.1),
                held_by_liquidator: true,
            },
            CollateralTerms {
                asset_index: 1,
                bonus: f(0.01),
                insolvent_bonus: f(0.01),
                held_by_liquidator: true,
            },
            CollateralTerms {
                asset_index: 2,
                bonus: f(0.05),
                insolvent_bonus: f(0.05),
                held_by_liquidator: true,
            },
        ];
        let req = request(3, f(1e9), &pos);
        let plan = plan_liquidation(&pos, &HealthParams::BASE, &terms, &req).unwrap();
        let order: Vec<u16> = plan.legs.iter().map(|l| l.asset_index).collect();
        assert_eq!(order, vec![1, 2]);
        // A liquidator with one free position slot and none of these assets receives only the
        // first collateral in priority order (it could not hold a second).
        let new_terms = terms.map(|t| CollateralTerms { held_by_liquidator: false, ..t });
        let one_slot = LiquidationRequest { max_new_collateral: 1, ..req };
        let plan1 = plan_liquidation(&pos, &HealthParams::BASE, &new_terms, &one_slot).unwrap();
        assert_eq!(plan1.legs.iter().map(|l| l.asset_index).collect::<Vec<_>>(), vec![1]);
        // ... unless it already holds the second
        let mut held = new_terms;
        held[2].held_by_liquidator = true;
        let plan2 = plan_liquidation(&pos, &HealthParams::BASE, &held, &one_slot).unwrap();
        assert_eq!(plan2.legs.iter().map(|l| l.asset_index).collect::<Vec<_>>(), vec![1, 2]);
        assert_eq!(plan.legs[0].amount, f(5.0)); // the stable is used up
        let after = health(&apply_plan(&pos, &plan, 3), HealthType::LiquidationEnd).unwrap();
        assert!(after >= I80F48::ZERO && after < f(1e-3), "{after}");
    }

    /// Finding 7: a collateral remainder below the dust value goes to the liquidator only with
    /// the liability it pays for.
    #[test]
    fn collateral_dust_is_paid_for() {
        // A: 1000 units at 1.0 (maint 0.9, LE 0.85), C: 2196 at 1.0 (maint 0.6, LE 0.55),
        // debt 2000 at 1.0 (LE 1.15). LE health = 850 + 1207.8 - 2300 = -242.2; A pays first at
        // 5%: g = 1.15 - 1.05 * 0.85 = 0.2575, needed = 940.6 units of debt and 987.6 of A,
        // leaving 12.4 of A: dust under a dust value of 20.
        let pos = [
            position(0, 1000, 1.0, weights(0.8, 0.9, 1.2, 1.1)),
            position(1, 2196, 1.0, weights(0.5, 0.6, 1.2, 1.1)),
            position(2, -2000, 1.0, weights(0.8, 0.9, 1.2, 1.1)),
        ];
        let terms = [
            CollateralTerms {
                asset_index: 0,
                bonus: f(0.05),
                insolvent_bonus: f(0.05),
                held_by_liquidator: true,
            },
            CollateralTerms {
                asset_index: 1,
                bonus: f(0.05),
                insolvent_bonus: f(0.05),
                held_by_liquidator: true,
            },
        ];
        let req = LiquidationRequest { dust_value: f(20.0), ..request(2, f(1e9), &pos) };
        let plan = plan_liquidation(&pos, &HealthParams::BASE, &terms, &req).unwrap();
        let leg = plan.legs[0];
        assert_eq!((leg.asset_index, leg.amount), (0, f(1000.0)));
        // the whole of A pays for 1000 / 1.05 = 952.38 units of debt, not the 940.6 health needs
        assert!((leg.liab_amount - f(1000.0 / 1.05)).abs() < f(1e-9), "{}", leg.liab_amount);
        assert!(leg.amount <= leg.liab_amount * f(1.05) + f(1e-9));
        // with the debt capped below what the whole of A pays for, the remainder stays
        let capped = LiquidationRequest { max_liab: f(940.0), ..req };
        let plan = plan_liquidation(&pos, &HealthParams::BASE, &terms, &capped).unwrap();
        assert_eq!(plan.liab_amount, f(940.0));
        assert!(plan.legs[0].amount < f(1000.0) && plan.legs[0].amount >= f(940.0 * 1.05));
    }

    /// A correlated pair at its group's weights (0.98 / 1.02 at LiquidationEnd) carries less
    /// haircut than a 5% bonus (1.05 * 0.98 > 1.02): the bonus shrinks to half the room, and the
    /// account stays liquidatable instead of `NoUsableCollateral`.
    #[test]
    fn a_bonus_above_the_pair_haircut_shrinks_instead_of_blocking() {
        use crate::{AssetWeights, CorrelationWeights};
        let w = weights(0.8, 0.9, 1.2, 1.1);
        let mut coll = position(0, 1000, 1.0, w);
        let mut debt = position(1, -1000, 1.0, w);
        coll.factors.correlation_group = 1;
        debt.factors.correlation_group = 1;
        let mut params = HealthParams::BASE;
        params.correlation[0] = Some(CorrelationWeights {
            weights: AssetWeights {
                init_asset: f(0.97),
                maint_asset: f(0.99),
                init_liab: f(1.03),
                maint_liab: f(1.01),
            },
        });
        let pos = [coll, debt];
        // Maint 990 - 1010 = -20; LiquidationEnd (0.98 / 1.02) 980 - 1020 = -40
        let terms = [CollateralTerms {
            asset_index: 0,
            bonus: f(0.05),
            insolvent_bonus: f(0.05),
            held_by_liquidator: true,
        }];
        let req = request_in(&params, 1, f(1e9), &pos);
        let plan = plan_liquidation(&pos, &params, &terms, &req).unwrap();
        let leg = plan.legs[0];
        // room: 1.02 / 0.98 = 1.0408 units per unit of debt at most; half of it above par: ~2.04%
        assert!(leg.bonus > f(0.02) && leg.bonus < f(0.021), "{}", leg.bonus);
        // the whole pair goes (the closed form wants 40 / 0.02 = 2,000 units of debt, more than
        // the 980 the collateral pays for) and health improves from -40
        assert_eq!(leg.amount, f(1000.0));
        let after = crate::health(&apply_plan(&pos, &plan, 1), &params, HealthType::LiquidationEnd).unwrap();
        assert!(after > f(-40.0), "{after}");
    }

    #[test]
    fn bankrupt_means_debt_and_collateral_below_the_dust_value() {
        let dust = f(0.01);
        let w = weights(0.8, 0.9, 1.2, 1.1);
        let broke = [position(0, 5, 0.001, w), position(1, -5, 1.0, w)];
        assert!(is_bankrupt(&broke, dust).unwrap());
        let solvent = [position(0, 20, 0.001, w), position(1, -5, 1.0, w)];
        assert!(!is_bankrupt(&solvent, dust).unwrap());
        let no_debt = [position(0, 5, 0.001, w)];
        assert!(!is_bankrupt(&no_debt, dust).unwrap());
        // under the dust value but still solvent: $0.009 of collateral, $0.005 of debt
        let small = [position(0, 9, 0.001, w), position(1, -5, 0.001, w)];
        assert!(!is_bankrupt(&small, dust).unwrap());
    }

    #[test]
    fn max_liab_and_dust() {
        let pos = [
            position(0, 100, 1.0, weights(0.8, 0.9, 1.2, 1.1)),
            position(1, -95, 1.0, weights(0.8, 0.9, 1.2, 1.1)),
        ];
        let terms = [CollateralTerms {
            asset_index: 0,
            bonus: f(0.05),
            insolvent_bonus: f(0.05),
            held_by_liquidator: true,
        }];
        let capped = request(1, f(10.0), &pos);
        assert_eq!(
            plan_liquidation(&pos, &HealthParams::BASE, &terms, &capped).unwrap().liab_amount,
            f(10.0)
        );
        // a dust value above the ~0.83 left over takes the whole debt
        let dusty = LiquidationRequest { dust_value: f(1.0), ..request(1, f(1e9), &pos) };
        let plan = plan_liquidation(&pos, &HealthParams::BASE, &terms, &dusty).unwrap();
        assert_eq!(plan.liab_amount, f(95.0));
        let not_liab = LiquidationRequest { liab_index: 0, ..dusty };
        assert_eq!(
            plan_liquidation(&pos, &HealthParams::BASE, &terms, &not_liab),
            Err(LiquidationError::NotALiability)
        );
    }
}

#[cfg(test)]
mod solvency_tests {
    use super::tests::request;
    use super::*;
    use crate::health::tests::{h as health, position, weights};

    fn f(v: f64) -> I80F48 {
        I80F48::from_num(v)
    }

    /// The attack the review found: a liquidator taking the debt in small steps would, with the
    /// cap measured on its own maximum, get the full bonus on each step until the equity was
    /// gone and leave the account open with no bonus for anyone. Measured on the whole debt, each
    /// step costs at most `equity / debt` per unit, so that ratio never falls: 100 units against
    /// 98 (2 / 98) taken 10 at a time keeps at least 2 / 98 of every unit of debt left as equity.
    #[test]
    fn small_steps_cannot_drain_the_equity() {
        let w = weights(0.8, 0.9, 1.2, 1.1);
        let mut pos = vec![position(0, 100, 1.0, w), position(1, -98, 1.0, w)];
        let terms = [CollateralTerms {
            asset_index: 0,
            bonus: f(0.05),
            insolvent_bonus: f(0.04),
            held_by_liquidator: true,
        }];
        let ratio = f(2.0 / 98.0);
        for _ in 0..20 {
            let req = request(1, f(10.0), &pos);
            let Ok(plan) = plan_liquidation(&pos, &HealthParams::BASE, &terms, &req) else { break };
            pos = apply_plan(&pos, &plan, 1);
            let debt = -pos[1].balance;
            if debt <= I80F48::ZERO {
                break;
            }
            let equity = net_spot_value(&pos).unwrap();
            assert!(equity >= ratio * debt - f(1e-6), "equity {equity} on debt {debt}");
        }
    }

    #[test]
    fn the_bonus_is_capped_by_equity_and_insolvent_accounts_pay_the_start_fee() {
        // $50 of equity on at most $3,000 taken over: (50 - 2^-16 micro-USD) / 3000
        let cap = solvency_capped_bonus(f(0.05), f(0.02), f(50e6), f(3_000e6)).unwrap();
        assert!((cap - f(50.0 / 3_000.0)).abs() < f(1e-12), "{cap}");
        assert!(cap * f(3_000e6) <= f(50e6) - SOLVENCY_MARGIN);
        // a bonus under the cap is paid in full
        assert_eq!(solvency_capped_bonus(f(0.01), f(0.01), f(50e6), f(3_000e6)).unwrap(), f(0.01));
        // solvent by less than the margin: nothing
        let hair = SOLVENCY_MARGIN / 2;
        assert_eq!(solvency_capped_bonus(f(0.05), f(0.02), hair, f(3_000e6)).unwrap(), I80F48::ZERO);
        // insolvent: the start fee, never above the ramped bonus
        assert_eq!(solvency_capped_bonus(f(0.05), f(0.02), f(-10e6), f(3_000e6)).unwrap(), f(0.02));
        assert_eq!(solvency_capped_bonus(f(0.01), f(0.02), f(-10e6), f(3_000e6)).unwrap(), f(0.01));
    }

    /// The case in the engine: 100 units of collateral at 1.0 against 98 of debt (LE
    /// health 85 - 112.7 = -27.7, equity 2). At a 5% bonus the plan would take all 100 units
    /// for 95.24 of debt and leave 2.76 owed with nothing behind it. Capped at 2 / 98 = 2.0408%
    /// (less the margin), the gain per unit of debt is 1.15 - 1.020408 * 0.85 = 0.282653, so the
    /// closed form wants 27.7 / 0.282653 = 98.0 units: the whole debt, paid with
    /// 98 * 1.020408 = 100.0 units of collateral, and the account ends at zero equity, not
    /// below. (With one collateral a binding cap always ends so: at `1 + b = C / D` the whole
    /// debt costs the whole collateral.)
    #[test]
    fn the_plan_leaves_a_solvent_account_solvent() {
        let w = weights(0.8, 0.9, 1.2, 1.1);
        let pos = [position(0, 100, 1.0, w), position(1, -98, 1.0, w)];
        let terms = [CollateralTerms {
            asset_index: 0,
            bonus: f(0.05),
            insolvent_bonus: f(0.04),
            held_by_liquidator: true,
        }];
        let req = request(1, f(1e9), &pos);
        let plan = plan_liquidation(&pos, &HealthParams::BASE, &terms, &req).unwrap();
        let leg = plan.legs[0];
        // 2 / 98 less the margin's share (2^-16 / 98 = 1.6e-7) and the rate's rounding slack
        assert!((leg.bonus - f(2.0 / 98.0)).abs() < f(3e-7), "{}", leg.bonus);
        let after = apply_plan(&pos, &plan, 1);
        let equity = net_spot_value(&after).unwrap();
        assert!(equity >= I80F48::ZERO && equity < f(1e-4), "{equity}");
        assert!(health(&after, HealthType::LiquidationEnd).unwrap() >= I80F48::ZERO - f(1e-9));
        // without the cap (as if the account had the equity) the collateral would all go
        let rich = LiquidationRequest { equity: f(1e9), ..req };
        let plan = plan_liquidation(&pos, &HealthParams::BASE, &terms, &rich).unwrap();
        assert_eq!(plan.legs[0].amount, f(100.0));
        assert!(net_spot_value(&apply_plan(&pos, &plan, 1)).unwrap() < I80F48::ZERO);
    }
}
