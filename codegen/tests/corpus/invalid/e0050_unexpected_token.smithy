// A member without a target.
// expect: E0050 7:11
$version: "2"
namespace example.invalid

structure Person {
    name: }
