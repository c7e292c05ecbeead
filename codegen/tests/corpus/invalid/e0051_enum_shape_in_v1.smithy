// The enum shape is IDL 2.0 syntax.
// expect: E0051 5:1
$version: "1.0"
namespace example.invalid
enum Color {
    RED
}
