$version: "2.0"

namespace example.mixins

@mixin
structure Timestamps {
    @required
    created: Timestamp
    updated: Timestamp
}

/// Shape traits of a mixin are inherited (except @mixin itself).
@mixin
@sensitive
structure Owned {
    owner: String
}

structure Document with [Timestamps, Owned] {
    title: String
}

// A mixin that is itself mixed into another mixin.
@mixin
structure Audited with [Timestamps] {
    auditor: String
}

structure Report with [Audited] {
    body: String
}

// Members inherited from a mixin can get traits with `apply`.
apply Report$updated @documentation("last change")

@mixin
string Label

@pattern("^[a-z]+$")
string Slug with [Label]

@mixin(localTraits: [internal])
@internal
@documentation("kept local")
structure Local {
    x: String
}

structure UsesLocal with [Local] {}

// A local trait applied again by the user of the mixin is its own.
@internal
structure AlsoInternal with [Local] {}
