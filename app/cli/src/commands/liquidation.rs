//! Liquidating an unhealthy account with the signer's margin account.

use super::{account_reports, find_asset, native_balance, AssetRef, Client};
use crate::error::CliResult;
use crate::units::{format_native, usd, Amount};
use anchor_lang::prelude::Pubkey;
use ballast_sdk::ballast::health_accounts::OraclePolicy;
use ballast_sdk::ballast::state::MarginAccount;
use ballast_sdk::{Chain, GroupSnapshot};
use serde::Serialize;
use solana_keypair::Keypair;
use solana_signer::Signer;

#[derive(Debug, Clone, Serialize)]
pub struct BalanceChange {
    pub asset_index: u16,
    pub mint: String,
    pub before: String,
    pub after: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct LiquidationResult {
    pub signature: String,
    pub liquidatee: String,
    pub liquidator_account: String,
    pub liab_asset_index: u16,
    pub maint_before_usd: Option<f64>,
    pub liquidation_end_before_usd: Option<f64>,
    pub maint_after_usd: Option<f64>,
    pub liquidation_end_after_usd: Option<f64>,
    pub liquidatee_changes: Vec<BalanceChange>,
    pub liquidator_changes: Vec<BalanceChange>,
    /// The lookup table a v0 transaction went through (None: sent as a legacy transaction).
    pub lookup_table: Option<String>,
}

/// Per-asset balance changes of one account between two snapshots.
fn balance_changes(
    snap_before: &GroupSnapshot,
    before: &MarginAccount,
    snap_after: &GroupSnapshot,
    after: &MarginAccount,
) -> CliResult<Vec<BalanceChange>> {
    let mut indexes: Vec<u16> = before.active_positions().map(|p| p.asset_index).collect();
    for p in after.active_positions() {
        if !indexes.contains(&p.asset_index) {
            indexes.push(p.asset_index);
        }
    }
    let mut out = vec![];
    for i in indexes {
        let a = snap_after.asset(i)?;
        let b = native_balance(snap_before, before, i)?;
        let n = native_balance(snap_after, after, i)?;
        let (b, n) = (format_native(b, a.state.decimals), format_native(n, a.state.decimals));
        if b != n {
            out.push(BalanceChange { asset_index: i, mint: a.state.mint.to_string(), before: b, after: n });
        }
    }
    Ok(out)
}

impl<C: Chain> Client<C> {
    /// Takes over up to `max` of `liquidatee`'s debt in `liab` with the signer's margin account
    /// `liquidator_account`, paid in the liquidatee's collateral. `min_value_ratio_bps`: the least
    /// collateral value per unit of debt value the liquidator accepts (10_000 = 1.0).
    pub async fn liquidate(
        &self,
        liquidator_account: &Pubkey,
        liquidatee: &Pubkey,
        liab: &AssetRef,
        max: &Amount,
        min_value_ratio_bps: u32,
        lookup_table: Option<Pubkey>,
    ) -> CliResult<LiquidationResult> {
        let liqor = self.margin_account(liquidator_account).await?;
        let liqee = self.margin_account(liquidatee).await?;
        let snap = self.snapshot().await?;
        let entry = find_asset(&snap, liab)?;
        let index = entry.state.asset_index;
        let max_native = amount_or_max(max, entry.state.decimals)?;
        let before = account_reports(&snap, &liqee, OraclePolicy::Liquidation).ok();
        let i = snap.liquidate(
            self.signer.pubkey(),
            *liquidator_account,
            &liqor,
            *liquidatee,
            &liqee,
            index,
            max_native,
            min_value_ratio_bps,
        )?;
        // A liquidation prices every asset of both accounts: it needs more compute than the
        // default, and from about 14 assets more bytes than a legacy transaction holds, when it
        // goes through the signer's lookup table of the group (`lookup_table`, or a new one).
        let ixs = ballast_sdk::tx::with_compute_budget(&[i], 0);
        let payer = self.payer();
        let (signature, table) = if ballast_sdk::tx::needs_lookup_table(&payer.pubkey(), &ixs) {
            let (ensured, account) = ballast_sdk::lookup_table::group_lookup_table(
                &self.chain,
                payer,
                &self.signer,
                lookup_table,
                &snap,
            )
            .await?;
            let signers: Vec<&Keypair> =
                if payer.pubkey() == self.signer.pubkey() { vec![] } else { vec![&self.signer] };
            (self.chain.send_versioned(&ixs, payer, &signers, &[account]).await?, Some(ensured.table.key))
        } else {
            (self.send(&ixs).await?, None)
        };
        let liqor_after = self.margin_account(liquidator_account).await?;
        let liqee_after = self.margin_account(liquidatee).await?;
        let snap_after = self.snapshot().await?;
        let after = account_reports(&snap_after, &liqee_after, OraclePolicy::Liquidation).ok();
        Ok(LiquidationResult {
            signature,
            liquidatee: liquidatee.to_string(),
            liquidator_account: liquidator_account.to_string(),
            liab_asset_index: index,
            maint_before_usd: before.as_ref().map(|r| usd(r.maint.health)),
            liquidation_end_before_usd: before.as_ref().map(|r| usd(r.liquidation_end.health)),
            maint_after_usd: after.as_ref().map(|r| usd(r.maint.health)),
            liquidation_end_after_usd: after.as_ref().map(|r| usd(r.liquidation_end.health)),
            liquidatee_changes: balance_changes(&snap, &liqee, &snap_after, &liqee_after)?,
            liquidator_changes: balance_changes(&snap, &liqor, &snap_after, &liqor_after)?,
            lookup_table: table.map(|t| t.to_string()),
        })
    }
}

fn amount_or_max(amount: &Amount, decimals: u8) -> CliResult<u64> {
    Ok(amount.native(decimals)?.unwrap_or(u64::MAX))
}
