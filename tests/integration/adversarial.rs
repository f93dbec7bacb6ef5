//! Issue 9: the adversarial findings, each as the attack a caller would try, asserting it is
//! refused with a named error and that nothing changed (or, for behaviour kept on purpose, the
//! behaviour pinned; README "Adversarial hardening" says why).
//!
//! The basket (`margin::basket`): 1,000 USDC, 10 SOL, 1 ETH; with 3,000 USDT borrowed its Maint
//! health is about +$620.

use crate::margin::{basket, Basket, ETH, SOL, USDC, USDT};
use anchor_lang::prelude::Pubkey;
use anchor_lang::{InstructionData, ToAccountMetas};
use ballast::state::AssetConfig;
use ballast_tests::*;
use solana_instruction::{AccountMeta, Instruction};
use solana_keypair::Keypair;
use solana_signer::Signer;

const LIQ: OraclePolicy = OraclePolicy::Liquidation;

/// The basket with 3,000 USDT borrowed and a liquidator holding 100,000 USDC.
async fn setup() -> (Basket, Keypair, Pubkey) {
    let mut b = basket().await;
    b.env.borrow(&b.trader, b.account, USDT, b.wallets[USDT], 3_000_000_000).await.unwrap();
    let (liquidator, liq_account) = b.env.new_trader().await;
    let w = b.env.funded_token_account(liquidator.pubkey(), USDC, 100_000_000_000).await;
    b.env.deposit(&liquidator, liq_account, USDC, w, 100_000_000_000).await.unwrap();
    (b, liquidator, liq_account)
}

/// Every account a liquidation of the basket could touch.
fn liquidation_keys(b: &Basket, liq_account: Pubkey) -> Vec<Pubkey> {
    let mut keys = vec![b.account, liq_account];
    keys.extend(b.env.assets.iter().map(|a| a.asset));
    keys
}

/// Replaces every meta for `from` with `to` (an attacker's accounts list).
fn swap_account(ix: &mut Instruction, from: Pubkey, to: Pubkey) {
    for m in ix.accounts.iter_mut().filter(|m| m.pubkey == from) {
        m.pubkey = to;
    }
}

/// Adds asset `i` (and its oracle) once more to the health accounts of `ix`, which start after
/// the first `named` metas.
fn repeat_health_account(env: &TestEnv, ix: &mut Instruction, named: usize, i: usize, writable: bool) {
    let n = (ix.accounts.len() - named) / 2;
    let asset = if writable {
        AccountMeta::new(env.assets[i].asset, false)
    } else {
        AccountMeta::new_readonly(env.assets[i].asset, false)
    };
    ix.accounts.insert(named + n, asset);
    ix.accounts.push(AccountMeta::new_readonly(env.assets[i].oracle, false));
}

/// How an oracle goes stale: it stops publishing. `stale` ages past its 60 s window while every
/// other asset publishes afresh at `prices`. (Writing an older publish time into the pinned
/// account instead is a replay, refused as `OracleReadingRegressed`.)
async fn let_go_stale(env: &mut TestEnv, stale: usize, prices: [f64; 4]) {
    env.advance_time(61).await;
    for (i, p) in prices.into_iter().enumerate() {
        if i != stale {
            env.set_price(i, p, 0.0).await;
        }
    }
}

const LIQUIDATE_NAMED: usize = 4;
const TOKEN_MOVE_NAMED: usize = 8;

// ---- 1. A healthy account cannot be liquidated with an old or uncertain price ----------------

#[tokio::test]
async fn stale_collateral_oracle_does_not_make_a_healthy_account_liquidatable() {
    let (mut b, liquidator, liq_account) = setup().await;
    let maint = b.env.health(b.account, HealthType::Maint, LIQ).await;
    assert!(maint > I80F48::from_num(600_000_000u64), "{maint}");
    // ETH's pinned account holds an update older than max_staleness_secs (60 s).
    let_go_stale(&mut b.env, ETH, [1.0, 100.0, 2_000.0, 1.0]).await;
    let feed = b.env.asset_state(ETH).await.config.feed_id;
    let now = b.env.now().await;
    let eth_oracle = b.env.assets[ETH].oracle;
    let keys = liquidation_keys(&b, liq_account);
    let before = b.env.snapshot(&keys).await;
    let r = b.env.liquidate(&liquidator, liq_account, b.account, USDT, u64::MAX, 10_000).await;
    assert_ballast_error(&r, BallastError::OracleStale);
    assert_eq!(b.env.snapshot(&keys).await, before);

    // An old but validly signed update of ETH's feed in another account: not the pinned one.
    let old = Pubkey::new_unique();
    b.env.set_account(old, pyth::pull_account(feed, 2_000.0, 0.0, now - 3_600)).await;
    b.env.set_price(ETH, 2_000.0, 0.0).await;
    let mut ix =
        b.env.liquidate_ix(liquidator.pubkey(), liq_account, b.account, USDT, u64::MAX, 10_000).await;
    swap_account(&mut ix, eth_oracle, old);
    let r = b.env.send(&[ix], &[&liquidator]).await;
    assert_ballast_error(&r, BallastError::OracleMismatch);
    assert_eq!(b.env.snapshot(&keys).await, before);

    // A confidence wider than the liquidation limit (5%) works the same way.
    b.env.set_price(ETH, 2_000.0, 120.0).await;
    let r = b.env.liquidate(&liquidator, liq_account, b.account, USDT, u64::MAX, 10_000).await;
    assert_ballast_error(&r, BallastError::OracleConfidenceTooWide);
    assert_eq!(b.env.snapshot(&keys).await, before);
}

