// A metadata key is an identifier or a string: `a.b` fails at the `.`.
// expect: E0058 4:11
$version: "2.0"
metadata a.b = "x"
namespace example.invalid
