//! The keeper on the in-process chain: a price move makes an account unhealthy, one round finds
//! and liquidates it, and the account ends at LiquidationEnd health zero.

use anchor_lang::prelude::Pubkey;
use ballast_keeper::{is_bankrupt, Keeper, KeeperConfig};
use ballast_sdk::chain::banks::BanksChain;
use ballast_tests::*;
use solana_signer::Signer;
use std::collections::HashMap;

/// USDC, SOL, USDT; a trader with 1000 USDC and 10 SOL borrowing 1500 USDT; a liquidator with
/// 100,000 USDC; an LP with 10,000 USDT.
async fn setup() -> (TestEnv, Pubkey, solana_keypair::Keypair, Pubkey) {
    let mut env = TestEnv::new().await;
    let stable = ballast::state::AssetConfig {
        init_asset_weight_bps: 9_500,
        maint_asset_weight_bps: 9_800,
        init_liab_weight_bps: 10_500,
        maint_liab_weight_bps: 10_200,
        liquidation_fee_bps: 100,
        max_liquidation_fee_bps: 150,
        ..default_config()
    };
    let usdc = env.list_asset(SPL_TOKEN, 6, 1.0, stable).await;
    let sol = env.list_asset(TOKEN_2022, 9, 100.0, default_config()).await;
    let usdt = env.list_asset(SPL_TOKEN, 6, 1.0, stable).await;
    let (lp, lp_account) = env.new_trader().await;
    let w = env.funded_token_account(lp.pubkey(), usdt, 10_000_000_000).await;
    env.deposit(&lp, lp_account, usdt, w, 10_000_000_000).await.unwrap();
    let (trader, account) = env.new_trader().await;
    for (asset, amount) in [(usdc, 1_000_000_000u64), (sol, 10_000_000_000)] {
        let w = env.funded_token_account(trader.pubkey(), asset, amount).await;
        env.deposit(&trader, account, asset, w, amount).await.unwrap();
    }
    let to = env.funded_token_account(trader.pubkey(), usdt, 0).await;
    env.borrow(&trader, account, usdt, to, 1_500_000_000).await.unwrap();
    let (liquidator, liq_account) = env.new_trader().await;
    // the keeper pays its own transaction fees
    let payer = env.payer();
    env.send(
        &[solana_system_interface::instruction::transfer(&payer, &liquidator.pubkey(), 1_000_000_000)],
        &[],
    )
    .await
    .unwrap();
    let w = env.funded_token_account(liquidator.pubkey(), usdc, 100_000_000_000).await;
    env.deposit(&liquidator, liq_account, usdc, w, 100_000_000_000).await.unwrap();
    (env, account, liquidator, liq_account)
}

fn chain_for(env: &TestEnv, accounts: &[Pubkey]) -> BanksChain {
    let chain = BanksChain::new(env.ctx.banks_client.clone());
    for a in &env.assets {
        chain.track(a.asset);
    }
    for k in accounts {
        chain.track(*k);
    }
    chain
}

fn overrides(env: &TestEnv) -> HashMap<u16, Pubkey> {
    env.assets.iter().map(|a| (a.index, a.oracle)).collect()
}

#[tokio::test]
async fn keeper_liquidates_an_account_a_price_move_made_unhealthy() {
    let (mut env, account, liquidator, liq_account) = setup().await;
    let chain = chain_for(&env, &[account, liq_account]);
    let config = KeeperConfig { oracle_overrides: overrides(&env), ..KeeperConfig::default() };
    let mut keeper = Keeper::new(env.group, liquidator.insecure_clone(), liq_account, config);

    // healthy: the round finds nothing to do
    let round = keeper.run_round(&chain).await.unwrap();
    assert_eq!(round.scanned, 2);
    assert!(round.liquidated.is_empty());

    // SOL 100 -> 60: Maint = 980 + 540 - 1530 = -10
    env.set_price(0, 1.0, 0.0).await;
    env.set_price(1, 60.0, 0.0).await;
    env.set_price(2, 1.0, 0.0).await;
    assert!(env.health(account, HealthType::Maint, OraclePolicy::Liquidation).await < I80F48::ZERO);
    let round = keeper.run_round(&chain).await.unwrap();
    assert!(round.failures.is_empty(), "{:?}", round.failures);
    assert_eq!(round.liquidated, vec![account]);
    assert!(round.bonus_paid > I80F48::ZERO);
    let le = env.health(account, HealthType::LiquidationEnd, OraclePolicy::Liquidation).await;
    assert!(le >= I80F48::ZERO && le < I80F48::from_num(10_000), "{le}");
    assert_eq!(keeper.stats.liquidations, 1);
    env.assert_invariants().await;

    // and a second round leaves it alone
    let round = keeper.run_round(&chain).await.unwrap();
    assert!(round.liquidated.is_empty());
}

