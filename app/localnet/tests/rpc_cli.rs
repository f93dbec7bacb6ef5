//! The `ballast` binary over JSON-RPC against a real validator (solana-test-validator with the
//! SBF build, SPL Token, Token-2022 and the localnet's Pyth accounts): a trader's round trip, a
//! liquidation after a price move, governance by the admin and the refusal of a stranger. Every
//! refused command is checked to have changed nothing.
//!
//! Run by `scripts/localnet/ci.sh` (`--ignored --test-threads=1`: the tests move the shared SOL
//! price).

mod common;
use ballast_sdk::ballast::risk::governance::{value_from_u64, AssetField};
use ballast_sdk::ballast::state::PatchEntry;
use ballast_sdk::ix;
use ballast_sdk::Chain;
use common::*;

/// The name of the program error a JSON-RPC send failed with.
fn program_error(e: &ballast_sdk::SdkError) -> String {
    let text = e.to_string();
    let code =
        ballast_cli::error::find_custom_code(&text).unwrap_or_else(|| panic!("no program error in {text}"));
    ballast_cli::error::describe_code(code).unwrap_or_else(|| panic!("unknown code {code}")).name
}

fn f(v: &serde_json::Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("{v} is not a number"))
}

#[tokio::test]
#[ignore = "needs a running local validator: scripts/localnet/ci.sh runs these"]
async fn a_trader_deposits_borrows_repays_and_withdraws_over_rpc() {
    let net = net("trader");
    net.reset_prices().await;
    let (sol, usdc) = (net.index("SOL"), net.index("USDC"));
    let trader = net.wallet("trader", &[("SOL", 20.0), ("USDC", 100.0)]).await;

    let created = net.ballast(&trader, &["account", "create"]);
    let account = created["account"].as_str().unwrap().to_string();
    let deposit = net.ballast(&trader, &["deposit", &sol, "10"]);
    assert_eq!(deposit["native_amount"], 10_000_000_000u64);
    assert_eq!(net.wallet_tokens(&trader.pubkey(), "SOL").await, 10.0);

    let borrow = net.ballast(&trader, &["borrow", &usdc, "500"]);
    assert_eq!(borrow["native_amount"], 500_000_000u64);
    assert_eq!(net.wallet_tokens(&trader.pubkey(), "USDC").await, 600.0);
    let health = net.health(&trader, &account);
    assert!(f(&health["init_usd"]) > 0.0, "{health}");
    assert!(f(&health["maint_usd"]) > f(&health["init_usd"]));

    // Too much: refused by the margin check, nothing moves.
    let bytes = net.account_bytes(&account).await;
    let err = net.ballast_fails(&trader, &["borrow", &usdc, "100000"]);
    assert_eq!(err, "InsufficientHealth");
    assert_eq!(net.wallet_tokens(&trader.pubkey(), "USDC").await, 600.0);
    let err = net.ballast_fails(&trader, &["withdraw", &sol, "10"]);
    assert_eq!(err, "InsufficientHealth");
    assert_eq!(net.wallet_tokens(&trader.pubkey(), "SOL").await, 10.0);
    assert_eq!(net.account_bytes(&account).await, bytes, "a refused command changed the account");

    net.ballast(&trader, &["repay", &usdc, "all"]);
    let withdraw = net.ballast(&trader, &["withdraw", &sol, "all"]);
    assert_eq!(withdraw["balance_after"], "0");
    assert_eq!(net.wallet_tokens(&trader.pubkey(), "SOL").await, 20.0);
    // The interest of a few slots is owed to the lenders: a little under 100 USDC is left.
    let usdc_left = net.wallet_tokens(&trader.pubkey(), "USDC").await;
    assert!((99.99..100.0).contains(&usdc_left), "{usdc_left}");
    let view = net.ballast(&trader, &["account", "show"]);
    assert!(view["positions"].as_array().unwrap().is_empty(), "{view}");
}

