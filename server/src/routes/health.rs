use axum::Json;
use serde_json::{Value, json};

/// Whether the server is up.
#[utoipa::path(get, path = "/api/health", tag = "portal",
    responses((status = 200, description = "`{\"status\":\"ok\"}`")))]
pub async fn health() -> Json<Value> {
    Json(json!({"status": "ok"}))
}
