// For a simple shape, `with` on the next line starts a new statement, and no
// statement starts with `with`.
// expect: E0050 9:5
$version: "2.0"
namespace example.invalid
@mixin
string Base
string Derived
    with [Base]
