//! The multi-factor model through real transactions: the volatility crank on a real price path,
//! correlation groups, and parameter validation of the new factors.

use crate::margin::stable_config;
use ballast::state::{AssetConfig, CorrelationGroupConfig};
use ballast_tests::*;
use solana_keypair::Keypair;
use solana_signer::Signer;

/// SOL/USDT daily closes around the FTX collapse, 2022-11-05 .. 2022-11-12 (from
/// data/prices/SOLUSDT_1d_2022.csv).
fn ftx_week() -> Vec<f64> {
    let csv = include_str!("../../data/prices/SOLUSDT_1d_2022.csv");
    csv.lines()
        .filter(|l| ("2022-11-05".."2022-11-13").contains(&&l[..10]))
        .map(|l| l.split(',').nth(4).unwrap().parse().unwrap())
        .collect()
}

#[tokio::test]
async fn volatility_crank_tracks_a_real_crash_and_tightens_init_weights() {
    let mut env = TestEnv::new().await;
    let closes = ftx_week();
    assert_eq!(closes.len(), 8);
    let day = 86_400i64;
    let cfg = AssetConfig {
        liquidation_horizon_secs: 86_400,
        vol_sample_interval_secs: 86_400,
        ewma_lambda_bps: 9_400,
        // the prior the first return blends with: 80% annualised, squared
        sigma_floor_bps: 8_000,
        ..default_config()
    };
    let sol = env.list_asset(TOKEN_2022, 9, closes[0], cfg).await;
    env.update_volatility(sol).await.unwrap(); // first sample records the price

    // a second sample of the same reading is refused and changes nothing
    let keys = [env.assets[sol].asset];
    let before = env.snapshot(&keys).await;
    let r = env.update_volatility(sol).await;
    assert_ballast_error(&r, BallastError::VolatilityReadingAlreadySampled);
    assert_eq!(env.snapshot(&keys).await, before);

    let mut expected = 0.8f64 * 0.8;
    for w in closes.windows(2) {
        env.advance_time(day).await;
        env.set_price(sol, w[1], 0.0).await;
        env.update_volatility(sol).await.unwrap();
        let r = (w[1] / w[0]).ln();
        // the crank caps a sample at 8 times max(prior, 0.2^2)
        let sample = (r * r * 365.0).min(8.0 * expected.max(0.04));
        expected = 0.94 * expected + 0.06 * sample;
    }
    let asset = env.asset_state(sol).await;
    let variance: f64 = asset.realized_variance.get().to_num();
    // The fixed-point EWMA matches the float one; prices pass through Pyth's 8-decimal format.
    assert!((variance.sqrt() - expected.sqrt()).abs() < 1e-6, "{} vs {}", variance.sqrt(), expected.sqrt());
    // The FTX week ran at well over 100% annualised.
    assert!(variance.sqrt() > 1.0, "{}", variance.sqrt());
    let horizon_vol: f64 = asset.horizon_vol.get().to_num();
    assert!((horizon_vol - expected.sqrt() * (1.0f64 / 365.0).sqrt()).abs() < 1e-6);

    // With z = 2.33 at Init the SOL weight is capped at 1 - 2.33 * horizon_vol, below the 0.8
    // base weight; health off-chain (same engine) shows it.
    let (trader, account) = env.new_trader().await;
    let w = env.funded_token_account(trader.pubkey(), sol, 10_000_000_000).await;
    env.deposit(&trader, account, sol, w, 10_000_000_000).await.unwrap();
    let base = env.health(account, HealthType::Init, OraclePolicy::RiskIncreasing).await;
    env.update_group(ballast::state::GroupConfig {
        z_init_bps: 23_300,
        z_maint_bps: 16_500,
        ..group_config()
    })
    .await
    .unwrap();
    let capped = env.health(account, HealthType::Init, OraclePolicy::RiskIncreasing).await;
    let price = *closes.last().unwrap();
    let cap = 1.0 - 2.33 * horizon_vol;
    assert!(cap < 0.8);
    let base_f: f64 = base.to_num();
    let capped_f: f64 = capped.to_num();
    assert!((base_f - 10.0 * price * 1e6 * 0.8).abs() < 1.0, "{base_f}");
    assert!((capped_f - 10.0 * price * 1e6 * cap).abs() < 1.0, "{capped_f} vs {}", 10.0 * price * 1e6 * cap);
}

