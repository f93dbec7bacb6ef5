//! What each risk factor costs per position on the host: the engine's `health` at Init over 16
//! positions, timed over many runs with factors switched on one after another. (Compute units on
//! SBF come from the SBF lane; this shows the relative cost of each factor.)
//!
//!   cargo run --release -p ballast --example factor_cost

use ballast::math::I80F48;
use ballast::risk::*;
use std::hint::black_box;
use std::time::Instant;

fn basket(factors: RiskFactors) -> Vec<PositionInput> {
    (0..16u16)
        .map(|i| PositionInput {
            asset_index: i,
            balance: I80F48::from_num(if i % 4 == 3 {
                -1_000_000_000i64
            } else {
                5_000_000_000i64 + i64::from(i)
            }),
            weights: AssetWeights {
                init_asset: I80F48::from_num(0.8),
                maint_asset: I80F48::from_num(0.9),
                init_liab: I80F48::from_num(1.2),
                maint_liab: I80F48::from_num(1.1),
            },
            conf_multiplier: I80F48::ONE,
            prices: OraclePrices {
                spot: I80F48::from_num(0.1 + f64::from(i)),
                ema: I80F48::from_num(0.1 + f64::from(i)),
                conf: I80F48::from_num(0.0001),
                round_up: I80F48::ZERO,
            },
            oracle_usable: true,
            factors: RiskFactors {
                correlation_group: factors.correlation_group * u8::from(i < 4),
                ..factors
            },
        })
        .collect()
}

fn time(label: &str, positions: &[PositionInput], params: &HealthParams, baseline: Option<f64>) -> f64 {
    let runs = 200_000;
    let started = Instant::now();
    for _ in 0..runs {
        black_box(health(black_box(positions), params, HealthType::Init).unwrap());
    }
    let per_position = started.elapsed().as_nanos() as f64 / runs as f64 / positions.len() as f64;
    match baseline {
        Some(b) => println!("{label:<40} {per_position:>7.1} ns/position  (+{:.1})", per_position - b),
        None => println!("{label:<40} {per_position:>7.1} ns/position"),
    }
    per_position
}

fn main() {
    let mut f = RiskFactors::NONE;
    let mut params = HealthParams::BASE;
    let base = time("base weights + oracle band", &basket(f), &params, None);
    f.horizon_vol = I80F48::from_num(0.05);
    params.z_init = I80F48::from_num(2.33);
    params.z_maint = I80F48::from_num(1.65);
    time("+ volatility", &basket(f), &params, Some(base));
    f.imf = I80F48::from_num(0.001);
    f.token_unit = I80F48::from_num(1_000_000);
    time("+ size (sqrt per position)", &basket(f), &params, Some(base));
    f.deposit_scale = I80F48::from_num(0.9);
    f.borrow_scale = I80F48::from_num(1.1);
    time("+ total deposit/borrow scaling", &basket(f), &params, Some(base));
    f.concentration_threshold = I80F48::from_num(0.3);
    f.concentration_haircut = I80F48::from_num(0.05);
    time("+ concentration", &basket(f), &params, Some(base));
    f.correlation_group = 1;
    params.correlation[0] = Some(CorrelationWeights {
        weights: AssetWeights {
            init_asset: I80F48::from_num(0.95),
            maint_asset: I80F48::from_num(0.97),
            init_liab: I80F48::from_num(1.05),
            maint_liab: I80F48::from_num(1.03),
        },
    });
    time("+ correlation group (4 of 16 positions)", &basket(f), &params, Some(base));
}
