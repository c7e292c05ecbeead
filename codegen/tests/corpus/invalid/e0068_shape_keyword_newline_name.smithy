// A shape type keyword and the shape name are separated by spaces only.
// expect: E0068 5:10
$version: "2.0"
namespace example.invalid
structure
    Point {}