// ---- 2. Repeated accounts ---------------------------------------------------------------------

#[tokio::test]
async fn repeated_asset_in_liquidation_accounts_is_refused() {
    let (mut b, liquidator, liq_account) = setup().await;
    b.env.set_price(SOL, 70.0, 0.0).await;
    b.env.set_price(ETH, 1_500.0, 0.0).await;
    let keys = liquidation_keys(&b, liq_account);
    let before = b.env.snapshot(&keys).await;
    for repeated in [USDT, USDC, SOL] {
        let mut ix =
            b.env.liquidate_ix(liquidator.pubkey(), liq_account, b.account, USDT, u64::MAX, 10_000).await;
        repeat_health_account(&b.env, &mut ix, LIQUIDATE_NAMED, repeated, true);
        let r = b.env.send(&[ix], &[&liquidator]).await;
        assert_ballast_error(&r, BallastError::DuplicateHealthAccount);
        assert_eq!(b.env.snapshot(&keys).await, before);
    }
    // the honest list liquidates, and the invariants (checked by `send`) hold
    b.env.liquidate(&liquidator, liq_account, b.account, USDT, u64::MAX, 10_000).await.unwrap();
}

#[tokio::test]
async fn repeated_asset_in_margin_check_accounts_is_refused() {
    let Basket { mut env, trader, account, wallets, .. } = basket().await;
    let keys = [account, env.assets[USDT].asset, env.assets[SOL].asset, wallets[USDT], wallets[SOL]];
    let before = env.snapshot(&keys).await;
    let mut ix = env.borrow_ix(trader.pubkey(), account, USDT, wallets[USDT], 1_000_000).await;
    repeat_health_account(&env, &mut ix, TOKEN_MOVE_NAMED, SOL, false);
    let r = env.send(&[ix], &[&trader]).await;
    assert_ballast_error(&r, BallastError::DuplicateHealthAccount);
    let mut ix = env.withdraw_ix(trader.pubkey(), account, SOL, wallets[SOL], 1_000_000).await;
    repeat_health_account(&env, &mut ix, TOKEN_MOVE_NAMED, USDC, false);
    let r = env.send(&[ix], &[&trader]).await;
    assert_ballast_error(&r, BallastError::DuplicateHealthAccount);
    assert_eq!(env.snapshot(&keys).await, before);
}

// ---- 3. Pull oracles are pinned, and never go back in time ------------------------------------

#[tokio::test]
async fn borrower_and_crank_cannot_choose_the_oracle_account() {
    let Basket { mut env, trader, account, wallets, .. } = basket().await;
    // SOL trades at $100; an update of SOL's feed at $1,000 from another account (any fully
    // verified update within the staleness window used to be accepted).
    let feed = env.asset_state(SOL).await.config.feed_id;
    let now = env.now().await;
    let chosen = Pubkey::new_unique();
    env.set_account(chosen, pyth::pull_account(feed, 1_000.0, 0.0, now)).await;
    let keys = [account, env.assets[USDT].asset, env.assets[SOL].asset, wallets[USDT]];
    let before = env.snapshot(&keys).await;
    let mut ix = env.borrow_ix(trader.pubkey(), account, USDT, wallets[USDT], 9_000_000_000).await;
    swap_account(&mut ix, env.assets[SOL].oracle, chosen);
    let r = env.send(&[ix], &[&trader]).await;
    assert_ballast_error(&r, BallastError::OracleMismatch);
    assert_eq!(env.snapshot(&keys).await, before);

    let ix = Instruction {
        program_id: ballast::ID,
        accounts: ballast::accounts::UpdateVolatility { asset: env.assets[SOL].asset, oracle: chosen }
            .to_account_metas(None),
        data: ballast::instruction::UpdateVolatility {}.data(),
    };
    let r = env.send(&[ix], &[]).await;
    assert_ballast_error(&r, BallastError::OracleMismatch);
    assert_eq!(env.snapshot(&keys).await, before);
}

#[tokio::test]
async fn a_reading_older_than_one_accepted_is_refused() {
    let (mut b, liquidator, liq_account) = setup().await;
    // A liquidation records every asset's publish time; the borrow recorded USDT's.
    let usdt = b.env.asset_state(USDT).await;
    assert_eq!(usdt.oracle_last_publish_ts, b.env.now().await);
    b.env.advance_time(30).await;
    b.env.set_price(SOL, 70.0, 0.0).await;
    b.env.set_price(ETH, 1_500.0, 0.0).await;
    b.env.set_price(USDT, 1.0, 0.0).await;
    b.env.set_price(USDC, 1.0, 0.0).await;
    b.env.liquidate(&liquidator, liq_account, b.account, USDT, 100_000_000, 10_000).await.unwrap();
    let accepted = b.env.asset_state(SOL).await.oracle_last_publish_ts;
    assert_eq!(accepted, b.env.now().await);
    // The pinned account rewritten with an update 10 s older (still fresh): refused.
    let feed = b.env.asset_state(SOL).await.config.feed_id;
    let oracle = b.env.assets[SOL].oracle;
    b.env.set_account(oracle, pyth::pull_account(feed, 60.0, 0.0, accepted - 10)).await;
    let keys = liquidation_keys(&b, liq_account);
    let before = b.env.snapshot(&keys).await;
    let r = b.env.liquidate(&liquidator, liq_account, b.account, USDT, 100_000_000, 10_000).await;
    assert_ballast_error(&r, BallastError::OracleReadingRegressed);
    assert_eq!(b.env.snapshot(&keys).await, before);
    let r = b.env.update_volatility(SOL).await;
    assert_ballast_error(&r, BallastError::OracleReadingRegressed);
    assert_eq!(b.env.snapshot(&keys).await, before);
}

