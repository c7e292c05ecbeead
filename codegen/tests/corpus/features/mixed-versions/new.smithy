$version: "2.0"

namespace example.new

use example.old#Legacy

enum Color {
    RED = "red"
}

structure Modern {
    legacy: Legacy
    color: Color = "red"
    count: Integer = 0
}
