//! Health and liquidatability computed off chain exactly as the program computes them, through
//! the SDK (`GroupSnapshot::priced`, `ballast_sdk::snapshot::account_health`): the same account
//! bytes, the same oracle parsing, the same engine.

use crate::{HealthType, OraclePolicy, TestEnv, I80F48};
use anchor_lang::prelude::Pubkey;
use ballast::state::MarginAccount;

impl TestEnv {
    /// The account's assets priced off chain exactly as the program prices them, or None where
    /// an oracle account cannot be read. Only the account's own assets are priced (a broken
    /// oracle elsewhere in the group does not stop its health, as it does not on chain).
    pub async fn priced_for(
        &mut self,
        account: Pubkey,
        policy: OraclePolicy,
    ) -> Option<(MarginAccount, ballast::health_accounts::PricedAssets)> {
        let state = self.margin_account(account).await;
        let held: Vec<usize> =
            ballast_sdk::GroupSnapshot::assets_of(&[&state], &[]).into_iter().map(usize::from).collect();
        let snap = self.group_snapshot_of(&held, true).await;
        let priced = snap.priced(policy).ok()?;
        Some((state, priced))
    }

    /// `health`, or None where the program could not compute it either (an unusable liability
    /// oracle, a malformed oracle account).
    pub async fn try_health(
        &mut self,
        account: Pubkey,
        level: HealthType,
        policy: OraclePolicy,
    ) -> Option<I80F48> {
        let (state, priced) = self.priced_for(account, policy).await?;
        let h = ballast_sdk::snapshot::account_health(&priced, &state).ok()?;
        Some(match level {
            HealthType::Init => h.init,
            HealthType::LiquidationEnd => h.liquidation_end,
            HealthType::Maint => h.maint,
        })
    }

    /// Whether the program would let a third party liquidate `account` now, by the program's
    /// own rules (oracle faults tolerated only on dust, the episode's lapse, the predicate);
    /// None where it would fail on an oracle.
    pub async fn liquidatable(&mut self, account: Pubkey) -> Option<bool> {
        let (state, priced) = self.priced_for(account, OraclePolicy::Liquidation).await?;
        let group = self.group_state().await;
        priced.liquidatable(&state, &group.config).map(|(yes, _)| yes)
    }

    /// Health of `account` at `level` computed off-chain exactly as the program does: the same
    /// account bytes, the same oracle parsing, the same engine.
    pub async fn health(&mut self, account: Pubkey, level: HealthType, policy: OraclePolicy) -> I80F48 {
        self.try_health(account, level, policy).await.expect("health of the account can be computed")
    }

    /// Native balance of `account` in `asset` (negative for debt), as the program values it.
    pub async fn native_balance(&mut self, account: Pubkey, asset: usize) -> I80F48 {
        let state = self.margin_account(account).await;
        let a = self.asset_state(asset).await;
        match state.find_position(asset as u16) {
            Some(slot) => a.native_balance(state.positions[slot].shares()).unwrap(),
            None => I80F48::ZERO,
        }
    }
}
