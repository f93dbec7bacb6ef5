//! Pyth pull oracle: `PriceUpdateV2` accounts posted by the Pyth receiver program.

use crate::error::BallastError;
use crate::risk::OracleReading;
use crate::state::AssetConfig;
use anchor_lang::prelude::*;
use pyth_solana_receiver_sdk::price_update::{PriceUpdateV2, VerificationLevel};

/// The Pyth receiver program that owns every `PriceUpdateV2` account.
pub const PYTH_RECEIVER_PROGRAM_ID: Pubkey = pyth_solana_receiver_sdk::ID;

pub fn read(config: &AssetConfig, owner: &Pubkey, data: &[u8]) -> Result<OracleReading> {
    require_keys_eq!(*owner, PYTH_RECEIVER_PROGRAM_ID, BallastError::OracleWrongOwner);
    // Checks the Anchor discriminator and the Borsh layout (the verification level enum makes
    // the layout variable-length, so no fixed offsets).
    let update = PriceUpdateV2::try_deserialize(&mut &data[..])
        .map_err(|_| error!(BallastError::OracleInvalidData))?;
    require!(update.verification_level == VerificationLevel::Full, BallastError::OracleNotFullyVerified);
    let msg = &update.price_message;
    require!(msg.feed_id == config.feed_id, BallastError::OracleFeedIdMismatch);
    Ok(OracleReading {
        price: msg.price,
        conf: msg.conf,
        ema_price: msg.ema_price,
        exponent: msg.exponent,
        publish_time: msg.publish_time,
    })
}
