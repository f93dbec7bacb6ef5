//! The keeper on accounts at the maximum of 16 token positions, whose liquidation and bankruptcy
//! write-off do not fit in a legacy transaction: it builds its address lookup table, waits for
//! it (here: until the test moves the chain a slot on, as program-test never advances by itself),
//! sends the transaction as v0 through it, and extends the table when an asset is listed.
//!
//! In solana-program-test 3.1 these transactions cannot be sent as legacy at all: with more
//! than 38 static accounts its bank panics on a program index (`signature_details.rs`, its
//! table of `MAX_STATIC_ACCOUNTS_PER_PACKET` = 38 entries) and the chain hangs
//! (`DeadlineExceeded`); `BanksChain::send` refuses them instead. As v0 they run.

use anchor_lang::prelude::Pubkey;
use ballast::state::MAX_TOKEN_POSITIONS;
use ballast_keeper::{Keeper, KeeperConfig};
use ballast_sdk::chain::banks::BanksChain;
use ballast_sdk::lookup_table::{group_addresses, LookupTable};
use ballast_sdk::{tx, Chain};
use ballast_tests::*;
use solana_keypair::Keypair;
use solana_signer::Signer;
use std::collections::HashMap;
use std::time::Instant;

/// Tokens of 6 decimals.
const UNIT: u64 = 1_000_000;

/// `MAX_TOKEN_POSITIONS` assets at $1; an LP supplying the last one (the debt asset); a
/// liquidator with 100,000 tokens of asset 0 who pays its own fees.
async fn group() -> (TestEnv, Keypair, Pubkey) {
    let mut env = TestEnv::new().await;
    for _ in 0..MAX_TOKEN_POSITIONS {
        env.list_asset(SPL_TOKEN, 6, 1.0, default_config()).await;
    }
    let debt = MAX_TOKEN_POSITIONS - 1;
    let (lp, lp_account) = env.new_trader().await;
    let w = env.funded_token_account(lp.pubkey(), debt, 1_000 * UNIT).await;
    env.deposit(&lp, lp_account, debt, w, 1_000 * UNIT).await.unwrap();
    let (liquidator, liq_account) = env.new_trader().await;
    let payer = env.payer();
    env.send(
        &[solana_system_interface::instruction::transfer(&payer, &liquidator.pubkey(), 10_000_000_000)],
        &[],
    )
    .await
    .unwrap();
    let w = env.funded_token_account(liquidator.pubkey(), 0, 100_000 * UNIT).await;
    env.deposit(&liquidator, liq_account, 0, w, 100_000 * UNIT).await.unwrap();
    (env, liquidator, liq_account)
}

