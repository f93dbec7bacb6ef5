//! Governance: each role's powers and limits, the timelock, glides, expiring pauses, the admin
//! handover to a PDA, and the delegate. Every refusal asserts its named error and that nothing
//! changed.

use crate::margin::{basket, Basket, ETH, SOL, USDC, USDT};
use anchor_lang::prelude::Pubkey;
use ballast::risk::governance::{
    value_from_u64, AssetField, GroupField, MAX_CONSECUTIVE_PAUSES, PAUSE_BORROW, PAUSE_DEPOSIT,
    PAUSE_DURATION_SECS, PAUSE_RISK, PAUSE_WITHDRAW, PROPOSAL_GRACE_SECS,
};
use ballast::state::{AssetConfig, PatchEntry, Proposal, ProposalStatus};
use ballast_sdk::ix;
use ballast_tests::*;
use solana_keypair::Keypair;
use solana_signer::Signer;

const DAY: i64 = 86_400;

fn entry(field: AssetField, value: u64) -> PatchEntry {
    PatchEntry::new(field as u16, value_from_u64(value))
}

fn group_entry(field: GroupField, value: [u8; 32]) -> PatchEntry {
    PatchEntry::new(field as u16, value)
}

fn asset_patch(
    env: &TestEnv,
    authority: &Keypair,
    asset: usize,
    entries: Vec<PatchEntry>,
) -> solana_instruction::Instruction {
    let a = &env.assets[asset];
    ix::apply_asset_patch(env.group, authority.pubkey(), a.asset, a.oracle, entries)
}

/// The group's timelock, set while it has none (so at once).
async fn set_timelock(env: &mut TestEnv, secs: u32) {
    let config = ballast::state::GroupConfig { timelock_delay_secs: secs, ..env.group_state().await.config };
    env.update_group(config).await.unwrap();
}

/// Proposes `entries` for `asset` (`None`: the group) as the admin; the proposal's address.
async fn propose(env: &mut TestEnv, asset: Option<Pubkey>, entries: Vec<PatchEntry>) -> Pubkey {
    let n = env.group_state().await.proposal_count;
    let admin = env.admin.insecure_clone();
    let i = ix::propose_patch(env.group, admin.pubkey(), env.payer(), asset, n, entries);
    env.send(&[i], &[&admin]).await.unwrap();
    ix::proposal_address(&env.group, n)
}

fn execute(
    env: &TestEnv,
    proposal: Pubkey,
    asset: Option<(Pubkey, Pubkey)>,
    executor: &Keypair,
) -> solana_instruction::Instruction {
    ix::execute_proposal(env.group, proposal, asset, executor.pubkey())
}

