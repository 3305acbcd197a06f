//! The activation API, as the wizard calls it.

use crate::api::{self, ApiError};
use care_rules::Lang;
use care_rules::api::{
    ActivationCheck, ActivationCheckRequest, ActivationRequest, CoverageDocument,
};

/// `POST /api/activations`, with an idempotency key so that a retry after a lost answer
/// is safe.
pub async fn activate(
    request: &ActivationRequest,
    idempotency_key: &str,
    lang: Lang,
) -> Result<CoverageDocument, ApiError> {
    api::post("/api/activations", request, lang, Some(idempotency_key)).await
}

/// `POST /api/activations/check`: the rules on this code and device, nothing written;
/// what the owner would get, or the refusal the activation would get.
pub async fn check(
    request: &ActivationCheckRequest,
    lang: Lang,
) -> Result<ActivationCheck, ApiError> {
    api::post("/api/activations/check", request, lang, None).await
}
