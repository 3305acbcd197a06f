//! `GET /api/openapi.json`: the OpenAPI 3.1 document of every route, from the handlers'
//! own annotations and the shared types.

use axum::Json;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Care Refresh portal API",
        description = "Activate and extend DJI Care Refresh plans and check coverage. \
                       Errors are RFC 9457 problem+json with a stable `code`."
    ),
    paths(
        super::health::health,
        super::catalog::catalog,
        super::devices::device,
        super::coverage::coverage,
        super::activations::create,
        super::verifications::create,
        super::verifications::get,
        super::uploads::options,
        super::uploads::create,
        super::uploads::head,
        super::uploads::patch,
        super::uploads::delete,
        super::staff::login,
        super::staff::logout,
        super::staff::me,
        super::staff::queue,
        super::staff::video,
        super::staff::decide,
        super::claims::file,
        super::claims::get,
        super::claims::choose,
        super::staff_claims::queue,
        super::staff_claims::claim,
        super::staff_claims::receive,
        super::staff_claims::quote,
        super::staff_claims::warranty,
        super::staff_claims::decline,
        super::staff_claims::payment,
        super::staff_claims::ship,
        super::staff_claims::close,
        super::staff_claims::device,
        super::test_clock::read,
        super::test_clock::advance,
    )
)]
pub struct ApiDoc;

/// This document.
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
