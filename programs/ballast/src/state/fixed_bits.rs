//! I80F48 in account storage: 16 raw little-endian bytes, so the layout has alignment 1 on every
//! target (i128's alignment differs between x86_64 and SBF). The engine works on `I80F48`; this
//! wrapper is the program's storage concern and stays out of the engine crate.
use bytemuck::{Pod, Zeroable};

use crate::math::I80F48;

/// I80F48 stored as raw little-endian bytes (alignment 1, 16 bytes).
#[repr(C)]
#[derive(Clone, Copy, Default, PartialEq, Eq, Pod, Zeroable)]
pub struct FixedBits(pub [u8; 16]);

impl FixedBits {
    pub const ZERO: FixedBits = FixedBits([0; 16]);

    #[inline]
    pub fn get(&self) -> I80F48 {
        I80F48::from_bits(i128::from_le_bytes(self.0))
    }

    #[inline]
    pub fn set(&mut self, value: I80F48) {
        self.0 = value.to_bits().to_le_bytes();
    }
}

impl From<I80F48> for FixedBits {
    fn from(value: I80F48) -> Self {
        FixedBits(value.to_bits().to_le_bytes())
    }
}

impl core::fmt::Debug for FixedBits {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}", self.get())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_bits_round_trip() {
        let v = I80F48::from_num(-1234.5);
        let mut bits = FixedBits::ZERO;
        bits.set(v);
        assert_eq!(bits.get(), v);
        assert_eq!(core::mem::align_of::<FixedBits>(), 1);
    }
}
