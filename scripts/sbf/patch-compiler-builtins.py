# Patch solana-compiler-builtins (crates.io) for upstream LLVM's BPF backend and rustc 1.96.
#
# LLVM lowers i128 multiply/divide/remainder to libcalls (__multi3, __udivti3, __umodti3, __divti3,
# __modti3) with its own libcall ABI; rustc's `extern "C"` on bpf returns i128 through a hidden
# pointer instead, so a helper defined with it returns garbage. `extern "unadjusted"` gives LLVM's
# ABI. The crate defines the multiply and the unsigned helpers; the signed division helpers are
# missing (Rust's own compiler_builtins would supply them with the wrong ABI), so they are added here,
# on top of the crate's unsigned `udivmod128`. C semantics: the quotient truncates toward zero, the
# remainder takes the dividend's sign (Rust checks zero divisors and MIN / -1 before calling).
import re
import sys

p = sys.argv[1]
s = open(p).read()
names = ["__multi3", "__udivti3", "__umodti3"]
s, n = re.subn(r"pub unsafe fn (%s)\(" % "|".join(names), r'pub unsafe extern "unadjusted" fn \1(', s)
for name in names:
    assert re.search(r'extern "unadjusted" fn %s\(' % name, s), name
if "feature(abi_unadjusted)" not in s:
    s = '#![cfg_attr(target_arch = "bpf", feature(abi_unadjusted))]\n' + s
assert "fn udivmod128(" in s, "udivmod128 helper not found"
if "fn __divti3(" not in s:
    s += '''
#[cfg(target_arch = "bpf")]
#[cfg_attr(feature = "weak-linkage", linkage = "weak_odr")]
#[unsafe(no_mangle)]
pub unsafe extern "unadjusted" fn __divti3(n: i128, d: i128) -> i128 {
    let q = udivmod128(n.unsigned_abs(), d.unsigned_abs()).0 as i128;
    if (n < 0) != (d < 0) { q.wrapping_neg() } else { q }
}

#[cfg(target_arch = "bpf")]
#[cfg_attr(feature = "weak-linkage", linkage = "weak_odr")]
#[unsafe(no_mangle)]
pub unsafe extern "unadjusted" fn __modti3(n: i128, d: i128) -> i128 {
    let r = udivmod128(n.unsigned_abs(), d.unsigned_abs()).1 as i128;
    if n < 0 { r.wrapping_neg() } else { r }
}
'''
open(p, "w").write(s)
print("patched solana-compiler-builtins: unadjusted ABI for", names + ["__divti3", "__modti3"])