#[tokio::test]
async fn the_guardian_tightens_at_once_and_can_never_loosen_or_freeze() {
    let Basket { mut env, .. } = basket().await;
    let guardian = env.guardian.insecure_clone();
    let stranger = Keypair::new();
    let keys = [env.group, env.assets[SOL].asset];
    // tightening: lower init weight, lower borrow cap, reduce-only: at once
    let tighten = vec![
        entry(AssetField::InitAssetWeightBps, 7_000),
        entry(AssetField::BorrowCap, 1_000_000),
        entry(AssetField::ReduceOnly, 1),
    ];
    let i = asset_patch(&env, &guardian, SOL, tighten);
    env.send(&[i], &[&guardian]).await.unwrap();
    let c = env.asset_state(SOL).await.config;
    assert_eq!((c.init_asset_weight_bps, c.borrow_cap, c.is_reduce_only()), (7_000, 1_000_000, true));
    // loosening any of them back, or a field with no safe direction: refused, nothing changed
    for e in [
        entry(AssetField::InitAssetWeightBps, 7_500),
        entry(AssetField::ReduceOnly, 0),
        entry(AssetField::LiquidationFeeBps, 400),
        entry(AssetField::MaxStalenessSecs, 30),
    ] {
        let i = asset_patch(&env, &guardian, SOL, vec![entry(AssetField::BorrowCap, 999_999), e]);
        env.assert_send_refused(&[i], &[&guardian], BallastError::GuardianCannotLoosen, &keys).await;
    }
    // the indefinite freeze is the admin's
    let i = asset_patch(&env, &guardian, SOL, vec![entry(AssetField::Frozen, 1)]);
    env.assert_send_refused(&[i], &[&guardian], BallastError::GuardianCannotFreeze, &keys).await;
    // group-wide, only z_init tightens; the guardian cannot replace itself
    let g = env.group_state().await.config;
    let i = ix::apply_group_patch(
        env.group,
        guardian.pubkey(),
        vec![group_entry(GroupField::ZInitBps, value_from_u64(u64::from(g.z_init_bps) + 1))],
    );
    env.send(&[i], &[&guardian]).await.unwrap();
    let i = ix::apply_group_patch(
        env.group,
        guardian.pubkey(),
        vec![group_entry(GroupField::RiskGuardian, stranger.pubkey().to_bytes())],
    );
    env.assert_send_refused(&[i], &[&guardian], BallastError::GuardianCannotLoosen, &keys).await;
    // a stranger has no powers
    let i = asset_patch(&env, &stranger, SOL, vec![entry(AssetField::BorrowCap, 1)]);
    env.assert_send_refused(&[i], &[&stranger], BallastError::NotAdminOrGuardian, &keys).await;
    // malformed patches are refused by name
    let i = asset_patch(&env, &guardian, SOL, vec![PatchEntry::new(999, value_from_u64(1))]);
    env.assert_send_refused(&[i], &[&guardian], BallastError::PatchFieldUnknown, &keys).await;
    let i = asset_patch(&env, &guardian, SOL, vec![entry(AssetField::BorrowCap, 1_000_000)]);
    env.assert_send_refused(&[i], &[&guardian], BallastError::PatchChangesNothing, &keys).await;
    let i = asset_patch(&env, &guardian, SOL, vec![entry(AssetField::ReduceOnly, 2)]);
    env.assert_send_refused(&[i], &[&guardian], BallastError::PatchValueOutOfRange, &keys).await;
    // a tightening that breaks an invariant is refused by the validation's name
    let i = asset_patch(&env, &guardian, SOL, vec![entry(AssetField::MaintAssetWeightBps, 6_000)]);
    env.assert_send_refused(&[i], &[&guardian], BallastError::InvalidAssetWeights, &keys).await;
}