async fn stable_pair() -> (TestEnv, Keypair, anchor_lang::prelude::Pubkey, anchor_lang::prelude::Pubkey) {
    let mut env = TestEnv::new().await;
    let usdc = env.list_asset(SPL_TOKEN, 6, 1.0, stable_config()).await;
    let usdt = env.list_asset(SPL_TOKEN, 6, 1.0, stable_config()).await;
    let (lp, lp_account) = env.new_trader().await;
    let lw = env.funded_token_account(lp.pubkey(), usdt, 10_000_000_000).await;
    env.deposit(&lp, lp_account, usdt, lw, 10_000_000_000).await.unwrap();
    let (trader, account) = env.new_trader().await;
    let w = env.funded_token_account(trader.pubkey(), usdc, 1_000_000_000).await;
    env.deposit(&trader, account, usdc, w, 1_000_000_000).await.unwrap();
    let to = env.funded_token_account(trader.pubkey(), usdt, 0).await;
    (env, trader, account, to)
}

#[tokio::test]
async fn a_stablecoin_correlation_group_offsets_borrowing() {
    let (mut env, trader, account, to) = stable_pair().await;
    // Without a group: 1000 USDC * 0.95 = 950 of Init collateral; 950 USDT costs 997.5. Refused.
    let r = env.borrow(&trader, account, 1, to, 950_000_000).await;
    assert_ballast_error(&r, BallastError::InsufficientHealth);

    // Group 1 (USD stables) with Init weights 0.98 / 1.02. Matched value x (the borrow): health
    // = 950 + (980 - 950) * x / 1000 - 1.02 x = 950 - 0.99 x, so up to 959.59 USDT.
    let mut groups = [CorrelationGroupConfig::default(); 8];
    groups[0] = CorrelationGroupConfig {
        init_asset_weight_bps: 9_800,
        maint_asset_weight_bps: 9_900,
        init_liab_weight_bps: 10_200,
        maint_liab_weight_bps: 10_100,
    };
    env.update_group(ballast::state::GroupConfig { correlation_groups: groups, ..group_config() })
        .await
        .unwrap();
    for asset in [0, 1] {
        let cfg = env.asset_state(asset).await.config;
        env.update_asset(asset, AssetConfig { correlation_group: 1, ..cfg }).await.unwrap();
    }
    env.borrow(&trader, account, 1, to, 950_000_000).await.unwrap();
    let h: f64 = env.health(account, HealthType::Init, OraclePolicy::RiskIncreasing).await.to_num();
    assert!((h - (950e6 - 0.99 * 950e6)).abs() < 2.0, "{h}");
    let r = env.borrow(&trader, account, 1, to, 10_000_000).await;
    assert_ballast_error(&r, BallastError::InsufficientHealth);
}

#[tokio::test]
async fn factor_parameters_are_validated() {
    let (mut env, _, _, _) = stable_pair().await;
    let keys = [env.group, env.assets[0].asset];
    let before = env.snapshot(&keys).await;
    let bad_z = ballast::state::GroupConfig { z_init_bps: 10_000, z_maint_bps: 20_000, ..group_config() };
    let r = env.update_group(bad_z).await;
    assert_ballast_error(&r, BallastError::ZMaintAboveZInit);
    let mut groups = [CorrelationGroupConfig::default(); 8];
    groups[2] = CorrelationGroupConfig {
        init_asset_weight_bps: 9_900,
        maint_asset_weight_bps: 9_800,
        init_liab_weight_bps: 10_200,
        maint_liab_weight_bps: 10_100,
    };
    let r =
        env.update_group(ballast::state::GroupConfig { correlation_groups: groups, ..group_config() }).await;
    assert_ballast_error(&r, BallastError::InvalidCorrelationGroup);
    let cfg = env.asset_state(0).await.config;
    let r = env.update_asset(0, AssetConfig { ewma_lambda_bps: 10_000, ..cfg }).await;
    assert_ballast_error(&r, BallastError::EwmaLambdaNotBelowOne);
    let r = env
        .update_asset(0, AssetConfig { liquidation_horizon_secs: 3_600, vol_sample_interval_secs: 0, ..cfg })
        .await;
    assert_ballast_error(&r, BallastError::VolSampleIntervalBelowStaleness);
    let r = env.update_asset(0, AssetConfig { correlation_group: 9, ..cfg }).await;
    assert_ballast_error(&r, BallastError::UnknownCorrelationGroup);
    let r = env.update_asset(0, AssetConfig { concentration_haircut_bps: 10_001, ..cfg }).await;
    assert_ballast_error(&r, BallastError::ConcentrationHaircutAboveOne);
    assert_eq!(env.snapshot(&keys).await, before);

    // only the admin (or the guardian, tightening) patches the group
    let impostor = Keypair::new();
    let ix = ballast_sdk::ix::apply_group_patch(
        env.group,
        impostor.pubkey(),
        vec![ballast::state::PatchEntry::new(
            ballast::risk::governance::GroupField::ZInitBps as u16,
            ballast::risk::governance::value_from_u64(30_000),
        )],
    );
    let r = env.send(&[ix], &[&impostor]).await;
    assert_ballast_error(&r, BallastError::NotAdminOrGuardian);
    assert_eq!(env.snapshot(&keys).await, before);
}

