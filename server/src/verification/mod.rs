//! Video verification (R2, R3, spec §5): cases opened by owners, the videos they upload
//! (tus), and the staff's review.

pub mod cases;
pub mod review;
pub mod uploads;

use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(cases::open))
        .routes(routes!(cases::get))
        .routes(routes!(review::queue))
        .routes(routes!(review::video))
        .routes(routes!(review::decide))
        .merge(uploads::router())
}
