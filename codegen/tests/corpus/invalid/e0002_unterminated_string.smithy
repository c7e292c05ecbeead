// A string literal that never ends.
// expect: E0002 7:16
// expect: E0050 9:1
$version: "2"
namespace example.invalid

@documentation("never closed
string Name
