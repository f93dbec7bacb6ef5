//! Every instruction's rejections: the exact named error, and nothing changed.

use crate::margin::{basket, Basket, ETH, SOL, USDC, USDT};
use anchor_lang::prelude::Pubkey;
use anchor_lang::{InstructionData, ToAccountMetas};
use ballast::state::AssetConfig;
use ballast_tests::*;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_signer::Signer;

/// Asserts `result` failed with `expected` and that `keys` are byte-for-byte unchanged.
async fn assert_refused(
    env: &mut TestEnv,
    result: TxResult,
    expected: BallastError,
    keys: &[Pubkey],
    before: &[Option<solana_account::Account>],
) {
    assert_ballast_error(&result, expected);
    assert_eq!(env.snapshot(keys).await, before, "{expected:?} changed state");
}

fn keys_of(b: &Basket, asset: usize) -> Vec<Pubkey> {
    vec![b.account, b.env.assets[asset].asset, b.env.assets[asset].vault, b.wallets[asset], b.env.group]
}

// ---- register_asset / apply_asset_patch ---------------------------------------------------------

#[tokio::test]
async fn register_asset_rejects_bad_input() {
    let mut env = TestEnv::new().await;
    let mint = env.create_mint(SPL_TOKEN, 6).await;
    let oracle = Pubkey::new_unique();
    let feed_id = Pubkey::new_unique().to_bytes();
    env.set_account(oracle, pyth::pull_account(feed_id, 1.0, 0.0, T0)).await;
    let good = AssetConfig { feed_id, oracle, ..default_config() };
    let group = env.group;
    let keys = [group, asset_address(&group, &mint)];
    let before = env.snapshot(&keys).await;

    let impostor = Keypair::new();
    let ix = env.register_asset_ix(group, impostor.pubkey(), mint, SPL_TOKEN, oracle, good);
    let r = env.send(&[ix], &[&impostor]).await;
    assert_refused(&mut env, r, BallastError::NotAdmin, &keys, &before).await;

    let admin = env.admin.insecure_clone();
    let cases: Vec<(AssetConfig, BallastError)> = vec![
        // one named error per check (programs/ballast/src/validation/)
        (AssetConfig { init_asset_weight_bps: 9_500, ..good }, BallastError::InvalidAssetWeights),
        (AssetConfig { maint_asset_weight_bps: 10_001, ..good }, BallastError::AssetWeightAboveOne),
        (AssetConfig { init_asset_weight_bps: 0, ..good }, BallastError::ZeroInitAssetWeight),
        (AssetConfig { maint_liab_weight_bps: 9_999, ..good }, BallastError::LiabilityWeightBelowOne),
        (AssetConfig { init_liab_weight_bps: 10_500, ..good }, BallastError::InvalidLiabilityWeights),
        (AssetConfig { init_liab_weight_bps: 100_001, ..good }, BallastError::LiabilityWeightTooHigh),
        (AssetConfig { liquidation_fee_bps: 1_000, ..good }, BallastError::LiquidationFeeAboveMax),
        (AssetConfig { max_liquidation_fee_bps: 1_000, ..good }, BallastError::InvalidLiquidationFee),
        (AssetConfig { util0_bps: 8_000, ..good }, BallastError::InvalidRateCurve),
        (AssetConfig { util1_bps: 10_000, ..good }, BallastError::InvalidRateCurve),
        (AssetConfig { rate1_bps: 100, ..good }, BallastError::RatesNotIncreasing),
        (AssetConfig { max_rate_bps: 1_000_001, ..good }, BallastError::MaxRateTooHigh),
        (AssetConfig { protocol_fee_bps: 10_000, ..good }, BallastError::InvalidProtocolFee),
        (AssetConfig { liquidation_max_conf_bps: 100, ..good }, BallastError::LiquidationMaxConfOutOfRange),
        (AssetConfig { max_conf_bps: 0, ..good }, BallastError::MaxConfOutOfRange),
        (AssetConfig { max_ema_deviation_bps: 0, ..good }, BallastError::ZeroMaxEmaDeviation),
        (AssetConfig { conf_multiplier_bps: 100_001, ..good }, BallastError::ConfMultiplierTooHigh),
        (AssetConfig { max_staleness_secs: 0, ..good }, BallastError::ZeroMaxStaleness),
        (AssetConfig { oracle_kind: 7, ..good }, BallastError::InvalidOracleKind),
        (AssetConfig { feed_id: [0; 32], ..good }, BallastError::PullOracleWithoutFeedId),
        (AssetConfig { sigma_floor_bps: 100_001, ..good }, BallastError::SigmaFloorTooHigh),
        (AssetConfig { liquidation_horizon_secs: 31_536_001, ..good }, BallastError::HorizonTooLong),
        // the config pins another account than the one passed
        (AssetConfig { oracle: Pubkey::new_unique(), ..good }, BallastError::OracleMismatch),
        (AssetConfig { flags: 0x80, ..good }, BallastError::InvalidFlags),
        (AssetConfig { feed_id: [9; 32], ..good }, BallastError::OracleFeedIdMismatch),
    ];
    for (config, expected) in cases {
        let ix = env.register_asset_ix(group, admin.pubkey(), mint, SPL_TOKEN, oracle, config);
        let r = env.send(&[ix], &[&admin]).await;
        assert_refused(&mut env, r, expected, &keys, &before).await;
    }

    // an oracle under the wrong owner
    let mut foreign = pyth::pull_account(feed_id, 1.0, 0.0, T0);
    foreign.owner = Pubkey::new_unique();
    let foreign_key = Pubkey::new_unique();
    env.set_account(foreign_key, foreign).await;
    let pinned = AssetConfig { oracle: foreign_key, ..good };
    let ix = env.register_asset_ix(group, admin.pubkey(), mint, SPL_TOKEN, foreign_key, pinned);
    let r = env.send(&[ix], &[&admin]).await;
    assert_refused(&mut env, r, BallastError::OracleWrongOwner, &keys, &before).await;

    // and the good config lists
    let ix = env.register_asset_ix(group, admin.pubkey(), mint, SPL_TOKEN, oracle, good);
    env.send(&[ix], &[&admin]).await.unwrap();
    assert_eq!(env.group_state().await.asset_count, 1);
}

