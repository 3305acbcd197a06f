//! R11: when a whole replacement unit is shipped, the claim's coverage moves to the new
//! unit's serial, and the old serial shows `replaced_by`.

use super::records::ClaimRecord;
use crate::audit::{self, AuditEvent};
use crate::coverage::chains;
use crate::coverage::devices::{self, DeviceRecord, parse_serial_field};
use crate::db::Tx;
use crate::http::problem::ApiError;
use anyhow::anyhow;
use care_rules::transfer::{ReplacementUnit, check_replacement_unit};
use care_rules::{ClaimOption, ClaimStatus, Refusal, Serial, Timestamp};
use serde_json::json;

/// Moves the claim's coverage to the unit `raw`, registering the unit if it is new.
pub async fn to_replacement(
    tx: &mut Tx,
    claim: &ClaimRecord,
    raw: &str,
    now: Timestamp,
) -> Result<Serial, ApiError> {
    if claim.option != Some(ClaimOption::CareRefresh) || claim.status != ClaimStatus::Paid {
        return Err(ApiError::field(
            Refusal::InvalidRequest,
            "replacement_serial",
            "only a paid Care Refresh replacement is a new unit",
        ));
    }
    let new = parse_serial_field(raw, "replacement_serial")?;
    let old =
        Serial::parse(&claim.serial).map_err(|_| anyhow!("claim {} has a bad serial", claim.id))?;
    // The old device first, in the order activations and filing lock devices: one
    // order, so two transactions never wait for each other.
    devices::find(tx, &old).await?;
    // An unknown unit is registered here. When another transfer registers the same
    // serial at the same moment (on PostgreSQL the insert waits for it), the unit is
    // judged as that one left it.
    let registered = match devices::find(tx, &new).await? {
        Some(_) => false,
        None => {
            devices::insert(
                tx,
                &DeviceRecord {
                    serial: new.clone(),
                    product_id: claim.product_id.clone(),
                    activated_at: None,
                    replaced_by: None,
                },
                now,
            )
            .await?
        }
    };
    let known = if registered {
        None
    } else {
        devices::find(tx, &new).await?
    };
    let unit = match &known {
        Some(device) => ReplacementUnit::Known {
            product_id: &device.product_id,
            has_coverage: chains::latest(tx, &new).await?.is_some(),
        },
        None => ReplacementUnit::Unknown,
    };
    // A refusal rolls the registration back with the rest of the step.
    check_replacement_unit(&old, &claim.product_id, &new, unit)?;
    let chain = claim
        .coverage_id
        .as_deref()
        .ok_or(Refusal::CoverageNotActive)?;
    chains::move_to(tx, chain, &new).await?;
    devices::set_replaced_by(tx, &old, &new).await?;
    audit::record(
        tx,
        &AuditEvent {
            actor: "system",
            action: "coverage.transferred",
            subject: &format!("device:{old}"),
            details: json!({"to": new, "claim": claim.id}),
        },
        now,
    )
    .await?;
    Ok(new)
}
