// @box is IDL 1.0 only.
// expect: E0230 6:1
$version: "2"
namespace example.invalid

@box
integer MaybeCount
