// Two members of an enum with the same value.
// expect: E0215 8:15
$version: "2"
namespace example.invalid

enum Color {
    RED = "red"
    CRIMSON = "red"
}
