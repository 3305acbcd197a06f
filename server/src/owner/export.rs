//! The owner's data, all of it, as one JSON download (RODO art. 15 and 20): the
//! activations, video cases with their videos, claims with their quotes, payments,
//! shipping and history, and the mail that carry the session's address.

use crate::activation::{self, ActivationRecord};
use crate::email::outbox::{self, StoredMail};
use crate::http::problem::ApiError;
use crate::state::AppState;
use crate::verification::uploads::queries as uploads;
use crate::{claims, verification};
use care_rules::api::ClaimEvent;
use care_rules::{ClaimOption, RejectReason, Timestamp};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct OwnerExport {
    pub email: String,
    #[schema(value_type = String, format = DateTime)]
    pub exported_at: Timestamp,
    pub activations: Vec<ActivationRecord>,
    pub verifications: Vec<ExportedCase>,
    pub claims: Vec<ExportedClaim>,
    pub mail: Vec<StoredMail>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportedCase {
    pub id: String,
    pub serial: String,
    pub email: String,
    pub status: String,
    #[schema(value_type = String, format = DateTime)]
    pub opened_at: Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub submitted_at: Option<Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub decided_at: Option<Timestamp>,
    pub reject_reason: Option<RejectReason>,
    pub reject_note: Option<String>,
    pub videos: Vec<ExportedVideo>,
}

/// A video as it was sent: what the browser said of it, never its bytes.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportedVideo {
    /// The tus `Upload-Metadata` the browser sent (base64 values: file name, type).
    pub metadata: String,
    pub content_type: String,
    pub bytes: u64,
    #[schema(value_type = String, format = DateTime)]
    pub started_at: Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub finished_at: Option<Timestamp>,
    /// When the video itself was deleted (retention or erasure).
    #[schema(value_type = Option<String>, format = DateTime)]
    pub deleted_at: Option<Timestamp>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportedClaim {
    pub id: String,
    pub number: String,
    pub serial: String,
    pub description: String,
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
    pub shipping_address: String,
    pub status: String,
    #[schema(value_type = String, format = DateTime)]
    pub filed_at: Timestamp,
    pub quote_grosze: Option<u32>,
    pub quote_note: Option<String>,
    pub option: Option<ClaimOption>,
    pub paid_grosze: Option<u32>,
    pub paid_via: Option<String>,
    pub payment_reference: Option<String>,
    pub refund_reference: Option<String>,
    pub refund_reason: Option<String>,
    pub decline_reason: Option<String>,
    pub tracking: Option<String>,
    pub replacement_serial: Option<String>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub shipped_at: Option<Timestamp>,
    /// Every status the claim reached, the oldest first.
    pub history: Vec<ClaimEvent>,
}

pub async fn build(state: &AppState, email: &str) -> Result<OwnerExport, ApiError> {
    let now = state.clock.now();
    let mut tx = state.db.read().await?;
    let activations = activation::of_owner(&mut tx, email).await?;
    let mut verifications = Vec::new();
    for c in verification::cases::of_owner(&mut tx, email).await? {
        let videos = uploads::of_case(&mut tx, &c.id).await?;
        verifications.push(ExportedCase {
            status: c.case.status_at(now).as_str().to_owned(),
            opened_at: c.created_at,
            submitted_at: c.submitted_at,
            decided_at: c.decided_at,
            reject_reason: c.reject_reason,
            id: c.id,
            serial: c.serial,
            email: c.email,
            reject_note: c.reject_note,
            videos: videos
                .into_iter()
                .map(|u| ExportedVideo {
                    metadata: u.metadata,
                    content_type: u.content_type,
                    bytes: u.length,
                    started_at: u.created_at,
                    finished_at: u.finished_at,
                    deleted_at: u.video_deleted_at,
                })
                .collect(),
        });
    }
    let mut claims = Vec::new();
    for c in claims::records::of_owner(&mut tx, email).await? {
        let history = claims::records::history(&mut tx, &c.id).await?;
        claims.push(ExportedClaim {
            number: c.number(),
            status: c.status.as_str().to_owned(),
            quote_grosze: c.quote.as_ref().map(|(fee, _)| fee.grosze()),
            quote_note: c.quote.map(|(_, note)| note),
            option: c.option,
            paid_grosze: c.paid.map(|m| m.grosze()),
            id: c.id,
            serial: c.serial,
            description: c.description,
            name: c.customer_name,
            email: c.customer_email,
            phone: c.customer_phone,
            shipping_address: c.shipping_address,
            filed_at: c.filed_at,
            paid_via: c.paid_via,
            payment_reference: c.payment_reference,
            refund_reference: c.refund_reference,
            refund_reason: c.refund_reason,
            decline_reason: c.decline_reason,
            tracking: c.tracking,
            replacement_serial: c.replacement_serial,
            shipped_at: c.shipped_at,
            history,
        });
    }
    let mail = outbox::to_recipient(&mut tx, email).await?;
    Ok(OwnerExport {
        email: email.to_owned(),
        exported_at: now,
        activations,
        verifications,
        claims,
        mail,
    })
}