#[tokio::test]
async fn pull_asset_listed_without_an_account_pins_the_sponsored_feed() {
    let mut env = TestEnv::new().await;
    let mint = env.create_mint(SPL_TOKEN, 6).await;
    let feed_id = Pubkey::new_unique().to_bytes();
    let sponsored = ballast_sdk::sponsored_feed_address(&feed_id, 0);
    env.set_account(sponsored, pyth::pull_account(feed_id, 1.0, 0.0, T0)).await;
    let config = AssetConfig { feed_id, oracle: Pubkey::default(), ..default_config() };
    env.list_with_oracle(mint, SPL_TOKEN, 6, sponsored, config).await;
    assert_eq!(env.asset_state(0).await.config.oracle, sponsored);
    // another account of the same feed is refused at listing
    let mint2 = env.create_mint(SPL_TOKEN, 6).await;
    let other = Pubkey::new_unique();
    env.set_account(other, pyth::pull_account(feed_id, 1.0, 0.0, T0)).await;
    let admin = env.admin.insecure_clone();
    let ix = env.register_asset_ix(env.group, admin.pubkey(), mint2, SPL_TOKEN, other, config);
    let r = env.send(&[ix], &[&admin]).await;
    assert_ballast_error(&r, BallastError::OracleMismatch);
}

// ---- 4. A cure ends the liquidation episode ---------------------------------------------------

#[tokio::test]
async fn a_deposit_that_cures_ends_the_episode_and_the_next_one_starts_its_bonus_afresh() {
    let (mut b, liquidator, liq_account) = setup().await;
    b.env.set_price(SOL, 70.0, 0.0).await;
    b.env.set_price(ETH, 1_500.0, 0.0).await;
    // A partial liquidation (100 USDT) leaves the account flagged.
    b.env.liquidate(&liquidator, liq_account, b.account, USDT, 100_000_000, 10_000).await.unwrap();
    let state = b.env.margin_account(b.account).await;
    assert_eq!(state.being_liquidated, 1);
    let started = state.liquidation_start_ts;
    b.env.advance_time(3_000).await;
    for i in 0..4 {
        let p = [1.0, 70.0, 1_500.0, 1.0][i];
        b.env.set_price(i, p, 0.0).await;
    }
    // The owner deposits 1,000 USDC more: LiquidationEnd health is back above zero.
    let w = b.env.funded_token_account(b.trader.pubkey(), USDC, 1_000_000_000).await;
    b.env.deposit(&b.trader, b.account, USDC, w, 1_000_000_000).await.unwrap();
    assert!(b.env.health(b.account, HealthType::LiquidationEnd, LIQ).await >= I80F48::ZERO);
    let state = b.env.margin_account(b.account).await;
    assert_eq!((state.being_liquidated, state.liquidation_start_ts), (0, 0));
    // Judged at Maint again: not liquidatable.
    let keys = liquidation_keys(&b, liq_account);
    let before = b.env.snapshot(&keys).await;
    let r = b.env.liquidate(&liquidator, liq_account, b.account, USDT, 100_000_000, 10_000).await;
    assert_ballast_error(&r, BallastError::NotLiquidatable);
    assert_eq!(b.env.snapshot(&keys).await, before);
    // A later crash starts a new episode now, at the start fee (not the cap the old start implies).
    b.env.advance_time(600).await;
    b.env.set_price(USDC, 1.0, 0.0).await;
    b.env.set_price(SOL, 20.0, 0.0).await;
    b.env.set_price(ETH, 500.0, 0.0).await;
    b.env.set_price(USDT, 1.0, 0.0).await;
    b.env.liquidate(&liquidator, liq_account, b.account, USDT, 100_000_000, 10_000).await.unwrap();
    let state = b.env.margin_account(b.account).await;
    let now = b.env.now().await;
    assert_eq!(state.liquidation_start_ts, now);
    assert!(now - started >= 3_600, "the old episode's ramp would already be at its cap");
}

#[tokio::test]
async fn a_deposit_without_health_accounts_keeps_the_flag() {
    let (mut b, liquidator, liq_account) = setup().await;
    b.env.set_price(SOL, 70.0, 0.0).await;
    b.env.set_price(ETH, 1_500.0, 0.0).await;
    b.env.liquidate(&liquidator, liq_account, b.account, USDT, 100_000_000, 10_000).await.unwrap();
    let w = b.env.funded_token_account(b.trader.pubkey(), USDC, 1_000_000_000).await;
    let ix = b.env.deposit_ix(b.trader.pubkey(), b.account, USDC, w, 1_000_000_000).await;
    let trader = b.trader.insecure_clone();
    b.env.send(&[ix], &[&trader]).await.unwrap();
    // The program could not judge the cure: the flag stays (a later withdraw, borrow, deposit
    // or repay with health accounts ends it), and the account is liquidatable only while its
    // LiquidationEnd health is below zero, which it no longer is.
    assert_eq!(b.env.margin_account(b.account).await.being_liquidated, 1);
    let r = b.env.liquidate(&liquidator, liq_account, b.account, USDT, 100_000_000, 10_000).await;
    assert_ballast_error(&r, BallastError::NotLiquidatable);
}

// ---- 5. The volatility crank samples on the oracle's clock ------------------------------------