#[tokio::test]
async fn token_2022_mint_with_transfer_fee_is_refused() {
    use spl_token_2022_interface::extension::ExtensionType;
    let mut env = TestEnv::new().await;
    let mint = crate::adversarial::token_2022_mint_with(&mut env, ExtensionType::TransferFeeConfig).await;
    let oracle = Pubkey::new_unique();
    let feed_id = Pubkey::new_unique().to_bytes();
    env.set_account(oracle, pyth::pull_account(feed_id, 1.0, 0.0, T0)).await;
    let admin = env.admin.insecure_clone();
    let ix = env.register_asset_ix(
        env.group,
        admin.pubkey(),
        mint,
        TOKEN_2022,
        oracle,
        AssetConfig { feed_id, oracle, ..default_config() },
    );
    let r = env.send(&[ix], &[&admin]).await;
    assert_ballast_error(&r, BallastError::UnsupportedMintExtension);
    assert!(env.account(asset_address(&env.group, &mint)).await.is_none());
}

#[tokio::test]
async fn update_asset_rejects_bad_input() {
    let mut b = basket().await;
    let env = &mut b.env;
    let current = env.asset_state(SOL).await.config;
    let keys = [env.assets[SOL].asset, env.group];
    let before = env.snapshot(&keys).await;

    let r = env.update_asset(SOL, AssetConfig { maint_liab_weight_bps: 13_000, ..current }).await;
    assert_refused(env, r, BallastError::InvalidLiabilityWeights, &keys, &before).await;

    // signed by someone else
    let impostor = Keypair::new();
    let patch = vec![ballast::state::PatchEntry::new(
        ballast::risk::governance::AssetField::BorrowCap as u16,
        ballast::risk::governance::value_from_u64(1),
    )];
    let (asset, oracle) = (env.assets[SOL].asset, env.assets[SOL].oracle);
    let ix = ballast_sdk::ix::apply_asset_patch(env.group, impostor.pubkey(), asset, oracle, patch.clone());
    let r = env.send(&[ix], &[&impostor]).await;
    assert_refused(env, r, BallastError::NotAdminOrGuardian, &keys, &before).await;

    // an asset of this group through another group the same admin runs
    let other_group = env.init_group(1).await.unwrap();
    let admin = env.admin.insecure_clone();
    let ix = ballast_sdk::ix::apply_asset_patch(other_group, admin.pubkey(), asset, oracle, patch);
    let r = env.send(&[ix], &[&admin]).await;
    assert_refused(env, r, BallastError::WrongGroup, &keys, &before).await;

    // an oracle account the patched config does not pin
    let ix = ballast_sdk::ix::apply_asset_patch(
        env.group,
        admin.pubkey(),
        asset,
        env.assets[USDC].oracle,
        vec![ballast::state::PatchEntry::new(
            ballast::risk::governance::AssetField::BorrowCap as u16,
            ballast::risk::governance::value_from_u64(1),
        )],
    );
    let r = env.send(&[ix], &[&admin]).await;
    assert_refused(env, r, BallastError::OracleMismatch, &keys, &before).await;

    // a valid tightening applies
    env.update_asset(SOL, AssetConfig { init_asset_weight_bps: 7_000, ..current }).await.unwrap();
    assert_eq!(env.asset_state(SOL).await.config.init_asset_weight_bps, 7_000);
}

