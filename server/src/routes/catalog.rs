use axum::Json;
use care_rules::api::CatalogDocument;

/// `GET /api/catalog`: the products and plans of spec §3, from the rules crate.
pub async fn catalog() -> Json<CatalogDocument> {
    Json(CatalogDocument::current())
}
