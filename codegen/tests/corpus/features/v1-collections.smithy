$version: "1.0"

namespace example.collections

list Names {
    member: String
}

/// Sets exist only in IDL 1.0.
set Tags {
    member: String
}

map Counts {
    key: String,
    value: Integer,
}

// Traits on collection members must survive.
list Bounded {
    @length(min: 1, max: 10)
    member: String
}

map Annotated {
    @documentation("the key")
    key: String

    @documentation("the value")
    value: Names
}
