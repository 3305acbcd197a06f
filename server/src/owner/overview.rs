//! The owner's overview (spec §6): the devices an address activated plans for, with
//! their coverage now, and the cases and claims it opened, each newest first. Only
//! records that carry the address: a device's other owners (before a sale, after a
//! replacement) and their cases and claims stay out.

use crate::http::problem::ApiError;
use crate::state::AppState;
use crate::{activation, claims, verification};
use care_rules::Serial;
use care_rules::api::{OwnerCase, OwnerClaim, OwnerDevice, OwnerOverview};

pub async fn build(state: &AppState, email: &str) -> Result<OwnerOverview, ApiError> {
    let now = state.clock.now();
    let (serials, cases, claims) = {
        let mut tx = state.db.read().await?;
        (
            activation::serials_of_owner(&mut tx, email).await?,
            verification::cases::of_owner(&mut tx, email).await?,
            claims::records::of_owner(&mut tx, email).await?,
        )
    };
    let mut devices = Vec::with_capacity(serials.len());
    for serial in serials {
        let Ok(serial) = Serial::parse(&serial) else {
            continue;
        };
        let device = state.coverage.device(&state.db, &serial).await?;
        let coverage = device.coverage_document(now);
        devices.push(OwnerDevice {
            serial: coverage.serial,
            product_id: coverage.product_id,
            status: coverage.status,
            ends_at: coverage.ends_at,
            replacements: coverage.replacements,
        });
    }
    Ok(OwnerOverview {
        email: email.to_owned(),
        devices,
        verifications: cases
            .into_iter()
            .map(|case| OwnerCase {
                status: case.case.status_at(now),
                activation_deadline: case.case.activation_deadline(),
                id: case.id,
                serial: case.serial,
            })
            .collect(),
        claims: claims
            .into_iter()
            .map(|claim| OwnerClaim {
                number: claim.number(),
                id: claim.id,
                serial: claim.serial,
                status: claim.status,
                filed_at: claim.filed_at,
            })
            .collect(),
    })
}
