$version: "2.0"

namespace example.b

structure Shared {
    value: Integer
}

integer Other
