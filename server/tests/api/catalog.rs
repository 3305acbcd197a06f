use crate::helpers::spawn_app;
use care_rules::api::CatalogDocument;

#[tokio::test]
async fn catalog_lists_the_four_products_with_their_fee_schedules() {
    let app = spawn_app().await;
    let response = app.get("/api/catalog").await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.expect("json");
    let products = body["products"].as_array().expect("products");
    let fees: Vec<(&str, Vec<u64>)> = products
        .iter()
        .map(|p| {
            let fees = p["fee_schedule_grosze"]
                .as_array()
                .expect("fees")
                .iter()
                .filter_map(serde_json::Value::as_u64)
                .collect();
            (p["id"].as_str().expect("id"), fees)
        })
        .collect();
    assert_eq!(
        fees,
        [
            ("osmo-360", vec![16900, 17900]),
            ("osmo-mobile-6", vec![5900, 7500, 9900]),
            ("osmo-mobile-se", vec![4900, 7500, 9900]),
            ("rs-3", vec![28900]),
        ]
    );
    assert_eq!(body["plans"][0]["id"], "annual");
    assert_eq!(body["plans"][1]["id"], "two-year");
    // The app reads it with the shared type.
    let typed: CatalogDocument = serde_json::from_value(body).expect("shared type");
    assert_eq!(typed, CatalogDocument::current());
}
