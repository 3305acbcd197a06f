//! The string forms of the rules' enums, as they travel in JSON, URLs, CSV files and
//! the database: written out once per variant in a table, and the same for serde
//! (checked by a test of each enum).

/// Implements `ALL`, `as_str`, `parse` and `Display` for an enum from its table of
/// variants and names. Serde keeps its own derive; each enum's test checks that serde
/// writes exactly these names.
#[macro_export]
macro_rules! wire_names {
    ($ty:ident { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $ty {
            /// Every variant, in the table's order.
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            /// The name on the wire.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($ty::$variant => $name),+
                }
            }

            /// The variant of a name on the wire.
            pub fn parse(name: &str) -> Option<$ty> {
                match name {
                    $($name => Some($ty::$variant),)+
                    _ => None,
                }
            }
        }

        impl ::core::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// For tests: serde writes and reads each variant of `all` as `as_str` names it.
#[cfg(test)]
pub(crate) fn assert_serde_agrees<T>(all: &[T], as_str: fn(T) -> &'static str)
where
    T: Copy + std::fmt::Debug + PartialEq + serde::Serialize + serde::de::DeserializeOwned,
{
    for &variant in all {
        let json = serde_json::to_string(&variant).expect("serialises");
        assert_eq!(json, format!("\"{}\"", as_str(variant)), "{variant:?}");
        let back: T = serde_json::from_str(&json).expect("parses");
        assert_eq!(back, variant);
    }
}

#[cfg(test)]
mod tests {
    use super::assert_serde_agrees;
    use crate::{CoverageStatus, Plan, RejectReason, Role, VerificationStatus, WarrantyReward};

    #[test]
    fn serde_writes_the_names_of_the_tables() {
        assert_serde_agrees(Plan::ALL, Plan::as_str);
        assert_serde_agrees(CoverageStatus::ALL, CoverageStatus::as_str);
        assert_serde_agrees(WarrantyReward::ALL, WarrantyReward::as_str);
        assert_serde_agrees(VerificationStatus::ALL, VerificationStatus::as_str);
        assert_serde_agrees(RejectReason::ALL, RejectReason::as_str);
        assert_serde_agrees(Role::ALL, Role::as_str);
        assert_eq!(Plan::parse("two-year"), Some(Plan::TwoYear));
        assert_eq!(Role::parse("admin"), None);
    }
}
