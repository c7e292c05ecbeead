// An enum value starts on the line of its `=`.
// expect: E0068 6:10
$version: "2.0"
namespace example.invalid
enum Color {
    RED =
        "red"
}
