//! Dated futures in margin accounts: a basis trade, a speculator's loss settled to the market
//! maker, an expiry, and every trade, settlement and expiry the program refuses, by name, with
//! nothing changed. The harness checks the invariants (share totals, vaults, and each market's
//! contracts, cash and open interest) after every transaction.

use crate::margin::{basket, Basket, ETH, SOL, USDC};
use ballast::state::MarketConfig;
use ballast_tests::*;
use solana_keypair::Keypair;
use solana_signer::Signer;

const DAY: i64 = 86_400;
/// One contract is 1 SOL; prices are quote-native (micro-USD) per contract.
const ONE_SOL: u64 = 1_000_000_000;
const USD: u64 = 1_000_000;

fn sol_future(now: i64) -> MarketConfig {
    MarketConfig { expiry_ts: now + 30 * DAY, contract_size: ONE_SOL, ..MarketConfig::template() }
}

/// A trader with a margin account holding `usdc` whole dollars of USDC.
async fn funded(env: &mut TestEnv, usdc: u64) -> (Keypair, Pubkey) {
    let (user, account) = env.new_trader().await;
    let wallet = env.funded_token_account(user.pubkey(), USDC, usdc * USD).await;
    env.deposit(&user, account, USDC, wallet, usdc * USD).await.unwrap();
    (user, account)
}

fn usd(v: I80F48) -> f64 {
    v.to_num::<f64>() / 1e6
}

async fn init_health(env: &mut TestEnv, account: Pubkey) -> I80F48 {
    env.health(account, HealthType::Init, OraclePolicy::RiskIncreasing).await
}

fn near(a: I80F48, usd_expected: f64) -> bool {
    (usd(a) - usd_expected).abs() < 1e-5
}

#[tokio::test]
async fn a_basis_trade_gets_its_spot_haircut_back() {
    let Basket { mut env, trader, account, .. } = basket().await;
    let now = env.now().await;
    let m = env.list_market(SOL, USDC, sol_future(now)).await;
    let (maker, maker_account) = funded(&mut env, 10_000).await;

    // Init before: 1,000 USDC at 0.95 + 10 SOL at $100 * 0.8 + 1 ETH at $2,000 * 0.8 = $3,350.
    assert!(near(init_health(&mut env, account).await, 3_350.0));
    // The trader sells 10 SOL futures at $100 against its 10 SOL: the scan sees no net delta
    // and the spot's $200 Init haircut comes back: $3,550.
    env.trade(m, &maker, maker_account, &trader, account, 10, 100 * USD).await.unwrap();
    let h = init_health(&mut env, account).await;
    assert!(near(h, 3_550.0), "{}", usd(h));
    // The maker's 10 long: the worst scenario is the extreme +-30% counted at 35% ($105) over
    // the plain 10% move ($100): 10,000 * 0.95 - 105 = $9,395.
    let h = init_health(&mut env, maker_account).await;
    assert!(near(h, 9_395.0), "{}", usd(h));

    let market = env.market_state(m).await;
    assert_eq!(market.open_interest, 10);
    let s = env.margin_account(account).await;
    let d = s.derivatives[s.find_derivative(m).unwrap()];
    assert_eq!((d.contracts, d.quote, d.underlying_index), (-10, 1_000 * USD as i64, SOL as u16));
    let b = env.margin_account(maker_account).await;
    let d = b.derivatives[b.find_derivative(m).unwrap()];
    assert_eq!((d.contracts, d.quote), (10, -(1_000 * USD as i64)));

    // The breakdown shows the scan: net delta zero, the whole credit, no requirement.
    let (state, priced) = env.priced_for(account, OraclePolicy::RiskIncreasing).await.unwrap();
    let reports = ballast_sdk::snapshot::account_reports(&priced, &state).unwrap();
    let scan = reports.init.scans[0];
    assert_eq!(
        (scan.underlying_index, scan.net_delta, scan.requirement),
        (SOL as u16, I80F48::ZERO, I80F48::ZERO)
    );
    assert!(near(scan.hedge_credit, 200.0));
}

