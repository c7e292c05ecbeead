// A malformed shape id is reported at the character where it goes wrong.
// expect: E0058 7:15
// expect: E0200 7:11
$version: "2.0"
namespace example.invalid
structure Box {
    item: a.b##C
}
