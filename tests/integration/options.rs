//! European options in margin accounts, as signed transactions: a covered-call writer and a
//! protective-put buyer, the risk-array crank and every margin check that refuses a stale or
//! far-off array, an expiry at intrinsic value settled to the holder, and a naked put writer
//! liquidated after a crash. The harness checks the invariants after every transaction.

use crate::margin::stable_config;
use ballast::state::{MarketConfig, MarketKind, VolBucketConfig};
use ballast_tests::*;
use pyth_solana_receiver_sdk::price_update::VerificationLevel;
use solana_keypair::Keypair;
use solana_signer::Signer;

const USDC: usize = 0;
const SOL: usize = 1;
const DAY: i64 = 86_400;
const ONE_SOL: u64 = 1_000_000_000;
const USD: u64 = 1_000_000;

/// USDC and SOL ($100) with a surface: 90% ATM to 7 days, 80% beyond, put wings richer.
async fn options_env() -> TestEnv {
    let mut env = TestEnv::new().await;
    env.list_asset(SPL_TOKEN, 6, 1.0, stable_config()).await;
    let mut sol = default_config();
    sol.vol_surface.buckets[0] = VolBucketConfig {
        tenor_secs: 7 * DAY as u32,
        atm_vol_bps: 9_000,
        put_wing_bps: 4_000,
        call_wing_bps: 2_000,
    };
    sol.vol_surface.buckets[1] = VolBucketConfig {
        tenor_secs: 90 * DAY as u32,
        atm_vol_bps: 8_000,
        put_wing_bps: 3_000,
        call_wing_bps: 1_000,
    };
    env.list_asset(TOKEN_2022, 9, 100.0, sol).await;
    env
}

/// A 1-SOL European option struck at `strike_usd`, expiring in `days`.
fn option(kind: MarketKind, strike_usd: u64, days: i64, now: i64) -> MarketConfig {
    MarketConfig {
        kind: kind as u8,
        strike: strike_usd * USD,
        expiry_ts: now + days * DAY,
        contract_size: ONE_SOL,
        ..MarketConfig::template()
    }
}

async fn funded(env: &mut TestEnv, asset: usize, amount: u64) -> (Keypair, Pubkey) {
    let (user, account) = env.new_trader().await;
    let wallet = env.funded_token_account(user.pubkey(), asset, amount).await;
    env.deposit(&user, account, asset, wallet, amount).await.unwrap();
    (user, account)
}

fn usd(v: I80F48) -> f64 {
    v.to_num::<f64>() / 1e6
}

async fn init_health(env: &mut TestEnv, account: Pubkey) -> I80F48 {
    env.health(account, HealthType::Init, OraclePolicy::RiskIncreasing).await
}

/// The series' mark per contract after a crank, rounded up to a quote unit: a price in band.
async fn cranked_mark(env: &mut TestEnv, market: u16) -> u64 {
    env.update_risk_array(market).await.unwrap();
    env.market_state(market).await.risk_array.value.get().ceil().to_num::<u64>()
}

