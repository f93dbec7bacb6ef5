//! Instruction builders for every Ballast instruction. Addresses follow the program's seeds;
//! instructions that check health take the health accounts from
//! [`GroupSnapshot::health_accounts`](crate::GroupSnapshot::health_accounts).

use crate::snapshot::{AssetEntry, GroupSnapshot};
use crate::SdkResult;
use anchor_lang::prelude::Pubkey;
use anchor_lang::{InstructionData, ToAccountMetas};
use ballast::math::I80F48;
use ballast::state::{
    AssetConfig, GroupConfig, MarginAccount, MarketConfig, PatchEntry, ACCOUNT_SEED, ASSET_SEED, GROUP_SEED,
    MARKET_SEED, PROPOSAL_SEED, VAULT_SEED,
};
use solana_instruction::{AccountMeta, Instruction};

pub fn group_address(admin: &Pubkey, group_num: u16) -> Pubkey {
    Pubkey::find_program_address(&[GROUP_SEED, admin.as_ref(), &group_num.to_le_bytes()], &ballast::ID).0
}

pub fn asset_address(group: &Pubkey, mint: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(&[ASSET_SEED, group.as_ref(), mint.as_ref()], &ballast::ID).0
}

pub fn vault_address(asset: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(&[VAULT_SEED, asset.as_ref()], &ballast::ID).0
}

pub fn margin_account_address(group: &Pubkey, owner: &Pubkey, account_num: u32) -> Pubkey {
    Pubkey::find_program_address(
        &[ACCOUNT_SEED, group.as_ref(), owner.as_ref(), &account_num.to_le_bytes()],
        &ballast::ID,
    )
    .0
}

fn ix(accounts: Vec<AccountMeta>, data: Vec<u8>) -> Instruction {
    Instruction { program_id: ballast::ID, accounts, data }
}

pub fn init_group(
    payer: Pubkey,
    admin: Pubkey,
    group_num: u16,
    risk_guardian: Pubkey,
    config: GroupConfig,
) -> Instruction {
    let group = group_address(&admin, group_num);
    ix(
        ballast::accounts::InitGroup { payer, admin, group, system_program: anchor_lang::system_program::ID }
            .to_account_metas(None),
        ballast::instruction::InitGroup { group_num, risk_guardian, config }.data(),
    )
}

pub fn market_address(group: &Pubkey, market_index: u16) -> Pubkey {
    Pubkey::find_program_address(&[MARKET_SEED, group.as_ref(), &market_index.to_le_bytes()], &ballast::ID).0
}

/// List a market as number `market_index` (the group's `market_count` now) on `underlying`,
/// settled in `quote` (both Asset accounts of the group).
pub fn register_market(
    group: Pubkey,
    admin: Pubkey,
    payer: Pubkey,
    market_index: u16,
    underlying: Pubkey,
    quote: Pubkey,
    config: MarketConfig,
) -> Instruction {
    let market = market_address(&group, market_index);
    ix(
        ballast::accounts::RegisterMarket {
            group,
            admin,
            payer,
            market,
            underlying,
            quote,
            system_program: anchor_lang::system_program::ID,
        }
        .to_account_metas(None),
        ballast::instruction::RegisterMarket { config }.data(),
    )
}

pub fn proposal_address(group: &Pubkey, proposal_num: u64) -> Pubkey {
    Pubkey::find_program_address(&[PROPOSAL_SEED, group.as_ref(), &proposal_num.to_le_bytes()], &ballast::ID)
        .0
}

/// Change some of an asset's fields at once (`authority`: the admin or the guardian). The
/// entries come from [`crate::governance::asset_patch`].
pub fn apply_asset_patch(
    group: Pubkey,
    authority: Pubkey,
    asset: Pubkey,
    oracle: Pubkey,
    entries: Vec<PatchEntry>,
) -> Instruction {
    ix(
        ballast::accounts::ApplyAssetPatch { group, authority, asset, oracle }.to_account_metas(None),
        ballast::instruction::ApplyAssetPatch { entries }.data(),
    )
}

/// Change some of the group's settings at once.
pub fn apply_group_patch(group: Pubkey, authority: Pubkey, entries: Vec<PatchEntry>) -> Instruction {
    ix(
        ballast::accounts::ApplyGroupPatch { group, authority }.to_account_metas(None),
        ballast::instruction::ApplyGroupPatch { entries }.data(),
    )
}

