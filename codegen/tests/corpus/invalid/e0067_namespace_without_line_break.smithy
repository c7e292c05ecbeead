// The namespace statement must end its line.
// expect: E0067 4:27
$version: "2.0"
namespace example.invalid string Name