#[tokio::test]
async fn volatility_samples_each_reading_once_on_publish_times_and_blends_from_the_first_return() {
    let mut env = TestEnv::new().await;
    let config = AssetConfig {
        sigma_floor_bps: 5_000,
        liquidation_horizon_secs: 3_600,
        vol_sample_interval_secs: 3_600,
        ..default_config()
    };
    env.list_asset(SPL_TOKEN, 9, 100.0, config).await;
    let feed = env.asset_state(0).await.config.feed_id;
    let oracle = env.assets[0].oracle;
    // The first sample reads an update published 50 s ago: it records price and publish time.
    env.advance_time(100).await;
    let t0 = env.now().await;
    env.set_account(oracle, pyth::pull_account(feed, 100.0, 0.0, t0 - 50)).await;
    env.update_volatility(0).await.unwrap();
    let a = env.asset_state(0).await;
    assert_eq!(a.vol_last_publish_ts, t0 - 50);
    let first_price = a.vol_last_price.get();
    // The same reading again: refused, nothing changed.
    let before = env.snapshot(&[env.assets[0].asset]).await;
    let r = env.update_volatility(0).await;
    assert_ballast_error(&r, BallastError::VolatilityReadingAlreadySampled);
    assert_eq!(env.snapshot(&[env.assets[0].asset]).await, before);
    // A reading 3,599 s after the first (in publish time) is too soon, whatever the wall clock.
    env.advance_time(3_600).await;
    env.set_account(oracle, pyth::pull_account(feed, 105.0, 0.0, t0 - 50 + 3_599)).await;
    let r = env.update_volatility(0).await;
    assert_ballast_error(&r, BallastError::VolatilitySampleTooSoon);
    assert_eq!(env.snapshot(&[env.assets[0].asset]).await, before);
    // A 5% move published 3,650 s after the first: dt is 3,650, and the return blends with the
    // floor (50%) squared instead of replacing it.
    env.set_account(oracle, pyth::pull_account(feed, 105.0, 0.0, t0 + 3_600)).await;
    env.update_volatility(0).await.unwrap();
    let a = env.asset_state(0).await;
    let lambda = ballast::math::from_bps(9_400);
    let floor = ballast::math::from_bps(5_000);
    let prior = floor * floor;
    let cap = ballast::risk::sample_cap(prior).unwrap();
    let expected =
        ballast::risk::ewma_variance(prior, first_price, a.vol_last_price.get(), 3_650, lambda, true, cap)
            .unwrap();
    assert_eq!(a.realized_variance.get(), expected);
    let sigma: f64 = a.realized_variance.get().sqrt().to_num();
    // ln(1.05)^2 * year / 3650 s = 20.5, capped at 8 * 0.25 = 2: 0.94 * 0.25 + 0.06 * 2 = 0.355,
    // sigma about 60%, where replacing the variance with the one return gave about 457%.
    assert!(sigma > 0.59 && sigma < 0.6, "{sigma}");
    assert_eq!(a.vol_last_publish_ts, t0 + 3_600);
}

#[tokio::test]
async fn volatility_interval_shorter_than_the_staleness_window_is_refused() {
    let mut b = basket().await;
    let current = b.env.asset_state(SOL).await.config;
    let keys = [b.env.assets[SOL].asset];
    let before = b.env.snapshot(&keys).await;
    let bad = AssetConfig {
        liquidation_horizon_secs: 3_600,
        vol_sample_interval_secs: 59,
        max_staleness_secs: 60,
        ..current
    };
    let r = b.env.update_asset(SOL, bad).await;
    assert_ballast_error(&r, BallastError::VolSampleIntervalBelowStaleness);
    assert_eq!(b.env.snapshot(&keys).await, before);
}

// ---- 7. The dust rule never hands collateral over for free; dust_value is bounded --------------

#[tokio::test]
async fn dust_value_above_its_bound_is_refused() {
    let mut env = TestEnv::new().await;
    let keys = [env.group];
    let before = env.snapshot(&keys).await;
    let cfg =
        ballast::state::GroupConfig { dust_value: ballast::validation::MAX_DUST_VALUE + 1, ..group_config() };
    let r = env.update_group(cfg).await;
    assert_ballast_error(&r, BallastError::DustValueTooHigh);
    assert_eq!(env.snapshot(&keys).await, before);
    let cfg =
        ballast::state::GroupConfig { dust_value: ballast::validation::MAX_DUST_VALUE, ..group_config() };
    env.update_group(cfg).await.unwrap();
}

// ---- 8. Dust does not shield a bankrupt account ------------------------------------------------

#[tokio::test]
async fn a_dust_deposit_does_not_block_the_write_off() {
    let (mut b, liquidator, liq_account) = setup().await;
    let (trader, account) = (b.trader.insecure_clone(), b.account);
    // SOL and ETH crash to a millionth of a dollar: the liquidation takes all the collateral
    // and 3,000 USDT of debt minus what it covered remains.
    b.env.set_price(SOL, 1e-6, 0.0).await;
    b.env.set_price(ETH, 1e-6, 0.0).await;
    b.env.liquidate(&liquidator, liq_account, account, USDT, u64::MAX, 10_000).await.unwrap();
    let state = b.env.margin_account(account).await;
    assert!(state.active_positions().all(|p| p.shares() < I80F48::ZERO), "only debt is left");
    // The borrower deposits one native unit of USDC: it used to block the write-off for good.
    let w = b.env.funded_token_account(trader.pubkey(), USDC, 1).await;
    b.env.deposit(&trader, account, USDC, w, 1).await.unwrap();
    let usdc_insurance = b.env.asset_state(USDC).await.insurance_fund.get();

    // Without the oracle that prices the dust the write-off cannot judge it.
    let keys = liquidation_keys(&b, liq_account);
    let before = b.env.snapshot(&keys).await;
    let bare = Instruction {
        program_id: ballast::ID,
        accounts: ballast::accounts::ResolveBankruptcy {
            group: b.env.group,
            asset: b.env.assets[USDT].asset,
            account,
        }
        .to_account_metas(None),
        data: ballast::instruction::ResolveBankruptcy {}.data(),
    };
    let r = b.env.send(&[bare], &[]).await;
    assert_ballast_error(&r, BallastError::InvalidHealthAccounts);
    assert_eq!(b.env.snapshot(&keys).await, before);
    // Even with the dust's oracle stale (a borrower could park its dust on a fragile feed), the
    // dust unit goes to the insurance fund and the debt is written off.
    let_go_stale(&mut b.env, USDC, [1.0, 1e-6, 1e-6, 1.0]).await;
    b.env.resolve_bankruptcy(account, USDT).await.unwrap();
    let state = b.env.margin_account(account).await;
    assert_eq!(state.active_count(), 0);
    assert_eq!(state.being_liquidated, 0);
    assert_eq!(b.env.asset_state(USDC).await.insurance_fund.get(), usdc_insurance + I80F48::ONE);
}

