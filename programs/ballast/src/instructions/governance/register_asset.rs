use crate::error::{BallastError, IntoAnchor};
use crate::events::AssetRegistered;
use crate::oracle::pyth_pull::pin_default_account;
use crate::oracle::read_oracle;
use crate::state::{Asset, AssetConfig, Group, ASSET_SEED, VAULT_SEED};
use crate::validation::{validate_asset_config, MAX_MINT_DECIMALS};
use anchor_lang::prelude::*;
use anchor_spl::token_2022::spl_token_2022::extension::{
    BaseStateWithExtensions, ExtensionType, StateWithExtensions,
};
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

#[derive(Accounts)]
pub struct RegisterAsset<'info> {
    #[account(mut, constraint = group.load()?.admin == admin.key() @ BallastError::NotAdmin)]
    pub group: AccountLoader<'info, Group>,
    pub admin: Signer<'info>,
    #[account(mut)]
    pub payer: Signer<'info>,
    #[account(mint::token_program = token_program)]
    pub mint: InterfaceAccount<'info, Mint>,
    #[account(
        init,
        payer = payer,
        space = crate::state::ASSET_SIZE,
        seeds = [ASSET_SEED, group.key().as_ref(), mint.key().as_ref()],
        bump
    )]
    pub asset: AccountLoader<'info, Asset>,
    #[account(
        init,
        payer = payer,
        seeds = [VAULT_SEED, asset.key().as_ref()],
        bump,
        token::mint = mint,
        token::authority = asset,
        token::token_program = token_program
    )]
    pub vault: InterfaceAccount<'info, TokenAccount>,
    /// CHECK: validated against the config by `read_oracle` (owner, address or feed id, layout).
    pub oracle: UncheckedAccount<'info>,
    pub token_program: Interface<'info, TokenInterface>,
    pub system_program: Program<'info, System>,
}

/// Token-2022 extensions under which a transfer moves exactly the amount asked, the vault stays
/// in the program's control, and the mint stays the mint that was listed. Anything else is
/// refused: transfer fees, hooks, permanent delegates, confidential transfers, non-transferable,
/// default-frozen accounts; `MintCloseAuthority` (the mint could be closed at zero supply and a
/// new one created at the same address, with other decimals or a permanent delegate); and
/// `InterestBearingConfig` (its UI amount grows while raw amounts do not, and Pyth quotes per
/// UI unit, so raw amounts would be valued at the wrong price).
const ALLOWED_MINT_EXTENSIONS: &[ExtensionType] = &[
    ExtensionType::MetadataPointer,
    ExtensionType::TokenMetadata,
    ExtensionType::GroupPointer,
    ExtensionType::GroupMemberPointer,
];

fn check_mint_extensions(mint: &AccountInfo) -> Result<()> {
    if *mint.owner != anchor_spl::token_2022::ID {
        return Ok(());
    }
    let data = mint.try_borrow_data()?;
    let state = StateWithExtensions::<anchor_spl::token_2022::spl_token_2022::state::Mint>::unpack(&data)
        .map_err(|_| error!(BallastError::UnsupportedMintExtension))?;
    let types = state.get_extension_types().map_err(|_| error!(BallastError::UnsupportedMintExtension))?;
    for t in types {
        if !ALLOWED_MINT_EXTENSIONS.contains(&t) {
            msg!("unsupported mint extension {:?}", t);
            return err!(BallastError::UnsupportedMintExtension);
        }
    }
    Ok(())
}

pub fn register_asset(ctx: Context<RegisterAsset>, config: AssetConfig) -> Result<()> {
    let mut config = config;
    pin_default_account(&mut config);
    validate_asset_config(&config)?;
    require!(ctx.accounts.mint.decimals <= MAX_MINT_DECIMALS, BallastError::UnsupportedMintDecimals);
    // A structurally wrong oracle (owner, address, feed id, layout) is refused at listing time;
    // freshness is judged per action.
    let reading = read_oracle(&config, &ctx.accounts.oracle)?;
    check_mint_extensions(&ctx.accounts.mint.to_account_info())?;

    let now = Clock::get()?.unix_timestamp;
    let asset_index = {
        let mut group = ctx.accounts.group.load_mut()?;
        let index = group.asset_count;
        group.asset_count = index.checked_add(1).ok_or(BallastError::MathOverflow)?;
        index
    };
    let mut asset = ctx.accounts.asset.load_init()?;
    asset.group = ctx.accounts.group.key();
    asset.mint = ctx.accounts.mint.key();
    asset.token_program = ctx.accounts.token_program.key();
    asset.vault = ctx.accounts.vault.key();
    asset.decimals = ctx.accounts.mint.decimals;
    asset.asset_index = asset_index;
    asset.bump = ctx.bumps.asset;
    asset.vault_bump = ctx.bumps.vault;
    asset.deposit_index = crate::math::I80F48::ONE.into();
    asset.borrow_index = crate::math::I80F48::ONE.into();
    asset.last_accrual_ts = now;
    asset.oracle_last_publish_ts = reading.publish_time;
    asset.apply_config(&config).anchor()?;

    emit!(AssetRegistered {
        group: asset.group,
        asset: ctx.accounts.asset.key(),
        mint: asset.mint,
        token_program: asset.token_program,
        asset_index,
        decimals: asset.decimals,
        config,
    });
    Ok(())
}
