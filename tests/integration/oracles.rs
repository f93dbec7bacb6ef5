//! Oracle checks: owner, feed id, verification level, staleness, confidence, EMA deviation.

use crate::margin::{basket, Basket, SOL, USDT};
use anchor_lang::prelude::Pubkey;
use ballast_tests::pyth::*;
use ballast_tests::*;
use pyth_solana_receiver_sdk::price_update::VerificationLevel;
use solana_signer::Signer;

/// Replaces the USDT (liability) oracle, tries to borrow, and checks nothing moved.
async fn borrow_with_usdt_oracle(b: &mut Basket, oracle: solana_account::Account) -> TxResult {
    let key = b.env.assets[USDT].oracle;
    b.env.set_account(key, oracle).await;
    let keys = [b.account, b.env.assets[USDT].asset, b.env.assets[USDT].vault, b.wallets[USDT]];
    let before = b.env.snapshot(&keys).await;
    let result = b.env.borrow(&b.trader, b.account, USDT, b.wallets[USDT], 100_000_000).await;
    assert!(result.is_err());
    assert_eq!(b.env.snapshot(&keys).await, before);
    result
}

#[tokio::test]
async fn liability_oracle_must_be_fresh_tight_and_near_its_ema() {
    let mut b = basket().await;
    let feed = b.env.asset_state(USDT).await.config.feed_id;
    // 61 s old with a 60 s limit: the last update (listing time) ages while the others refresh
    let listed = b.env.now().await;
    b.env.advance_time(61).await;
    for (i, p) in [1.0, 100.0, 2_000.0].into_iter().enumerate() {
        b.env.set_price(i, p, 0.0).await;
    }
    let now = b.env.now().await;
    let stale = pull_account(feed, 1.0, 0.0, listed);
    assert_ballast_error(
        &borrow_with_usdt_oracle(&mut b, stale).await,
        BallastError::LiabilityOracleUnusable,
    );
    // confidence 2.01% with a 2% limit
    let wide = pull_account_with(feed, 100_000_000, 2_010_000, 100_000_000, now, VerificationLevel::Full);
    assert_ballast_error(&borrow_with_usdt_oracle(&mut b, wide).await, BallastError::LiabilityOracleUnusable);
    // spot 11% above EMA with a 10% limit
    let off = pull_account_with(feed, 111_000_000, 0, 100_000_000, now, VerificationLevel::Full);
    assert_ballast_error(&borrow_with_usdt_oracle(&mut b, off).await, BallastError::LiabilityOracleUnusable);
    // exactly at the limits it works
    let edge =
        pull_account_with(feed, 110_000_000, 2_000_000, 100_000_000, now - 60, VerificationLevel::Full);
    b.env.set_account(b.env.assets[USDT].oracle, edge).await;
    b.env.borrow(&b.trader, b.account, USDT, b.wallets[USDT], 100_000_000).await.unwrap();
}

#[tokio::test]
async fn oracle_accounts_are_checked_structurally() {
    let mut b = basket().await;
    let feed = b.env.asset_state(USDT).await.config.feed_id;
    let now = b.env.now().await;
    // right bytes, wrong owner
    let mut foreign = pull_account(feed, 1.0, 0.0, now);
    foreign.owner = Pubkey::new_unique();
    assert_ballast_error(&borrow_with_usdt_oracle(&mut b, foreign).await, BallastError::OracleWrongOwner);
    // another feed's update
    let other_feed = pull_account(Pubkey::new_unique().to_bytes(), 1.0, 0.0, now);
    assert_ballast_error(
        &borrow_with_usdt_oracle(&mut b, other_feed).await,
        BallastError::OracleFeedIdMismatch,
    );
    // partially verified update
    let partial = pull_account_with(
        feed,
        100_000_000,
        0,
        100_000_000,
        now,
        VerificationLevel::Partial { num_signatures: 5 },
    );
    assert_ballast_error(
        &borrow_with_usdt_oracle(&mut b, partial).await,
        BallastError::OracleNotFullyVerified,
    );
    // garbage under the right owner
    let mut garbage = pull_account(feed, 1.0, 0.0, now);
    garbage.data[0] ^= 0xff;
    assert_ballast_error(&borrow_with_usdt_oracle(&mut b, garbage).await, BallastError::OracleInvalidData);
}

#[tokio::test]
async fn swapped_oracle_accounts_are_refused() {
    let mut b = basket().await;
    // Pass SOL's oracle where USDT's belongs: not the account USDT pins.
    let mut ix = b.env.borrow_ix(b.trader.pubkey(), b.account, USDT, b.wallets[USDT], 1).await;
    let n = ix.accounts.len();
    let (sol_oracle, usdt_oracle) = (b.env.assets[SOL].oracle, b.env.assets[USDT].oracle);
    for meta in ix.accounts[n - 4..].iter_mut() {
        if meta.pubkey == usdt_oracle {
            meta.pubkey = sol_oracle;
        }
    }
    let result = b.env.send(&[ix], &[&b.trader]).await;
    assert_ballast_error(&result, BallastError::OracleMismatch);
}

#[tokio::test]
async fn legacy_oracle_with_wrong_owner_or_address_is_refused_at_listing() {
    let mut env = TestEnv::new().await;
    let mint = env.create_mint(SPL_TOKEN, 9).await;
    let oracle = Pubkey::new_unique();
    env.set_account(oracle, legacy_account_owned(50.0, 0.0, T0, Pubkey::new_unique())).await;
    let config = ballast::state::AssetConfig { oracle, oracle_kind: 1, ..default_config() };
    let admin = env.admin.insecure_clone();
    let ix = env.register_asset_ix(env.group, admin.pubkey(), mint, SPL_TOKEN, oracle, config);
    assert_ballast_error(&env.send(&[ix], &[&admin]).await, BallastError::OracleWrongOwner);

    let right = Pubkey::new_unique();
    env.set_account(right, legacy_account(50.0, 0.0, T0)).await;
    let ix = env.register_asset_ix(env.group, admin.pubkey(), mint, SPL_TOKEN, right, config);
    assert_ballast_error(&env.send(&[ix], &[&admin]).await, BallastError::OracleMismatch);
}
