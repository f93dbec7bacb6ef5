//! Decimal amounts in UI units (whole tokens, USD) to and from the program's native units,
//! exactly: amounts are parsed as decimal strings, never through floating point.

use crate::error::{CliError, CliResult};
use ballast_sdk::ballast::math::I80F48;
use ballast_sdk::ballast::risk::{to_native_price, QUOTE_DECIMALS};
use serde::{Deserialize, Serialize};

/// A decimal number: `mantissa * 10^-scale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decimal {
    pub mantissa: i128,
    pub scale: u32,
}

impl Decimal {
    /// Parses `-12_345.678`-style text (digits, one optional point, `_` separators, a sign).
    pub fn parse(text: &str) -> CliResult<Decimal> {
        let bad = || CliError::input(format!("`{text}` is not a decimal number"));
        let t = text.trim().replace('_', "");
        let (negative, digits) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t.strip_prefix('+').unwrap_or(&t)),
        };
        let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
        if (int.is_empty() && frac.is_empty()) || !int.chars().chain(frac.chars()).all(|c| c.is_ascii_digit())
        {
            return Err(bad());
        }
        let frac = frac.trim_end_matches('0');
        let mut mantissa: i128 = 0;
        for c in int.chars().chain(frac.chars()) {
            mantissa = mantissa
                .checked_mul(10)
                .and_then(|m| m.checked_add(i128::from(c as u8 - b'0')))
                .ok_or_else(|| CliError::input(format!("`{text}` is too large")))?;
        }
        Ok(Decimal { mantissa: if negative { -mantissa } else { mantissa }, scale: frac.len() as u32 })
    }

    /// In units of `10^-decimals` (native token units); refuses digits the token cannot hold.
    pub fn to_units(&self, decimals: u8) -> CliResult<i128> {
        let decimals = u32::from(decimals);
        if self.scale > decimals {
            return Err(CliError::input(format!(
                "{} has more decimal places than the token's {decimals}",
                self
            )));
        }
        10i128
            .checked_pow(decimals - self.scale)
            .and_then(|p| self.mantissa.checked_mul(p))
            .ok_or_else(|| CliError::input(format!("{self} is too large")))
    }

    /// A price in USD per whole token as quote-native units per native unit, with the program's
    /// own conversion (`risk::to_native_price`, as for an oracle's `value * 10^exponent`).
    pub fn to_native_price(&self, token_decimals: u8) -> CliResult<I80F48> {
        let value = i64::try_from(self.mantissa)
            .map_err(|_| CliError::input(format!("price {self} is too large")))?;
        let exponent =
            -i32::try_from(self.scale).map_err(|_| CliError::input("price has too many decimals"))?;
        to_native_price(value, exponent, token_decimals)
            .map_err(|_| CliError::input(format!("price {self} overflows")))
    }
}

impl std::fmt::Display for Decimal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&format_units(self.mantissa, self.scale))
    }
}

/// `units * 10^-decimals` as text with trailing zeros trimmed (`1500000000, 9` -> `1.5`).
pub fn format_units(units: i128, decimals: u32) -> String {
    let sign = if units < 0 { "-" } else { "" };
    let abs = units.unsigned_abs();
    let p = 10u128.pow(decimals);
    let int = abs / p;
    let frac = abs % p;
    if frac == 0 {
        return format!("{sign}{int}");
    }
    let frac = format!("{frac:0width$}", width = decimals as usize);
    format!("{sign}{int}.{}", frac.trim_end_matches('0'))
}

/// A native balance (possibly fractional, as share balances are) in UI units, rounded toward
/// zero to the token's decimals.
pub fn format_native(native: I80F48, decimals: u8) -> String {
    let units: i128 = native.to_num::<i128>(); // truncates toward zero
    format_units(units, u32::from(decimals))
}

/// Quote-native units (micro-USD) as USD.
pub fn usd(value: I80F48) -> f64 {
    value.to_num::<f64>() / 10f64.powi(QUOTE_DECIMALS)
}

/// Quote-native per native unit as USD per whole token.
pub fn usd_per_token(price: I80F48, decimals: u8) -> f64 {
    price.to_num::<f64>() * 10f64.powi(i32::from(decimals) - QUOTE_DECIMALS)
}

/// A number given in a file as a number or as a string (strings keep every digit exact; a TOML
/// or JSON float is read as the shortest decimal that round-trips, e.g. `0.1` is 0.1).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(untagged)]
pub enum Number {
    Int(i64),
    Float(f64),
    Text(String),
}

impl Number {
    pub fn decimal(&self) -> CliResult<Decimal> {
        match self {
            Number::Int(i) => Ok(Decimal { mantissa: i128::from(*i), scale: 0 }),
            Number::Float(f) => Decimal::parse(&format!("{f}")),
            Number::Text(t) => Decimal::parse(t),
        }
    }
}

/// An amount on the command line: a UI amount or `all`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Amount {
    Ui(Decimal),
    All,
}

impl std::str::FromStr for Amount {
    type Err = String;
    fn from_str(s: &str) -> Result<Amount, String> {
        if s.eq_ignore_ascii_case("all") || s.eq_ignore_ascii_case("max") {
            return Ok(Amount::All);
        }
        let d = Decimal::parse(s).map_err(|e| e.to_string())?;
        if d.mantissa <= 0 {
            return Err(format!("amount must be positive, got {s}"));
        }
        Ok(Amount::Ui(d))
    }
}

impl Amount {
    /// Native units for a token with `decimals`.
    pub fn native(&self, decimals: u8) -> CliResult<Option<u64>> {
        match self {
            Amount::All => Ok(None),
            Amount::Ui(d) => {
                let units = d.to_units(decimals)?;
                u64::try_from(units).map(Some).map_err(|_| CliError::input(format!("{d} is out of range")))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_exactly() {
        assert_eq!(Decimal::parse("1.5").unwrap().to_units(9).unwrap(), 1_500_000_000);
        assert_eq!(Decimal::parse("-0.000001").unwrap().to_units(6).unwrap(), -1);
        assert_eq!(Decimal::parse("1_000").unwrap().to_units(6).unwrap(), 1_000_000_000);
        assert_eq!(Decimal::parse("2.50").unwrap(), Decimal { mantissa: 25, scale: 1 });
        assert!(Decimal::parse("0.0000001").unwrap().to_units(6).is_err());
        assert!(Decimal::parse("1.2.3").is_err());
        assert!(Decimal::parse("").is_err());
        assert!(Decimal::parse("abc").is_err());
        assert_eq!(Number::Float(0.1).decimal().unwrap(), Decimal { mantissa: 1, scale: 1 });
    }

    #[test]
    fn prices_match_the_oracle_conversion() {
        // $150 SOL (9 dp) is 0.15 micro-USD per lamport, as `to_native_price(15e9, -8, 9)`.
        assert_eq!(Decimal::parse("150").unwrap().to_native_price(9).unwrap(), I80F48::from_num(0.15));
        assert_eq!(Decimal::parse("1.00").unwrap().to_native_price(6).unwrap(), I80F48::ONE);
    }

    #[test]
    fn formats() {
        assert_eq!(format_units(1_500_000_000, 9), "1.5");
        assert_eq!(format_units(-2_000_000, 6), "-2");
        assert_eq!(format_units(5, 6), "0.000005");
        assert_eq!(format_native(I80F48::from_num(2_499_999_999.7), 9), "2.499999999");
        assert_eq!("all".parse::<Amount>().unwrap(), Amount::All);
        assert!("-1".parse::<Amount>().is_err());
    }
}
