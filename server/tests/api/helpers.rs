use care_server::config::Settings;
use care_server::startup::Application;
use std::path::PathBuf;
use tempfile::TempDir;

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    /// Holds the app's files for as long as the test runs.
    _dir: TempDir,
}

pub const INDEX_HTML: &str = "<!doctype html><title>Care Refresh</title>";

/// Starts a real server on a free loopback port, serving a stand-in app build.
pub async fn spawn_app() -> TestApp {
    let dir = tempfile::tempdir().expect("temporary directory");
    let web_dir: PathBuf = dir.path().join("dist");
    std::fs::create_dir_all(&web_dir).expect("web dir");
    std::fs::write(web_dir.join("index.html"), INDEX_HTML).expect("index.html");
    std::fs::write(web_dir.join("app-0123abcd.js"), "console.log('app')").expect("asset");
    let settings = Settings {
        addr: "127.0.0.1:0".parse().expect("address"),
        web_dir,
    };
    let app = Application::build(&settings).await.expect("the app builds");
    let address = format!("http://{}", app.address().expect("bound"));
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        client: reqwest::Client::new(),
        _dir: dir,
    }
}

impl TestApp {
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .expect("request sent")
    }
}
