//! The SDK against the program on the in-process chain: its builders produce instructions the
//! program accepts, its health is the program's health to the last unit (a borrow sized from it
//! lands exactly on the margin limit: the SDK's max borrow), and the declarative deploy is idempotent.

use anchor_lang::prelude::Pubkey;
use ballast::health_accounts::OraclePolicy;
use ballast::state::MarginAccount;
use ballast_sdk::chain::banks::BanksChain;
use ballast_sdk::snapshot::account_health;
use ballast_sdk::{deploy, ix, Chain, GroupSnapshot};
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

#[tokio::test]
async fn builders_drive_the_program_and_health_matches_to_the_unit() {
    let mut env = TestEnv::new().await;
    let sol = env.list_asset(TOKEN_2022, 9, 100.0, default_config()).await;
    let usdt = env.list_asset(SPL_TOKEN, 6, 1.0, default_config()).await;
    let chain = BanksChain::new(env.ctx.banks_client.clone());
    for a in &env.assets {
        chain.track(a.asset);
    }
    let payer = env.ctx.payer.insecure_clone();

    // an LP, through the SDK's builders
    let lp = Keypair::new();
    let (lp_account, create) = ix::create_account(env.group, lp.pubkey(), payer.pubkey(), 0);
    chain.send(&[create], &payer, &[&lp]).await.unwrap();
    let lp_wallet = env.funded_token_account(lp.pubkey(), usdt, 10_000_000_000).await;
    let snap = GroupSnapshot::load(&chain, env.group, &overrides(&env)).await.unwrap();
    assert_eq!(snap.assets.len(), 2);
    chain
        .send(&[snap.deposit(lp_account, 1, lp_wallet, lp.pubkey(), 10_000_000_000).unwrap()], &payer, &[&lp])
        .await
        .unwrap();

    // a trader deposits 10 SOL and borrows USDT right up to the limit the SDK computes
    let trader = Keypair::new();
    let (account, create) = ix::create_account(env.group, trader.pubkey(), payer.pubkey(), 0);
    chain.send(&[create], &payer, &[&trader]).await.unwrap();
    let sol_wallet = env.funded_token_account(trader.pubkey(), sol, 10_000_000_000).await;
    let usdt_wallet = env.funded_token_account(trader.pubkey(), usdt, 0).await;
    chain
        .send(
            &[snap.deposit(account, 0, sol_wallet, trader.pubkey(), 10_000_000_000).unwrap()],
            &payer,
            &[&trader],
        )
        .await
        .unwrap();

    let snap = GroupSnapshot::load(&chain, env.group, &overrides(&env)).await.unwrap();
    let state = account_state(&chain, &account).await;
    let priced = snap.priced(OraclePolicy::RiskIncreasing).unwrap();
    let init = account_health(&priced, &state).unwrap().init;
    // 10 SOL * $100 * 0.8 = $800 of Init health; each micro-USDT borrowed costs 1.2 of it.
    assert!((init - I80F48::from_num(800_000_000u64)).abs() < I80F48::from_num(0.001), "{init}");
    // the engine's max borrow: by hand, $800 / 1.2 per micro-USDT
    let limit = snap.max_borrow(&state, 1, u64::MAX, I80F48::ZERO).unwrap().unwrap();
    assert_eq!(limit, (init / I80F48::from_num(1.2)).floor().to_num::<u64>());
    let ok = snap.borrow(account, &state, 1, usdt_wallet, limit).unwrap();
    chain.send(&[ok], &payer, &[&trader]).await.unwrap();
    let state = account_state(&chain, &account).await;
    let snap = GroupSnapshot::load(&chain, env.group, &overrides(&env)).await.unwrap();
    let after = account_health(&snap.priced(OraclePolicy::RiskIncreasing).unwrap(), &state).unwrap().init;
    assert!(after >= I80F48::ZERO && after < I80F48::from_num(2), "{after}");
    let over = snap.borrow(account, &state, 1, usdt_wallet, 2).unwrap();
    let refused = chain.send(&[over], &payer, &[&trader]).await.unwrap_err();
    assert!(
        refused.to_string().contains(&format!("Custom({})", code(BallastError::InsufficientHealth))),
        "{refused}"
    );
    // the SDK's health is the harness's (which reads the same bytes the program reads)
    assert_eq!(after, env.health(account, HealthType::Init, OraclePolicy::RiskIncreasing).await);

    // withdraw and repay through the builders
    env.mint_to(env.assets[usdt].mint, usdt_wallet, 1_000_000).await;
    chain
        .send(&[snap.repay(account, 1, usdt_wallet, trader.pubkey(), u64::MAX).unwrap()], &payer, &[&trader])
        .await
        .unwrap();
    let state = account_state(&chain, &account).await;
    let snap = GroupSnapshot::load(&chain, env.group, &overrides(&env)).await.unwrap();
    chain
        .send(&[snap.withdraw(account, &state, 0, sol_wallet, 10_000_000_000).unwrap()], &payer, &[&trader])
        .await
        .unwrap();
    assert_eq!(env.token_balance(sol_wallet).await, 10_000_000_000);
    chain
        .send(&[ix::close_account(account, trader.pubkey(), trader.pubkey())], &payer, &[&trader])
        .await
        .unwrap();
    assert!(chain.account(&account).await.unwrap().is_none());
}

