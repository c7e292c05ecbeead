// Mixins cannot form a cycle.
// expect: E0102 10:19
$version: "2"
namespace example.invalid

@mixin
structure A with [B] {}

@mixin
structure B with [A] {}
