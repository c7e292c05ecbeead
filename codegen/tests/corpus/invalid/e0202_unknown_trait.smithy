// A misspelled trait; the note suggests `@required`.
// expect: E0202 7:5
$version: "2"
namespace example.invalid

structure Person {
    @requird
    name: String
}