#[tokio::test]
async fn a_speculators_loss_is_settled_to_the_market_maker() {
    let Basket { mut env, .. } = basket().await;
    let now = env.now().await;
    let m = env.list_market(SOL, USDC, sol_future(now)).await;
    let (maker, maker_account) = funded(&mut env, 10_000).await;
    let (spec, spec_account) = funded(&mut env, 1_000).await;

    // Long 5 at $100: 1,000 * 0.95 - 5 * 100 * 10.5% = $897.50 of Init health.
    env.trade(m, &spec, spec_account, &maker, maker_account, 5, 100 * USD).await.unwrap();
    assert!(near(init_health(&mut env, spec_account).await, 897.5));
    // Too large for its collateral: 100 contracts need $1,050.
    let ix = env.trade_ix(m, spec_account, maker_account, 100, 100 * USD).await;
    let keys = [env.market_key(m), spec_account, maker_account];
    env.assert_send_refused(&[ix], &[&spec, &maker], BallastError::InsufficientHealth, &keys).await;
    // Its futures hold margin: all its USDC cannot leave.
    let wallet = env.funded_token_account(spec.pubkey(), USDC, 0).await;
    let ix = env.withdraw_ix(spec.pubkey(), spec_account, USDC, wallet, 1_000 * USD).await;
    env.assert_send_refused(&[ix], &[&spec], BallastError::InsufficientHealth, &keys).await;
    // Nor can the account close.
    let ix = ballast_sdk::ix::close_account(spec_account, spec.pubkey(), spec.pubkey());
    env.assert_send_refused(&[ix], &[&spec], BallastError::AccountHasDerivatives, &keys).await;

    // SOL falls to $90: the speculator owes $50. Anyone settles it.
    env.set_price(SOL, 90.0, 0.0).await;
    env.set_price(USDC, 1.0, 0.0).await;
    let vault_before = env.token_balance(env.assets[USDC].vault).await;
    let usdc_total_before =
        env.native_balance(spec_account, USDC).await + env.native_balance(maker_account, USDC).await;
    env.settle_pnl(m, maker_account, spec_account, u64::MAX).await.unwrap();
    assert_eq!(env.native_balance(spec_account, USDC).await, I80F48::from_num(950 * USD));
    assert_eq!(env.native_balance(maker_account, USDC).await, I80F48::from_num(10_050 * USD));
    // Quote tokens move only between the two accounts; the vault is untouched.
    assert_eq!(env.token_balance(env.assets[USDC].vault).await, vault_before);
    let usdc_total_after =
        env.native_balance(spec_account, USDC).await + env.native_balance(maker_account, USDC).await;
    assert_eq!(usdc_total_after, usdc_total_before);
    let s = env.margin_account(spec_account).await;
    let d = s.derivatives[s.find_derivative(m).unwrap()];
    assert_eq!((d.contracts, d.quote), (5, -(450 * USD as i64)));

    // Nothing left to settle; and two accounts that both owe cannot settle with each other.
    let (other, other_account) = funded(&mut env, 1_000).await;
    env.trade(m, &other, other_account, &maker, maker_account, 1, 90 * USD).await.unwrap();
    env.set_price(SOL, 85.0, 0.0).await;
    env.set_price(USDC, 1.0, 0.0).await;
    let keys = [spec_account, other_account, env.assets[USDC].asset, env.market_key(m)];
    let ix = env.settle_pnl_ix(m, other_account, spec_account, u64::MAX).await;
    env.assert_send_refused(&[ix], &[], BallastError::PnlSignsDoNotMatch, &keys).await;
    let ix = env.settle_pnl_ix(m, spec_account, spec_account, u64::MAX).await;
    env.assert_send_refused(&[ix], &[], BallastError::SameAccountBothSides, &keys).await;
    // A partial settlement, capped by the caller: $5 of the speculator's $25 loss.
    env.settle_pnl(m, maker_account, spec_account, 5 * USD).await.unwrap();
    assert_eq!(env.native_balance(spec_account, USDC).await, I80F48::from_num(945 * USD));
}