const DEPLOYMENT: &str = r#"
[group]
group_num = 7
liquidation_bonus_ramp_secs = 600
insurance_share_bps = 1000
dust_value = 10000

[[assets]]
symbol = "USDC"
decimals = 6
token_program = "spl-token"
oracle = { kind = "pyth-pull", feed_id = "0xeaa020c61cc479712813461ce153894a96a6c00b21ed0cfc2798d1f9a9e9c94a" }
[assets.risk]
init_asset_weight_bps = 9500
maint_asset_weight_bps = 9800
init_liab_weight_bps = 10500
maint_liab_weight_bps = 10200
liquidation_fee_bps = 100
max_liquidation_fee_bps = 150
max_staleness_secs = 120
max_conf_bps = 100
liquidation_max_conf_bps = 300
conf_multiplier_bps = 10000
max_ema_deviation_bps = 500
protocol_fee_bps = 1000
util0_bps = 7000
rate0_bps = 400
util1_bps = 9000
rate1_bps = 1500
max_rate_bps = 10000
"#;

#[tokio::test]
async fn deploy_config_applies_idempotently() {
    let mut env = TestEnv::new().await;
    let chain = BanksChain::new(env.ctx.banks_client.clone());
    let payer = env.ctx.payer.insecure_clone();
    let admin = Keypair::new();
    let mint = env.create_mint(SPL_TOKEN, 6).await;
    let cfg: deploy::DeploymentConfig = toml::from_str(DEPLOYMENT).unwrap();
    let feed = cfg.assets[0].to_config().unwrap().feed_id;
    let now = env.now().await;
    env.set_account(
        ballast_sdk::sponsored_feed_address(&feed, 0),
        ballast_sdk::pyth::price_update_account(feed, 100_000_000, 0, 100_000_000, now),
    )
    .await;
    let mints = HashMap::from([("USDC".to_string(), mint)]);

    let first = deploy::apply(&chain, &payer, &admin, &cfg, &mints).await.unwrap();
    assert_eq!(first.actions.len(), 2, "{:?}", first.actions);
    assert_eq!(first.group, ix::group_address(&admin.pubkey(), 7));
    let second = deploy::apply(&chain, &payer, &admin, &cfg, &mints).await.unwrap();
    assert!(second.actions.is_empty(), "{:?}", second.actions);

    // one changed parameter is one update
    let mut changed = cfg.clone();
    changed.assets[0].risk.init_asset_weight_bps = Some(9_000);
    changed.group.config.insurance_share_bps = Some(1_500);
    let third = deploy::apply(&chain, &payer, &admin, &changed, &mints).await.unwrap();
    assert_eq!(third.actions.len(), 2, "{:?}", third.actions);
    chain.track(first.assets[0].1);
    let snap = GroupSnapshot::load(&chain, first.group, &HashMap::new()).await.unwrap();
    assert_eq!(snap.assets[0].state.config.init_asset_weight_bps, 9_000);
    assert_eq!(snap.group.config.insurance_share_bps, 1_500);
    // a bad config is refused by the program's validation, with its named error
    let mut bad = changed.clone();
    bad.assets[0].risk.init_asset_weight_bps = Some(9_900);
    let err = deploy::apply(&chain, &payer, &admin, &bad, &mints).await.unwrap_err();
    assert!(
        err.to_string().contains(&format!("Custom({})", code(BallastError::InvalidAssetWeights))),
        "{err}"
    );

    // with a timelock (set at once while the group has none), a loosening is proposed and a
    // tightening applied, and a second run finds the pending proposal instead of proposing again
    let mut timelocked = changed.clone();
    timelocked.group.config.timelock_delay_secs = Some(3_600);
    let fourth = deploy::apply(&chain, &payer, &admin, &timelocked, &mints).await.unwrap();
    assert_eq!(fourth.actions, ["applied to group: timelock_delay_secs: 0 -> 3600"]);
    let mut mixed = timelocked.clone();
    mixed.assets[0].risk.init_asset_weight_bps = Some(9_200);
    mixed.assets[0].risk.max_conf_bps = Some(80);
    let fifth = deploy::apply(&chain, &payer, &admin, &mixed, &mints).await.unwrap();
    assert_eq!(fifth.actions.len(), 2, "{:?}", fifth.actions);
    assert_eq!(fifth.actions[0], "applied to USDC: max_conf_bps: 100 -> 80");
    assert!(fifth.actions[1].starts_with("proposed #0 "), "{:?}", fifth.actions);
    assert!(
        fifth.actions[1].ends_with("for USDC: init_asset_weight_bps: 9000 -> 9200"),
        "{:?}",
        fifth.actions
    );
    let asset: ballast::state::Asset = ballast_sdk::decode(
        &first.assets[0].1,
        &chain.account(&first.assets[0].1).await.unwrap().unwrap().data,
        "Asset",
    )
    .unwrap();
    assert_eq!((asset.config.init_asset_weight_bps, asset.config.max_conf_bps), (9_000, 80));
    let sixth = deploy::apply(&chain, &payer, &admin, &mixed, &mints).await.unwrap();
    assert_eq!(sixth.actions.len(), 1, "{:?}", sixth.actions);
    assert!(sixth.actions[0].starts_with("already proposed as #0"), "{:?}", sixth.actions);
}
