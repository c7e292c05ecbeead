// A member name, its colon and its target are separated by spaces only.
// expect: E0068 6:6
$version: "2.0"
namespace example.invalid
structure Point {
    x
        : Integer
}
