//! Liquidation and bankruptcy, with the vault invariant checked after every step.

use crate::margin::{basket, Basket, ETH, SOL, USDC, USDT};
use anchor_lang::prelude::Pubkey;
use ballast_tests::*;
use solana_keypair::Keypair;
use solana_signer::Signer;

const LE: HealthType = HealthType::LiquidationEnd;
const LIQ: OraclePolicy = OraclePolicy::Liquidation;

fn f(v: f64) -> I80F48 {
    I80F48::from_num(v)
}

/// The basket with 3,000 USDT borrowed, and a liquidator holding `liquidator_usdc` USDC.
async fn setup(liquidator_usdc: u64) -> (Basket, Keypair, Pubkey) {
    let mut b = basket().await;
    b.env.borrow(&b.trader, b.account, USDT, b.wallets[USDT], 3_000_000_000).await.unwrap();
    let (liquidator, liq_account) = b.env.new_trader().await;
    if liquidator_usdc > 0 {
        let w = b.env.funded_token_account(liquidator.pubkey(), USDC, liquidator_usdc).await;
        b.env.deposit(&liquidator, liq_account, USDC, w, liquidator_usdc).await.unwrap();
    }
    (b, liquidator, liq_account)
}

async fn set_prices(env: &mut TestEnv, sol: f64, eth: f64) {
    env.set_price(USDC, 1.0, 0.0).await;
    env.set_price(SOL, sol, 0.0).await;
    env.set_price(ETH, eth, 0.0).await;
    env.set_price(USDT, 1.0, 0.0).await;
}

#[tokio::test]
async fn healthy_account_is_refused() {
    let (mut b, liquidator, liq_account) = setup(100_000_000_000).await;
    let keys = [b.account, liq_account, b.env.assets[USDT].asset, b.env.assets[USDC].asset];
    let before = b.env.snapshot(&keys).await;
    let r = b.env.liquidate(&liquidator, liq_account, b.account, USDT, u64::MAX, 10_000).await;
    assert_ballast_error(&r, BallastError::NotLiquidatable);
    assert_eq!(b.env.snapshot(&keys).await, before);
    // liquidating oneself is refused too
    let r = b.env.liquidate(&liquidator, liq_account, liq_account, USDT, u64::MAX, 10_000).await;
    assert_ballast_error(&r, BallastError::SelfLiquidation);
}

#[tokio::test]
async fn crash_then_one_liquidation_restores_liquidation_end_zero_in_priority_order() {
    let (mut b, liquidator, liq_account) = setup(100_000_000_000).await;
    // SOL 100 -> 70, ETH 2000 -> 1500. Maint: 980 + 630 + 1350 - 3060 = -100.
    // LiquidationEnd (weights halfway): 965 + 595 + 1275 - 3105 = -270.
    set_prices(&mut b.env, 70.0, 1_500.0).await;
    let maint = b.env.health(b.account, HealthType::Maint, LIQ).await;
    assert!((maint - f(-100e6)).abs() < f(1.0), "{maint}");
    let le = b.env.health(b.account, LE, LIQ).await;
    assert!((le - f(-270e6)).abs() < f(1.0), "{le}");
    let sol_insurance_before = b.env.asset_state(SOL).await.lending_state().insurance_fund;

    b.env.liquidate(&liquidator, liq_account, b.account, USDT, u64::MAX, 10_000).await.unwrap();

    // Priority: USDC (maint weight 0.98) is used up first: 1000 USDC pays 990.099 USDT at a 1%
    // bonus, gaining 1.035 - 1.01 * 0.965 = 0.06035 of health per USDT (59.752 in all); then all
    // 10 SOL, worth 700, pay 666.667 USDT at 5%, gaining 1.035 - 1.05 * 0.85 = 0.1425 per USDT
    // (95.0); then ETH pays the remaining (270 - 59.752 - 95) / 0.1425 = 808.755 USDT with
    // 808.755 * 1.05 / 1500 = 0.566128 ETH.
    assert_eq!(b.env.native_balance(b.account, USDC).await, I80F48::ZERO);
    assert_eq!(b.env.native_balance(b.account, SOL).await, I80F48::ZERO);
    let eth_left = b.env.native_balance(b.account, ETH).await;
    assert!((eth_left - f(100_000_000.0 - 56_612_819.0)).abs() < f(2.0), "{eth_left}");
    let debt = b.env.native_balance(b.account, USDT).await;
    let repaid = f(3_000_000_000.0) + debt;
    assert!((repaid - f(990_099_010.0 + 666_666_667.0 + 808_754_560.0)).abs() < f(2.0), "{repaid}");

    // LiquidationEnd health is back to zero, and not beyond (within a cent).
    let le_after = b.env.health(b.account, LE, LIQ).await;
    assert!(le_after >= I80F48::ZERO && le_after < f(10_000.0), "{le_after}");
    assert_eq!(b.env.margin_account(b.account).await.being_liquidated, 0);

    // The liquidator got the collateral less the insurance share (20% of each bonus) and the debt.
    assert!((b.env.native_balance(liq_account, USDT).await + repaid).abs() < f(2.0));
    let sol_to_liquidator = b.env.native_balance(liq_account, SOL).await;
    // all 10 SOL (1e10 lamports) left the account; its bonus part is 1e10 * 0.05 / 1.05
    let sol_bonus = f(1e10) * f(0.05) / f(1.05);
    assert!((sol_to_liquidator - (f(1e10) - sol_bonus * f(0.2))).abs() < f(10.0), "{sol_to_liquidator}");
    let sol_insurance = b.env.asset_state(SOL).await.lending_state().insurance_fund - sol_insurance_before;
    assert!((sol_insurance - sol_bonus * f(0.2)).abs() < f(10.0), "{sol_insurance}");
    b.env.assert_vaults_cover_claims().await;
}

