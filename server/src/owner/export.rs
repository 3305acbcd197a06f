//! The owner's data, all of it, as one JSON download (RODO art. 15 and 20): the
//! activations, video cases, claims and mail that carry the session's address.

use crate::activation::{self, ActivationRecord};
use crate::email::outbox::{self, StoredMail};
use crate::http::problem::ApiError;
use crate::state::AppState;
use crate::{claims, verification};
use care_rules::Timestamp;
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
    pub reject_note: Option<String>,
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
}

pub async fn build(state: &AppState, email: &str) -> Result<OwnerExport, ApiError> {
    let now = state.clock.now();
    let mut tx = state.db.read().await?;
    let activations = activation::of_owner(&mut tx, email).await?;
    let cases = verification::cases::of_owner(&mut tx, email).await?;
    let claims = claims::records::of_owner(&mut tx, email).await?;
    let mail = outbox::to_recipient(&mut tx, email).await?;
    Ok(OwnerExport {
        email: email.to_owned(),
        exported_at: now,
        activations,
        verifications: cases
            .into_iter()
            .map(|c| ExportedCase {
                status: c.case.status_at(now).as_str().to_owned(),
                opened_at: c.created_at,
                id: c.id,
                serial: c.serial,
                email: c.email,
                reject_note: c.reject_note,
            })
            .collect(),
        claims: claims
            .into_iter()
            .map(|c| ExportedClaim {
                number: c.number(),
                status: c.status.as_str().to_owned(),
                id: c.id,
                serial: c.serial,
                description: c.description,
                name: c.customer_name,
                email: c.customer_email,
                phone: c.customer_phone,
                shipping_address: c.shipping_address,
                filed_at: c.filed_at,
            })
            .collect(),
        mail,
    })
}
