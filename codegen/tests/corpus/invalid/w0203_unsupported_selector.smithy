// A valid selector feature weld does not evaluate (variables).
// expect: W0203 6:8
$version: "2"
namespace example.invalid

@trait(selector: "service $ops(~> operation) ~> structure")
structure special {}
