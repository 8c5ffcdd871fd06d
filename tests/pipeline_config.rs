#![cfg(not(target_arch = "wasm32"))]

use serde_json::json;

use selftune::pipeline::config::{LoraSetting, PipelineConfig};

#[test]
fn the_seed_shape_with_defaults_and_normalized_models() {
    let config = PipelineConfig::from_json(json!({
        "name": "weekly",
        "smallModel": { "baseModel": "deepseek-r1-distill-qwen-1.5b", "suffix": "eliza-small" },
        "largeModel": { "baseModel": "Deepseek-R1-distill-llama-70b", "suffix": "eliza-large", "epochs": 2 },
        "dataCollection": { "minDataPoints": 100, "collectFor": 86_400_000 },
        "deployment": { "budget": 25, "autoDecision": true }
    }))
    .unwrap();
    assert_eq!(
        config.small_model.base_model,
        "deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B"
    );
    assert_eq!(
        config.large_model.base_model,
        "deepseek-ai/DeepSeek-R1-Distill-Llama-70B"
    );
    assert_eq!(
        (config.small_model.epochs, config.large_model.epochs),
        (3, 2)
    );
    assert_eq!(
        (
            config.small_model.learning_rate,
            config.large_model.learning_rate
        ),
        (1e-5, 1e-6)
    );
    assert_eq!(
        (config.small_model.batch_size, config.large_model.batch_size),
        (Some(4), Some(1))
    );
    assert_eq!(config.small_model.lora, LoraSetting::Enabled(true));
    assert_eq!(config.data_collection.min_quality, 0.7);
    assert_eq!(config.deployment.expected_usage, 1_000_000);

    let minimal = PipelineConfig::from_json(json!({ "deployment": { "budget": 5 } })).unwrap();
    assert_eq!(minimal.small_model.suffix, "selftune-small");
}

#[test]
fn bad_configurations_say_which_field_is_wrong() {
    let cases = [
        (json!({}), "deployment.budget is required"),
        (
            json!({ "deployment": { "budget": -1 } }),
            "deployment.budget must be a positive",
        ),
        (
            json!({ "deployment": { "budget": 5 }, "smallModel": { "learningRate": 0 } }),
            "smallModel.learningRate",
        ),
        (
            json!({ "deployment": { "budget": 5 }, "largeModel": { "epochs": 0 } }),
            "largeModel.epochs",
        ),
        (
            json!({ "deployment": { "budget": 5 }, "largeModel": { "suffix": "has space" } }),
            "largeModel.suffix",
        ),
        (
            json!({ "deployment": { "budget": 5 }, "smallModel": { "lora": { "rank": 0 } } }),
            "smallModel.lora.rank",
        ),
        (
            json!({ "deployment": { "budget": 5 }, "smallModel": { "learning_rate": 1e-4 } }),
            "smallModel: unknown field `learning_rate`",
        ),
        (
            json!({ "deployment": { "budget": 5 }, "dataCollection": { "minQuality": 3 } }),
            "dataCollection.minQuality",
        ),
        (
            json!({ "deployment": { "budget": 5 }, "colour": "blue" }),
            "unknown field 'colour'",
        ),
        (json!("weekly"), "must be an object"),
    ];
    for (config, expected) in cases {
        let error = PipelineConfig::from_json(config.clone()).unwrap_err();
        assert_eq!(error.code.as_str(), "invalid_config");
        assert!(
            error.message.contains(expected),
            "{config}: {}",
            error.message
        );
    }
}
