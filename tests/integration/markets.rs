//! Markets: listing a dated future, and every listing the program refuses, by name, with nothing
//! changed.

use crate::margin::{basket, Basket, ETH, SOL, USDC};
use ballast::state::{Market, MarketConfig};
use ballast_sdk::ix;
use ballast_tests::*;
use solana_keypair::Keypair;
use solana_signer::Signer;

const DAY: i64 = 86_400;

fn sol_future(now: i64) -> MarketConfig {
    // one contract is 1 SOL (10^9 native units), expiring in 30 days
    MarketConfig { expiry_ts: now + 30 * DAY, contract_size: 1_000_000_000, ..MarketConfig::template() }
}

async fn register(
    env: &mut TestEnv,
    signer: &Keypair,
    underlying: usize,
    quote: usize,
    config: MarketConfig,
) -> TxResult {
    let n = env.group_state().await.market_count;
    let i = ix::register_market(
        env.group,
        signer.pubkey(),
        env.payer(),
        n,
        env.assets[underlying].asset,
        env.assets[quote].asset,
        config,
    );
    env.send(&[i], &[signer]).await
}

#[tokio::test]
async fn the_admin_lists_a_dated_future() {
    let Basket { mut env, .. } = basket().await;
    let admin = env.admin.insecure_clone();
    let now = env.now().await;
    register(&mut env, &admin, SOL, USDC, sol_future(now)).await.unwrap();
    let key = ix::market_address(&env.group, 0);
    let m: Market = env.load(key).await;
    assert_eq!((m.group, m.underlying, m.quote), (env.group, env.assets[SOL].asset, env.assets[USDC].asset));
    assert_eq!((m.market_index, m.underlying_index, m.quote_index), (0, SOL as u16, USDC as u16));
    assert_eq!(m.config, sol_future(now));
    assert_eq!((m.open_interest, m.settlement_price.get()), (0, ballast::math::I80F48::ZERO));
    assert_eq!(env.group_state().await.market_count, 1);
    // the engine's parameters from it: a 10% / 6.67% least range, 3x extremes at 35%
    let p = m.config.scan_params();
    assert_eq!(p.min_range_init, ballast::math::from_bps(1_000));
    assert_eq!(p.extreme_multiple, ballast::math::from_bps(30_000));
    // a second series gets the next index
    register(&mut env, &admin, SOL, USDC, MarketConfig { expiry_ts: now + 90 * DAY, ..sol_future(now) })
        .await
        .unwrap();
    let m: Market = env.load(ix::market_address(&env.group, 1)).await;
    assert_eq!(m.market_index, 1);
}

#[tokio::test]
async fn bad_listings_are_refused_by_name_and_change_nothing() {
    let Basket { mut env, .. } = basket().await;
    let admin = env.admin.insecure_clone();
    let now = env.now().await;
    let good = sol_future(now);
    let keys = [env.group, ix::market_address(&env.group, 0)];
    let cases: Vec<(MarketConfig, BallastError)> = vec![
        (MarketConfig { kind: 3, ..good }, BallastError::UnsupportedMarketKind),
        (MarketConfig { kind: 1, ..good }, BallastError::StrikeInvalid),
        (MarketConfig { strike: 100_000_000, ..good }, BallastError::StrikeInvalid),
        (
            MarketConfig { kind: 2, strike: 100_000_000, risk_array_max_age_secs: 0, ..good },
            BallastError::OptionParamsInvalid,
        ),
        (
            MarketConfig { kind: 2, strike: 100_000_000, vol_shock_down_bps: 10_001, ..good },
            BallastError::OptionParamsInvalid,
        ),
        // SOL has no volatility surface yet: no option may list on it
        (MarketConfig { kind: 1, strike: 100_000_000, ..good }, BallastError::UnderlyingHasNoVolSurface),
        (MarketConfig { flags: 2, ..good }, BallastError::InvalidMarketFlags),
        (MarketConfig { expiry_ts: now, ..good }, BallastError::MarketExpiryInPast),
        (MarketConfig { contract_size: 0, ..good }, BallastError::ZeroContractSize),
        (MarketConfig { open_interest_cap: 0, ..good }, BallastError::ZeroOpenInterestCap),
        (MarketConfig { price_band_bps: 0, ..good }, BallastError::PriceBandOutOfRange),
        (MarketConfig { price_band_bps: 5_001, ..good }, BallastError::PriceBandOutOfRange),
        (MarketConfig { min_scan_range_maint_bps: 1_001, ..good }, BallastError::ScanRangeInvalid),
        (MarketConfig { min_scan_range_maint_bps: 0, ..good }, BallastError::ScanRangeInvalid),
        (MarketConfig { scan_range_multiplier_bps: 100_001, ..good }, BallastError::ScanRangeInvalid),
        (MarketConfig { extreme_move_multiple_bps: 9_999, ..good }, BallastError::ExtremeMoveInvalid),
        (MarketConfig { extreme_fraction_bps: 10_001, ..good }, BallastError::ExtremeMoveInvalid),
        (MarketConfig { pnl_weight_init_bps: 8_001, ..good }, BallastError::PnlWeightInvalid),
        (
            MarketConfig { pnl_weight_maint_bps: 10_001, pnl_weight_init_bps: 5_000, ..good },
            BallastError::PnlWeightInvalid,
        ),
        (MarketConfig { settlement_window_secs: 0, ..good }, BallastError::SettlementWindowInvalid),
    ];
    for (config, expected) in cases {
        let before = env.snapshot(&keys).await;
        let r = register(&mut env, &admin, SOL, USDC, config).await;
        assert_ballast_error(&r, expected);
        assert_eq!(env.snapshot(&keys).await, before, "{expected:?} changed state");
    }
    // the quote cannot be the underlying
    let before = env.snapshot(&keys).await;
    let r = register(&mut env, &admin, SOL, SOL, good).await;
    assert_ballast_error(&r, BallastError::QuoteAssetIsUnderlying);
    // nor anything but a 6-decimal dollar (ETH's native unit is not a micro-dollar)
    let r = register(&mut env, &admin, SOL, ETH, good).await;
    assert_ballast_error(&r, BallastError::QuoteAssetDecimals);
    // only the admin lists
    let stranger = Keypair::new();
    let r = register(&mut env, &stranger, SOL, USDC, good).await;
    assert_ballast_error(&r, BallastError::NotAdmin);
    let guardian = env.guardian.insecure_clone();
    let r = register(&mut env, &guardian, SOL, USDC, good).await;
    assert_ballast_error(&r, BallastError::NotAdmin);
    assert_eq!(env.snapshot(&keys).await, before);
    // an underlying of another group
    // (the harness's invariants are over this group's assets: off while listing in the other)
    env.check_invariants = false;
    let group = env.group;
    let assets = env.assets.clone();
    let other = env.init_group(1).await.unwrap();
    env.group = other;
    let foreign = env.list_asset(SPL_TOKEN, 6, 1.0, default_config()).await;
    let foreign_asset = env.assets[foreign].asset;
    env.group = group;
    env.assets = assets;
    env.check_invariants = true;
    let before = env.snapshot(&keys).await;
    let i = ix::register_market(
        group,
        admin.pubkey(),
        env.payer(),
        0,
        foreign_asset,
        env.assets[USDC].asset,
        good,
    );
    let r = env.send(&[i], &[&admin]).await;
    assert_ballast_error(&r, BallastError::WrongGroup);
    assert_eq!(env.snapshot(&keys).await, before);
}
