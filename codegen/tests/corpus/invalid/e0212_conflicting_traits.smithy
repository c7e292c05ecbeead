// @readonly and @idempotent conflict.
// expect: E0212 7:1
$version: "2"
namespace example.invalid

@readonly
@idempotent
operation GetThing {}
