//! On-chain accounts. All are zero-copy with reserved space and compile-time size asserts.

pub mod asset;
pub mod fixed_bits;
pub mod group;
pub mod margin_account;
pub mod market;
pub mod proposal;

pub use asset::*;
pub use fixed_bits::FixedBits;
pub use group::*;
pub use margin_account::*;
pub use market::*;
pub use proposal::*;

#[cfg(test)]
mod tests {
    /// The sizes README.md quotes; a layout change must update both.
    #[test]
    fn account_sizes() {
        assert_eq!(super::Group::SIZE, 368);
        assert_eq!(super::ASSET_SIZE, 1104);
        assert_eq!(super::MARGIN_ACCOUNT_SIZE, 1408);
        assert_eq!(super::PROPOSAL_SIZE, 1392);
        assert_eq!(super::MARKET_SIZE, 936);
    }
}
