//! `/api/staff/claims`: the service team's side of claims (role `service`): the queue,
//! a claim with the steps its status allows, and the steps themselves.

use super::paid::{self, PaidVia};
use super::records::{self, ClaimRecord};
use super::{care_refresh, document, item, load, next, save, transfer};
use crate::email::{
    self,
    messages::{ClaimDeclined, ClaimShipped, ClaimWarranty, QuoteReady},
};
use crate::http::extract::{ApiJson, ApiQuery};
use crate::http::paging::{Cursor, PageRequest};
use crate::http::problem::ApiError;
use crate::staff::StaffUser;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use care_rules::api::{ClaimPage, QuoteRequest, ReasonRequest, ShipRequest, StaffClaim};
use care_rules::text::{DECLINE_REASON, QUOTE_NOTE, TRACKING};
use care_rules::{ClaimStatus, ClaimStep, Money, Refusal, Role};
use serde::Deserialize;
use serde_json::json;

/// Highest repair quote staff may enter: 100 000 zł.
const MAX_QUOTE: Money = Money::zl(100_000);

#[derive(Deserialize, utoipa::IntoParams)]
pub(super) struct QueueQuery {
    /// Only claims in this status.
    status: Option<ClaimStatus>,
    /// Items per page: 1 to 200, 50 when left out.
    limit: Option<u32>,
    /// The `next_cursor` of the page before.
    cursor: Option<String>,
}

/// The claim queue, oldest first, a page at a time; personal data masked.
#[utoipa::path(get, path = "/api/staff/claims", tag = "staff",
    params(QueueQuery),
    responses(
        (status = 200, body = ClaimPage),
        (status = 401, description = "`unauthorized`"),
        (status = 403, description = "`forbidden`: not the service team"),
        (status = 422, description = "`invalid_request`: an unknown status, a limit out of range, a bad cursor"),
    ))]
pub(super) async fn queue(
    State(state): State<AppState>,
    user: StaffUser,
    ApiQuery(query): ApiQuery<QueueQuery>,
) -> Result<Json<ClaimPage>, ApiError> {
    user.require(Role::Service)?;
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let mut tx = state.db.read().await?;
    let rows = records::page(&mut tx, query.status, page.after.as_ref(), page.fetch()).await?;
    let (rows, next_cursor) = page.split(rows, |c| Cursor {
        key: c.filed_at.as_second(),
        id: c.id.clone(),
    });
    Ok(Json(ClaimPage {
        items: rows.iter().map(item).collect(),
        next_cursor,
    }))
}

/// A claim with the owner's contact and address, and the steps its status allows.
#[utoipa::path(get, path = "/api/staff/claims/{id}", tag = "staff",
    params(("id" = String, Path)),
    responses(
        (status = 200, body = StaffClaim),
        (status = 401, description = "`unauthorized`"),
        (status = 403, description = "`forbidden`: not the service team"),
        (status = 404, description = "`not_found`"),
    ))]
pub(super) async fn claim(
    State(state): State<AppState>,
    user: StaffUser,
    Path(id): Path<String>,
) -> Result<Json<StaffClaim>, ApiError> {
    user.require(Role::Service)?;
    let mut tx = state.db.read().await?;
    let claim = load(&mut tx, &id).await?;
    Ok(Json(staff_view(&mut tx, &state.service, &claim).await?))
}

/// The claim as staff handle it, with the steps its status allows.
pub(super) async fn staff_view(
    tx: &mut crate::db::Tx,
    desk: &super::ServiceDesk,
    claim: &ClaimRecord,
) -> Result<StaffClaim, ApiError> {
    Ok(StaffClaim {
        claim: document(tx, desk, claim).await?,
        customer_name: claim.customer_name.clone(),
        customer_email: claim.customer_email.clone(),
        customer_phone: claim.customer_phone.clone(),
        shipping_address: claim.shipping_address.clone(),
        allowed_steps: claim.status.staff_steps(),
        paid_via: claim.paid_via.clone(),
        payment_reference: claim.payment_reference.clone(),
        refund_reference: claim.refund_reference.clone(),
        refund_reason: claim.refund_reason.clone(),
    })
}

/// A staff step and what it carries.
enum StaffStep {
    Receive,
    Quote {
        amount: Money,
        note: String,
    },
    Warranty,
    Decline {
        reason: String,
    },
    Pay,
    Ship {
        tracking: String,
        replacement_serial: Option<String>,
    },
    Close,
}

impl StaffStep {
    fn step(&self) -> ClaimStep {
        match self {
            StaffStep::Receive => ClaimStep::Receive,
            StaffStep::Quote { .. } => ClaimStep::Quote,
            StaffStep::Warranty => ClaimStep::Warranty,
            StaffStep::Decline { .. } => ClaimStep::Decline,
            StaffStep::Pay => ClaimStep::Pay,
            StaffStep::Ship { .. } => ClaimStep::Ship,
            StaffStep::Close => ClaimStep::Close,
        }
    }
}