#[tokio::test]
async fn keeper_writes_off_a_bankrupt_account() {
    let (mut env, account, liquidator, liq_account) = setup().await;
    let chain = chain_for(&env, &[account, liq_account]);
    let config = KeeperConfig { oracle_overrides: overrides(&env), ..KeeperConfig::default() };
    let mut keeper = Keeper::new(env.group, liquidator.insecure_clone(), liq_account, config);
    // SOL to $1: 1000 USDC + 10 USD of SOL cannot cover 1500 USDT.
    env.set_price(0, 1.0, 0.0).await;
    env.set_price(1, 1.0, 0.0).await;
    env.set_price(2, 1.0, 0.0).await;
    let round = keeper.run_round(&chain).await.unwrap();
    assert!(round.failures.is_empty(), "{:?}", round.failures);
    assert_eq!(round.liquidated, vec![account]);
    assert_eq!(round.bankrupt, vec![account]);
    assert!(round.bad_debt > I80F48::from_num(400_000_000u64), "{}", round.bad_debt);
    let state = env.margin_account(account).await;
    assert_eq!(state.active_count(), 0);
    let snapshot = keeper.snapshot(&chain).await.unwrap();
    let priced = snapshot.priced(OraclePolicy::Liquidation).unwrap();
    assert!(!is_bankrupt(&priced, &snapshot.group.config, &state));
    env.assert_invariants().await;
}

/// An account whose liquidation fails round after round (here: the keeper names a liquidator
/// account that does not exist) is skipped for 1, then 2 rounds after the allowed failures, and
/// liquidated once the cause is gone; the counters say so.
#[tokio::test]
async fn an_account_that_keeps_failing_is_skipped_for_a_while() {
    let (mut env, account, liquidator, liq_account) = setup().await;
    let chain = chain_for(&env, &[account, liq_account]);
    let config = KeeperConfig {
        oracle_overrides: overrides(&env),
        failures_before_backoff: 2,
        max_backoff_rounds: 4,
        ..KeeperConfig::default()
    };
    let mut keeper = Keeper::new(env.group, liquidator.insecure_clone(), Pubkey::new_unique(), config);
    env.set_price(0, 1.0, 0.0).await;
    env.set_price(1, 60.0, 0.0).await;
    env.set_price(2, 1.0, 0.0).await;
    let mut tried = vec![];
    for _ in 0..6 {
        let round = keeper.run_round(&chain).await.unwrap();
        assert!(round.liquidated.is_empty());
        assert_eq!(round.failures.len() + round.skipped.len(), 1, "{round:?}");
        tried.push(round.skipped.is_empty());
    }
    // rounds 0 and 1 fail (the budget), 2 is skipped, 3 fails, 4 and 5 are skipped
    assert_eq!(tried, [true, true, false, true, false, false]);
    assert_eq!(keeper.stats.accounts_skipped, 3);
    assert_eq!(keeper.stats.failed_sends, 3 * 3, "three attempts in each tried round");
    assert_eq!(keeper.budget.skipped_in(keeper.stats.rounds), 0);

    keeper.liquidator_account = liq_account;
    let round = keeper.run_round(&chain).await.unwrap();
    assert_eq!(round.liquidated, vec![account], "{round:?}");
    assert!(!keeper.budget.skips(&account, keeper.stats.rounds + 1));
    env.assert_invariants().await;
}

/// A keeper with an account feed scans what the feed holds between full scans: an account
/// it was not told about is not seen, one a notification brings is liquidated, and a dropped
/// subscription brings back the full scan.
#[tokio::test]
async fn between_full_scans_the_keeper_sees_the_accounts_its_feed_was_notified_of() {
    use ballast_keeper::AccountFeed;
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};
    let (mut env, account, liquidator, liq_account) = setup().await;
    let chain = chain_for(&env, &[account, liq_account]);
    let config = KeeperConfig { oracle_overrides: overrides(&env), ..KeeperConfig::default() };
    let mut keeper = Keeper::new(env.group, liquidator.insecure_clone(), liq_account, config);
    let feed = Arc::new(Mutex::new(AccountFeed::new(Duration::from_secs(3600))));
    // A full scan that found nothing, newer than anything the chain has made.
    feed.lock().unwrap().connected();
    let generation = feed.lock().unwrap().generation();
    feed.lock().unwrap().resync(u64::MAX - 1, generation, vec![], Instant::now());
    keeper.feed = Some(feed.clone());
    env.set_price(0, 1.0, 0.0).await;
    env.set_price(1, 60.0, 0.0).await;
    env.set_price(2, 1.0, 0.0).await;

    let round = keeper.run_round(&chain).await.unwrap();
    assert_eq!((round.scanned, round.liquidated.len()), (0, 0), "the feed holds no account");

    let state = env.margin_account(account).await;
    assert!(feed.lock().unwrap().apply(u64::MAX, account, state));
    let round = keeper.run_round(&chain).await.unwrap();
    assert_eq!(round.scanned, 1);
    assert_eq!(round.liquidated, vec![account], "{round:?}");
    env.assert_invariants().await;

    // Rounds 0 and 1 took everything (the scan, the settlements, the write-offs) from the feed.
    assert_eq!(feed.lock().unwrap().stats.resyncs, 1);
    feed.lock().unwrap().disconnected();
    let round = keeper.run_round(&chain).await.unwrap();
    assert_eq!(round.scanned, 2, "a full scan");
    let resyncs = feed.lock().unwrap().stats.resyncs;
    assert!(resyncs > 1);
    let round = keeper.run_round(&chain).await.unwrap();
    assert_eq!(round.scanned, 2, "no subscription: a full scan every round");
    assert!(feed.lock().unwrap().stats.resyncs > resyncs);
}
