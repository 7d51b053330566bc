//! Building an operation's output: the JSON result, figures and artifacts.

use serde::Serialize;

use crate::PluginError;
use crate::bindings::statbox::plugin::types;

/// A chart as a standalone SVG document.
#[derive(Debug, Clone)]
pub struct Figure {
    pub title: String,
    pub svg: String,
}

/// Opaque bytes (a trained model, a CSV) returned to or received from the host.
#[derive(Debug, Clone)]
pub struct Artifact {
    pub name: String,
    pub media_type: String,
    pub bytes: Vec<u8>,
}

impl From<types::Artifact> for Artifact {
    fn from(a: types::Artifact) -> Self {
        Artifact { name: a.name, media_type: a.media_type, bytes: a.bytes }
    }
}

/// What an operation returns.
#[derive(Debug, Clone)]
pub struct Output {
    pub json: String,
    pub figures: Vec<Figure>,
    pub artifacts: Vec<Artifact>,
}

impl Output {
    /// An output whose result is `value` serialised as JSON. Non-finite floats become
    /// `null` (serde_json's behaviour), which is how results mark "undefined".
    pub fn json<T: Serialize + ?Sized>(value: &T) -> Result<Output, PluginError> {
        let json = serde_json::to_string(value)
            .map_err(|e| PluginError::internal(format!("could not serialise the result: {e}")))?;
        Ok(Output { json, figures: Vec::new(), artifacts: Vec::new() })
    }

    pub fn with_figure(mut self, title: impl Into<String>, svg: impl Into<String>) -> Self {
        self.figures.push(Figure { title: title.into(), svg: svg.into() });
        self
    }

    pub fn with_artifact(mut self, name: impl Into<String>, media_type: impl Into<String>, bytes: Vec<u8>) -> Self {
        self.artifacts.push(Artifact { name: name.into(), media_type: media_type.into(), bytes });
        self
    }
}

impl From<Output> for types::Output {
    fn from(o: Output) -> Self {
        types::Output {
            json: o.json,
            figures: o.figures.into_iter().map(|f| types::Figure { title: f.title, svg: f.svg }).collect(),
            artifacts: o
                .artifacts
                .into_iter()
                .map(|a| types::Artifact { name: a.name, media_type: a.media_type, bytes: a.bytes })
                .collect(),
        }
    }
}