/// A small account that is still solvent is not bankrupt, however small: nobody may write off
/// $5 of debt backed by $9 of collateral (the owner would lose the difference).
#[tokio::test]
async fn a_small_solvent_account_is_not_written_off() {
    let Basket { mut env, .. } = basket().await;
    let cfg =
        ballast::state::GroupConfig { dust_value: ballast::validation::MAX_DUST_VALUE, ..group_config() };
    env.update_group(cfg).await.unwrap();
    let (user, account) = env.new_trader().await;
    let w = env.funded_token_account(user.pubkey(), USDC, 9_000_000).await;
    env.deposit(&user, account, USDC, w, 9_000_000).await.unwrap();
    let to = env.funded_token_account(user.pubkey(), USDT, 0).await;
    env.borrow(&user, account, USDT, to, 5_000_000).await.unwrap();
    let keys = [account, env.assets[USDC].asset, env.assets[USDT].asset];
    let before = env.snapshot(&keys).await;
    let r = env.resolve_bankruptcy(account, USDT).await;
    assert_ballast_error(&r, BallastError::NotBankrupt);
    assert_eq!(env.snapshot(&keys).await, before);
}

#[tokio::test]
async fn collateral_above_the_dust_value_still_blocks_the_write_off() {
    let (mut b, _liquidator, liq_account) = setup().await;
    let keys = liquidation_keys(&b, liq_account);
    let before = b.env.snapshot(&keys).await;
    let r = b.env.resolve_bankruptcy(b.account, USDT).await;
    assert_ballast_error(&r, BallastError::NotBankrupt);
    assert_eq!(b.env.snapshot(&keys).await, before);
    // the named asset repeated among the health accounts is refused
    let mut ix = b.env.resolve_bankruptcy_ix(b.account, USDT).await;
    repeat_health_account(&b.env, &mut ix, 3, USDT, true);
    let r = b.env.send(&[ix], &[]).await;
    assert_ballast_error(&r, BallastError::DuplicateHealthAccount);
    assert_eq!(b.env.snapshot(&keys).await, before);
}

// ---- 9. One unusable liability oracle blocks the account's liquidation (kept) ----------------

#[tokio::test]
async fn an_unusable_liability_oracle_blocks_liquidation_by_design() {
    let (mut b, liquidator, liq_account) = setup().await;
    b.env.set_price(SOL, 70.0, 0.0).await;
    b.env.set_price(ETH, 1_500.0, 0.0).await;
    let_go_stale(&mut b.env, USDT, [1.0, 70.0, 1_500.0, 1.0]).await;
    let keys = liquidation_keys(&b, liq_account);
    let before = b.env.snapshot(&keys).await;
    let r = b.env.liquidate(&liquidator, liq_account, b.account, USDT, u64::MAX, 10_000).await;
    assert_ballast_error(&r, BallastError::OracleStale);
    assert_eq!(b.env.snapshot(&keys).await, before);
    // as soon as the feed updates, the liquidation goes through
    b.env.set_price(USDT, 1.0, 0.0).await;
    b.env.liquidate(&liquidator, liq_account, b.account, USDT, u64::MAX, 10_000).await.unwrap();
}

// ---- 10. Token-2022 extensions that change what a raw amount means -----------------------------

/// A Token-2022 mint (6 decimals, the payer its authority) with one extension initialised.
pub(crate) async fn token_2022_mint_with(
    env: &mut TestEnv,
    extension: spl_token_2022_interface::extension::ExtensionType,
) -> Pubkey {
    use spl_token_2022_interface::extension::ExtensionType;
    let mint = Keypair::new();
    let payer = env.payer();
    let space =
        ExtensionType::try_calculate_account_len::<spl_token_2022_interface::state::Mint>(&[extension])
            .unwrap();
    let rent = env.ctx.banks_client.get_rent().await.unwrap();
    let init_extension = match extension {
        ExtensionType::MintCloseAuthority => {
            spl_token_2022_interface::instruction::initialize_mint_close_authority(
                &TOKEN_2022,
                &mint.pubkey(),
                Some(&payer),
            )
            .unwrap()
        }
        ExtensionType::InterestBearingConfig => {
            spl_token_2022_interface::extension::interest_bearing_mint::instruction::initialize(
                &TOKEN_2022,
                &mint.pubkey(),
                Some(payer),
                500,
            )
            .unwrap()
        }
        ExtensionType::TransferFeeConfig => {
            spl_token_2022_interface::extension::transfer_fee::instruction::initialize_transfer_fee_config(
                &TOKEN_2022,
                &mint.pubkey(),
                Some(&payer),
                Some(&payer),
                50,
                1_000_000,
            )
            .unwrap()
        }
        other => panic!("no initializer for {other:?}"),
    };
    let ixs = [
        solana_system_interface::instruction::create_account(
            &payer,
            &mint.pubkey(),
            rent.minimum_balance(space),
            space as u64,
            &TOKEN_2022,
        ),
        init_extension,
        spl_token_2022_interface::instruction::initialize_mint2(&TOKEN_2022, &mint.pubkey(), &payer, None, 6)
            .unwrap(),
    ];
    env.send(&ixs, &[&mint]).await.unwrap();
    mint.pubkey()
}

