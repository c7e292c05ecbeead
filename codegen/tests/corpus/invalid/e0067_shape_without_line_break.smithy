// A shape statement must end its line, even after a closing brace.
// expect: E0067 5:20
$version: "2.0"
namespace example.invalid
structure Empty {} string Name
