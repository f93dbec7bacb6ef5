//! I80F48 in account storage: 16 raw little-endian bytes, so the layout has alignment 1 on every
//! target (i128's alignment differs between x86_64 and SBF). The engine works on `I80F48`; this
//! wrapper is the program's storage concern and stays out of the engine crate.
use bytemuck::{Pod, Zeroable};

use crate::math::I80F48;

/// I80F48 stored as raw little-endian bytes (alignment 1, 16 bytes).
#[repr(C)]
#[derive(Clone, Copy, Default, PartialEq, Eq, Pod, Zeroable)]
pub struct FixedBits(pub [u8; 16]);

/// In the IDL: a tuple struct of 16 bytes (the bits of an I80F48, little-endian; value =
/// i128 / 2^48), laid out as bytemuck, so clients decode it as the program stores it.
#[cfg(feature = "idl-build")]
impl anchor_lang::IdlBuild for FixedBits {
    fn create_type() -> Option<anchor_lang::idl::types::IdlTypeDef> {
        use anchor_lang::idl::types::*;
        Some(IdlTypeDef {
            name: Self::get_full_path(),
            docs: vec!["I80F48 as the 16 little-endian bytes of its i128 bits (value = bits / 2^48)".into()],
            serialization: IdlSerialization::Bytemuck,
            repr: Some(IdlRepr::C(IdlReprModifier { packed: false, align: None })),
            generics: vec![],
            ty: IdlTypeDefTy::Struct {
                fields: Some(IdlDefinedFields::Tuple(vec![IdlType::Array(
                    Box::new(IdlType::U8),
                    IdlArrayLen::Value(16),
                )])),
            },
        })
    }
}

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