#[tokio::test]
async fn loosening_waits_for_the_timelock_and_anyone_executes_it() {
    let Basket { mut env, .. } = basket().await;
    set_timelock(&mut env, DAY as u32).await;
    let admin = env.admin.insecure_clone();
    let guardian = env.guardian.insecure_clone();
    let stranger = Keypair::new();
    let (sol, oracle) = (env.assets[SOL].asset, env.assets[SOL].oracle);
    let keys = [env.group, sol];
    // the admin's loosening cannot apply at once; its tightening does
    let i = asset_patch(&env, &admin, SOL, vec![entry(AssetField::InitAssetWeightBps, 8_500)]);
    env.assert_send_refused(&[i], &[&admin], BallastError::LooseningNeedsProposal, &keys).await;
    let i = asset_patch(&env, &admin, SOL, vec![entry(AssetField::DepositCap, 1_000_000_000_000)]);
    env.send(&[i], &[&admin]).await.unwrap();
    // only the admin proposes
    let n = env.group_state().await.proposal_count;
    for who in [&guardian, &stranger] {
        let i = ix::propose_patch(
            env.group,
            who.pubkey(),
            env.payer(),
            Some(sol),
            n,
            vec![entry(AssetField::InitAssetWeightBps, 8_500)],
        );
        env.assert_send_refused(&[i], &[who], BallastError::NotAdmin, &keys).await;
    }
    // an invalid result is refused when proposed
    let n = env.group_state().await.proposal_count;
    let i = ix::propose_patch(
        env.group,
        admin.pubkey(),
        env.payer(),
        Some(sol),
        n,
        vec![entry(AssetField::InitAssetWeightBps, 9_500)],
    );
    env.assert_send_refused(&[i], &[&admin], BallastError::InvalidAssetWeights, &keys).await;

    let t0 = env.now().await;
    let proposal = propose(&mut env, Some(sol), vec![entry(AssetField::InitAssetWeightBps, 8_500)]).await;
    let p: Proposal = env.load(proposal).await;
    assert_eq!((p.target, p.proposer, p.eta, p.entry_count), (sol, admin.pubkey(), t0 + DAY, 1));
    assert_eq!(p.status(), ProposalStatus::Pending);
    // before the delay: refused, nothing changed
    let keys = [env.group, sol, proposal];
    env.advance_time(DAY - 10).await;
    let i = execute(&env, proposal, Some((sol, oracle)), &stranger);
    env.assert_send_refused(&[i], &[&stranger], BallastError::ProposalTooEarly, &keys).await;
    // the wrong target is refused
    let usdc = env.assets[USDC].asset;
    let i = execute(&env, proposal, Some((usdc, env.assets[USDC].oracle)), &stranger);
    env.assert_send_refused(&[i], &[&stranger], BallastError::ProposalWrongTarget, &keys).await;
    // after it: anyone executes, once
    env.advance_time(10).await;
    let i = execute(&env, proposal, Some((sol, oracle)), &stranger);
    env.send(&[i], &[&stranger]).await.unwrap();
    assert_eq!(env.asset_state(SOL).await.config.init_asset_weight_bps, 8_500);
    let p: Proposal = env.load(proposal).await;
    assert_eq!((p.status(), p.closed_by), (ProposalStatus::Executed, stranger.pubkey()));
    let i = execute(&env, proposal, Some((sol, oracle)), &stranger);
    env.assert_send_refused(&[i], &[&stranger], BallastError::ProposalAlreadyExecuted, &keys).await;

    // cancelled by the guardian: never runs
    let cancelled = propose(&mut env, Some(sol), vec![entry(AssetField::LiquidationFeeBps, 400)]).await;
    let i = ix::cancel_proposal(env.group, cancelled, stranger.pubkey());
    env.assert_send_refused(&[i], &[&stranger], BallastError::NotAdminOrGuardian, &[cancelled]).await;
    env.send(&[ix::cancel_proposal(env.group, cancelled, guardian.pubkey())], &[&guardian]).await.unwrap();
    env.advance_time(DAY).await;
    let i = execute(&env, cancelled, Some((sol, oracle)), &stranger);
    let keys = [env.group, sol, cancelled];
    env.assert_send_refused(&[i], &[&stranger], BallastError::ProposalCancelled, &keys).await;
    let i = ix::cancel_proposal(env.group, cancelled, admin.pubkey());
    env.assert_send_refused(&[i], &[&admin], BallastError::ProposalCancelled, &[cancelled]).await;

    // not executed within the grace period: lapsed
    let lapsing = propose(&mut env, Some(sol), vec![entry(AssetField::LiquidationFeeBps, 400)]).await;
    env.advance_time(DAY + PROPOSAL_GRACE_SECS + 1).await;
    let i = execute(&env, lapsing, Some((sol, oracle)), &stranger);
    let keys = [env.group, sol, lapsing];
    env.assert_send_refused(&[i], &[&stranger], BallastError::ProposalLapsed, &keys).await;
}

#[tokio::test]
async fn a_proposal_that_became_invalid_is_refused_at_execution() {
    let Basket { mut env, .. } = basket().await;
    set_timelock(&mut env, 3_600).await;
    let guardian = env.guardian.insecure_clone();
    let stranger = Keypair::new();
    let (sol, oracle) = (env.assets[SOL].asset, env.assets[SOL].oracle);
    // valid when proposed: init 0.89 <= maint 0.90
    let proposal = propose(&mut env, Some(sol), vec![entry(AssetField::InitAssetWeightBps, 8_900)]).await;
    // meanwhile the guardian tightens maint to 0.85: the proposal's result would break init <= maint
    let i = asset_patch(&env, &guardian, SOL, vec![entry(AssetField::MaintAssetWeightBps, 8_500)]);
    env.send(&[i], &[&guardian]).await.unwrap();
    env.advance_time(3_600).await;
    let i = execute(&env, proposal, Some((sol, oracle)), &stranger);
    let keys = [env.group, sol, proposal];
    env.assert_send_refused(&[i], &[&stranger], BallastError::InvalidAssetWeights, &keys).await;
    let p: Proposal = env.load(proposal).await;
    assert_eq!(p.status(), ProposalStatus::Pending);
}