#[tokio::test]
async fn liquidator_that_would_end_unhealthy_is_refused() {
    let (mut b, liquidator, liq_account) = setup(0).await;
    set_prices(&mut b.env, 70.0, 1_500.0).await;
    let keys = [b.account, liq_account, b.env.assets[USDT].asset, b.env.assets[USDC].asset];
    let before = b.env.snapshot(&keys).await;
    let r = b.env.liquidate(&liquidator, liq_account, b.account, USDT, u64::MAX, 10_000).await;
    assert_ballast_error(&r, BallastError::LiquidatorInsufficientHealth);
    assert_eq!(b.env.snapshot(&keys).await, before);
    // a liquidator asking for more bonus than is on offer is refused
    let r = b.env.liquidate(&liquidator, liq_account, b.account, USDT, u64::MAX, 10_200).await;
    assert_ballast_error(&r, BallastError::BonusBelowMinimum);
    // naming an asset the account does not owe is refused
    let r = b.env.liquidate(&liquidator, liq_account, b.account, SOL, u64::MAX, 10_000).await;
    assert_ballast_error(&r, BallastError::NotALiability);
}

#[tokio::test]
async fn bonus_grows_with_time_and_a_flagged_account_cannot_withdraw() {
    let (mut b, liquidator, liq_account) = setup(100_000_000_000).await;
    set_prices(&mut b.env, 70.0, 1_500.0).await;
    // 100 USDT at a time, paid in USDC: 1% bonus at the start.
    let usdc0 = b.env.native_balance(liq_account, USDC).await;
    b.env.liquidate(&liquidator, liq_account, b.account, USDT, 100_000_000, 10_000).await.unwrap();
    let first = b.env.native_balance(liq_account, USDC).await - usdc0;
    // 101 USDC out of the account, of which 20% of the 1 USDC bonus to insurance.
    assert!((first - f(100_800_000.0)).abs() < f(2.0), "{first}");
    let state = b.env.margin_account(b.account).await;
    assert_eq!(state.being_liquidated, 1);
    assert_eq!(state.liquidation_start_ts, T0);

    // flagged and below LiquidationEnd: no withdrawals
    let r = b.env.withdraw(&b.trader, b.account, ETH, b.wallets[ETH], 1).await;
    assert_ballast_error(&r, BallastError::BeingLiquidated);

    // Half the ramp later the USDC bonus is halfway from 1% to 1.5%: 1.25%.
    b.env.advance_time(1_800).await;
    set_prices(&mut b.env, 70.0, 1_500.0).await;
    let usdc1 = b.env.native_balance(liq_account, USDC).await;
    b.env.liquidate(&liquidator, liq_account, b.account, USDT, 100_000_000, 10_000).await.unwrap();
    let second = b.env.native_balance(liq_account, USDC).await - usdc1;
    assert!((second - f(101_000_000.0)).abs() < f(2.0), "{second}");
    b.env.assert_vaults_cover_claims().await;
}

#[tokio::test]
async fn liquidation_works_when_borrowing_is_blocked() {
    let (mut b, liquidator, liq_account) = setup(100_000_000_000).await;
    set_prices(&mut b.env, 70.0, 1_500.0).await;
    // USDT's confidence widens to 3%: past the 2% limit for borrowing, within liquidation's 5%.
    b.env.set_price(USDT, 1.0, 0.03).await;
    let (other, other_account) = b.env.new_trader().await;
    let w = b.env.funded_token_account(other.pubkey(), USDC, 1_000_000_000).await;
    b.env.deposit(&other, other_account, USDC, w, 1_000_000_000).await.unwrap();
    let to = b.env.funded_token_account(other.pubkey(), USDT, 0).await;
    let r = b.env.borrow(&other, other_account, USDT, to, 1_000_000).await;
    assert_ballast_error(&r, BallastError::LiabilityOracleUnusable);
    b.env.liquidate(&liquidator, liq_account, b.account, USDT, u64::MAX, 10_000).await.unwrap();
    let le_after = b.env.health(b.account, LE, LIQ).await;
    assert!(le_after >= I80F48::ZERO && le_after < f(10_000.0), "{le_after}");
    b.env.assert_vaults_cover_claims().await;
}

