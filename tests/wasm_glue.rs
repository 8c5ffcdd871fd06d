//! The JS-facing glue, on the real target under Node: the host adapters, error conversion and
//! the exported handle.
#![cfg(target_arch = "wasm32")]

use js_sys::{Function, Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test;

use selftune::error::{ErrorCode, SelftuneError};
use selftune::host::{Http, HttpRequest, LogLevel, LogSink, Storage};
use selftune::wasm::api::SelftuneCore;
use selftune::wasm::convert::from_js;
use selftune::wasm::error::to_js_error;
use selftune::wasm::host::{check_host, JsHost};

/// A host written in JS, as a user of the package would write one.
const MEMORY_HOST: &str = r#"
  const files = new Map();
  const host = {
    calls: [],
    logs: [],
    fetch: async (url, init) => {
      host.calls.push({ url, init });
      return new Response("hello", { status: 201, headers: { "X-Request-Id": "req-1" } });
    },
    storage: {
      read: async (path) => (files.has(path) ? files.get(path) : null),
      write: async (path, contents) => { files.set(path, contents); },
      append: async (path, contents) => {
        if (path.includes("full")) throw new Error("ENOSPC: no space left on device");
        files.set(path, (files.get(path) ?? "") + contents);
      },
      list: async (dir) => [...files.keys()].filter((p) => p.startsWith(dir + "/")).map((p) => p.slice(dir.length + 1)).sort(),
      remove: async (path) => { files.delete(path); },
    },
    now: () => 1795694400000,
    sleep: async () => {},
    log: (level, message) => { host.logs.push(level + ": " + message); },
  };
  return host;
"#;

fn js_host() -> JsValue {
    Function::new_no_args(MEMORY_HOST)
        .call0(&JsValue::NULL)
        .unwrap()
}

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &key.into()).unwrap()
}

#[wasm_bindgen_test]
async fn storage_calls_reach_the_js_object() {
    let host: JsHost = js_host().unchecked_into();
    assert_eq!(host.read("a/b.txt").await.unwrap(), None);
    host.write("a/b.txt", "one\n").await.unwrap();
    host.append("a/b.txt", "two\n").await.unwrap();
    host.append("a/c.txt", "x").await.unwrap();
    assert_eq!(
        host.read("a/b.txt").await.unwrap().as_deref(),
        Some("one\ntwo\n")
    );
    assert_eq!(host.list("a").await.unwrap(), ["b.txt", "c.txt"]);
    host.remove("a/b.txt").await.unwrap();
    assert_eq!(host.list("a").await.unwrap(), ["c.txt"]);
}

#[wasm_bindgen_test]
async fn a_rejected_promise_becomes_a_port_error_with_its_message() {
    let host: JsHost = js_host().unchecked_into();
    let error = host.append("full/x.jsonl", "x").await.unwrap_err();
    assert_eq!(error.message, "ENOSPC: no space left on device");
}

#[wasm_bindgen_test]
async fn a_storage_answer_of_the_wrong_type_is_an_error_not_a_crash() {
    let host = js_host();
    let storage = get(&host, "storage");
    let bad_list = Function::new_no_args("return Promise.resolve('not an array')");
    Reflect::set(&storage, &"list".into(), &bad_list).unwrap();
    let bad_read = Function::new_no_args("return Promise.resolve(42)");
    Reflect::set(&storage, &"read".into(), &bad_read).unwrap();
    let host: JsHost = host.unchecked_into();
    assert!(host.list("x").await.unwrap_err().message.contains("array"));
    assert!(host
        .read("x")
        .await
        .unwrap_err()
        .message
        .contains("string or null"));
}

#[wasm_bindgen_test]
async fn http_goes_through_the_host_fetch() {
    let raw = js_host();
    let host: JsHost = raw.clone().unchecked_into();
    let response = host
        .send(HttpRequest {
            method: "POST".into(),
            url: "http://127.0.0.1:9/v1/files".into(),
            headers: vec![("content-type".into(), "application/json".into())],
            body: Some(b"{\"a\":1}".to_vec()),
        })
        .await
        .unwrap();
    assert_eq!(response.status, 201);
    assert_eq!(response.body, b"hello");
    assert_eq!(response.header("X-Request-Id"), Some("req-1"));

    let call = js_sys::Array::from(&get(&raw, "calls")).get(0);
    assert_eq!(
        get(&call, "url").as_string().unwrap(),
        "http://127.0.0.1:9/v1/files"
    );
    let init = get(&call, "init");
    assert_eq!(get(&init, "method").as_string().unwrap(), "POST");
    assert_eq!(
        get(&get(&init, "headers"), "content-type")
            .as_string()
            .unwrap(),
        "application/json"
    );
    let body: js_sys::Uint8Array = get(&init, "body").dyn_into().unwrap();
    assert_eq!(body.to_vec(), b"{\"a\":1}");
}

#[wasm_bindgen_test]
fn logs_reach_the_host_and_a_throwing_logger_is_ignored() {
    let raw = js_host();
    let host: JsHost = raw.clone().unchecked_into();
    host.log(LogLevel::Warn, "careful");
    assert_eq!(
        js_sys::Array::from(&get(&raw, "logs"))
            .get(0)
            .as_string()
            .unwrap(),
        "warn: careful"
    );
    let throwing = Function::new_no_args("throw new Error('logger down')");
    Reflect::set(&raw, &"log".into(), &throwing).unwrap();
    host.log(LogLevel::Error, "still fine");
}