#[tokio::test]
async fn group_changes_and_the_guardian_itself_go_through_the_timelock() {
    let Basket { mut env, .. } = basket().await;
    set_timelock(&mut env, 3_600).await;
    let admin = env.admin.insecure_clone();
    let new_guardian = Keypair::new();
    let group = env.group;
    // a captured admin cannot first remove the guardian
    let change = vec![group_entry(GroupField::RiskGuardian, new_guardian.pubkey().to_bytes())];
    let i = ix::apply_group_patch(group, admin.pubkey(), change.clone());
    env.assert_send_refused(&[i], &[&admin], BallastError::LooseningNeedsProposal, &[group]).await;
    // nor shorten the timelock at once
    let i = ix::apply_group_patch(
        group,
        admin.pubkey(),
        vec![group_entry(GroupField::TimelockDelaySecs, value_from_u64(0))],
    );
    env.assert_send_refused(&[i], &[&admin], BallastError::LooseningNeedsProposal, &[group]).await;
    // a timelock beyond the maximum is refused when proposed
    let n = env.group_state().await.proposal_count;
    let too_long = vec![group_entry(GroupField::TimelockDelaySecs, value_from_u64(91 * DAY as u64))];
    let i = ix::propose_patch(group, admin.pubkey(), env.payer(), None, n, too_long);
    env.assert_send_refused(&[i], &[&admin], BallastError::TimelockTooLong, &[group]).await;
    // proposed against the group itself, executed after the delay
    let proposal = propose(&mut env, None, change).await;
    env.advance_time(3_600).await;
    let stranger = Keypair::new();
    env.send(&[execute(&env, proposal, None, &stranger)], &[&stranger]).await.unwrap();
    assert_eq!(env.group_state().await.risk_guardian, new_guardian.pubkey());
    // the old guardian has no powers left; the new one has
    let old = env.guardian.insecure_clone();
    let i = asset_patch(&env, &old, SOL, vec![entry(AssetField::BorrowCap, 1)]);
    let keys = [env.assets[SOL].asset];
    env.assert_send_refused(&[i], &[&old], BallastError::NotAdminOrGuardian, &keys).await;
    let i = asset_patch(&env, &new_guardian, SOL, vec![entry(AssetField::BorrowCap, 1)]);
    env.send(&[i], &[&new_guardian]).await.unwrap();
}

/// A maintenance tightening glides in: the account that the final weights make liquidatable is
/// safe at the start and half-way, and liquidatable only once the glide has gone far enough.
#[tokio::test]
async fn an_account_becomes_liquidatable_only_part_way_through_a_glide() {
    let Basket { mut env, trader, account, wallets, .. } = basket().await;
    env.borrow(&trader, account, USDT, wallets[USDT], 3_000_000_000).await.unwrap();
    let (liquidator, liq_account) = env.new_trader().await;
    let w = env.funded_token_account(liquidator.pubkey(), USDC, 100_000_000_000).await;
    env.deposit(&liquidator, liq_account, USDC, w, 100_000_000_000).await.unwrap();
    // ETH glides over 4,000 s (set at once: the harness's group has no timelock)
    let eth_config = env.asset_state(ETH).await.config;
    env.update_asset(ETH, AssetConfig { maint_weight_glide_secs: 4_000, ..eth_config }).await.unwrap();
    // Maint before: 1000*0.98 + 1000*0.90 + 2000*0.90 - 3000*1.02 = 620 USD. The guardian cuts
    // ETH to init 0.50 / maint 0.55: at the end Maint is 620 - 2000*0.35 = -80, crossing zero
    // at 620/700 of the glide (about 3,543 s).
    let guardian = env.guardian.insecure_clone();
    let start = env.now().await;
    let i = asset_patch(
        &env,
        &guardian,
        ETH,
        vec![entry(AssetField::InitAssetWeightBps, 5_000), entry(AssetField::MaintAssetWeightBps, 5_500)],
    );
    env.send(&[i], &[&guardian]).await.unwrap();
    let eth = env.asset_state(ETH).await;
    assert_eq!(eth.maint_asset_weight_glide.start_ts, start);
    assert_eq!(eth.maint_asset_weight_glide.secs, 4_000);
    let w = eth.weights_at(start + 2_000).unwrap();
    assert!((w.maint_asset - I80F48::from_num(0.725)).abs() < I80F48::from_num(1e-9), "{}", w.maint_asset);
    assert_eq!(w.init_asset, ballast::math::from_bps(5_000));
    let mut keys = vec![account, liq_account];
    keys.extend(env.assets.iter().map(|a| a.asset));
    for (at, liquidatable) in [(0, false), (2_000, false), (3_400, false), (3_800, true)] {
        let now = env.now().await;
        env.advance_time(start + at - now).await;
        for (asset, price) in [(USDC, 1.0), (SOL, 100.0), (ETH, 2_000.0), (USDT, 1.0)] {
            env.set_price(asset, price, 0.0).await;
        }
        let before = env.snapshot(&keys).await;
        let r = env.liquidate(&liquidator, liq_account, account, USDT, 100_000_000, 10_000).await;
        if liquidatable {
            r.unwrap_or_else(|e| panic!("at {at} s: {e:?}"));
        } else {
            assert_ballast_error(&r, BallastError::NotLiquidatable);
            assert_eq!(env.snapshot(&keys).await, before, "at {at} s");
        }
    }
}