// ---- deposit -----------------------------------------------------------------------------------

#[tokio::test]
async fn deposit_rejects_bad_input() {
    let mut b = basket().await;
    let keys = keys_of(&b, USDC);
    let w = b.wallets[USDC];
    b.env.mint_to(b.env.assets[USDC].mint, w, 5_000_000).await;
    let before = b.env.snapshot(&keys).await;
    let (trader, account) = (b.trader.insecure_clone(), b.account);
    let env = &mut b.env;

    let r = env.deposit(&trader, account, USDC, w, 0).await;
    assert_refused(env, r, BallastError::ZeroAmount, &keys, &before).await;

    // someone else's margin account
    let (stranger, _) = env.new_trader().await;
    let sw = env.funded_token_account(stranger.pubkey(), USDC, 1_000_000).await;
    let r = env.deposit(&stranger, account, USDC, sw, 1_000_000).await;
    assert_refused(env, r, BallastError::NotOwnerOrDelegate, &keys, &before).await;

    // a token account of another mint
    let eth_wallet = env.funded_token_account(trader.pubkey(), ETH, 1_000).await;
    let r = env.deposit(&trader, account, USDC, eth_wallet, 1_000).await;
    assert_refused(env, r, BallastError::WrongMint, &keys, &before).await;

    // another asset's vault
    let mut accounts =
        ballast::accounts::Deposit { token: env.token_move(account, USDC, w), authority: trader.pubkey() };
    accounts.token.vault = env.assets[USDT].vault;
    let ix = Instruction {
        program_id: ballast::ID,
        accounts: accounts.to_account_metas(None),
        data: ballast::instruction::Deposit { amount: 1 }.data(),
    };
    let r = env.send(&[ix], &[&trader]).await;
    assert_refused(env, r, BallastError::WrongVault, &keys, &before).await;

    // the wrong token program for the mint
    let mut accounts =
        ballast::accounts::Deposit { token: env.token_move(account, USDC, w), authority: trader.pubkey() };
    accounts.token.token_program = TOKEN_2022;
    let ix = Instruction {
        program_id: ballast::ID,
        accounts: accounts.to_account_metas(None),
        data: ballast::instruction::Deposit { amount: 1 }.data(),
    };
    let r = env.send(&[ix], &[&trader]).await;
    assert_refused(env, r, BallastError::WrongTokenProgram, &keys, &before).await;

    // a margin account of another group
    let other_group = env.init_group(1).await.unwrap();
    let mut accounts =
        ballast::accounts::Deposit { token: env.token_move(account, USDC, w), authority: trader.pubkey() };
    accounts.token.group = other_group;
    let ix = Instruction {
        program_id: ballast::ID,
        accounts: accounts.to_account_metas(None),
        data: ballast::instruction::Deposit { amount: 1 }.data(),
    };
    let r = env.send(&[ix], &[&trader]).await;
    assert_refused(env, r, BallastError::WrongGroup, &keys, &before).await;

    // more than the wallet holds: the token program refuses, nothing moves
    let r = env.deposit(&trader, account, USDC, w, 5_000_001).await;
    assert!(r.is_err());
    assert_eq!(env.snapshot(&keys).await, before);

    // into an asset the account borrows
    let uw = b.wallets[USDT];
    env.borrow(&trader, account, USDT, uw, 1_000_000).await.unwrap();
    let ukeys = keys_of_env(env, account, USDT, uw);
    let before = env.snapshot(&ukeys).await;
    let r = env.deposit(&trader, account, USDT, uw, 1_000_000).await;
    assert_refused(env, r, BallastError::DepositOnBorrowedAsset, &ukeys, &before).await;
}

