// A shape without @trait applied as a trait.
// expect: E0203 8:1
$version: "2"
namespace example.invalid

structure Marker {}

@Marker
structure Person {}