#[tokio::test]
async fn pauses_expire_renew_at_most_twice_in_a_row_and_three_times_a_day() {
    let Basket { mut env, trader, account, wallets, .. } = basket().await;
    let guardian = env.guardian.insecure_clone();
    let admin = env.admin.insecure_clone();
    let stranger = Keypair::new();
    let group = env.group;
    let usdt = env.assets[USDT].asset;
    // group-wide, deposits cannot be paused (they cure accounts)
    let i = ix::pause(group, guardian.pubkey(), None, PAUSE_DEPOSIT);
    env.assert_send_refused(&[i], &[&guardian], BallastError::PauseActionsInvalid, &[group]).await;
    let i = ix::pause(group, guardian.pubkey(), Some(usdt), 0);
    env.assert_send_refused(&[i], &[&guardian], BallastError::PauseActionsInvalid, &[group, usdt]).await;
    let i = ix::pause(group, stranger.pubkey(), Some(usdt), PAUSE_BORROW);
    env.assert_send_refused(&[i], &[&stranger], BallastError::NotAdminOrGuardian, &[group, usdt]).await;
    // a borrow pause on USDT: borrows refused, repay and deposits open
    env.send(&[ix::pause(group, guardian.pubkey(), Some(usdt), PAUSE_BORROW)], &[&guardian]).await.unwrap();
    let keys = [account, usdt, env.assets[USDT].vault, wallets[USDT], group];
    let before = env.snapshot(&keys).await;
    let r = env.borrow(&trader, account, USDT, wallets[USDT], 1_000_000).await;
    assert_ballast_error(&r, BallastError::AssetPaused);
    assert_eq!(env.snapshot(&keys).await, before);
    let w = env.funded_token_account(trader.pubkey(), USDC, 1_000_000).await;
    env.deposit(&trader, account, USDC, w, 1_000_000).await.unwrap();
    // withdrawing another asset is open (the pause is per action and per asset)
    env.withdraw(&trader, account, USDC, wallets[USDC], 1_000_000).await.unwrap();
    // nobody clears it before it expires; renewal once in a row, then refused
    let i = ix::clear_expired_pause(group, Some(usdt), stranger.pubkey());
    env.assert_send_refused(&[i], &[&stranger], BallastError::PauseNotExpired, &[usdt]).await;
    env.advance_time(PAUSE_DURATION_SECS - 60).await;
    env.send(&[ix::pause(group, guardian.pubkey(), Some(usdt), PAUSE_WITHDRAW)], &[&guardian]).await.unwrap();
    let a = env.asset_state(USDT).await;
    assert_eq!(
        (a.pause.actions, a.pause.consecutive),
        (PAUSE_BORROW | PAUSE_WITHDRAW, MAX_CONSECUTIVE_PAUSES)
    );
    let i = ix::pause(group, guardian.pubkey(), Some(usdt), PAUSE_BORROW);
    env.assert_send_refused(&[i], &[&guardian], BallastError::PauseTooManyConsecutive, &[usdt]).await;
    // expired: it stops blocking by itself, and anyone clears it
    env.advance_time(PAUSE_DURATION_SECS).await;
    for a in [USDC, SOL, ETH, USDT] {
        let p = [1.0, 100.0, 2_000.0, 1.0][a];
        env.set_price(a, p, 0.0).await;
    }
    env.borrow(&trader, account, USDT, wallets[USDT], 1_000_000).await.unwrap();
    env.send(&[ix::clear_expired_pause(group, Some(usdt), stranger.pubkey())], &[&stranger]).await.unwrap();
    let i = ix::clear_expired_pause(group, Some(usdt), stranger.pubkey());
    env.assert_send_refused(&[i], &[&stranger], BallastError::NotPaused, &[usdt]).await;
    // the third pause of the day; the guardian cannot lift it, the admin can; a fourth is refused
    env.send(&[ix::pause(group, guardian.pubkey(), Some(usdt), PAUSE_BORROW)], &[&guardian]).await.unwrap();
    let i = ix::unpause(group, guardian.pubkey(), Some(usdt));
    env.assert_send_refused(&[i], &[&guardian], BallastError::GuardianCannotUnpause, &[usdt]).await;
    env.send(&[ix::unpause(group, admin.pubkey(), Some(usdt))], &[&admin]).await.unwrap();
    let i = ix::pause(group, guardian.pubkey(), Some(usdt), PAUSE_BORROW);
    env.assert_send_refused(&[i], &[&guardian], BallastError::PauseTooManyToday, &[usdt]).await;
    // a day after the first, the window restarts
    env.advance_time(DAY).await;
    env.send(&[ix::pause(group, guardian.pubkey(), None, PAUSE_RISK)], &[&guardian]).await.unwrap();
    env.send(&[ix::pause(group, guardian.pubkey(), Some(usdt), PAUSE_BORROW)], &[&guardian]).await.unwrap();
}

