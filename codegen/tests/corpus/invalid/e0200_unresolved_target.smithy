// A member target that names no shape; the note suggests `String`.
// expect: E0200 8:11
$version: "2"
namespace example.invalid

structure Person {
    name: String
    nick: Strin
}
