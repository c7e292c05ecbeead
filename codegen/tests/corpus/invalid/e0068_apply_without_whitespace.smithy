// `apply` needs whitespace between the target and its traits.
// expect: E0068 6:11
$version: "2.0"
namespace example.invalid
string Name
apply Name{ @sensitive }