#[tokio::test]
async fn an_expiry_settles_at_the_first_update_after_it() {
    let Basket { mut env, .. } = basket().await;
    let now = env.now().await;
    let expiry = now + DAY;
    let config = MarketConfig { expiry_ts: expiry, settlement_window_secs: 3_600, ..sol_future(now) };
    let m = env.list_market(SOL, USDC, config).await;
    let (maker, maker_account) = funded(&mut env, 10_000).await;
    let (spec, spec_account) = funded(&mut env, 1_000).await;
    env.trade(m, &spec, spec_account, &maker, maker_account, 2, 100 * USD).await.unwrap();
    let market_key = env.market_key(m);
    let keys = [market_key];

    let ix = env.group_snapshot(false).await.settle_expiry(m).unwrap();
    env.assert_send_refused(std::slice::from_ref(&ix), &[], BallastError::MarketNotExpired, &keys).await;

    env.advance_time(DAY + 200).await;
    // No trading after expiry.
    env.set_price(SOL, 110.0, 0.0).await;
    env.set_price(USDC, 1.0, 0.0).await;
    let t = env.trade_ix(m, spec_account, maker_account, 1, 110 * USD).await;
    env.assert_send_refused(&[t], &[&spec, &maker], BallastError::MarketExpired, &keys).await;
    // An update published before expiry, or after the window, does not settle.
    env.set_price_published(SOL, 99.0, 0.0, expiry - 10).await;
    env.assert_send_refused(
        std::slice::from_ref(&ix),
        &[],
        BallastError::SettlementReadingBeforeExpiry,
        &keys,
    )
    .await;
    env.set_price_published(SOL, 120.0, 0.0, expiry + 3_601).await;
    env.assert_send_refused(
        std::slice::from_ref(&ix),
        &[],
        BallastError::SettlementReadingOutsideWindow,
        &keys,
    )
    .await;
    // One at expiry + 100s is recorded; an earlier one (+50s) replaces it; a later one cannot.
    env.set_price_published(SOL, 110.0, 0.0, expiry + 100).await;
    env.settle_expiry(m).await.unwrap();
    let market = env.market_state(m).await;
    assert_eq!(market.settlement_publish_ts, expiry + 100);
    env.set_price_published(SOL, 108.0, 0.0, expiry + 50).await;
    env.settle_expiry(m).await.unwrap();
    assert_eq!(env.market_state(m).await.settlement_publish_ts, expiry + 50);
    env.set_price_published(SOL, 109.0, 0.0, expiry + 80).await;
    env.assert_send_refused(std::slice::from_ref(&ix), &[], BallastError::SettlementReadingNotEarlier, &keys)
        .await;

    // Final after the window and as long again; then no update changes it.
    env.advance_time(2 * 3_600).await;
    env.set_price_published(SOL, 100.0, 0.0, expiry + 10).await;
    env.assert_send_refused(&[ix], &[], BallastError::SettlementFinal, &keys).await;
    let market = env.market_state(m).await;
    assert!(market.is_settled(env.now().await));
    assert_eq!(market.settlement_per_contract().unwrap(), 108 * USD as i64);

    // Both positions close at $108: the speculator is owed 2 * $8 = $16.
    env.set_price(USDC, 1.0, 0.0).await;
    env.settle_pnl(m, spec_account, maker_account, u64::MAX).await.unwrap();
    assert_eq!(env.native_balance(spec_account, USDC).await, I80F48::from_num(1_016 * USD));
    assert_eq!(env.native_balance(maker_account, USDC).await, I80F48::from_num(9_984 * USD));
    for a in [spec_account, maker_account] {
        assert_eq!(env.margin_account(a).await.active_derivatives().count(), 0, "slot freed");
    }
    assert_eq!(env.market_state(m).await.open_interest, 0);
}