fn keys_of_env(env: &TestEnv, account: Pubkey, asset: usize, wallet: Pubkey) -> Vec<Pubkey> {
    vec![account, env.assets[asset].asset, env.assets[asset].vault, wallet, env.group]
}

#[tokio::test]
async fn paused_and_reduce_only_assets() {
    let mut b = basket().await;
    let (trader, account) = (b.trader.insecure_clone(), b.account);
    let w = b.wallets[USDT];
    b.env.borrow(&trader, account, USDT, w, 1_000_000).await.unwrap();
    let env = &mut b.env;
    let cfg = env.asset_state(USDT).await.config;
    env.update_asset(USDT, AssetConfig { flags: ballast::state::ASSET_FLAG_REDUCE_ONLY, ..cfg })
        .await
        .unwrap();
    let keys = keys_of_env(env, account, USDT, w);
    let before = env.snapshot(&keys).await;
    let r = env.borrow(&trader, account, USDT, w, 1).await;
    assert_refused(env, r, BallastError::AssetReduceOnly, &keys, &before).await;
    env.update_asset(USDT, AssetConfig { flags: ballast::state::ASSET_FLAG_FROZEN, ..cfg }).await.unwrap();
    let before = env.snapshot(&keys).await;
    let r = env.borrow(&trader, account, USDT, w, 1).await;
    assert_refused(env, r, BallastError::AssetFrozen, &keys, &before).await;
    // repaying still works while frozen
    env.repay(&trader, account, USDT, w, u64::MAX).await.unwrap();
}

// ---- withdraw ----------------------------------------------------------------------------------

#[tokio::test]
async fn withdraw_rejects_bad_input() {
    let mut b = basket().await;
    let keys = keys_of(&b, SOL);
    let before = b.env.snapshot(&keys).await;
    let (trader, account, w) = (b.trader.insecure_clone(), b.account, b.wallets[SOL]);
    let env = &mut b.env;

    let r = env.withdraw(&trader, account, SOL, w, 0).await;
    assert_refused(env, r, BallastError::ZeroAmount, &keys, &before).await;

    let r = env.withdraw(&trader, account, SOL, w, 10_000_000_001).await;
    assert_refused(env, r, BallastError::InsufficientDeposit, &keys, &before).await;

    let r = env.withdraw(&trader, account, USDT, b.wallets[USDT], 1).await;
    assert_ballast_error(&r, BallastError::NoDeposit);

    // signed by someone who is not the owner, to their own token account
    let thief = Keypair::new();
    let tw = env.funded_token_account(thief.pubkey(), SOL, 0).await;
    let r = env.withdraw(&thief, account, SOL, tw, 1).await;
    assert_refused(env, r, BallastError::NotOwner, &keys, &before).await;

    // health accounts missing the ETH position
    let mut ix = env.withdraw_ix(trader.pubkey(), account, SOL, w, 1).await;
    let (eth_asset, eth_oracle) = (env.assets[ETH].asset, env.assets[ETH].oracle);
    ix.accounts.retain(|m| m.pubkey != eth_asset && m.pubkey != eth_oracle);
    let r = env.send(&[ix], &[&trader]).await;
    assert_refused(env, r, BallastError::InvalidHealthAccounts, &keys, &before).await;

    // an odd number of health accounts
    let mut ix = env.withdraw_ix(trader.pubkey(), account, SOL, w, 1).await;
    ix.accounts.pop();
    let r = env.send(&[ix], &[&trader]).await;
    assert_refused(env, r, BallastError::InvalidHealthAccounts, &keys, &before).await;

    // a non-asset account in the asset half
    let mut ix = env.withdraw_ix(trader.pubkey(), account, SOL, w, 1).await;
    let n = ix.accounts.len();
    ix.accounts[n - 6].pubkey = w;
    let r = env.send(&[ix], &[&trader]).await;
    assert_refused(env, r, BallastError::InvalidHealthAccounts, &keys, &before).await;
}

