//! `/api/staff/claims` and `/api/staff/devices`: the service team's side of claims
//! (role `service`), and the device page any staff member may read.

use crate::claims::{self, StaffStep};
use crate::coverage::{DeviceState, parse_serial};
use crate::extract::ApiJson;
use crate::problem::ApiError;
use crate::staff::StaffUser;
use crate::state::AppState;
use crate::storage::Role;
use axum::Json;
use axum::extract::{Path, Query, State};
use care_rules::api::{
    AuditEntry, ClaimItem, LedgerEntry, Problem, QuoteRequest, ReasonRequest, ShipRequest,
    StaffClaim, StaffDevice,
};
use care_rules::{ClaimStatus, Refusal};
use serde::Deserialize;

#[derive(Deserialize, utoipa::IntoParams)]
pub struct StatusFilter {
    /// Only claims in this status.
    status: Option<ClaimStatus>,
}

/// The claim queue, oldest first; personal data masked.
#[utoipa::path(get, path = "/api/staff/claims", tag = "staff",
    params(StatusFilter),
    responses((status = 200, body = Vec<ClaimItem>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn queue(
    State(state): State<AppState>,
    user: StaffUser,
    Query(filter): Query<StatusFilter>,
) -> Result<Json<Vec<ClaimItem>>, ApiError> {
    user.require(Role::Service)?;
    let mut tx = state.store.read().await?;
    let found = tx.claims(filter.status, None).await?;
    Ok(Json(found.iter().map(claims::item).collect()))
}

/// A claim with the owner's contact and address, and the steps its status allows.
#[utoipa::path(get, path = "/api/staff/claims/{id}", tag = "staff",
    params(("id" = String, Path)),
    responses((status = 200, body = StaffClaim), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn claim(
    State(state): State<AppState>,
    user: StaffUser,
    Path(id): Path<String>,
) -> Result<Json<StaffClaim>, ApiError> {
    user.require(Role::Service)?;
    let mut tx = state.store.read().await?;
    let claim = tx.claim(&id).await?.ok_or(Refusal::NotFound)?;
    Ok(Json(claims::staff_view(tx.as_mut(), &claim).await?))
}

/// The body of a step without one: `{}`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoFields {}

macro_rules! step_route {
    ($name:ident, $path:literal, $body:ty, $doc:literal, |$value:ident| $step:expr) => {
        #[doc = $doc]
        #[utoipa::path(post, path = $path, tag = "staff",
            params(("id" = String, Path)),
            request_body = $body,
            responses(
                (status = 200, body = StaffClaim),
                (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
                (status = 409, body = Problem, description = "`invalid_state`, naming the current state"),
                (status = 422, body = Problem),
            ))]
        pub async fn $name(
            State(state): State<AppState>,
            user: StaffUser,
            Path(id): Path<String>,
            body: ApiJson<$body>,
        ) -> Result<Json<StaffClaim>, ApiError> {
            let $value = body.value;
            Ok(Json(claims::staff_step(&state, &user, &id, $step).await?))
        }
    };
}

step_route!(
    receive,
    "/api/staff/claims/{id}/receive",
    NoFields,
    "The device arrived at the service centre.",
    |_v| StaffStep::Receive
);
step_route!(
    quote,
    "/api/staff/claims/{id}/quote",
    QuoteRequest,
    "The repair price and a note; the owner is emailed.",
    |v| StaffStep::Quote {
        amount: v.amount_grosze,
        note: v.note
    }
);
step_route!(
    warranty,
    "/api/staff/claims/{id}/warranty",
    NoFields,
    "A warranty case: no charge, no replacement used.",
    |_v| StaffStep::Warranty
);
step_route!(
    decline,
    "/api/staff/claims/{id}/decline",
    ReasonRequest,
    "Declined, with the reason the owner reads.",
    |v| StaffStep::Decline { reason: v.reason }
);
step_route!(
    payment,
    "/api/staff/claims/{id}/payment",
    NoFields,
    "The payment arrived; a Care Refresh claim counts its replacement (R7, R8).",
    |_v| StaffStep::Pay
);
step_route!(
    ship,
    "/api/staff/claims/{id}/ship",
    ShipRequest,
    "Shipped with tracking; a replacement unit's serial takes over the coverage (R11).",
    |v| StaffStep::Ship {
        tracking: v.tracking,
        replacement_serial: v.replacement_serial
    }
);
step_route!(
    close,
    "/api/staff/claims/{id}/close",
    NoFields,
    "Closes a shipped claim.",
    |_v| StaffStep::Close
);

/// A device for staff: its coverage, the replacements ledger, its claims and the audit
/// trail of everything that changed it.
#[utoipa::path(get, path = "/api/staff/devices/{serial}", tag = "staff",
    params(("serial" = String, Path)),
    responses((status = 200, body = StaffDevice), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn device(
    State(state): State<AppState>,
    _user: StaffUser,
    Path(serial): Path<String>,
) -> Result<Json<StaffDevice>, ApiError> {
    let serial = parse_serial(&serial)?;
    let mut tx = state.store.read().await?;
    let device = DeviceState::load(tx.as_mut(), &serial).await?;
    let ledger = match &device.coverage {
        Some(chain) => tx.ledger(&chain.id).await?,
        None => Vec::new(),
    };
    let found = tx.claims(None, Some(serial.as_str())).await?;
    let mut subjects = vec![format!("device:{serial}")];
    subjects.extend(found.iter().map(|c| format!("claim:{}", c.id)));
    let audit = tx.audit_trail(&subjects).await?;
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
        claims: found.iter().map(claims::item).collect(),
        audit: audit
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
