// IDL 2.0 enum values must be non-empty strings.
// expect: E0214 8:12
$version: "2"
namespace example.invalid

enum Color {
    RED = "red"
    NONE = ""
}