// ---- borrow ------------------------------------------------------------------------------------

#[tokio::test]
async fn borrow_rejects_bad_input() {
    let mut b = basket().await;
    let (trader, account) = (b.trader.insecure_clone(), b.account);
    let (uw, sw) = (b.wallets[USDT], b.wallets[SOL]);
    let env = &mut b.env;

    let keys = keys_of_env(env, account, USDT, uw);
    let before = env.snapshot(&keys).await;
    let r = env.borrow(&trader, account, USDT, uw, 0).await;
    assert_refused(env, r, BallastError::ZeroAmount, &keys, &before).await;
    // more than the vault holds (10,000 USDT)
    let r = env.borrow(&trader, account, USDT, uw, 10_000_000_001).await;
    assert_refused(env, r, BallastError::InsufficientLiquidity, &keys, &before).await;
    // more than health allows (3,350 USD of Init collateral / 1.05)
    let r = env.borrow(&trader, account, USDT, uw, 3_200_000_000).await;
    assert_refused(env, r, BallastError::InsufficientHealth, &keys, &before).await;
    // someone else's account
    let thief = Keypair::new();
    let tw = env.funded_token_account(thief.pubkey(), USDT, 0).await;
    let r = env.borrow(&thief, account, USDT, tw, 1).await;
    assert_refused(env, r, BallastError::NotOwner, &keys, &before).await;

    // an asset the account has deposited
    let keys = keys_of_env(env, account, SOL, sw);
    let before = env.snapshot(&keys).await;
    let r = env.borrow(&trader, account, SOL, sw, 1).await;
    assert_refused(env, r, BallastError::BorrowOnDepositedAsset, &keys, &before).await;
}

// ---- repay and close_account -------------------------------------------------------------------

#[tokio::test]
async fn repay_and_close_reject_bad_input() {
    let mut b = basket().await;
    let (trader, account, uw) = (b.trader.insecure_clone(), b.account, b.wallets[USDT]);
    let env = &mut b.env;
    let keys = keys_of_env(env, account, USDT, uw);
    let before = env.snapshot(&keys).await;
    let r = env.repay(&trader, account, USDT, uw, 1).await;
    assert_refused(env, r, BallastError::NoBorrow, &keys, &before).await;

    env.borrow(&trader, account, USDT, uw, 1_000_000).await.unwrap();
    env.mint_to(env.assets[USDT].mint, uw, 5_000_000).await;
    let before = env.snapshot(&keys).await;
    let r = env.repay(&trader, account, USDT, uw, 0).await;
    assert_refused(env, r, BallastError::ZeroAmount, &keys, &before).await;
    let r = env.repay(&trader, account, USDT, uw, 1_000_001).await;
    assert_refused(env, r, BallastError::RepayExceedsDebt, &keys, &before).await;

    let stranger = Keypair::new();
    let ix = Instruction {
        program_id: ballast::ID,
        accounts: ballast::accounts::CloseAccount {
            account,
            owner: stranger.pubkey(),
            sol_destination: stranger.pubkey(),
        }
        .to_account_metas(None),
        data: ballast::instruction::CloseAccount {}.data(),
    };
    let r = env.send(&[ix], &[&stranger]).await;
    assert_refused(env, r, BallastError::NotOwner, &keys, &before).await;

    // repaying everything clears the position: the debt rounded up to the native unit
    let wallet_before = env.token_balance(uw).await;
    env.repay(&trader, account, USDT, uw, u64::MAX).await.unwrap();
    assert_eq!(wallet_before - env.token_balance(uw).await, 1_000_000);
    assert!(env.margin_account(account).await.find_position(USDT as u16).is_none());
    env.assert_vaults_cover_claims().await;
}
