// A mixin list (`with`) must be on the shape name's line; on the next line it
// is where the body was expected.
// expect: E0050 9:5
$version: "2.0"
namespace example.invalid
@mixin
structure Base {}
structure Derived
    with [Base] {}
