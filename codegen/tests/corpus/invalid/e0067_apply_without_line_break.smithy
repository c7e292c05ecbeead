// An apply statement must end its line.
// expect: E0067 7:23
$version: "2.0"
namespace example.invalid

string Name
apply Name @sensitive apply Name @deprecated
