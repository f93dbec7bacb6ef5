//! Pyth pull oracle: `PriceUpdateV2` accounts posted by the Pyth receiver program.

use crate::error::BallastError;
use crate::risk::OracleReading;
use crate::state::AssetConfig;
use anchor_lang::prelude::*;
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;

/// The Pyth receiver program that owns every `PriceUpdateV2` account.
pub const PYTH_RECEIVER_PROGRAM_ID: Pubkey = pyth_solana_receiver_sdk::ID;

/// Byte layout of `PriceUpdateV2` (Anchor discriminator, then Borsh): write_authority (32),
/// verification_level (1 byte tag: 0 = Partial followed by num_signatures (1), 1 = Full), then the
/// price message: feed_id (32), price i64, conf u64, exponent i32, publish_time i64,
/// prev_publish_time i64, ema_price i64, ema_conf u64, then posted_slot u64. Read at fixed
/// offsets: the Borsh decoder costs several times more compute, and only Full updates are
/// accepted, so the message always starts at the same place.
const LEVEL_OFFSET: usize = 8 + 32;
const MESSAGE_OFFSET: usize = LEVEL_OFFSET + 1;
const MESSAGE_LEN: usize = 32 + 8 + 8 + 4 + 8 + 8 + 8 + 8;
const FULL: u8 = 1;
const PARTIAL: u8 = 0;

fn le<const N: usize>(data: &[u8], at: usize) -> [u8; N] {
    let mut out = [0u8; N];
    out.copy_from_slice(&data[at..at + N]);
    out
}

/// Pyth's push oracle program: the writer of every sponsored feed account.
pub const PYTH_PUSH_ORACLE_ID: Pubkey = pyth_solana_receiver_sdk::PYTH_PUSH_ORACLE_ID;

/// The sponsored price-feed account of `feed_id` on `shard`: the push oracle program's PDA,
/// owned by the receiver program. Only the push oracle writes it, and it refuses to post an
/// update older than the one it holds, so a caller cannot pick among old updates of the feed.
pub fn sponsored_feed_address(feed_id: &[u8; 32], shard: u16) -> Pubkey {
    Pubkey::find_program_address(&[&shard.to_le_bytes(), feed_id], &PYTH_PUSH_ORACLE_ID).0
}

/// A pull-oracle config that names no account pins the sponsored feed account (shard 0).
pub fn pin_default_account(config: &mut AssetConfig) {
    if config.oracle_kind == crate::state::OracleKind::PythPull as u8
        && config.oracle == Pubkey::default()
        && config.feed_id != [0; 32]
    {
        config.oracle = sponsored_feed_address(&config.feed_id, 0);
    }
}

pub fn read(config: &AssetConfig, key: &Pubkey, owner: &Pubkey, data: &[u8]) -> Result<OracleReading> {
    require_keys_eq!(*key, config.oracle, BallastError::OracleMismatch);
    require_keys_eq!(*owner, PYTH_RECEIVER_PROGRAM_ID, BallastError::OracleWrongOwner);
    require!(
        data.len() >= MESSAGE_OFFSET + MESSAGE_LEN + 8 && data[..8] == *PriceUpdateV2::DISCRIMINATOR,
        BallastError::OracleInvalidData
    );
    match data[LEVEL_OFFSET] {
        FULL => {}
        PARTIAL => return err!(BallastError::OracleNotFullyVerified),
        _ => return err!(BallastError::OracleInvalidData),
    }
    let m = MESSAGE_OFFSET;
    require!(data[m..m + 32] == config.feed_id, BallastError::OracleFeedIdMismatch);
    Ok(OracleReading {
        price: i64::from_le_bytes(le(data, m + 32)),
        conf: u64::from_le_bytes(le(data, m + 40)),
        exponent: i32::from_le_bytes(le(data, m + 48)),
        publish_time: i64::from_le_bytes(le(data, m + 52)),
        ema_price: i64::from_le_bytes(le(data, m + 68)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use pyth_solana_receiver_sdk::price_update::{PriceFeedMessage, VerificationLevel};

    fn bytes(level: VerificationLevel) -> Vec<u8> {
        let update = PriceUpdateV2 {
            write_authority: Pubkey::new_unique(),
            verification_level: level,
            price_message: PriceFeedMessage {
                feed_id: [7; 32],
                price: 12_345,
                conf: 67,
                exponent: -5,
                publish_time: 1_700_000_000,
                prev_publish_time: 1_699_999_999,
                ema_price: 12_000,
                ema_conf: 80,
            },
            posted_slot: 9,
        };
        let mut data = vec![];
        update.try_serialize(&mut data).unwrap();
        data.resize(PriceUpdateV2::LEN, 0);
        data
    }

    /// The fixed offsets read the same fields the Borsh decoder does.
    #[test]
    fn fixed_offsets_match_the_borsh_layout() {
        let key = Pubkey::new_unique();
        let config = AssetConfig { feed_id: [7; 32], oracle: key, ..bytemuck::Zeroable::zeroed() };
        let r = read(&config, &key, &PYTH_RECEIVER_PROGRAM_ID, &bytes(VerificationLevel::Full)).unwrap();
        assert_eq!(
            r,
            OracleReading {
                price: 12_345,
                conf: 67,
                ema_price: 12_000,
                exponent: -5,
                publish_time: 1_700_000_000
            }
        );
        let partial = bytes(VerificationLevel::Partial { num_signatures: 3 });
        assert!(read(&config, &key, &PYTH_RECEIVER_PROGRAM_ID, &partial).is_err());
        assert!(read(&config, &key, &Pubkey::new_unique(), &bytes(VerificationLevel::Full)).is_err());
        let other = AssetConfig { feed_id: [8; 32], ..config };
        assert!(read(&other, &key, &PYTH_RECEIVER_PROGRAM_ID, &bytes(VerificationLevel::Full)).is_err());
        assert!(
            read(&config, &key, &PYTH_RECEIVER_PROGRAM_ID, &bytes(VerificationLevel::Full)[..60]).is_err()
        );
        // another account with the same feed's update is not the pinned one
        let elsewhere = Pubkey::new_unique();
        assert!(
            read(&config, &elsewhere, &PYTH_RECEIVER_PROGRAM_ID, &bytes(VerificationLevel::Full)).is_err()
        );
    }
}
