//! SPL Token and Token-2022 instructions for mints and token accounts (the base layouts the two
//! programs share): the tests, the sandbox and the local validator's setup create their mints and
//! fund their wallets with these.

use anchor_lang::prelude::{Pubkey, Rent};
use solana_instruction::Instruction;
use solana_program_pack::Pack;

/// The SPL Token program (the other one these builders take is Token-2022).
pub const SPL_TOKEN: Pubkey = spl_token_interface::ID;

/// Creates `mint` (a new keypair's address, which must sign) under `token_program` and
/// initialises it with `authority` as mint authority and no freeze authority.
pub fn create_mint_ixs(
    rent: &Rent,
    payer: Pubkey,
    mint: Pubkey,
    token_program: Pubkey,
    authority: Pubkey,
    decimals: u8,
) -> [Instruction; 2] {
    let len = spl_token_interface::state::Mint::LEN;
    let init = if token_program == SPL_TOKEN {
        spl_token_interface::instruction::initialize_mint2(&token_program, &mint, &authority, None, decimals)
    } else {
        spl_token_2022_interface::instruction::initialize_mint2(
            &token_program,
            &mint,
            &authority,
            None,
            decimals,
        )
    }
    .unwrap();
    [
        solana_system_interface::instruction::create_account(
            &payer,
            &mint,
            rent.minimum_balance(len),
            len as u64,
            &token_program,
        ),
        init,
    ]
}

/// Creates `account` (a new keypair's address, which must sign) as a token account of `owner`
/// for `mint`.
pub fn create_token_account_ixs(
    rent: &Rent,
    payer: Pubkey,
    account: Pubkey,
    mint: Pubkey,
    owner: Pubkey,
    token_program: Pubkey,
) -> [Instruction; 2] {
    let len = spl_token_interface::state::Account::LEN;
    let init = if token_program == SPL_TOKEN {
        spl_token_interface::instruction::initialize_account3(&token_program, &account, &mint, &owner)
    } else {
        spl_token_2022_interface::instruction::initialize_account3(&token_program, &account, &mint, &owner)
    }
    .unwrap();
    [
        solana_system_interface::instruction::create_account(
            &payer,
            &account,
            rent.minimum_balance(len),
            len as u64,
            &token_program,
        ),
        init,
    ]
}

/// Mints `amount` of `mint` to `dest`, signed by the mint `authority`.
pub fn mint_to_ix(
    token_program: Pubkey,
    mint: Pubkey,
    dest: Pubkey,
    authority: Pubkey,
    amount: u64,
) -> Instruction {
    if token_program == SPL_TOKEN {
        spl_token_interface::instruction::mint_to(&token_program, &mint, &dest, &authority, &[], amount)
    } else {
        spl_token_2022_interface::instruction::mint_to(&token_program, &mint, &dest, &authority, &[], amount)
    }
    .unwrap()
}

/// The amount a token account's data holds (the base layout is the same in SPL Token and
/// Token-2022).
pub fn token_amount(data: &[u8]) -> u64 {
    spl_token_interface::state::Account::unpack_from_slice(&data[..spl_token_interface::state::Account::LEN])
        .unwrap()
        .amount
}