/// A trader at 16 positions: `first` native units of asset 0, a debt of 60 tokens of asset 15
/// (borrowed while asset 0 is the only collateral, so no transaction of the setup is wide), then
/// `each` native units of each of assets 1..=14.
async fn wide_trader(env: &mut TestEnv, first: u64, each: u64) -> Pubkey {
    let debt = MAX_TOKEN_POSITIONS - 1;
    let (trader, account) = env.new_trader().await;
    let w = env.funded_token_account(trader.pubkey(), 0, first).await;
    env.deposit(&trader, account, 0, w, first).await.unwrap();
    let to = env.funded_token_account(trader.pubkey(), debt, 0).await;
    env.borrow(&trader, account, debt, to, 60 * UNIT).await.unwrap();
    for i in 1..debt {
        let w = env.funded_token_account(trader.pubkey(), i, each).await;
        env.deposit(&trader, account, i, w, each).await.unwrap();
    }
    assert_eq!(env.margin_account(account).await.active_count(), MAX_TOKEN_POSITIONS);
    account
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

fn keeper(env: &TestEnv, liquidator: &Keypair, liq_account: Pubkey) -> Keeper {
    let overrides: HashMap<u16, Pubkey> = env.assets.iter().map(|a| (a.index, a.oracle)).collect();
    let config = KeeperConfig { oracle_overrides: overrides, ..KeeperConfig::default() };
    Keeper::new(env.group, liquidator.insecure_clone(), liq_account, config)
}

async fn table(chain: &BanksChain, keeper: &Keeper) -> LookupTable {
    chain.lookup_table(&keeper.lookup_table.expect("the keeper has a table")).await.unwrap().unwrap()
}

#[tokio::test]
async fn keeper_liquidates_a_16_position_account_through_its_lookup_table() {
    let started = Instant::now();
    let (mut env, liquidator, liq_account) = group().await;
    let account = wide_trader(&mut env, 100 * UNIT, 100 * UNIT).await;
    let setup = started.elapsed();
    let chain = chain_for(&env, &[account, liq_account]);
    let mut keeper = keeper(&env, &liquidator, liq_account);

    // The debt from $1 to $23: Maint = 0.9 * 1,500 - 1.1 * 1,380 < 0, not bankrupt; restoring
    // LiquidationEnd takes about 1,270 of the 1,500 of collateral: 13 legs.
    let debt = MAX_TOKEN_POSITIONS - 1;
    env.set_price(debt, 23.0, 0.0).await;
    assert!(env.health(account, HealthType::Maint, OraclePolicy::Liquidation).await < I80F48::ZERO);

    // The liquidation the keeper will send does not fit a legacy transaction.
    let snapshot = keeper.snapshot(&chain).await.unwrap();
    let accounts = snapshot.margin_accounts(&chain).await.unwrap();
    let state = |k: Pubkey| accounts.iter().find(|(a, _)| *a == k).unwrap().1;
    let (liqor, liqee) = (state(liq_account), state(account));
    let i = snapshot
        .liquidate(liquidator.pubkey(), liq_account, &liqor, account, &liqee, debt as u16, u64::MAX, 10_000)
        .unwrap();
    assert_eq!(i.accounts.len(), 4 + 2 * MAX_TOKEN_POSITIONS);
    let ixs = tx::with_compute_budget(&[i], 0);
    let legacy = tx::legacy_transaction_size(&liquidator.pubkey(), &ixs);
    assert!(tx::needs_lookup_table(&liquidator.pubkey(), &ixs), "{legacy} bytes");

    // Round 1: the keeper creates its table, which is not usable before the next slot.
    let t = Instant::now();
    let round = keeper.run_round(&chain).await.unwrap();
    let round1 = t.elapsed();
    assert!(round.failures.is_empty(), "{:?}", round.failures);
    assert!(round.liquidated.is_empty());
    assert_eq!(round.deferred.len(), 1, "{:?}", round.deferred);
    assert_eq!(round.deferred[0].0, account);
    assert_eq!(keeper.stats.failed_sends, 0);
    let created = table(&chain, &keeper).await;
    assert_eq!(created.authority, Some(liquidator.pubkey()));
    assert_eq!(created.addresses, group_addresses(&snapshot));
    // group + 4 per asset + SPL Token: 66 addresses in 4 transactions of at most 20
    assert_eq!(created.addresses.len(), 1 + 4 * MAX_TOKEN_POSITIONS + 1);
    assert_eq!(keeper.stats.lookup_table_transactions, 4);

    // Round 2, a slot later: the liquidation goes out as v0 through the table.
    env.advance_time(1).await;
    let t = Instant::now();
    let round = keeper.run_round(&chain).await.unwrap();
    let round2 = t.elapsed();
    assert!(round.failures.is_empty(), "{:?}", round.failures);
    assert!(round.deferred.is_empty(), "{:?}", round.deferred);
    assert_eq!(round.liquidated, vec![account]);
    assert_eq!(round.v0_transactions, 1);
    assert!(round.bonus_paid > I80F48::ZERO);
    assert_eq!(keeper.stats.lookup_table_transactions, 4, "the table was complete");
    let le = env.health(account, HealthType::LiquidationEnd, OraclePolicy::Liquidation).await;
    assert!(le >= I80F48::ZERO && le < I80F48::from_num(10_000), "{le}");
    let after = env.margin_account(account).await;
    assert!(after.active_count() < MAX_TOKEN_POSITIONS, "collateral was seized");
    env.assert_invariants().await;
    env.assert_invariants().await;

    // A newly listed asset: the next round extends the table by its four addresses, once.
    env.list_asset(TOKEN_2022, 9, 5.0, default_config()).await;
    let chain = chain_for(&env, &[account, liq_account]);
    let mut config = keeper.config.clone();
    config.oracle_overrides = env.assets.iter().map(|a| (a.index, a.oracle)).collect();
    keeper.config = config;
    let round = keeper.run_round(&chain).await.unwrap();
    assert!(round.failures.is_empty(), "{:?}", round.failures);
    assert!(round.liquidated.is_empty());
    let extended = table(&chain, &keeper).await;
    let new = env.assets.last().unwrap().clone();
    assert_eq!(extended.key, created.key);
    assert_eq!(extended.addresses[..created.addresses.len()], created.addresses[..]);
    assert_eq!(
        extended.addresses[created.addresses.len()..],
        [new.asset, new.oracle, new.vault, new.mint, TOKEN_2022]
    );
    assert_eq!(keeper.stats.lookup_table_transactions, 5);
    keeper.run_round(&chain).await.unwrap();
    assert_eq!(keeper.stats.lookup_table_transactions, 5);
    eprintln!(
        "16 positions: setup {setup:?}, round 1 (table) {round1:?}, round 2 (v0 liquidation) {round2:?}, \
         legacy {legacy} bytes; total {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn keeper_writes_off_a_16_position_bankrupt_account_through_its_lookup_table() {
    let started = Instant::now();
    let (mut env, liquidator, liq_account) = group().await;
    // 100 tokens of asset 0 and one native unit of each of 14 more assets: after asset 0 falls
    // to $0.00005 the collateral is worth $0.005014, under the group's $0.01 of dust, against
    // a $60 debt. The write-off prices the dust: 15 Assets and their oracles at least.
    let account = wide_trader(&mut env, 100 * UNIT, 1).await;
    let chain = chain_for(&env, &[account, liq_account]);
    let mut keeper = keeper(&env, &liquidator, liq_account);
    env.set_price(0, 0.00005, 0.0).await;

    let snapshot = keeper.snapshot(&chain).await.unwrap();
    let state = env.margin_account(account).await;
    let i = snapshot.resolve_bankruptcy(account, &state, (MAX_TOKEN_POSITIONS - 1) as u16).unwrap();
    assert!(i.accounts.len() >= 3 + 2 * (MAX_TOKEN_POSITIONS - 1), "{}", i.accounts.len());
    let legacy = tx::legacy_transaction_size(&liquidator.pubkey(), std::slice::from_ref(&i));
    assert!(tx::needs_lookup_table(&liquidator.pubkey(), &[i]), "{legacy} bytes");

    // The table built ahead, a slot before the round: the write-off goes straight out as v0.
    let ensured = keeper.prepare_lookup_table(&chain).await.unwrap();
    assert!(ensured.created);
    env.advance_time(1).await;
    env.set_price(0, 0.00005, 0.0).await;
    let round = keeper.run_round(&chain).await.unwrap();
    assert!(round.failures.is_empty(), "{:?}", round.failures);
    assert!(round.deferred.is_empty(), "{:?}", round.deferred);
    assert!(round.liquidated.is_empty(), "a bankrupt account is written off, not liquidated");
    assert_eq!(round.bankrupt, vec![account]);
    assert_eq!(round.v0_transactions, 1);
    assert!(round.bad_debt > I80F48::from_num(59 * UNIT), "{}", round.bad_debt);
    assert_eq!(env.margin_account(account).await.active_count(), 0);
    env.assert_invariants().await;
    env.assert_invariants().await;
    eprintln!("16-position write-off: legacy {legacy} bytes; total {:?}", started.elapsed());
}

/// Just below the threshold: a 13-position account's liquidation (13 assets priced, the
/// liquidator's asset among them) fits in a packet, 1,189 bytes, so the keeper sends it as
/// legacy and builds no table.
#[tokio::test]
async fn keeper_sends_a_13_position_liquidation_as_legacy_and_builds_no_table() {
    let (mut env, liquidator, liq_account) = group().await;
    let debt = MAX_TOKEN_POSITIONS - 1;
    let (trader, account) = env.new_trader().await;
    let w = env.funded_token_account(trader.pubkey(), 0, 100 * UNIT).await;
    env.deposit(&trader, account, 0, w, 100 * UNIT).await.unwrap();
    let to = env.funded_token_account(trader.pubkey(), debt, 0).await;
    env.borrow(&trader, account, debt, to, 60 * UNIT).await.unwrap();
    for i in 1..12 {
        let w = env.funded_token_account(trader.pubkey(), i, 100 * UNIT).await;
        env.deposit(&trader, account, i, w, 100 * UNIT).await.unwrap();
    }
    assert_eq!(env.margin_account(account).await.active_count(), 13);
    // 12 collaterals of $100 against 60 tokens at $18: Maint = 1,080 - 1,188 < 0.
    env.set_price(debt, 18.0, 0.0).await;
    let chain = chain_for(&env, &[account, liq_account]);
    let mut keeper = keeper(&env, &liquidator, liq_account);
    let round = keeper.run_round(&chain).await.unwrap();
    assert!(round.failures.is_empty(), "{:?}", round.failures);
    assert_eq!(round.liquidated, vec![account]);
    assert_eq!(round.v0_transactions, 0);
    assert_eq!(keeper.lookup_table, None);
    assert_eq!(keeper.stats.lookup_table_transactions, 0);
    env.assert_invariants().await;
}