/// Propose a patch of `asset` (or of the group's settings when `None`) as proposal number
/// `proposal_num` (the group's `proposal_count` now).
pub fn propose_patch(
    group: Pubkey,
    admin: Pubkey,
    payer: Pubkey,
    asset: Option<Pubkey>,
    proposal_num: u64,
    entries: Vec<PatchEntry>,
) -> Instruction {
    let proposal = proposal_address(&group, proposal_num);
    ix(
        ballast::accounts::ProposePatch {
            group,
            admin,
            payer,
            proposal,
            asset,
            system_program: anchor_lang::system_program::ID,
            market: None,
        }
        .to_account_metas(None),
        ballast::instruction::ProposePatch { entries }.data(),
    )
}

/// Change some of a market's fields at once (the admin's or the guardian's tightenings).
pub fn apply_market_patch(
    group: Pubkey,
    authority: Pubkey,
    market: Pubkey,
    entries: Vec<PatchEntry>,
) -> Instruction {
    ix(
        ballast::accounts::ApplyMarketPatch { group, authority, market }.to_account_metas(None),
        ballast::instruction::ApplyMarketPatch { entries }.data(),
    )
}

/// Propose a patch of `market` as proposal number `proposal_num`.
pub fn propose_market_patch(
    group: Pubkey,
    admin: Pubkey,
    payer: Pubkey,
    market: Pubkey,
    proposal_num: u64,
    entries: Vec<PatchEntry>,
) -> Instruction {
    let proposal = proposal_address(&group, proposal_num);
    ix(
        ballast::accounts::ProposePatch {
            group,
            admin,
            payer,
            proposal,
            asset: None,
            system_program: anchor_lang::system_program::ID,
            market: Some(market),
        }
        .to_account_metas(None),
        ballast::instruction::ProposePatch { entries }.data(),
    )
}

/// Execute a proposal that patches `market` (anyone).
pub fn execute_market_proposal(
    group: Pubkey,
    proposal: Pubkey,
    market: Pubkey,
    executor: Pubkey,
) -> Instruction {
    ix(
        ballast::accounts::ExecuteProposal {
            group,
            proposal,
            asset: None,
            oracle: None,
            executor,
            market: Some(market),
        }
        .to_account_metas(None),
        ballast::instruction::ExecuteProposal {}.data(),
    )
}

/// Execute a proposal (anyone). An asset patch: `Some((asset, oracle))` with the oracle account
/// the patched config pins; a group patch: `None`.
pub fn execute_proposal(
    group: Pubkey,
    proposal: Pubkey,
    asset_and_oracle: Option<(Pubkey, Pubkey)>,
    executor: Pubkey,
) -> Instruction {
    let (asset, oracle) = (asset_and_oracle.map(|a| a.0), asset_and_oracle.map(|a| a.1));
    ix(
        ballast::accounts::ExecuteProposal { group, proposal, asset, oracle, executor, market: None }
            .to_account_metas(None),
        ballast::instruction::ExecuteProposal {}.data(),
    )
}

pub fn cancel_proposal(group: Pubkey, proposal: Pubkey, authority: Pubkey) -> Instruction {
    ix(
        ballast::accounts::CancelProposal { group, proposal, authority }.to_account_metas(None),
        ballast::instruction::CancelProposal {}.data(),
    )
}

/// Offer the admin role to `new_admin` (`Pubkey::default()` withdraws the offer).
pub fn propose_admin(group: Pubkey, admin: Pubkey, new_admin: Pubkey) -> Instruction {
    ix(
        ballast::accounts::ProposeAdmin { group, admin }.to_account_metas(None),
        ballast::instruction::ProposeAdmin { new_admin }.data(),
    )
}

pub fn accept_admin(group: Pubkey, new_admin: Pubkey) -> Instruction {
    ix(
        ballast::accounts::AcceptAdmin { group, new_admin }.to_account_metas(None),
        ballast::instruction::AcceptAdmin {}.data(),
    )
}

/// Pause `actions` (`risk::governance::PAUSE_*`) on `asset`, or group-wide when `None`.
pub fn pause(group: Pubkey, authority: Pubkey, asset: Option<Pubkey>, actions: u8) -> Instruction {
    ix(
        ballast::accounts::Pause { group, authority, asset }.to_account_metas(None),
        ballast::instruction::Pause { actions }.data(),
    )
}

/// Lift a pause early (admin only).
pub fn unpause(group: Pubkey, admin: Pubkey, asset: Option<Pubkey>) -> Instruction {
    ix(
        ballast::accounts::Unpause { group, admin, asset }.to_account_metas(None),
        ballast::instruction::Unpause {}.data(),
    )
}

