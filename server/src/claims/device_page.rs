//! `GET /api/staff/devices/{serial}`: a device as any staff member sees it: its coverage,
//! the replacements ledger, its claims and the audit trail of everything that changed it.

use super::{item, records};
use crate::audit;
use crate::coverage::DeviceState;
use crate::coverage::chains;
use crate::coverage::devices::parse_serial;
use crate::http::problem::ApiError;
use crate::staff::StaffUser;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use care_rules::api::{AuditEntry, LedgerEntry, StaffDevice};

#[utoipa::path(get, path = "/api/staff/devices/{serial}", tag = "staff",
    params(("serial" = String, Path)),
    responses(
        (status = 200, body = StaffDevice),
        (status = 401, description = "`unauthorized`"),
        (status = 404, description = "`device_not_found`"),
        (status = 422, description = "`invalid_serial`"),
    ))]
pub(super) async fn device(
    State(state): State<AppState>,
    _user: StaffUser,
    Path(serial): Path<String>,
) -> Result<Json<StaffDevice>, ApiError> {
    let serial = parse_serial(&serial)?;
    let mut tx = state.db.read().await?;
    let device = DeviceState::load(&mut tx, &serial).await?;
    let ledger = match &device.coverage {
        Some(chain) => chains::ledger(&mut tx, &chain.id).await?,
        None => Vec::new(),
    };
    let found = records::list(&mut tx, None, Some(serial.as_str())).await?;
    let mut subjects = vec![format!("device:{serial}")];
    subjects.extend(found.iter().map(|c| super::audit_subject(&c.id)));
    let trail = audit::trail(&mut tx, &subjects).await?;
    Ok(Json(StaffDevice {
        device: device.device_document(state.clock.now()),
        ledger: ledger
            .into_iter()
            .map(|e| LedgerEntry {
                number: e.number,
                fee_grosze: e.fee,
                claim_id: e.claim_id,
                at: e.at,
            })
            .collect(),
        claims: found.iter().map(item).collect(),
        audit: trail
            .into_iter()
            .map(|a| AuditEntry {
                at: a.at,
                actor: a.actor,
                action: a.action,
                subject: a.subject,
                details: a.details,
            })
            .collect(),
    }))
}
