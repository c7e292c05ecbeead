// A metadata statement must end its line.
// expect: E0067 4:20
$version: "2.0"
metadata a = "one" metadata b = "two"
namespace example.invalid
