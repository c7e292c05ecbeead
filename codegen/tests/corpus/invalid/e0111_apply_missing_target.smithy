// `apply` to a shape that does not exist.
// expect: E0111 5:7
$version: "2"
namespace example.invalid
apply Missing @documentation("nothing here")