/// The admin can be a PDA (a DAO's or a multisig's vault): handed over in two steps, it then
/// governs through its program's signature.
#[tokio::test]
async fn the_admin_hands_over_to_a_dao_pda_in_two_steps() {
    use ballast_testkit::dao;
    let Basket { mut env, .. } = basket().await;
    let admin = env.admin.insecure_clone();
    let stranger = Keypair::new();
    let group = env.group;
    let pda = dao::authority();
    // only the admin offers; the offer changes nothing until accepted
    let i = ix::propose_admin(group, stranger.pubkey(), pda);
    env.assert_send_refused(&[i], &[&stranger], BallastError::NotAdmin, &[group]).await;
    env.send(&[ix::propose_admin(group, admin.pubkey(), pda)], &[&admin]).await.unwrap();
    let g = env.group_state().await;
    assert_eq!((g.admin, g.pending_admin), (admin.pubkey(), pda));
    // a stranger cannot accept it
    let i = ix::accept_admin(group, stranger.pubkey());
    env.assert_send_refused(&[i], &[&stranger], BallastError::NotPendingAdmin, &[group]).await;
    // the DAO accepts through its program, then governs
    env.send(&[dao::relay(ix::accept_admin(group, pda))], &[]).await.unwrap();
    let g = env.group_state().await;
    assert_eq!((g.admin, g.pending_admin), (pda, Pubkey::default()));
    let sol = env.assets[SOL].asset;
    let i =
        ix::apply_asset_patch(group, pda, sol, env.assets[SOL].oracle, vec![entry(AssetField::BorrowCap, 5)]);
    env.send(&[dao::relay(i)], &[]).await.unwrap();
    assert_eq!(env.asset_state(SOL).await.config.borrow_cap, 5);
    // the old admin has no power left
    let i = asset_patch(&env, &admin, SOL, vec![entry(AssetField::BorrowCap, 4)]);
    env.assert_send_refused(&[i], &[&admin], BallastError::NotAdminOrGuardian, &[sol]).await;
}

#[tokio::test]
async fn the_guardian_cannot_cancel_its_replacement_nor_outrun_a_later_change() {
    let Basket { mut env, .. } = basket().await;
    let admin = env.admin.insecure_clone();
    let guardian = env.guardian.insecure_clone();
    let stranger = Keypair::new();
    let (sol, oracle) = (env.assets[SOL].asset, env.assets[SOL].oracle);
    // proposed while the group has no timelock, then a timelock is set: the proposal waits for it
    let early = propose(&mut env, Some(sol), vec![entry(AssetField::LiquidationFeeBps, 400)]).await;
    set_timelock(&mut env, 3_600).await;
    let i = execute(&env, early, Some((sol, oracle)), &stranger);
    let keys = [env.group, sol, early];
    env.assert_send_refused(&[i], &[&stranger], BallastError::ProposalTooEarly, &keys).await;
    // a loosening proposed, then the guardian's emergency tightening of the same field: the old
    // proposal cannot undo it
    let stale = propose(&mut env, Some(sol), vec![entry(AssetField::InitAssetWeightBps, 8_500)]).await;
    let i = asset_patch(&env, &guardian, SOL, vec![entry(AssetField::InitAssetWeightBps, 6_000)]);
    env.send(&[i], &[&guardian]).await.unwrap();
    env.advance_time(3_600).await;
    let i = execute(&env, stale, Some((sol, oracle)), &stranger);
    let keys = [env.group, sol, stale];
    env.assert_send_refused(&[i], &[&stranger], BallastError::ProposalStale, &keys).await;
    // the earlier one runs now
    env.send(&[execute(&env, early, Some((sol, oracle)), &stranger)], &[&stranger]).await.unwrap();
    assert_eq!(env.asset_state(SOL).await.config.liquidation_fee_bps, 400);
    // replacing the guardian: it may not cancel that
    let next = Keypair::new();
    let replace =
        propose(&mut env, None, vec![group_entry(GroupField::RiskGuardian, next.pubkey().to_bytes())]).await;
    let i = ix::cancel_proposal(env.group, replace, guardian.pubkey());
    env.assert_send_refused(&[i], &[&guardian], BallastError::GuardianCannotCancelItsReplacement, &[replace])
        .await;
    // the admin may (it proposed it)
    env.send(&[ix::cancel_proposal(env.group, replace, admin.pubkey())], &[&admin]).await.unwrap();
}

