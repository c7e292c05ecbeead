$version: "2.0"

namespace example.a

use example.b#Shared
use example.b#Other

structure Holder {
    // Resolved through `use`.
    shared: Shared
    other: Other
    // Resolved in the current namespace before the prelude: this is
    // example.a#String, not smithy.api#String.
    local: String
    // Absolute ids always work.
    absolute: smithy.api#String
}

/// Shadows the prelude shape of the same name in this namespace.
string String
