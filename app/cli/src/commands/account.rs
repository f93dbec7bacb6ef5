//! Trader commands on margin accounts: create one, and deposit, withdraw, borrow and repay.

use super::{
    account_reports, associated_token_address, create_associated_token_account_idempotent, find_asset,
    native_balance, AssetRef, Client,
};
use crate::error::{CliError, CliResult};
use crate::units::{format_native, usd, Amount};
use anchor_lang::prelude::Pubkey;
use ballast_sdk::ballast::health_accounts::OraclePolicy;
use ballast_sdk::ballast::math::I80F48;
use ballast_sdk::{ix, Chain};
use serde::Serialize;
use solana_program_pack::Pack;
use solana_signer::Signer;

#[derive(Debug, Clone, Serialize)]
pub struct AccountCreated {
    pub account: String,
    pub owner: String,
    pub account_num: u32,
    pub signature: String,
}

/// The outcome of deposit, withdraw, borrow or repay.
#[derive(Debug, Clone, Serialize)]
pub struct ActionResult {
    pub action: &'static str,
    pub account: String,
    pub asset_index: u16,
    pub mint: String,
    /// The amount sent, UI units (`repay all` sends u64::MAX and shows `all`).
    pub amount: String,
    pub native_amount: u64,
    pub token_account: String,
    pub signature: String,
    pub balance_before: String,
    pub balance_after: String,
    /// Init health after the action (withdraw/borrow oracle checks), when computable.
    pub init_health_after_usd: Option<f64>,
}

impl<C: Chain> Client<C> {
    async fn token_amount(&self, key: &Pubkey) -> CliResult<Option<u64>> {
        let Some(acc) = self.chain.account(key).await? else { return Ok(None) };
        let base = acc
            .data
            .get(..spl_token_interface::state::Account::LEN)
            .and_then(|d| spl_token_interface::state::Account::unpack_from_slice(d).ok())
            .ok_or_else(|| CliError::input(format!("{key} is not a token account")))?;
        Ok(Some(base.amount))
    }

    pub async fn account_create(&self, account_num: u32) -> CliResult<AccountCreated> {
        let owner = self.signer.pubkey();
        let (account, i) = ix::create_account(self.group, owner, self.payer().pubkey(), account_num);
        let signature = self.send(&[i]).await?;
        Ok(AccountCreated { account: account.to_string(), owner: owner.to_string(), account_num, signature })
    }

    pub async fn deposit(
        &self,
        account: &Pubkey,
        asset: &AssetRef,
        amount: &Amount,
        token_account: Option<Pubkey>,
    ) -> CliResult<ActionResult> {
        self.token_action("deposit", account, asset, amount, token_account).await
    }

    pub async fn withdraw(
        &self,
        account: &Pubkey,
        asset: &AssetRef,
        amount: &Amount,
        token_account: Option<Pubkey>,
    ) -> CliResult<ActionResult> {
        self.token_action("withdraw", account, asset, amount, token_account).await
    }

    pub async fn borrow(
        &self,
        account: &Pubkey,
        asset: &AssetRef,
        amount: &Amount,
        token_account: Option<Pubkey>,
    ) -> CliResult<ActionResult> {
        self.token_action("borrow", account, asset, amount, token_account).await
    }

    /// `amount` = all repays the whole debt (the program takes exactly what is owed).
    pub async fn repay(
        &self,
        account: &Pubkey,
        asset: &AssetRef,
        amount: &Amount,
        token_account: Option<Pubkey>,
    ) -> CliResult<ActionResult> {
        self.token_action("repay", account, asset, amount, token_account).await
    }

    async fn token_action(
        &self,
        action: &'static str,
        account_key: &Pubkey,
        asset: &AssetRef,
        amount: &Amount,
        token_account: Option<Pubkey>,
    ) -> CliResult<ActionResult> {
        let account = self.margin_account(account_key).await?;
        let snap = self.snapshot().await?;
        let entry = find_asset(&snap, asset)?;
        let (index, mint, decimals, token_program) =
            (entry.state.asset_index, entry.state.mint, entry.state.decimals, entry.state.token_program);
        let before = native_balance(&snap, &account, index)?;
        let me = self.signer.pubkey();
        let outgoing = matches!(action, "withdraw" | "borrow");
        let mut ixs = vec![];
        let wallet = match token_account {
            Some(t) => t,
            None => {
                let ata = associated_token_address(&me, &mint, &token_program);
                let exists = self.chain.account(&ata).await?.is_some();
                if !exists && outgoing {
                    ixs.push(create_associated_token_account_idempotent(
                        &self.payer().pubkey(),
                        &me,
                        &mint,
                        &token_program,
                    ));
                } else if !exists {
                    return Err(CliError::input(format!(
                        "{me} has no associated token account for mint {mint} ({ata}); pass --token-account"
                    )));
                }
                ata
            }
        };
        let native = match (amount.native(decimals)?, action) {
            (Some(n), _) => n,
            (None, "repay") => u64::MAX,
            (None, "withdraw") => {
                let n = ballast_sdk::ballast::math::to_u64_floor(before.max(I80F48::ZERO)).unwrap_or(0);
                if n == 0 {
                    return Err(CliError::input(format!(
                        "account has no deposit of asset {index} to withdraw"
                    )));
                }
                n
            }
            (None, "deposit") => match self.token_amount(&wallet).await? {
                Some(n) if n > 0 => n,
                _ => return Err(CliError::input(format!("token account {wallet} holds nothing to deposit"))),
            },
            (None, _) => return Err(CliError::input("borrow needs an amount, not `all`")),
        };
        let mut cranked = false;
        if matches!(action, "withdraw" | "borrow") {
            // a margin check values the account's options only with fresh arrays
            let cranks = snap.risk_array_cranks(&[&account], &[])?;
            cranked = !cranks.is_empty();
            ixs.extend(cranks);
        }
        ixs.push(match action {
            "deposit" => snap.with_cure_accounts(
                snap.deposit(*account_key, index, wallet, me, native)?,
                &account,
                index,
            )?,
            "repay" => snap.with_cure_accounts(
                snap.repay(*account_key, index, wallet, me, native)?,
                &account,
                index,
            )?,
            "withdraw" => snap.withdraw(*account_key, &account, index, wallet, native)?,
            _ => snap.borrow(*account_key, &account, index, wallet, native)?,
        });
        if cranked {
            // a crank is past the default 200k compute units
            ixs = ballast_sdk::tx::with_compute_budget(&ixs, 0);
        }
        let signature = self.send(&ixs).await?;
        let after_account = self.margin_account(account_key).await?;
        let after_snap = self.snapshot().await?;
        let after = native_balance(&after_snap, &after_account, index)?;
        let init_health_after_usd =
            account_reports(&after_snap, &after_account, OraclePolicy::RiskIncreasing)
                .ok()
                .map(|r| usd(r.init.health));
        Ok(ActionResult {
            action,
            account: account_key.to_string(),
            asset_index: index,
            mint: mint.to_string(),
            amount: if native == u64::MAX {
                "all".into()
            } else {
                crate::units::format_units(i128::from(native), u32::from(decimals))
            },
            native_amount: native,
            token_account: wallet.to_string(),
            signature,
            balance_before: format_native(before, decimals),
            balance_after: format_native(after, decimals),
            init_health_after_usd,
        })
    }
}
