//! `resource.Quantity.ScaledValue` (apimachinery `pkg/api/resource`:
//! `int64Amount.AsScaledInt64` in amount.go, `positiveScaleInt64` and
//! `negativeScaleInt64` in math.go, `scaledValue` in scale_int.go): a
//! quantity's value in units of `10^scale`, rounded up, as the int64 Go
//! computes. `MilliValue` and `Value` are this, and validation reads them
//! (an extended resource's whole-number test, hugepage sizes, the fractional
//! byte warnings), so a value beyond int64 passes or fails as Go's
//! wrap-around decides. Arithmetic only: it knows no quantity syntax.

/// `int64Amount{value, from}.AsScaledInt64(to)`. Scaling down rounds away
/// from zero (`negativeScaleInt64`); scaling up multiplies as
/// `positiveScaleInt64` does: by 10, 100, 1000, 10^6 or 10^9 in one product
/// that wraps on overflow, by any other power digit by digit, giving 0 on
/// overflow.
pub(crate) fn int64_amount(value: i64, from: i32, to: i32) -> i64 {
    if from < to {
        return negative_scale(value, to.abs_diff(from));
    }
    let up = from.abs_diff(to);
    match up {
        0 => value,
        _ if value == i64::MIN => 0,
        1 | 2 | 3 | 6 | 9 => value.wrapping_mul(10i64.pow(up)),
        _ => {
            let mut v = value;
            for _ in 0..up {
                match v.checked_mul(10) {
                    // Zero stays zero however far Go goes on.
                    Some(0) | None => return 0,
                    Some(next) => v = next,
                }
            }
            v
        }
    }
}

/// `negativeScaleInt64`: `value / 10^by`, rounded away from zero, at
/// least one unit of the sign when anything was cut.
fn negative_scale(value: i64, by: u32) -> i64 {
    let mut v = value;
    let mut fraction = false;
    for _ in 0..by {
        fraction |= v % 10 != 0;
        v /= 10;
        if v == 0 {
            return if fraction { value.signum() } else { 0 };
        }
    }
    if fraction { v + value.signum() } else { v }
}

/// `scaledValue(d.UnscaledBig(), d.Scale(), -to)` of the `inf.Dec` holding
/// `mantissa * 10^scale` with `digits` digits after the point (its unscaled
/// integer `mantissa * 10^(scale + digits)`, `scale + digits >= 0`): the
/// exact result truncated to its low 64 bits (`big.Int.Int64`), except that
/// Go divides a small unscaled value in int64s, truncating, and then adds
/// one for any remainder, which for a negative value is one above the
/// ceiling the big-integer path gives.
pub(crate) fn inf_dec(mantissa: i128, scale: i32, digits: i32, to: i32) -> i64 {
    let dif = digits + to;
    let exact = scale - to;
    if dif <= 0 || exact >= 0 {
        // A product: its low 64 bits are those of the wrapped product,
        // which stays 0 once 2^128 divides it.
        let mut v = mantissa;
        for _ in 0..exact.max(0) {
            v = v.wrapping_mul(10);
            if v == 0 {
                break;
            }
        }
        return v as i64;
    }
    let Some(divisor) = 10i128.checked_pow(exact.unsigned_abs()) else {
        // More than 38 digits cut: only the rounding unit is left.
        return i64::from(mantissa > 0);
    };
    let unscaled = 10i128
        .checked_pow((scale + digits).unsigned_abs())
        .and_then(|p| mantissa.checked_mul(p));
    let fast = dif < 19 && unscaled.is_some_and(|u| u.abs() < i128::from(i64::MAX));
    let quotient = if mantissa % divisor == 0 {
        mantissa / divisor
    } else if fast {
        mantissa / divisor + 1
    } else {
        // `big.Int.DivMod` floors; Go adds one: the ceiling.
        mantissa.div_euclid(divisor) + 1
    };
    quotient as i64
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    /// Milli units of an int64 amount: exact where it fits; from units the
    /// product by 1000 wraps; from `E` (10^18) Go multiplies digit by digit
    /// and gives 0.
    #[rstest]
    #[case(2, 0, 2000)]
    #[case(1, -4, 1)]
    #[case(-5, -1, -500)]
    #[case(15, -4, 2)]
    #[case(-15, -4, -2)]
    #[case(999_999_999_999_999_999, 0, 3_875_820_019_684_211_736)]
    #[case(10, 18, 0)]
    #[case(i64::MIN, 0, 0)]
    fn int64_amounts_in_milli_units(#[case] value: i64, #[case] scale: i32, #[case] milli: i64) {
        assert_eq!(int64_amount(value, scale, -3), milli);
    }

    /// Milli units of an `inf.Dec`: 10^19 as parsed (9 digits) wraps to the
    /// low 64 bits of 10^22; the capped binary maximum (0 digits) wraps in
    /// one product; a small negative fraction goes through Go's int64
    /// division and comes out one above its ceiling.
    #[rstest]
    #[case(1, 19, 9, 1_864_712_049_423_024_128)]
    #[case(9_999_999_999_999_999_999, 0, 9, 1_864_712_049_423_023_128)]
    #[case(i128::from(i64::MAX), 0, 0, -1000)]
    #[case(1, -9, 9, 1)]
    #[case(-1, -9, 9, 1)]
    #[case(-1, -3, 3, -1)]
    #[case(-15, 20, 9, -3_005_646_307_810_344_960)]
    fn inf_decs_in_milli_units(
        #[case] mantissa: i128,
        #[case] scale: i32,
        #[case] digits: i32,
        #[case] milli: i64,
    ) {
        assert_eq!(inf_dec(mantissa, scale, digits, -3), milli);
    }

    /// Units, rounded up: the big-integer path takes the ceiling.
    #[test]
    fn inf_decs_in_units() {
        assert_eq!(inf_dec(-15, 18, 9, 0), 3_446_744_073_709_551_616);
        assert_eq!(inf_dec(15, -1, 9, 0), 2);
        assert_eq!(inf_dec(-15, -1, 9, 0), 0);
        assert_eq!(
            inf_dec(-15_000_000_000_000_000_001, -1, 9, 0),
            -1_500_000_000_000_000_000
        );
    }
}