#[tokio::test]
async fn bad_trades_are_refused_by_name_and_change_nothing() {
    let Basket { mut env, .. } = basket().await;
    let now = env.now().await;
    let m = env.list_market(SOL, USDC, MarketConfig { open_interest_cap: 20, ..sol_future(now) }).await;
    let (maker, maker_account) = funded(&mut env, 10_000).await;
    let (spec, spec_account) = funded(&mut env, 1_000).await;
    let keys = [env.market_key(m), spec_account, maker_account];

    // Outside the 2% band around the $100 spot (both ways), and a zero size.
    for price in [103 * USD, 97 * USD, 0] {
        let ix = env.trade_ix(m, spec_account, maker_account, 1, price).await;
        env.assert_send_refused(&[ix], &[&spec, &maker], BallastError::PriceOutsideBand, &keys).await;
    }
    let ix = env.trade_ix(m, spec_account, maker_account, 0, 100 * USD).await;
    env.assert_send_refused(&[ix], &[&spec, &maker], BallastError::ZeroAmount, &keys).await;
    // Past the open-interest cap of 20.
    let ix = env.trade_ix(m, spec_account, maker_account, 21, 100 * USD).await;
    env.assert_send_refused(&[ix], &[&spec, &maker], BallastError::OpenInterestCapExceeded, &keys).await;
    // Without the counterparty's signature (the account list no longer asks for it).
    let mut ix = env.trade_ix(m, spec_account, maker_account, 1, 100 * USD).await;
    ix.accounts.iter_mut().filter(|a| a.pubkey == maker.pubkey()).for_each(|a| a.is_signer = false);
    let before = env.snapshot(&keys).await;
    let r = env.send(&[ix], &[&spec]).await;
    assert_eq!(custom_error(&r), Some(anchor_lang::error::ErrorCode::AccountNotSigner as u32), "{r:?}");
    assert_eq!(env.snapshot(&keys).await, before);
    // With the same account on both sides.
    let ix = env.trade_ix(m, spec_account, spec_account, 1, 100 * USD).await;
    env.assert_send_refused(&[ix], &[&spec], BallastError::SameAccountBothSides, &keys).await;
    // Signed by someone who owns neither account.
    let stranger = Keypair::new();
    let mut ix = env.trade_ix(m, spec_account, maker_account, 1, 100 * USD).await;
    ix.accounts.iter_mut().filter(|a| a.pubkey == maker.pubkey()).for_each(|a| a.pubkey = stranger.pubkey());
    env.assert_send_refused(&[ix], &[&spec, &stranger], BallastError::NotOwner, &keys).await;
    // With a stale oracle (two minutes without an update).
    env.advance_time(120).await;
    let ix = env.trade_ix(m, spec_account, maker_account, 1, 100 * USD).await;
    env.assert_send_refused(&[ix], &[&spec, &maker], BallastError::OracleStale, &keys).await;
    env.set_price(SOL, 100.0, 0.0).await;
    env.set_price(USDC, 1.0, 0.0).await;
    // A trade within every limit lands.
    env.trade(m, &spec, spec_account, &maker, maker_account, 4, 100 * USD).await.unwrap();
    // On a market of another group.
    env.check_invariants = false;
    let group = env.group;
    let assets = env.assets.clone();
    let other = env.init_group(1).await.unwrap();
    env.group = other;
    let u = env.list_asset(SPL_TOKEN, 9, 100.0, default_config()).await;
    let q = env.list_asset(SPL_TOKEN, 6, 1.0, default_config()).await;
    let foreign = env.list_market(u, q, sol_future(now)).await;
    let foreign_key = env.market_key(foreign);
    env.group = group;
    env.assets = assets;
    env.check_invariants = true;
    let mut ix = env.trade_ix(m, spec_account, maker_account, 1, 100 * USD).await;
    let own_key = env.market_key(m);
    ix.accounts.iter_mut().filter(|a| a.pubkey == own_key).for_each(|a| a.pubkey = foreign_key);
    env.assert_send_refused(&[ix], &[&spec, &maker], BallastError::WrongGroup, &keys).await;
}

