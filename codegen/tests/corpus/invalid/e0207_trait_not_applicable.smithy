// @length applies to strings, blobs, lists and maps, not booleans.
// expect: E0207 6:1
$version: "2"
namespace example.invalid

@length(min: 1)
boolean Flag
