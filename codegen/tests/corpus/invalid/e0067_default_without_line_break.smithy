// A member default assignment must end its line (one comma may come before the
// line break).
// expect: E0067 7:21
$version: "2.0"
namespace example.invalid
structure Point {
    x: Integer = 0, y: Integer = 0
    z: Integer = 0,
}
