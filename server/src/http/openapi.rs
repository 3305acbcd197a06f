//! The OpenAPI 3.1 document. The routes and their annotations come from the features'
//! routers (utoipa-axum collects them with the handlers, so the router and the document
//! cannot list different routes); this module adds what every route shares.

use care_rules::Refusal;
use care_rules::api::Problem;
use utoipa::OpenApi;
use utoipa::openapi::path::Operation;
use utoipa::openapi::response::Response;
use utoipa::openapi::{Content, HeaderBuilder, ObjectBuilder, Ref, RefOr, Type};

pub const PROBLEM_JSON: &str = "application/problem+json";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Care Refresh portal API",
        description = "Activate and extend DJI Care Refresh plans, check coverage, send \
                       verification videos (tus 1.0) and follow claims. Every error is \
                       RFC 9457 `application/problem+json` with a stable `code`."
    ),
    components(schemas(Problem, Refusal))
)]
pub struct ApiDoc;

/// Completes the document with what the handlers' annotations leave implicit, so that
/// it says exactly what the server sends:
/// - every error answer is `application/problem+json` with the `Problem` schema;
/// - an operation that takes a JSON body also answers 413, 415 and 422 (the body's
///   size, media type and shape, checked by `ApiJson` before the handler runs);
/// - a 429 carries `Retry-After`.
pub fn complete(doc: &mut utoipa::openapi::OpenApi) {
    for item in doc.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.options,
            &mut item.head,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            complete_operation(operation);
        }
    }
}

fn complete_operation(operation: &mut Operation) {
    let takes_json = operation
        .request_body
        .as_ref()
        .is_some_and(|body| body.content.contains_key("application/json"));
    let responses = &mut operation.responses.responses;
    if takes_json {
        for (status, what) in [
            ("413", "`payload_too_large`: the body is over 16 KiB"),
            (
                "415",
                "`unsupported_media_type`: the body is not `application/json`",
            ),
            ("422", "`invalid_request`, naming the field at fault"),
        ] {
            responses
                .entry(status.to_owned())
                .or_insert_with(|| RefOr::T(Response::new(what)));
        }
    }
    for (status, response) in responses.iter_mut() {
        let RefOr::T(response) = response else {
            continue;
        };
        if !(status.starts_with('4') || status.starts_with('5')) {
            continue;
        }
        response.content.clear();
        response.content.insert(
            PROBLEM_JSON.to_owned(),
            Content::new(Some(Ref::from_schema_name("Problem"))),
        );
        if status == "429" {
            response.headers.insert(
                "Retry-After".to_owned(),
                HeaderBuilder::new()
                    .schema(ObjectBuilder::new().schema_type(Type::Integer))
                    .description(Some("Seconds to wait"))
                    .build(),
            );
        }
    }
}