#[tokio::test]
async fn the_guardians_maintenance_cut_always_glides_and_the_admin_can_stop_it_where_it_stands() {
    let Basket { mut env, .. } = basket().await;
    set_timelock(&mut env, 3_600).await;
    let admin = env.admin.insecure_clone();
    let guardian = env.guardian.insecure_clone();
    // the asset has no glide window; the guardian's cut glides over the hour anyway
    assert_eq!(env.asset_state(ETH).await.config.maint_weight_glide_secs, 0);
    let start = env.now().await;
    let i = asset_patch(
        &env,
        &guardian,
        ETH,
        vec![entry(AssetField::InitAssetWeightBps, 5_000), entry(AssetField::MaintAssetWeightBps, 5_500)],
    );
    env.send(&[i], &[&guardian]).await.unwrap();
    let eth = env.asset_state(ETH).await;
    assert_eq!((eth.maint_asset_weight_glide.secs, eth.maint_asset_weight_glide.start_ts), (3_600, start));
    // while it glides, the fee cap is checked against the weight in force (0.90 now), not the
    // target: a 45% cap would pass against 0.55 but make seizing lower health now
    let eth_key = env.assets[ETH].asset;
    let i = asset_patch(&env, &admin, ETH, vec![entry(AssetField::MaxLiquidationFeeBps, 4_500)]);
    env.assert_send_refused(&[i], &[&admin], BallastError::InvalidLiquidationFee, &[eth_key]).await;
    // half-way, the admin stops the glide where it stands (0.725): a tightening against the
    // weight in force, so at once despite the timelock; going back above it is a loosening
    env.advance_time(1_800).await;
    let i = asset_patch(&env, &admin, ETH, vec![entry(AssetField::MaintAssetWeightBps, 8_000)]);
    env.assert_send_refused(&[i], &[&admin], BallastError::LooseningNeedsProposal, &[eth_key]).await;
    let i = asset_patch(&env, &admin, ETH, vec![entry(AssetField::MaintAssetWeightBps, 7_250)]);
    env.send(&[i], &[&admin]).await.unwrap();
    let eth = env.asset_state(ETH).await;
    assert_eq!(eth.maint_asset_weight_glide.secs, 0);
    let now = env.now().await;
    assert_eq!(eth.weights_at(now + 10_000).unwrap().maint_asset, ballast::math::from_bps(7_250));
}

#[tokio::test]
async fn the_admins_pauses_are_not_counted_against_the_guardian() {
    let Basket { mut env, .. } = basket().await;
    let admin = env.admin.insecure_clone();
    let guardian = env.guardian.insecure_clone();
    let (group, usdt) = (env.group, env.assets[USDT].asset);
    for _ in 0..4 {
        env.send(&[ix::pause(group, admin.pubkey(), Some(usdt), PAUSE_BORROW)], &[&admin]).await.unwrap();
        env.send(&[ix::unpause(group, admin.pubkey(), Some(usdt))], &[&admin]).await.unwrap();
    }
    env.send(&[ix::pause(group, guardian.pubkey(), Some(usdt), PAUSE_BORROW)], &[&guardian]).await.unwrap();
    assert_eq!(env.asset_state(USDT).await.pause.day_count, 1);
}