#[wasm_bindgen_test]
fn a_host_missing_a_member_is_named() {
    let host = js_host();
    assert!(check_host(&host).is_ok());
    let storage: js_sys::Object = get(&host, "storage").unchecked_into();
    Reflect::delete_property(&storage, &"append".into()).unwrap();
    let error = check_host(&host).unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidHost);
    assert!(
        error.message.contains("host.storage.append"),
        "{}",
        error.message
    );
    assert!(check_host(&JsValue::NULL)
        .unwrap_err()
        .message
        .contains("host.fetch"));
}

#[wasm_bindgen_test]
fn errors_become_real_js_errors_with_a_code() {
    let error = to_js_error(SelftuneError::invalid_event("outcome.files", "is required"));
    let js_error: js_sys::Error = error.clone().dyn_into().expect("an Error object");
    assert_eq!(String::from(js_error.name()), "SelftuneError");
    assert_eq!(
        String::from(js_error.message()),
        "invalid event: outcome.files: is required"
    );
    assert_eq!(get(&error, "code").as_string().unwrap(), "invalid_event");
    assert_eq!(get(&error, "field").as_string().unwrap(), "outcome.files");
}

#[wasm_bindgen_test]
fn a_circular_event_is_an_invalid_event_not_a_stack_overflow() {
    let circular =
        Function::new_no_args("const a = { originalRequest: 'x' }; a.self = a; return a;")
            .call0(&JsValue::NULL)
            .unwrap();
    let error = from_js(&circular, |p| SelftuneError::invalid_event("event", p)).unwrap_err();
    assert_eq!(get(&error, "code").as_string().unwrap(), "invalid_event");
    assert!(get(&error, "message")
        .as_string()
        .unwrap()
        .contains("circular"));
    assert_eq!(
        from_js(&JsValue::UNDEFINED, SelftuneError::invalid_config).unwrap(),
        serde_json::Value::Null
    );
}

#[wasm_bindgen_test]
async fn the_exported_handle_captures_and_rejects() {
    let raw = js_host();
    let core = SelftuneCore::create(raw.clone().unchecked_into(), JsValue::UNDEFINED)
        .await
        .unwrap();
    let event = JSON::parse(
        r#"{"originalRequest":"Build a weather plugin","executionTime":900,
            "outcome":{"success":true,"files":[{"path":"src/index.ts","content":"export {};"}]}}"#,
    )
    .unwrap();
    let result = JsFuture::from(core.on_plugin_success(event)).await.unwrap();
    assert_eq!(get(&result, "stored"), JsValue::TRUE);
    assert!(get(&result, "exampleId")
        .as_string()
        .unwrap()
        .starts_with("ex_"));
    // Plain objects, not Maps.
    let quality = get(&result, "quality");
    assert_eq!(get(&quality, "score").as_f64(), Some(0.9));

    let bad =
        JSON::parse(r#"{"originalRequest":"x","outcome":{"success":true,"files":[]}}"#).unwrap();
    let error = JsFuture::from(core.on_mcp_success(bad)).await.unwrap_err();
    assert_eq!(get(&error, "name").as_string().unwrap(), "SelftuneError");
    assert_eq!(get(&error, "field").as_string().unwrap(), "outcome.files");

    let stats = JsFuture::from(core.stats()).await.unwrap();
    assert_eq!(get(&stats, "examples").as_f64(), Some(1.0));
    assert_eq!(get(&get(&stats, "byKind"), "plugin").as_f64(), Some(1.0));

    let bad_config = JSON::parse(r#"{"maxFileBytes":0}"#).unwrap();
    let error = SelftuneCore::create(raw.unchecked_into(), bad_config)
        .await
        .err()
        .unwrap();
    assert_eq!(get(&error, "code").as_string().unwrap(), "invalid_config");
}

#[wasm_bindgen_test]
async fn pipelines_cross_the_boundary_and_advancing_needs_a_key() {
    let raw = js_host();
    let core = SelftuneCore::create(raw.clone().unchecked_into(), JsValue::UNDEFINED)
        .await
        .unwrap();
    let bad = JsFuture::from(core.launch_pipeline(JSON::parse(r#"{"deployment":{}}"#).unwrap()))
        .await
        .unwrap_err();
    assert_eq!(get(&bad, "code").as_string().unwrap(), "invalid_config");
    let config =
        JSON::parse(r#"{"deployment":{"budget":5},"dataCollection":{"minDataPoints":3}}"#).unwrap();
    let id = JsFuture::from(core.launch_pipeline(config))
        .await
        .unwrap()
        .as_string()
        .unwrap();
    assert!(id.starts_with("pl_"));
    let status = JsFuture::from(core.get_pipeline_status(id.clone()))
        .await
        .unwrap();
    assert_eq!(
        get(&status, "currentPhase").as_string().unwrap(),
        "collecting"
    );
    assert_eq!(get(&status, "status").as_string().unwrap(), "running");
    let no_key =
        JsFuture::from(core.advance_pipeline(id.clone(), JsValue::UNDEFINED, JsValue::UNDEFINED))
            .await
            .unwrap_err();
    assert_eq!(get(&no_key, "code").as_string().unwrap(), "invalid_config");
    let options = JSON::parse(r#"{"apiKey":"test-key-not-real"}"#).unwrap();
    let step = JsFuture::from(core.advance_pipeline(id.clone(), options, JsValue::UNDEFINED))
        .await
        .unwrap();
    assert_eq!(get(&step, "phase").as_string().unwrap(), "collecting");
    assert_eq!(get(&step, "wakeAfterMs").as_f64(), Some(60_000.0));
    let listed = JsFuture::from(core.list_pipelines()).await.unwrap();
    assert_eq!(js_sys::Array::from(&listed).length(), 1);
    let missing = JsFuture::from(core.get_pipeline_status("pl_000000000000".into()))
        .await
        .unwrap_err();
    assert_eq!(
        get(&missing, "code").as_string().unwrap(),
        "pipeline_not_found"
    );
}
