//! Max borrow and max withdraw against the program: with every factor on (volatility, size,
//! total scaling, concentration), the amount the SDK computes lands and one native unit more is
//! refused with `InsufficientHealth`, with the account untouched by the refusal.

use anchor_lang::prelude::Pubkey;
use ballast::state::{AssetConfig, MarginAccount};
use ballast_sdk::chain::banks::BanksChain;
use ballast_sdk::{Chain, GroupSnapshot};
use ballast_tests::*;
use solana_keypair::Keypair;
use solana_signer::Signer;
use std::collections::HashMap;

fn overrides(env: &TestEnv) -> HashMap<u16, Pubkey> {
    env.assets.iter().map(|a| (a.index, a.oracle)).collect()
}

async fn account_state(chain: &BanksChain, key: &Pubkey) -> MarginAccount {
    ballast_sdk::decode(key, &chain.account(key).await.unwrap().unwrap().data, "MarginAccount").unwrap()
}

/// Every single-asset factor on, and starts low enough that this test's pool crosses them.
fn every_factor(decimals_scale_start: u64) -> AssetConfig {
    AssetConfig {
        sigma_floor_bps: 9_000,
        liquidation_horizon_secs: 86_400,
        size_imf_ppm: 2_000,
        deposit_weight_scale_start: decimals_scale_start,
        borrow_weight_scale_start: decimals_scale_start / 4,
        concentration_threshold_bps: 6_000,
        concentration_haircut_bps: 2_000,
        ..default_config()
    }
}

