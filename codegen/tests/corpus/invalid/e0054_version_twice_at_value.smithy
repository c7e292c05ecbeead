// A repeated `$version` is reported at its value.
// expect: E0054 4:11
$version: "2.0"
$version: "2.0"
namespace example.invalid