/// Forget an expired pause (anyone).
pub fn clear_expired_pause(group: Pubkey, asset: Option<Pubkey>, caller: Pubkey) -> Instruction {
    ix(
        ballast::accounts::ClearExpiredPause { group, asset, caller }.to_account_metas(None),
        ballast::instruction::ClearExpiredPause {}.data(),
    )
}

/// Name `delegate` (or `Pubkey::default()` for none) on `account`, signed by its owner.
pub fn set_delegate(account: Pubkey, owner: Pubkey, delegate: Pubkey) -> Instruction {
    ix(
        ballast::accounts::SetDelegate { account, owner }.to_account_metas(None),
        ballast::instruction::SetDelegate { delegate }.data(),
    )
}

pub fn register_asset(
    group: Pubkey,
    admin: Pubkey,
    payer: Pubkey,
    mint: Pubkey,
    token_program: Pubkey,
    oracle: Pubkey,
    config: AssetConfig,
) -> Instruction {
    let asset = asset_address(&group, &mint);
    ix(
        ballast::accounts::RegisterAsset {
            group,
            admin,
            payer,
            mint,
            asset,
            vault: vault_address(&asset),
            oracle,
            token_program,
            system_program: anchor_lang::system_program::ID,
        }
        .to_account_metas(None),
        ballast::instruction::RegisterAsset { config }.data(),
    )
}

pub fn update_volatility(asset: &AssetEntry) -> Instruction {
    ix(
        ballast::accounts::UpdateVolatility { asset: asset.key, oracle: asset.oracle_key }
            .to_account_metas(None),
        ballast::instruction::UpdateVolatility {}.data(),
    )
}

pub fn create_account(
    group: Pubkey,
    owner: Pubkey,
    payer: Pubkey,
    account_num: u32,
) -> (Pubkey, Instruction) {
    let account = margin_account_address(&group, &owner, account_num);
    let i = ix(
        ballast::accounts::CreateAccount {
            group,
            owner,
            payer,
            account,
            system_program: anchor_lang::system_program::ID,
        }
        .to_account_metas(None),
        ballast::instruction::CreateAccount { account_num }.data(),
    );
    (account, i)
}

pub fn close_account(account: Pubkey, owner: Pubkey, sol_destination: Pubkey) -> Instruction {
    ix(
        ballast::accounts::CloseAccount { account, owner, sol_destination }.to_account_metas(None),
        ballast::instruction::CloseAccount {}.data(),
    )
}

fn token_move(
    group: Pubkey,
    account: Pubkey,
    asset: &AssetEntry,
    user_token_account: Pubkey,
) -> ballast::accounts::TokenMove {
    ballast::accounts::TokenMove {
        group,
        account,
        asset: asset.key,
        vault: asset.state.vault,
        mint: asset.state.mint,
        user_token_account,
        token_program: asset.state.token_program,
    }
}

pub fn deposit(
    group: Pubkey,
    account: Pubkey,
    asset: &AssetEntry,
    from: Pubkey,
    authority: Pubkey,
    amount: u64,
) -> Instruction {
    ix(
        ballast::accounts::Deposit { token: token_move(group, account, asset, from), authority }
            .to_account_metas(None),
        ballast::instruction::Deposit { amount }.data(),
    )
}

/// `amount` = `u64::MAX` repays the whole debt.
pub fn repay(
    group: Pubkey,
    account: Pubkey,
    asset: &AssetEntry,
    from: Pubkey,
    authority: Pubkey,
    amount: u64,
) -> Instruction {
    ix(
        ballast::accounts::Repay { token: token_move(group, account, asset, from), authority }
            .to_account_metas(None),
        ballast::instruction::Repay { amount }.data(),
    )
}

impl GroupSnapshot {
    /// Withdraw `amount` of asset `index` from `account` (owned by `owner`) to `to`.
    pub fn withdraw(
        &self,
        account_key: Pubkey,
        account: &MarginAccount,
        index: u16,
        to: Pubkey,
        amount: u64,
    ) -> SdkResult<Instruction> {
        let asset = self.asset(index)?;
        let mut metas = ballast::accounts::Withdraw {
            token: token_move(self.key, account_key, asset, to),
            owner: account.owner,
        }
        .to_account_metas(None);
        metas.extend(self.health_accounts(account, &[index], false)?);
        Ok(ix(metas, ballast::instruction::Withdraw { amount }.data()))
    }

