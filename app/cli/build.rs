//! Generates the CLI's table of program errors from the program's own source: the variants of
//! `BallastError` in declaration order (Anchor's `#[error_code]` gives variant N the code
//! 6000 + N and generates no way back from a code), so the table is never kept by hand.

use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let source = manifest.join("../../programs/ballast/src/error.rs");
    println!("cargo:rerun-if-changed={}", source.display());
    let text = std::fs::read_to_string(&source).unwrap_or_else(|e| panic!("{}: {e}", source.display()));
    let list: String =
        enum_variants(&text, "BallastError").iter().map(|v| format!("    BallastError::{v},\n")).collect();
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("ballast_errors.rs");
    std::fs::write(out, format!("&[\n{list}]\n")).unwrap();
}

/// The variant names of the unit-only `pub enum <name>` in `text`, skipping attributes (with
/// their string literals) and comments. Anything but `Name,` panics, so a change of syntax the
/// table cannot follow stops the build instead of shifting codes.
fn enum_variants(text: &str, name: &str) -> Vec<String> {
    let head = format!("pub enum {name} {{");
    let start = text.find(&head).unwrap_or_else(|| panic!("`{head}` not found")) + head.len();
    let mut body = String::new();
    let mut chars = text[start..].chars().peekable();
    let mut attribute_depth = 0usize;
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                // a string literal (only attributes hold them): skip to its closing quote
                while let Some(s) = chars.next() {
                    match s {
                        '\\' => {
                            chars.next();
                        }
                        '"' => break,
                        _ => {}
                    }
                }
            }
            '/' if chars.peek() == Some(&'/') => {
                for s in chars.by_ref() {
                    if s == '\n' {
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                let mut last = ' ';
                for s in chars.by_ref() {
                    if last == '*' && s == '/' {
                        break;
                    }
                    last = s;
                }
            }
            '#' if attribute_depth == 0 && chars.peek() == Some(&'[') => {}
            '[' => attribute_depth += 1,
            ']' => attribute_depth -= 1,
            '}' if attribute_depth == 0 => break,
            _ if attribute_depth == 0 => body.push(c),
            _ => {}
        }
    }
    let variants: Vec<String> =
        body.split(',').map(str::trim).filter(|v| !v.is_empty()).map(str::to_string).collect();
    for v in &variants {
        assert!(
            v.chars().next().is_some_and(|c| c.is_ascii_uppercase())
                && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "{name}: cannot read variant `{v}` (only unit variants without explicit codes are supported)"
        );
    }
    assert!(!variants.is_empty(), "{name} has no variants");
    variants
}
