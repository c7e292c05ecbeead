//! weld runtime (filled in by the rpc work).