#[tokio::test]
async fn max_borrow_and_max_withdraw_land_on_the_limit_with_every_factor_on() {
    let mut env = TestEnv::new().await;
    env.update_group(ballast::state::GroupConfig {
        z_init_bps: 20_000,
        z_maint_bps: 10_000,
        ..group_config()
    })
    .await
    .unwrap();
    // Scaling starts below this test's pool: SOL at $5,000 of deposits (the pool holds $13,000),
    // USDT at $100 of borrows. (An account that is the whole pool would see its scaled
    // collateral value stay flat as it withdraws, which the engine's search handles, but which
    // would make this test's limits trivial.)
    let sol = env.list_asset(TOKEN_2022, 9, 100.0, every_factor(5_000_000_000)).await;
    let usdt = env.list_asset(SPL_TOKEN, 6, 1.0, every_factor(400_000_000)).await;
    let chain = BanksChain::new(env.ctx.banks_client.clone());
    for a in &env.assets {
        chain.track(a.asset);
        chain.track(a.vault);
    }
    let payer = env.ctx.payer.insecure_clone();

    let lp = Keypair::new();
    let (lp_account, create) = ballast_sdk::ix::create_account(env.group, lp.pubkey(), payer.pubkey(), 0);
    chain.send(&[create], &payer, &[&lp]).await.unwrap();
    let lp_wallet = env.funded_token_account(lp.pubkey(), usdt, 10_000_000_000).await;
    let lp_sol = env.funded_token_account(lp.pubkey(), sol, 100_000_000_000).await;
    let snap = GroupSnapshot::load(&chain, env.group, &overrides(&env)).await.unwrap();
    let deposit = snap.deposit(lp_account, 1, lp_wallet, lp.pubkey(), 10_000_000_000).unwrap();
    let deposit_sol = snap.deposit(lp_account, 0, lp_sol, lp.pubkey(), 100_000_000_000).unwrap();
    chain.send(&[deposit, deposit_sol], &payer, &[&lp]).await.unwrap();

    // a trader with 30 SOL
    let trader = Keypair::new();
    let (account, create) = ballast_sdk::ix::create_account(env.group, trader.pubkey(), payer.pubkey(), 0);
    chain.send(&[create], &payer, &[&trader]).await.unwrap();
    let sol_wallet = env.funded_token_account(trader.pubkey(), sol, 30_000_000_000).await;
    let snap = GroupSnapshot::load(&chain, env.group, &overrides(&env)).await.unwrap();
    let deposit = snap.deposit(account, 0, sol_wallet, trader.pubkey(), 30_000_000_000).unwrap();
    chain.send(&[deposit], &payer, &[&trader]).await.unwrap();
    let usdt_wallet = env.funded_token_account(trader.pubkey(), usdt, 0).await;

    // max borrow of USDT: lands; one unit more is refused and changes nothing
    env.advance_time(30).await;
    env.set_price(sol, 100.0, 0.05).await;
    env.set_price(usdt, 1.0, 0.0).await;
    let snap = GroupSnapshot::load(&chain, env.group, &overrides(&env)).await.unwrap();
    let state = account_state(&chain, &account).await;
    let liquidity = snap.vault_amount(&chain, 1).await.unwrap();
    let max = snap.max_borrow(&state, 1, liquidity, I80F48::ZERO).unwrap().expect("room to borrow");
    // 30 SOL at $100 with every factor: well under the base-weight figure of $2,400 / 1.2
    assert!(max > 100_000_000 && max < 2_000_000_000, "{max}");
    let keys = [env.assets[sol].asset, env.assets[usdt].asset, account];
    let before = env.snapshot(&keys).await;
    let over = snap.borrow(account, &state, 1, usdt_wallet, max + 1).unwrap();
    let refused = chain.send(&[over], &payer, &[&trader]).await.unwrap_err();
    assert!(
        refused.to_string().contains(&format!("Custom({})", code(BallastError::InsufficientHealth))),
        "{refused}"
    );
    assert_eq!(env.snapshot(&keys).await, before);
    let ok = snap.borrow(account, &state, 1, usdt_wallet, max).unwrap();
    chain.send(&[ok], &payer, &[&trader]).await.unwrap();
    assert_eq!(env.token_balance(usdt_wallet).await, max);

    // At the limit no further unit of USDT can be borrowed; the Init health left (under the cost
    // of one more micro-USDT of debt) frees only lamports of SOL (a lamport is $1e-7).
    let snap = GroupSnapshot::load(&chain, env.group, &overrides(&env)).await.unwrap();
    let state = account_state(&chain, &account).await;
    assert_eq!(snap.max_borrow(&state, 1, u64::MAX, I80F48::ZERO).unwrap(), Some(0));
    let dust = snap.max_withdraw(&state, 0, u64::MAX, I80F48::ZERO).unwrap().unwrap();
    assert!(dust < 1_000, "{dust}");

    // repay half: max withdraw of SOL lands, one unit more is refused
    let repay = snap.repay(account, 1, usdt_wallet, trader.pubkey(), max / 2).unwrap();
    chain.send(&[repay], &payer, &[&trader]).await.unwrap();
    let snap = GroupSnapshot::load(&chain, env.group, &overrides(&env)).await.unwrap();
    let state = account_state(&chain, &account).await;
    let liquidity = snap.vault_amount(&chain, 0).await.unwrap();
    let max_w = snap.max_withdraw(&state, 0, liquidity, I80F48::ZERO).unwrap().expect("room to withdraw");
    assert!(max_w > 0 && max_w < 30_000_000_000, "{max_w}");
    let before = env.snapshot(&keys).await;
    let over = snap.withdraw(account, &state, 0, sol_wallet, max_w + 1).unwrap();
    let refused = chain.send(&[over], &payer, &[&trader]).await.unwrap_err();
    assert!(
        refused.to_string().contains(&format!("Custom({})", code(BallastError::InsufficientHealth))),
        "{refused}"
    );
    assert_eq!(env.snapshot(&keys).await, before);
    let ok = snap.withdraw(account, &state, 0, sol_wallet, max_w).unwrap();
    chain.send(&[ok], &payer, &[&trader]).await.unwrap();
    assert_eq!(env.token_balance(sol_wallet).await, max_w);

    // a target above zero leaves that much Init health
    let snap = GroupSnapshot::load(&chain, env.group, &overrides(&env)).await.unwrap();
    let state = account_state(&chain, &account).await;
    assert_eq!(snap.max_borrow(&state, 1, u64::MAX, I80F48::from_num(1)).unwrap(), None);
}

