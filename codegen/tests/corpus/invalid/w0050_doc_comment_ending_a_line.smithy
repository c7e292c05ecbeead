// A `///` comment at the end of a statement's line documents nothing: it is
// ignored with a warning, and does not document the next shape.
// expect: W0050 6:17
// expect: W0050 8:13
// expect: W0050 10:1
$version: "2.0" /// not docs
namespace example.invalid
string Name /// not docs
string Other
/// not docs either
apply Other @sensitive
