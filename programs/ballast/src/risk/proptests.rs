//! Property tests of the health engine: monotonicity and level ordering.

use super::health::tests::{position, weights};
use super::*;
use crate::math::I80F48;
use proptest::prelude::*;

fn arb_weights() -> impl Strategy<Value = AssetWeights> {
    // init_asset <= maint_asset <= 1 <= maint_liab <= init_liab, in bps.
    (1u32..=10_000, 0u32..=10_000, 0u32..=5_000, 0u32..=5_000).prop_map(|(ma, ia_frac, ml_add, il_add)| {
        let ia = ma * ia_frac / 10_000;
        let bps = |b: u32| I80F48::from_num(b) / I80F48::from_num(10_000);
        AssetWeights {
            init_asset: bps(ia),
            maint_asset: bps(ma),
            init_liab: bps(10_000 + ml_add + il_add),
            maint_liab: bps(10_000 + ml_add),
        }
    })
}

fn arb_position(index: u16) -> impl Strategy<Value = PositionInput> {
    (
        -1_000_000_000_000i64..1_000_000_000_000i64,
        1u32..1_000_000, // spot in 1e-4 quote-native
        0u32..2_000,     // ema deviation, 1e-4 relative, either side
        any::<bool>(),
        0u32..500,    // conf in 1e-4 relative
        0u32..50_000, // k in 1e-4
        arb_weights(),
        prop::bool::weighted(0.9),
    )
        .prop_map(move |(balance, spot, dev, up, conf, k, w, usable)| {
            let spot_f = I80F48::from_num(spot) / I80F48::from_num(10_000);
            let dev_f = spot_f * I80F48::from_num(dev) / I80F48::from_num(10_000);
            let mut p = position(index, balance, 0.0, w);
            p.prices = OraclePrices {
                spot: spot_f,
                ema: if up { spot_f + dev_f } else { spot_f - dev_f },
                conf: spot_f * I80F48::from_num(conf) / I80F48::from_num(10_000),
            };
            p.conf_multiplier = I80F48::from_num(k) / I80F48::from_num(10_000);
            // liabilities with unusable oracles are errors, exercised in unit tests
            p.oracle_usable = usable || balance < 0;
            p
        })
}

fn arb_basket() -> impl Strategy<Value = Vec<PositionInput>> {
    (1usize..=16).prop_flat_map(|n| (0..n as u16).map(arb_position).collect::<Vec<_>>())
}

proptest! {
    #[test]
    fn levels_are_ordered(basket in arb_basket()) {
        let init = health(&basket, HealthType::Init).unwrap();
        let le = health(&basket, HealthType::LiquidationEnd).unwrap();
        let maint = health(&basket, HealthType::Maint).unwrap();
        prop_assert!(init <= le, "init {} > liquidation end {}", init, le);
        prop_assert!(le <= maint, "liquidation end {} > maint {}", le, maint);
    }

    #[test]
    fn more_collateral_never_lowers_health(
        basket in arb_basket(),
        which in any::<prop::sample::Index>(),
        extra in 0i64..1_000_000_000_000,
    ) {
        let i = which.index(basket.len());
        let mut more = basket.clone();
        more[i].balance += I80F48::from_num(extra);
        for level in HealthType::ALL {
            prop_assert!(health(&more, level).unwrap() >= health(&basket, level).unwrap());
        }
    }

    #[test]
    fn wider_confidence_never_raises_health(
        basket in arb_basket(),
        which in any::<prop::sample::Index>(),
        widen in 0u32..1_000,
    ) {
        let i = which.index(basket.len());
        let mut wider = basket.clone();
        let extra = wider[i].prices.spot * I80F48::from_num(widen) / I80F48::from_num(10_000);
        wider[i].prices.conf += extra;
        for level in HealthType::ALL {
            prop_assert!(health(&wider, level).unwrap() <= health(&basket, level).unwrap());
        }
    }

    #[test]
    fn breakdown_matches_total(basket in arb_basket()) {
        for level in HealthType::ALL {
            let report = health_report(&basket, level).unwrap();
            prop_assert_eq!(report.health, health(&basket, level).unwrap());
            prop_assert_eq!(report.health, report.weighted_collateral - report.weighted_liabilities);
        }
    }
}

#[test]
fn adding_a_usable_collateral_position_never_lowers_health() {
    let base = [position(0, -1_000, 1.0, weights(0.9, 0.95, 1.1, 1.05))];
    let more = [base[0], position(1, 500, 1.0, weights(0.8, 0.9, 1.2, 1.1))];
    for level in HealthType::ALL {
        assert!(health(&more, level).unwrap() > health(&base, level).unwrap());
    }
}
