//! The local validator's stand-in for Pyth's receiver program (`rec5EKMG…`).
//!
//! On a real cluster a `PriceUpdateV2` account is owned by the receiver, which rewrites it when its
//! write authority posts a Wormhole-verified update. A local validator has no Wormhole guardians,
//! so this program is deployed at the receiver's address instead (`scripts/localnet/start.sh`): the
//! price accounts keep their real owner and their real bytes, and their write authority (the
//! localnet's oracle key) overwrites them with `update`. Ballast reads them exactly as on mainnet.
//!
//! One instruction, no discriminator: accounts `[price_update (writable), write_authority
//! (signer)]`, data the account's new bytes. The length, the Anchor discriminator and the write
//! authority (the first 40 bytes) must stay as they are; the rest (the verification level and the
//! price message, feed id included) is the authority's to write, as the receiver's updates are. Never deploy
//! this anywhere but a local validator.

// The integer and memory helpers LLVM calls on the chain (memcpy and friends).
#[cfg(target_os = "solana")]
use solana_compiler_builtins as _;

use solana_account_info::AccountInfo;
use solana_instruction::{AccountMeta, Instruction};
use solana_program_error::{ProgramError, ProgramResult};
use solana_pubkey::Pubkey;

#[cfg(not(feature = "no-entrypoint"))]
solana_program_entrypoint::entrypoint!(process_instruction);

/// Anchor discriminator (8) then the write authority (32): the bytes an update must keep.
pub const FIXED_PREFIX: usize = 40;

/// Why an update is refused (the transaction's custom error code is the discriminant).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum UpdateError {
    /// The instruction names fewer than two accounts.
    MissingAccounts = 0,
    /// The price account is not owned by this program.
    NotOwned = 1,
    /// The price account is not writable.
    NotWritable = 2,
    /// The write authority did not sign.
    MissingSignature = 3,
    /// The signer is not the account's write authority.
    WrongAuthority = 4,
    /// The new bytes are not the account's length.
    WrongLength = 5,
    /// The new bytes change the discriminator or the write authority.
    PrefixChanged = 6,
}

impl From<UpdateError> for ProgramError {
    fn from(e: UpdateError) -> ProgramError {
        ProgramError::Custom(e as u32)
    }
}

/// The rule: `signer` may replace `current` with `new` when it is the write authority recorded in
/// `current` and `new` keeps the length and the first [`FIXED_PREFIX`] bytes.
pub fn check_update(current: &[u8], new: &[u8], signer: &Pubkey) -> Result<(), UpdateError> {
    if current.len() < FIXED_PREFIX || current[8..FIXED_PREFIX] != signer.to_bytes() {
        return Err(UpdateError::WrongAuthority);
    }
    if new.len() != current.len() {
        return Err(UpdateError::WrongLength);
    }
    if new[..FIXED_PREFIX] != current[..FIXED_PREFIX] {
        return Err(UpdateError::PrefixChanged);
    }
    Ok(())
}

pub fn process_instruction(program_id: &Pubkey, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    let [price, authority, ..] = accounts else {
        return Err(UpdateError::MissingAccounts.into());
    };
    if price.owner != program_id {
        return Err(UpdateError::NotOwned.into());
    }
    if !price.is_writable {
        return Err(UpdateError::NotWritable.into());
    }
    if !authority.is_signer {
        return Err(UpdateError::MissingSignature.into());
    }
    let mut bytes = price.try_borrow_mut_data()?;
    check_update(&bytes, data, authority.key)?;
    bytes.copy_from_slice(data);
    Ok(())
}

/// The update instruction: `price_account` gets `new_data`, signed by its `write_authority`.
pub fn update(
    program_id: Pubkey,
    price_account: Pubkey,
    write_authority: Pubkey,
    new_data: Vec<u8>,
) -> Instruction {
    Instruction {
        program_id,
        accounts: vec![
            AccountMeta::new(price_account, false),
            AccountMeta::new_readonly(write_authority, true),
        ],
        data: new_data,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(authority: &Pubkey, price: u8) -> Vec<u8> {
        let mut d = vec![7u8; 134];
        d[8..40].copy_from_slice(&authority.to_bytes());
        d[100] = price;
        d
    }

    #[test]
    fn only_the_write_authority_changes_only_the_price() {
        let (me, other) = (Pubkey::new_unique(), Pubkey::new_unique());
        let current = account(&me, 1);
        assert_eq!(check_update(&current, &account(&me, 2), &me), Ok(()));
        assert_eq!(check_update(&current, &account(&me, 2), &other), Err(UpdateError::WrongAuthority));
        assert_eq!(check_update(&current, &account(&other, 2), &me), Err(UpdateError::PrefixChanged));
        let mut new_discriminator = account(&me, 2);
        new_discriminator[0] = 0;
        assert_eq!(check_update(&current, &new_discriminator, &me), Err(UpdateError::PrefixChanged));
        assert_eq!(check_update(&current, &account(&me, 2)[..100], &me), Err(UpdateError::WrongLength));
        assert_eq!(check_update(&current[..20], &current[..20], &me), Err(UpdateError::WrongAuthority));
    }
}