#[tokio::test]
async fn bankrupt_account_is_resolved_by_insurance_then_socialization() {
    let (mut b, liquidator, liq_account) = setup(100_000_000_000).await;
    // A year of 3% interest on 3,000 USDT puts 10% of 90 USDT into USDT's insurance fund.
    b.env.advance_time(ballast::risk::SECONDS_PER_YEAR).await;
    // Then a crash: SOL to $1, ETH to $10. Collateral (1000 + 10 + 10) cannot cover the debt.
    set_prices(&mut b.env, 1.0, 10.0).await;
    let lp_account = b.lp_account;
    b.env.liquidate(&liquidator, liq_account, b.account, USDT, u64::MAX, 10_000).await.unwrap();
    b.env.assert_vaults_cover_claims().await;

    // Every collateral is gone; debt remains; the account is still flagged.
    let state = b.env.margin_account(b.account).await;
    assert_eq!(state.active_count(), 1);
    assert_eq!(state.being_liquidated, 1);
    let debt = -b.env.native_balance(b.account, USDT).await;
    assert!(debt > f(2_000e6), "{debt}");

    // An account with collateral cannot be written off.
    let r = b.env.resolve_bankruptcy(liq_account, USDT).await;
    assert_ballast_error(&r, BallastError::NotBankrupt);

    let insurance = b.env.asset_state(USDT).await.lending_state().insurance_fund;
    assert!((insurance - f(9e6)).abs() < f(0.01e6), "{insurance}");
    let lp_before = b.env.native_balance(lp_account, USDT).await;
    b.env.resolve_bankruptcy(b.account, USDT).await.unwrap();
    let after = b.env.asset_state(USDT).await.lending_state();
    assert_eq!(after.insurance_fund, I80F48::ZERO);
    let lp_loss = lp_before - b.env.native_balance(lp_account, USDT).await;
    let socialized = debt - insurance;
    assert!((lp_loss - socialized).abs() < f(2.0), "lp lost {lp_loss}, socialized {socialized}");
    let state = b.env.margin_account(b.account).await;
    assert_eq!(state.active_count(), 0);
    assert_eq!(state.being_liquidated, 0);
    b.env.assert_vaults_cover_claims().await;
}

/// A liquidation never makes a solvent account insolvent: the bonus is capped by the account's
/// equity over the most the liquidation can take over (Kamino caps its bonus by 1 - LTV).
///
/// SOL 100 -> 50, ETH 2000 -> 1550: collateral 1000 + 500 + 1550 = 3050 against 3000 USDT, so
/// the account is solvent by $50 but far below LiquidationEnd (965 + 425 + 1317.5 - 3105 =
/// -397.5). At the uncapped 5% SOL and ETH bonuses the plan would use up every collateral and
/// leave 57.5 USDT of debt with nothing behind it (bankrupt). The cap is 50 / 3000 = 1.6666667%
/// (on the whole USDT debt; its margin and rounding slack are below a micro-USD here): USDC (1%, under the cap) pays 990.099 USDT as before, all 10 SOL pay
/// 500 / 1.0166667 = 491.803 USDT, gaining 1.035 - 1.0166667 * 0.85 = 0.1708333 of health per
/// USDT, and ETH pays the remaining (397.5 - 59.752 - 84.016) / 0.1708333 = 1485.255 USDT with
/// 1485.255 * 1.0166667 / 1550 = 0.974200 ETH, leaving 0.025800 ETH ($39.99) against 32.84 USDT:
/// still solvent, by the $50 less the bonuses paid ($9.90 + $8.20 + $24.75 = $42.85).
#[tokio::test]
async fn a_liquidation_never_makes_a_solvent_account_insolvent() {
    let (mut b, liquidator, liq_account) = setup(100_000_000_000).await;
    set_prices(&mut b.env, 50.0, 1_550.0).await;
    let le = b.env.health(b.account, LE, LIQ).await;
    assert!((le - f(-397.5e6)).abs() < f(1.0), "{le}");

    b.env.liquidate(&liquidator, liq_account, b.account, USDT, u64::MAX, 10_000).await.unwrap();

    assert_eq!(b.env.native_balance(b.account, USDC).await, I80F48::ZERO);
    assert_eq!(b.env.native_balance(b.account, SOL).await, I80F48::ZERO);
    let eth_left = b.env.native_balance(b.account, ETH).await;
    assert!((eth_left - f(2_580_022.0)).abs() < f(3.0), "{eth_left}");
    let debt = -b.env.native_balance(b.account, USDT).await;
    assert!((debt - f(32_842_309.0)).abs() < f(3.0), "{debt}");
    // still solvent: 0.0258 ETH at 1550 against the debt left, $7.148 of equity
    let equity = eth_left * f(1_550.0 / 100.0) - debt;
    assert!((equity - f(7_148_032.0)).abs() < f(10.0), "{equity}");
    // and LiquidationEnd health is back to zero
    let le_after = b.env.health(b.account, LE, LIQ).await;
    assert!(le_after >= I80F48::ZERO && le_after < f(10_000.0), "{le_after}");
    b.env.assert_vaults_cover_claims().await;
}
