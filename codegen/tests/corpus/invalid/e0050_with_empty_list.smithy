// `with` needs at least one mixin; the error is at the `]`.
// expect: E0050 5:25
$version: "2.0"
namespace example.invalid
structure Derived with [] {}
