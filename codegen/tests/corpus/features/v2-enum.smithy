$version: "2.0"

namespace example.enums

/// Values default to the member name.
enum Suit {
    DIAMOND
    CLUB
    HEART
    SPADE
}

enum Status {
    @documentation("Ready to go")
    ACTIVE = "active"

    INACTIVE = "inactive"

    @deprecated
    LEGACY = "legacy-value"
}

intEnum Level {
    LOW = 1
    MEDIUM = 5
    HIGH = 10
}
