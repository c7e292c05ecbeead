// Traits before `apply` are reported at `apply`.
// expect: E0065 7:1
$version: "2.0"
namespace example.invalid
string Name
@sensitive
apply Name @deprecated