#[tokio::test]
#[ignore = "needs a running local validator: scripts/localnet/ci.sh runs these"]
async fn a_liquidator_takes_over_a_debt_after_the_price_falls() {
    let net = net("liquidator");
    net.reset_prices().await;
    let usdc = net.index("USDC");
    let (trader, account, liquidator, _) = net.borrower_and_liquidator("liquidator").await;

    // Healthy: a liquidation is refused and changes nothing.
    let before = net.account_bytes(&account).await;
    let err = net.ballast_fails(&liquidator, &["liquidate", &account, &usdc]);
    assert_eq!(err, "NotLiquidatable");
    assert_eq!(net.account_bytes(&account).await, before, "a refused liquidation changed the account");

    // SOL falls a third: below maintenance.
    net.price("SOL", 100.0).await;
    let under = net.health(&trader, &account);
    assert!(f(&under["maint_usd"]) < 0.0, "{under}");
    let done = net.ballast(&liquidator, &["liquidate", &account, &usdc]);
    assert!(f(&done["maint_before_usd"]) < 0.0, "{done}");
    // Back at LiquidationEnd: the plan lands on zero, or a rounding hair short of it (seen:
    // -6.8e-10 USD) when interest accrues between the plan and the slot it lands in.
    assert!(f(&done["liquidation_end_after_usd"]) >= -1e-6, "{done}");
    assert!(!done["liquidator_changes"].as_array().unwrap().is_empty(), "{done}");
    let after = net.health(&trader, &account);
    assert!(f(&after["maint_usd"]) > 0.0, "{after}");
    net.reset_prices().await;
}

#[tokio::test]
#[ignore = "needs a running local validator: scripts/localnet/ci.sh runs these"]
async fn the_admin_tightens_and_restores_an_asset_and_a_stranger_cannot() {
    let net = net("governance");
    net.reset_prices().await;
    let sol = net.index("SOL");
    let admin = net.admin();
    let stranger = net.wallet("stranger", &[]).await;
    let weight = |net: &Net| {
        let group = net.ballast(&net.admin(), &["group", "show"]);
        let asset = group["assets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["index"].as_u64().map(|i| i.to_string()).as_deref() == Some(sol.as_str()))
            .cloned();
        asset.unwrap_or_else(|| panic!("no asset {sol} in {group}"))["init_asset_weight_bps"]
            .as_u64()
            .unwrap()
    };
    let start = weight(&net);
    let tighter = net.keys.join("tighter.toml");
    std::fs::write(&tighter, format!("init_asset_weight_bps = {}\n", start - 500)).unwrap();
    let restore = net.keys.join("restore.toml");
    std::fs::write(&restore, format!("init_asset_weight_bps = {start}\n")).unwrap();

    // The CLI refuses a stranger's patch before sending it...
    let err =
        net.ballast_fails(&stranger, &["guardian", "tighten", "asset", &sol, tighter.to_str().unwrap()]);
    assert!(err.contains("is neither the admin") && err.contains("nor the risk guardian"), "{err}");
    // ... and the program refuses it when sent past the CLI.
    let a = net.state.asset("SOL").unwrap();
    let entries = vec![PatchEntry::new(AssetField::InitAssetWeightBps as u16, value_from_u64(start - 500))];
    let asset = ix::asset_address(&net.state.group(), &a.mint());
    let patch = ix::apply_asset_patch(net.state.group(), stranger.pubkey(), asset, a.oracle(), entries);
    let e = net.chain.send(&[patch], &stranger.keypair, &[]).await.unwrap_err();
    assert_eq!(program_error(&e), "NotAdminOrGuardian");
    assert_eq!(weight(&net), start, "a stranger's patch changed the asset");

    net.ballast(&admin, &["guardian", "tighten", "asset", &sol, tighter.to_str().unwrap()]);
    assert_eq!(weight(&net), start - 500);
    // The sandbox's group has no timelock: the admin's loosening applies at once.
    net.ballast(&admin, &["asset", "update", &sol, restore.to_str().unwrap()]);
    assert_eq!(weight(&net), start);
}