#[tokio::test]
async fn a_losing_future_is_taken_over_just_enough() {
    let Basket { mut env, .. } = basket().await;
    let now = env.now().await;
    let m = env.list_market(SOL, USDC, sol_future(now)).await;
    let (maker, maker_account) = funded(&mut env, 10_000).await;
    let (spec, spec_account) = funded(&mut env, 1_000).await;
    let (liquidator, liquidator_account) = funded(&mut env, 10_000).await;
    env.trade(m, &spec, spec_account, &maker, maker_account, 50, 100 * USD).await.unwrap();
    let keys = [env.market_key(m), spec_account, liquidator_account];

    // Healthy at $100: nothing to take.
    let ix = env.liquidate_derivative_ix(m, liquidator.pubkey(), liquidator_account, spec_account, 1).await;
    env.assert_send_refused(&[ix], &[&liquidator], BallastError::NotLiquidatable, &keys).await;

    // At $86 the speculator's Maint health is 980 - 700 - 50 * 86 * 7.0035% = -$21.2.
    env.set_price(SOL, 86.0, 0.0).await;
    env.set_price(USDC, 1.0, 0.0).await;
    let maint = env.health(spec_account, HealthType::Maint, OraclePolicy::Liquidation).await;
    assert!(near(maint, 980.0 - 700.0 - 50.0 * 86.0 * 0.070035), "{}", usd(maint));
    // LiquidationEnd: 965 - 700 - 50 * 86 * 8.75% = -$111.25; each contract taken at 5% under
    // the mark gives back 86 * (8.75% - 5%) = $3.225, so 35 contracts do it.
    let n = env.derivative_liquidation_size(m, liquidator_account, spec_account).await.unwrap();
    assert_eq!(n, 35);
    let ix =
        env.liquidate_derivative_ix(m, liquidator.pubkey(), liquidator_account, spec_account, n + 1).await;
    env.assert_send_refused(&[ix], &[&liquidator], BallastError::LiquidationExceedsTarget, &keys).await;
    let ix = env.liquidate_derivative_ix(m, liquidator.pubkey(), liquidator_account, spec_account, n).await;
    env.send(&[ix], &[&liquidator]).await.unwrap();

    let le = env.health(spec_account, HealthType::LiquidationEnd, OraclePolicy::Liquidation).await;
    assert!(le >= I80F48::ZERO, "{}", usd(le));
    let s = env.margin_account(spec_account).await;
    let d = s.derivatives[s.find_derivative(m).unwrap()];
    // 35 sold at $81.70 (86 less 5%, rounded down against the liquidatee): the rest stays
    let price = (d.quote + 5_000 * USD as i64) / 35;
    assert!((81_699_999..=81_700_000).contains(&price), "{price}");
    assert_eq!((d.contracts, d.quote), (15, -(5_000 * USD as i64) + 35 * price));
    assert!(!s.is_being_liquidated(), "the episode ends at LiquidationEnd zero");
    let l = env.margin_account(liquidator_account).await;
    let d = l.derivatives[l.find_derivative(m).unwrap()];
    assert_eq!((d.contracts, d.quote), (35, -35 * price));
    assert_eq!(env.market_state(m).await.open_interest, 50);
}

