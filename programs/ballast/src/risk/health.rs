//! Health of a basket of token positions at one level, with a per-position breakdown of which
//! factor removed how much value.
//!
//!   health = sum_collateral |b| * p_coll * w_asset  -  sum_liabilities |b| * p_liab * w_liab
//!
//! Collateral rounds down and liabilities round up, so rounding always goes against the account.

use super::price::{collateral_price, liability_price};
use super::types::*;
use crate::math::{mul_ceil, CheckedFixed, I80F48};

/// One position's share of health and how it got there.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PositionHealth {
    pub asset_index: u16,
    pub balance: I80F48,
    /// |balance| * spot: what the position is worth with no haircut at all.
    pub spot_value: I80F48,
    /// The price the level uses for this position.
    pub price: I80F48,
    /// The weight applied (asset weight for collateral, liability weight for debt).
    pub weight: I80F48,
    /// Signed contribution to health: positive for collateral, negative for liabilities.
    pub contribution: I80F48,
    /// Value removed by each factor, indexed by `Factor as usize`; sums to
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
}

/// Contribution of one position at `level`, with its factor breakdown.
pub fn position_health(pos: &PositionInput, level: HealthType) -> RiskResult<PositionHealth> {
    let mut cuts = [I80F48::ZERO; Factor::COUNT];
    let spot = pos.prices.spot;
    let k = pos.conf_multiplier;
    if pos.balance >= I80F48::ZERO {
        let amount = pos.balance;
        let spot_value = amount.mul_c(spot)?;
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
        let price = collateral_price(&pos.prices, k, level)?;
        let weight = pos.weights.asset_weight(level);
        let priced_value = amount.mul_c(price)?;
        let contribution = priced_value.mul_c(weight)?;
        cuts[Factor::OracleUncertainty as usize] = spot_value.sub_c(priced_value)?;
        cuts[Factor::BaseWeight as usize] = priced_value.sub_c(contribution)?;
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
        if !pos.oracle_usable {
            return Err(RiskError::LiabilityOracleUnusable { asset_index: pos.asset_index });
        }
        let amount = I80F48::ZERO.sub_c(pos.balance)?;
        let spot_value = mul_ceil(amount, spot)?;
        let price = liability_price(&pos.prices, k, level)?;
        let weight = pos.weights.liab_weight(level);
        let priced_value = mul_ceil(amount, price)?;
        let requirement = mul_ceil(priced_value, weight)?;
        cuts[Factor::OracleUncertainty as usize] = priced_value.sub_c(spot_value)?;
        cuts[Factor::BaseWeight as usize] = requirement.sub_c(priced_value)?;
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

/// Health at `level` (the hot path: no breakdown kept).
pub fn health(positions: &[PositionInput], level: HealthType) -> RiskResult<I80F48> {
    let mut total = I80F48::ZERO;
    for pos in positions {
        total = total.add_c(position_health(pos, level)?.contribution)?;
    }
    Ok(total)
}

/// Health at `level` with the per-position breakdown.
pub fn health_report(positions: &[PositionInput], level: HealthType) -> RiskResult<HealthReport> {
    let mut report = HealthReport {
        level,
        health: I80F48::ZERO,
        weighted_collateral: I80F48::ZERO,
        weighted_liabilities: I80F48::ZERO,
        positions: Vec::with_capacity(positions.len()),
    };
    for pos in positions {
        let ph = position_health(pos, level)?;
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
            },
            oracle_usable: true,
        }
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
        let init = health(&basket, HealthType::Init).unwrap();
        assert!((init - I80F48::from_num(1_225_000_000u64)).abs() < I80F48::ONE, "{init}");
        // Maint: 900e6 + 980e6 - 510e6 = 1_370e6.
        let maint = health(&basket, HealthType::Maint).unwrap();
        assert!((maint - I80F48::from_num(1_370_000_000u64)).abs() < I80F48::ONE, "{maint}");
        // LiquidationEnd: weights halfway: 850e6 + 965e6 - 517.5e6 = 1_297.5e6.
        let le = health(&basket, HealthType::LiquidationEnd).unwrap();
        assert!((le - I80F48::from_num(1_297_500_000u64)).abs() < I80F48::ONE, "{le}");
    }

    #[test]
    fn breakdown_adds_up_and_names_factors() {
        // 100 tokens (6 decimals) at spot 2.0 quote-native, ema 1.9, conf 0.01, k = 3, weight 0.5.
        let mut pos = position(4, 100_000_000, 2.0, weights(0.5, 0.6, 1.5, 1.4));
        pos.prices.ema = I80F48::from_num(1.9);
        pos.prices.conf = I80F48::from_num(0.01);
        pos.conf_multiplier = I80F48::from_num(3);
        let ph = position_health(&pos, HealthType::Init).unwrap();
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
        let ph = position_health(&coll, HealthType::Init).unwrap();
        assert_eq!(ph.contribution, I80F48::ZERO);
        assert_eq!(ph.cut(Factor::OracleUnavailable), I80F48::from_num(1_000));
        let mut liab = position(7, -1_000, 1.0, weights(0.9, 0.95, 1.1, 1.05));
        liab.oracle_usable = false;
        assert_eq!(
            health(&[coll, liab], HealthType::Init),
            Err(RiskError::LiabilityOracleUnusable { asset_index: 7 })
        );
    }

    #[test]
    fn liabilities_round_up() {
        // 1 native unit of debt at a price of one ulp: rounds to more than zero.
        let mut liab = position(0, -1, 0.0, weights(1.0, 1.0, 1.0, 1.0));
        liab.prices.spot = I80F48::DELTA;
        liab.prices.ema = I80F48::DELTA;
        assert!(health(&[liab], HealthType::Maint).unwrap() < I80F48::ZERO);
    }

    #[test]
    fn overflow_is_reported_not_panicked() {
        let huge = position(0, i64::MAX, 1e12, weights(1.0, 1.0, 1.0, 1.0));
        let many = [huge; 16];
        assert!(matches!(health(&many, HealthType::Maint), Err(RiskError::Math(_))));
    }
}