/// When the vault binds (little liquidity, plenty of collateral) the maximum is what the vault
/// can pay out: a borrow of it lands, one unit more is refused with `InsufficientLiquidity`; a
/// paused asset has no maximum at all.
#[tokio::test]
async fn max_borrow_is_bounded_by_the_vault_and_absent_when_paused() {
    let mut env = TestEnv::new().await;
    let sol = env.list_asset(TOKEN_2022, 9, 100.0, default_config()).await;
    let usdt = env.list_asset(SPL_TOKEN, 6, 1.0, default_config()).await;
    let chain = BanksChain::new(env.ctx.banks_client.clone());
    for a in &env.assets {
        chain.track(a.asset);
    }
    let payer = env.ctx.payer.insecure_clone();
    let lp = Keypair::new();
    let (lp_account, create) = ballast_sdk::ix::create_account(env.group, lp.pubkey(), payer.pubkey(), 0);
    chain.send(&[create], &payer, &[&lp]).await.unwrap();
    let lp_wallet = env.funded_token_account(lp.pubkey(), usdt, 50_000_000).await;
    let snap = GroupSnapshot::load(&chain, env.group, &overrides(&env)).await.unwrap();
    chain
        .send(&[snap.deposit(lp_account, 1, lp_wallet, lp.pubkey(), 50_000_000).unwrap()], &payer, &[&lp])
        .await
        .unwrap();

    let trader = Keypair::new();
    let (account, create) = ballast_sdk::ix::create_account(env.group, trader.pubkey(), payer.pubkey(), 0);
    chain.send(&[create], &payer, &[&trader]).await.unwrap();
    let sol_wallet = env.funded_token_account(trader.pubkey(), sol, 10_000_000_000).await;
    let deposit = snap.deposit(account, 0, sol_wallet, trader.pubkey(), 10_000_000_000).unwrap();
    chain.send(&[deposit], &payer, &[&trader]).await.unwrap();
    let usdt_wallet = env.funded_token_account(trader.pubkey(), usdt, 0).await;

    let snap = GroupSnapshot::load(&chain, env.group, &overrides(&env)).await.unwrap();
    let state = account_state(&chain, &account).await;
    let vault = snap.vault_amount(&chain, 1).await.unwrap();
    assert_eq!(vault, 50_000_000);
    let max = snap.max_borrow(&state, 1, vault, I80F48::ZERO).unwrap().unwrap();
    assert_eq!(max, 50_000_000, "the vault binds, not health ($800 of room)");
    let keys = [env.assets[usdt].asset, account];
    let before = env.snapshot(&keys).await;
    let over = snap.borrow(account, &state, 1, usdt_wallet, max + 1).unwrap();
    let refused = chain.send(&[over], &payer, &[&trader]).await.unwrap_err();
    assert!(
        refused.to_string().contains(&format!("Custom({})", code(BallastError::InsufficientLiquidity))),
        "{refused}"
    );
    assert_eq!(env.snapshot(&keys).await, before);

    // frozen: no amount is accepted, so there is no maximum (the harness checks its invariants
    // over these accounts too)
    env.margin_accounts.extend([lp_account, account]);
    let paused =
        AssetConfig { flags: ballast::state::ASSET_FLAG_FROZEN, ..env.asset_state(usdt).await.config };
    env.update_asset(usdt, paused).await.unwrap();
    let snap = GroupSnapshot::load(&chain, env.group, &overrides(&env)).await.unwrap();
    assert_eq!(snap.max_borrow(&state, 1, vault, I80F48::ZERO).unwrap(), None);
}