#[tokio::test]
async fn a_settlement_may_not_push_a_healthy_account_below_maintenance() {
    let Basket { mut env, .. } = basket().await;
    let now = env.now().await;
    // one contract is 1 ETH (8 decimals)
    let config = MarketConfig { contract_size: 100_000_000, ..sol_future(now) };
    let m = env.list_market(ETH, USDC, config).await;
    let (maker, maker_account) = funded(&mut env, 10_000).await;
    // A trader with 10 SOL only sells 3 ETH futures at $2,000 (Init: 800 - 630 = $170).
    let (trader, account) = env.new_trader().await;
    let wallet = env.funded_token_account(trader.pubkey(), SOL, 10 * ONE_SOL).await;
    env.deposit(&trader, account, SOL, wallet, 10 * ONE_SOL).await.unwrap();
    env.trade(m, &maker, maker_account, &trader, account, 3, 2_000 * USD).await.unwrap();

    // ETH at $2,148: Maint 900 - 3 * 148 - 3 * 2,148 * 7.0035% = $4.7, a loss of $444 owed.
    env.set_price(ETH, 2_148.0, 0.0).await;
    env.set_price(SOL, 100.0, 0.0).await;
    env.set_price(USDC, 1.0, 0.0).await;
    let maint = env.health(account, HealthType::Maint, OraclePolicy::Liquidation).await;
    assert!(near(maint, 900.0 - 444.0 - 3.0 * 2_148.0 * 0.070035), "{}", usd(maint));
    // Settled in full, the loss becomes a USDC borrow at the 1.02 liability weight: $8.88 more,
    // below zero. A third party may not do that.
    let keys = [account, maker_account, env.assets[USDC].asset, env.market_key(m)];
    let ix = env.settle_pnl_ix(m, maker_account, account, u64::MAX).await;
    env.assert_send_refused(&[ix], &[], BallastError::SettlementBreaksMaint, &keys).await;
    // $100 of it keeps the account above (4.7 - 2.0).
    env.settle_pnl(m, maker_account, account, 100 * USD).await.unwrap();
    let debt = env.native_balance(account, USDC).await;
    assert!((debt + I80F48::from_num(100 * USD)).abs() <= I80F48::ONE, "{debt}");
    let after = env.health(account, HealthType::Maint, OraclePolicy::Liquidation).await;
    assert!(after >= I80F48::ZERO && after < maint, "{} -> {}", usd(maint), usd(after));
}

