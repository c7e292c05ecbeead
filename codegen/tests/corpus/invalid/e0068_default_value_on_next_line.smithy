// A default value starts on the line of its `=`.
// expect: E0068 6:17
$version: "2.0"
namespace example.invalid
structure Point {
    x: Integer =
        0
}
