//! Task definitions travel as the raw AWS JSON document, never through the SDK's typed structs:
//! those have no serde support, and a hand-made conversion would silently drop every field it
//! does not know. The real SDK client still does the call (endpoint, signing, retries); these
//! interceptors swap in our request body before signing and keep the response body it read.

use std::sync::{Arc, Mutex};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    AfterDeserializationInterceptorContextRef, BeforeTransmitInterceptorContextMut,
};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::config_bag::ConfigBag;

/// Keeps the body of the last successfully deserialized response.
#[derive(Debug, Clone, Default)]
pub struct CaptureResponseBody(Arc<Mutex<Option<Vec<u8>>>>);

impl CaptureResponseBody {
    /// The captured body parsed as JSON; `None` if no response was captured.
    pub fn json(&self) -> anyhow::Result<Option<serde_json::Value>> {
        let captured = self.0.lock().expect("capture lock poisoned").take();
        captured
            .map(|bytes| serde_json::from_slice(&bytes))
            .transpose()
            .map_err(|error| anyhow::anyhow!("AWS answered with JSON we cannot read: {error}"))
    }
}

impl Intercept for CaptureResponseBody {
    fn name(&self) -> &'static str {
        "CaptureResponseBody"
    }

    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(bytes) = context.response().body().bytes() {
            *self.0.lock().expect("capture lock poisoned") = Some(bytes.to_vec());
        }
        Ok(())
    }
}

/// Sends `body` instead of what the SDK serialized from its typed input.
#[derive(Debug, Clone)]
pub struct ReplaceRequestBody(Arc<Vec<u8>>);

impl ReplaceRequestBody {
    pub fn new(document: &serde_json::Value) -> Self {
        Self(Arc::new(document.to_string().into_bytes()))
    }
}

impl Intercept for ReplaceRequestBody {
    fn name(&self) -> &'static str {
        "ReplaceRequestBody"
    }

    fn modify_before_signing(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let request = context.request_mut();
        *request.body_mut() = SdkBody::from(self.0.as_slice().to_vec());
        request
            .headers_mut()
            .insert("content-length", self.0.len().to_string());
        Ok(())
    }
}