/// A step taken by the service team.
async fn take(
    state: &AppState,
    user: &StaffUser,
    id: &str,
    step: StaffStep,
) -> Result<StaffClaim, ApiError> {
    user.require(Role::Service)?;
    let now = state.clock.now();
    let mut tx = state.db.write().await?;
    let mut claim = load(&mut tx, id).await?;
    let from = claim.status;
    let status = next(&claim, step.step())?;
    let lang = claim.lang;
    let link = state.links.claim(id);
    let number = claim.number();
    let mut details = json!({});
    match step {
        StaffStep::Receive | StaffStep::Close => {}
        StaffStep::Quote { amount, note } => {
            if amount == Money::ZERO || amount > MAX_QUOTE {
                return Err(ApiError::field(
                    Refusal::InvalidRequest,
                    "amount_grosze",
                    "1 gr to 100 000 zł",
                ));
            }
            let note = QUOTE_NOTE.parse(&note)?;
            claim.quote = Some((amount, note.clone()));
            details = json!({"amount_grosze": amount, "note": note});
            let fee = care_refresh(&mut tx, &claim).await?.ok();
            let message = QuoteReady {
                lang,
                number,
                serial: claim.serial.clone(),
                amount: amount.display(lang),
                note,
                care_refresh_fee: fee.map(|f| f.display(lang)),
                link,
            };
            email::queue(&mut tx, &claim.customer_email, &message, now).await?;
        }
        StaffStep::Warranty => {
            let message = ClaimWarranty {
                lang,
                number,
                serial: claim.serial.clone(),
                link,
            };
            email::queue(&mut tx, &claim.customer_email, &message, now).await?;
        }
        StaffStep::Decline { reason } => {
            let reason = DECLINE_REASON.parse(&reason)?;
            claim.decline_reason = Some(reason.clone());
            details = json!({"reason": reason});
            let message = ClaimDeclined {
                lang,
                number,
                serial: claim.serial.clone(),
                reason,
                link,
            };
            email::queue(&mut tx, &claim.customer_email, &message, now).await?;
        }
        StaffStep::Pay => {
            // A transfer came: the step writes everything itself, and an open online
            // payment of the claim is cancelled after the commit.
            paid::record(
                &mut tx,
                &state.links,
                &mut claim,
                &PaidVia::Transfer,
                &user.actor(),
                now,
            )
            .await?;
            let answer = staff_view(&mut tx, &state.service, &claim).await?;
            tx.commit().await?;
            state.outbox.notify_one();
            crate::payments::cancel_open(state, &claim.id).await;
            return Ok(answer);
        }
        StaffStep::Ship {
            tracking,
            replacement_serial,
        } => {
            let tracking = TRACKING.parse(&tracking)?;
            if let Some(raw) = replacement_serial {
                let new = transfer::to_replacement(&mut tx, &claim, &raw, now).await?;
                claim.replacement_serial = Some(new.as_str().to_owned());
            }
            claim.tracking = Some(tracking.clone());
            claim.shipped_at = Some(now);
            details = json!({"tracking": tracking, "replacement_serial": claim.replacement_serial});
            let message = ClaimShipped {
                lang,
                number,
                serial: claim.serial.clone(),
                tracking,
                replacement_serial: claim.replacement_serial.clone(),
                link,
            };
            email::queue(&mut tx, &claim.customer_email, &message, now).await?;
        }
    }
    claim.status = status;
    save(&mut tx, &claim, from, &user.actor(), details, now).await?;
    let answer = staff_view(&mut tx, &state.service, &claim).await?;
    tx.commit().await?;
    state.outbox.notify_one();
    Ok(answer)
}

/// The body of a step without one: `{}`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct NoFields {}

macro_rules! step_route {
    ($name:ident, $path:literal, $body:ty, $doc:literal, |$value:ident| $step:expr) => {
        #[doc = $doc]
        #[utoipa::path(post, path = $path, tag = "staff",
            params(("id" = String, Path)),
            request_body = $body,
            responses(
                (status = 200, body = StaffClaim),
                (status = 401, description = "`unauthorized`"),
                (status = 403, description = "`forbidden`: not the service team"),
                (status = 404, description = "`not_found`"),
                (status = 409, description = "`invalid_state`, naming the current state"),
                (status = 422, description = "`invalid_request` naming the field, or a refusal of the rules"),
            ))]
        pub(super) async fn $name(
            State(state): State<AppState>,
            user: StaffUser,
            Path(id): Path<String>,
            body: ApiJson<$body>,
        ) -> Result<Json<StaffClaim>, ApiError> {
            let $value = body.value;
            Ok(Json(take(&state, &user, &id, $step).await?))
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
