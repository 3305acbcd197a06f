//! The staff API, as the console calls it. The session is a cookie the browser sends.

use crate::api::{self, ApiError};
use care_rules::api::{
    ClaimPage, DecisionRequest, FailedMail, LoginRequest, ReviewPage, StaffClaim, StaffDevice,
    StaffMember, VerificationDocument,
};
use care_rules::{ClaimStatus, ClaimStep, Lang, VerificationStatus};
use serde::Serialize;

pub async fn me(lang: Lang) -> Result<StaffMember, ApiError> {
    api::get("/api/staff/me", lang).await
}

pub async fn login(request: &LoginRequest, lang: Lang) -> Result<StaffMember, ApiError> {
    api::post("/api/staff/login", request, lang, None).await
}

pub async fn logout(lang: Lang) -> Result<(), ApiError> {
    api::post_no_content("/api/staff/logout", lang).await
}

/// `&cursor=…` for the page after `cursor`, nothing for the first.
fn after(cursor: Option<&str>) -> String {
    cursor.map(|c| format!("&cursor={c}")).unwrap_or_default()
}

/// A page of the video queue in a status.
pub async fn videos(
    status: VerificationStatus,
    cursor: Option<&str>,
    lang: Lang,
) -> Result<ReviewPage, ApiError> {
    let path = format!("/api/staff/verifications?status={status}{}", after(cursor));
    api::get(&path, lang).await
}

/// Where a case's video streams from (with Range).
pub fn video_url(case_id: &str) -> String {
    format!("/api/staff/verifications/{case_id}/video")
}

pub async fn case(id: &str, lang: Lang) -> Result<VerificationDocument, ApiError> {
    crate::verification::api::case(id, lang).await
}

pub async fn decide(
    id: &str,
    decision: &DecisionRequest,
    lang: Lang,
) -> Result<VerificationDocument, ApiError> {
    api::post(
        &format!("/api/staff/verifications/{id}/decision"),
        decision,
        lang,
        None,
    )
    .await
}

/// A page of the claim queue in a status.
pub async fn claims(
    status: ClaimStatus,
    cursor: Option<&str>,
    lang: Lang,
) -> Result<ClaimPage, ApiError> {
    let path = format!("/api/staff/claims?status={status}{}", after(cursor));
    api::get(&path, lang).await
}

pub async fn claim(id: &str, lang: Lang) -> Result<StaffClaim, ApiError> {
    api::get(&format!("/api/staff/claims/{id}"), lang).await
}

/// A step on a claim, with its body (`{}` for the steps that take none).
pub async fn step(
    id: &str,
    step: ClaimStep,
    body: &impl Serialize,
    lang: Lang,
) -> Result<StaffClaim, ApiError> {
    api::post(&format!("/api/staff/claims/{id}/{step}"), body, lang, None).await
}

pub async fn device(serial: &str, lang: Lang) -> Result<StaffDevice, ApiError> {
    api::get(&format!("/api/staff/devices/{serial}"), lang).await
}

/// The messages that failed every attempt.
pub async fn failed_mail(lang: Lang) -> Result<Vec<FailedMail>, ApiError> {
    api::get("/api/staff/mail/failed", lang).await
}

/// Gives a failed message a new round of attempts.
pub async fn resend_mail(id: i64, lang: Lang) -> Result<(), ApiError> {
    api::post_no_content(&format!("/api/staff/mail/{id}/resend"), lang).await
}
