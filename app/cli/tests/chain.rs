//! The CLI's commands on the in-process chain (solana-program-test with the program, SPL Token,
//! Token-2022 and Pyth accounts), through the same library code the binary calls.

use ballast_cli::commands::UpdateMode::{Apply, Propose};
use ballast_cli::commands::{associated_token_address, AssetRef, Client};
use ballast_cli::params::{load_file, AssetParams, GroupParams};
use ballast_cli::units::Amount;
use ballast_sdk::ballast;
use ballast_sdk::ballast::risk::{Factor, HealthType};
use ballast_sdk::chain::banks::BanksChain;
use ballast_tests::*;
use solana_keypair::Keypair;
use solana_signer::Signer;
use std::path::Path;

const USDC: usize = 0;
const SOL: usize = 1;
const USDT: usize = 2;

fn stable_config() -> ballast::state::AssetConfig {
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

/// USDC (SPL Token, 6 dp, $1), SOL (Token-2022, 9 dp, $100), USDT (SPL Token, 6 dp, $1); a
/// liquidity provider has deposited 10,000 USDT.
async fn env() -> TestEnv {
    let mut env = TestEnv::new().await;
    env.list_asset(SPL_TOKEN, 6, 1.0, stable_config()).await;
    env.list_asset(TOKEN_2022, 9, 100.0, default_config()).await;
    env.list_asset(SPL_TOKEN, 6, 1.0, stable_config()).await;
    let (lp, lp_account) = env.new_trader().await;
    let w = env.funded_token_account(lp.pubkey(), USDT, 10_000_000_000).await;
    env.deposit(&lp, lp_account, USDT, w, 10_000_000_000).await.unwrap();
    env
}

/// A CLI client signing as `signer`, fees paid by the test payer. The harness keeps pull
/// oracles at their own keys rather than the sponsored-feed address, so they are passed as
/// overrides (as `--oracle INDEX=ADDRESS` would).
fn client(env: &TestEnv, signer: &Keypair) -> Client<BanksChain> {
    let chain = BanksChain::new(env.ctx.banks_client.clone());
    for a in &env.assets {
        chain.track(a.asset);
    }
    let mut c = Client::new(chain, env.group, signer.insecure_clone());
    c.fee_payer = Some(env.ctx.payer.insecure_clone());
    c.oracle_overrides = env.assets.iter().map(|a| (a.index, a.oracle)).collect();
    c
}

fn amount(s: &str) -> Amount {
    s.parse().unwrap()
}

#[track_caller]
fn assert_usd(value: I80F48, usd: f64) {
    assert!((value - I80F48::from_num(usd * 1e6)).abs() <= I80F48::ONE, "{value} micro-USD, expected {usd}");
}

#[tokio::test]
async fn trader_flow_deposit_borrow_withdraw_repay_health() {
    let mut env = env().await;
    let trader = Keypair::new();
    let cli = client(&env, &trader);

    let created = cli.account_create(0).await.unwrap();
    let account = margin_account_address(&env.group, &trader.pubkey(), 0);
    assert_eq!(created.account, account.to_string());
    assert_eq!(cli.own_account(0), account);

    let usdc_wallet = env.funded_token_account(trader.pubkey(), USDC, 1_000_000_000).await;
    let sol_wallet = env.funded_token_account(trader.pubkey(), SOL, 10_000_000_000).await;
    let r = cli.deposit(&account, &AssetRef::Index(0), &amount("1000"), Some(usdc_wallet)).await.unwrap();
    assert_eq!((r.balance_before.as_str(), r.balance_after.as_str()), ("0", "1000"));
    assert_eq!(r.native_amount, 1_000_000_000);
    // by mint, and `all` of the wallet
    let sol_mint = AssetRef::Address(env.assets[SOL].mint);
    let r = cli.deposit(&account, &sol_mint, &Amount::All, Some(sol_wallet)).await.unwrap();
    assert_eq!((r.amount.as_str(), r.balance_after.as_str()), ("10", "10"));
    assert_eq!(env.token_balance(sol_wallet).await, 0);

    // Init 1000*0.95 + 10*100*0.8 = 1750; LiquidationEnd 965 + 850; Maint 980 + 900.
    let h = cli.health(&account, false).await.unwrap();
    assert_usd(h.health(HealthType::Init), 1_750.0);
    assert_usd(h.health(HealthType::LiquidationEnd), 1_815.0);
    assert_usd(h.health(HealthType::Maint), 1_880.0);
    assert_eq!(
        h.health(HealthType::Init),
        env.health(account, HealthType::Init, OraclePolicy::RiskIncreasing).await
    );
    let sol = h.level(HealthType::Init).positions.iter().find(|p| p.asset_index == 1).unwrap();
    assert_usd(sol.raw.cut(Factor::BaseWeight), 200.0);
    assert_eq!(sol.balance, "10");

    // borrow 1500 USDT into the trader's associated token account, which the CLI creates
    let r = cli.borrow(&account, &AssetRef::Index(2), &amount("1500"), None).await.unwrap();
    let usdt_ata = associated_token_address(&trader.pubkey(), &env.assets[USDT].mint, &SPL_TOKEN);
    assert_eq!(r.token_account, usdt_ata.to_string());
    assert_eq!(env.token_balance(usdt_ata).await, 1_500_000_000);
    assert_eq!(r.balance_after, "-1500");
    assert!((r.init_health_after_usd.unwrap() - 175.0).abs() < 1e-6); // 1750 - 1500*1.05

    // 200 more would cost 210 of Init health: the program refuses, by name
    let e = cli.borrow(&account, &AssetRef::Index(2), &amount("200"), None).await.unwrap_err();
    let info = e.program_error().unwrap_or_else(|| panic!("{e}"));
    assert_eq!((info.code, info.name.as_str()), (6022, "InsufficientHealth"));
    assert!(e.to_string().contains("initial health would fall below zero"), "{e}");

    // withdraw 1 SOL to a new Token-2022 associated account: Init 175 - 80 = 95
    let r = cli.withdraw(&account, &AssetRef::Index(1), &amount("1"), None).await.unwrap();
    let sol_ata = associated_token_address(&trader.pubkey(), &env.assets[SOL].mint, &TOKEN_2022);
    assert_eq!(env.token_balance(sol_ata).await, 1_000_000_000);
    assert!((r.init_health_after_usd.unwrap() - 95.0).abs() < 1e-6);
    // more decimals than SOL has is refused before anything is sent
    let e = cli.withdraw(&account, &AssetRef::Index(1), &amount("0.0000000001"), None).await.unwrap_err();
    assert!(e.to_string().contains("decimal places"), "{e}");

    // repay everything from the associated account; the position is gone
    let r = cli.repay(&account, &AssetRef::Index(2), &Amount::All, None).await.unwrap();
    assert_eq!((r.amount.as_str(), r.balance_after.as_str()), ("all", "0"));
    let shown = cli.account_show(&account).await.unwrap();
    let balances: Vec<(u16, &str, &str)> =
        shown.positions.iter().map(|p| (p.asset_index, p.kind, p.balance.as_str())).collect();
    assert_eq!(balances, [(0, "deposit", "1000"), (1, "deposit", "9")]);
    let summary = shown.health.unwrap();
    assert!((summary.init_usd - (950.0 + 720.0)).abs() < 1e-6);
    assert_eq!(shown.owner, trader.pubkey().to_string());

    // withdraw all of a deposit
    let r = cli.withdraw(&account, &AssetRef::Index(0), &Amount::All, Some(usdc_wallet)).await.unwrap();
    assert_eq!(r.balance_after, "0");
    assert_eq!(env.token_balance(usdc_wallet).await, 1_000_000_000);
    // repaying a debt the account does not have
    let e = cli.repay(&account, &AssetRef::Index(2), &amount("1"), None).await.unwrap_err();
    assert_eq!(e.program_error().map(|i| i.name.as_str()), Some("NoBorrow"), "{e}");
}

#[tokio::test]
async fn liquidation_after_a_price_drop() {
    let mut env = env().await;
    let (trader, account) = env.new_trader().await;
    let sol_wallet = env.funded_token_account(trader.pubkey(), SOL, 10_000_000_000).await;
    let t = client(&env, &trader);
    t.deposit(&account, &AssetRef::Index(1), &amount("10"), Some(sol_wallet)).await.unwrap();
    // Init 800 - 700*1.05 = 65
    t.borrow(&account, &AssetRef::Index(2), &amount("700"), None).await.unwrap();

    let liquidator = Keypair::new();
    let l = client(&env, &liquidator);
    l.account_create(0).await.unwrap();
    let liq_account = l.own_account(0);
    let w = env.funded_token_account(liquidator.pubkey(), USDC, 2_000_000_000).await;
    l.deposit(&liq_account, &AssetRef::Index(0), &amount("2000"), Some(w)).await.unwrap();

    // healthy: refused by name. (A different `max` than the real attempt below: BanksClient
    // answers an identical transaction within one blockhash from its status cache.)
    let e = l
        .liquidate(&liq_account, &account, &AssetRef::Index(2), &amount("100"), 10_000, None)
        .await
        .unwrap_err();
    assert_eq!(e.program_error().map(|i| i.name.as_str()), Some("NotLiquidatable"), "{e}");

    // SOL 100 -> 78: Maint 702 - 714 = -12; LiquidationEnd 663 - 724.5 = -61.5. Each USDT of
    // debt taken over (paid with SOL at a 5% bonus) gains 1.035 - 1.05 * 0.85 = 0.1425 of
    // LiquidationEnd health, so about 431.6 USDT restores it to zero.
    env.set_price(SOL, 78.0, 0.0).await;
    let h = l.health(&account, true).await.unwrap();
    assert_eq!(h.oracle_policy, "liquidation");
    assert_usd(h.health(HealthType::Maint), -12.0);
    assert_usd(h.health(HealthType::LiquidationEnd), -61.5);

    let r =
        l.liquidate(&liq_account, &account, &AssetRef::Index(2), &Amount::All, 10_000, None).await.unwrap();
    assert!((r.maint_before_usd.unwrap() + 12.0).abs() < 1e-6);
    let le_after = r.liquidation_end_after_usd.unwrap();
    assert!((0.0..0.01).contains(&le_after), "LiquidationEnd after {le_after}");
    assert!(r.maint_after_usd.unwrap() > 0.0);
    let changed: Vec<u16> = r.liquidatee_changes.iter().map(|c| c.asset_index).collect();
    assert_eq!(changed, [1, 2]);
    let debt_after: f64 = r.liquidatee_changes[1].after.parse().unwrap();
    assert!((debt_after - (-700.0 + 61.5 / 0.1425)).abs() < 0.01, "{debt_after}");
    let liqor: Vec<u16> = r.liquidator_changes.iter().map(|c| c.asset_index).collect();
    assert!(liqor.contains(&1) && liqor.contains(&2), "{liqor:?}");
    // the figures the CLI reports are the harness's own computation of the account
    let le = env.health(account, HealthType::LiquidationEnd, OraclePolicy::Liquidation).await;
    assert!((le.to_num::<f64>() / 1e6 - le_after).abs() < 1e-9);
}

#[tokio::test]
async fn governance_register_update_group() {
    let mut env = env().await;
    let admin = env.admin.insecure_clone();
    let cli = client(&env, &admin);
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");

    // register a new mint with the example file; its pull oracle sits at the Pyth
    // sponsored-feed address of the file's feed id, where the CLI looks by default
    let params: AssetParams = load_file(&examples.join("asset-register.toml")).unwrap();
    let feed_id = ballast_cli::params::parse_feed_id(params.feed_id.as_deref().unwrap()).unwrap();
    let feed = ballast_sdk::sponsored_feed_address(&feed_id, 0);
    let now = env.now().await;
    env.set_account(feed, ballast_tests::pyth::pull_account(feed_id, 150.0, 0.0, now)).await;
    let mint = env.create_mint(SPL_TOKEN, 9).await;
    let dry = cli.asset_register(&mint, &params, None, true).await.unwrap();
    assert!(dry.signature.is_none());
    assert_eq!(dry.oracle_account, feed.to_string());
    let r = cli.asset_register(&mint, &params, None, false).await.unwrap();
    assert_eq!(r.asset_index, Some(3));
    let asset = asset_address(&env.group, &mint);
    assert_eq!(r.asset, asset.to_string());
    let listed: ballast::state::Asset = env.load(asset).await;
    assert_eq!(listed.config.borrow_cap, 50_000_000_000_000);
    assert_eq!(listed.config.deposit_cap, u64::MAX);
    assert_eq!(listed.config.sigma_floor_bps, 5_000);
    assert_eq!(listed.config.max_staleness_secs, 60); // a default

    // the group view finds the new asset and prices it from the sponsored feed
    cli.chain.track(asset);
    let g = cli.group_show().await.unwrap();
    assert_eq!(g.assets.len(), 4);
    assert_eq!(g.assets[3].oracle_status, "ok");
    assert!((g.assets[3].price_usd.unwrap() - 150.0).abs() < 1e-9);
    assert_eq!(g.admin, admin.pubkey().to_string());

    // update: only the file's fields change (by mint here)
    let update: AssetParams = load_file(&examples.join("asset-update.toml")).unwrap();
    let r = cli.asset_update(&AssetRef::Address(mint), &update, None, Apply, true).await.unwrap();
    let fields: Vec<&str> = r.changes.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(fields, ["borrow_cap", "init_asset_weight_bps"]);
    assert!(r.signature.is_none());
    cli.asset_update(&AssetRef::Address(mint), &update, None, Apply, false).await.unwrap();
    let updated: ballast::state::Asset = env.load(asset).await;
    assert_eq!(updated.config.init_asset_weight_bps, 7_500);
    assert_eq!(updated.config.borrow_cap, 20_000_000_000_000);
    assert_eq!(updated.config.maint_asset_weight_bps, 9_000);
    // nothing left to change: nothing sent
    assert!(cli
        .asset_update(&AssetRef::Index(3), &update, None, Apply, false)
        .await
        .unwrap()
        .signature
        .is_none());
    // an invalid config is refused locally with the program's error name
    let bad = AssetParams { init_asset_weight_bps: Some(9_500), ..AssetParams::default() };
    let e = cli.asset_update(&AssetRef::Index(1), &bad, None, Apply, false).await.unwrap_err();
    assert_eq!(e.program_error().map(|i| i.name.as_str()), Some("InvalidAssetWeights"), "{e}");

    // update an existing asset through its override oracle
    let params = AssetParams { reduce_only: Some(true), ..AssetParams::default() };
    cli.asset_update(&AssetRef::Index(1), &params, None, Apply, false).await.unwrap();
    assert!(env.asset_state(SOL).await.config.is_reduce_only());

    // group update from the example JSON
    let gp: GroupParams = load_file(&examples.join("group-update.json")).unwrap();
    let r = cli.group_update(&gp, None, Apply, false).await.unwrap();
    let fields: Vec<&str> = r.changes.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(fields, ["correlation_groups", "z_init_bps", "z_maint_bps"]);
    let g = env.group_state().await;
    assert_eq!((g.config.z_init_bps, g.config.z_maint_bps), (20_000, 10_000));
    assert_eq!(g.config.correlation_groups[0].maint_asset_weight_bps, 9_700);

    // someone else is refused before anything is sent
    let stranger = Keypair::new();
    let other = client(&env, &stranger);
    let gp = GroupParams { dust_value: Some(1), ..GroupParams::default() };
    let e = other.group_update(&gp, None, Apply, false).await.unwrap_err();
    assert!(e.to_string().contains("neither the admin"), "{e}");
}

/// The timelock from the CLI: a loosening is refused at once and proposed instead, shown,
/// refused before its time and executed after it; the guardian tightens and pauses but cannot
/// loosen or unpause; the admin role changes hands in two steps.
#[tokio::test]
async fn governance_timelock_guardian_pause_and_handover() {
    use ballast_cli::commands::PauseCommand;
    use ballast_sdk::ballast::risk::governance::{PAUSE_BORROW, PAUSE_DURATION_SECS};
    let mut env = env().await;
    let admin = env.admin.insecure_clone();
    let guardian = env.guardian.insecure_clone();
    let cli = client(&env, &admin);
    let guard = client(&env, &guardian);
    // the harness's group has no timelock: setting one applies at once
    let gp = GroupParams { timelock_delay_secs: Some(3_600), ..GroupParams::default() };
    cli.group_update(&gp, None, Apply, false).await.unwrap();
    assert_eq!(env.group_state().await.config.timelock_delay_secs, 3_600);

    // a loosening cannot apply at once any more
    let looser = AssetParams { init_asset_weight_bps: Some(8_500), ..AssetParams::default() };
    let current = env.asset_state(SOL).await.config.init_asset_weight_bps;
    assert!(current < 8_500, "the test needs a loosening, SOL init weight is {current}");
    let e = cli.asset_update(&AssetRef::Index(1), &looser, None, Apply, false).await.unwrap_err();
    assert!(e.to_string().contains("gov propose"), "{e}");
    // nor can the guardian send it
    let e = guard.asset_update(&AssetRef::Index(1), &looser, None, Apply, false).await.unwrap_err();
    assert!(e.to_string().contains("may only tighten"), "{e}");

    // proposed instead; listed; too early; executed after the delay
    let p = cli.asset_update(&AssetRef::Index(1), &looser, None, Propose, false).await.unwrap();
    let proposal: Pubkey = p.proposal.as_deref().unwrap().parse().unwrap();
    let listed = cli.gov_show(None).await.unwrap();
    assert_eq!(listed.proposals.len(), 1);
    assert_eq!(listed.proposals[0].status, "pending");
    assert_eq!(listed.proposals[0].entries, [format!("init_asset_weight_bps: {current} -> 8500")]);
    let e = cli.gov_execute(&proposal).await.unwrap_err();
    assert_eq!(e.program_error().map(|i| i.name.as_str()), Some("ProposalTooEarly"), "{e}");
    env.advance_time(3_600).await;
    // anyone executes
    let stranger = Keypair::new();
    client(&env, &stranger).gov_execute(&proposal).await.unwrap();
    assert_eq!(env.asset_state(SOL).await.config.init_asset_weight_bps, 8_500);
    assert_eq!(cli.gov_show(Some(proposal)).await.unwrap().proposals[0].status, "executed");

    // the guardian tightens at once and pauses; it cannot unpause; nobody clears early
    let tighter = AssetParams { init_asset_weight_bps: Some(6_500), ..AssetParams::default() };
    guard.asset_update(&AssetRef::Index(1), &tighter, None, Apply, false).await.unwrap();
    assert_eq!(env.asset_state(SOL).await.config.init_asset_weight_bps, 6_500);
    guard.guardian_pause(Some(&AssetRef::Index(1)), PauseCommand::Pause(PAUSE_BORROW)).await.unwrap();
    let e = guard.guardian_pause(Some(&AssetRef::Index(1)), PauseCommand::Unpause).await.unwrap_err();
    assert_eq!(e.program_error().map(|i| i.name.as_str()), Some("GuardianCannotUnpause"), "{e}");
    let e = guard.guardian_pause(Some(&AssetRef::Index(1)), PauseCommand::ClearExpired).await.unwrap_err();
    assert_eq!(e.program_error().map(|i| i.name.as_str()), Some("PauseNotExpired"), "{e}");
    env.advance_time(PAUSE_DURATION_SECS).await;
    guard.guardian_pause(Some(&AssetRef::Index(1)), PauseCommand::ClearExpired).await.unwrap();
    assert_eq!(env.asset_state(SOL).await.pause.actions, 0);

    // the admin role changes hands in two steps
    let next = Keypair::new();
    cli.gov_propose_admin(&next.pubkey()).await.unwrap();
    assert_eq!(env.group_state().await.admin, admin.pubkey());
    client(&env, &next).gov_accept_admin().await.unwrap();
    assert_eq!(env.group_state().await.admin, next.pubkey());
}

#[tokio::test]
async fn market_list_and_show() {
    let mut env = env().await;
    let admin = env.admin.insecure_clone();
    let cli = client(&env, &admin);
    assert!(cli.market_list(None).await.unwrap().markets.is_empty());
    let now = env.now().await;
    let config = ballast::state::MarketConfig {
        expiry_ts: now + 86_400,
        contract_size: 1_000_000_000,
        ..ballast::state::MarketConfig::template()
    };
    let i = ballast_sdk::ix::register_market(
        env.group,
        admin.pubkey(),
        env.payer(),
        0,
        env.assets[SOL].asset,
        env.assets[USDC].asset,
        config,
    );
    env.send(&[i], &[&admin]).await.unwrap();
    let list = cli.market_list(None).await.unwrap();
    assert_eq!(list.markets.len(), 1);
    let m = &list.markets[0];
    assert_eq!(
        (m.index, m.underlying_index, m.quote_index, m.contract_size),
        (0, SOL as u16, USDC as u16, 1_000_000_000)
    );
    assert_eq!((m.expiry, m.expired, m.settlement_price_usd), (now + 86_400, false, None));
    assert_eq!(cli.market_list(Some(0)).await.unwrap().markets.len(), 1);
    let e = cli.market_list(Some(3)).await.unwrap_err();
    assert!(e.to_string().contains("no market 3"), "{e}");
}

#[tokio::test]
async fn a_trade_offered_in_a_file_is_cosigned_by_the_counterparty() {
    use ballast_cli::commands::{Counterparty, TradeSide};
    let mut env = env().await;
    let admin = env.admin.insecure_clone();
    let now = env.now().await;
    let config = ballast::state::MarketConfig {
        expiry_ts: now + 86_400,
        contract_size: 1_000_000_000,
        ..ballast::state::MarketConfig::template()
    };
    let i = ballast_sdk::ix::register_market(
        env.group,
        admin.pubkey(),
        env.payer(),
        0,
        env.assets[SOL].asset,
        env.assets[USDC].asset,
        config,
    );
    env.send(&[i], &[&admin]).await.unwrap();
    let mut traders = vec![];
    for usdc in [10_000u64, 1_000] {
        let (user, account) = env.new_trader().await;
        let w = env.funded_token_account(user.pubkey(), USDC, usdc * 1_000_000).await;
        env.deposit(&user, account, USDC, w, usdc * 1_000_000).await.unwrap();
        traders.push((user, account));
    }
    let [(maker, maker_account), (taker, taker_account)] = [&traders[0], &traders[1]];
    let offer = std::env::temp_dir().join(format!("ballast-offer-{}.json", taker.pubkey()));

    // The taker offers to buy 2 at $100 and signs; nothing trades until the maker cosigns.
    let owner = maker.pubkey();
    let r = client(&env, taker)
        .trade(
            taker_account,
            0,
            TradeSide::Buy,
            2,
            "100",
            Counterparty::Offer { owner },
            maker_account,
            Some(&offer),
        )
        .await
        .unwrap();
    assert!(r.action.starts_with("offered"), "{}", r.action);
    assert!(env.margin_account(*taker_account).await.find_derivative(0).is_none());
    // A stranger is no side of it.
    let e = client(&env, &Keypair::new()).cosign(&offer, None).await.unwrap_err();
    assert!(e.to_string().contains("neither the buyer nor the seller"), "{e}");
    // The maker reads it from the transaction, signs and sends it.
    let r = client(&env, maker).cosign(&offer, None).await.unwrap();
    assert_eq!(r.action, "sold");
    let t = env.margin_account(*taker_account).await;
    let m = env.margin_account(*maker_account).await;
    assert_eq!(t.derivatives[t.find_derivative(0).unwrap()].contracts, 2);
    assert_eq!(m.derivatives[m.find_derivative(0).unwrap()].contracts, -2);
    std::fs::remove_file(&offer).ok();
}