#[tokio::test]
async fn a_covered_call_writer_and_a_protective_put_buyer() {
    let mut env = options_env().await;
    let now = env.now().await;
    let call = env.list_market(SOL, USDC, option(MarketKind::Call, 110, 30, now)).await;
    let put = env.list_market(SOL, USDC, option(MarketKind::Put, 90, 30, now)).await;
    let (maker, maker_account) = funded(&mut env, USDC, 20_000 * USD).await;
    let (writer, writer_account) = funded(&mut env, SOL, 10 * ONE_SOL).await;
    let (hedger, hedger_account) = funded(&mut env, SOL, 10 * ONE_SOL).await;

    // The crank stores the array at the oracle spot, 80% volatility (30 days: the 90-day
    // bucket; K/F = 1.1 adds 10% * ln 1.1 = 0.95 points of call wing) and the 10% Init range.
    let price = cranked_mark(&mut env, call).await;
    let a = env.market_state(call).await.risk_array;
    // $100 is 0.1 micro-USD per lamport
    assert!((a.spot.get().to_num::<f64>() - 0.1).abs() < 1e-12);
    let sigma = a.sigma.get().to_num::<f64>();
    assert!((sigma - (0.80 + 0.10 * 1.1f64.ln())).abs() < 1e-9, "{sigma}");
    assert!((a.range.get().to_num::<f64>() - 0.1).abs() < 1e-12);
    // Black-76 at f 100, k 110, 80.953%, 30/365 years, by the formula in f64: $5.502306239459
    assert!((usd(a.value.get()) - 5.502_306_239_459).abs() < 1e-6, "{}", usd(a.value.get()));
    assert!(a.delta.get() > I80F48::ZERO && a.vega.get() > I80F48::ZERO && a.theta.get() < I80F48::ZERO);

    // The writer sells 10 calls against its 10 SOL: covered, so its Init health is the spot's
    // ($800) plus the premium's rounding, with no requirement.
    let spot_alone = init_health(&mut env, writer_account).await;
    assert!((usd(spot_alone) - 800.0).abs() < 1e-6);
    env.trade(call, &maker, maker_account, &writer, writer_account, 10, price).await.unwrap();
    let h = init_health(&mut env, writer_account).await;
    assert!(h >= spot_alone && usd(h - spot_alone) < 0.01, "{}", usd(h));
    let (state, priced) = env.priced_for(writer_account, OraclePolicy::RiskIncreasing).await.unwrap();
    let reports = ballast_sdk::snapshot::account_reports(&priced, &state).unwrap();
    let scan = reports.init.scans[0];
    assert_eq!((scan.covered_spot, scan.requirement), (I80F48::from_num(10 * ONE_SOL), I80F48::ZERO));
    // the Greeks of 10 short calls: delta, gamma and vega negative, theta earned
    assert!(scan.options_delta < I80F48::ZERO && scan.gamma < I80F48::ZERO && scan.vega < I80F48::ZERO);
    assert!(scan.theta > I80F48::ZERO);
    // the maker's 10 long calls need no more than their premium: its health falls by at most it
    let m = init_health(&mut env, maker_account).await;
    assert!(usd(m) >= 20_000.0 * 0.95 - 10.0 * price as f64 / 1e6 - 1e-3, "{}", usd(m));

    // The hedger buys 10 puts at 90 for its 10 SOL: the spot hedging the puts' delta gets its
    // haircut back, so the pair needs less than the spot's haircut plus the premium.
    let put_price = cranked_mark(&mut env, put).await;
    env.trade(put, &hedger, hedger_account, &maker, maker_account, 10, put_price).await.unwrap();
    let h = init_health(&mut env, hedger_account).await;
    let legs_apart = 800.0 - 10.0 * put_price as f64 / 1e6;
    assert!(usd(h) > legs_apart, "{} <= {legs_apart}", usd(h));
    let (state, priced) = env.priced_for(hedger_account, OraclePolicy::RiskIncreasing).await.unwrap();
    let scan = ballast_sdk::snapshot::account_reports(&priced, &state).unwrap().init.scans[0];
    assert!(scan.hedged_spot > I80F48::ZERO && scan.hedge_credit > I80F48::ZERO);
    assert_eq!(env.market_state(put).await.open_interest, 10);
}

