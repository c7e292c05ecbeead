// The same member name twice.
// expect: E0123 8:5
$version: "2"
namespace example.invalid

structure Person {
    name: String
    name: String
}
