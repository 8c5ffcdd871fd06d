//! Applies secret redaction to every text field of an event or a stored record: the request,
//! names, descriptions, ids, paths, contents, dependencies and MCP tool schemas.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::event::{Dependencies, GeneratedFile, McpTool, ValidEvent};
use crate::redact::{add_counts, redact_text, RedactionOptions};
use crate::store::ExampleRecord;

/// Redacts an event in place; returns the counts per kind.
pub fn scrub_event(event: &mut ValidEvent, options: &RedactionOptions) -> BTreeMap<String, u32> {
    let mut scrubber = Scrubber::new(options);
    scrubber.text(&mut event.request, None);
    scrubber.optional(&mut event.event_id);
    scrubber.optional(&mut event.name);
    scrubber.optional(&mut event.description);
    scrubber.files(&mut event.files);
    scrubber.dependencies(event.dependencies.as_mut());
    scrubber.tools(&mut event.tools);
    scrubber.counts
}

/// Redacts a stored record again (records from older versions, or rules that improved since);
/// adds what it found to the record's counts and returns the new finds.
pub fn scrub_record(
    record: &mut ExampleRecord,
    options: &RedactionOptions,
) -> BTreeMap<String, u32> {
    let mut scrubber = Scrubber::new(options);
    scrubber.text(&mut record.request, None);
    scrubber.optional(&mut record.event_id);
    scrubber.optional(&mut record.name);
    scrubber.optional(&mut record.description);
    scrubber.files(&mut record.files);
    scrubber.dependencies(record.dependencies.as_mut());
    scrubber.tools(&mut record.tools);
    add_counts(&mut record.redactions, &scrubber.counts);
    scrubber.counts
}

struct Scrubber<'a> {
    options: &'a RedactionOptions,
    counts: BTreeMap<String, u32>,
}

impl<'a> Scrubber<'a> {
    fn new(options: &'a RedactionOptions) -> Self {
        Scrubber {
            options,
            counts: BTreeMap::new(),
        }
    }

    fn text(&mut self, text: &mut String, path: Option<&str>) {
        let redacted = redact_text(text, path, self.options);
        if !redacted.counts.is_empty() {
            add_counts(&mut self.counts, &redacted.counts);
            *text = redacted.text;
        }
    }

    fn optional(&mut self, text: &mut Option<String>) {
        if let Some(text) = text {
            self.text(text, None);
        }
    }

    fn files(&mut self, files: &mut [GeneratedFile]) {
        for file in files {
            self.text(&mut file.content, Some(&file.path));
            self.text(&mut file.path, None);
        }
    }

    fn dependencies(&mut self, dependencies: Option<&mut Dependencies>) {
        match dependencies {
            None => {}
            Some(Dependencies::Names(names)) => names.iter_mut().for_each(|n| self.text(n, None)),
            Some(Dependencies::Versions(versions)) => {
                let entries = std::mem::take(versions);
                for (mut name, mut range) in entries {
                    self.text(&mut name, None);
                    self.text(&mut range, None);
                    versions.insert(name, range);
                }
            }
        }
    }

    fn tools(&mut self, tools: &mut [McpTool]) {
        for tool in tools {
            self.text(&mut tool.name, None);
            self.optional(&mut tool.description);
            if let Some(schema) = &mut tool.input_schema {
                self.json(schema);
            }
        }
    }

    fn json(&mut self, value: &mut Value) {
        match value {
            Value::String(text) => self.text(text, None),
            Value::Array(items) => items.iter_mut().for_each(|item| self.json(item)),
            Value::Object(map) => {
                for (_, item) in map.iter_mut() {
                    self.json(item);
                }
            }
            _ => {}
        }
    }
}
