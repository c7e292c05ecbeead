// Map keys must target string shapes.
// expect: E0206 7:10
$version: "2"
namespace example.invalid

map Scores {
    key: Integer
    value: Integer
}
