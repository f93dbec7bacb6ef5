//! The core margin flow across several assets, one of them a Token-2022 mint.

use anchor_lang::prelude::Pubkey;
use ballast_tests::*;
use solana_keypair::Keypair;
use solana_signer::Signer;

pub struct Basket {
    pub env: TestEnv,
    pub trader: Keypair,
    pub account: Pubkey,
    /// Trader's token accounts, by asset.
    pub wallets: Vec<Pubkey>,
    /// The liquidity provider's margin account (10,000 USDT deposited).
    pub lp_account: Pubkey,
}

pub const USDC: usize = 0;
pub const SOL: usize = 1;
pub const ETH: usize = 2;
pub const USDT: usize = 3;

pub fn stable_config() -> ballast::state::AssetConfig {
    ballast::state::AssetConfig {
        init_asset_weight_bps: 9_500,
        maint_asset_weight_bps: 9_800,
        init_liab_weight_bps: 10_500,
        maint_liab_weight_bps: 10_200,
        liquidation_fee_bps: 100,
        max_liquidation_fee_bps: 150,
        ..default_config()
    }
}

/// USDC (SPL Token, 6 dp, $1), SOL (Token-2022, 9 dp, $100), ETH (SPL Token, 8 dp, $2000),
/// USDT (SPL Token, 6 dp, $1). A liquidity provider has deposited 10,000 USDT. The trader has
/// deposited 1,000 USDC, 10 SOL and 1 ETH.
pub async fn basket() -> Basket {
    let mut env = TestEnv::new().await;
    env.list_asset(SPL_TOKEN, 6, 1.0, stable_config()).await;
    env.list_asset(TOKEN_2022, 9, 100.0, default_config()).await;
    env.list_asset(SPL_TOKEN, 8, 2_000.0, default_config()).await;
    env.list_asset(SPL_TOKEN, 6, 1.0, stable_config()).await;

    let (lp, lp_account) = env.new_trader().await;
    let lp_usdt = env.funded_token_account(lp.pubkey(), USDT, 10_000_000_000).await;
    env.deposit(&lp, lp_account, USDT, lp_usdt, 10_000_000_000).await.unwrap();

    let (trader, account) = env.new_trader().await;
    let amounts = [1_000_000_000u64, 10_000_000_000, 100_000_000, 0];
    let mut wallets = vec![];
    for (asset, amount) in amounts.iter().enumerate() {
        let w = env.funded_token_account(trader.pubkey(), asset, *amount).await;
        if *amount > 0 {
            env.deposit(&trader, account, asset, w, *amount).await.unwrap();
        }
        wallets.push(w);
    }
    Basket { env, trader, account, wallets, lp_account }
}

#[tokio::test]
async fn deposit_three_borrow_a_fourth_withdraw_to_the_limit() {
    let Basket { mut env, trader, account, wallets, .. } = basket().await;
    let state = env.margin_account(account).await;
    assert_eq!(state.active_count(), 3);
    assert_eq!(env.token_balance(env.assets[SOL].vault).await, 10_000_000_000);

    // Init collateral: 1000*0.95 + 10*100*0.8 + 1*2000*0.8 = 3350 USD. Borrowing 3000 USDT costs
    // 3000*1.05 = 3150, leaving 200 USD of Init health.
    env.borrow(&trader, account, USDT, wallets[USDT], 3_000_000_000).await.unwrap();
    assert_eq!(env.token_balance(wallets[USDT]).await, 3_000_000_000);
    let state = env.margin_account(account).await;
    let usdt_slot = state.find_position(USDT as u16).unwrap();
    assert_eq!(state.positions[usdt_slot].shares(), -I80F48::from_num(3_000_000_000u64));

    // Each SOL counts 100*0.8 = 80 USD, so 2.5 SOL is the limit. 2.5 SOL less a lamport leaves
    // 0.08 micro-USD of health; two more lamports would take it to -0.08.
    env.withdraw(&trader, account, SOL, wallets[SOL], 2_499_999_999).await.unwrap();
    assert_eq!(env.token_balance(wallets[SOL]).await, 2_499_999_999);

    let keys = [account, env.assets[SOL].asset, env.assets[SOL].vault, wallets[SOL]];
    let before = env.snapshot(&keys).await;
    let refused = env.withdraw(&trader, account, SOL, wallets[SOL], 2).await;
    assert_ballast_error(&refused, BallastError::InsufficientHealth);
    assert_eq!(env.snapshot(&keys).await, before);

    // Borrowing even one more micro-USDT is refused too.
    let refused = env.borrow(&trader, account, USDT, wallets[USDT], 1).await;
    assert_ballast_error(&refused, BallastError::InsufficientHealth);

    // Repaying restores room: after repaying 1000 USDT the 2 lamports can go.
    env.repay(&trader, account, USDT, wallets[USDT], 1_000_000_000).await.unwrap();
    env.withdraw(&trader, account, SOL, wallets[SOL], 2).await.unwrap();
    env.assert_vaults_cover_claims().await;
}