#[tokio::test]
async fn health_report_returns_every_level_with_its_breakdown() {
    let (mut env, trader, account, to) = stable_pair().await;
    env.borrow(&trader, account, 1, to, 500_000_000).await.unwrap();
    let mut accounts = anchor_lang::ToAccountMetas::to_account_metas(
        &ballast::accounts::HealthReportAccounts { group: env.group, account },
        None,
    );
    accounts.extend(env.health_accounts(account, 0).await);
    let ix = solana_instruction::Instruction {
        program_id: ballast::ID,
        accounts,
        data: anchor_lang::InstructionData::data(&ballast::instruction::HealthReport {
            liquidation_prices: false,
        }),
    };
    let keys = [account, env.assets[0].asset, env.assets[1].asset];
    let before = env.snapshot(&keys).await;
    let sent = env.send_with_metadata(&[ix], &[]).await.expect("health_report succeeds");
    assert_eq!(env.snapshot(&keys).await, before, "health_report is read-only");
    if !is_sbf() {
        // Natively the runtime drops return data and event logs; the SBF lane decodes them.
        return;
    }
    // Init: 950 - 525 = 425 USD; Maint: 980 - 510 = 470; LiquidationEnd halfway: 447.5.
    // Decoded the way a client decodes a simulation, with the SDK.
    let ret = ballast_sdk::report::return_data_from_logs(&sent.logs).expect("return data");
    let (summary, event) = ballast_sdk::report::decode_health_report(ret, &sent.logs).unwrap();
    for (bits, level, usd) in [
        (summary.init, HealthType::Init, 425.0),
        (summary.liquidation_end, HealthType::LiquidationEnd, 447.5),
        (summary.maint, HealthType::Maint, 470.0),
    ] {
        let on_chain = I80F48::from_bits(bits);
        assert_eq!(on_chain, env.health(account, level, OraclePolicy::RiskIncreasing).await, "{level:?}");
        assert!((on_chain - I80F48::from_num(usd * 1e6)).abs() < I80F48::from_num(1), "{level:?} {on_chain}");
    }
    assert_eq!(event.levels.len(), 3);
    let init = &event.levels[0];
    assert_eq!(init.health, summary.init);
    // USDC collateral: base weight cut 1000 * 0.05 = 50 USD; USDT debt: 500 * 0.05 = 25 USD, to
    // within the micro-USD the event rounds down to (1.05 is a hair below 1.05 in binary, so the
    // debt's cut floors to 24,999,999).
    let base = ballast::risk::Factor::BaseWeight as usize;
    assert!((init.positions[0].factor_cuts[base] - 50_000_000).abs() <= 1);
    assert!((init.positions[1].factor_cuts[base] - 25_000_000).abs() <= 1);
    // and the whole breakdown is the one the SDK computes off-chain from the same accounts
    let overrides = env.assets.iter().map(|a| (a.index, a.oracle)).collect();
    let chain = ballast_sdk::chain::banks::BanksChain::new(env.ctx.banks_client.clone());
    for a in &env.assets {
        chain.track(a.asset);
    }
    let snap = ballast_sdk::GroupSnapshot::load(&chain, env.group, &overrides).await.unwrap();
    let state = env.margin_account(account).await;
    let reports =
        ballast_sdk::snapshot::account_reports(&snap.priced(OraclePolicy::RiskIncreasing).unwrap(), &state)
            .unwrap();
    let off_chain: Vec<_> = reports.iter().map(ballast::instructions::level_breakdown).collect();
    assert_eq!(event.levels, off_chain);
}