    /// Borrow `amount` of asset `index` into `to`.
    pub fn borrow(
        &self,
        account_key: Pubkey,
        account: &MarginAccount,
        index: u16,
        to: Pubkey,
        amount: u64,
    ) -> SdkResult<Instruction> {
        let asset = self.asset(index)?;
        let mut metas = ballast::accounts::Borrow {
            token: token_move(self.key, account_key, asset, to),
            owner: account.owner,
        }
        .to_account_metas(None);
        metas.extend(self.health_accounts(account, &[index], false)?);
        Ok(ix(metas, ballast::instruction::Borrow { amount }.data()))
    }

    pub fn deposit(
        &self,
        account_key: Pubkey,
        index: u16,
        from: Pubkey,
        authority: Pubkey,
        amount: u64,
    ) -> SdkResult<Instruction> {
        Ok(deposit(self.key, account_key, self.asset(index)?, from, authority, amount))
    }

    pub fn repay(
        &self,
        account_key: Pubkey,
        index: u16,
        from: Pubkey,
        authority: Pubkey,
        amount: u64,
    ) -> SdkResult<Instruction> {
        Ok(repay(self.key, account_key, self.asset(index)?, from, authority, amount))
    }

    /// Liquidate `liquidatee`'s debt in asset `liab_index` from `liquidator_account`. The health
    /// accounts cover both accounts, writable.
    #[allow(clippy::too_many_arguments)]
    pub fn liquidate(
        &self,
        liquidator: Pubkey,
        liquidator_key: Pubkey,
        liquidator_account: &MarginAccount,
        liquidatee_key: Pubkey,
        liquidatee_account: &MarginAccount,
        liab_index: u16,
        max_liab_amount: u64,
        min_value_ratio_bps: u32,
    ) -> SdkResult<Instruction> {
        let mut metas = ballast::accounts::Liquidate {
            group: self.key,
            liquidator,
            liquidator_account: liquidator_key,
            liquidatee_account: liquidatee_key,
        }
        .to_account_metas(None);
        // union of both accounts' positions: the liquidatee's, then the liquidator's extra ones
        metas.extend(self.health_accounts_of(&[liquidatee_account, liquidator_account], &[], &[], true)?);
        Ok(ix(
            metas,
            ballast::instruction::Liquidate {
                liab_asset_index: liab_index,
                max_liab_amount,
                min_value_ratio_bps,
            }
            .data(),
        ))
    }

    /// Write off `account`'s debt in asset `index`. When it still holds collateral (dust), the
    /// health accounts of all its positions (writable) price it, and the program sweeps it into
    /// the insurance funds.
    pub fn resolve_bankruptcy(
        &self,
        account_key: Pubkey,
        account: &MarginAccount,
        index: u16,
    ) -> SdkResult<Instruction> {
        let mut metas = ballast::accounts::ResolveBankruptcy {
            group: self.key,
            asset: self.asset(index)?.key,
            account: account_key,
        }
        .to_account_metas(None);
        if account.active_positions().any(|p| p.shares() > I80F48::ZERO) {
            metas.extend(self.health_accounts(account, &[], true)?);
        }
        Ok(ix(metas, ballast::instruction::ResolveBankruptcy {}.data()))
    }

    /// `deposit` or `repay` of a flagged account, with the health accounts that let the
    /// program end its liquidation when the change cures it (LiquidationEnd health >= 0).
    /// Unflagged accounts need none and get none.
    pub fn with_cure_accounts(
        &self,
        mut instruction: Instruction,
        account: &MarginAccount,
        index: u16,
    ) -> SdkResult<Instruction> {
        if account.is_being_liquidated() {
            instruction.accounts.extend(self.health_accounts(account, &[index], false)?);
        }
        Ok(instruction)
    }

    /// A futures trade in market `market_index`: `buyer` buys `contracts` from `seller` at
    /// `price` quote-native per contract. Both owners sign. The health accounts cover both.
    #[allow(clippy::too_many_arguments)]
    pub fn trade(
        &self,
        market_index: u16,
        buyer_key: Pubkey,
        buyer: &MarginAccount,
        seller_key: Pubkey,
        seller: &MarginAccount,
        contracts: u64,
        price: u64,
    ) -> SdkResult<Instruction> {
        let mut metas = ballast::accounts::Trade {
            group: self.key,
            market: self.market(market_index)?.key,
            buyer_account: buyer_key,
            buyer: buyer.owner,
            seller_account: seller_key,
            seller: seller.owner,
        }
        .to_account_metas(None);
        metas.extend(self.health_accounts_of(&[buyer, seller], &[], &[market_index], false)?);
        Ok(ix(metas, ballast::instruction::Trade { contracts, price }.data()))
    }

