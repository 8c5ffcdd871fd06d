//! The ports implemented over the JS host object the shim passes in.

use js_sys::{Array, Function, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::error::{ErrorCode, SelftuneError};
use crate::host::{
    Clock, Http, HttpRequest, HttpResponse, LogLevel, LogSink, PortError, Storage, SyntaxCheck,
    SyntaxOutcome,
};
use crate::wasm::error::js_message;

#[wasm_bindgen(typescript_custom_section)]
const HOST_INTERFACE: &str = r#"
/** Text files under relative `/`-separated paths; every call may be concurrent. */
export interface SelftuneStorage {
  /** The whole file, or null when it does not exist. */
  read(path: string): Promise<string | null>;
  /** Atomic replace (temp file, fsync, rename on disk). */
  write(path: string, contents: string): Promise<void>;
  /** Durable append; creates the file and its folders. */
  append(path: string, contents: string): Promise<void>;
  /** Names of the files directly in `dir`, sorted; [] when it does not exist. */
  list(dir: string): Promise<string[]>;
  /** Removes a file; a missing file is not an error. */
  remove(path: string): Promise<void>;
}

/** Everything the core needs from its environment. */
export interface SelftuneHost {
  fetch(url: string, init: { method: string; headers: Record<string, string>; body?: Uint8Array }): Promise<Response>;
  storage: SelftuneStorage;
  /** Milliseconds since the Unix epoch. */
  now(): number;
  sleep(ms: number): Promise<void>;
  log(level: "debug" | "info" | "warn" | "error", message: string): void;
  /**
   * Optional: a real parser's verdict on `code` in `language` (`typescript`, `tsx`, `javascript`,
   * `jsx`), or null when the language is not supported. The Node host uses esbuild when installed.
   */
  parseCheck?(language: string, code: string): { ok: boolean; error?: string } | null;
}
"#;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(typescript_type = "SelftuneHost")]
    pub type JsHost;

    #[wasm_bindgen(method, getter)]
    fn storage(this: &JsHost) -> JsStorage;
    #[wasm_bindgen(method, catch, js_name = fetch)]
    async fn js_fetch(this: &JsHost, url: &str, init: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch, js_name = now)]
    fn js_now(this: &JsHost) -> Result<f64, JsValue>;
    #[wasm_bindgen(method, catch, js_name = sleep)]
    async fn js_sleep(this: &JsHost, ms: f64) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch, js_name = log)]
    fn js_log(this: &JsHost, level: &str, message: &str) -> Result<(), JsValue>;

    #[wasm_bindgen(typescript_type = "SelftuneStorage")]
    pub type JsStorage;

    #[wasm_bindgen(method, catch, js_name = read)]
    async fn js_read(this: &JsStorage, path: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch, js_name = write)]
    async fn js_write(this: &JsStorage, path: &str, contents: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch, js_name = append)]
    async fn js_append(this: &JsStorage, path: &str, contents: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch, js_name = list)]
    async fn js_list(this: &JsStorage, dir: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch, js_name = remove)]
    async fn js_remove(this: &JsStorage, path: &str) -> Result<JsValue, JsValue>;
}

const REQUIRED_FUNCTIONS: [(&str, &str); 9] = [
    ("", "fetch"),
    ("", "now"),
    ("", "sleep"),
    ("", "log"),
    ("storage", "read"),
    ("storage", "write"),
    ("storage", "append"),
    ("storage", "list"),
    ("storage", "remove"),
];

/// Says which member is missing, instead of failing later with "x is not a function".
pub fn check_host(host: &JsValue) -> Result<(), SelftuneError> {
    check_members(host, "host", &REQUIRED_FUNCTIONS)
}

/// The same check for a storage object passed on its own (a dataset's output folder).
pub fn check_storage(storage: &JsValue, name: &str) -> Result<(), SelftuneError> {
    let members: Vec<(&str, &str)> = REQUIRED_FUNCTIONS
        .iter()
        .filter(|(owner, _)| *owner == "storage")
        .map(|(_, member)| ("", *member))
        .collect();
    check_members(storage, name, &members)
}

fn check_members(
    value: &JsValue,
    name: &str,
    members: &[(&str, &str)],
) -> Result<(), SelftuneError> {
    for (owner, member) in members {
        let target = if owner.is_empty() {
            value.clone()
        } else {
            Reflect::get(value, &(*owner).into()).unwrap_or(JsValue::UNDEFINED)
        };
        let function = if target.is_object() {
            Reflect::get(&target, &(*member).into()).unwrap_or(JsValue::UNDEFINED)
        } else {
            JsValue::UNDEFINED
        };
        if !function.is_function() {
            let path = if owner.is_empty() {
                format!("{name}.{member}")
            } else {
                format!("{name}.{owner}.{member}")
            };
            return Err(SelftuneError::new(
                ErrorCode::InvalidHost,
                format!("invalid host: {path} must be a function"),
            ));
        }
    }
    Ok(())
}

fn port_error(thrown: JsValue) -> PortError {
    PortError::new(js_message(&thrown))
}

impl Storage for JsStorage {
    async fn read(&self, path: &str) -> Result<Option<String>, PortError> {
        let value = self.js_read(path).await.map_err(port_error)?;
        if value.is_null() || value.is_undefined() {
            return Ok(None);
        }
        value
            .as_string()
            .map(Some)
            .ok_or_else(|| PortError::new("storage.read must resolve to a string or null"))
    }

