//! A stand-in for a DAO or multisig program (SPL Governance, Squads): a native program whose
//! PDA `authority()` signs whatever instruction it relays, as those programs sign a passed
//! proposal's instructions with their treasury or vault PDA. The tests make that PDA Ballast's
//! admin, so governance is proven to work with an admin no key can sign for.

use anchor_lang::prelude::{AccountInfo, Pubkey};
use anchor_lang::solana_program::entrypoint::ProgramResult;
use anchor_lang::solana_program::program::invoke_signed;
use anchor_lang::solana_program::program_error::ProgramError;
use solana_instruction::{AccountMeta, Instruction};

pub const ID: Pubkey = Pubkey::from_str_const("DAoRe1ay11111111111111111111111111111111111");
pub const SEED: &[u8] = b"dao-vault";

/// The PDA that signs relayed instructions.
pub fn authority() -> Pubkey {
    Pubkey::find_program_address(&[SEED], &ID).0
}

/// Accounts: the target program, then the inner instruction's accounts; data: the inner data.
pub fn process(program_id: &Pubkey, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    let (target, inner) = accounts.split_first().ok_or(ProgramError::NotEnoughAccountKeys)?;
    let (pda, bump) = Pubkey::find_program_address(&[SEED], program_id);
    let metas = inner
        .iter()
        .map(|a| AccountMeta {
            pubkey: *a.key,
            is_signer: a.is_signer || *a.key == pda,
            is_writable: a.is_writable,
        })
        .collect();
    let ix = Instruction { program_id: *target.key, accounts: metas, data: data.to_vec() };
    invoke_signed(&ix, accounts, &[&[SEED, &[bump]]])
}

/// `inner` as the DAO would send it: through this program, with the PDA signing by seeds.
pub fn relay(inner: Instruction) -> Instruction {
    let pda = authority();
    let mut accounts = vec![AccountMeta::new_readonly(inner.program_id, false)];
    accounts.extend(inner.accounts.into_iter().map(|mut m| {
        if m.pubkey == pda {
            m.is_signer = false;
        }
        m
    }));
    Instruction { program_id: ID, accounts, data: inner.data }
}
