$version: "2.0"

namespace example.union

union Value {
    text: String
    number: Long
    flag: Boolean
    nothing: Unit
}
