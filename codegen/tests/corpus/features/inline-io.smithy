$version: "2.0"

namespace example.inline

@mixin
structure Paging {
    nextToken: String
}

operation ListThings {
    input := with [Paging] {
        @range(max: 100)
        limit: Integer
    }
    output := @documentation("The things") {
        things: Things
    }
}

list Things {
    member: String
}

/// Default suffixes produce ListThingsInput / ListThingsOutput; the
/// control statements of another file can change them (see inline-io-suffix).
operation Empty {
    input := {}
    output := {}
}
