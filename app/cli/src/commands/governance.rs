//! Governance commands (admin): list an asset, change an asset's or the group's config.

use super::{find_asset, AssetRef, Client, SPL_TOKEN, TOKEN_2022};
use crate::error::{from_anchor, CliError, CliResult};
use crate::params::{diff, AssetParams, FieldChange, GroupParams};
use anchor_lang::prelude::Pubkey;
use ballast_sdk::ballast::oracle::pyth_pull::pin_default_account;
use ballast_sdk::ballast::state::{Asset, AssetConfig};
use ballast_sdk::ballast::validation::{validate_asset_config, validate_group_config};
use ballast_sdk::{decode, ix, Chain, SdkError};
use serde::Serialize;
use solana_signer::Signer;

#[derive(Debug, Clone, Serialize)]
pub struct AssetRegistered {
    pub asset: String,
    pub mint: String,
    pub token_program: String,
    pub oracle_account: String,
    pub asset_index: Option<u16>,
    pub config: AssetParams,
    /// None for `--dry-run`.
    pub signature: Option<String>,
}

/// The outcome of `asset update` and `group update`.
#[derive(Debug, Clone, Serialize)]
pub struct ConfigUpdate {
    /// The Asset or Group account.
    pub target: String,
    pub changes: Vec<FieldChange>,
    /// None for `--dry-run` or when nothing changes.
    pub signature: Option<String>,
}

impl<C: Chain> Client<C> {
    /// Lists `mint` with the config `AssetConfig::template()` + `params`. The oracle account is the
    /// Pyth sponsored feed for a pull asset, the configured account for a legacy one, unless
    /// `oracle_account` says otherwise.
    pub async fn asset_register(
        &self,
        mint: &Pubkey,
        params: &AssetParams,
        oracle_account: Option<Pubkey>,
        dry_run: bool,
    ) -> CliResult<AssetRegistered> {
        let mut config = params.apply(&AssetConfig::template())?;
        // The config pins the oracle account: the one given, else (pull) the sponsored feed.
        if let Some(account) = oracle_account {
            config.oracle = account;
        }
        pin_default_account(&mut config);
        validate_asset_config(&config).map_err(from_anchor)?;
        let mint_account = self
            .chain
            .account(mint)
            .await?
            .ok_or_else(|| CliError::input(format!("mint {mint} does not exist")))?;
        let token_program = mint_account.owner;
        if token_program != SPL_TOKEN && token_program != TOKEN_2022 {
            return Err(CliError::input(format!("{mint} is not an SPL Token or Token-2022 mint")));
        }
        let oracle = config.oracle;
        let asset = ix::asset_address(&self.group, mint);
        let mut out = AssetRegistered {
            asset: asset.to_string(),
            mint: mint.to_string(),
            token_program: token_program.to_string(),
            oracle_account: oracle.to_string(),
            asset_index: None,
            config: AssetParams::from_config(&config),
            signature: None,
        };
        if dry_run {
            return Ok(out);
        }
        let i = ix::register_asset(
            self.group,
            self.signer.pubkey(),
            self.payer().pubkey(),
            *mint,
            token_program,
            oracle,
            config,
        );
        out.signature = Some(self.send(&[i]).await?);
        if let Some(raw) = self.chain.account(&asset).await? {
            out.asset_index = decode::<Asset>(&asset, &raw.data, "Asset").ok().map(|a| a.asset_index);
        }
        Ok(out)
    }

    /// Reads the asset's config, applies the fields `params` names, validates and sends it.
    pub async fn asset_update(
        &self,
        asset: &AssetRef,
        params: &AssetParams,
        oracle_account: Option<Pubkey>,
        dry_run: bool,
    ) -> CliResult<ConfigUpdate> {
        let snap = self.snapshot().await?;
        let entry = find_asset(&snap, asset)?;
        let old = entry.state.config;
        let mut new = params.apply(&old)?;
        if let Some(account) = oracle_account {
            new.oracle = account;
        } else if (old.oracle_kind, old.feed_id) != (new.oracle_kind, new.feed_id) {
            // a new pull feed without a named account pins its sponsored feed account
            new.oracle = Pubkey::default();
        }
        pin_default_account(&mut new);
        validate_asset_config(&new).map_err(from_anchor)?;
        let oracle = new.oracle;
        let changes = diff(&AssetParams::from_config(&old), &AssetParams::from_config(&new));
        let mut out = ConfigUpdate { target: entry.key.to_string(), changes, signature: None };
        if dry_run || out.changes.is_empty() {
            return Ok(out);
        }
        let i = ix::update_asset(self.group, self.signer.pubkey(), entry.key, oracle, new);
        out.signature = Some(self.send(&[i]).await?);
        Ok(out)
    }

    pub async fn group_update(&self, params: &GroupParams, dry_run: bool) -> CliResult<ConfigUpdate> {
        let raw = self.chain.account(&self.group).await?.ok_or(SdkError::AccountNotFound(self.group))?;
        let group: ballast_sdk::ballast::state::Group = decode(&self.group, &raw.data, "Group")?;
        let old = group.config;
        let new = params.apply(&old)?;
        validate_group_config(&new).map_err(from_anchor)?;
        let changes = diff(&GroupParams::from_config(&old), &GroupParams::from_config(&new));
        let mut out = ConfigUpdate { target: self.group.to_string(), changes, signature: None };
        if dry_run || out.changes.is_empty() {
            return Ok(out);
        }
        let i = ix::update_group(self.group, self.signer.pubkey(), new);
        out.signature = Some(self.send(&[i]).await?);
        Ok(out)
    }
}
