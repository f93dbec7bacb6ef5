//! Interest accrual over warped time, and deposit and borrow caps.

use crate::margin::{basket, stable_config, Basket, ETH, USDT};
use ballast::math::I80F48;
use ballast::risk::SECONDS_PER_YEAR;
use ballast_tests::*;
use solana_signer::Signer;

fn near(a: I80F48, b: f64, tol: f64) -> bool {
    (a - I80F48::from_num(b)).abs() <= I80F48::from_num(tol)
}

#[tokio::test]
async fn interest_accrues_over_a_year() {
    let Basket { mut env, trader, account, wallets, .. } = basket().await;
    // 4 more ETH of collateral (6,400 USD at Init) so 5,000 USDT can be borrowed.
    let eth = env.funded_token_account(trader.pubkey(), ETH, 400_000_000).await;
    env.deposit(&trader, account, ETH, eth, 400_000_000).await.unwrap();
    // 5,000 of the LP's 10,000 USDT borrowed: utilisation 0.5, on the curve's first kink: 5% APR.
    env.borrow(&trader, account, USDT, wallets[USDT], 5_000_000_000).await.unwrap();
    env.advance_time(SECONDS_PER_YEAR).await;
    for (asset, price) in [(0, 1.0), (1, 100.0), (2, 2_000.0), (3, 1.0)] {
        env.set_price(asset, price, 0.0).await;
    }
    // Any touch accrues: a 1 micro-USDT deposit by a third party.
    let (other, other_account) = env.new_trader().await;
    let w = env.funded_token_account(other.pubkey(), USDT, 1).await;
    env.deposit(&other, other_account, USDT, w, 1).await.unwrap();

    // One accrual over the year: borrow index 1.05; interest 250 USDT, 10% (25) to the
    // insurance fund, 225 to depositors: deposit index 1 + 225/10,000 = 1.0225.
    let asset = env.asset_state(USDT).await;
    let s = asset.lending_state();
    assert!(near(s.borrow_index, 1.05, 1e-9), "{}", s.borrow_index);
    assert!(near(s.deposit_index, 1.0225, 1e-9), "{}", s.deposit_index);
    assert!(near(s.insurance_fund, 25_000_000.0, 1.0), "{}", s.insurance_fund);
    env.assert_vaults_cover_claims().await;

    // Repaying everything takes 5,250 USDT (rounded up to the native unit).
    env.mint_to(env.assets[USDT].mint, wallets[USDT], 250_000_000).await;
    let before = env.token_balance(wallets[USDT]).await;
    env.repay(&trader, account, USDT, wallets[USDT], u64::MAX).await.unwrap();
    let paid = before - env.token_balance(wallets[USDT]).await;
    assert!((5_250_000_000..=5_250_000_001).contains(&paid), "paid {paid}");
    let state = env.margin_account(account).await;
    assert!(state.find_position(USDT as u16).is_none());
    env.assert_vaults_cover_claims().await;
}

#[tokio::test]
async fn deposit_cap_is_enforced_and_refusal_changes_nothing() {
    let mut env = TestEnv::new().await;
    let cfg = ballast::state::AssetConfig { deposit_cap: 1_000_000_000, ..stable_config() };
    let usdc = env.list_asset(SPL_TOKEN, 6, 1.0, cfg).await;
    let (user, account) = env.new_trader().await;
    let w = env.funded_token_account(user.pubkey(), usdc, 2_000_000_000).await;
    env.deposit(&user, account, usdc, w, 1_000_000_000).await.unwrap();
    let keys = [account, env.assets[usdc].asset, env.assets[usdc].vault, w];
    let before = env.snapshot(&keys).await;
    let refused = env.deposit(&user, account, usdc, w, 1).await;
    assert_ballast_error(&refused, BallastError::DepositCapExceeded);
    assert_eq!(env.snapshot(&keys).await, before);
}

#[tokio::test]
async fn borrow_cap_is_enforced_and_refusal_changes_nothing() {
    let Basket { mut env, trader, account, wallets, .. } = basket().await;
    let cfg = ballast::state::AssetConfig { borrow_cap: 500_000_000, ..stable_config() };
    let feed = env.asset_state(USDT).await.config.feed_id;
    let oracle = env.assets[USDT].oracle;
    env.update_asset(USDT, ballast::state::AssetConfig { feed_id: feed, oracle, ..cfg }).await.unwrap();
    env.borrow(&trader, account, USDT, wallets[USDT], 500_000_000).await.unwrap();
    let keys = [account, env.assets[USDT].asset, env.assets[USDT].vault, wallets[USDT]];
    let before = env.snapshot(&keys).await;
    let refused = env.borrow(&trader, account, USDT, wallets[USDT], 1).await;
    assert_ballast_error(&refused, BallastError::BorrowCapExceeded);
    assert_eq!(env.snapshot(&keys).await, before);
}
