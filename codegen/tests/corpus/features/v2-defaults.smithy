$version: "2.0"

namespace example.defaults

structure Defaults {
    count: Integer = 0
    name: String = "unnamed"
    enabled: Boolean = true
    ratio: Double = 0.5
    tags: Tags = []
    attrs: Attrs = {}
    suit: Suit = "CLUB"
    level: Level = 2

    @required
    id: String

    // clientOptional with a default.
    @clientOptional
    optional: Integer = 1

    // The @default trait directly.
    @default(5)
    direct: Long
}

list Tags {
    member: String
}

map Attrs {
    key: String
    value: String
}

enum Suit {
    CLUB
    HEART
}

intEnum Level {
    ONE = 1
    TWO = 2
}

@default(10)
integer TenByDefault
