// @documentation takes a string.
// expect: E0208 6:1
$version: "2"
namespace example.invalid

@documentation(42)
string Name