#[tokio::test]
async fn mint_close_authority_and_interest_bearing_mints_are_refused() {
    use spl_token_2022_interface::extension::ExtensionType;
    let mut env = TestEnv::new().await;
    for extension in [ExtensionType::MintCloseAuthority, ExtensionType::InterestBearingConfig] {
        let mint = token_2022_mint_with(&mut env, extension).await;
        let oracle = Pubkey::new_unique();
        let feed_id = Pubkey::new_unique().to_bytes();
        env.set_account(oracle, pyth::pull_account(feed_id, 1.0, 0.0, T0)).await;
        let admin = env.admin.insecure_clone();
        let config = AssetConfig { feed_id, oracle, ..default_config() };
        let ix = env.register_asset_ix(env.group, admin.pubkey(), mint, TOKEN_2022, oracle, config);
        let r = env.send(&[ix], &[&admin]).await;
        assert_ballast_error(&r, BallastError::UnsupportedMintExtension);
        assert!(env.account(asset_address(&env.group, &mint)).await.is_none(), "{extension:?}");
    }
    assert_eq!(env.group_state().await.asset_count, 0);
}

// ---- 11. Prices round against the account; decimals are bounded -------------------------------

#[tokio::test]
async fn mint_with_more_than_18_decimals_is_refused() {
    let mut env = TestEnv::new().await;
    let mint = env.create_mint(SPL_TOKEN, 19).await;
    let oracle = Pubkey::new_unique();
    let feed_id = Pubkey::new_unique().to_bytes();
    env.set_account(oracle, pyth::pull_account(feed_id, 1.0, 0.0, T0)).await;
    let admin = env.admin.insecure_clone();
    let config = AssetConfig { feed_id, oracle, ..default_config() };
    let ix = env.register_asset_ix(env.group, admin.pubkey(), mint, SPL_TOKEN, oracle, config);
    let r = env.send(&[ix], &[&admin]).await;
    assert_ballast_error(&r, BallastError::UnsupportedMintDecimals);
    assert_eq!(env.group_state().await.asset_count, 0);
}

#[tokio::test]
async fn a_debt_whose_price_converts_to_zero_cannot_be_borrowed() {
    let Basket { mut env, trader, account, .. } = basket().await;
    // An 18-decimal token at $1e-8: 1e-8 * 1e6 / 1e18 = 1e-20 micro-USD per native unit, below
    // I80F48's resolution (2^-48, about 3.6e-15): it used to value the debt at zero.
    let dust = env.list_asset(SPL_TOKEN, 18, 1e-8, default_config()).await;
    let (lp, lp_account) = env.new_trader().await;
    let w = env.funded_token_account(lp.pubkey(), dust, u64::MAX / 2).await;
    env.deposit(&lp, lp_account, dust, w, u64::MAX / 2).await.unwrap();
    let to = env.funded_token_account(trader.pubkey(), dust, 0).await;
    let keys = [account, env.assets[dust].asset, to];
    let before = env.snapshot(&keys).await;
    let r = env.borrow(&trader, account, dust, to, u64::MAX / 4).await;
    assert_ballast_error(&r, BallastError::LiabilityOracleUnusable);
    assert_eq!(env.snapshot(&keys).await, before);
}

// ---- 12. A total socialisation never zeroes the deposit index ---------------------------------

#[tokio::test]
async fn total_socialisation_floors_the_deposit_index_and_records_the_rest_as_bad_debt() {
    let mut env = TestEnv::new().await;
    env.list_asset(SPL_TOKEN, 9, 100.0, default_config()).await; // SOL
    env.list_asset(SPL_TOKEN, 6, 1.0, crate::margin::stable_config()).await; // USDT
    let (lp, lp_account) = env.new_trader().await;
    let w = env.funded_token_account(lp.pubkey(), 1, 1_000_000_000).await;
    env.deposit(&lp, lp_account, 1, w, 1_000_000_000).await.unwrap();
    let (trader, account) = env.new_trader().await;
    let sol = env.funded_token_account(trader.pubkey(), 0, 100_000_000_000).await;
    env.deposit(&trader, account, 0, sol, 100_000_000_000).await.unwrap();
    let usdt = env.funded_token_account(trader.pubkey(), 1, 0).await;
    // the trader borrows every USDT there is
    env.borrow(&trader, account, 1, usdt, 1_000_000_000).await.unwrap();
    // SOL to a millionth of a dollar: 100 SOL are dust, the whole debt is a loss
    env.set_price(0, 1e-6, 0.0).await;
    env.resolve_bankruptcy(account, 1).await.unwrap();
    let a = env.asset_state(1).await;
    assert_eq!(a.deposit_index.get(), ballast::risk::MIN_DEPOSIT_INDEX);
    // what the floor keeps owed to the LP (1e9 shares * 2^-20, about 954 native) is bad debt
    let kept = I80F48::from_num(1_000_000_000u64) * ballast::risk::MIN_DEPOSIT_INDEX;
    assert!((a.bad_debt.get() - kept).abs() <= I80F48::ONE, "{} vs {kept}", a.bad_debt.get());
    // later deposits still work (no division by zero), and the invariants hold
    let (late, late_account) = env.new_trader().await;
    let w = env.funded_token_account(late.pubkey(), 1, 5_000_000).await;
    env.deposit(&late, late_account, 1, w, 5_000_000).await.unwrap();
    assert_eq!(env.native_balance(late_account, 1).await, I80F48::from_num(5_000_000u64));
}