#[tokio::test]
async fn market_parameters_are_governed_like_assets() {
    use ballast::risk::governance::{value_from_u64, MarketField};
    use ballast::state::PatchEntry;
    use ballast_sdk::ix;
    let e = |f: MarketField, v: u64| PatchEntry::new(f as u16, value_from_u64(v));
    let Basket { mut env, .. } = basket().await;
    let now = env.now().await;
    let m = env.list_market(SOL, USDC, sol_future(now)).await;
    let (maker, maker_account) = funded(&mut env, 10_000).await;
    let (spec, spec_account) = funded(&mut env, 1_000).await;
    env.trade(m, &spec, spec_account, &maker, maker_account, 5, 100 * USD).await.unwrap();
    let config =
        ballast::state::GroupConfig { timelock_delay_secs: DAY as u32, ..env.group_state().await.config };
    env.update_group(config).await.unwrap();
    let (guardian, admin, stranger) =
        (env.guardian.insecure_clone(), env.admin.insecure_clone(), Keypair::new());
    let market = env.market_key(m);
    let keys = [market, env.group, spec_account];

    // The guardian tightens at once: reduce-only and a lower open-interest cap.
    let i = ix::apply_market_patch(
        env.group,
        guardian.pubkey(),
        market,
        vec![e(MarketField::ReduceOnly, 1), e(MarketField::OpenInterestCap, 10)],
    );
    env.send(&[i], &[&guardian]).await.unwrap();
    let c = env.market_state(m).await.config;
    assert_eq!((c.is_reduce_only(), c.open_interest_cap), (true, 10));
    // which stops a trade that grows a position, but not one that shrinks both
    let ix = env.trade_ix(m, spec_account, maker_account, 1, 100 * USD).await;
    env.assert_send_refused(&[ix], &[&spec, &maker], BallastError::MarketReduceOnly, &keys).await;
    env.trade(m, &maker, maker_account, &spec, spec_account, 1, 100 * USD).await.unwrap();

    // The guardian cannot loosen, nor move what sets Maint (a wider range included), nor a
    // series' terms (not fields); a stranger cannot patch at all.
    for (entries, signer, error) in [
        (vec![e(MarketField::ReduceOnly, 0)], &guardian, BallastError::GuardianCannotLoosen),
        (vec![e(MarketField::ScanRangeMultiplierBps, 20_000)], &guardian, BallastError::GuardianCannotLoosen),
        (vec![e(MarketField::ExtremeFractionBps, 5_000)], &admin, BallastError::LooseningNeedsProposal),
        (vec![PatchEntry::new(99, value_from_u64(1))], &guardian, BallastError::PatchFieldUnknown),
        (vec![e(MarketField::PnlWeightInitBps, 9_000)], &admin, BallastError::PnlWeightInvalid),
        (vec![e(MarketField::PriceBandBps, 0)], &guardian, BallastError::PriceBandOutOfRange),
        (vec![e(MarketField::PriceBandBps, 100)], &stranger, BallastError::NotAdminOrGuardian),
    ] {
        let i = ix::apply_market_patch(env.group, signer.pubkey(), market, entries);
        env.assert_send_refused(&[i], &[signer], error, &keys).await;
    }

    // The admin proposes counting the extreme move at 50% (from 35%); it waits a day and runs
    // by anyone. Long 4 at $100: the extreme loss 4 * $100 * 30% * 35% = $42 was the worst
    // scenario (over 10%: $40); at 50% it is $60, so Init falls by exactly $18.
    let n = env.group_state().await.proposal_count;
    let i = ix::propose_market_patch(
        env.group,
        admin.pubkey(),
        env.payer(),
        market,
        n,
        vec![e(MarketField::ExtremeFractionBps, 5_000)],
    );
    env.send(&[i], &[&admin]).await.unwrap();
    let proposal = ix::proposal_address(&env.group, n);
    let keys = [market, proposal, spec_account];
    let i = ix::execute_market_proposal(env.group, proposal, market, stranger.pubkey());
    env.assert_send_refused(&[i], &[&stranger], BallastError::ProposalTooEarly, &keys).await;
    env.advance_time(DAY).await;
    env.set_price(SOL, 100.0, 0.0).await;
    env.set_price(USDC, 1.0, 0.0).await;
    let before = init_health(&mut env, spec_account).await;
    // the proposal's target only: not another market, not an asset in the market's place
    let other = env.list_market(ETH, USDC, MarketConfig { contract_size: 1, ..sol_future(now + DAY) }).await;
    let i = ix::execute_market_proposal(env.group, proposal, env.market_key(other), stranger.pubkey());
    env.assert_send_refused(&[i], &[&stranger], BallastError::ProposalWrongTarget, &keys).await;
    let i = ix::execute_market_proposal(env.group, proposal, env.assets[SOL].asset, stranger.pubkey());
    let r = env.send(&[i], &[&stranger]).await;
    assert_eq!(
        custom_error(&r),
        Some(anchor_lang::error::ErrorCode::AccountDiscriminatorMismatch as u32),
        "{r:?}"
    );
    let i = ix::execute_market_proposal(env.group, proposal, market, stranger.pubkey());
    env.send(&[i], &[&stranger]).await.unwrap();
    assert_eq!(env.market_state(m).await.config.extreme_fraction_bps, 5_000);
    let after = init_health(&mut env, spec_account).await;
    assert!(near(before - after, 18.0), "{}", usd(before - after));

    // A proposal names one target: an asset and a market together are refused.
    let n = env.group_state().await.proposal_count;
    let mut i = ix::propose_market_patch(
        env.group,
        admin.pubkey(),
        env.payer(),
        market,
        n,
        vec![e(MarketField::PriceBandBps, 100)],
    );
    i.accounts[4].pubkey = env.assets[SOL].asset; // the asset slot
    env.assert_send_refused(&[i], &[&admin], BallastError::PatchTargetAmbiguous, &[env.group, market]).await;
}
