//! The QR code printed on a proof of coverage (`/coverage/{serial}/certificate` in the
//! app): it opens the public coverage page of the serial, which shows no personal data,
//! so a buyer can check the plan as it stands when they scan it, not as it was printed.

use super::devices::parse_serial;
use crate::http::problem::ApiError;
use crate::http::public_for;
use crate::state::AppState;
use anyhow::Context;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// The code depends on the serial and the portal's address only: a day in a cache.
const QR_SECONDS: u32 = 24 * 3600;

/// The QR code (SVG) that opens the public coverage page of a serial; only for devices
/// the portal knows, so that it makes no codes for anything else.
#[utoipa::path(get, path = "/api/coverage/{serial}/qr.svg", tag = "coverage",
    params(("serial" = String, Path, description = "Serial number; spaces and dashes are ignored")),
    responses(
        (status = 200, description = "The QR code of the coverage page's address", content_type = "image/svg+xml", body = String),
        (status = 404, description = "`device_not_found`"),
        (status = 422, description = "`invalid_serial`"),
    ))]
pub(super) async fn coverage_qr(
    State(state): State<AppState>,
    Path(serial): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let serial = parse_serial(&serial)?;
    // Refuses an unknown serial the way the coverage route does.
    state.coverage.device(&state.db, &serial).await?;
    let image = coverage_qr_svg(&state.links.coverage(serial.as_str()))?;
    Ok((
        [(header::CONTENT_TYPE, "image/svg+xml")],
        public_for(QR_SECONDS),
        image,
    ))
}

/// `address` as a QR code in SVG, one unit per module, scaled by whoever shows it.
/// Level M (15 % of the modules can be lost) survives a crease or a smudge on paper.
fn coverage_qr_svg(address: &str) -> anyhow::Result<String> {
    let code = QrCode::with_error_correction_level(address, EcLevel::M)
        .with_context(|| format!("{address:?} does not fit a QR code"))?;
    Ok(code
        .render::<svg::Color>()
        .module_dimensions(1, 1)
        .dark_color(svg::Color("#000"))
        .light_color(svg::Color("#fff"))
        .build())
}

#[cfg(test)]
mod tests {
    use super::coverage_qr_svg;

    #[test]
    fn draws_a_scalable_code_with_its_quiet_zone() {
        let svg = coverage_qr_svg("https://care.example/coverage/ABCDEFGHIJ").expect("fits");
        assert!(svg.contains("<svg"), "{svg}");
        // Version 3 at level M (29 modules) and the quiet zone of 4 on each side.
        assert!(svg.contains(r#"viewBox="0 0 37 37""#), "{svg}");
        assert!(svg.contains(r##"fill="#000""##));
    }
}