#[tokio::test]
async fn a_margin_check_refuses_a_stale_or_far_off_risk_array() {
    let mut env = options_env().await;
    let now = env.now().await;
    let call = env.list_market(SOL, USDC, option(MarketKind::Call, 110, 30, now)).await;
    let future = env
        .list_market(
            SOL,
            USDC,
            MarketConfig { expiry_ts: now + 30 * DAY, contract_size: ONE_SOL, ..MarketConfig::template() },
        )
        .await;
    let (maker, maker_account) = funded(&mut env, USDC, 20_000 * USD).await;
    let (writer, writer_account) = funded(&mut env, USDC, 5_000 * USD).await;
    let keys = [env.market_key(call), maker_account, writer_account];

    // Never cranked: no margin check can value the series.
    let ix = env.trade_ix(call, maker_account, writer_account, 1, 5 * USD).await;
    env.assert_send_refused(&[ix], &[&maker, &writer], BallastError::RiskArrayMissing, &keys).await;
    let price = cranked_mark(&mut env, call).await;
    env.trade(call, &maker, maker_account, &writer, writer_account, 1, price).await.unwrap();

    // A minute later (fresh oracles) the array is too old for a margin check ...
    env.advance_time(61).await;
    env.set_price(SOL, 100.0, 0.0).await;
    env.set_price(USDC, 1.0, 0.0).await;
    let ix = env.trade_ix(call, maker_account, writer_account, 1, price).await;
    env.assert_send_refused(
        std::slice::from_ref(&ix),
        &[&maker, &writer],
        BallastError::RiskArrayStale,
        &keys,
    )
    .await;
    // ... and so is the writer's withdrawal, which values its short call
    let wallet = env.funded_token_account(writer.pubkey(), USDC, 0).await;
    let w = env.withdraw_ix(writer.pubkey(), writer_account, USDC, wallet, USD).await;
    env.assert_send_refused(&[w], &[&writer], BallastError::RiskArrayStale, &keys).await;
    // with the crank in the same transaction both go through
    let mut ixs = env.risk_array_cranks(&[], &[call]).await;
    ixs.push(ix);
    env.send(&ixs, &[&maker, &writer]).await.unwrap();

    // The price moves 2% (the market allows 1%): refused until cranked again.
    env.set_price(SOL, 102.0, 0.0).await;
    let ix = env.trade_ix(call, maker_account, writer_account, 1, price).await;
    env.assert_send_refused(
        std::slice::from_ref(&ix),
        &[&maker, &writer],
        BallastError::RiskArrayPriceMoved,
        &keys,
    )
    .await;
    let fresh = cranked_mark(&mut env, call).await;
    assert!(fresh > price, "a higher spot marks the call up");
    let ix = env.trade_ix(call, maker_account, writer_account, 1, fresh).await;
    env.send(&[ix], &[&maker, &writer]).await.unwrap();

    // The crank refuses a future, and an oracle reading older than the array's.
    let ix = env.group_snapshot(false).await.update_risk_array(future).unwrap();
    env.assert_send_refused(&[ix], &[], BallastError::NotAnOptionMarket, &keys).await;
    let published = env.market_state(call).await.risk_array.publish_ts;
    env.set_price_published(SOL, 100.0, 0.0, published - 1).await;
    let r = env.update_risk_array(call).await;
    assert_ballast_error(&r, BallastError::RiskArrayReadingRegressed);
    assert_eq!(env.market_state(call).await.risk_array.publish_ts, published);
}

#[tokio::test]
async fn an_option_settles_at_intrinsic_value() {
    let mut env = options_env().await;
    let now = env.now().await;
    let expiry = now + DAY;
    let call = env
        .list_market(
            SOL,
            USDC,
            MarketConfig { settlement_window_secs: 3_600, ..option(MarketKind::Call, 100, 1, now) },
        )
        .await;
    let (maker, maker_account) = funded(&mut env, USDC, 10_000 * USD).await;
    let (writer, writer_account) = funded(&mut env, SOL, 10 * ONE_SOL).await;
    let price = cranked_mark(&mut env, call).await;
    env.trade(call, &maker, maker_account, &writer, writer_account, 2, price).await.unwrap();

    // Expiry at $120: each call pays $20.
    env.advance_time(DAY + 10).await;
    env.set_price_published(SOL, 120.0, 0.0, expiry + 10).await;
    env.set_price(USDC, 1.0, 0.0).await;
    env.settle_expiry(call).await.unwrap();
    let m = env.market_state(call).await;
    assert_eq!(m.settlement_per_contract().unwrap(), 20 * USD as i64);
    env.advance_time(2 * 3_600).await;
    env.set_price(SOL, 120.0, 0.0).await;
    env.set_price(USDC, 1.0, 0.0).await;
    let maker_usdc = env.native_balance(maker_account, USDC).await;
    env.settle_pnl(call, maker_account, writer_account, u64::MAX).await.unwrap();
    // The maker paid 2 * price and receives 2 * $20; the writer owes $40 less its premium,
    // now a USDC borrow against its SOL.
    let gain = env.native_balance(maker_account, USDC).await - maker_usdc;
    assert_eq!(gain, I80F48::from_num(40 * USD - 2 * price));
    let owed = env.native_balance(writer_account, USDC).await;
    assert!((owed + I80F48::from_num(40 * USD - 2 * price)).abs() <= I80F48::ONE, "{owed}");
    for a in [maker_account, writer_account] {
        let s = env.margin_account(a).await;
        assert!(s.find_derivative(call).is_none(), "closed at settlement");
    }
    assert_eq!(env.market_state(call).await.open_interest, 0);
}