    /// Settle up to `max_amount` of market `market_index`'s PnL from `owing` to `owed`
    /// (permissionless). The health accounts are the owing account's, with the quote asset.
    pub fn settle_pnl(
        &self,
        market_index: u16,
        owed_key: Pubkey,
        owing_key: Pubkey,
        owing: &MarginAccount,
        max_amount: u64,
    ) -> SdkResult<Instruction> {
        let market = self.market(market_index)?;
        let mut metas = ballast::accounts::SettlePnl {
            group: self.key,
            market: market.key,
            quote_asset: market.state.quote,
            owed_account: owed_key,
            owing_account: owing_key,
        }
        .to_account_metas(None);
        metas.extend(self.health_accounts_of(
            &[owing],
            &[market.state.quote_index],
            &[market_index],
            false,
        )?);
        Ok(ix(metas, ballast::instruction::SettlePnl { max_amount }.data()))
    }

    /// Record market `market_index`'s settlement price from its underlying's oracle account
    /// (permissionless; after expiry).
    pub fn settle_expiry(&self, market_index: u16) -> SdkResult<Instruction> {
        let market = self.market(market_index)?;
        let underlying = self.asset(market.state.underlying_index)?;
        Ok(ix(
            ballast::accounts::SettleExpiry {
                market: market.key,
                underlying: underlying.key,
                oracle: underlying.oracle_key,
            }
            .to_account_metas(None),
            ballast::instruction::SettleExpiry {}.data(),
        ))
    }

    /// The permissionless crank that prices option market `market_index` at the oracle spot
    /// (`update_risk_array`).
    pub fn update_risk_array(&self, market_index: u16) -> SdkResult<Instruction> {
        let market = self.market(market_index)?;
        let underlying = self.asset(market.state.underlying_index)?;
        Ok(ix(
            ballast::accounts::UpdateRiskArray {
                group: self.key,
                market: market.key,
                underlying: underlying.key,
                oracle: underlying.oracle_key,
            }
            .to_account_metas(None),
            ballast::instruction::UpdateRiskArray {}.data(),
        ))
    }

    /// The risk-array cranks an instruction valuing `accounts` (and touching `markets`) needs
    /// in front of it: one per unsettled option market among their positions and `markets`,
    /// each once. A margin check refuses an array that is stale or far from the spot, so the
    /// client sends these in the same transaction (as Kamino's refresh instructions go).
    pub fn risk_array_cranks(
        &self,
        accounts: &[&MarginAccount],
        markets: &[u16],
    ) -> SdkResult<Vec<Instruction>> {
        let now = self.now;
        let mut indexes: Vec<u16> = Vec::new();
        let held = accounts.iter().flat_map(|a| a.active_derivatives().map(|d| d.market_index));
        for index in held.chain(markets.iter().copied()) {
            let m = self.market(index)?;
            if m.state.config.option_kind().is_some() && !m.state.is_settled(now) && !indexes.contains(&index)
            {
                indexes.push(index);
            }
        }
        indexes.into_iter().map(|i| self.update_risk_array(i)).collect()
    }

    /// Take over up to `max_contracts` of `liquidatee`'s position in market `market_index`
    /// (`derivative_liquidation_size` gives the size the program accepts).
    #[allow(clippy::too_many_arguments)]
    pub fn liquidate_derivative(
        &self,
        market_index: u16,
        liquidator: Pubkey,
        liquidator_key: Pubkey,
        liquidator_account: &MarginAccount,
        liquidatee_key: Pubkey,
        liquidatee_account: &MarginAccount,
        max_contracts: u64,
    ) -> SdkResult<Instruction> {
        let mut metas = ballast::accounts::LiquidateDerivative {
            group: self.key,
            market: self.market(market_index)?.key,
            liquidator,
            liquidator_account: liquidator_key,
            liquidatee_account: liquidatee_key,
        }
        .to_account_metas(None);
        metas.extend(self.health_accounts_of(
            &[liquidatee_account, liquidator_account],
            &[],
            &[market_index],
            false,
        )?);
        Ok(ix(metas, ballast::instruction::LiquidateDerivative { max_contracts }.data()))
    }

    /// The read-only `health_report` instruction, to simulate.
    pub fn health_report(
        &self,
        account_key: Pubkey,
        account: &MarginAccount,
        liquidation_prices: bool,
    ) -> SdkResult<Instruction> {
        let mut metas = ballast::accounts::HealthReportAccounts { group: self.key, account: account_key }
            .to_account_metas(None);
        metas.extend(self.health_accounts(account, &[], false)?);
        Ok(ix(metas, ballast::instruction::HealthReport { liquidation_prices }.data()))
    }
}
