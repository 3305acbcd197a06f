use axum::Json;
use care_rules::api::CatalogDocument;

/// The products with their fee schedules, and the plans (spec §3).
#[utoipa::path(get, path = "/api/catalog", tag = "portal",
    responses((status = 200, body = CatalogDocument)))]
pub async fn catalog() -> Json<CatalogDocument> {
    Json(CatalogDocument::current())
}