#[tokio::test]
async fn withdraw_all_frees_the_slot_and_close_account_needs_it_empty() {
    let Basket { mut env, trader, account, wallets, .. } = basket().await;
    for (asset, amount) in [(USDC, 1_000_000_000u64), (SOL, 10_000_000_000), (ETH, 100_000_000)] {
        let refused = env.close_margin_account(&trader, account).await;
        assert_ballast_error(&refused, BallastError::AccountNotEmpty);
        env.withdraw(&trader, account, asset, wallets[asset], amount).await.unwrap();
        assert_eq!(env.token_balance(wallets[asset]).await, amount);
    }
    assert_eq!(env.margin_account(account).await.active_count(), 0);
    env.close_margin_account(&trader, account).await.unwrap();
    assert!(env.account(account).await.is_none());
    env.assert_vaults_cover_claims().await;
}

#[tokio::test]
async fn a_stale_collateral_oracle_counts_that_collateral_as_zero() {
    let Basket { mut env, trader, account, wallets, .. } = basket().await;
    env.borrow(&trader, account, USDT, wallets[USDT], 1_500_000_000).await.unwrap();
    // ETH's oracle goes stale: ETH counts for nothing at Init. 950 + 800 - 1575 = 175 USD left,
    // so a 200 USD withdrawal of USDC (190 of health) is refused, a 100 USDC one passes.
    env.advance_time(120).await;
    env.set_price(USDC, 1.0, 0.0).await;
    env.set_price(SOL, 100.0, 0.0).await;
    env.set_price(USDT, 1.0, 0.0).await;
    let refused = env.withdraw(&trader, account, USDC, wallets[USDC], 200_000_000).await;
    assert_ballast_error(&refused, BallastError::InsufficientHealth);
    env.withdraw(&trader, account, USDC, wallets[USDC], 100_000_000).await.unwrap();
}

#[tokio::test]
async fn legacy_pyth_oracle_prices_an_asset() {
    let mut env = TestEnv::new().await;
    let usdc = env.list_asset(SPL_TOKEN, 6, 1.0, stable_config()).await;
    let mint = env.create_mint(SPL_TOKEN, 9).await;
    let oracle = Pubkey::new_unique();
    env.set_account(oracle, pyth::legacy_account(50.0, 0.0, T0)).await;
    let config = ballast::state::AssetConfig { oracle, oracle_kind: 1, ..default_config() };
    let legacy = env.list_with_oracle(mint, SPL_TOKEN, 9, oracle, config).await;

    let (lp, lp_account) = env.new_trader().await;
    let lp_usdc = env.funded_token_account(lp.pubkey(), usdc, 1_000_000_000).await;
    env.deposit(&lp, lp_account, usdc, lp_usdc, 1_000_000_000).await.unwrap();

    // 2 tokens at $50 with weight 0.8 = 80 USD; 76 USDC at 1.05 = 79.8 fits, 77 (80.85) does not.
    let (trader, account) = env.new_trader().await;
    let w = env.funded_token_account(trader.pubkey(), legacy, 2_000_000_000).await;
    env.deposit(&trader, account, legacy, w, 2_000_000_000).await.unwrap();
    let to = env.funded_token_account(trader.pubkey(), usdc, 0).await;
    let refused = env.borrow(&trader, account, usdc, to, 77_000_000).await;
    assert_ballast_error(&refused, BallastError::InsufficientHealth);
    env.borrow(&trader, account, usdc, to, 76_000_000).await.unwrap();
}
