//! Per-call store state: what one sandboxed instance can reach.

use wasmtime::component::ResourceTable;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use crate::host::CallEvents;
use crate::limits::StoreLimiter;

pub struct StoreState {
    pub(crate) wasi: WasiCtx,
    pub(crate) resources: ResourceTable,
    pub(crate) limiter: StoreLimiter,
    pub(crate) events: CallEvents,
}

impl WasiView for StoreState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.resources }
    }
}

// `statbox:plugin/types` holds only types; its host trait has no functions.
impl crate::world::since_v0_1_0::statbox::plugin::types::Host for StoreState {}