// ---- 13. Pause, delegate, legacy owner, the liquidator's real ratio ---------------------------

#[tokio::test]
async fn admin_and_guardian_pause_only_the_admin_unpauses() {
    use ballast::risk::governance::PAUSE_RISK;
    let (mut b, liquidator, liq_account) = setup().await;
    let group = b.env.group;
    let stranger = Keypair::new();
    let before = b.env.snapshot(&[group]).await;
    let r =
        b.env.send(&[ballast_sdk::ix::pause(group, stranger.pubkey(), None, PAUSE_RISK)], &[&stranger]).await;
    assert_ballast_error(&r, BallastError::NotAdminOrGuardian);
    assert_eq!(b.env.snapshot(&[group]).await, before);
    let guardian = b.env.guardian.insecure_clone();
    b.env
        .send(&[ballast_sdk::ix::pause(group, guardian.pubkey(), None, PAUSE_RISK)], &[&guardian])
        .await
        .unwrap();
    let now = b.env.now().await;
    assert!(b.env.group_state().await.pause_blocks(PAUSE_RISK, now));
    let paused = b.env.snapshot(&[group]).await;
    let r = b.env.send(&[ballast_sdk::ix::unpause(group, guardian.pubkey(), None)], &[&guardian]).await;
    assert_ballast_error(&r, BallastError::GuardianCannotUnpause);
    assert_eq!(b.env.snapshot(&[group]).await, paused);
    // paused: borrow refused; deposit, repay and liquidation stay open
    let w = b.env.funded_token_account(b.trader.pubkey(), USDC, 1_000_000).await;
    let trader = b.trader.insecure_clone();
    let r = b.env.borrow(&trader, b.account, USDT, b.wallets[USDT], 1_000_000).await;
    assert_ballast_error(&r, BallastError::GroupPaused);
    b.env.deposit(&trader, b.account, USDC, w, 1_000_000).await.unwrap();
    b.env.repay(&trader, b.account, USDT, b.wallets[USDT], 1_000_000).await.unwrap();
    b.env.set_price(SOL, 70.0, 0.0).await;
    b.env.set_price(ETH, 1_500.0, 0.0).await;
    b.env.liquidate(&liquidator, liq_account, b.account, USDT, 100_000_000, 10_000).await.unwrap();
    let admin = b.env.admin.insecure_clone();
    b.env.send(&[ballast_sdk::ix::unpause(group, admin.pubkey(), None)], &[&admin]).await.unwrap();
    let now = b.env.now().await;
    assert!(!b.env.group_state().await.pause_blocks(PAUSE_RISK, now));
}

#[tokio::test]
async fn the_owner_sets_a_delegate_who_may_deposit_and_repay_only() {
    let Basket { mut env, trader, account, wallets, .. } = basket().await;
    let delegate = Keypair::new();
    let stranger = Keypair::new();
    let before = env.snapshot(&[account]).await;
    let r = env
        .send(&[ballast_sdk::ix::set_delegate(account, stranger.pubkey(), stranger.pubkey())], &[&stranger])
        .await;
    assert_ballast_error(&r, BallastError::NotOwner);
    assert_eq!(env.snapshot(&[account]).await, before);
    env.send(&[ballast_sdk::ix::set_delegate(account, trader.pubkey(), delegate.pubkey())], &[&trader])
        .await
        .unwrap();
    assert_eq!(env.margin_account(account).await.delegate, delegate.pubkey());
    let w = env.funded_token_account(delegate.pubkey(), USDC, 5_000_000).await;
    env.deposit(&delegate, account, USDC, w, 5_000_000).await.unwrap();
    let ix = env.withdraw_ix(delegate.pubkey(), account, USDC, w, 1_000_000).await;
    let r = env.send(&[ix], &[&delegate]).await;
    assert_ballast_error(&r, BallastError::NotOwner);
    // the owner clears it: the former delegate can no longer deposit
    env.send(&[ballast_sdk::ix::set_delegate(account, trader.pubkey(), Pubkey::default())], &[&trader])
        .await
        .unwrap();
    assert_eq!(env.margin_account(account).await.delegate, Pubkey::default());
    let before = env.snapshot(&[account, w]).await;
    let r = env.deposit(&delegate, account, USDC, w, 1_000_000).await;
    assert_ballast_error(&r, BallastError::NotOwnerOrDelegate);
    assert_eq!(env.snapshot(&[account, w]).await, before);
    let _ = wallets;
}

#[tokio::test]
async fn a_devnet_legacy_price_account_is_refused() {
    let mut env = TestEnv::new().await;
    let mint = env.create_mint(SPL_TOKEN, 6).await;
    let oracle = Pubkey::new_unique();
    let devnet = Pubkey::from_str_const("gSbePebfvPy7tRqimPoVecS2UsBvYv46ynrzWocc92s");
    env.set_account(oracle, pyth::legacy_account_owned(1.0, 0.0, T0, devnet)).await;
    let config = AssetConfig { oracle, feed_id: [0; 32], oracle_kind: 1, ..default_config() };
    let admin = env.admin.insecure_clone();
    let ix = env.register_asset_ix(env.group, admin.pubkey(), mint, SPL_TOKEN, oracle, config);
    let r = env.send(&[ix], &[&admin]).await;
    assert_ballast_error(&r, BallastError::OracleWrongOwner);
    assert_eq!(env.group_state().await.asset_count, 0);
}

