//! The pipeline methods of `SelftuneCore`: conversions only; the state machine lives in
//! `crate::pipeline`. Calls that talk to Together take the client's options and environment, as
//! `new TogetherClient` does: the key is never stored with a pipeline.

use std::rc::Rc;

use wasm_bindgen::prelude::*;

use crate::error::SelftuneError;
use crate::together::config::{TogetherConfig, TogetherOptions};
use crate::wasm::api::SelftuneCore;
use crate::wasm::convert::{from_js, to_js};
use crate::wasm::error::to_js_error;

#[wasm_bindgen(typescript_custom_section)]
const PIPELINE_TYPES: &str = r#"
/** A pipeline configuration in the original design's shape; everything but `deployment.budget` has a default. */
export interface PipelineConfigInput {
  name?: string;
  smallModel?: Partial<ModelTraining>;
  largeModel?: Partial<ModelTraining>;
  dataCollection?: Partial<DataCollection>;
  deployment: Partial<Deployment> & { budget: number };
}
"#;

fn together_config(options: &JsValue, env: &JsValue) -> Result<TogetherConfig, JsValue> {
    let options = from_js(options, SelftuneError::invalid_config)?;
    let options = TogetherOptions::from_json(options).map_err(to_js_error)?;
    let env = from_js(env, SelftuneError::invalid_config)?;
    let lookup = |name: &str| {
        env.get(name)
            .and_then(|value| value.as_str())
            .map(str::to_owned)
    };
    TogetherConfig::resolve(options, lookup).map_err(to_js_error)
}

#[wasm_bindgen]
impl SelftuneCore {
    /// Checks the configuration and stores a new pipeline; resolves to its id. Nothing is sent
    /// to Together until it is advanced.
    #[wasm_bindgen(js_name = launchPipeline, unchecked_return_type = "Promise<string>")]
    pub fn launch_pipeline(
        &self,
        #[wasm_bindgen(unchecked_param_type = "PipelineConfigInput")] config: JsValue,
    ) -> js_sys::Promise {
        let inner = Rc::clone(&self.inner);
        let config = from_js(&config, SelftuneError::invalid_config);
        wasm_bindgen_futures::future_to_promise(async move {
            let id = inner.launch_pipeline(config?).await.map_err(to_js_error)?;
            Ok(JsValue::from_str(&id))
        })
    }

    /// Performs the next step of a pipeline; resolves to its phase and when it wants the next.
    #[wasm_bindgen(js_name = advancePipeline, unchecked_return_type = "Promise<AdvanceResult>")]
    pub fn advance_pipeline(
        &self,
        id: String,
        #[wasm_bindgen(unchecked_param_type = "TogetherOptions | undefined")] options: JsValue,
        #[wasm_bindgen(unchecked_param_type = "TogetherEnv | undefined")] env: JsValue,
    ) -> js_sys::Promise {
        let inner = Rc::clone(&self.inner);
        let config = together_config(&options, &env);
        wasm_bindgen_futures::future_to_promise(async move {
            let result = inner.advance_pipeline(&id, &config?).await;
            to_js(&result.map_err(to_js_error)?)
        })
    }

    #[wasm_bindgen(js_name = getPipelineStatus, unchecked_return_type = "Promise<PipelineStatus>")]
    pub fn get_pipeline_status(&self, id: String) -> js_sys::Promise {
        let inner = Rc::clone(&self.inner);
        wasm_bindgen_futures::future_to_promise(async move {
            to_js(&inner.pipeline_status(&id).await.map_err(to_js_error)?)
        })
    }

    /// Every pipeline's status, oldest first.
    #[wasm_bindgen(js_name = listPipelines, unchecked_return_type = "Promise<PipelineStatus[]>")]
    pub fn list_pipelines(&self) -> js_sys::Promise {
        let inner = Rc::clone(&self.inner);
        wasm_bindgen_futures::future_to_promise(async move {
            to_js(&inner.list_pipelines().await.map_err(to_js_error)?)
        })
    }

    /// Ids of the pipelines that have not ended.
    #[wasm_bindgen(js_name = unfinishedPipelines, unchecked_return_type = "Promise<string[]>")]
    pub fn unfinished_pipelines(&self) -> js_sys::Promise {
        let inner = Rc::clone(&self.inner);
        wasm_bindgen_futures::future_to_promise(async move {
            to_js(&inner.unfinished_pipelines().await.map_err(to_js_error)?)
        })
    }

    /// Cancels a pipeline and its running jobs; resolves to its status. The key is needed only
    /// when a job was created.
    #[wasm_bindgen(js_name = cancelPipeline, unchecked_return_type = "Promise<PipelineStatus>")]
    pub fn cancel_pipeline(
        &self,
        id: String,
        #[wasm_bindgen(unchecked_param_type = "TogetherOptions | undefined")] options: JsValue,
        #[wasm_bindgen(unchecked_param_type = "TogetherEnv | undefined")] env: JsValue,
    ) -> js_sys::Promise {
        let inner = Rc::clone(&self.inner);
        let config = together_config(&options, &env);
        wasm_bindgen_futures::future_to_promise(async move {
            let status = inner.cancel_pipeline(&id, config.ok().as_ref()).await;
            to_js(&status.map_err(to_js_error)?)
        })
    }
}
