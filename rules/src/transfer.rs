//! R11: when a whole replacement unit is shipped, the coverage moves to its serial.

use crate::refusal::{FieldRefusal, Refusal};
use crate::serial::Serial;

/// What the records say of the serial a coverage would move to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplacementUnit<'a> {
    /// Not known yet: a new unit from stock.
    Unknown,
    Known {
        product_id: &'a str,
        has_coverage: bool,
    },
}

/// Checks that the coverage of `old` (a `product_id` device) can move to `new`: another
/// serial, of the same product, with no plan of its own.
pub fn check_replacement_unit(
    old: &Serial,
    product_id: &str,
    new: &Serial,
    unit: ReplacementUnit<'_>,
) -> Result<(), FieldRefusal> {
    let refuse = |r| Err(FieldRefusal::new("replacement_serial", r));
    if new == old {
        return refuse(Refusal::InvalidRequest);
    }
    match unit {
        ReplacementUnit::Unknown => Ok(()),
        ReplacementUnit::Known { product_id: p, .. } if p != product_id => {
            refuse(Refusal::CodeProductMismatch)
        }
        ReplacementUnit::Known {
            has_coverage: true, ..
        } => refuse(Refusal::InvalidRequest),
        ReplacementUnit::Known { .. } => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serial(s: &str) -> Serial {
        Serial::parse(s).expect("valid serial")
    }

    #[test]
    fn moves_to_a_new_or_uncovered_unit_of_the_same_product() {
        let old = serial("OLD0000001");
        let new = serial("NEW0000001");
        assert_eq!(
            check_replacement_unit(&old, "osmo-360", &new, ReplacementUnit::Unknown),
            Ok(())
        );
        let known = ReplacementUnit::Known {
            product_id: "osmo-360",
            has_coverage: false,
        };
        assert_eq!(
            check_replacement_unit(&old, "osmo-360", &new, known),
            Ok(())
        );
    }

    #[test]
    fn refuses_the_same_serial_another_product_or_a_covered_unit() {
        let old = serial("OLD0000001");
        let new = serial("NEW0000001");
        let same = check_replacement_unit(&old, "osmo-360", &old, ReplacementUnit::Unknown);
        assert_eq!(same.map_err(|e| e.refusal), Err(Refusal::InvalidRequest));
        let other = ReplacementUnit::Known {
            product_id: "rs-3",
            has_coverage: false,
        };
        let err = check_replacement_unit(&old, "osmo-360", &new, other).expect_err("other product");
        assert_eq!(
            err,
            FieldRefusal::new("replacement_serial", Refusal::CodeProductMismatch)
        );
        let covered = ReplacementUnit::Known {
            product_id: "osmo-360",
            has_coverage: true,
        };
        assert!(check_replacement_unit(&old, "osmo-360", &new, covered).is_err());
    }
}