#[tokio::test]
async fn a_naked_put_writer_is_liquidated_after_a_crash() {
    let mut env = options_env().await;
    let now = env.now().await;
    let put = env.list_market(SOL, USDC, option(MarketKind::Put, 90, 30, now)).await;
    let (maker, maker_account) = funded(&mut env, USDC, 20_000 * USD).await;
    let (writer, writer_account) = funded(&mut env, USDC, 150 * USD).await;
    let (liquidator, liquidator_account) = funded(&mut env, USDC, 20_000 * USD).await;
    let price = cranked_mark(&mut env, put).await;
    env.trade(put, &maker, maker_account, &writer, writer_account, 10, price).await.unwrap();
    let keys = [env.market_key(put), writer_account, liquidator_account];

    // Healthy at $100: nothing to take.
    let mut ixs = env.risk_array_cranks(&[writer_account], &[]).await;
    ixs.push(
        env.liquidate_derivative_ix(put, liquidator.pubkey(), liquidator_account, writer_account, 1).await,
    );
    env.assert_send_refused(&ixs, &[&liquidator], BallastError::NotLiquidatable, &keys).await;

    // SOL crashes to $70 while its EMA is still at $100 (past the 10% deviation a margin check
    // allows): the crank still prices the series, or the crash would block the liquidation. The
    // 10 puts are worth over $200 and the scan asks more.
    let now = env.now().await;
    let feed = env.asset_state(SOL).await.config.feed_id;
    let key = env.assets[SOL].oracle;
    let crash = ballast_tests::pyth::pull_account_with(
        feed,
        70 * 100_000_000,
        0,
        100 * 100_000_000,
        now,
        VerificationLevel::Full,
    );
    env.set_account(key, crash).await;
    env.set_price(USDC, 1.0, 0.0).await;
    env.update_risk_array(put).await.unwrap();
    // (a margin check at this reading is refused on the EMA: the writer cannot add risk now)
    let wallet = env.funded_token_account(writer.pubkey(), USDC, 0).await;
    let w = env.withdraw_ix(writer.pubkey(), writer_account, USDC, wallet, 1).await;
    env.assert_send_refused(&[w], &[&writer], BallastError::OracleEmaDeviation, &keys).await;
    let before = env.health(writer_account, HealthType::Maint, OraclePolicy::Liquidation).await;
    assert!(before < I80F48::ZERO, "{}", usd(before));
    let n = env.derivative_liquidation_size(put, liquidator_account, writer_account).await.unwrap();
    assert!(n > 0 && n <= 10, "{n}");
    let mut ixs = env.risk_array_cranks(&[writer_account], &[]).await;
    ixs.push(
        env.liquidate_derivative_ix(put, liquidator.pubkey(), liquidator_account, writer_account, n).await,
    );
    env.send(&ixs, &[&liquidator]).await.unwrap();
    let after = env.health(writer_account, HealthType::Maint, OraclePolicy::Liquidation).await;
    assert!(after > before, "{} -> {}", usd(before), usd(after));
    let l = env.margin_account(liquidator_account).await;
    let d = l.derivatives[l.find_derivative(put).unwrap()];
    assert_eq!(d.contracts, -(n as i64), "the liquidator took the short over");
}