#[tokio::test]
async fn min_value_ratio_counts_only_the_liquidators_share_of_the_bonus() {
    let (mut b, liquidator, liq_account) = setup().await;
    b.env.set_price(SOL, 70.0, 0.0).await;
    b.env.set_price(ETH, 1_500.0, 0.0).await;
    // USDC pays first at a 1% bonus, 20% of which goes to insurance: the liquidator receives
    // 1.008 per unit. Asking for 1.009 is refused (it passed when the whole 1.01 was counted).
    let keys = liquidation_keys(&b, liq_account);
    let before = b.env.snapshot(&keys).await;
    let r = b.env.liquidate(&liquidator, liq_account, b.account, USDT, u64::MAX, 10_090).await;
    assert_ballast_error(&r, BallastError::BonusBelowMinimum);
    assert_eq!(b.env.snapshot(&keys).await, before);
    b.env.liquidate(&liquidator, liq_account, b.account, USDT, u64::MAX, 10_079).await.unwrap();
}

// ---- Review findings on the hardening itself ---------------------------------------------------

/// A borrower that parks one unit of collateral on a feed that then goes stale cannot make its
/// account unliquidatable: a position worth less than the dust value whose oracle is only stale
/// or too uncertain counts as zero and is never seized; above the dust value it still blocks.
#[tokio::test]
async fn one_unit_on_a_stale_feed_does_not_block_liquidation() {
    let (mut b, liquidator, liq_account) = setup().await;
    let fragile = b.env.list_asset(SPL_TOKEN, 6, 1.0, default_config()).await;
    let trader = b.trader.insecure_clone();
    let w = b.env.funded_token_account(trader.pubkey(), fragile, 1).await;
    b.env.deposit(&trader, b.account, fragile, w, 1).await.unwrap();
    // the crash, and the fragile feed stops publishing
    b.env.advance_time(61).await;
    for (i, p) in [1.0, 70.0, 1_500.0, 1.0].into_iter().enumerate() {
        b.env.set_price(i, p, 0.0).await;
    }
    b.env.liquidate(&liquidator, liq_account, b.account, USDT, 100_000_000, 10_000).await.unwrap();
    // the dust was not seized
    assert_eq!(b.env.native_balance(b.account, fragile).await, I80F48::ONE);
}

/// A flag set at a brief dip (here by a liquidation of one native unit) lapses once no step has
/// run for the idle limit (an hour here): the recovered account is judged at Maint again, and
/// a later episode starts its bonus afresh.
#[tokio::test]
async fn an_idle_liquidation_episode_lapses() {
    let (mut b, liquidator, liq_account) = setup().await;
    b.env.set_price(SOL, 70.0, 0.0).await;
    b.env.set_price(ETH, 1_500.0, 0.0).await;
    b.env.liquidate(&liquidator, liq_account, b.account, USDT, 1, 10_000).await.unwrap();
    assert_eq!(b.env.margin_account(b.account).await.being_liquidated, 1);
    // Partly recovered: Maint 980 + 720 + 1,485 - 3,060 = +125, LiquidationEnd about -57.
    let prices = [1.0, 80.0, 1_650.0, 1.0];
    b.env.advance_time(3_601).await;
    for (i, p) in prices.into_iter().enumerate() {
        b.env.set_price(i, p, 0.0).await;
    }
    assert!(b.env.health(b.account, HealthType::Maint, LIQ).await > I80F48::ZERO);
    assert!(b.env.health(b.account, HealthType::LiquidationEnd, LIQ).await < I80F48::ZERO);
    let keys = liquidation_keys(&b, liq_account);
    let before = b.env.snapshot(&keys).await;
    let r = b.env.liquidate(&liquidator, liq_account, b.account, USDT, 100_000_000, 10_000).await;
    assert_ballast_error(&r, BallastError::NotLiquidatable);
    assert_eq!(b.env.snapshot(&keys).await, before);
    // A new crash: a new episode, starting now.
    b.env.set_price(SOL, 70.0, 0.0).await;
    b.env.set_price(ETH, 1_500.0, 0.0).await;
    b.env.liquidate(&liquidator, liq_account, b.account, USDT, 100_000_000, 10_000).await.unwrap();
    let now = b.env.now().await;
    let state = b.env.margin_account(b.account).await;
    assert_eq!((state.liquidation_start_ts, state.last_liquidation_ts), (now, now));
}

/// Within the idle limit the episode goes on at the LiquidationEnd threshold (Mango's rule).
#[tokio::test]
async fn a_live_episode_continues_below_liquidation_end() {
    let (mut b, liquidator, liq_account) = setup().await;
    b.env.set_price(SOL, 70.0, 0.0).await;
    b.env.set_price(ETH, 1_500.0, 0.0).await;
    b.env.liquidate(&liquidator, liq_account, b.account, USDT, 1, 10_000).await.unwrap();
    let started = b.env.margin_account(b.account).await.liquidation_start_ts;
    b.env.advance_time(600).await;
    for (i, p) in [1.0, 80.0, 1_650.0, 1.0].into_iter().enumerate() {
        b.env.set_price(i, p, 0.0).await;
    }
    b.env.liquidate(&liquidator, liq_account, b.account, USDT, 100_000_000, 10_000).await.unwrap();
    assert_eq!(b.env.margin_account(b.account).await.liquidation_start_ts, started);
}
