// A second namespace statement is reported at its keyword.
// expect: E0057 5:1
$version: "2.0"
namespace example.invalid
namespace example.other
