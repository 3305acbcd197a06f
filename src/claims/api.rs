//! The claims API, as the owner's pages call it.

use crate::api::{self, ApiError};
use care_rules::api::{
    ChoiceRequest, ClaimCreated, ClaimDocument, ClaimRequest, OnlinePayment, PayWith,
    PaymentProgress,
};
use care_rules::{ClaimOption, Lang};

/// `POST /api/claims`.
pub async fn file(request: &ClaimRequest, lang: Lang) -> Result<ClaimCreated, ApiError> {
    api::post("/api/claims", request, lang, None).await
}

/// `GET /api/claims/{id}`: the claim by its link.
pub async fn claim(id: &str, lang: Lang) -> Result<ClaimDocument, ApiError> {
    api::get(&format!("/api/claims/{id}"), lang).await
}

/// `POST /api/claims/{id}/choice`.
pub async fn choose(id: &str, option: ClaimOption, lang: Lang) -> Result<ClaimDocument, ApiError> {
    api::post(
        &format!("/api/claims/{id}/choice"),
        &ChoiceRequest { option },
        lang,
        None,
    )
    .await
}

/// `POST /api/claims/{id}/payment`: the claim's one open payment with the provider.
pub async fn start_payment(id: &str, lang: Lang) -> Result<OnlinePayment, ApiError> {
    api::post(&format!("/api/claims/{id}/payment"), &(), lang, None).await
}

/// `POST /api/claims/{id}/payment/confirm`.
pub async fn confirm_payment(
    id: &str,
    with: &PayWith,
    lang: Lang,
) -> Result<PaymentProgress, ApiError> {
    api::post(
        &format!("/api/claims/{id}/payment/confirm"),
        with,
        lang,
        None,
    )
    .await
}
