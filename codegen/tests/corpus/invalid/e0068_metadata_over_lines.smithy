// A metadata statement stays on one line: a comment or line break between
// its parts is an error, and `metadata` needs a space after it.
// expect: E0068 6:14
// expect: E0068 8:9
$version: "2.0"
metadata a = // no
"one"
metadata"b" = "two"
namespace example.invalid
