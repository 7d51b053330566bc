//! Errors of the ML pipeline, mapped to plugin errors by the operations.

#[derive(Debug, Clone, PartialEq)]
pub enum MlError {
    InvalidParams { message: String, hint: Option<String> },
    InvalidData { message: String, hint: Option<String> },
}

impl MlError {
    pub fn params(message: impl Into<String>) -> MlError {
        MlError::InvalidParams { message: message.into(), hint: None }
    }

    pub fn data(message: impl Into<String>, hint: impl Into<String>) -> MlError {
        MlError::InvalidData { message: message.into(), hint: Some(hint.into()) }
    }

    pub fn message(&self) -> &str {
        match self {
            MlError::InvalidParams { message, .. } | MlError::InvalidData { message, .. } => message,
        }
    }
}

impl std::fmt::Display for MlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}