    async fn write(&self, path: &str, contents: &str) -> Result<(), PortError> {
        self.js_write(path, contents).await.map_err(port_error)?;
        Ok(())
    }

    async fn append(&self, path: &str, contents: &str) -> Result<(), PortError> {
        self.js_append(path, contents).await.map_err(port_error)?;
        Ok(())
    }

    async fn list(&self, dir: &str) -> Result<Vec<String>, PortError> {
        let value = self.js_list(dir).await.map_err(port_error)?;
        let names = value
            .dyn_into::<Array>()
            .map_err(|_| PortError::new("storage.list must resolve to an array of names"))?;
        names
            .iter()
            .map(|name| {
                name.as_string()
                    .ok_or_else(|| PortError::new("storage.list must resolve to strings"))
            })
            .collect()
    }

    async fn remove(&self, path: &str) -> Result<(), PortError> {
        self.js_remove(path).await.map_err(port_error)?;
        Ok(())
    }
}

impl Storage for JsHost {
    async fn read(&self, path: &str) -> Result<Option<String>, PortError> {
        Storage::read(&self.storage(), path).await
    }

    async fn write(&self, path: &str, contents: &str) -> Result<(), PortError> {
        Storage::write(&self.storage(), path, contents).await
    }

    async fn append(&self, path: &str, contents: &str) -> Result<(), PortError> {
        Storage::append(&self.storage(), path, contents).await
    }

    async fn list(&self, dir: &str) -> Result<Vec<String>, PortError> {
        Storage::list(&self.storage(), dir).await
    }

    async fn remove(&self, path: &str) -> Result<(), PortError> {
        Storage::remove(&self.storage(), path).await
    }
}

impl Clock for JsHost {
    fn now_ms(&self) -> u64 {
        // A broken clock reads as the epoch rather than aborting the call.
        match self.js_now() {
            Ok(ms) if ms.is_finite() && ms >= 0.0 => ms as u64,
            _ => 0,
        }
    }

    async fn sleep(&self, ms: u64) {
        let _ = self.js_sleep(ms as f64).await;
    }
}

impl LogSink for JsHost {
    fn log(&self, level: LogLevel, message: &str) {
        // A log sink that throws must not break the operation being logged.
        let _ = self.js_log(level.as_str(), message);
    }
}

impl SyntaxCheck for JsHost {
    fn parse_check(&self, language: &str, code: &str) -> Option<SyntaxOutcome> {
        let this: &JsValue = self.as_ref();
        let function = Reflect::get(this, &"parseCheck".into())
            .ok()?
            .dyn_into::<Function>()
            .ok()?;
        let answer = function.call2(this, &language.into(), &code.into()).ok()?;
        if answer.is_null() || answer.is_undefined() {
            return None;
        }
        let ok = Reflect::get(&answer, &"ok".into()).ok()?.as_bool()?;
        if ok {
            return Some(SyntaxOutcome::Parses);
        }
        let error = Reflect::get(&answer, &"error".into())
            .ok()
            .and_then(|e| e.as_string())
            .unwrap_or_else(|| "the parser rejected the code".to_owned());
        Some(SyntaxOutcome::Fails(error))
    }
}

impl Http for JsHost {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, PortError> {
        let init = request_init(&request).map_err(port_error)?;
        let response = self
            .js_fetch(&request.url, &init)
            .await
            .map_err(port_error)?;
        read_response(response).await.map_err(port_error)
    }
}

fn request_init(request: &HttpRequest) -> Result<JsValue, JsValue> {
    let init = Object::new();
    Reflect::set(&init, &"method".into(), &request.method.as_str().into())?;
    let headers = Object::new();
    for (name, value) in &request.headers {
        Reflect::set(&headers, &name.as_str().into(), &value.as_str().into())?;
    }
    Reflect::set(&init, &"headers".into(), &headers)?;
    if let Some(body) = &request.body {
        Reflect::set(&init, &"body".into(), &Uint8Array::from(body.as_slice()))?;
    }
    Ok(init.into())
}

async fn read_response(response: JsValue) -> Result<HttpResponse, JsValue> {
    let status = Reflect::get(&response, &"status".into())?
        .as_f64()
        .ok_or_else(|| JsValue::from_str("fetch resolved to something without a status"))?;
    let mut headers = Vec::new();
    let header_object = Reflect::get(&response, &"headers".into())?;
    if let Some(iterator) = js_sys::try_iter(&header_object)? {
        for pair in iterator {
            let pair: Array = pair?.dyn_into()?;
            let name = pair
                .get(0)
                .as_string()
                .unwrap_or_default()
                .to_ascii_lowercase();
            headers.push((name, pair.get(1).as_string().unwrap_or_default()));
        }
    }
    let array_buffer: Function = Reflect::get(&response, &"arrayBuffer".into())?.dyn_into()?;
    let buffer = JsFuture::from(js_sys::Promise::from(array_buffer.call0(&response)?)).await?;
    Ok(HttpResponse {
        status: status as u16,
        headers,
        body: Uint8Array::new(&buffer).to_vec(),
    })
}
